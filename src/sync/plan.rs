//! The per-path decisions of a build (PRODUCT.md "Sync" step 2), as pure functions.
//!
//! [`classify`] compares three blob ids per path (previous generated from the lock, current
//! in the start commit, new generated) and needs no file contents. Only paths changed on
//! both sides need contents; [`resolve`] takes those blobs, runs the three-way merges and
//! applies the conflict policy. The result lists, per path, the action and why, and the
//! exact file changes to commit (including the new lock and ampsync's managed copies under
//! `.amplication/conflicts/` and `.amplication/ignored/`).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use gix::ObjectId;
use serde::Serialize;

use super::hash::blob_id;
use super::ignore::IgnoreRules;
use super::lock::{self, Lock, LockService};
use super::merge::{self, Merged};
use super::message::Counts;
use crate::generate::GeneratedTree;
use crate::manifest::model::ConflictPolicy;
use crate::providers::{EntryKind, FileChange, Tree};

pub const CONFLICTS_DIR: &str = ".amplication/conflicts";
pub const IGNORED_DIR: &str = ".amplication/ignored";

/// What happens to one path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// New generated file written.
    Add,
    /// Generated file updated (the repository still held the previous generated content).
    Update,
    /// Generated file removed (the generator no longer produces it, nobody edited it).
    Delete,
    /// Both the team and the generator changed it; the text merged cleanly.
    MergeClean,
    /// Both changed it and the changes collide; handled by the conflict policy.
    Conflict,
    /// The generator did not change it; the team's edit stays.
    KeepModified,
    /// The generator did not change it; the team's deletion stays.
    KeepDeleted,
    /// The team edited it and the generator no longer produces it: kept, reported.
    Orphaned,
    /// Matched by `.amplicationignore`: the generated version goes to `.amplication/ignored/`.
    Ignored,
    /// Nothing to do: unchanged everywhere.
    Unchanged,
    /// Nothing to do: the repository already holds the new content.
    UpToDate,
}

impl Action {
    /// Whether the plan output lists this path by default.
    pub fn is_notable(self) -> bool {
        !matches!(self, Action::Unchanged | Action::UpToDate)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PathPlan {
    pub path: String,
    pub service: String,
    pub action: Action,
    pub reason: String,
    /// With `Conflict`: how it was handled (`markers`, `ours`, `theirs`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<ConflictPolicy>,
    /// Where the generated version was put aside, if it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copy: Option<String>,
}

/// A generated service as the planner needs it.
pub struct ServiceInput<'a> {
    pub name: &'a str,
    pub directory: &'a str,
    pub conflicts: ConflictPolicy,
    pub output: Output<'a>,
    /// [`crate::generate::Prepared::inputs_digest`] of this build, sealed with the files into the new lock.
    pub inputs: Option<String>,
}

/// The new generated output of a service.
pub enum Output<'a> {
    /// Freshly generated files.
    Generated(&'a GeneratedTree),
    /// The lock's own files: the generator's inputs are those the lock was written from, so
    /// generating again would give the same blobs. Only used when none of them is ignored
    /// (an ignored path needs its content for `.amplication/ignored/`); every path then has
    /// new == previous, and no content is ever needed.
    Unchanged(&'a LockService),
}

pub struct Input<'a> {
    pub lock: Option<&'a Lock>,
    /// Lock services this build does not touch (other services' matrix jobs): kept as they are.
    pub out_of_scope: &'a [String],
    /// The start commit's files.
    pub current: &'a Tree,
    pub services: &'a [ServiceInput<'a>],
    pub ignore: &'a IgnoreRules,
}

/// A decision that may still need file contents.
#[derive(Debug, Clone)]
enum Pending {
    Done(PathPlan, Option<FileChange>, Option<(String, Vec<u8>)>),
    /// Both sides changed: merge `base` (None: no previous generated content, or lost) with `ours`.
    Merge {
        path: String,
        service: String,
        policy: ConflictPolicy,
        base: Option<ObjectId>,
        ours: ObjectId,
        adoption: bool,
    },
    /// The team deleted it; the generator changed it.
    DeletedChanged {
        path: String,
        service: String,
        policy: ConflictPolicy,
    },
}

/// The ids-only first phase.
pub struct Classified {
    pending: Vec<Pending>,
    new_lock_services: BTreeMap<String, LockService>,
    /// New generated content by path (also for ignored paths).
    generated: HashMap<String, (Vec<u8>, bool)>,
    managed: BTreeMap<String, Vec<u8>>,
}

impl Classified {
    /// Blob ids whose contents [`resolve`] needs.
    pub fn needed_blobs(&self) -> Vec<ObjectId> {
        let mut ids = BTreeSet::new();
        for p in &self.pending {
            if let Pending::Merge { base, ours, .. } = p {
                ids.extend(base.iter().copied());
                ids.insert(*ours);
            }
        }
        ids.into_iter().collect()
    }
}

pub fn classify(input: &Input<'_>) -> Classified {
    let mut pending = Vec::new();
    let mut generated: HashMap<String, (Vec<u8>, bool)> = HashMap::new();
    let mut new_lock_services = BTreeMap::new();
    // Which service owns each path now or in the previous build.
    let mut paths: BTreeMap<&str, (&str, ConflictPolicy)> = BTreeMap::new();
    let default_policy = input.services.first().map_or(ConflictPolicy::Markers, |s| s.conflicts);
    if let Some(lock) = input.lock {
        for (name, svc) in lock.services.iter().filter(|(n, _)| !input.out_of_scope.contains(n)) {
            let policy = input.services.iter().find(|s| s.name == name).map_or(default_policy, |s| s.conflicts);
            for path in svc.files.keys() {
                paths.insert(path, (name, policy));
            }
        }
    }
    let mut new_ids: HashMap<&str, ObjectId> = HashMap::new();
    for service in input.services {
        let mut lock_service = LockService { directory: service.directory.to_string(), ..Default::default() };
        match service.output {
            Output::Generated(tree) => {
                for (path, file) in &tree.files {
                    paths.insert(path, (service.name, service.conflicts));
                    let id = blob_id(&file.bytes);
                    generated.insert(path.clone(), (file.bytes.clone(), file.executable));
                    if input.ignore.is_ignored(path) {
                        lock_service.ignored.push(path.clone());
                    } else {
                        lock_service.files.insert(path.clone(), id.to_string());
                        new_ids.insert(path, id);
                    }
                }
            }
            Output::Unchanged(locked) => {
                for (path, hex) in &locked.files {
                    paths.insert(path, (service.name, service.conflicts));
                    if let Ok(id) = ObjectId::from_hex(hex.as_bytes()) {
                        new_ids.insert(path, id);
                    }
                    lock_service.files.insert(path.clone(), hex.clone());
                }
            }
        }
        lock_service.inputs = service.inputs.as_deref().map(|digest| lock::seal(digest, &lock_service));
        new_lock_services.insert(service.name.to_string(), lock_service);
    }

    let mut managed: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for (path, (service, policy)) in paths {
        let plan = |action: Action, reason: &str| PathPlan {
            path: path.to_string(),
            service: service.to_string(),
            action,
            reason: reason.to_string(),
            resolution: None,
            copy: None,
        };
        if input.ignore.is_ignored(path) {
            if let Some((bytes, _)) = generated.get(path) {
                let copy = format!("{IGNORED_DIR}/{path}");
                managed.insert(copy.clone(), bytes.clone());
                let mut p =
                    plan(Action::Ignored, "matched by `.amplicationignore`; the generated version is in the copy");
                p.copy = Some(copy);
                pending.push(Pending::Done(p, None, None));
            }
            continue;
        }
        let previous = input.lock.and_then(|l| l.blob_of(path)).and_then(|h| ObjectId::from_hex(h.as_bytes()).ok());
        let current = input.current.get(path).filter(|e| e.kind != EntryKind::Commit).map(|e| e.id);
        let new = new_ids.get(path).copied();
        let write_new = |p: PathPlan| {
            let (bytes, executable) = generated.get(path).cloned().expect("a new id comes from generated content");
            Pending::Done(p, Some(FileChange::Write { path: path.to_string(), bytes, executable }), None)
        };
        let decision = if new == previous {
            match (current, previous) {
                (c, p) if c == p => Pending::Done(plan(Action::Unchanged, "unchanged"), None, None),
                (None, _) => Pending::Done(
                    plan(Action::KeepDeleted, "deleted in the repository; the generator did not change it"),
                    None,
                    None,
                ),
                _ => Pending::Done(
                    plan(Action::KeepModified, "edited in the repository; the generator did not change it"),
                    None,
                    None,
                ),
            }
        } else if current == previous {
            match (new, current) {
                (Some(_), None) => write_new(plan(Action::Add, "new generated file")),
                (Some(_), Some(_)) => write_new(plan(Action::Update, "the generator changed it")),
                (None, _) => Pending::Done(
                    plan(Action::Delete, "the generator no longer produces it"),
                    Some(FileChange::Delete { path: path.to_string() }),
                    None,
                ),
            }
        } else if current == new {
            Pending::Done(plan(Action::UpToDate, "the repository already holds the new content"), None, None)
        } else {
            match (current, new) {
                (Some(_), None) => Pending::Done(
                    plan(Action::Orphaned, "edited in the repository and no longer generated: kept"),
                    None,
                    None,
                ),
                (None, Some(_)) => {
                    Pending::DeletedChanged { path: path.to_string(), service: service.to_string(), policy }
                }
                (Some(ours), Some(_)) => Pending::Merge {
                    path: path.to_string(),
                    service: service.to_string(),
                    policy,
                    base: previous,
                    ours,
                    adoption: previous.is_none(),
                },
                (None, None) => unreachable!("current == new was handled"),
            }
        };
        pending.push(decision);
    }
    Classified { pending, new_lock_services, generated, managed }
}

/// The complete plan of one repository.
#[derive(Debug, Clone)]
pub struct Resolved {
    pub paths: Vec<PathPlan>,
    /// The changes to commit (managed copies and the lock included), by path.
    pub changes: Vec<FileChange>,
    pub lock_services: BTreeMap<String, LockService>,
    /// Whether anything besides the lock's build metadata would change.
    pub has_changes: bool,
    pub counts: BTreeMap<String, Counts>,
    pub conflicts: Vec<String>,
}

/// The second phase: merges with contents, conflict policies, managed copies, the lock.
pub fn resolve(classified: Classified, blobs: &HashMap<ObjectId, Vec<u8>>, input: &Input<'_>) -> Resolved {
    let Classified { pending, new_lock_services, generated, mut managed } = classified;
    let mut paths = Vec::new();
    let mut changes: Vec<FileChange> = Vec::new();
    for p in pending {
        match p {
            Pending::Done(plan, change, side) => {
                if let Some((copy, bytes)) = side {
                    managed.insert(copy, bytes);
                }
                changes.extend(change);
                paths.push(plan);
            }
            Pending::DeletedChanged { path, service, policy } => {
                let (bytes, executable) = generated[&path].clone();
                let mut plan = PathPlan {
                    path: path.clone(),
                    service,
                    action: Action::Conflict,
                    reason: "deleted in the repository, changed by the generator".into(),
                    resolution: Some(policy),
                    copy: None,
                };
                if policy == ConflictPolicy::Theirs {
                    changes.push(FileChange::Write { path, bytes, executable });
                } else {
                    let copy = format!("{CONFLICTS_DIR}/{path}");
                    managed.insert(copy.clone(), bytes);
                    plan.copy = Some(copy);
                }
                paths.push(plan);
            }
            Pending::Merge { path, service, policy, base, ours, adoption } => {
                let (new_bytes, executable) = generated[&path].clone();
                let Some(ours_bytes) = blobs.get(&ours) else {
                    // The start commit's own blob must exist; treat its absence as a conflict.
                    paths.push(PathPlan {
                        path,
                        service,
                        action: Action::Conflict,
                        reason: "the repository's content could not be read".into(),
                        resolution: Some(ConflictPolicy::Ours),
                        copy: None,
                    });
                    continue;
                };
                let (base_bytes, reason_prefix): (&[u8], &str) = match base {
                    None if adoption => (b"", "exists in the repository but was never generated here (empty base)"),
                    None => (b"", "no previous generated content"),
                    Some(id) => match blobs.get(&id) {
                        Some(b) => (b.as_slice(), ""),
                        None => (
                            b"",
                            "the previous generated content is not in the repository, so the conflict policy applies",
                        ),
                    },
                };
                let base_lost = base.is_some_and(|id| !blobs.contains_key(&id));
                let merged = merge::merge3(base_bytes, ours_bytes, &new_bytes);
                let mut plan = PathPlan {
                    path: path.clone(),
                    service,
                    action: Action::Conflict,
                    reason: String::new(),
                    resolution: Some(policy),
                    copy: None,
                };
                let conflict_text = match merged {
                    Merged::Clean(text) if !base_lost => {
                        if text == *ours_bytes {
                            plan.action = Action::UpToDate;
                            plan.resolution = None;
                            plan.reason = "the repository already has the generator's change".into();
                        } else {
                            plan.action = Action::MergeClean;
                            plan.resolution = None;
                            plan.reason =
                                "edited in the repository and changed by the generator; merged cleanly".into();
                            changes.push(FileChange::Write { path: path.clone(), bytes: text, executable });
                        }
                        paths.push(plan);
                        continue;
                    }
                    Merged::Clean(text) | Merged::Conflict(text) => Some(text),
                    Merged::Binary => None,
                };
                plan.reason = if !reason_prefix.is_empty() {
                    reason_prefix.to_string()
                } else if conflict_text.is_none() {
                    "binary file changed on both sides".into()
                } else {
                    "edited in the repository and changed by the generator on the same lines".into()
                };
                let effective = match (policy, &conflict_text) {
                    (ConflictPolicy::Markers, None) => ConflictPolicy::Ours,
                    (p, _) => p,
                };
                plan.resolution = Some(effective);
                match effective {
                    ConflictPolicy::Markers => {
                        let text = conflict_text.expect("markers only with text");
                        changes.push(FileChange::Write { path: path.clone(), bytes: text, executable });
                    }
                    ConflictPolicy::Ours => {
                        let copy = format!("{CONFLICTS_DIR}/{path}");
                        managed.insert(copy.clone(), new_bytes);
                        plan.copy = Some(copy);
                    }
                    ConflictPolicy::Theirs => {
                        changes.push(FileChange::Write { path: path.clone(), bytes: new_bytes, executable });
                    }
                }
                paths.push(plan);
            }
        }
    }

    // Managed copies: write the wanted ones that differ, delete stale ones.
    for (path, bytes) in &managed {
        let id = blob_id(bytes);
        if input.current.get(path).map(|e| e.id) != Some(id) {
            changes.push(FileChange::Write { path: path.clone(), bytes: bytes.clone(), executable: false });
        }
    }
    for path in input.current.keys() {
        let is_managed = path.starts_with(&format!("{CONFLICTS_DIR}/")) || path.starts_with(&format!("{IGNORED_DIR}/"));
        if is_managed && !managed.contains_key(path) {
            changes.push(FileChange::Delete { path: path.clone() });
        }
    }

    let mut new_lock_services = new_lock_services;
    if let Some(lock) = input.lock {
        for name in input.out_of_scope {
            if let Some(kept) = lock.services.get(name) {
                new_lock_services.insert(name.clone(), kept.clone());
            }
        }
    }
    let lock_files_changed = input.lock.is_none_or(|l| !lock::same_files(&l.services, &new_lock_services));
    let has_changes = !changes.is_empty() || lock_files_changed;

    let mut counts: BTreeMap<String, Counts> = BTreeMap::new();
    let mut conflicts = Vec::new();
    for p in &paths {
        let c = counts.entry(p.service.clone()).or_default();
        match p.action {
            Action::Add => c.added += 1,
            Action::Update => c.changed += 1,
            Action::Delete => c.removed += 1,
            Action::MergeClean => c.merged += 1,
            Action::Conflict => {
                c.conflicts += 1;
                conflicts.push(p.path.clone());
            }
            Action::KeepModified | Action::KeepDeleted | Action::Orphaned => c.kept += 1,
            Action::Ignored => c.ignored += 1,
            Action::Unchanged | Action::UpToDate => {}
        }
    }
    changes.sort_by(|a, b| a.path().cmp(b.path()));
    Resolved { paths, changes, lock_services: new_lock_services, has_changes, counts, conflicts }
}

/// Adds the lock file to the changes.
pub fn with_lock(mut changes: Vec<FileChange>, lock: &Lock) -> Vec<FileChange> {
    changes.retain(|c| c.path() != lock::PATH);
    changes.push(FileChange::Write {
        path: lock::PATH.to_string(),
        bytes: lock.to_json().into_bytes(),
        executable: false,
    });
    changes.sort_by(|a, b| a.path().cmp(b.path()));
    changes
}
