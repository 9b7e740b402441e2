//! A thin wrapper over the `git` CLI for one bare repository. Every object and ref operation
//! of the emulator goes through here; callers serialise writes with the repository's lock.
//! Arguments that come from requests are checked by callers (no leading `-`), and
//! `--end-of-options` is used where git supports it.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// The id of git's empty tree (always readable, even when not stored).
pub const EMPTY_TREE: &str = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";
/// The all-zero id: "must not exist" as an expected old value of `update-ref`.
pub const ZERO_OID: &str = "0000000000000000000000000000000000000000";

/// A name, an email and a date (unix seconds, offset minutes) of a commit's author or committer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ident {
    pub name: String,
    pub email: String,
    pub time: i64,
    pub tz_minutes: i32,
}

impl Ident {
    pub fn now(name: &str, email: &str) -> Self {
        Ident {
            name: name.to_string(),
            email: email.to_string(),
            time: jiff::Timestamp::now().as_second(),
            tz_minutes: 0,
        }
    }

    fn git_date(&self) -> String {
        let sign = if self.tz_minutes < 0 { '-' } else { '+' };
        let m = self.tz_minutes.abs();
        format!("@{} {}{:02}{:02}", self.time, sign, m / 60, m % 60)
    }

    /// Parses `Name <email> 1700000000 +0100`.
    fn parse(line: &str) -> Option<Ident> {
        let lt = line.find('<')?;
        let gt = line.rfind('>')?;
        let name = line[..lt].trim_end().to_string();
        let email = line[lt + 1..gt].to_string();
        let mut rest = line[gt + 1..].split_whitespace();
        let time = rest.next()?.parse().ok()?;
        let tz = rest.next().unwrap_or("+0000");
        let sign = if tz.starts_with('-') { -1 } else { 1 };
        let digits = tz.trim_start_matches(['+', '-']);
        let hh: i32 = digits.get(0..2).and_then(|s| s.parse().ok()).unwrap_or(0);
        let mm: i32 = digits.get(2..4).and_then(|s| s.parse().ok()).unwrap_or(0);
        Some(Ident { name, email, time, tz_minutes: sign * (hh * 60 + mm) })
    }
}

/// A parsed commit object.
#[derive(Debug, Clone)]
pub struct RawCommit {
    pub sha: String,
    pub tree: String,
    pub parents: Vec<String>,
    pub author: Ident,
    pub committer: Ident,
    pub message: String,
    pub signed: bool,
    /// The whole object, as stored (the signature payload for verification).
    pub raw: String,
}

impl RawCommit {
    pub fn parse(sha: &str, data: &[u8]) -> Result<RawCommit> {
        let text = String::from_utf8_lossy(data).into_owned();
        let (head, message) = match text.find("\n\n") {
            Some(i) => (&text[..i], text[i + 2..].to_string()),
            None => (text.as_str(), String::new()),
        };
        let mut tree = None;
        let mut parents = Vec::new();
        let mut author = None;
        let mut committer = None;
        let mut signed = false;
        for line in head.lines() {
            if line.starts_with(' ') {
                continue;
            }
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "tree" => tree = Some(value.to_string()),
                "parent" => parents.push(value.to_string()),
                "author" => author = Ident::parse(value),
                "committer" => committer = Ident::parse(value),
                "gpgsig" | "gpgsig-sha256" => signed = true,
                _ => {}
            }
        }
        Ok(RawCommit {
            sha: sha.to_string(),
            tree: tree.context("commit without a tree")?,
            parents,
            author: author.context("commit without an author")?,
            committer: committer.context("commit without a committer")?,
            message,
            signed,
            raw: text,
        })
    }
}

/// One entry of a tree listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeEntry {
    pub mode: String,
    pub kind: String,
    pub sha: String,
    pub path: String,
    pub size: Option<u64>,
}

/// A file changed between two trees.
#[derive(Debug, Clone)]
pub struct DiffFile {
    /// `A`, `D`, `M` or `T`.
    pub status: char,
    pub path: String,
    pub old_sha: String,
    pub new_sha: String,
    pub additions: u64,
    pub deletions: u64,
}

/// The result of `git merge-tree --write-tree`.
pub struct MergeResult {
    pub tree: String,
    pub clean: bool,
}

/// Why a ref update failed.
#[derive(Debug)]
pub enum RefUpdateError {
    /// The ref did not hold the expected old value (a lost race).
    Stale,
    Other(anyhow::Error),
}

/// One bare repository on disk.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
}

struct Out {
    ok: bool,
    code: Option<i32>,
    stdout: Vec<u8>,
    stderr: String,
}

const SCRUBBED_ENV: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
];

fn base_command() -> Command {
    let mut c = Command::new("git");
    for k in SCRUBBED_ENV {
        c.env_remove(k);
    }
    c.env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_TERMINAL_PROMPT", "0")
        .env("LC_ALL", "C");
    c
}

impl Git {
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Git { dir: dir.into() }
    }

    /// `git init --bare` with the given initial branch.
    pub fn init_bare(dir: &Path, default_branch: &str) -> Result<Git> {
        std::fs::create_dir_all(dir).with_context(|| format!("creating `{}`", dir.display()))?;
        let out = base_command()
            .arg("init")
            .arg("--bare")
            .arg("--quiet")
            .arg(format!("--initial-branch={default_branch}"))
            .arg(dir)
            .output()
            .context("running `git init` (is git on PATH?)")?;
        if !out.status.success() {
            bail!("git init failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let git = Git::new(dir);
        // Let tests `git push` to the bare repository however they like.
        git.run(&["config", "receive.denyNonFastForwards", "false"], None)?;
        Ok(git)
    }

    fn exec(&self, args: &[&str], stdin: Option<&[u8]>, env: &[(&str, String)]) -> Result<Out> {
        let mut c = base_command();
        c.arg("--git-dir").arg(&self.dir).args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        c.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = c.spawn().with_context(|| format!("spawning git {}", args.join(" ")))?;
        if let Some(input) = stdin {
            let mut pipe = child.stdin.take().expect("stdin was piped");
            let data = input.to_vec();
            // Write from a thread so a large output cannot deadlock against a large input.
            let writer = std::thread::spawn(move || pipe.write_all(&data));
            let out = child.wait_with_output().context("waiting for git")?;
            let _ = writer.join();
            return Ok(Out {
                ok: out.status.success(),
                code: out.status.code(),
                stdout: out.stdout,
                stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            });
        }
        let out = child.wait_with_output().context("waiting for git")?;
        Ok(Out {
            ok: out.status.success(),
            code: out.status.code(),
            stdout: out.stdout,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        })
    }

    /// Runs git and returns stdout; a non-zero exit is an error carrying stderr.
    pub fn run(&self, args: &[&str], stdin: Option<&[u8]>) -> Result<Vec<u8>> {
        let out = self.exec(args, stdin, &[])?;
        if !out.ok {
            bail!("git {} failed: {}", args.join(" "), out.stderr.trim());
        }
        Ok(out.stdout)
    }

    fn run_text(&self, args: &[&str]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.run(args, None)?).trim_end().to_string())
    }

    /// Whether the repository has no branch at all (GitHub's "Git Repository is empty.").
    pub fn is_empty(&self) -> Result<bool> {
        let out = self.run_text(&["for-each-ref", "--count=1", "--format=%(refname)", "refs/heads/"])?;
        Ok(out.is_empty())
    }

    /// Writes a blob, returns its id.
    pub fn write_blob(&self, data: &[u8]) -> Result<String> {
        self.run_text_stdin(&["hash-object", "-w", "--stdin", "--no-filters"], data)
    }

    /// Writes many blobs with one `git hash-object --stdin-paths`; returns their ids in order.
    pub fn write_blobs(&self, blobs: &[&[u8]]) -> Result<Vec<String>> {
        if blobs.len() <= 1 {
            return blobs.iter().map(|b| self.write_blob(b)).collect();
        }
        let dir = tempfile::tempdir().context("a temporary directory for blobs")?;
        let mut paths = String::new();
        for (i, b) in blobs.iter().enumerate() {
            let p = dir.path().join(i.to_string());
            std::fs::write(&p, b).context("writing a blob to a temporary file")?;
            paths.push_str(p.to_str().context("a UTF-8 temporary path")?);
            paths.push('\n');
        }
        let out = self.run_text_stdin(&["hash-object", "-w", "--no-filters", "--stdin-paths"], paths.as_bytes())?;
        let ids: Vec<String> = out.lines().map(|l| l.trim().to_string()).collect();
        anyhow::ensure!(ids.len() == blobs.len(), "git hash-object wrote {} of {} blobs", ids.len(), blobs.len());
        Ok(ids)
    }

    fn run_text_stdin(&self, args: &[&str], stdin: &[u8]) -> Result<String> {
        Ok(String::from_utf8_lossy(&self.run(args, Some(stdin))?).trim().to_string())
    }

    /// The type of an object (`blob`, `tree`, `commit`, `tag`), or `None` when missing.
    pub fn object_type(&self, sha: &str) -> Result<Option<String>> {
        if !is_hex_oid(sha) {
            return Ok(None);
        }
        let out = self.exec(&["cat-file", "-t", sha], None, &[])?;
        Ok(out.ok.then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// Reads a blob's bytes.
    pub fn read_blob(&self, sha: &str) -> Result<Vec<u8>> {
        self.run(&["cat-file", "blob", sha], None)
    }

    /// Resolves a revision (sha, branch, tag, `refs/...`) to an object of the given type
    /// (`commit`, `tree`), peeling tags and commits as git does.
    pub fn resolve(&self, rev: &str, kind: &str) -> Result<Option<String>> {
        if rev.is_empty() || rev.starts_with('-') || rev.contains("..") || rev.contains(':') {
            return Ok(None);
        }
        let spec = format!("{rev}^{{{kind}}}");
        let out = self.exec(&["rev-parse", "--verify", "--quiet", "--end-of-options", &spec], None, &[])?;
        Ok(out.ok.then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// Resolves a revision the way GitHub's `{ref}` parameters do: a full sha, a branch, a
    /// tag or a fully qualified ref, to a commit.
    pub fn resolve_commitish(&self, rev: &str) -> Result<Option<String>> {
        if rev.starts_with("refs/") {
            return self.resolve(rev, "commit");
        }
        for candidate in [format!("refs/heads/{rev}"), format!("refs/tags/{rev}"), rev.to_string()] {
            if let Some(sha) = self.resolve(&candidate, "commit")? {
                return Ok(Some(sha));
            }
        }
        Ok(None)
    }

    /// The value of a fully qualified ref (`refs/heads/main`), unpeeled.
    pub fn read_ref(&self, full: &str) -> Result<Option<String>> {
        if !full.starts_with("refs/") {
            return Ok(None);
        }
        let out = self.exec(&["show-ref", "--verify", "--hash", full], None, &[])?;
        Ok(out.ok.then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// Every ref: (name, sha, object type).
    pub fn list_refs(&self) -> Result<Vec<(String, String, String)>> {
        let out = self.run_text(&["for-each-ref", "--format=%(refname)%00%(objectname)%00%(objecttype)"])?;
        Ok(out
            .lines()
            .filter_map(|l| {
                let mut p = l.split('\0');
                Some((p.next()?.to_string(), p.next()?.to_string(), p.next()?.to_string()))
            })
            .collect())
    }

    /// Compare-and-swap update of a ref: `old = None` means the ref must not exist yet.
    pub fn update_ref(&self, full: &str, new: &str, old: Option<&str>) -> Result<(), RefUpdateError> {
        let old = old.unwrap_or(ZERO_OID);
        let out = self
            .exec(&["update-ref", "-m", "github-emulator", full, new, old], None, &[])
            .map_err(RefUpdateError::Other)?;
        if out.ok {
            Ok(())
        } else if out.stderr.contains("but expected")
            || out.stderr.contains("reference already exists")
            || out.stderr.contains("unable to resolve reference")
            || out.stderr.contains("cannot lock ref")
        {
            Err(RefUpdateError::Stale)
        } else {
            Err(RefUpdateError::Other(anyhow::anyhow!("git update-ref {full} failed: {}", out.stderr.trim())))
        }
    }

    /// Compare-and-swap deletion of a ref.
    pub fn delete_ref(&self, full: &str, old: &str) -> Result<(), RefUpdateError> {
        let out = self.exec(&["update-ref", "-d", full, old], None, &[]).map_err(RefUpdateError::Other)?;
        if out.ok { Ok(()) } else { Err(RefUpdateError::Stale) }
    }

    /// The entries of one tree level.
    pub fn ls_tree(&self, tree: &str) -> Result<Vec<TreeEntry>> {
        self.ls_tree_args(&["ls-tree", "-z", "--full-tree", tree])
    }

    /// One tree level with blob sizes.
    pub fn ls_tree_level(&self, tree: &str) -> Result<Vec<TreeEntry>> {
        self.ls_tree_args(&["ls-tree", "-l", "-z", "--full-tree", tree])
    }

    /// Every entry of a tree, recursively, trees included (before their contents), with blob sizes.
    pub fn ls_tree_recursive(&self, tree: &str) -> Result<Vec<TreeEntry>> {
        self.ls_tree_args(&["ls-tree", "-r", "-t", "-l", "-z", "--full-tree", tree])
    }

    /// The entry at `path` in a tree-ish, if any.
    pub fn entry_at(&self, treeish: &str, path: &str) -> Result<Option<TreeEntry>> {
        let entries = self.ls_tree_args(&["ls-tree", "-l", "-z", "--full-tree", treeish, "--", path])?;
        Ok(entries.into_iter().find(|e| e.path == path))
    }

    fn ls_tree_args(&self, args: &[&str]) -> Result<Vec<TreeEntry>> {
        let out = self.run(args, None)?;
        let mut entries = Vec::new();
        for rec in out.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            let rec = String::from_utf8_lossy(rec);
            let (meta, path) = rec.split_once('\t').context("malformed ls-tree output")?;
            let mut f = meta.split_whitespace();
            let mode = f.next().context("ls-tree mode")?.to_string();
            let kind = f.next().context("ls-tree type")?.to_string();
            let sha = f.next().context("ls-tree sha")?.to_string();
            let size = f.next().and_then(|s| s.parse().ok());
            entries.push(TreeEntry { mode, kind, sha, path: path.to_string(), size });
        }
        Ok(entries)
    }

    /// Writes one tree level from (mode, type, sha, name) entries.
    pub fn mktree(&self, entries: &[(String, String, String, String)]) -> Result<String> {
        let mut input = Vec::new();
        for (mode, kind, sha, name) in entries {
            input.extend_from_slice(format!("{mode} {kind} {sha}\t{name}").as_bytes());
            input.push(0);
        }
        self.run_text_stdin(&["mktree", "-z", "--missing"], &input)
    }

    /// Writes a commit object.
    pub fn commit_tree(
        &self,
        tree: &str,
        parents: &[String],
        message: &str,
        author: &Ident,
        committer: &Ident,
    ) -> Result<String> {
        let mut args: Vec<&str> = vec!["commit-tree", tree];
        for p in parents {
            args.push("-p");
            args.push(p);
        }
        let env = [
            ("GIT_AUTHOR_NAME", author.name.clone()),
            ("GIT_AUTHOR_EMAIL", author.email.clone()),
            ("GIT_AUTHOR_DATE", author.git_date()),
            ("GIT_COMMITTER_NAME", committer.name.clone()),
            ("GIT_COMMITTER_EMAIL", committer.email.clone()),
            ("GIT_COMMITTER_DATE", committer.git_date()),
        ];
        let out = self.exec(&args, Some(message.as_bytes()), &env)?;
        if !out.ok {
            bail!("git commit-tree failed: {}", out.stderr.trim());
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// Reads and parses a commit.
    pub fn read_commit(&self, sha: &str) -> Result<RawCommit> {
        let data = self.run(&["cat-file", "commit", sha], None)?;
        RawCommit::parse(sha, &data)
    }

    /// Reads several commits at once.
    pub fn read_commits(&self, shas: &[String]) -> Result<Vec<RawCommit>> {
        if shas.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = shas.join("\n");
        input.push('\n');
        let out = self.run(&["cat-file", "--batch"], Some(input.as_bytes()))?;
        let mut commits = Vec::new();
        let mut rest: &[u8] = &out;
        while !rest.is_empty() {
            let nl = rest.iter().position(|b| *b == b'\n').context("cat-file --batch header")?;
            let header = String::from_utf8_lossy(&rest[..nl]).to_string();
            rest = &rest[nl + 1..];
            let mut h = header.split_whitespace();
            let sha = h.next().unwrap_or_default().to_string();
            let kind = h.next().unwrap_or_default();
            if kind == "missing" || kind == "ambiguous" {
                bail!("object {sha} is missing");
            }
            let size: usize = h.next().context("cat-file size")?.parse()?;
            let data = rest.get(..size).context("short cat-file output")?;
            if kind == "commit" {
                commits.push(RawCommit::parse(&sha, data)?);
            }
            rest = rest.get(size + 1..).unwrap_or_default();
        }
        Ok(commits)
    }

    /// Whether `ancestor` is an ancestor of (or equal to) `descendant`.
    pub fn is_ancestor(&self, ancestor: &str, descendant: &str) -> Result<bool> {
        let out = self.exec(&["merge-base", "--is-ancestor", ancestor, descendant], None, &[])?;
        match out.code {
            Some(0) => Ok(true),
            Some(1) => Ok(false),
            _ => bail!("git merge-base --is-ancestor failed: {}", out.stderr.trim()),
        }
    }

    /// The best common ancestor of two commits.
    pub fn merge_base(&self, a: &str, b: &str) -> Result<Option<String>> {
        let out = self.exec(&["merge-base", a, b], None, &[])?;
        Ok(out.ok.then(|| String::from_utf8_lossy(&out.stdout).trim().to_string()))
    }

    /// `git rev-list` with the given arguments.
    pub fn rev_list(&self, args: &[&str]) -> Result<Vec<String>> {
        let mut all = vec!["rev-list"];
        all.extend_from_slice(args);
        Ok(self.run_text(&all)?.lines().map(str::to_string).collect())
    }

    /// `git rev-list --count`.
    pub fn count(&self, args: &[&str]) -> Result<u64> {
        let mut all = vec!["rev-list", "--count"];
        all.extend_from_slice(args);
        Ok(self.run_text(&all)?.trim().parse()?)
    }

    /// Three-way merge of two commits (or of `theirs` onto `ours` with an explicit base).
    pub fn merge_tree(&self, base: Option<&str>, ours: &str, theirs: &str) -> Result<MergeResult> {
        let base_arg;
        let mut args = vec!["merge-tree", "--write-tree", "--no-messages", "--allow-unrelated-histories"];
        if let Some(b) = base {
            base_arg = format!("--merge-base={b}");
            args.push(&base_arg);
        }
        args.push(ours);
        args.push(theirs);
        let out = self.exec(&args, None, &[])?;
        let tree = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().trim().to_string();
        match out.code {
            Some(0) => Ok(MergeResult { tree, clean: true }),
            Some(1) => Ok(MergeResult { tree, clean: false }),
            _ => bail!("git merge-tree failed: {}", out.stderr.trim()),
        }
    }

    /// Paths a commit changes (for a merge: the paths that differ from every parent).
    pub fn changed_paths(&self, commit: &str) -> Result<Vec<String>> {
        let out =
            self.run(&["diff-tree", "-r", "--root", "-c", "--name-only", "--no-commit-id", "-z", commit], None)?;
        Ok(out
            .split(|b| *b == 0)
            .filter(|r| !r.is_empty())
            .map(|r| String::from_utf8_lossy(r).into_owned())
            .filter(|p| p != commit)
            .collect())
    }

    /// Paths that differ between two tree-ishes.
    pub fn diff_names(&self, from: &str, to: &str) -> Result<Vec<String>> {
        let out = self.run(&["diff-tree", "-r", "-z", "--name-only", "--no-renames", from, to], None)?;
        Ok(out.split(|b| *b == 0).filter(|r| !r.is_empty()).map(|r| String::from_utf8_lossy(r).into_owned()).collect())
    }

    /// Files that differ between two trees (no rename detection), with line counts.
    pub fn diff_trees(&self, from: &str, to: &str) -> Result<Vec<DiffFile>> {
        let raw = self.run(&["diff-tree", "-r", "-z", "--no-renames", from, to], None)?;
        let mut files = Vec::new();
        let mut parts = raw.split(|b| *b == 0).filter(|r| !r.is_empty());
        while let Some(meta) = parts.next() {
            let meta = String::from_utf8_lossy(meta);
            let path = parts.next().map(|p| String::from_utf8_lossy(p).into_owned()).unwrap_or_default();
            let f: Vec<&str> = meta.trim_start_matches(':').split_whitespace().collect();
            if f.len() < 5 {
                continue;
            }
            files.push(DiffFile {
                status: f[4].chars().next().unwrap_or('M'),
                path,
                old_sha: f[2].to_string(),
                new_sha: f[3].to_string(),
                additions: 0,
                deletions: 0,
            });
        }
        let num = self.run(&["diff-tree", "-r", "-z", "--no-renames", "--numstat", from, to], None)?;
        for rec in num.split(|b| *b == 0).filter(|r| !r.is_empty()) {
            let rec = String::from_utf8_lossy(rec);
            let mut f = rec.splitn(3, '\t');
            let (Some(a), Some(d), Some(p)) = (f.next(), f.next(), f.next()) else { continue };
            if let Some(file) = files.iter_mut().find(|x| x.path == p) {
                file.additions = a.parse().unwrap_or(0);
                file.deletions = d.parse().unwrap_or(0);
            }
        }
        Ok(files)
    }
}

/// A full 40-hex object id.
pub fn is_hex_oid(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::{Ident, RawCommit};

    #[test]
    fn parses_idents_and_commits() {
        let i = Ident::parse("Jane Q. Dev <jane@example.com> 1700000000 -0130").unwrap();
        assert_eq!(
            (i.name.as_str(), i.email.as_str(), i.time, i.tz_minutes),
            ("Jane Q. Dev", "jane@example.com", 1700000000, -90)
        );
        assert_eq!(i.git_date(), "@1700000000 -0130");
        let raw = b"tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\nparent aaaa\nparent bbbb\nauthor A <a@x> 1 +0000\ncommitter C <c@x> 2 +0000\ngpgsig -----BEGIN PGP SIGNATURE-----\n \n -----END PGP SIGNATURE-----\n\nTitle\n\nBody\n";
        let c = RawCommit::parse("cccc", raw).unwrap();
        assert_eq!(c.parents, ["aaaa", "bbbb"]);
        assert_eq!(c.message, "Title\n\nBody\n");
        assert!(c.signed);
        assert_eq!(c.committer.name, "C");
    }
}
