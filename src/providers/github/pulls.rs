//! The pull request of a build (PRODUCT.md "Sync" step 6): find the open PR of the sync
//! branch, create it or refresh it, post the build summary, close superseded per-build PRs
//! and PRs whose branch no longer differs from the base. Bodies are built as plain data first
//! ([`body`], [`comment`]); the requests follow.

use serde::Deserialize;
use serde_json::json;

use super::PullRequestReport;
use super::client::{Client, Method, enc};
use crate::manifest::model::PullRequestSettings;
use crate::printer::Printer;
use crate::sync::message::Counts;
use crate::sync::{Outcome, RepoResult};

/// The hidden marker of every PR ampsync opens.
pub const MARKER: &str = "<!-- ampsync -->";
/// The label a PR carries while its latest build has conflicts (PRODUCT.md "Sync" step 2).
pub const CONFLICTS_LABEL: &str = "ampsync: conflicts";

#[derive(Debug, Clone, Deserialize)]
pub struct Pull {
    pub number: u64,
    pub html_url: String,
    #[serde(default)]
    pub body: Option<String>,
    pub head: Head,
    #[serde(default)]
    pub labels: Vec<LabelName>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct LabelName {
    pub name: String,
}

#[derive(Debug, Clone, Deserialize)]
pub struct Head {
    #[serde(rename = "ref")]
    pub name: String,
}

/// What the PR step needs to know beyond the engine's result.
pub struct Context<'a> {
    pub repository: &'a str,
    pub settings: &'a PullRequestSettings,
    /// The sync branch still differs from the base (a PR makes sense).
    pub differs: bool,
    /// `per-build` mode: the branch prefix whose other build PRs this one supersedes.
    pub per_build_prefix: Option<&'a str>,
}

fn build_link(r: &RepoResult) -> String {
    match &r.build.url {
        Some(url) => format!("[`{}`]({url})", r.build.id),
        None => format!("`{}` (a local build: no build log)", r.build.id),
    }
}

fn counts_table(services: &[(String, Counts)]) -> String {
    let mut t = String::from("| service | added | changed | removed | merged | conflicts | hand edits kept |\n");
    t.push_str("|---|---:|---:|---:|---:|---:|---:|\n");
    for (name, c) in services {
        t.push_str(&format!(
            "| `{name}` | {} | {} | {} | {} | {} | {} |\n",
            c.added, c.changed, c.removed, c.merged, c.conflicts, c.kept
        ));
    }
    t
}

/// The PR body: marker, summary, clickable build link, the link in a code block, conflicts.
pub fn body(r: &RepoResult) -> String {
    let services: Vec<(String, Counts)> = r.services.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    let names: Vec<String> = services.iter().map(|(k, _)| format!("`{k}`")).collect();
    let mut b = format!("{MARKER}\nGenerated code for {} from the service manifest, by ampsync.\n\n", names.join(", "));
    b.push_str(&format!("**Latest build:** {}\n\n", build_link(r)));
    b.push_str(&counts_table(&services));
    if !r.conflicts.is_empty() {
        b.push_str("\n**Conflicts to resolve** (the generated and the hand-edited versions both changed):\n\n");
        for p in &r.conflicts {
            b.push_str(&format!("- `{p}`\n"));
        }
    }
    b.push_str("\nBuild log:\n\n```\n");
    match &r.build.url {
        Some(url) => b.push_str(&format!("{url}\n")),
        None => b.push_str(&format!("local build {} (no build log)\n", r.build.id)),
    }
    b.push_str(
        "```\n\nEdit the generated code freely: the next build keeps your changes. Merge this pull request \
        any way you like (merge, squash or rebase) and delete the branch; the next build starts again from the base.\n",
    );
    b
}

/// The comment posted when a build updates an open PR.
pub fn comment(r: &RepoResult) -> String {
    let mut c = format!("{MARKER}\nBuild {} pushed {}: **{}**\n\n", build_link(r), short(r.commit.as_deref()), r.title);
    for (name, counts) in &r.services {
        c.push_str(&format!("- `{name}`: {}\n", counts.summary()));
    }
    if !r.conflicts.is_empty() {
        c.push_str(&format!(
            "\nConflicts to resolve: {}\n",
            r.conflicts.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    c
}

fn short(sha: Option<&str>) -> String {
    sha.map(|s| s[..s.len().min(10)].to_string()).unwrap_or_default()
}

fn blocked_comment(r: &RepoResult) -> String {
    format!(
        "{MARKER}\nBuild {} is **blocked**: merging `{}` into `{}` conflicts in {}. The branch was left unchanged. \
         Merge `{}` into `{}` and resolve the conflicts, then run the build again.\n",
        build_link(r),
        r.base,
        r.branch,
        if r.blocked_paths.is_empty() {
            "some files".to_string()
        } else {
            r.blocked_paths.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        },
        r.base,
        r.branch
    )
}

fn path(repository: &str, rest: &str) -> String {
    format!("/repos/{repository}/{rest}")
}

/// The open PR whose head is `branch` in the same repository.
pub async fn find_open(client: &Client, repository: &str, branch: &str) -> anyhow::Result<Option<Pull>> {
    let owner = repository.split('/').next().unwrap_or_default();
    let route = path(repository, &format!("pulls?state=open&head={}:{}&per_page=10", enc(owner), enc(branch)));
    let list: Vec<Pull> = client.get(&route).await?;
    Ok(list.into_iter().find(|p| p.head.name == branch))
}

async fn post_comment(client: &Client, repository: &str, number: u64, text: &str) -> anyhow::Result<()> {
    client
        .request(Method::Post, &path(repository, &format!("issues/{number}/comments")), Some(&json!({ "body": text })))
        .await?;
    Ok(())
}

async fn close(client: &Client, repository: &str, number: u64, note: &str) -> anyhow::Result<()> {
    post_comment(client, repository, number, note).await?;
    client
        .request(Method::Patch, &path(repository, &format!("pulls/{number}")), Some(&json!({ "state": "closed" })))
        .await?;
    Ok(())
}

/// Labels, assignees and reviewers of a new PR. A refused reviewer or assignee (not a
/// collaborator, the PR's own author) is a warning, not a failed build.
async fn decorate(
    client: &Client,
    ctx: &Context<'_>,
    number: u64,
    conflicts: bool,
    printer: &Printer,
) -> anyhow::Result<()> {
    let s = ctx.settings;
    let repo = ctx.repository;
    let mut labels = s.labels.clone();
    if conflicts && !labels.iter().any(|l| l.eq_ignore_ascii_case(CONFLICTS_LABEL)) {
        labels.push(CONFLICTS_LABEL.to_string());
    }
    if !labels.is_empty() || !s.assignees.is_empty() {
        // One request for both (a new PR has neither yet).
        let mut body = serde_json::Map::new();
        if !labels.is_empty() {
            body.insert("labels".into(), json!(labels));
        }
        if !s.assignees.is_empty() {
            body.insert("assignees".into(), json!(s.assignees));
        }
        let route = path(repo, &format!("issues/{number}"));
        match client.request(Method::Patch, &route, Some(&body)).await {
            Ok(_) => {}
            Err(e) if e.status() == Some(422) && !s.assignees.is_empty() => {
                printer.warn(&format!("cannot assign #{number} to {}: {e}", s.assignees.join(", ")));
                if !labels.is_empty() {
                    client.request(Method::Patch, &route, Some(&json!({ "labels": labels }))).await?;
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    if !s.reviewers.is_empty() || !s.team_reviewers.is_empty() {
        let body = json!({ "reviewers": s.reviewers, "team_reviewers": s.team_reviewers });
        let route = path(repo, &format!("pulls/{number}/requested_reviewers"));
        if let Err(e) = client.request(Method::Post, &route, Some(&body)).await {
            printer.warn(&format!("cannot request reviews on #{number}: {e}"));
        }
    }
    Ok(())
}

async fn create(client: &Client, ctx: &Context<'_>, r: &RepoResult, printer: &Printer) -> anyhow::Result<Pull> {
    let title = if r.title.is_empty() {
        format!("Regenerate {}", r.services.keys().cloned().collect::<Vec<_>>().join(", "))
    } else {
        r.title.clone()
    };
    let req = json!({
        "title": title,
        "head": r.branch,
        "base": r.base,
        "body": body(r),
        "draft": ctx.settings.draft,
        "maintainer_can_modify": true,
    });
    match client.request(Method::Post, &path(ctx.repository, "pulls"), Some(&req)).await {
        Ok(resp) => {
            let pull: Pull = resp.json()?;
            decorate(client, ctx, pull.number, !r.conflicts.is_empty(), printer).await?;
            Ok(pull)
        }
        // A retried create that went through, or a concurrent build: use that PR.
        Err(e) if e.is(422, "already exists") => find_open(client, ctx.repository, &r.branch)
            .await?
            .ok_or_else(|| anyhow::anyhow!("GitHub says a pull request for `{}` exists, but none is open", r.branch)),
        Err(e) => Err(e.into()),
    }
}

/// Adds the conflicts label to a PR whose new build has conflicts, and takes it off once a
/// build has none (a label a person removed by hand is added again only by a conflicting build).
async fn sync_conflicts_label(client: &Client, ctx: &Context<'_>, p: &Pull, conflicts: bool) -> anyhow::Result<()> {
    let repository = ctx.repository;
    let has = p.labels.iter().any(|l| l.name.eq_ignore_ascii_case(CONFLICTS_LABEL));
    let wanted_anyway = ctx.settings.labels.iter().any(|l| l.eq_ignore_ascii_case(CONFLICTS_LABEL));
    let issue = format!("issues/{}/labels", p.number);
    if conflicts && !has {
        client.request(Method::Post, &path(repository, &issue), Some(&json!({ "labels": [CONFLICTS_LABEL] }))).await?;
    } else if !conflicts && has && !wanted_anyway {
        let route = path(repository, &format!("{issue}/{}", enc(CONFLICTS_LABEL)));
        match client.request(Method::Delete, &route, None::<&()>).await {
            Ok(_) => {}
            Err(e) if e.status() == Some(404) => {} // already gone
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// In `per-build` mode: closes the other open build PRs (ours, by marker) into the same base.
async fn supersede(client: &Client, ctx: &Context<'_>, r: &RepoResult, number: u64) -> anyhow::Result<Vec<u64>> {
    let Some(prefix) = ctx.per_build_prefix else { return Ok(Vec::new()) };
    let route = path(ctx.repository, &format!("pulls?state=open&base={}&per_page=100", enc(&r.base)));
    let open: Vec<Pull> = client.get(&route).await?;
    let mut closed = Vec::new();
    for p in open {
        let ours = p.body.as_deref().is_some_and(|b| b.contains(MARKER));
        if ours && p.number != number && p.head.name != r.branch && p.head.name.starts_with(&format!("{prefix}-build-"))
        {
            close(client, ctx.repository, p.number, &format!("{MARKER}\nSuperseded by #{number}.")).await?;
            closed.push(p.number);
        }
    }
    Ok(closed)
}

/// Brings the PR in line with the build; may turn the outcome `none` into `closed`.
pub async fn reconcile(
    client: &Client,
    ctx: &Context<'_>,
    r: &mut RepoResult,
    printer: &Printer,
) -> anyhow::Result<Option<PullRequestReport>> {
    if r.dry_run {
        return Ok(None);
    }
    let report =
        |p: &Pull, action: &str| PullRequestReport { number: p.number, url: p.html_url.clone(), action: action.into() };
    match r.outcome {
        Outcome::Blocked => {
            let Some(p) = find_open(client, ctx.repository, &r.branch).await? else { return Ok(None) };
            post_comment(client, ctx.repository, p.number, &blocked_comment(r)).await?;
            Ok(Some(report(&p, "blocked")))
        }
        Outcome::Created | Outcome::Updated => {
            // A branch this build created has no open PR: GitHub closes them with their branch.
            let existing =
                if r.outcome == Outcome::Created { None } else { find_open(client, ctx.repository, &r.branch).await? };
            let (pull, action) = match existing {
                Some(p) => {
                    client
                        .request(
                            Method::Patch,
                            &path(ctx.repository, &format!("pulls/{}", p.number)),
                            Some(&json!({ "body": body(r) })),
                        )
                        .await?;
                    post_comment(client, ctx.repository, p.number, &comment(r)).await?;
                    // Best effort: the build is committed; a label GitHub refuses (a token that
                    // may not create labels) is a warning, not a failed build.
                    if let Err(e) = sync_conflicts_label(client, ctx, &p, !r.conflicts.is_empty()).await {
                        printer.warn(&format!("cannot update the `{CONFLICTS_LABEL}` label of #{}: {e:#}", p.number));
                    }
                    (p, "updated")
                }
                None => (create(client, ctx, r, printer).await?, "created"),
            };
            for n in supersede(client, ctx, r, pull.number).await? {
                printer.info(&format!("closed #{n}: superseded by #{}", pull.number));
            }
            Ok(Some(report(&pull, action)))
        }
        Outcome::None | Outcome::Closed => {
            if r.commit.is_none() {
                return Ok(None); // no sync branch
            }
            let open = find_open(client, ctx.repository, &r.branch).await?;
            match (open, ctx.differs) {
                (Some(p), false) => {
                    let note = format!(
                        "{MARKER}\nBuild {}: `{}` no longer differs from `{}`; closing this pull request.",
                        build_link(r),
                        r.branch,
                        r.base
                    );
                    close(client, ctx.repository, p.number, &note).await?;
                    r.outcome = Outcome::Closed;
                    Ok(Some(report(&p, "closed")))
                }
                (Some(p), true) => Ok(Some(report(&p, "none"))),
                // A branch with the build but no PR (an earlier run stopped in between): open it.
                (None, true) => {
                    let p = create(client, ctx, r, printer).await?;
                    Ok(Some(report(&p, "created")))
                }
                (None, false) => Ok(None),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sync::branch::Start;
    use crate::sync::message::BuildInfo;

    fn result() -> RepoResult {
        let mut services = std::collections::BTreeMap::new();
        services.insert("shop".to_string(), Counts { added: 3, changed: 1, ..Default::default() });
        RepoResult {
            outcome: Outcome::Created,
            dry_run: false,
            base: "main".into(),
            branch: "amplication".into(),
            start: Start::Create { base_tip: gix::ObjectId::null(gix::hash::Kind::Sha1) },
            commit: Some("0123456789abcdef".into()),
            build: BuildInfo {
                id: "42-1".into(),
                url: Some("https://github.com/acme/shop/actions/runs/42/attempts/1".into()),
            },
            title: "Add Order.total".into(),
            message: String::new(),
            services,
            totals: Counts::default(),
            conflicts: vec!["apps/shop/src/app.ts".into()],
            paths: Vec::new(),
            blocked_paths: Vec::new(),
            unchanged_inputs: Vec::new(),
        }
    }

    #[test]
    fn body_has_marker_clickable_link_code_block_and_conflicts() {
        let b = body(&result());
        assert!(b.starts_with(MARKER));
        assert!(b.contains("[`42-1`](https://github.com/acme/shop/actions/runs/42/attempts/1)"));
        assert!(b.contains("```\nhttps://github.com/acme/shop/actions/runs/42/attempts/1\n```"));
        assert!(b.contains("| `shop` | 3 | 1 | 0 | 0 | 0 | 0 |"));
        assert!(b.contains("- `apps/shop/src/app.ts`"));
        let c = comment(&result());
        assert!(c.contains("pushed 0123456789: **Add Order.total**"));
        assert!(c.contains("- `shop`: 3 added, 1 changed, 0 removed"));
    }
}
