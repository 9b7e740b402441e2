//! The Markdown job summary (`GITHUB_STEP_SUMMARY`): outcome, pull request, build link, a
//! table per repository and service, and the conflicting files. Kept well under the runner's
//! 1 MiB limit: long path lists are cut at [`MAX_LISTED`] entries and the whole text at
//! [`MAX_BYTES`].

use std::fmt::Write as _;

use crate::commands::sync::Report;
use crate::manifest::Diagnostics;

/// At most this many paths per list.
pub const MAX_LISTED: usize = 200;
/// At most this many bytes of summary (GitHub refuses more than 1 MiB per step).
pub const MAX_BYTES: usize = 256 * 1024;

/// Escapes text for a Markdown table cell or inline use.
fn md(text: &str) -> String {
    text.replace('\\', "\\\\").replace('|', "\\|").replace('<', "&lt;").replace('>', "&gt;").replace('\n', " ")
}

pub fn report(report: &Report) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "## ampsync: {}\n", report.outcome);
    for repo in &report.repositories {
        let r = &repo.result;
        let _ = writeln!(s, "### `{}`\n", md(&repo.repository));
        if let Some(pr) = &repo.pull_request {
            let _ = writeln!(s, "- Pull request: [#{}]({}) ({})", pr.number, pr.url, pr.action);
        }
        match &r.commit {
            Some(c) => {
                let _ = writeln!(s, "- Commit: `{}` on `{}` from `{}`", md(c), md(&r.branch), md(&r.base));
            }
            None => {
                let _ = writeln!(s, "- Branch: `{}` from `{}` (no new commit)", md(&r.branch), md(&r.base));
            }
        }
        match &r.build.url {
            Some(url) => {
                let _ = writeln!(s, "- Build: [{}]({url})", md(&r.build.id));
            }
            None => {
                let _ = writeln!(s, "- Build: {}", md(&r.build.id));
            }
        }
        if !r.title.is_empty() {
            let _ = writeln!(s, "- Title: {}", md(&r.title));
        }
        if r.dry_run {
            let _ = writeln!(s, "- Dry run: nothing was written");
        }
        let _ = writeln!(s, "\n| Service | Added | Changed | Removed | Merged | Conflicts | Kept | Ignored |");
        let _ = writeln!(s, "|---|--:|--:|--:|--:|--:|--:|--:|");
        for (service, c) in &r.services {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                md(service),
                c.added,
                c.changed,
                c.removed,
                c.merged,
                c.conflicts,
                c.kept,
                c.ignored
            );
        }
        list(&mut s, "Conflicts (resolve them on the branch)", &r.conflicts);
        list(&mut s, "Blocked by conflicts merging the base branch", &r.blocked_paths);
        s.push('\n');
    }
    cap(s)
}

fn list(s: &mut String, heading: &str, paths: &[String]) {
    if paths.is_empty() {
        return;
    }
    let _ = writeln!(s, "\n**{heading}** ({})\n", paths.len());
    for p in paths.iter().take(MAX_LISTED) {
        let _ = writeln!(s, "- `{}`", md(p));
    }
    if paths.len() > MAX_LISTED {
        let _ = writeln!(s, "- … and {} more (see the job log)", paths.len() - MAX_LISTED);
    }
}

pub fn invalid_manifest(file: &str, diags: &Diagnostics) -> String {
    let mut s = format!("## ampsync: invalid manifest\n\n{} problem(s) in `{}`:\n\n", diags.items.len(), md(file));
    let _ = writeln!(s, "| Line | Column | Problem | Help |\n|--:|--:|---|---|");
    for d in diags.items.iter().take(MAX_LISTED) {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} |",
            d.pos.line,
            d.pos.col,
            md(&d.message),
            d.hint.as_deref().map(md).unwrap_or_default()
        );
    }
    if diags.items.len() > MAX_LISTED {
        let _ = writeln!(s, "\n… and {} more (see the job log)", diags.items.len() - MAX_LISTED);
    }
    cap(s)
}

pub fn failure(message: &str) -> String {
    cap(format!("## ampsync: failed\n\n```text\n{}\n```\n", message.replace("```", "'''")))
}

fn cap(mut s: String) -> String {
    if s.len() > MAX_BYTES {
        let mut end = MAX_BYTES;
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        s.truncate(end);
        s.push_str("\n\n… (summary cut; see the job log)\n");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_cells_cannot_break_the_table() {
        assert_eq!(md("a|b\nc<script>"), "a\\|b c&lt;script&gt;");
    }

    #[test]
    fn huge_summaries_are_capped() {
        let s = cap("x".repeat(MAX_BYTES * 3));
        assert!(s.len() < MAX_BYTES + 100);
        assert!(s.ends_with("(summary cut; see the job log)\n"));
    }
}
