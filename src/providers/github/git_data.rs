//! The engine's [`RepoView`] over GitHub's REST API (Git Data, compare, commits, merges).
//!
//! Reads: the refs and the branch's own commits in one compare call; the whole tree in one
//! recursive call (a truncated answer falls back to walking only the directories the build
//! touches); blobs only when the engine asks (lock, ignore file, three-way merges).
//! Writes: binary or large files as blobs, everything else inline in one tree request on
//! `base_tree` (deletions as `"sha": null`), one commit without author (so GitHub signs it),
//! and a ref create or update that never overwrites a commit it did not expect.
//!
//! The engine is synchronous; each call blocks on the provider's tokio runtime.

use std::collections::HashMap;

use anyhow::Context;
use base64::Engine;
use gix::ObjectId;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::runtime::Runtime;

use super::client::{Client, Error as ApiError, Method, enc};
use crate::providers::{
    BranchState, CommitSummary, EntryKind, Error, FileChange, MergeOutcome, RepoView, Tree, TreeEntry,
};

/// Files whose JSON-escaped text is larger than this (half a tree chunk), or that are not
/// UTF-8 text, go up as blobs rather than inline.
const INLINE_MAX: usize = 1_000_000;
/// The largest create-tree body sent at once (GitHub fails above a few MB).
const TREE_CHUNK_MAX: usize = 2_000_000;
/// Blob reads in flight at once.
const PARALLEL_READS: usize = 8;

pub struct GithubRepo<'a> {
    rt: &'a Runtime,
    client: &'a Client,
    pub owner: String,
    pub name: String,
    default_branch: String,
    /// Directories a truncated tree is walked in (service directories, `.amplication`).
    walk_dirs: Vec<String>,
    tree_of_commit: HashMap<ObjectId, ObjectId>,
    blobs: HashMap<ObjectId, Vec<u8>>,
    /// Where the trees read so far hold each blob: a blob the local checkout holds at one of
    /// those paths (same id, so the same bytes) is read from the disk, not the API.
    paths_of: HashMap<ObjectId, Vec<String>>,
    /// The local checkout, if any (the repository root ampsync runs in).
    local_root: Option<std::path::PathBuf>,
    /// A branch the merges endpoint already moved: (branch, old tip, merge commit).
    merged: Option<(String, ObjectId, ObjectId)>,
    /// The last branch state read (for the PR workflow: does the branch still differ?).
    pub last_state: Option<BranchState>,
}

#[derive(Deserialize)]
struct RefObj {
    object: Sha,
}

#[derive(Deserialize)]
struct Sha {
    sha: String,
}

#[derive(Deserialize)]
struct ApiCommit {
    sha: String,
    commit: ApiCommitInner,
}

#[derive(Deserialize)]
struct ApiCommitInner {
    message: String,
    committer: Option<Person>,
}

#[derive(Deserialize)]
struct Person {
    date: Option<String>,
}

#[derive(Deserialize)]
struct Compare {
    base_commit: Sha,
    merge_base_commit: Sha,
    ahead_by: usize,
    behind_by: usize,
    commits: Vec<ApiCommit>,
}

#[derive(Deserialize)]
struct ApiTree {
    sha: String,
    #[serde(default)]
    truncated: bool,
    tree: Vec<ApiTreeEntry>,
}

#[derive(Deserialize)]
struct ApiTreeEntry {
    path: String,
    mode: String,
    #[serde(rename = "type")]
    kind: String,
    sha: String,
}

#[derive(Deserialize)]
struct Blob {
    content: String,
    encoding: String,
}

/// One entry of `POST /git/trees` (octocrab's tree entry cannot send `"sha": null`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewEntry {
    /// Text sent inline as `content`: GitHub makes the blob.
    Inline { path: String, executable: bool, text: String },
    /// A blob uploaded first (binary or large files).
    Blob { path: String, executable: bool, sha: String },
    /// `"sha": null`: the path leaves the `base_tree`.
    Delete { path: String },
}

impl Serialize for NewEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(4))?;
        let (path, exec) = match self {
            NewEntry::Inline { path, executable, .. } | NewEntry::Blob { path, executable, .. } => (path, *executable),
            NewEntry::Delete { path } => (path, false),
        };
        m.serialize_entry("path", path)?;
        m.serialize_entry("mode", mode(exec))?;
        m.serialize_entry("type", "blob")?;
        match self {
            NewEntry::Inline { text, .. } => m.serialize_entry("content", text)?,
            NewEntry::Blob { sha, .. } => m.serialize_entry("sha", sha)?,
            NewEntry::Delete { .. } => m.serialize_entry("sha", &None::<String>)?,
        }
        m.end()
    }
}

impl NewEntry {
    pub fn inline(path: &str, executable: bool, text: String) -> Self {
        NewEntry::Inline { path: path.into(), executable, text }
    }
    pub fn blob(path: &str, executable: bool, sha: String) -> Self {
        NewEntry::Blob { path: path.into(), executable, sha }
    }
    pub fn delete(path: &str) -> Self {
        NewEntry::Delete { path: path.into() }
    }
}

/// Splits tree entries into runs whose JSON stays under `max` bytes (an entry larger than
/// `max` goes alone).
fn chunks(entries: &[NewEntry], max: usize) -> Vec<&[NewEntry]> {
    let mut out = Vec::new();
    let (mut start, mut size) = (0, 0);
    for (i, e) in entries.iter().enumerate() {
        let n = serde_json::to_vec(e).map_or(0, |v| v.len()) + 1;
        if i > start && size + n > max {
            out.push(&entries[start..i]);
            (start, size) = (i, 0);
        }
        size += n;
    }
    if start < entries.len() || out.is_empty() {
        out.push(&entries[start..]);
    }
    out
}

fn mode(executable: bool) -> &'static str {
    if executable { "100755" } else { "100644" }
}

fn oid(s: &str) -> anyhow::Result<ObjectId> {
    ObjectId::from_hex(s.as_bytes()).with_context(|| format!("GitHub sent `{s}` where an object id belongs"))
}

fn summary(c: &ApiCommit) -> anyhow::Result<CommitSummary> {
    let time = c
        .commit
        .committer
        .as_ref()
        .and_then(|p| p.date.as_deref())
        .and_then(|d| d.parse::<jiff::Timestamp>().ok())
        .map_or(0, |t| t.as_second());
    Ok(CommitSummary { id: oid(&c.sha)?, message: c.commit.message.clone(), time })
}

impl<'a> GithubRepo<'a> {
    pub fn new(
        rt: &'a Runtime,
        client: &'a Client,
        full_name: &str,
        default_branch: &str,
        walk_dirs: Vec<String>,
    ) -> Self {
        let (owner, name) = full_name.split_once('/').unwrap_or((full_name, ""));
        GithubRepo {
            rt,
            client,
            owner: owner.to_string(),
            name: name.to_string(),
            default_branch: default_branch.to_string(),
            walk_dirs,
            tree_of_commit: HashMap::new(),
            blobs: HashMap::new(),
            paths_of: HashMap::new(),
            local_root: None,
            merged: None,
            last_state: None,
        }
    }

    /// Lets blob reads use files of the local checkout at `root` whose content has the
    /// wanted id (content-addressed, so it is safe whatever the checkout is).
    pub fn with_local_checkout(mut self, root: &std::path::Path) -> Self {
        self.local_root = Some(root.to_path_buf());
        self
    }

    /// The wanted blob from the local checkout, if a file there has exactly that id.
    fn local_blob(&self, id: &ObjectId) -> Option<Vec<u8>> {
        let root = self.local_root.as_ref()?;
        self.paths_of.get(id)?.iter().take(4).find_map(|path| {
            let file = root.join(path);
            let meta = std::fs::symlink_metadata(&file).ok()?;
            if !meta.is_file() || meta.len() > 100 * 1024 * 1024 {
                return None;
            }
            let bytes = std::fs::read(&file).ok()?;
            (crate::sync::hash::blob_id(&bytes) == *id).then_some(bytes)
        })
    }

    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    fn path(&self, rest: &str) -> String {
        format!("/repos/{}/{}/{rest}", self.owner, self.name)
    }

    /// The merge commit the merges endpoint moved the branch to, if any.
    pub fn merged_into(&self) -> Option<ObjectId> {
        self.merged.as_ref().map(|m| m.2)
    }

    fn block<T>(&self, f: impl std::future::Future<Output = T>) -> T {
        self.rt.block_on(f)
    }

    /// The tip of a branch; `None` when it does not exist. 409 (empty repository) is an error.
    pub fn tip(&self, branch: &str) -> anyhow::Result<Option<ObjectId>> {
        let path = self.path(&format!("git/ref/heads/{}", enc(branch)));
        match self.block(self.client.request(Method::Get, &path, None::<&()>)) {
            Ok(r) => Ok(Some(oid(&r.json::<RefObj>()?.object.sha)?)),
            Err(e) if e.status() == Some(404) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Lists a tree (recursively or one level); the answer says whether GitHub truncated it.
    fn list(&self, sha: &str, recursive: bool) -> anyhow::Result<ApiTree> {
        let q = if recursive { "?recursive=1" } else { "" };
        self.block(self.client.get::<ApiTree>(&self.path(&format!("git/trees/{sha}{q}"))))
            .with_context(|| format!("cannot read the tree of {sha} in `{}`", self.full_name()))
    }

    fn add_entries(out: &mut Tree, prefix: &str, entries: &[ApiTreeEntry]) -> anyhow::Result<()> {
        for e in entries {
            let kind = match (e.kind.as_str(), e.mode.as_str()) {
                ("blob", "100755") => EntryKind::Executable,
                ("blob", "120000") => EntryKind::Link,
                ("blob", _) => EntryKind::Blob,
                ("commit", _) => EntryKind::Commit,
                _ => continue,
            };
            out.insert(format!("{prefix}{}", e.path), TreeEntry { id: oid(&e.sha)?, kind });
        }
        Ok(())
    }

    /// Walks one directory completely: recursive listing, or level by level when truncated.
    fn walk(&self, sha: &str, prefix: &str, out: &mut Tree) -> anyhow::Result<()> {
        let t = self.list(sha, true)?;
        if !t.truncated {
            return Self::add_entries(out, prefix, &t.tree);
        }
        let level = self.list(sha, false)?;
        Self::add_entries(out, prefix, &level.tree)?;
        for e in level.tree.iter().filter(|e| e.kind == "tree") {
            self.walk(&e.sha, &format!("{prefix}{}/", e.path), out)?;
        }
        Ok(())
    }

    /// A truncated root: the root's files, then only the directories the build touches.
    fn walk_service_dirs(&self, root: &str, out: &mut Tree) -> anyhow::Result<()> {
        if self.walk_dirs.iter().any(|d| d.trim_matches('/').is_empty() || d == ".") {
            // A service at the repository root: every directory is the build's.
            return self.walk(root, "", out);
        }
        let top = self.list(root, false)?;
        Self::add_entries(out, "", &top.tree)?;
        let mut dirs: Vec<&str> =
            self.walk_dirs.iter().map(|d| d.trim_matches('/')).filter(|d| !d.is_empty()).collect();
        dirs.sort();
        dirs.dedup();
        // A directory inside another one listed is walked with it.
        let dirs: Vec<&str> =
            dirs.iter().copied().filter(|d| !dirs.iter().any(|o| o != d && d.starts_with(&format!("{o}/")))).collect();
        for dir in dirs {
            let mut sha = root.to_string();
            let mut level =
                top.tree.iter().map(|e| (e.path.clone(), e.kind.clone(), e.sha.clone())).collect::<Vec<_>>();
            let parts: Vec<&str> = dir.split('/').collect();
            let mut found = true;
            for (i, part) in parts.iter().enumerate() {
                let Some((_, _, s)) = level.iter().find(|(p, k, _)| p == part && k == "tree") else {
                    found = false;
                    break;
                };
                sha = s.clone();
                if i + 1 < parts.len() {
                    level = self.list(&sha, false)?.tree.into_iter().map(|e| (e.path, e.kind, e.sha)).collect();
                }
            }
            if found {
                self.walk(&sha, &format!("{dir}/"), out)?;
            }
        }
        Ok(())
    }

    /// Paths the base side changed since the merge base that the branch changed too.
    fn both_changed(&self, branch: &str, base_tip: ObjectId) -> Vec<String> {
        #[derive(Deserialize)]
        struct Files {
            #[serde(default)]
            files: Vec<File>,
        }
        #[derive(Deserialize)]
        struct File {
            filename: String,
        }
        let files = |basehead: String| -> Vec<String> {
            self.block(self.client.get::<Files>(&self.path(&format!("compare/{basehead}"))))
                .map(|f| f.files.into_iter().map(|f| f.filename).collect())
                .unwrap_or_default()
        };
        let ours = files(format!("{base_tip}...{}", enc(branch)));
        let theirs = files(format!("{}...{base_tip}", enc(branch)));
        let mut both: Vec<String> = ours.into_iter().filter(|p| theirs.contains(p)).collect();
        both.sort();
        both
    }

    /// A missing base branch, or (when the base was not looked up first) a missing repository.
    fn no_base(&self, base: &str) -> anyhow::Error {
        let route = format!("/repos/{}/{}", self.owner, self.name);
        match self.block(self.client.request(Method::Get, &route, None::<&()>)) {
            Err(e) if e.status() == Some(404) => {
                let reach = self.block(super::repos::reach(self.client, &self.owner));
                ApiError::RepositoryNotFound { repository: self.full_name(), reach }.into()
            }
            _ => Error::NoBase(base.to_string()).into(),
        }
    }

    /// Creates the first commit of an empty repository (GitHub refuses trees and commits
    /// there) through the contents API, on `branch`.
    pub fn bootstrap(&self, branch: &str) -> anyhow::Result<ObjectId> {
        let body = json!({
            "message": "Initialize repository\n\nCreated by ampsync: GitHub accepts no tree or commit in an empty repository.",
            "content": base64::engine::general_purpose::STANDARD.encode(format!("# {}\n", self.name)),
            "branch": branch,
        });
        let v: Value = self
            .block(self.client.send(Method::Put, &self.path("contents/README.md"), &body))
            .with_context(|| format!("cannot bootstrap the empty repository `{}`", self.full_name()))?;
        oid(v["commit"]["sha"].as_str().unwrap_or_default())
    }
}

impl RepoView for GithubRepo<'_> {
    fn default_branch(&mut self) -> anyhow::Result<String> {
        Ok(self.default_branch.clone())
    }

    fn branch_state(&mut self, base: &str, branch: &str) -> anyhow::Result<BranchState> {
        let path = self.path(&format!("compare/{}...{}?per_page=100", enc(base), enc(branch)));
        let state = match self.block(self.client.request(Method::Get, &path, None::<&()>)) {
            Ok(resp) => {
                let mut c: Compare = resp.json()?;
                // More commits than one page: read the next pages (up to 1,000 commits).
                let mut page = 1;
                while c.commits.len() < c.ahead_by && page < 10 {
                    page += 1;
                    let more: Compare = self.block(self.client.get(&format!("{path}&page={page}")))?;
                    if more.commits.is_empty() {
                        break;
                    }
                    c.commits.extend(more.commits);
                }
                let base_tip = oid(&c.base_commit.sha)?;
                let complete = c.commits.len() >= c.ahead_by;
                let tip = if c.ahead_by == 0 {
                    Some(oid(&c.merge_base_commit.sha)?)
                } else if complete {
                    c.commits.last().map(|l| oid(&l.sha)).transpose()?
                } else {
                    self.tip(branch)?
                };
                let mut own_commits = c.commits.iter().rev().map(summary).collect::<anyhow::Result<Vec<_>>>()?;
                if !complete {
                    // Commits not listed may be a person's: never treat the branch as the bot's alone.
                    own_commits.push(CommitSummary {
                        id: tip.unwrap_or(base_tip),
                        message: format!("({} more commits than GitHub listed)", c.ahead_by - c.commits.len()),
                        time: 0,
                    });
                }
                BranchState { base_tip, branch_tip: tip, contains_base: c.behind_by == 0, own_commits }
            }
            Err(e) if e.status() == Some(404) => {
                // The branch or the base does not exist ("Not Found"), or they share no history
                // ("No common ancestor between ...": the branch exists).
                let unrelated = e.message().contains("No common ancestor");
                let base_tip = match self.tip(base) {
                    Ok(Some(t)) => t,
                    Ok(None) => return Err(self.no_base(base)),
                    Err(e) if e.downcast_ref::<ApiError>().and_then(ApiError::status) == Some(409) => {
                        self.bootstrap(base)?
                    }
                    Err(e) => return Err(e),
                };
                let tip = if unrelated { self.tip(branch)? } else { None };
                match tip {
                    None => BranchState { base_tip, branch_tip: None, contains_base: false, own_commits: Vec::new() },
                    Some(tip) => {
                        // Unrelated histories: treat the tip as a person's commit (never thrown away).
                        let c: ApiCommit = self.block(self.client.get(&self.path(&format!("commits/{tip}"))))?;
                        BranchState {
                            base_tip,
                            branch_tip: Some(tip),
                            contains_base: false,
                            own_commits: vec![summary(&c)?],
                        }
                    }
                }
            }
            Err(e) => return Err(e).with_context(|| format!("cannot compare `{branch}` with `{base}`")),
        };
        self.last_state = Some(state.clone());
        Ok(state)
    }

    fn tree(&mut self, commit: ObjectId) -> anyhow::Result<Tree> {
        let t = self.list(&commit.to_string(), true)?;
        self.tree_of_commit.insert(commit, oid(&t.sha)?);
        let mut out = Tree::new();
        if t.truncated {
            tracing::debug!("the tree of {commit} is truncated; walking the service directories");
            self.walk_service_dirs(&t.sha, &mut out)?;
        } else {
            Self::add_entries(&mut out, "", &t.tree)?;
        }
        if self.local_root.is_some() {
            for (path, entry) in &out {
                if matches!(entry.kind, EntryKind::Blob | EntryKind::Executable) {
                    self.paths_of.entry(entry.id).or_default().push(path.clone());
                }
            }
        }
        Ok(out)
    }

    fn read_blobs(&mut self, ids: &[ObjectId]) -> anyhow::Result<HashMap<ObjectId, Vec<u8>>> {
        let wanted: Vec<ObjectId> = {
            let mut w: Vec<ObjectId> = ids.iter().filter(|id| !self.blobs.contains_key(*id)).copied().collect();
            w.sort();
            w.dedup();
            w.retain(|id| match self.local_blob(id) {
                Some(bytes) => {
                    self.blobs.insert(*id, bytes);
                    false
                }
                None => true,
            });
            w
        };
        for chunk in wanted.chunks(PARALLEL_READS) {
            let mut set = tokio::task::JoinSet::new();
            for id in chunk {
                let client = self.client.clone();
                let path = self.path(&format!("git/blobs/{id}"));
                let id = *id;
                set.spawn(async move { (id, client.request(Method::Get, &path, None::<&()>).await) });
            }
            let results = self.rt.block_on(async {
                let mut v = Vec::new();
                while let Some(r) = set.join_next().await {
                    v.push(r);
                }
                v
            });
            for r in results {
                let (id, resp) = r.context("a blob read was cancelled")?;
                match resp {
                    Ok(resp) => {
                        let b: Blob = resp.json()?;
                        let bytes = if b.encoding == "base64" {
                            let clean: String = b.content.chars().filter(|c| !c.is_whitespace()).collect();
                            base64::engine::general_purpose::STANDARD
                                .decode(clean)
                                .with_context(|| format!("GitHub sent blob {id} in invalid base64"))?
                        } else {
                            b.content.into_bytes()
                        };
                        self.blobs.insert(id, bytes);
                    }
                    Err(e) if e.status() == Some(404) => {}
                    Err(e) => return Err(e).with_context(|| format!("cannot read blob {id}")),
                }
            }
        }
        Ok(ids.iter().filter_map(|id| self.blobs.get(id).map(|b| (*id, b.clone()))).collect())
    }

    fn last_commit_touching(&mut self, tip: ObjectId, path: &str) -> anyhow::Result<Option<CommitSummary>> {
        let route = self.path(&format!("commits?sha={tip}&path={}&per_page=1", enc(path)));
        let list: Vec<ApiCommit> = self.block(self.client.get(&route))?;
        list.first().map(summary).transpose()
    }

    fn history(&mut self, tip: ObjectId, limit: usize) -> anyhow::Result<Vec<CommitSummary>> {
        let mut out = Vec::new();
        let mut page = 1;
        while out.len() < limit {
            let per_page = (limit - out.len()).min(100);
            let route = self.path(&format!("commits?sha={tip}&per_page={per_page}&page={page}"));
            let list: Vec<ApiCommit> = self.block(self.client.get(&route))?;
            let n = list.len();
            for c in &list {
                out.push(summary(c)?);
            }
            if n < per_page {
                break;
            }
            page += 1;
        }
        out.truncate(limit);
        Ok(out)
    }

    fn merge_base_into(
        &mut self,
        branch: &str,
        branch_tip: ObjectId,
        base_tip: ObjectId,
        message: &str,
        dry_run: bool,
    ) -> anyhow::Result<MergeOutcome> {
        if dry_run {
            // GitHub's merges endpoint moves the branch: a dry run plans on the branch as it is.
            return Ok(MergeOutcome::Merged(branch_tip));
        }
        let body = json!({ "base": branch, "head": base_tip.to_string(), "commit_message": message });
        match self.block(self.client.request(Method::Post, &self.path("merges"), Some(&body))) {
            Ok(resp) if resp.status == 204 => Ok(MergeOutcome::Merged(branch_tip)),
            Ok(resp) => {
                let merge = oid(&resp.json::<Sha>()?.sha)?;
                self.merged = Some((branch.to_string(), branch_tip, merge));
                Ok(MergeOutcome::Merged(merge))
            }
            Err(e) if e.status() == Some(409) => Ok(MergeOutcome::Conflict(self.both_changed(branch, base_tip))),
            Err(e) => Err(e).with_context(|| format!("cannot merge the base into `{branch}`")),
        }
    }

    fn commit(&mut self, parent: ObjectId, changes: &[FileChange], message: &str) -> anyhow::Result<ObjectId> {
        let base_tree = match self.tree_of_commit.get(&parent) {
            Some(t) => *t,
            None => {
                let v: Value = self.block(self.client.get(&self.path(&format!("git/commits/{parent}"))))?;
                oid(v["tree"]["sha"].as_str().unwrap_or_default())?
            }
        };
        let mut entries = Vec::with_capacity(changes.len());
        for change in changes {
            match change {
                FileChange::Write { path, bytes, executable } => {
                    // JSON escapes a byte into at most 6: only texts that could outgrow the
                    // limit are escaped to measure them.
                    let text = std::str::from_utf8(bytes).ok().filter(|t| {
                        t.len() <= INLINE_MAX
                            && !t.contains('\0')
                            && (t.len() <= INLINE_MAX / 6
                                || serde_json::to_string(t).is_ok_and(|escaped| escaped.len() <= INLINE_MAX))
                    });
                    match text {
                        Some(t) => entries.push(NewEntry::inline(path, *executable, t.to_string())),
                        None => {
                            let body = json!({
                                "content": base64::engine::general_purpose::STANDARD.encode(bytes),
                                "encoding": "base64",
                            });
                            let sha: Sha = self
                                .block(self.client.send(Method::Post, &self.path("git/blobs"), &body))
                                .with_context(|| format!("cannot upload `{path}`"))?;
                            entries.push(NewEntry::blob(path, *executable, sha.sha));
                        }
                    }
                }
                FileChange::Delete { path } => entries.push(NewEntry::delete(path)),
            }
        }
        // GitHub refuses (502, or 422 "payload too large") create-tree bodies of a few MB:
        // large builds go up in chunks, each on the tree the previous one made.
        let mut tree = Sha { sha: base_tree.to_string() };
        for chunk in chunks(&entries, TREE_CHUNK_MAX) {
            let body = json!({ "base_tree": tree.sha, "tree": chunk });
            tree = self
                .block(self.client.send(Method::Post, &self.path("git/trees"), &body))
                .with_context(|| format!("cannot write the build's tree in `{}`", self.full_name()))?;
        }
        // No author or committer: GitHub authors it as the token's identity and signs it.
        let body = json!({ "message": message, "tree": tree.sha, "parents": [parent.to_string()] });
        let commit: Sha = self
            .block(self.client.send(Method::Post, &self.path("git/commits"), &body))
            .with_context(|| format!("cannot write the build commit in `{}`", self.full_name()))?;
        let id = oid(&commit.sha)?;
        self.tree_of_commit.insert(id, oid(&tree.sha)?);
        Ok(id)
    }

    fn move_branch(
        &mut self,
        branch: &str,
        new: ObjectId,
        expected: Option<ObjectId>,
        force: bool,
    ) -> anyhow::Result<()> {
        let race = |found: Option<ObjectId>| -> anyhow::Error {
            Error::RefRace {
                branch: branch.to_string(),
                expected: expected.map_or("nothing".into(), |e| e.to_string()),
                found: found.map_or("nothing".into(), |f| f.to_string()),
            }
            .into()
        };
        // The merges endpoint already moved the branch to its merge commit.
        let expected = match &self.merged {
            Some((b, old, merge)) if b == branch && Some(*old) == expected => Some(*merge),
            _ => expected,
        };
        let Some(old) = expected else {
            let body = json!({ "ref": format!("refs/heads/{branch}"), "sha": new.to_string() });
            return match self.block(self.client.request(Method::Post, &self.path("git/refs"), Some(&body))) {
                Ok(_) => Ok(()),
                Err(e) if e.is(422, "already exists") => {
                    // A retried create that went through, or someone else's branch.
                    let now = self.tip(branch)?;
                    if now == Some(new) { Ok(()) } else { Err(race(now)) }
                }
                Err(e) => Err(e.into()),
            };
        };
        if force {
            // GitHub has no compare-and-swap for a forced update: re-read right before it.
            let now = self.tip(branch)?;
            if now == Some(new) {
                return Ok(());
            }
            if now != Some(old) {
                return Err(race(now));
            }
        }
        let body = json!({ "sha": new.to_string(), "force": force });
        let path = self.path(&format!("git/refs/heads/{}", enc(branch)));
        match self.block(self.client.request(Method::Patch, &path, Some(&body))) {
            Ok(_) => Ok(()),
            Err(e) if e.is(422, "fast forward") || e.is(422, "does not exist") => {
                let now = self.tip(branch)?;
                if now == Some(new) { Ok(()) } else { Err(race(now)) }
            }
            Err(e) => Err(e.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_trees_go_up_in_chunks_under_the_limit() {
        let entries: Vec<NewEntry> =
            (0..10).map(|i| NewEntry::inline(&format!("f{i}"), false, "x".repeat(100))).collect();
        let one = serde_json::to_vec(&entries[0]).expect("json").len() + 1;
        let parts = chunks(&entries, one * 3);
        assert_eq!(parts.iter().map(|c| c.len()).collect::<Vec<_>>(), [3, 3, 3, 1]);
        assert_eq!(chunks(&entries, usize::MAX).len(), 1);
        assert_eq!(chunks(&entries, 1).len(), 10, "an entry larger than the limit goes alone");
        assert_eq!(chunks(&[], 10).len(), 1, "an empty change still makes one tree");
    }

    #[test]
    fn tree_entries_serialise_as_github_expects() {
        let v = serde_json::to_value(vec![
            NewEntry::inline("a.txt", false, "hi\n".into()),
            NewEntry::blob("bin/x", true, "abc".into()),
            NewEntry::delete("old.txt"),
        ])
        .expect("serialises");
        assert_eq!(
            v,
            json!([
                {"path": "a.txt", "mode": "100644", "type": "blob", "content": "hi\n"},
                {"path": "bin/x", "mode": "100755", "type": "blob", "sha": "abc"},
                {"path": "old.txt", "mode": "100644", "type": "blob", "sha": null},
            ])
        );
    }
}
