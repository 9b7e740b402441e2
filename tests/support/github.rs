//! The GitHub test world: the emulator (real bare repositories, real HTTP) behind the
//! contract proxy (`../shared/tools/github-contract-proxy`, GitHub's OpenAPI description), a
//! local checkout holding the manifest and templates, and `ampsync sync --provider github`
//! run as a user runs it. [`GhWorld::finish`] requires zero contract violations.

use std::path::{Path, PathBuf};
use std::process::Command;

use github_emulator::{Config, Emulator, LogEntry, Permissions, RepoAccess, TokenKind};
use serde_json::Value;

use super::git::TestRepo;
use super::{ampsync, fixture};

pub const TOKEN: &str = "ghp_alice_token_do_not_print_0123456789";

pub use github_emulator::contract_proxy::Proxy;

/// A manifest committing service `shop` (mini templates) to `acme/shop`, with PR settings.
pub const MANIFEST: &str = "version: 1
project: shop
git:
  provider: github
  repository: acme/shop
  baseBranch: main
  pullRequest:
    labels: [amplication, generated]
    reviewers: [bob]
    assignees: [alice]
services:
  - name: shop
    templates: tools/templates
    entities:
      - name: Customer
        fields:
          - name: name
            type: SingleLineText
      - name: Order
        fields:
          - name: total
            type: DecimalNumber
          - name: customer
            type: Lookup
            target: Customer
            inverse: orders
";

pub const BASE: &str = "apps/shop/src/order/base/order.base.ts";
pub const WRAPPER: &str = "apps/shop/src/order/order.ts";

pub struct GhWorld {
    pub emu: Emulator,
    pub proxy: Option<Proxy>,
    /// The API URL ampsync is given (the proxy's, or the emulator's for what the proxy cannot carry).
    pub api: String,
    /// The local checkout: manifest and templates (what `actions/checkout` gives a workflow).
    pub checkout: TestRepo,
    _tmp: tempfile::TempDir,
}

impl GhWorld {
    /// `acme/shop` seeded from a checkout holding `manifest`, alice's token, the proxy.
    pub fn new(manifest: &str) -> GhWorld {
        Self::build(manifest, true, None)
    }

    /// Without the proxy (dropped connections cannot cross it).
    pub fn direct(manifest: &str) -> GhWorld {
        Self::build(manifest, false, None)
    }

    pub fn build(manifest: &str, proxy: bool, base_path: Option<&str>) -> GhWorld {
        let tmp = tempfile::Builder::new().prefix("ampsync-gh-").tempdir().expect("temp dir");
        let emu = Emulator::spawn(Config::default()).expect("the emulator starts");
        emu.add_org("acme", &["alice"]).expect("org");
        emu.add_user("bob").expect("user");
        emu.add_repo("acme", "shop", "main", true, false).expect("repo");
        emu.add_token(TOKEN, "alice", TokenKind::Pat, RepoAccess::all(), Permissions::all()).expect("token");
        let checkout = TestRepo::new(&[("amplication.yaml", manifest)]);
        copy_templates(&checkout.path);
        checkout.commit_all("Add the templates");
        let (proxy, api) = if proxy {
            let p = Proxy::start(&emu.url(), base_path, tmp.path(), "proxy");
            let url = format!("{}{}", p.url, base_path.unwrap_or(""));
            (Some(p), url)
        } else {
            (None, emu.url())
        };
        let w = GhWorld { emu, proxy, api, checkout, _tmp: tmp };
        w.push();
        w
    }

    pub fn bare(&self) -> PathBuf {
        self.emu.repo_path("acme", "shop")
    }

    /// git on the emulator's bare repository.
    pub fn gh(&self, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(self.bare())
            .args(args)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    pub fn gh_rev(&self, rev: &str) -> Option<String> {
        let out = Command::new("git")
            .arg("--git-dir")
            .arg(self.bare())
            .args(["rev-parse", "--verify", "-q", rev])
            .output()
            .expect("git runs");
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    pub fn show(&self, rev: &str, path: &str) -> String {
        self.gh(&["show", &format!("{rev}:{path}")])
    }

    /// Pushes the checkout's `main` to GitHub (as a person would).
    pub fn push(&self) {
        self.checkout.git(&["push", "-q", "--force", self.bare().to_str().expect("utf-8 path"), "main:main"]);
    }

    /// Brings GitHub's `main` into the checkout (after a merge on GitHub).
    pub fn pull(&self) {
        self.checkout.git(&["fetch", "-q", self.bare().to_str().expect("utf-8 path"), "main"]);
        self.checkout.git(&["reset", "-q", "--hard", "FETCH_HEAD"]);
    }

    /// Adds a field to an entity of the checkout's manifest, commits and pushes it.
    pub fn add_field(&self, entity: &str, field: &str, message: &str) {
        self.edit_manifest(message, |manifest| {
            let marker = format!("      - name: {entity}\n        fields:\n");
            assert!(manifest.contains(&marker), "entity {entity} in the manifest");
            manifest.replacen(&marker, &format!("{marker}{field}"), 1)
        });
    }

    /// Brings GitHub's `main` in, rewrites the checkout's manifest with `edit`, commits and pushes.
    pub fn edit_manifest(&self, message: &str, edit: impl FnOnce(&str) -> String) {
        self.pull();
        let manifest = std::fs::read_to_string(self.checkout.path.join("amplication.yaml")).expect("manifest");
        let edited = edit(&manifest);
        assert_ne!(edited, manifest, "the edit changes the manifest");
        self.checkout.write("amplication.yaml", &edited);
        self.checkout.commit_all(message);
        self.push();
    }

    /// A person's commit of one file straight on GitHub's `branch`.
    pub fn commit_on(&self, branch: &str, path: &str, content: &str, message: &str) {
        self.emu
            .commit_files(
                "acme",
                "shop",
                branch,
                &[github_emulator::FileChange { path: path.into(), content: Some(content.into()) }],
                message,
            )
            .expect("a person's commit");
    }

    /// `ampsync sync --provider github --json` with the token and API URL; (exit, JSON, stderr).
    pub fn sync(&self, extra: &[&str]) -> (i32, Value, String) {
        self.sync_with(&["--token", TOKEN], extra)
    }

    pub fn sync_with(&self, auth: &[&str], extra: &[&str]) -> (i32, Value, String) {
        let out = self.cmd(auth, extra).output().expect("ampsync runs");
        let code = out.status.code().unwrap_or(-1);
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let stderr = String::from_utf8_lossy(&out.stderr).to_string();
        assert!(!stdout.contains(TOKEN) && !stderr.contains(TOKEN), "the token leaked:\n{stdout}\n{stderr}");
        let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        (code, json, stderr)
    }

    pub fn cmd(&self, auth: &[&str], extra: &[&str]) -> assert_cmd::Command {
        let mut cmd = ampsync();
        cmd.current_dir(&self.checkout.path)
            .env_remove("GITHUB_API_URL")
            .env_remove("GITHUB_REPOSITORY")
            .env("AMPSYNC_GITHUB_MAX_WAIT", "10")
            .args(["sync", "--provider", "github", "--json", "--api-url", &self.api])
            .args(auth)
            .args(extra);
        cmd
    }

    /// Runs a sync expected to succeed; returns its JSON and the API requests it made.
    #[track_caller]
    pub fn ok(&self, extra: &[&str]) -> (Value, Vec<LogEntry>) {
        self.emu.clear_log();
        let (code, json, stderr) = self.sync(extra);
        assert!(code == 0, "sync failed (exit {code}):\n{json}\n{stderr}");
        (json, self.emu.log())
    }

    /// Open pull requests of `acme/shop`, straight from the emulator.
    pub fn pulls(&self, state: &str) -> Vec<Value> {
        self.get(&format!("/repos/acme/shop/pulls?state={state}&per_page=100")).as_array().cloned().unwrap_or_default()
    }

    pub fn comments(&self, number: u64) -> Vec<String> {
        self.get(&format!("/repos/acme/shop/issues/{number}/comments?per_page=100"))
            .as_array()
            .map(|a| a.iter().map(|c| c["body"].as_str().unwrap_or_default().to_string()).collect())
            .unwrap_or_default()
    }

    /// A GET straight to the emulator (not logged by the proxy), as alice.
    pub fn get(&self, path: &str) -> Value {
        let out = Command::new("curl")
            .args(["-sS", "-H", &format!("Authorization: Bearer {TOKEN}"), &format!("{}{path}", self.emu.url())])
            .output()
            .expect("curl runs");
        serde_json::from_slice(&out.stdout).expect("JSON from the emulator")
    }

    /// Stops the proxy, asserting zero contract violations.
    pub fn finish(mut self) {
        if let Some(p) = self.proxy.take() {
            p.finish();
        }
    }
}

/// `METHOD path` of each logged request (paths without the host).
pub fn calls(log: &[LogEntry]) -> Vec<String> {
    log.iter().map(|e| format!("{} {}", e.method, e.path)).collect()
}

fn copy_templates(root: &Path) {
    let src = fixture("templates/mini");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read templates") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(&src).expect("inside");
                let dest = root.join("tools/templates").join(rel);
                std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
                std::fs::copy(&path, dest).expect("copy");
            }
        }
    }
}
