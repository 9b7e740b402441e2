//! The emulator's state: accounts, repositories (metadata in memory, git data on disk),
//! tokens, apps, installations, faults and the request log, plus the admin operations on
//! them. The HTTP layer, the admin API, the seed file and the `Emulator` handle all go
//! through the methods here.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::{Context, Result, bail};
use jiff::Timestamp;

use crate::git::{Git, Ident};
use crate::types::{
    AppSpec, Fault, FaultAction, FileChange, InstallationSpec, LogEntry, OrgSpec, Permissions, RepoAccess, RepoSpec,
    Seed, TokenKind, TokenSpec, UserSpec,
};

pub(crate) const ACTIONS_BOT: &str = "github-actions[bot]";
pub(crate) const ACTIONS_BOT_ID: u64 = 41898282;
pub(crate) const WEB_FLOW: &str = "web-flow";
pub(crate) const WEB_FLOW_ID: u64 = 19864447;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum AccountKind {
    User,
    Organization,
    Bot,
}

impl AccountKind {
    pub fn as_str(self) -> &'static str {
        match self {
            AccountKind::User => "User",
            AccountKind::Organization => "Organization",
            AccountKind::Bot => "Bot",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Account {
    pub id: u64,
    pub login: String,
    pub kind: AccountKind,
    pub name: Option<String>,
    pub email: Option<String>,
    /// Lower-cased logins of an organisation's members.
    pub members: BTreeSet<String>,
    pub created_at: Timestamp,
}

impl Account {
    /// The address commits made as this account carry.
    pub fn commit_email(&self) -> String {
        self.email.clone().unwrap_or_else(|| format!("{}+{}@users.noreply.github.com", self.id, self.login))
    }

    pub fn display_name(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.login.clone())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Label {
    pub id: u64,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub id: u64,
    pub user: String,
    pub body: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone)]
pub(crate) struct Pull {
    pub id: u64,
    pub head_ref: String,
    pub base_ref: String,
    /// The head commit when last seen (kept when the branch goes away or the PR closes).
    pub head_sha: String,
    pub base_sha: String,
    pub draft: bool,
    pub merged: bool,
    pub merged_at: Option<Timestamp>,
    pub merge_commit_sha: Option<String>,
    pub merged_by: Option<String>,
    pub requested_reviewers: Vec<String>,
    pub requested_teams: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Issue {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    pub open: bool,
    pub state_reason: Option<String>,
    pub user: String,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub closed_at: Option<Timestamp>,
    pub closed_by: Option<String>,
    pub comments: Vec<Comment>,
    pub pull: Option<Pull>,
}

#[derive(Debug, Clone)]
pub(crate) struct Repo {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub private: bool,
    pub default_branch: String,
    pub description: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub path: PathBuf,
    pub next_number: u64,
    pub issues: BTreeMap<u64, Issue>,
    pub labels: Vec<Label>,
    /// Commits the emulator "signed" (GitHub would have signed them): sha -> verified.
    pub verified: HashMap<String, bool>,
}

impl Repo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    pub fn git(&self) -> Git {
        Git::new(&self.path)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Token {
    pub kind: TokenKind,
    /// The identity the token acts as (user login or bot login).
    pub login: String,
    pub repos: RepoAccess,
    pub permissions: Permissions,
    pub expires_at: Option<Timestamp>,
    /// For installation tokens minted through the App flow: the installation's account.
    pub installation_account: Option<String>,
    /// Counts requests for the rate-limit headers.
    pub used: u64,
}

#[derive(Debug, Clone)]
pub(crate) struct App {
    pub id: u64,
    pub slug: String,
    pub name: String,
    pub owner: String,
    pub public_key_pem: String,
    pub created_at: Timestamp,
}

impl App {
    pub fn bot_login(&self) -> String {
        format!("{}[bot]", self.slug)
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Installation {
    pub id: u64,
    pub app_id: u64,
    pub account: String,
    pub repositories: RepoAccess,
    pub permissions: Permissions,
    pub created_at: Timestamp,
}

/// Everything in memory, behind one mutex.
#[derive(Debug)]
pub(crate) struct Db {
    next_id: u64,
    pub accounts: BTreeMap<String, Account>,
    pub repos: BTreeMap<String, Repo>,
    pub tokens: HashMap<String, Token>,
    pub apps: BTreeMap<u64, App>,
    pub installations: BTreeMap<u64, Installation>,
    pub anonymous_used: u64,
    pub rate_reset: i64,
}

pub(crate) fn repo_key(owner: &str, name: &str) -> String {
    format!("{}/{}", owner.to_ascii_lowercase(), name.to_ascii_lowercase())
}

impl Db {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    pub fn account(&self, login: &str) -> Option<&Account> {
        self.accounts.get(&login.to_ascii_lowercase())
    }

    pub fn repo(&self, owner: &str, name: &str) -> Option<&Repo> {
        self.repos.get(&repo_key(owner, name))
    }

    pub fn repo_mut(&mut self, owner: &str, name: &str) -> Option<&mut Repo> {
        self.repos.get_mut(&repo_key(owner, name))
    }

    /// Creates the account when unknown; returns its login as stored.
    pub fn ensure_account(&mut self, login: &str, kind: AccountKind) -> String {
        let key = login.to_ascii_lowercase();
        if let Some(a) = self.accounts.get(&key) {
            return a.login.clone();
        }
        let id = if login == ACTIONS_BOT { ACTIONS_BOT_ID } else { self.next_id() };
        self.accounts.insert(
            key,
            Account {
                id,
                login: login.to_string(),
                kind,
                name: None,
                email: None,
                members: BTreeSet::new(),
                created_at: Timestamp::now(),
            },
        );
        login.to_string()
    }

    /// Finds the account a commit's author email belongs to.
    pub fn account_by_email(&self, email: &str) -> Option<&Account> {
        let email = email.to_ascii_lowercase();
        self.accounts.values().find(|a| a.commit_email().to_ascii_lowercase() == email)
    }

    /// Whether `login` is the owner or a member of the owning organisation of `owner`.
    pub fn is_member_of(&self, login: &str, owner: &str) -> bool {
        if login.eq_ignore_ascii_case(owner) {
            return true;
        }
        self.account(owner).is_some_and(|o| o.members.contains(&login.to_ascii_lowercase()))
    }

    /// The identity commits default to for a token-holder.
    pub fn identity(&self, login: &str) -> Ident {
        match self.account(login) {
            Some(a) => Ident::now(&a.display_name(), &a.commit_email()),
            None => Ident::now(login, &format!("{login}@users.noreply.github.com")),
        }
    }
}

/// A fault with its match counter.
#[derive(Debug)]
pub(crate) struct ArmedFault {
    pub fault: Fault,
    pub method: Option<String>,
    pub path: regex::Regex,
    pub seen: u64,
}

/// Shared state of one emulator.
#[derive(Debug)]
pub(crate) struct State {
    pub data_dir: PathBuf,
    pub db: Mutex<Db>,
    locks: Mutex<HashMap<String, Arc<Mutex<()>>>>,
    pub faults: Mutex<Vec<ArmedFault>>,
    pub log: Mutex<Vec<LogEntry>>,
    /// 0: no truncation.
    pub tree_truncate_at: AtomicUsize,
    pub request_counter: AtomicU64,
    pub someone_else_counter: AtomicU64,
}

/// Locks a mutex, recovering from poisoning (a panicking test thread must not wedge the server).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Compiles a fault path pattern: `^...` is a regex, anything else a glob.
pub(crate) fn compile_path_pattern(pattern: &str) -> Result<regex::Regex> {
    if pattern.starts_with('^') {
        return regex::Regex::new(pattern).with_context(|| format!("invalid fault path regex `{pattern}`"));
    }
    let mut rx = String::from("^");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' if chars.peek() == Some(&'*') => {
                chars.next();
                rx.push_str(".*");
            }
            '*' => rx.push_str("[^/]*"),
            '?' => rx.push_str("[^/]"),
            c => rx.push_str(&regex::escape(&c.to_string())),
        }
    }
    rx.push('$');
    regex::Regex::new(&rx).with_context(|| format!("invalid fault path glob `{pattern}`"))
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 100
        && s != "."
        && s != ".."
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' || b == b'[' || b == b']')
}

impl State {
    pub fn new(data_dir: PathBuf) -> Result<State> {
        std::fs::create_dir_all(&data_dir)
            .with_context(|| format!("creating data directory `{}`", data_dir.display()))?;
        let now = Timestamp::now().as_second();
        let state = State {
            data_dir,
            db: Mutex::new(Db {
                next_id: 1000,
                accounts: BTreeMap::new(),
                repos: BTreeMap::new(),
                tokens: HashMap::new(),
                apps: BTreeMap::new(),
                installations: BTreeMap::new(),
                anonymous_used: 0,
                rate_reset: now + 3600,
            }),
            locks: Mutex::new(HashMap::new()),
            faults: Mutex::new(Vec::new()),
            log: Mutex::new(Vec::new()),
            tree_truncate_at: AtomicUsize::new(0),
            request_counter: AtomicU64::new(0),
            someone_else_counter: AtomicU64::new(0),
        };
        {
            let mut db = lock(&state.db);
            db.ensure_account(ACTIONS_BOT, AccountKind::Bot);
            // GitHub's committer of web and API commits ("GitHub <noreply@github.com>").
            db.ensure_account(WEB_FLOW, AccountKind::User);
            if let Some(a) = db.accounts.get_mut(WEB_FLOW) {
                a.id = WEB_FLOW_ID;
                a.name = Some("GitHub".into());
                a.email = Some("noreply@github.com".into());
            }
        }
        state.adopt_existing_repositories()?;
        Ok(state)
    }

    /// Registers bare repositories already present under the data directory (a restarted
    /// emulator keeps serving them; metadata such as pull requests is not persisted).
    fn adopt_existing_repositories(&self) -> Result<()> {
        let Ok(owners) = std::fs::read_dir(&self.data_dir) else { return Ok(()) };
        for owner in owners.flatten() {
            if !owner.path().is_dir() {
                continue;
            }
            let owner_name = owner.file_name().to_string_lossy().to_string();
            let Ok(repos) = std::fs::read_dir(owner.path()) else { continue };
            for repo in repos.flatten() {
                let file = repo.file_name().to_string_lossy().to_string();
                let Some(name) = file.strip_suffix(".git") else { continue };
                if !repo.path().join("HEAD").exists() {
                    continue;
                }
                let git = Git::new(repo.path());
                let head = git
                    .run(&["symbolic-ref", "--short", "HEAD"], None)
                    .map(|o| String::from_utf8_lossy(&o).trim().to_string())
                    .unwrap_or_else(|_| "main".to_string());
                let mut db = lock(&self.db);
                db.ensure_account(&owner_name, AccountKind::User);
                let id = db.next_id();
                let now = Timestamp::now();
                db.repos.insert(
                    repo_key(&owner_name, name),
                    Repo {
                        id,
                        owner: owner_name.clone(),
                        name: name.to_string(),
                        private: false,
                        default_branch: head,
                        description: None,
                        created_at: now,
                        updated_at: now,
                        path: repo.path(),
                        next_number: 1,
                        issues: BTreeMap::new(),
                        labels: Vec::new(),
                        verified: HashMap::new(),
                    },
                );
            }
        }
        Ok(())
    }

    /// The write lock of one repository.
    pub fn repo_lock(&self, owner: &str, name: &str) -> Arc<Mutex<()>> {
        lock(&self.locks).entry(repo_key(owner, name)).or_default().clone()
    }

    pub fn tree_truncate_at(&self) -> Option<usize> {
        match self.tree_truncate_at.load(Ordering::Relaxed) {
            0 => None,
            n => Some(n),
        }
    }

    pub fn set_tree_truncate_at(&self, n: Option<usize>) {
        self.tree_truncate_at.store(n.unwrap_or(0), Ordering::Relaxed);
    }

    // ---- admin operations -------------------------------------------------------------

    pub fn add_user(&self, spec: &UserSpec) -> Result<()> {
        if !valid_name(&spec.login) {
            bail!("invalid login `{}`", spec.login);
        }
        let mut db = lock(&self.db);
        let kind = if spec.login.ends_with("[bot]") { AccountKind::Bot } else { AccountKind::User };
        db.ensure_account(&spec.login, kind);
        let a = db.accounts.get_mut(&spec.login.to_ascii_lowercase()).expect("just ensured");
        if a.kind == AccountKind::Organization {
            bail!("`{}` is an organisation", spec.login);
        }
        if spec.name.is_some() {
            a.name = spec.name.clone();
        }
        if spec.email.is_some() {
            a.email = spec.email.clone();
        }
        Ok(())
    }

    pub fn add_org(&self, spec: &OrgSpec) -> Result<()> {
        if !valid_name(&spec.login) {
            bail!("invalid organisation login `{}`", spec.login);
        }
        let mut db = lock(&self.db);
        for m in &spec.members {
            db.ensure_account(m, AccountKind::User);
        }
        let key = spec.login.to_ascii_lowercase();
        if let Some(a) = db.accounts.get(&key)
            && a.kind != AccountKind::Organization
        {
            bail!("`{}` already exists as a user", spec.login);
        }
        let id = db.next_id();
        let org = db.accounts.entry(key).or_insert_with(|| Account {
            id,
            login: spec.login.clone(),
            kind: AccountKind::Organization,
            name: None,
            email: None,
            members: BTreeSet::new(),
            created_at: Timestamp::now(),
        });
        org.members.extend(spec.members.iter().map(|m| m.to_ascii_lowercase()));
        Ok(())
    }

    /// Creates a repository on disk and registers it; returns its bare repository path.
    pub fn add_repo(&self, spec: &RepoSpec) -> Result<PathBuf> {
        self.create_repo(spec, None).map(|r| r.path)
    }

    /// Creates a repository; `readme_author` is who authors the initial commit.
    pub fn create_repo(&self, spec: &RepoSpec, readme_author: Option<Ident>) -> Result<Repo> {
        if !valid_name(&spec.owner) || !valid_name(&spec.name) || spec.name.contains('[') {
            bail!("invalid repository name `{}/{}`", spec.owner, spec.name);
        }
        let path = self.data_dir.join(&spec.owner).join(format!("{}.git", spec.name));
        let lock_handle = self.repo_lock(&spec.owner, &spec.name);
        let _guard = lock(&lock_handle);
        {
            let mut db = lock(&self.db);
            if db.repo(&spec.owner, &spec.name).is_some() {
                bail!("repository `{}/{}` already exists", spec.owner, spec.name);
            }
            db.ensure_account(&spec.owner, AccountKind::User);
        }
        if path.exists() {
            bail!("`{}` already exists on disk but is not a registered repository", path.display());
        }
        let git = Git::init_bare(&path, &spec.default_branch)?;
        let mut verified = HashMap::new();
        if !spec.empty {
            let readme = format!("# {}\n", spec.name);
            let blob = git.write_blob(readme.as_bytes())?;
            let tree = git.mktree(&[("100644".into(), "blob".into(), blob, "README.md".into())])?;
            let author = readme_author.clone().unwrap_or_else(|| {
                let db = lock(&self.db);
                db.identity(&spec.owner)
            });
            let committer = Ident::now("GitHub", "noreply@github.com");
            let sha = git.commit_tree(&tree, &[], "Initial commit", &author, &committer)?;
            git.update_ref(&format!("refs/heads/{}", spec.default_branch), &sha, None)
                .map_err(|e| anyhow::anyhow!("creating the default branch: {e:?}"))?;
            verified.insert(sha, true);
        }
        let mut db = lock(&self.db);
        let owner = db.account(&spec.owner).map(|a| a.login.clone()).unwrap_or_else(|| spec.owner.clone());
        let id = db.next_id();
        let now = Timestamp::now();
        let repo = Repo {
            id,
            owner,
            name: spec.name.clone(),
            private: spec.private,
            default_branch: spec.default_branch.clone(),
            description: None,
            created_at: now,
            updated_at: now,
            path,
            next_number: 1,
            issues: BTreeMap::new(),
            labels: Vec::new(),
            verified,
        };
        db.repos.insert(repo_key(&spec.owner, &spec.name), repo.clone());
        Ok(repo)
    }

    pub fn repo_path(&self, owner: &str, name: &str) -> Option<PathBuf> {
        lock(&self.db).repo(owner, name).map(|r| r.path.clone())
    }

    pub fn add_token(&self, spec: &TokenSpec) -> Result<()> {
        if spec.token.is_empty() || spec.token.contains(char::is_whitespace) {
            bail!("a token must be non-empty and without spaces");
        }
        let mut db = lock(&self.db);
        let login = match spec.kind {
            TokenKind::Actions => ACTIONS_BOT.to_string(),
            TokenKind::Pat => {
                if spec.login.is_empty() {
                    bail!("a PAT needs the `login` of its user");
                }
                db.ensure_account(&spec.login, AccountKind::User)
            }
            TokenKind::Installation => {
                let login = if spec.login.is_empty() { "app[bot]".to_string() } else { spec.login.clone() };
                db.ensure_account(&login, AccountKind::Bot)
            }
        };
        db.tokens.insert(
            spec.token.clone(),
            Token {
                kind: spec.kind,
                login,
                repos: spec.repos.clone(),
                permissions: spec.permissions.clone(),
                expires_at: None,
                installation_account: None,
                used: 0,
            },
        );
        Ok(())
    }

    pub fn add_app(&self, spec: &AppSpec) -> Result<()> {
        let pem = match (&spec.public_key_pem, &spec.public_key_path) {
            (Some(pem), _) => pem.clone(),
            (None, Some(path)) => {
                std::fs::read_to_string(path).with_context(|| format!("reading the app's public key `{path}`"))?
            }
            (None, None) => bail!("an app needs `public_key_pem` or `public_key_path`"),
        };
        jsonwebtoken::DecodingKey::from_rsa_pem(pem.as_bytes())
            .context("the app's public key is not an RSA PEM key")?;
        let slug = spec.slug.clone().unwrap_or_else(|| format!("app-{}", spec.id));
        if !valid_name(&slug) {
            bail!("invalid app slug `{slug}`");
        }
        let mut db = lock(&self.db);
        let owner = db.ensure_account(spec.owner.as_deref().unwrap_or("app-owner"), AccountKind::User);
        let app = App {
            id: spec.id,
            name: spec.name.clone().unwrap_or_else(|| slug.clone()),
            slug,
            owner,
            public_key_pem: pem,
            created_at: Timestamp::now(),
        };
        db.ensure_account(&app.bot_login(), AccountKind::Bot);
        db.apps.insert(spec.id, app);
        Ok(())
    }

    pub fn add_installation(&self, spec: &InstallationSpec) -> Result<()> {
        let mut db = lock(&self.db);
        if !db.apps.contains_key(&spec.app_id) {
            bail!("unknown app id {}", spec.app_id);
        }
        let account = db.ensure_account(&spec.account, AccountKind::User);
        db.installations.insert(
            spec.id,
            Installation {
                id: spec.id,
                app_id: spec.app_id,
                account,
                repositories: spec.repositories.clone(),
                permissions: spec.permissions.clone(),
                created_at: Timestamp::now(),
            },
        );
        Ok(())
    }

    pub fn add_fault(&self, fault: Fault) -> Result<()> {
        if fault.nth == 0 {
            bail!("`nth` is 1-based");
        }
        let path = compile_path_pattern(&fault.path)?;
        let method = fault.method.clone().filter(|m| m != "*").map(|m| m.to_ascii_uppercase());
        lock(&self.faults).push(ArmedFault { fault, method, path, seen: 0 });
        Ok(())
    }

    pub fn clear_faults(&self) {
        lock(&self.faults).clear();
    }

    /// The actions of the faults this request triggers, in the order they were added.
    pub fn triggered_faults(&self, method: &str, path: &str) -> Vec<FaultAction> {
        let mut out = Vec::new();
        for f in lock(&self.faults).iter_mut() {
            if f.method.as_deref().is_some_and(|m| m != method) || !f.path.is_match(path) {
                continue;
            }
            f.seen += 1;
            if f.seen >= f.fault.nth && f.seen < f.fault.nth.saturating_add(f.fault.times) {
                out.push(f.fault.action.clone());
            }
        }
        out
    }

    pub fn log(&self) -> Vec<LogEntry> {
        lock(&self.log).clone()
    }

    pub fn clear_log(&self) {
        lock(&self.log).clear();
    }

    pub fn apply_seed(&self, seed: &Seed) -> Result<()> {
        for u in &seed.users {
            self.add_user(u).with_context(|| format!("seed user `{}`", u.login))?;
        }
        for o in &seed.orgs {
            self.add_org(o).with_context(|| format!("seed organisation `{}`", o.login))?;
        }
        for r in &seed.repos {
            self.add_repo(r).with_context(|| format!("seed repository `{}/{}`", r.owner, r.name))?;
        }
        for t in &seed.tokens {
            self.add_token(t).context("seed token")?;
        }
        for a in &seed.apps {
            self.add_app(a).with_context(|| format!("seed app {}", a.id))?;
        }
        for i in &seed.installations {
            self.add_installation(i).with_context(|| format!("seed installation {}", i.id))?;
        }
        for f in &seed.faults {
            self.add_fault(f.clone()).context("seed fault")?;
        }
        if seed.tree_truncate_at.is_some() {
            self.set_tree_truncate_at(seed.tree_truncate_at);
        }
        Ok(())
    }

    /// Commits file changes onto a branch as "someone else" pushing with git (not signed).
    /// A missing branch starts from the default branch's tip (a root commit when the
    /// repository is empty).
    pub fn commit_files(
        &self,
        owner: &str,
        name: &str,
        branch: &str,
        changes: &[FileChange],
        message: &str,
    ) -> Result<String> {
        let (path, default_branch) = self.repo_path_and_branch(owner, name)?;
        let lock_handle = self.repo_lock(owner, name);
        let _guard = lock(&lock_handle);
        let git = Git::new(&path);
        let full = format!("refs/heads/{branch}");
        let old = git.read_ref(&full)?;
        let start = match &old {
            Some(c) => Some(c.clone()),
            None => git.read_ref(&format!("refs/heads/{default_branch}"))?,
        };
        let base_tree = match &start {
            Some(c) => Some(git.resolve(c, "tree")?.context("branch tip has no tree")?),
            None => None,
        };
        let mut edits = Vec::new();
        for c in changes {
            let sha = match &c.content {
                Some(content) => Some(git.write_blob(content.as_bytes())?),
                None => None,
            };
            edits.push(crate::handlers::git_data::TreeEdit {
                path: c.path.clone(),
                mode: "100644".into(),
                kind: "blob".into(),
                sha,
            });
        }
        let tree = crate::handlers::git_data::build_tree(&git, base_tree.as_deref(), &edits)
            .map_err(|e| anyhow::anyhow!("building the tree: {}", e.0.body.unwrap_or_default()))?;
        let who = Ident::now("Someone Else", "someone-else@example.com");
        let parents: Vec<String> = start.iter().cloned().collect();
        let sha = git.commit_tree(&tree, &parents, message, &who, &who)?;
        git.update_ref(&full, &sha, old.as_deref()).map_err(|e| anyhow::anyhow!("moving `{full}`: {e:?}"))?;
        Ok(sha)
    }

    fn repo_path_and_branch(&self, owner: &str, name: &str) -> Result<(PathBuf, String)> {
        let db = lock(&self.db);
        let r = db.repo(owner, name).with_context(|| format!("no repository `{owner}/{name}`"))?;
        Ok((r.path.clone(), r.default_branch.clone()))
    }

    /// The `MoveRef` fault: someone else pushes a commit onto `reference` of the repository.
    pub fn someone_else_pushes(&self, owner: &str, name: &str, reference: &str) -> Result<()> {
        let branch = reference.trim_start_matches("refs/").trim_start_matches("heads/");
        let n = self.someone_else_counter.fetch_add(1, Ordering::Relaxed) + 1;
        let path = self.repo_path(owner, name).with_context(|| format!("no repository `{owner}/{name}`"))?;
        if Git::new(&path).is_empty()? {
            bail!("`{owner}/{name}` is empty: nothing to push onto `{reference}`");
        }
        self.commit_files(
            owner,
            name,
            branch,
            &[FileChange {
                path: "someone-else.txt".into(),
                content: Some(format!("someone else pushed this ({n})\n")),
            }],
            &format!("Someone else's change {n}"),
        )?;
        Ok(())
    }
}

/// The data directory for a path, made absolute.
pub(crate) fn absolute(p: &Path) -> PathBuf {
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map(|d| d.join(p)).unwrap_or_else(|_| p.to_path_buf())
    }
}

#[cfg(test)]
mod tests {
    use super::compile_path_pattern;

    #[test]
    fn fault_paths_are_globs_or_regexes() {
        let g = compile_path_pattern("/repos/*/shop/git/refs/**").unwrap();
        assert!(g.is_match("/repos/acme/shop/git/refs/heads/a/b"));
        assert!(!g.is_match("/repos/acme/x/shop/git/refs/heads/a"));
        assert!(!g.is_match("/repos/acme/shop/git/refs"));
        let exact = compile_path_pattern("/repos/acme/shop").unwrap();
        assert!(exact.is_match("/repos/acme/shop"));
        assert!(!exact.is_match("/repos/acme/shop/pulls"));
        let rx = compile_path_pattern("^/repos/[^/]+/shop/pulls/\\d+$").unwrap();
        assert!(rx.is_match("/repos/acme/shop/pulls/12"));
        assert!(compile_path_pattern("^(").is_err());
    }
}
