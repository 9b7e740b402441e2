//! The sync engine (PRODUCT.md "Sync"): regenerate, compare with the last build, commit only
//! what changed, on top of whatever the team did.
//!
//! Per repository, in the brief's step numbers:
//! 1. [`branch::decide`] picks the start point from the refs (create, stack, rebuild, or
//!    merge the base in first; `blocked` when that merge conflicts);
//! 2. each service is generated, unless its [`generate::Prepared::inputs_digest`] equals the one in the
//!    lock (then the lock's blob ids are the new output); [`plan::classify`] compares blob
//!    ids per path (lock, start commit, new output) and [`plan::resolve`] merges what both
//!    sides changed and applies the conflict policy;
//! 3. nothing changed: outcome `none`, no commit;
//! 4. one commit for all services ([`message`]), the new [`lock`] included;
//! 5. the branch moves (fast-forward, or compare-and-swap for a rebuild).
//!
//! Only [`run`] talks to a [`RepoView`]; everything it calls is pure.

pub mod branch;
pub mod hash;
pub mod ignore;
pub mod lock;
pub mod merge;
pub mod message;
pub mod plan;

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::Context;
use gix::ObjectId;
use serde::Serialize;

use crate::generate;
use crate::manifest::model::{BranchMode, Manifest, Service};
use crate::providers::{MergeOutcome, RepoView};
use branch::Start;
use lock::{Lock, LockBuild, LockManifest};
use message::{BuildInfo, Counts};
use plan::PathPlan;

/// Everything one repository's sync needs.
pub struct Job<'a> {
    pub manifest: &'a Manifest,
    /// The manifest's path relative to the repository root (`/`-separated).
    pub manifest_path: String,
    pub manifest_digest: String,
    /// The services this build regenerates (all share the repository's branch settings).
    pub services: Vec<&'a Service>,
    /// Whether `services` are all the manifest's services for this repository. Only then
    /// are services the lock knows but the manifest no longer has removed; otherwise (a
    /// matrix job for one service) other services' lock entries are left alone.
    pub all_services: bool,
    /// Where `templates:` directories are read from.
    pub repo_root: PathBuf,
    /// `--message`.
    pub message: Option<String>,
    /// Overrides the manifest's base branch.
    pub base: Option<String>,
    pub build: BuildInfo,
    pub dry_run: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Created,
    Updated,
    Closed,
    None,
    Blocked,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Created => "created",
            Outcome::Updated => "updated",
            Outcome::Closed => "closed",
            Outcome::None => "none",
            Outcome::Blocked => "blocked",
        })
    }
}

/// The result of one repository's sync (or its plan, with `dry_run`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepoResult {
    pub outcome: Outcome,
    pub dry_run: bool,
    pub base: String,
    pub branch: String,
    pub start: Start,
    /// The build commit (or the commit the branch stays at when blocked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commit: Option<String>,
    pub build: BuildInfo,
    pub title: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub message: String,
    pub services: BTreeMap<String, Counts>,
    pub totals: Counts,
    pub conflicts: Vec<String>,
    /// Paths with something notable (changed, kept, conflicting, ignored).
    pub paths: Vec<PathPlan>,
    /// Why the build is blocked.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub blocked_paths: Vec<String>,
    /// Services not generated: their inputs (model, templates, ampsync build) are those the
    /// lock was written from, so the lock's files are the output.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unchanged_inputs: Vec<String>,
}

/// Errors callers branch on.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Lock(#[from] lock::LockError),
    #[error(transparent)]
    Generate(#[from] generate::Error),
}

/// Runs (or plans, with `dry_run`) the sync of one repository.
pub fn run(repo: &mut dyn RepoView, job: &Job<'_>) -> anyhow::Result<RepoResult> {
    let first = job.services.first().context("a sync job needs at least one service")?;
    let git = &first.git;
    let base = match job.base.clone().or_else(|| git.base_branch.clone()) {
        Some(b) => b,
        None => repo.default_branch()?,
    };
    let branch = match git.branch_mode {
        BranchMode::Accumulate => git.branch.clone(),
        BranchMode::PerBuild => branch::per_build_branch(&git.branch, &job.build.id),
    };
    let state = repo.branch_state(&base, &branch)?;
    let start = branch::decide(git.branch_mode, &state);
    let service_names: Vec<&str> = job.services.iter().map(|s| s.name.as_str()).collect();

    let mut result = RepoResult {
        outcome: Outcome::None,
        dry_run: job.dry_run,
        base: base.clone(),
        branch: branch.clone(),
        start: start.clone(),
        commit: None,
        build: job.build.clone(),
        title: String::new(),
        message: String::new(),
        services: BTreeMap::new(),
        totals: Counts::default(),
        conflicts: Vec::new(),
        paths: Vec::new(),
        blocked_paths: Vec::new(),
        unchanged_inputs: Vec::new(),
    };

    // Step 1: the start commit.
    let (start_commit, expected_tip, force) = match &start {
        Start::Create { base_tip } => (*base_tip, None, false),
        Start::Stack { tip } => (*tip, Some(*tip), false),
        Start::Rebuild { base_tip, old_tip } => (*base_tip, Some(*old_tip), true),
        Start::MergeBase { tip, base_tip, .. } => {
            let msg =
                format!("Merge branch '{base}' into {branch}\n\nMerged by ampsync before build {}.\n", job.build.id);
            match repo.merge_base_into(&branch, *tip, *base_tip, &msg, job.dry_run)? {
                MergeOutcome::Merged(merge) => (merge, Some(*tip), false),
                MergeOutcome::Conflict(paths) => {
                    result.outcome = Outcome::Blocked;
                    result.commit = Some(tip.to_string());
                    result.blocked_paths = paths;
                    return Ok(result);
                }
            }
        }
    };

    // Step 2: what the start commit holds, and the new output.
    let current = repo.tree(start_commit)?;
    let lock_id = current.get(lock::PATH).map(|e| e.id);
    let ignore_id = current.get(ignore::PATH).map(|e| e.id);
    let wanted: Vec<ObjectId> = lock_id.iter().chain(ignore_id.iter()).copied().collect();
    let meta = repo.read_blobs(&wanted)?;
    let old_lock = match lock_id {
        Some(id) => Some(
            Lock::parse(meta.get(&id).context("the lock's blob is missing from the repository")?)
                .map_err(Error::from)?,
        ),
        None => None,
    };
    let ignore = match ignore_id {
        Some(id) => ignore::IgnoreRules::parse(meta.get(&id).context("the `.amplicationignore` blob is missing")?)?,
        None => ignore::IgnoreRules::none(),
    };
    // Generate each service, unless the lock was written from the very same inputs.
    enum NewOutput<'l> {
        Generated(generate::GeneratedTree),
        Unchanged(&'l lock::LockService),
    }
    let mut outputs: Vec<(NewOutput<'_>, String)> = Vec::new();
    for service in &job.services {
        let prepared = generate::Prepared::new(job.manifest, service, &job.repo_root).map_err(Error::from)?;
        let digest = prepared.inputs_digest();
        let reusable = old_lock.as_ref().and_then(|l| l.services.get(&service.name)).filter(|locked| {
            locked.inputs.as_deref() == Some(lock::seal(&digest, locked).as_str())
                && locked.ignored.is_empty()
                && !locked.files.keys().any(|p| ignore.is_ignored(p))
        });
        let output = match reusable {
            Some(locked) => {
                result.unchanged_inputs.push(service.name.clone());
                NewOutput::Unchanged(locked)
            }
            None => NewOutput::Generated(prepared.generate().map_err(Error::from)?),
        };
        outputs.push((output, digest));
    }
    let inputs: Vec<plan::ServiceInput<'_>> = job
        .services
        .iter()
        .zip(&outputs)
        .map(|(s, (output, digest))| plan::ServiceInput {
            name: &s.name,
            directory: &s.directory,
            conflicts: s.git.conflicts,
            output: match output {
                NewOutput::Generated(tree) => plan::Output::Generated(tree),
                NewOutput::Unchanged(locked) => plan::Output::Unchanged(locked),
            },
            inputs: Some(digest.clone()),
        })
        .collect();
    let out_of_scope: Vec<String> = old_lock
        .as_ref()
        .map(|l| {
            l.services
                .keys()
                .filter(|name| {
                    let in_job = service_names.contains(&name.as_str());
                    let in_this_repo = job.manifest.service(name).is_some_and(|s| {
                        s.git.provider == first.git.provider && s.git.repository == first.git.repository
                    });
                    !in_job && (in_this_repo || !job.all_services)
                })
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let input = plan::Input {
        lock: old_lock.as_ref(),
        out_of_scope: &out_of_scope,
        current: &current,
        services: &inputs,
        ignore: &ignore,
    };
    let classified = plan::classify(&input);
    let blobs = repo.read_blobs(&classified.needed_blobs())?;
    let resolved = plan::resolve(classified, &blobs, &input);

    result.conflicts = resolved.conflicts.clone();
    for name in &service_names {
        let counts = resolved.counts.get(*name).cloned().unwrap_or_default();
        result.totals.add(&counts);
        result.services.insert(name.to_string(), counts);
    }
    for (name, counts) in &resolved.counts {
        if !result.services.contains_key(name) {
            // A service that left the manifest (or this repository): its files are removed.
            result.totals.add(counts);
            result.services.insert(name.clone(), counts.clone());
        }
    }
    result.paths = resolved.paths.iter().filter(|p| p.action.is_notable()).cloned().collect();

    // Step 3: nothing changed.
    if !resolved.has_changes {
        result.commit = state.branch_tip.map(|t| t.to_string());
        return Ok(result);
    }

    // Step 4: one commit.
    let manifest_subject = if job.message.is_some() {
        None
    } else {
        repo.last_commit_touching(state.base_tip, &job.manifest_path)?
            .filter(|c| message::build_id_of(&c.message).is_none())
            .map(|c| message::subject(&c.message).to_string())
    };
    result.title = message::title(job.message.as_deref(), manifest_subject.as_deref(), &service_names);
    let per_service: Vec<(String, Counts)> = result.services.iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    result.message = message::commit_message(&result.title, None, &per_service, &result.conflicts, &job.build);
    let new_lock = Lock {
        schema_version: lock::SCHEMA_VERSION,
        ampsync_version: env!("CARGO_PKG_VERSION").to_string(),
        build: LockBuild { id: job.build.id.clone(), url: job.build.url.clone() },
        manifest: LockManifest { path: job.manifest_path.clone(), digest: job.manifest_digest.clone() },
        services: resolved.lock_services.clone(),
    };
    let changes = plan::with_lock(resolved.changes, &new_lock);
    result.outcome = if state.branch_tip.is_some() { Outcome::Updated } else { Outcome::Created };
    if job.dry_run {
        return Ok(result);
    }
    let commit = repo.commit(start_commit, &changes, &result.message)?;

    // Step 5: move the branch.
    repo.move_branch(&branch, commit, expected_tip, force)?;
    result.commit = Some(commit.to_string());
    Ok(result)
}
