//! The `github` provider: GitHub.com and GitHub Enterprise Server through the REST API.
//! (Being built: issue #5.)

use std::path::{Path, PathBuf};

use secrecy::SecretString;
use serde::Serialize;

use crate::commands::sync::{Options as SyncOptions, RepoReport};
use crate::manifest::Loaded;
use crate::manifest::model::Service;
use crate::printer::Printer;

pub const DEFAULT_API_URL: &str = "https://api.github.com";

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
    /// `created`, `updated`, `closed` or `none`.
    pub action: String,
}

/// Syncs every repository of the selected services through the REST API.
pub fn sync_all(
    _loaded: &Loaded,
    _manifest_rel: &str,
    _repo_root: &Path,
    _services: &[&Service],
    _opts: &SyncOptions,
    _printer: &Printer,
) -> anyhow::Result<Vec<RepoReport>> {
    anyhow::bail!("the `github` provider is not built yet (tracked in issue #5); use `--provider local`")
}
