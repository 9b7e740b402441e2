//! Git providers: where builds are read from and committed to.
//!
//! The sync engine talks to a repository only through [`RepoView`]: read refs, trees and
//! blobs; write one commit from a parent plus changes; move a branch with an expected old
//! value. [`local`] implements it with gix on a repository on disk; `github` over the REST
//! API. Providers never decide anything: the planning is `crate::sync`'s.

pub mod github;
pub mod local;

use std::collections::{BTreeMap, HashMap};

use gix::ObjectId;
use serde::Serialize;

/// One file of a tree listing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TreeEntry {
    pub id: ObjectId,
    pub kind: EntryKind,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    Blob,
    Executable,
    Link,
    /// A submodule (gitlink): never touched.
    Commit,
}

/// Every file of a commit, by repository path.
pub type Tree = BTreeMap<String, TreeEntry>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitSummary {
    #[serde(serialize_with = "hex")]
    pub id: ObjectId,
    pub message: String,
    /// Committer time, seconds since the epoch.
    pub time: i64,
}

pub fn hex<S: serde::Serializer>(id: &ObjectId, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&id.to_string())
}

/// The refs a sync starts from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BranchState {
    pub base_tip: ObjectId,
    pub branch_tip: Option<ObjectId>,
    /// The sync branch contains the base tip (the build can stack on it).
    pub contains_base: bool,
    /// Commits on the sync branch that the base does not have, newest first.
    pub own_commits: Vec<CommitSummary>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileChange {
    Write { path: String, bytes: Vec<u8>, executable: bool },
    Delete { path: String },
}

impl FileChange {
    pub fn path(&self) -> &str {
        match self {
            FileChange::Write { path, .. } | FileChange::Delete { path } => path,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MergeOutcome {
    /// A commit merging the base into the branch (the branch may or may not have moved yet).
    Merged(ObjectId),
    /// The merge conflicts in these paths; nothing was changed.
    Conflict(Vec<String>),
}

/// Errors callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("branch `{branch}` moved while the build ran (expected {expected}, found {found}); run the sync again")]
    RefRace { branch: String, expected: String, found: String },
    #[error("base branch `{0}` does not exist; set `baseBranch` in the manifest or pass `--base`")]
    NoBase(String),
}

/// A repository as the sync engine sees it.
pub trait RepoView {
    /// The repository's default branch.
    fn default_branch(&mut self) -> anyhow::Result<String>;
    /// Base tip and the sync branch relative to it.
    fn branch_state(&mut self, base: &str, branch: &str) -> anyhow::Result<BranchState>;
    /// Every file of a commit.
    fn tree(&mut self, commit: ObjectId) -> anyhow::Result<Tree>;
    /// Blob contents; ids missing from the repository are absent from the result.
    fn read_blobs(&mut self, ids: &[ObjectId]) -> anyhow::Result<HashMap<ObjectId, Vec<u8>>>;
    /// The newest commit reachable from `tip` that changed `path`.
    fn last_commit_touching(&mut self, tip: ObjectId, path: &str) -> anyhow::Result<Option<CommitSummary>>;
    /// Commits reachable from `tip`, newest first, at most `limit`.
    fn history(&mut self, tip: ObjectId, limit: usize) -> anyhow::Result<Vec<CommitSummary>>;
    /// Makes a commit merging `base_tip` into `branch_tip`. With `dry_run`, nothing visible changes.
    fn merge_base_into(
        &mut self,
        branch: &str,
        branch_tip: ObjectId,
        base_tip: ObjectId,
        message: &str,
        dry_run: bool,
    ) -> anyhow::Result<MergeOutcome>;
    /// Writes one commit: `parent`'s tree with `changes` applied. Moves no ref.
    fn commit(&mut self, parent: ObjectId, changes: &[FileChange], message: &str) -> anyhow::Result<ObjectId>;
    /// Points `branch` at `new` if it still points at `expected` (`None`: must not exist).
    /// `force` allows a move that is not a fast-forward. A lost race is [`Error::RefRace`].
    fn move_branch(
        &mut self,
        branch: &str,
        new: ObjectId,
        expected: Option<ObjectId>,
        force: bool,
    ) -> anyhow::Result<()>;
}
