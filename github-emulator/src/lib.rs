//! A GitHub REST API emulator for ampsync's tests: a real HTTP server over real bare git
//! repositories on disk (`DIR/<owner>/<repo>.git`), speaking the Git Data, pull request,
//! issue, contents and App endpoints ampsync uses, with GitHub's status codes, error bodies
//! and headers, served at `/` and under the Enterprise Server prefix `/api/v3`.
//!
//! [`Emulator::spawn`] starts one on its own thread and tokio runtime for synchronous
//! tests; [`serve`] is the async entry point the binary uses. Admin operations (users,
//! repositories, tokens, apps, faults, the request log) are methods of the handle, the
//! HTTP API under `/_emulator/...`, and the seed file. See README.md.

#![deny(clippy::print_stdout)]
#![recursion_limit = "512"]

mod admin;
mod auth;
pub mod contract_proxy;
mod error;
mod git;
mod handlers;
mod objects;
mod server;
mod state;
pub mod types;

use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

pub use types::{
    Access, AllRepos, AppSpec, Fault, FaultAction, FileChange, InstallationSpec, LogEntry, MergeMethod, OrgSpec,
    Permissions, RepoAccess, RepoSpec, Seed, TokenKind, TokenSpec, UserSpec,
};

/// The TEST-ONLY RSA key pair of `tests/fixtures/` for GitHub App tests. It protects
/// nothing and must never be used for a real app.
pub mod test_keys {
    use std::path::PathBuf;

    /// PKCS#1 PEM private key (what GitHub hands out for an app).
    pub const PRIVATE_KEY_PEM: &str = include_str!("../tests/fixtures/TEST-ONLY-github-app-private-key.pem");
    /// SPKI PEM public key (register it with [`crate::Emulator::add_app`]).
    pub const PUBLIC_KEY_PEM: &str = include_str!("../tests/fixtures/TEST-ONLY-github-app-public-key.pem");

    /// Path of the private key file.
    pub fn private_key_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/TEST-ONLY-github-app-private-key.pem")
    }

    /// Path of the public key file.
    pub fn public_key_path() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/TEST-ONLY-github-app-public-key.pem")
    }
}

/// How to start an emulator.
#[derive(Debug, Clone, Default)]
pub struct Config {
    /// Where the bare repositories live; `None`: a temporary directory removed on drop.
    pub data_dir: Option<PathBuf>,
    /// Listen address for [`Emulator::spawn`]; default `127.0.0.1:0`.
    pub listen: Option<SocketAddr>,
    /// Applied at start.
    pub seed: Option<Seed>,
    /// `GET .../git/trees` answers `truncated: true` above this many entries.
    pub tree_truncate_at: Option<usize>,
}

impl Config {
    /// A config with a data directory.
    pub fn with_data_dir(dir: impl Into<PathBuf>) -> Self {
        Config { data_dir: Some(dir.into()), ..Config::default() }
    }
}

fn build_state(config: &Config, data_dir: PathBuf) -> Result<Arc<state::State>> {
    let state = state::State::new(state::absolute(&data_dir))?;
    if let Some(seed) = &config.seed {
        state.apply_seed(seed).context("applying the seed")?;
    }
    if config.tree_truncate_at.is_some() {
        state.set_tree_truncate_at(config.tree_truncate_at);
    }
    Ok(Arc::new(state))
}

/// An initialised emulator bound to a listener, not yet serving (the binary's entry point:
/// it writes the port file between [`Server::new`] and [`Server::run`]).
pub struct Server {
    state: Arc<state::State>,
    listener: tokio::net::TcpListener,
}

impl Server {
    /// Creates the state (data directory, seed). `config.data_dir` is required here.
    pub async fn new(config: Config, listener: tokio::net::TcpListener) -> Result<Server> {
        let dir = config.data_dir.clone().context("the server needs a data directory")?;
        let state = tokio::task::spawn_blocking(move || build_state(&config, dir))
            .await
            .context("initialising the emulator")??;
        Ok(Server { state, listener })
    }

    pub fn local_addr(&self) -> Result<SocketAddr> {
        Ok(self.listener.local_addr()?)
    }

    /// Serves until `shutdown` completes.
    pub async fn run(self, shutdown: impl Future<Output = ()>) {
        server::serve(self.state, self.listener, shutdown).await
    }
}

/// Serves on `listener` until `shutdown` completes. `config.data_dir` is required here.
pub async fn serve(
    config: Config,
    listener: tokio::net::TcpListener,
    shutdown: impl Future<Output = ()>,
) -> Result<()> {
    Server::new(config, listener).await?.run(shutdown).await;
    Ok(())
}

/// A running emulator; stops when dropped.
pub struct Emulator {
    state: Arc<state::State>,
    addr: SocketAddr,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
    _temp: Option<tempfile::TempDir>,
}

impl std::fmt::Debug for Emulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Emulator").field("addr", &self.addr).field("data_dir", &self.state.data_dir).finish()
    }
}

impl Emulator {
    /// Starts an emulator on its own thread with its own tokio runtime.
    pub fn spawn(config: Config) -> Result<Emulator> {
        let (temp, dir) = match &config.data_dir {
            Some(d) => (None, d.clone()),
            None => {
                let t = tempfile::Builder::new()
                    .prefix("github-emulator-")
                    .tempdir()
                    .context("creating a data directory")?;
                let p = t.path().to_path_buf();
                (Some(t), p)
            }
        };
        let state = build_state(&config, dir)?;
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("github-emulator")
            .enable_all()
            .build()
            .context("starting the emulator's runtime")?;
        let listen = config.listen.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
        let std_listener = std::net::TcpListener::bind(listen).with_context(|| format!("binding {listen}"))?;
        std_listener.set_nonblocking(true)?;
        let addr = std_listener.local_addr()?;
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let st = state.clone();
        let thread = std::thread::Builder::new().name("github-emulator".into()).spawn(move || {
            runtime.block_on(async move {
                match tokio::net::TcpListener::from_std(std_listener) {
                    Ok(listener) => {
                        server::serve(st, listener, async {
                            let _ = rx.await;
                        })
                        .await
                    }
                    Err(e) => eprintln!("github-emulator: cannot listen: {e}"),
                }
            });
            runtime.shutdown_timeout(std::time::Duration::from_secs(5));
        })?;
        Ok(Emulator { state, addr, shutdown: Some(tx), thread: Some(thread), _temp: temp })
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The GitHub Enterprise Server style base URL: `http://127.0.0.1:PORT/api/v3`.
    pub fn ghes_url(&self) -> String {
        format!("http://{}/api/v3", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The directory holding `<owner>/<repo>.git`.
    pub fn data_dir(&self) -> &Path {
        &self.state.data_dir
    }

    /// Adds a user.
    pub fn add_user(&self, login: &str) -> Result<()> {
        self.state.add_user(&UserSpec { login: login.into(), name: None, email: None })
    }

    /// Adds a user with a display name and a commit email.
    pub fn add_user_spec(&self, spec: &UserSpec) -> Result<()> {
        self.state.add_user(spec)
    }

    /// Adds an organisation with its members (created as users when unknown).
    pub fn add_org(&self, login: &str, members: &[&str]) -> Result<()> {
        self.state.add_org(&OrgSpec { login: login.into(), members: members.iter().map(|m| m.to_string()).collect() })
    }

    /// Creates a repository: `empty` makes a bare repository with no commits, otherwise one
    /// commit with a README on `default_branch`. Returns the bare repository's path.
    pub fn add_repo(
        &self,
        owner: &str,
        name: &str,
        default_branch: &str,
        private: bool,
        empty: bool,
    ) -> Result<PathBuf> {
        self.state.add_repo(&RepoSpec {
            owner: owner.into(),
            name: name.into(),
            default_branch: default_branch.into(),
            private,
            empty,
        })
    }

    /// `DIR/<owner>/<name>.git` (of a registered repository, or where it would be).
    pub fn repo_path(&self, owner: &str, name: &str) -> PathBuf {
        self.state.repo_path(owner, name).unwrap_or_else(|| self.state.data_dir.join(owner).join(format!("{name}.git")))
    }

    /// Registers a token.
    pub fn add_token(
        &self,
        token: &str,
        login: &str,
        kind: TokenKind,
        repos: RepoAccess,
        permissions: Permissions,
    ) -> Result<()> {
        self.state.add_token(&TokenSpec { token: token.into(), login: login.into(), kind, repos, permissions })
    }

    /// Registers a GitHub App (slug `app-<id>`) with its RS256 public key.
    pub fn add_app(&self, app_id: u64, public_key_pem: &str) -> Result<()> {
        self.state.add_app(&AppSpec {
            id: app_id,
            slug: None,
            name: None,
            owner: None,
            public_key_pem: Some(public_key_pem.into()),
            public_key_path: None,
        })
    }

    /// Registers a GitHub App with every detail.
    pub fn add_app_spec(&self, spec: &AppSpec) -> Result<()> {
        self.state.add_app(spec)
    }

    /// Installs an app on an account.
    pub fn add_installation(
        &self,
        id: u64,
        app_id: u64,
        account: &str,
        repositories: RepoAccess,
        permissions: Permissions,
    ) -> Result<()> {
        self.state.add_installation(&InstallationSpec {
            id,
            app_id,
            account: account.into(),
            repositories,
            permissions,
        })
    }

    /// Injects a fault.
    pub fn add_fault(&self, fault: Fault) -> Result<()> {
        self.state.add_fault(fault)
    }

    /// Removes every fault.
    pub fn clear_faults(&self) {
        self.state.clear_faults()
    }

    /// Every GitHub API request so far (admin requests are not logged).
    pub fn log(&self) -> Vec<LogEntry> {
        self.state.log()
    }

    pub fn clear_log(&self) {
        self.state.clear_log()
    }

    /// Merges a pull request as its repository's owner (like `PUT .../pulls/{n}/merge`);
    /// returns the new tip of the base branch.
    pub fn merge_pull(&self, owner: &str, repo: &str, number: u64, method: MergeMethod) -> Result<String> {
        admin::merge_as_owner(&self.state, owner, repo, number, method)
    }

    /// `GET .../git/trees` answers `truncated: true` above `n` entries (`None`: never).
    pub fn set_tree_truncate_at(&self, n: Option<usize>) {
        self.state.set_tree_truncate_at(n)
    }

    /// "Someone else" commits changes onto a branch (created when missing); returns the sha.
    pub fn commit_files(
        &self,
        owner: &str,
        repo: &str,
        branch: &str,
        changes: &[FileChange],
        message: &str,
    ) -> Result<String> {
        self.state.commit_files(owner, repo, branch, changes, message)
    }

    /// Applies a seed document.
    pub fn apply_seed(&self, seed: &Seed) -> Result<()> {
        self.state.apply_seed(seed)
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
