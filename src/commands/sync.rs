//! `ampsync plan` and `ampsync sync`: group the services by repository, run the sync engine
//! on each (planning only for `plan` and `--dry-run`), and report.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::ExitStatus;
use crate::manifest::model::{ProviderKind, Service};
use crate::printer::Printer;
use crate::providers::local::LocalRepo;
use crate::sync::message::BuildInfo;
use crate::sync::plan::Action;
use crate::sync::{self, Outcome, RepoResult};

pub struct Options {
    /// Command-line (or action input) settings that win over the manifest's `git` block.
    pub overrides: GitOverrides,
    pub github: crate::providers::github::Options,
    pub provider: Option<ProviderKind>,
    pub repo: Option<PathBuf>,
    pub services: Vec<String>,
    pub base: Option<String>,
    pub message: Option<String>,
    pub dry_run: bool,
    pub json: bool,
    pub build: BuildInfo,
}

/// Settings given on the command line or as action inputs; each `Some` (each non-empty list)
/// replaces the manifest's value for every selected service.
#[derive(Debug, Clone, Default)]
pub struct GitOverrides {
    pub branch: Option<String>,
    pub branch_mode: Option<crate::manifest::keywords::BranchMode>,
    pub conflicts: Option<crate::manifest::keywords::ConflictPolicy>,
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub team_reviewers: Vec<String>,
    pub assignees: Vec<String>,
    pub draft: Option<bool>,
}

impl GitOverrides {
    pub fn apply(&self, git: &mut crate::manifest::model::GitSettings) {
        if let Some(b) = &self.branch {
            git.branch.clone_from(b);
        }
        if let Some(m) = self.branch_mode {
            git.branch_mode = m;
        }
        if let Some(c) = self.conflicts {
            git.conflicts = c;
        }
        let pr = &mut git.pull_request;
        for (value, target) in [
            (&self.labels, &mut pr.labels),
            (&self.reviewers, &mut pr.reviewers),
            (&self.team_reviewers, &mut pr.team_reviewers),
            (&self.assignees, &mut pr.assignees),
        ] {
            if !value.is_empty() {
                target.clone_from(value);
            }
        }
        if let Some(d) = self.draft {
            pr.draft = d;
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The overall outcome: `blocked` if any repository is, else `created`/`updated` if any, else `none`.
    pub outcome: Outcome,
    /// The services of the run (for a GitHub Actions matrix: `fromJSON(...).services`).
    pub services: Vec<String>,
    pub repositories: Vec<RepoReport>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RepoReport {
    pub provider: ProviderKind,
    /// `owner/name`, or the local path.
    pub repository: String,
    #[serde(flatten)]
    pub result: RepoResult,
    /// The pull request opened, updated or closed (GitHub only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<crate::providers::github::PullRequestReport>,
}

impl Report {
    pub fn new(repositories: Vec<RepoReport>, selected: &[&Service]) -> Self {
        Report {
            outcome: Report::overall(&repositories),
            services: selected.iter().map(|s| s.name.clone()).collect(),
            repositories,
        }
    }

    /// 3 when blocked, else 0.
    pub fn exit_status(&self) -> ExitStatus {
        if self.outcome == Outcome::Blocked { ExitStatus::Blocked } else { ExitStatus::Success }
    }

    pub fn overall(results: &[RepoReport]) -> Outcome {
        let any = |o: Outcome| results.iter().any(|r| r.result.outcome == o);
        if any(Outcome::Blocked) {
            Outcome::Blocked
        } else if any(Outcome::Created) {
            Outcome::Created
        } else if any(Outcome::Updated) {
            Outcome::Updated
        } else if any(Outcome::Closed) {
            Outcome::Closed
        } else {
            Outcome::None
        }
    }
}

/// The services of the run, in manifest order, after `--service`.
pub fn select<'m>(services: &'m [Service], only: &[String]) -> anyhow::Result<Vec<&'m Service>> {
    for name in only {
        if !services.iter().any(|s| &s.name == name) {
            let known: Vec<&str> = services.iter().map(|s| s.name.as_str()).collect();
            anyhow::bail!("no service `{name}` in the manifest; services: {}", known.join(", "));
        }
    }
    Ok(services.iter().filter(|s| only.is_empty() || only.contains(&s.name)).collect())
}

/// `path` relative to `root`, `/`-separated.
pub fn relative(root: &Path, path: &Path) -> anyhow::Result<String> {
    let abs = std::path::absolute(path)?;
    let root = std::path::absolute(root)?;
    let rel = abs.strip_prefix(&root).map_err(|_| {
        anyhow::anyhow!("the manifest `{}` is outside the repository `{}`", path.display(), root.display())
    })?;
    Ok(rel.to_string_lossy().replace('\\', "/"))
}

pub fn run(manifest_path: &Path, opts: &Options, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let loaded = match super::load_manifest(manifest_path, printer)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let report = execute(loaded, manifest_path, opts, printer)?;
    print(&report, opts, printer)
}

/// Runs the sync (or the plan) of a loaded manifest and returns the report, printing nothing
/// but progress: what `ampsync sync` and `ampsync action` share.
pub fn execute(
    mut loaded: crate::manifest::Loaded,
    manifest_path: &Path,
    opts: &Options,
    printer: &Printer,
) -> anyhow::Result<Report> {
    for service in &mut loaded.manifest.services {
        if opts.services.is_empty() || opts.services.contains(&service.name) {
            opts.overrides.apply(&mut service.git);
        }
    }
    let manifest = &loaded.manifest;
    let selected = select(&manifest.services, &opts.services)?;
    let provider = opts.provider.or_else(|| selected.first().map(|s| s.git.provider)).unwrap_or(ProviderKind::Local);
    if provider == ProviderKind::Github {
        let root = super::generate::repo_root_of(manifest_path);
        let manifest_rel = relative(&root, manifest_path)?;
        let repositories = crate::providers::github::sync_all(&loaded, &manifest_rel, &root, &selected, opts, printer)?;
        return Ok(Report::new(repositories, &selected));
    }
    // The local provider holds one repository: every selected service must commit to the same one.
    let first = selected[0];
    if let Some(other) = selected.iter().find(|s| s.git.repository != first.git.repository) {
        anyhow::bail!(
            "services `{}` and `{}` commit to different repositories; the local provider handles one: pass `--service`",
            first.name,
            other.name
        );
    }
    let repo_dir = match &opts.repo {
        Some(p) => p.clone(),
        None => super::generate::repo_root_of(manifest_path),
    };
    let mut repo = LocalRepo::discover(&repo_dir)?;
    let root = repo.root().to_path_buf();
    let all_in_repo = manifest.services.iter().filter(|s| s.git.repository == first.git.repository).count();
    let job = sync::Job {
        manifest,
        manifest_path: relative(&root, manifest_path)?,
        manifest_digest: loaded.digest.clone(),
        all_services: selected.len() == all_in_repo,
        services: selected.clone(),
        repo_root: root.clone(),
        message: opts.message.clone(),
        base: opts.base.clone(),
        build: opts.build.clone(),
        dry_run: opts.dry_run,
    };
    let result = sync::run(&mut repo, &job)?;
    let repositories =
        vec![RepoReport { provider, repository: root.display().to_string(), result, pull_request: None }];
    Ok(Report::new(repositories, &selected))
}

/// Prints the report and maps it to the exit status.
pub fn print(report: &Report, opts: &Options, printer: &Printer) -> anyhow::Result<ExitStatus> {
    if opts.json {
        printer.out(&serde_json::to_string_pretty(report)?)?;
    } else {
        print_human(report, opts.dry_run, printer)?;
    }
    Ok(report.exit_status())
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(10)]
}

fn print_human(report: &Report, dry_run: bool, printer: &Printer) -> anyhow::Result<()> {
    for repo in &report.repositories {
        let r = &repo.result;
        if dry_run {
            for p in &r.paths {
                let action = serde_json::to_value(p.action)?.as_str().unwrap_or_default().to_string();
                let extra = match (&p.resolution, &p.copy) {
                    (Some(res), Some(copy)) => format!(" ({res}; generated version in {copy})"),
                    (Some(res), None) => format!(" ({res})"),
                    (None, Some(copy)) => format!(" (generated version in {copy})"),
                    (None, None) => String::new(),
                };
                printer.status(&format!("{action:<14} {}{extra}", p.path))?;
            }
        } else {
            for p in r.paths.iter().filter(|p| matches!(p.action, Action::Conflict | Action::Orphaned)) {
                printer.info(&format!(
                    "{}: {} ({})",
                    p.path,
                    p.reason,
                    serde_json::to_value(p.action)?.as_str().unwrap_or("")
                ));
            }
        }
        for (service, counts) in &r.services {
            printer.status(&format!("{service}: {}", counts.summary()))?;
        }
        for service in &r.unchanged_inputs {
            printer.detail(&format!(
                "{service}: not regenerated: its model, templates and ampsync build are those of the last build"
            ));
        }
        let verb = if dry_run { "would be" } else { "is" };
        match r.outcome {
            Outcome::None => {
                printer.status(&format!("outcome: none: nothing to commit; `{}` {verb} unchanged", r.branch))?
            }
            Outcome::Blocked => {
                printer.status(&format!(
                    "outcome: blocked: merging `{}` into `{}` conflicts in {}; resolve it on the branch, then sync again",
                    r.base,
                    r.branch,
                    r.blocked_paths.join(", ")
                ))?;
            }
            Outcome::Created | Outcome::Updated | Outcome::Closed => {
                let commit = r.commit.as_deref().map(short).unwrap_or("(not written)");
                printer.status(&format!(
                    "outcome: {}: `{}` {} {commit} from `{}` (build {}): {}",
                    r.outcome,
                    r.branch,
                    if dry_run { "would get a commit, not written," } else { "at" },
                    r.base,
                    r.build.id,
                    r.title
                ))?;
            }
        }
    }
    Ok(())
}
