//! The `local` provider: a git repository on disk, through gix (no git binary).
//!
//! Reads refs, trees and blobs; writes blobs, trees and commits into the object database
//! and moves `refs/heads/<branch>` with a compare-and-swap on its previous value. Never
//! touches the working tree, the index or HEAD. No network, no pull requests.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::refs::transaction::{Change, LogChange, PreviousValue, RefEdit, RefLog};

use super::{BranchState, CommitSummary, EntryKind, Error, FileChange, MergeOutcome, RepoView, Tree, TreeEntry};

pub struct LocalRepo {
    repo: gix::Repository,
    path: PathBuf,
}

/// The identity of ampsync's commits and reflog entries when git has none configured.
const DEFAULT_NAME: &str = "ampsync";
const DEFAULT_EMAIL: &str = "ampsync@localhost";

impl LocalRepo {
    /// Opens the repository at or above `path`.
    pub fn discover(path: &Path) -> anyhow::Result<Self> {
        let repo = gix::discover(path).with_context(|| {
            format!("`{}` is not inside a git repository; run `git init` there, or pass `--repo PATH`", path.display())
        })?;
        let mut repo = repo;
        if repo.committer().is_none() {
            // No identity configured (a container, a CI machine): the reflog entry for the
            // branch update still needs one. In memory only; no config file is touched.
            let mut config = repo.config_snapshot_mut();
            config
                .set_raw_value(gix::config::tree::Committer::NAME, DEFAULT_NAME)
                .context("cannot set a default committer identity")?;
            config
                .set_raw_value(gix::config::tree::Committer::EMAIL, DEFAULT_EMAIL)
                .context("cannot set a default committer identity")?;
            config.commit().context("cannot set a default committer identity")?;
        }
        let root = repo.workdir().map(Path::to_path_buf).unwrap_or_else(|| repo.git_dir().to_path_buf());
        Ok(Self { repo, path: root })
    }

    /// The working tree root (or the git dir of a bare repository).
    pub fn root(&self) -> &Path {
        &self.path
    }

    fn tip(&self, branch: &str) -> anyhow::Result<Option<ObjectId>> {
        let name = format!("refs/heads/{branch}");
        match self.repo.try_find_reference(name.as_str()).with_context(|| format!("cannot read `{name}`"))? {
            Some(mut r) => {
                let id = r.peel_to_id().with_context(|| format!("`{name}` does not point at a commit"))?;
                Ok(Some(id.detach()))
            }
            None => Ok(None),
        }
    }

    fn summary(&self, id: ObjectId) -> anyhow::Result<CommitSummary> {
        let commit = self.repo.find_commit(id).with_context(|| format!("cannot read commit {id}"))?;
        let message = commit.message_raw_sloppy().to_str_lossy().into_owned();
        let time = commit.time().map(|t| t.seconds).unwrap_or(0);
        Ok(CommitSummary { id, message, time })
    }

    fn signature(&self) -> gix::actor::Signature {
        let time = gix::date::Time::now_local_or_utc();
        if let Some(Ok(sig)) = self.repo.committer() {
            return gix::actor::Signature { name: sig.name.into(), email: sig.email.into(), time };
        }
        gix::actor::Signature { name: DEFAULT_NAME.into(), email: DEFAULT_EMAIL.into(), time }
    }

    fn entry_at(&self, commit: ObjectId, path: &str) -> anyhow::Result<Option<ObjectId>> {
        let tree = self.repo.find_commit(commit)?.tree()?;
        Ok(tree.lookup_entry_by_path(path)?.map(|e| e.object_id()))
    }
}

impl RepoView for LocalRepo {
    fn default_branch(&mut self) -> anyhow::Result<String> {
        // HEAD's branch, as `git clone` would set it; `main` for a detached HEAD.
        let head = self.repo.head_name().context("cannot read HEAD")?;
        Ok(head.map(|n| n.shorten().to_string()).unwrap_or_else(|| "main".to_string()))
    }

    fn branch_state(&mut self, base: &str, branch: &str) -> anyhow::Result<BranchState> {
        let base_tip = self.tip(base)?.ok_or_else(|| Error::NoBase(base.to_string()))?;
        let branch_tip = self.tip(branch)?;
        let Some(tip) = branch_tip else {
            return Ok(BranchState { base_tip, branch_tip, contains_base: false, own_commits: Vec::new() });
        };
        let merge_base = self.repo.merge_base(tip, base_tip).ok().flatten().map(|id| id.detach());
        let contains_base = merge_base == Some(base_tip);
        let walk = self
            .repo
            .rev_walk([tip])
            .with_hidden([base_tip])
            .all()
            .with_context(|| format!("cannot walk the history of `{branch}`"))?;
        let mut own_commits = Vec::new();
        for info in walk {
            let info = info.with_context(|| format!("cannot walk the history of `{branch}`"))?;
            own_commits.push(self.summary(info.id)?);
        }
        Ok(BranchState { base_tip, branch_tip, contains_base, own_commits })
    }

    fn tree(&mut self, commit: ObjectId) -> anyhow::Result<Tree> {
        let tree = self.repo.find_commit(commit).with_context(|| format!("cannot read commit {commit}"))?.tree()?;
        let mut recorder = gix::traverse::tree::Recorder::default();
        tree.traverse().breadthfirst(&mut recorder).context("cannot list the tree")?;
        let mut out = Tree::new();
        for entry in recorder.records {
            let kind = match entry.mode.kind() {
                gix::object::tree::EntryKind::Blob => EntryKind::Blob,
                gix::object::tree::EntryKind::BlobExecutable => EntryKind::Executable,
                gix::object::tree::EntryKind::Link => EntryKind::Link,
                gix::object::tree::EntryKind::Commit => EntryKind::Commit,
                gix::object::tree::EntryKind::Tree => continue,
            };
            out.insert(entry.filepath.to_str_lossy().into_owned(), TreeEntry { id: entry.oid, kind });
        }
        Ok(out)
    }

    fn read_blobs(&mut self, ids: &[ObjectId]) -> anyhow::Result<HashMap<ObjectId, Vec<u8>>> {
        let mut out = HashMap::new();
        for id in ids {
            if let Some(obj) = self.repo.try_find_object(*id).with_context(|| format!("cannot read object {id}"))? {
                out.insert(*id, obj.detach().data);
            }
        }
        Ok(out)
    }

    fn last_commit_touching(&mut self, tip: ObjectId, path: &str) -> anyhow::Result<Option<CommitSummary>> {
        let walk = self.repo.rev_walk([tip]).all().context("cannot walk history")?;
        for info in walk.take(5000) {
            let info = info.context("cannot walk history")?;
            let here = self.entry_at(info.id, path)?;
            let parent = match info.parent_ids.first() {
                Some(p) => self.entry_at(*p, path)?,
                None => None,
            };
            if here != parent {
                return self.summary(info.id).map(Some);
            }
        }
        Ok(None)
    }

    fn history(&mut self, tip: ObjectId, limit: usize) -> anyhow::Result<Vec<CommitSummary>> {
        let walk = self.repo.rev_walk([tip]).all().context("cannot walk history")?;
        let mut out = Vec::new();
        for info in walk.take(limit) {
            out.push(self.summary(info.context("cannot walk history")?.id)?);
        }
        Ok(out)
    }

    fn merge_base_into(
        &mut self,
        branch: &str,
        branch_tip: ObjectId,
        base_tip: ObjectId,
        message: &str,
        _dry_run: bool,
    ) -> anyhow::Result<MergeOutcome> {
        let labels = gix::merge::blob::builtin_driver::text::Labels {
            ancestor: Some("merge base".into()),
            current: Some(branch.into()),
            other: Some("base".into()),
        };
        let options = self.repo.tree_merge_options().context("cannot read merge options")?;
        let mut outcome = self
            .repo
            .merge_commits(branch_tip, base_tip, labels, options.into())
            .context("cannot merge the base branch into the sync branch")?;
        let how = gix::merge::tree::TreatAsUnresolved::default();
        if outcome.tree_merge.has_unresolved_conflicts(how) {
            let mut paths: Vec<String> = outcome
                .tree_merge
                .conflicts
                .iter()
                .filter(|c| c.is_unresolved(how))
                .map(|c| c.ours.location().to_str_lossy().into_owned())
                .collect();
            paths.sort();
            paths.dedup();
            return Ok(MergeOutcome::Conflict(paths));
        }
        let tree = outcome.tree_merge.tree.write().context("cannot write the merged tree")?.detach();
        let sig = self.signature();
        let commit = self
            .repo
            .new_commit_as(
                sig.to_ref(&mut Default::default()),
                sig.to_ref(&mut Default::default()),
                message,
                tree,
                [branch_tip, base_tip],
            )
            .context("cannot write the merge commit")?;
        Ok(MergeOutcome::Merged(commit.id))
    }

    fn commit(&mut self, parent: ObjectId, changes: &[FileChange], message: &str) -> anyhow::Result<ObjectId> {
        let tree_id =
            self.repo.find_commit(parent).with_context(|| format!("cannot read commit {parent}"))?.tree_id()?;
        let mut editor = self.repo.edit_tree(tree_id).context("cannot edit the tree")?;
        for change in changes {
            match change {
                FileChange::Write { path, bytes, executable } => {
                    let blob = self.repo.write_blob(bytes).with_context(|| format!("cannot write `{path}`"))?;
                    let kind = if *executable {
                        gix::object::tree::EntryKind::BlobExecutable
                    } else {
                        gix::object::tree::EntryKind::Blob
                    };
                    editor
                        .upsert(path.as_str(), kind, blob.detach())
                        .with_context(|| format!("cannot add `{path}`"))?;
                }
                FileChange::Delete { path } => {
                    editor.remove(path.as_str()).with_context(|| format!("cannot remove `{path}`"))?;
                }
            }
        }
        let tree = editor.write().context("cannot write the tree")?.detach();
        let sig = self.signature();
        let mut buf1 = Default::default();
        let mut buf2 = Default::default();
        let commit = self
            .repo
            .new_commit_as(sig.to_ref(&mut buf1), sig.to_ref(&mut buf2), message, tree, [parent])
            .context("cannot write the commit")?;
        Ok(commit.id)
    }

    fn move_branch(
        &mut self,
        branch: &str,
        new: ObjectId,
        expected: Option<ObjectId>,
        _force: bool,
    ) -> anyhow::Result<()> {
        let name = format!("refs/heads/{branch}");
        let current = self.tip(branch)?;
        if current != expected {
            return Err(Error::RefRace {
                branch: branch.to_string(),
                expected: expected.map_or("nothing".into(), |e| e.to_string()),
                found: current.map_or("nothing".into(), |c| c.to_string()),
            }
            .into());
        }
        let previous = match expected {
            Some(old) => PreviousValue::MustExistAndMatch(gix::refs::Target::Object(old)),
            None => PreviousValue::MustNotExist,
        };
        self.repo
            .edit_reference(RefEdit {
                change: Change::Update {
                    log: LogChange {
                        mode: RefLog::AndReference,
                        force_create_reflog: false,
                        message: "ampsync: build".into(),
                    },
                    expected: previous,
                    new: gix::refs::Target::Object(new),
                },
                name: name.as_str().try_into().with_context(|| format!("`{branch}` is not a valid branch name"))?,
                deref: false,
            })
            .map_err(|e| {
                // Only a tip that moved is a race; anything else (permissions, a full disk) is reported as is.
                match self.tip(branch) {
                    Ok(found) if found != expected => anyhow::Error::new(Error::RefRace {
                        branch: branch.to_string(),
                        expected: expected.map_or("nothing".into(), |e| e.to_string()),
                        found: found.map_or("nothing".into(), |c| c.to_string()),
                    }),
                    _ => anyhow::Error::new(e).context(format!("cannot update branch `{branch}`")),
                }
            })?;
        Ok(())
    }
}
