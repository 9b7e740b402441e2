//! The HTTP edge of the `github` provider: authentication (token or GitHub App), one
//! `request` function that every call goes through (retries per [`super::retry`]), the typed
//! [`Error`] callers branch on, and the permission hints of a 403.
//!
//! Requests go through octocrab's raw routes (`_get`, `_post`, ...) with paths only, so the
//! base URL (GitHub.com, `https://HOST/api/v3`, an emulator) comes from one place and
//! octocrab adds the credentials. Tokens live in octocrab as `SecretString`s and are never
//! formatted into any message.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use octocrab::Octocrab;
use octocrab::models::{AppId, InstallationId};
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use super::retry::{self, Attempt, Decision, Policy};

/// Errors callers branch on. Messages name the request and say what to do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// GitHub answered with an error status.
    #[error("GitHub answered {status} to {method} {path}: {message}{hint}")]
    Api { method: &'static str, path: String, status: u16, message: String, hint: String },
    /// The connection failed (after the retries).
    #[error("cannot reach GitHub at {url} ({method} {path}): {detail}")]
    Network { method: &'static str, path: String, url: String, detail: String },
    /// Retrying stopped before GitHub accepted the request.
    #[error(
        "GitHub kept refusing {method} {path} (last: {status} {message}); gave up: {why}. Run the sync again later"
    )]
    GaveUp { method: &'static str, path: String, status: u16, message: String, why: &'static str },
    #[error(
        "repository `{repository}` was not found, or the credentials cannot see it ({reach}); check `repository` in the manifest, or set `createRepository: true` to create it"
    )]
    RepositoryNotFound { repository: String, reach: String },
    #[error("the credentials may not {action} in `{repository}`: they need the `{permission}` permission; {where_to}")]
    Permission { repository: String, action: String, permission: String, where_to: String },
    #[error("GitHub App authentication failed: {0}")]
    App(String),
}

impl Error {
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::Api { status, .. } => Some(*status),
            _ => None,
        }
    }

    pub fn message(&self) -> &str {
        match self {
            Error::Api { message, .. } => message,
            _ => "",
        }
    }

    /// `status` with a message containing `needle` (case-insensitive).
    pub fn is(&self, status: u16, needle: &str) -> bool {
        self.status() == Some(status) && self.message().to_ascii_lowercase().contains(&needle.to_ascii_lowercase())
    }
}

/// How the client authenticates (for hints; the secrets stay in octocrab).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AuthKind {
    Token,
    App,
    Anonymous,
}

/// One authenticated client. Cheap to clone.
#[derive(Clone)]
pub struct Client {
    crab: Octocrab,
    pub api_url: String,
    pub auth: AuthKind,
    policy: Policy,
    requests: Arc<AtomicU64>,
}

/// A successful response.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub body: String,
}

impl Response {
    pub fn json<T: DeserializeOwned>(&self) -> anyhow::Result<T> {
        serde_json::from_str(&self.body).map_err(|e| anyhow::anyhow!("GitHub sent an unexpected answer: {e}"))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Get,
    Post,
    Patch,
    Put,
    Delete,
}

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Patch => "PATCH",
            Method::Put => "PUT",
            Method::Delete => "DELETE",
        }
    }
}

fn builder(
    api_url: &str,
) -> anyhow::Result<
    octocrab::OctocrabBuilder<
        octocrab::NoSvc,
        octocrab::DefaultOctocrabBuilderConfig,
        octocrab::NoAuth,
        octocrab::NotLayerReady,
    >,
> {
    Ok(Octocrab::builder()
        .base_uri(api_url.trim_end_matches('/'))
        .map_err(|e| anyhow::anyhow!("`{api_url}` is not a valid GitHub API URL: {e}"))?
        // Retrying is ours (super::retry): octocrab's own would multiply the attempts.
        .add_retry_config(octocrab::service::middleware::retry::RetryConfig::None)
        .set_connect_timeout(Some(Duration::from_secs(20)))
        .set_read_timeout(Some(Duration::from_secs(120))))
}

impl Client {
    /// A client with a token (or none: anonymous, public repositories only).
    pub fn with_token(api_url: &str, token: Option<&SecretString>, policy: Policy) -> anyhow::Result<Client> {
        let b = builder(api_url)?;
        let (crab, auth) = match token {
            Some(t) => (b.personal_token(t.expose_secret().to_string()).build()?, AuthKind::Token),
            None => (b.build()?, AuthKind::Anonymous),
        };
        Ok(Client { crab, api_url: api_url.to_string(), auth, policy, requests: Arc::default() })
    }

    /// A client authenticated as a GitHub App (JWT, RS256); see [`Client::installation`].
    pub fn app(api_url: &str, app_id: u64, key_pem: &[u8], policy: Policy) -> anyhow::Result<Client> {
        let key = octocrab::jsonwebtoken::EncodingKey::from_rsa_pem(key_pem).map_err(|e| {
            Error::App(format!(
                "the private key is not an RSA key in PEM format ({e}); pass the `.pem` file GitHub gave you"
            ))
        })?;
        let crab = builder(api_url)?.app(AppId(app_id), key).build()?;
        Ok(Client { crab, api_url: api_url.to_string(), auth: AuthKind::App, policy, requests: Arc::default() })
    }

    /// The installation client for one repository: looks the installation up with the App's
    /// JWT, then octocrab mints (and refreshes) installation tokens on demand.
    pub async fn installation(&self, owner: &str, repo: &str) -> Result<Client, Error> {
        #[derive(serde::Deserialize)]
        struct Inst {
            id: u64,
        }
        let path = format!("/repos/{owner}/{repo}/installation");
        let resp = match self.request(Method::Get, &path, None::<&()>).await {
            Ok(r) => r,
            Err(e) if e.status() == Some(404) => {
                return Err(Error::App(format!(
                    "the App is not installed on `{owner}/{repo}`; install it on the repository (or on `{owner}`) in the App's settings, \"Install App\""
                )));
            }
            Err(e) => return Err(e),
        };
        let inst: Inst = resp.json().map_err(|e| Error::App(e.to_string()))?;
        // Minted now (octocrab still refreshes it later) so that, in GitHub Actions, the runner
        // can mask it before anything could print it.
        let mut attempt = 0u32;
        let (crab, token) = loop {
            attempt += 1;
            match self.crab.installation_and_token(InstallationId(inst.id)).await {
                Ok(pair) => break pair,
                // GitHub's 5xx and network trouble are worth two more tries; a refusal is not.
                Err(e)
                    if attempt < 3
                        && !matches!(&e, octocrab::Error::GitHub { source, .. } if source.status_code.as_u16() < 500) =>
                {
                    tokio::time::sleep(std::time::Duration::from_millis(500 * u64::from(attempt))).await;
                }
                Err(e) => return Err(Error::App(format!("cannot get a token for installation {}: {e}", inst.id))),
            }
        };
        mask_in_actions(token.expose_secret());
        Ok(Client {
            crab,
            api_url: self.api_url.clone(),
            auth: AuthKind::Token,
            policy: self.policy.clone(),
            requests: self.requests.clone(),
        })
    }

    /// Requests sent so far by this client and the clients derived from it.
    pub fn request_count(&self) -> u64 {
        self.requests.load(Ordering::Relaxed)
    }

    /// Sends one request, retrying per the policy; a non-2xx answer is [`Error::Api`].
    pub async fn request<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
    ) -> Result<Response, Error> {
        let started = Instant::now();
        let mut waited = Duration::ZERO;
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.requests.fetch_add(1, Ordering::Relaxed);
            let sent = match method {
                Method::Get => self.crab._get(path).await,
                Method::Post => self.crab._post(path, body).await,
                Method::Patch => self.crab._patch(path, body).await,
                Method::Put => self.crab._put(path, body).await,
                Method::Delete => self.crab._delete(path, body).await,
            };
            let now = jiff::Timestamp::now().as_second();
            let (decision, failure) = match sent {
                Err(e) => {
                    let detail = error_detail(&e);
                    if is_auth_setup_error(&e) {
                        return Err(Error::App(detail));
                    }
                    (retry::decide(&self.policy, attempt, waited, &Attempt::Transport, now), Failure::Network(detail))
                }
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    let header = |n: &str| resp.headers().get(n).and_then(|v| v.to_str().ok()).map(str::to_string);
                    let retry_after = header("retry-after");
                    let remaining = header("x-ratelimit-remaining");
                    let reset = header("x-ratelimit-reset");
                    let accepted = header("x-accepted-github-permissions");
                    let text = match self.crab.body_to_string(resp).await {
                        Ok(t) => t,
                        Err(e) => {
                            let detail = error_detail(&e);
                            let d = retry::decide(&self.policy, attempt, waited, &Attempt::Transport, now);
                            if let Decision::Retry(w) = d {
                                tokio::time::sleep(w).await;
                                waited += w;
                                continue;
                            }
                            return Err(self.network(method, path, detail));
                        }
                    };
                    if (200..300).contains(&status) {
                        return Ok(Response { status, body: text });
                    }
                    let message = error_message(&text);
                    let outcome = Attempt::Status {
                        code: status,
                        retry_after: retry_after.as_deref(),
                        remaining: remaining.as_deref(),
                        reset: reset.as_deref(),
                        message: &message,
                    };
                    let d = retry::decide(&self.policy, attempt, waited, &outcome, now);
                    (d, Failure::Status { status, message, accepted })
                }
            };
            match decision {
                Decision::Retry(w) => {
                    tracing::debug!(method = method.name(), path, attempt, wait_ms = w.as_millis() as u64, "retrying");
                    tokio::time::sleep(w).await;
                    waited += w;
                }
                Decision::Done => match failure {
                    Failure::Status { status: 403, message, accepted } => {
                        return Err(permission_error(method, path, &message, accepted.as_deref()));
                    }
                    Failure::Status { status, message, .. } => {
                        let hint = if status == 401 {
                            " (the credentials are invalid, expired or revoked: check `--token` / `GITHUB_TOKEN`, or the App's id and key)".to_string()
                        } else {
                            String::new()
                        };
                        return Err(Error::Api {
                            method: method.name(),
                            path: path.to_string(),
                            status,
                            message,
                            hint,
                        });
                    }
                    Failure::Network(detail) => return Err(self.network(method, path, detail)),
                },
                Decision::GiveUp(why) => {
                    tracing::debug!(elapsed_ms = started.elapsed().as_millis() as u64, "giving up");
                    return Err(match failure {
                        Failure::Status { status, message, .. } => {
                            Error::GaveUp { method: method.name(), path: path.to_string(), status, message, why }
                        }
                        Failure::Network(detail) => self.network(method, path, detail),
                    });
                }
            }
        }
    }

    fn network(&self, method: Method, path: &str, detail: String) -> Error {
        Error::Network { method: method.name(), path: path.to_string(), url: self.api_url.clone(), detail }
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> anyhow::Result<T> {
        self.request(Method::Get, path, None::<&()>).await?.json()
    }

    pub async fn send<B: Serialize + ?Sized, T: DeserializeOwned>(
        &self,
        method: Method,
        path: &str,
        body: &B,
    ) -> anyhow::Result<T> {
        self.request(method, path, Some(body)).await?.json()
    }

    /// The login of the authenticated user (for hints); `None` when it cannot be known.
    pub async fn login(&self) -> Option<String> {
        let v: Value = self.get("/user").await.ok()?;
        v["login"].as_str().map(str::to_string)
    }
}

enum Failure {
    Network(String),
    Status { status: u16, message: String, accepted: Option<String> },
}

/// GitHub's `message` (with the first validation error's detail), else the raw text.
fn error_message(text: &str) -> String {
    match serde_json::from_str::<Value>(text) {
        Ok(v) => {
            let mut m = v["message"].as_str().unwrap_or("").to_string();
            if let Some(first) = v["errors"].as_array().and_then(|a| a.first()) {
                let detail = first["message"].as_str().or_else(|| first["code"].as_str()).unwrap_or("");
                if !detail.is_empty() && !m.contains(detail) {
                    m = format!("{m} ({detail})");
                }
            }
            if m.is_empty() { text.chars().take(200).collect() } else { m }
        }
        Err(_) => text.chars().take(200).collect(),
    }
}

/// An octocrab transport error as text, its causes included (never a header value).
fn error_detail(e: &octocrab::Error) -> String {
    let mut out = e.to_string();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        let t = s.to_string();
        if !out.contains(&t) {
            out.push_str(": ");
            out.push_str(&t);
        }
        src = s.source();
    }
    out
}

/// In GitHub Actions, asks the runner to mask a derived credential in every log line.
pub fn mask_in_actions(secret: &str) {
    if std::env::var_os("GITHUB_ACTIONS").is_some_and(|v| v == "true") {
        use std::io::Write as _;
        let mask = crate::action::workflow::add_mask(secret);
        let _ = std::io::stdout().lock().write_all(mask.as_bytes());
    }
}

/// Errors from minting an App JWT or installation token (octocrab reports a refused token
/// request as `GitHub`; the raw routes never do): not worth retrying.
fn is_auth_setup_error(e: &octocrab::Error) -> bool {
    match e {
        octocrab::Error::JWT { .. } | octocrab::Error::Installation { .. } => true,
        // A refused token request; a 5xx while minting one is worth another attempt.
        octocrab::Error::GitHub { source, .. } => !source.status_code.is_server_error(),
        _ => false,
    }
}

/// A 403 that is not a rate limit: which permission the request needs, and where to grant it.
/// GitHub names it in `x-accepted-github-permissions` (`contents=write`); else the route tells.
pub fn permission_error(method: Method, path: &str, message: &str, accepted: Option<&str>) -> Error {
    let parts: Vec<&str> = path.split('?').next().unwrap_or(path).trim_start_matches('/').split('/').collect();
    let repository = match parts.as_slice() {
        ["repos", o, r, ..] => format!("{o}/{r}"),
        ["orgs", o, ..] => (*o).to_string(),
        _ => "your account".to_string(),
    };
    let area = parts.get(3).copied().unwrap_or("");
    let workflows = message.contains("workflow");
    let guessed = if workflows {
        "workflows: write"
    } else {
        match (parts.first().copied(), area) {
            (Some("repos"), "pulls") => "pull-requests: write",
            (Some("repos"), "issues") => "pull-requests: write",
            (Some("user" | "orgs"), _) => "administration: write",
            _ if method == Method::Get => "contents: read",
            _ => "contents: write",
        }
    };
    let permission = match accepted.map(str::trim).filter(|a| !a.is_empty()) {
        Some(a) if !workflows => a
            .split(',')
            .next()
            .unwrap_or(a)
            .split(';')
            .next()
            .unwrap_or(a)
            .trim()
            .replace('=', ": ")
            .replace("pull_requests", "pull-requests"),
        _ => guessed.to_string(),
    };
    let action = if workflows {
        format!("change files under `.github/workflows/` (GitHub said: {message})")
    } else {
        format!("{} {path} (GitHub said: {message})", method.name())
    };
    Error::Permission { repository, action, permission, where_to: where_to_grant(workflows) }
}

/// Where a missing permission is granted, for each kind of credential.
pub fn where_to_grant(workflows: bool) -> String {
    if workflows {
        "a workflow's `GITHUB_TOKEN` can never get it: use a GitHub App with `workflows: write` (App settings, \
         \"Permissions & events\", then accept the new permissions on the installation) or a personal token \
         with the `workflow` scope"
            .to_string()
    } else {
        "for a workflow's `GITHUB_TOKEN` add `permissions: { contents: write, pull-requests: write }` to the job; \
         for a GitHub App, grant it in the App settings (\"Permissions & events\") and accept it on the installation; \
         for a fine-grained personal token, edit its repository permissions"
            .to_string()
    }
}

/// Percent-encodes a branch or path for a URL path, keeping `/`.
pub fn enc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_and_encoding() {
        assert_eq!(
            error_message(
                r#"{"message":"Validation Failed","errors":[{"message":"A pull request already exists for acme:amplication."}]}"#
            ),
            "Validation Failed (A pull request already exists for acme:amplication.)"
        );
        assert_eq!(error_message(r#"{"message":"Reference already exists"}"#), "Reference already exists");
        assert_eq!(error_message("<html>bad gateway</html>"), "<html>bad gateway</html>");
        assert_eq!(enc("feature/a b+c"), "feature/a%20b%2Bc");
    }

    #[test]
    fn a_403_names_the_permission() {
        let e = permission_error(
            Method::Post,
            "/repos/acme/shop/git/blobs",
            "Resource not accessible by integration",
            Some("contents=write"),
        );
        let text = e.to_string();
        assert!(text.contains("in `acme/shop`: they need the `contents: write` permission"), "{text}");
        assert!(text.contains("permissions: { contents: write, pull-requests: write }"), "{text}");
        let e = permission_error(Method::Post, "/repos/acme/shop/pulls", "Resource not accessible", None);
        assert!(e.to_string().contains("`pull-requests: write`"), "{e}");
        let e = permission_error(
            Method::Patch,
            "/repos/acme/shop/git/refs/heads/amplication",
            "refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission",
            Some("contents=write"),
        );
        let text = e.to_string();
        assert!(
            text.contains("`workflows: write`") && text.contains("change files under `.github/workflows/`"),
            "{text}"
        );
        let e = permission_error(Method::Post, "/orgs/acme/repos", "Resource not accessible", None);
        assert!(e.to_string().contains("`administration: write`"), "{e}");
    }

    #[test]
    fn errors_branch_on_status_and_message() {
        let e = Error::Api {
            method: "POST",
            path: "/repos/a/b/git/refs".into(),
            status: 422,
            message: "Reference already exists".into(),
            hint: String::new(),
        };
        assert!(e.is(422, "already exists"));
        assert!(!e.is(409, "already exists"));
        assert_eq!(e.to_string(), "GitHub answered 422 to POST /repos/a/b/git/refs: Reference already exists");
    }
}
