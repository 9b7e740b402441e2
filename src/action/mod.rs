//! `ampsync action`: the container action's entry point.
//!
//! Owns the GitHub Actions glue and nothing else: inputs from `INPUT_*` ([`inputs`]), the run's
//! context from `GITHUB_*`, workflow commands and the output and summary files ([`workflow`]),
//! the Markdown job summary ([`summary`]). The work itself is `ampsync sync --provider github`
//! ([`crate::commands::sync::execute`]). No git binary is used, so the owner of
//! `/github/workspace`, a shallow clone or a detached HEAD do not matter: the repository is read
//! through the API, and only the manifest (and files next to it) come from the workspace.

pub mod inputs;
pub mod summary;
pub mod workflow;

use std::path::{Path, PathBuf};

use crate::cli::ExitStatus;
use crate::commands::sync::{self, GitOverrides, Report};
use crate::manifest::model::ProviderKind;
use crate::manifest::{self, LoadError};
use crate::printer::Printer;
use crate::sync::message::BuildInfo;

pub use inputs::{Env, INPUTS, Inputs};

/// Every output of `action.yml`, in its order.
pub const OUTPUTS: &[&str] = &[
    "operation",
    "pull-request-number",
    "pull-request-url",
    "branch",
    "commit-sha",
    "build-id",
    "files-added",
    "files-changed",
    "files-removed",
    "conflicts",
];

/// Runs the action with the process environment.
pub fn run(printer: &Printer) -> ExitStatus {
    let env = Env::from_process();
    match run_with(&env, printer) {
        Ok(status) => status,
        Err(err) => {
            let _ = printer.out(&format!("::error title=ampsync::{}", workflow::escape_data(&format!("{err:#}"))));
            if let Some(path) = env.var("GITHUB_STEP_SUMMARY") {
                let _ = workflow::append(Path::new(path), &summary::failure(&format!("{err:#}")));
            }
            ExitStatus::Failure
        }
    }
}

fn run_with(env: &Env, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let inputs = match Inputs::read(env) {
        Ok(i) => i,
        Err(e) => {
            printer.out(&format!(
                "::error title={}::{}",
                workflow::escape_property("ampsync: bad input"),
                workflow::escape_data(&e.to_string())
            ))?;
            return Ok(ExitStatus::Usage);
        }
    };
    // Mask before anything can print them (the runner masks `with:` secrets only when they
    // come from `secrets.*`; a token made by an earlier step may not be).
    let token = inputs.token.clone().or_else(|| env.var("GITHUB_TOKEN").map(str::to_string));
    for secret in [&token, &inputs.app_private_key].into_iter().flatten() {
        printer.out(workflow::add_mask(secret).trim_end())?;
    }

    let workspace = env.var("GITHUB_WORKSPACE").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("."));
    let manifest_rel = inputs.manifest.clone().unwrap_or_else(|| crate::manifest::DEFAULT_PATH.to_string());
    let manifest_path = workspace.join(&manifest_rel);

    printer.out(&format!("::group::Validate {manifest_rel}"))?;
    let loaded = match manifest::load(&manifest_path) {
        Ok(loaded) => loaded,
        Err(LoadError::Invalid(diags)) => {
            printer.diagnostics(&diags);
            printer.out("::endgroup::")?;
            for d in &diags.items {
                let message = match &d.hint {
                    Some(hint) => format!("{}\nhelp: {hint}", d.message),
                    None => d.message.clone(),
                };
                printer.out(&workflow::annotation(
                    "error",
                    &manifest_rel,
                    d.pos.line,
                    d.pos.col,
                    "ampsync: invalid manifest",
                    &message,
                ))?;
            }
            if let Some(path) = env.var("GITHUB_STEP_SUMMARY") {
                workflow::append(Path::new(path), &summary::invalid_manifest(&manifest_rel, &diags))?;
            }
            return Ok(ExitStatus::Usage);
        }
        Err(LoadError::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
            printer.out("::endgroup::")?;
            anyhow::bail!(
                "no manifest at `{manifest_rel}` in the workspace; check out the repository first (actions/checkout) \
                 or set the `manifest` input"
            );
        }
        Err(e) => return Err(e.into()),
    };
    printer.info(&format!(
        "{manifest_rel}: {} services, {} entities, {} fields",
        loaded.manifest.services.len(),
        loaded.manifest.entity_count(),
        loaded.manifest.field_count()
    ));
    printer.out("::endgroup::")?;

    let opts = options(env, &inputs, token, &workspace, &manifest_rel);
    printer.out(&format!("::group::Sync ({})", if opts.dry_run { "dry run" } else { "github" }))?;
    let report = sync::execute(loaded, &manifest_path, &opts, printer);
    let report = match report {
        Ok(r) => r,
        Err(e) => {
            printer.out("::endgroup::")?;
            return Err(e);
        }
    };
    sync::print(&report, &opts, printer)?;
    printer.out("::endgroup::")?;

    if let Some(path) = env.var("GITHUB_OUTPUT") {
        workflow::write_outputs(Path::new(path), &outputs(&report))?;
    }
    if let Some(path) = env.var("GITHUB_STEP_SUMMARY") {
        workflow::append(Path::new(path), &summary::report(&report))?;
    }
    if report.outcome == crate::sync::Outcome::Blocked {
        printer.out(&format!(
            "::error title={}::{}",
            workflow::escape_property("ampsync: build blocked"),
            workflow::escape_data("a person's commits on the sync branch conflict with the base branch; resolve the merge on the branch, then run again")
        ))?;
    }
    Ok(report.exit_status())
}

/// The sync options for the run: inputs first, then the `GITHUB_*` context.
fn options(env: &Env, inputs: &Inputs, token: Option<String>, workspace: &Path, manifest_rel: &str) -> sync::Options {
    let build =
        BuildInfo::from_run_env(|name| env.var(name).map(str::to_string)).unwrap_or_else(BuildInfo::generated_now);
    let event = env
        .var("GITHUB_EVENT_PATH")
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok());
    // On `pull_request` events the checkout is a detached merge commit: build on the pull
    // request's base branch unless told otherwise.
    let base = inputs.base.clone().or_else(|| {
        matches!(env.var("GITHUB_EVENT_NAME"), Some("pull_request" | "pull_request_target"))
            .then(|| env.var("GITHUB_BASE_REF").map(str::to_string))
            .flatten()
    });
    let message =
        inputs.message.clone().or_else(|| event.as_ref().and_then(|e| manifest_commit_title(e, manifest_rel)));
    sync::Options {
        overrides: GitOverrides {
            branch: inputs.branch.clone(),
            branch_mode: inputs.branch_mode,
            conflicts: inputs.conflicts,
            labels: inputs.labels.clone(),
            reviewers: inputs.reviewers.clone(),
            team_reviewers: inputs.team_reviewers.clone(),
            assignees: inputs.assignees.clone(),
            draft: inputs.draft,
        },
        github: crate::providers::github::Options {
            api_url: inputs
                .api_url
                .clone()
                .or_else(|| env.var("GITHUB_API_URL").map(str::to_string))
                .unwrap_or_else(|| crate::providers::github::DEFAULT_API_URL.to_string()),
            token: token.map(secrecy::SecretString::from),
            app_id: inputs.app_id,
            app_private_key: inputs.app_private_key.clone().map(secrecy::SecretString::from),
            default_repository: env.var("GITHUB_REPOSITORY").map(str::to_string),
            event_path: env.var("GITHUB_EVENT_PATH").map(PathBuf::from),
        },
        provider: Some(ProviderKind::Github),
        repo: Some(workspace.to_path_buf()),
        services: inputs.services.clone(),
        base,
        message,
        dry_run: inputs.dry_run,
        json: false,
        build,
    }
}

/// On a `push` event: the title of the newest pushed commit that touched the manifest.
fn manifest_commit_title(event: &serde_json::Value, manifest_rel: &str) -> Option<String> {
    let commits = event.get("commits")?.as_array()?;
    commits
        .iter()
        .rev()
        .find(|c| {
            ["added", "modified", "removed"].iter().any(|k| {
                c.get(k).and_then(|v| v.as_array()).is_some_and(|files| files.iter().any(|f| f == manifest_rel))
            })
        })
        .and_then(|c| c.get("message")?.as_str()?.lines().next().map(str::to_string))
        .filter(|t| !t.trim().is_empty())
}

/// The values of [`OUTPUTS`] for a report (the first repository with a pull request wins for
/// the pull request outputs; counts are totals over every repository).
pub fn outputs(report: &Report) -> Vec<(&'static str, String)> {
    let first = report.repositories.first();
    let pr = report.repositories.iter().find_map(|r| r.pull_request.as_ref());
    let mut totals = crate::sync::message::Counts::default();
    for r in &report.repositories {
        totals.add(&r.result.totals);
    }
    let conflicts: Vec<&str> =
        report.repositories.iter().flat_map(|r| r.result.conflicts.iter().map(String::as_str)).collect();
    let values = [
        report.outcome.to_string(),
        pr.map(|p| p.number.to_string()).unwrap_or_default(),
        pr.map(|p| p.url.clone()).unwrap_or_default(),
        first.map(|r| r.result.branch.clone()).unwrap_or_default(),
        first.and_then(|r| r.result.commit.clone()).unwrap_or_default(),
        first.map(|r| r.result.build.id.clone()).unwrap_or_default(),
        totals.added.to_string(),
        (totals.changed + totals.merged).to_string(),
        totals.removed.to_string(),
        conflicts.len().to_string(),
    ];
    OUTPUTS.iter().copied().zip(values).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn push_event_gives_the_title_of_the_commit_that_changed_the_manifest() {
        let event = serde_json::json!({
            "commits": [
                {"message": "Add Order.total\n\nbody", "modified": ["amplication.yaml"]},
                {"message": "Fix typo in README", "modified": ["README.md"]}
            ]
        });
        assert_eq!(manifest_commit_title(&event, "amplication.yaml").as_deref(), Some("Add Order.total"));
        assert_eq!(manifest_commit_title(&event, "other.yaml"), None);
    }

    #[test]
    fn pull_request_events_build_on_the_base_ref() {
        let env: Env = [("GITHUB_EVENT_NAME", "pull_request"), ("GITHUB_BASE_REF", "develop"), ("GITHUB_RUN_ID", "7")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        let opts = options(&env, &Inputs::default(), None, Path::new("/w"), "amplication.yaml");
        assert_eq!(opts.base.as_deref(), Some("develop"));
        assert_eq!(opts.build.id, "7-1");
        let inputs = Inputs { base: Some("main".into()), ..Inputs::default() };
        assert_eq!(options(&env, &inputs, None, Path::new("/w"), "amplication.yaml").base.as_deref(), Some("main"));
    }
}
