//! The `github` provider: GitHub.com and GitHub Enterprise Server through the REST API.
//!
//! [`sync_all`] groups the services by repository and, per repository: authenticates
//! ([`client`]: token, or a GitHub App's installation), finds or creates the repository
//! ([`repos`]), runs the sync engine over [`git_data::GithubRepo`] (planning again when the
//! branch moved under it), then brings the pull request in line ([`pulls`]). Retrying is
//! [`retry`]'s alone. Nothing here decides what to commit: that is `crate::sync`'s.

pub mod client;
pub mod git_data;
pub mod pulls;
pub mod repos;
pub mod retry;

use std::path::{Path, PathBuf};

use anyhow::Context;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;

use crate::commands::sync::{Options as SyncOptions, RepoReport};
use crate::manifest::Loaded;
use crate::manifest::model::{BranchMode, ProviderKind, Service};
use crate::printer::Printer;
use crate::sync::branch::Start;
use crate::sync::{self, Outcome};
use client::Client;
use git_data::GithubRepo;

pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// How many times a build is planned again after losing a race on its branch.
const REPLANS: usize = 3;

/// How to reach GitHub.
#[derive(Debug, Clone)]
pub struct Options {
    pub api_url: String,
    pub token: Option<SecretString>,
    pub app_id: Option<u64>,
    pub app_private_key: Option<SecretString>,
    /// `GITHUB_REPOSITORY`: the repository a service without `repository` commits to.
    pub default_repository: Option<String>,
    /// `GITHUB_EVENT_PATH`: the event payload (default branch, head commit message).
    pub event_path: Option<PathBuf>,
}

/// The pull request a build opened, updated or closed.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestReport {
    pub number: u64,
    pub url: String,
    /// `created`, `updated`, `closed`, `blocked` (commented) or `none`.
    pub action: String,
}

/// The credentials, before a repository is known.
enum Auth {
    Token(Client),
    App(Client),
}

impl Auth {
    fn new(opts: &Options, policy: retry::Policy, dry_run: bool) -> anyhow::Result<Auth> {
        match (opts.app_id, &opts.app_private_key) {
            (Some(id), Some(key)) => {
                let key = key.expose_secret();
                let pem = if key.trim_start().starts_with("-----BEGIN") {
                    key.as_bytes().to_vec()
                } else {
                    std::fs::read(key.trim()).with_context(|| {
                        "cannot read the GitHub App private key: `--app-private-key` is neither PEM text nor a readable file"
                    })?
                };
                Ok(Auth::App(Client::app(&opts.api_url, id, &pem, policy)?))
            }
            (Some(_), None) | (None, Some(_)) => {
                anyhow::bail!("a GitHub App needs both `--app-id` and `--app-private-key`")
            }
            (None, None) => {
                if opts.token.is_none() && !dry_run {
                    anyhow::bail!(
                        "no GitHub credentials: pass `--token` or set `GITHUB_TOKEN` (in a workflow: `${{{{ github.token }}}}`), or give a GitHub App with `--app-id` and `--app-private-key`"
                    );
                }
                Ok(Auth::Token(Client::with_token(&opts.api_url, opts.token.as_ref(), policy)?))
            }
        }
    }

    async fn client_for(&self, owner: &str, name: &str) -> anyhow::Result<Client> {
        match self {
            Auth::Token(c) => Ok(c.clone()),
            Auth::App(app) => Ok(app.installation(owner, name).await?),
        }
    }
}

/// The repository a service commits to.
fn repository_of(service: &Service, default: Option<&str>) -> anyhow::Result<String> {
    match service.git.repository.as_deref().or(default) {
        Some(r) => Ok(r.to_string()),
        None => anyhow::bail!(
            "service `{}` has no repository: set `git.repository` (or the service's `repository`) to `owner/name` in the manifest, or run in GitHub Actions",
            service.name
        ),
    }
}

/// Syncs every repository of the selected services through the REST API.
pub fn sync_all(
    loaded: &Loaded,
    manifest_rel: &str,
    repo_root: &Path,
    services: &[&Service],
    opts: &SyncOptions,
    printer: &Printer,
) -> anyhow::Result<Vec<RepoReport>> {
    let gh = &opts.github;
    let manifest = &loaded.manifest;
    let default_repo = gh.default_repository.as_deref();
    let mut groups: Vec<(String, Vec<&Service>)> = Vec::new();
    for s in services {
        let full = repository_of(s, default_repo)?;
        repos::split(&full)?;
        match groups.iter_mut().find(|(r, _)| r.eq_ignore_ascii_case(&full)) {
            Some((_, list)) => list.push(s),
            None => groups.push((full, vec![s])),
        }
    }
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    // octocrab's client spawns its buffer task when built: that needs the runtime's context.
    let _context = rt.enter();
    let policy = retry::Policy::from_env(|k| std::env::var(k).ok());
    let auth = Auth::new(gh, policy, opts.dry_run)?;

    // In Actions the event payload names the repository's default branch: no lookup for it.
    let event_repo: Option<(String, String)> = gh
        .event_path
        .as_ref()
        .and_then(|p| std::fs::read(p).ok())
        .and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok())
        .and_then(|v| {
            let r = &v["repository"];
            Some((r["full_name"].as_str()?.to_string(), r["default_branch"].as_str()?.to_string()))
        });

    let mut reports = Vec::new();
    for (full, group) in groups {
        let (owner, name) = repos::split(&full)?;
        let client = rt.block_on(auth.client_for(owner, name))?;
        let before = client.request_count();
        let create = group.iter().any(|s| s.git.create_repository);
        let base_known = opts.base.is_some() || group[0].git.base_branch.is_some();
        let from_event = event_repo.as_ref().filter(|(r, _)| r.eq_ignore_ascii_case(&full)).map(|(_, b)| b.clone());
        let info = if (base_known || from_event.is_some()) && !create {
            // The first read of the sync names a missing repository; no lookup needed.
            repos::RepoInfo { full_name: full.clone(), default_branch: from_event.unwrap_or_default() }
        } else {
            rt.block_on(repos::ensure(&client, &full, create && !opts.dry_run, printer))?
        };
        let mut walk_dirs: Vec<String> = group.iter().map(|s| s.directory.clone()).collect();
        walk_dirs.push(".amplication".into());
        let all_in_repo = manifest
            .services
            .iter()
            .filter(|s| repository_of(s, default_repo).is_ok_and(|r| r.eq_ignore_ascii_case(&full)))
            .count();
        let job = sync::Job {
            manifest,
            manifest_path: manifest_rel.to_string(),
            manifest_digest: loaded.digest.clone(),
            all_services: group.len() == all_in_repo,
            services: group.clone(),
            repo_root: repo_root.to_path_buf(),
            message: opts.message.clone(),
            base: opts.base.clone(),
            build: opts.build.clone(),
            dry_run: opts.dry_run,
        };
        let mut replans = 0;
        let (mut result, repo) = loop {
            let mut repo = GithubRepo::new(&rt, &client, &info.full_name, &info.default_branch, walk_dirs.clone())
                .with_local_checkout(repo_root);
            match sync::run(&mut repo, &job) {
                Ok(r) => break (r, repo),
                Err(e)
                    if replans < REPLANS
                        && e.downcast_ref::<crate::providers::Error>()
                            .is_some_and(|e| matches!(e, crate::providers::Error::RefRace { .. })) =>
                {
                    replans += 1;
                    printer.info(&format!("{e:#}; planning the build again ({replans}/{REPLANS})"));
                }
                Err(e) => return Err(e.context(format!("the sync of `{full}` failed"))),
            }
        };
        if let Some(merge) = repo.merged_into()
            && result.outcome == Outcome::None
        {
            // The base was merged into the branch and the build added nothing on top.
            result.outcome = Outcome::Updated;
            result.commit = Some(merge.to_string());
        }
        let differs = match &result.start {
            Start::Stack { .. } => repo.last_state.as_ref().is_some_and(|s| !s.own_commits.is_empty()),
            Start::MergeBase { .. } => true,
            Start::Create { .. } | Start::Rebuild { .. } => false,
        } || matches!(result.outcome, Outcome::Created | Outcome::Updated);
        let git = &group[0].git;
        let ctx = pulls::Context {
            repository: &info.full_name,
            settings: &git.pull_request,
            differs,
            per_build_prefix: (git.branch_mode == BranchMode::PerBuild).then_some(git.branch.as_str()),
        };
        let pull_request = rt.block_on(pulls::reconcile(&client, &ctx, &mut result, printer)).with_context(|| {
            format!("the build of `{full}` is on `{}`, but its pull request failed; run the sync again", result.branch)
        })?;
        let pr =
            pull_request.as_ref().map(|p| format!(", pull request #{} ({})", p.number, p.action)).unwrap_or_default();
        printer.info(&format!("{}: {} on `{}`{pr}", info.full_name, result.outcome, result.branch));
        printer.detail(&format!("{full}: {} GitHub API requests", client.request_count() - before));
        reports.push(RepoReport {
            provider: ProviderKind::Github,
            repository: info.full_name.clone(),
            result,
            pull_request,
        });
    }
    Ok(reports)
}
