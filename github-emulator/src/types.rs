//! Public, serialisable types of the admin surface: what tests, the admin HTTP API and the
//! seed file use to describe users, repositories, tokens, apps, faults and the request log.
//! Nothing here touches git or the network.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// How much a token may do with one permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Read,
    Write,
}

/// The repository permissions a token (or an installation) holds, named as GitHub names
/// them in `x-accepted-github-permissions`. `None` means "no access".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Permissions {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contents: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_requests: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issues: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workflows: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub administration: Option<Access>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata: Option<Access>,
}

impl Permissions {
    /// Everything at write level (metadata read), as a classic `repo`+`workflow` PAT.
    pub fn all() -> Self {
        Permissions {
            contents: Some(Access::Write),
            pull_requests: Some(Access::Write),
            issues: Some(Access::Write),
            workflows: Some(Access::Write),
            administration: Some(Access::Write),
            metadata: Some(Access::Read),
        }
    }

    /// What a workflow's `GITHUB_TOKEN` with `contents: write`, `pull-requests: write` and
    /// `issues: write` holds (never `workflows`).
    pub fn actions_default() -> Self {
        Permissions {
            contents: Some(Access::Write),
            pull_requests: Some(Access::Write),
            issues: Some(Access::Write),
            workflows: None,
            administration: None,
            metadata: Some(Access::Read),
        }
    }

    /// Read-only access to contents, pull requests and issues.
    pub fn read_only() -> Self {
        Permissions {
            contents: Some(Access::Read),
            pull_requests: Some(Access::Read),
            issues: Some(Access::Read),
            workflows: None,
            administration: None,
            metadata: Some(Access::Read),
        }
    }

    pub(crate) fn get(&self, perm: Perm) -> Option<Access> {
        match perm {
            Perm::Contents => self.contents,
            Perm::PullRequests => self.pull_requests,
            Perm::Issues => self.issues,
            Perm::Workflows => self.workflows,
            Perm::Administration => self.administration,
            // Every token that can see a repository can read its metadata.
            Perm::Metadata => Some(self.metadata.unwrap_or(Access::Read)),
        }
    }

    /// The intersection of two permission sets (used when an access token asks for less).
    pub(crate) fn narrowed_by(&self, wanted: &Permissions) -> Permissions {
        fn min(a: Option<Access>, b: Option<Access>) -> Option<Access> {
            match (a, b) {
                (Some(a), Some(b)) => Some(a.min(b)),
                _ => None,
            }
        }
        Permissions {
            contents: min(self.contents, wanted.contents),
            pull_requests: min(self.pull_requests, wanted.pull_requests),
            issues: min(self.issues, wanted.issues),
            workflows: min(self.workflows, wanted.workflows),
            administration: min(self.administration, wanted.administration),
            metadata: min(self.metadata.or(Some(Access::Read)), wanted.metadata.or(Some(Access::Read))),
        }
    }
}

/// One repository permission, as GitHub names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Perm {
    Contents,
    PullRequests,
    Issues,
    Workflows,
    Administration,
    Metadata,
}

impl Perm {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Perm::Contents => "contents",
            Perm::PullRequests => "pull_requests",
            Perm::Issues => "issues",
            Perm::Workflows => "workflows",
            Perm::Administration => "administration",
            Perm::Metadata => "metadata",
        }
    }
}

/// What kind of credential a token is; decides its identity and GitHub's error wording.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// A personal access token acting as the user `login`.
    Pat,
    /// A workflow's `GITHUB_TOKEN`, acting as `github-actions[bot]`.
    Actions,
    /// A GitHub App installation token, acting as `<app-slug>[bot]`.
    Installation,
}

/// Which repositories a token or an installation covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RepoAccess {
    /// `"all"`: every repository the identity can reach (a PAT: its own and its organisations';
    /// an installation: every repository of its account).
    All(AllRepos),
    /// `["owner/name", ...]`
    Only(Vec<String>),
}

impl RepoAccess {
    pub fn all() -> Self {
        RepoAccess::All(AllRepos::All)
    }

    pub fn only<I: IntoIterator<Item = S>, S: Into<String>>(repos: I) -> Self {
        RepoAccess::Only(repos.into_iter().map(Into::into).collect())
    }
}

/// The literal `"all"` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AllRepos {
    All,
}

/// A user (admin API shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSpec {
    pub login: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub email: Option<String>,
}

/// An organisation and its members (admin API shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OrgSpec {
    pub login: String,
    #[serde(default)]
    pub members: Vec<String>,
}

/// A repository to create (admin API shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepoSpec {
    pub owner: String,
    pub name: String,
    #[serde(default = "default_branch")]
    pub default_branch: String,
    #[serde(default)]
    pub private: bool,
    /// `true`: a bare repository without any commit; `false`: one commit with a README.
    #[serde(default)]
    pub empty: bool,
}

fn default_branch() -> String {
    "main".to_string()
}

/// A token (admin API shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenSpec {
    pub token: String,
    /// The user for a PAT; ignored for `actions` (always `github-actions[bot]`); for an
    /// `installation` token, the bot login (`<slug>[bot]`).
    #[serde(default)]
    pub login: String,
    pub kind: TokenKind,
    #[serde(default = "RepoAccess::all")]
    pub repos: RepoAccess,
    #[serde(default)]
    pub permissions: Permissions,
}

/// A GitHub App (admin API shape). Give the public key inline or as a path.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AppSpec {
    pub id: u64,
    #[serde(default)]
    pub slug: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    /// The login that owns the app (created as a user when unknown); default `app-owner`.
    #[serde(default)]
    pub owner: Option<String>,
    #[serde(default)]
    pub public_key_pem: Option<String>,
    #[serde(default)]
    pub public_key_path: Option<String>,
}

/// An installation of an app on an account (admin API shape).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstallationSpec {
    pub id: u64,
    pub app_id: u64,
    pub account: String,
    #[serde(default = "RepoAccess::all")]
    pub repositories: RepoAccess,
    #[serde(default)]
    pub permissions: Permissions,
}

/// A merge method of `PUT /repos/{owner}/{repo}/pulls/{n}/merge`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum MergeMethod {
    #[default]
    Merge,
    Squash,
    Rebase,
}

/// A fault injected into the request stream.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fault {
    /// HTTP method to match (`GET`, `PATCH`, ...); absent or `*` matches any.
    #[serde(default)]
    pub method: Option<String>,
    /// Matched against the request path without the `/api/v3` prefix and without the query.
    /// A pattern starting with `^` is a regular expression; anything else is a glob where
    /// `*` matches within one path segment and `**` matches across segments.
    pub path: String,
    /// The first matching request affected, 1-based (default 1).
    #[serde(default = "one")]
    pub nth: u64,
    /// How many consecutive matching requests, from the `nth`, are affected (default 1).
    #[serde(default = "one")]
    pub times: u64,
    pub action: FaultAction,
}

fn one() -> u64 {
    1
}

impl Fault {
    /// A fault on the first matching request only.
    pub fn new(method: Option<&str>, path: &str, action: FaultAction) -> Self {
        Fault { method: method.map(str::to_string), path: path.to_string(), nth: 1, times: 1, action }
    }

    /// Sets which matching request is the first affected (1-based).
    pub fn nth(mut self, nth: u64) -> Self {
        self.nth = nth;
        self
    }

    /// Sets how many consecutive matching requests are affected.
    pub fn times(mut self, times: u64) -> Self {
        self.times = times;
        self
    }
}

/// What a fault does to a matching request.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultAction {
    /// Answer with this status instead of processing the request. Without `body`, GitHub's
    /// error body for the status is sent.
    Status {
        code: u16,
        #[serde(default)]
        headers: BTreeMap<String, String>,
        #[serde(default)]
        body: Option<serde_json::Value>,
    },
    /// GitHub's secondary rate limit: 403, `retry-after`, "You have exceeded a secondary rate limit...".
    SecondaryRateLimit {
        #[serde(default = "one")]
        retry_after: u64,
    },
    /// GitHub's primary rate limit: 403, `x-ratelimit-remaining: 0`, `x-ratelimit-reset` in `reset_in` s.
    PrimaryRateLimit {
        #[serde(default = "one")]
        reset_in: u64,
    },
    /// Wait, then process the request normally.
    Delay { ms: u64 },
    /// Close the TCP connection without any response.
    Drop,
    /// Before processing the request, "someone else" pushes a commit (adding or changing
    /// `someone-else.txt`) onto this ref of the request's repository (`heads/main` or `refs/heads/main`).
    MoveRef {
        #[serde(rename = "ref")]
        reference: String,
    },
}

impl FaultAction {
    /// A plain status with GitHub's error body.
    pub fn status(code: u16) -> Self {
        FaultAction::Status { code, headers: BTreeMap::new(), body: None }
    }

    /// 429 with `retry-after`.
    pub fn too_many_requests(retry_after: u64) -> Self {
        let mut headers = BTreeMap::new();
        headers.insert("retry-after".to_string(), retry_after.to_string());
        FaultAction::Status { code: 429, headers, body: None }
    }
}

/// One request as the emulator saw it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct LogEntry {
    pub method: String,
    /// The path as requested (with the `/api/v3` prefix when it was used), without the query.
    pub path: String,
    pub query: String,
    /// 0 when the connection was dropped by a fault.
    pub status: u16,
    pub request_bytes: u64,
    pub response_bytes: u64,
    pub duration_ms: u64,
    /// The fault that shaped this exchange, if any (`status 502`, `delay 100ms`, `drop`, `move_ref heads/x`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fault: Option<String>,
}

/// A file change for [`crate::Emulator::commit_files`]: `content: None` deletes the path.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileChange {
    pub path: String,
    #[serde(default)]
    pub content: Option<String>,
}

/// The seed file (`--seed seed.json`) and `POST /_emulator/seed`: every list optional.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default)]
    pub users: Vec<UserSpec>,
    #[serde(default)]
    pub orgs: Vec<OrgSpec>,
    #[serde(default)]
    pub repos: Vec<RepoSpec>,
    #[serde(default)]
    pub tokens: Vec<TokenSpec>,
    #[serde(default)]
    pub apps: Vec<AppSpec>,
    #[serde(default)]
    pub installations: Vec<InstallationSpec>,
    #[serde(default)]
    pub faults: Vec<Fault>,
    #[serde(default)]
    pub tree_truncate_at: Option<usize>,
}
