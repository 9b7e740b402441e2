//! Real git repositories for sync tests, made and checked with the git CLI.

use std::path::{Path, PathBuf};
use std::process::Command;

use super::{ampsync, tempdir};

pub struct TestRepo {
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TestRepo {
    /// A repository on `main` with one commit holding `files`.
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempdir();
        let path = dir.path().join("repo");
        std::fs::create_dir_all(&path).expect("mkdir");
        let repo = TestRepo { _dir: dir, path };
        repo.git(&["init", "-q", "-b", "main"]);
        for (p, c) in files {
            repo.write(p, c);
        }
        repo.commit_all("Initial commit");
        repo
    }

    pub fn git(&self, args: &[&str]) -> String {
        git_in(&self.path, args)
    }

    /// Runs git and returns whether it succeeded (for commands expected to fail).
    pub fn git_ok(&self, args: &[&str]) -> bool {
        git_cmd(&self.path).args(args).output().expect("git runs").status.success()
    }

    pub fn write(&self, rel: &str, content: &str) {
        let p = self.path.join(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, content).expect("write");
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path.join(rel)).expect("remove");
    }

    pub fn commit_all(&self, message: &str) -> String {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
        self.rev("HEAD")
    }

    pub fn rev(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev]).trim().to_string()
    }

    pub fn try_rev(&self, rev: &str) -> Option<String> {
        let out = git_cmd(&self.path).args(["rev-parse", "--verify", "-q", rev]).output().expect("git runs");
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    }

    /// A file's content at a revision.
    pub fn show(&self, rev: &str, path: &str) -> String {
        self.git(&["show", &format!("{rev}:{path}")])
    }

    pub fn exists_at(&self, rev: &str, path: &str) -> bool {
        self.git_ok(&["cat-file", "-e", &format!("{rev}:{path}")])
    }

    /// Every file path at a revision.
    pub fn files(&self, rev: &str) -> Vec<String> {
        self.git(&["ls-tree", "-r", "--name-only", rev]).lines().map(str::to_string).collect()
    }

    /// Paths changed by the commit `rev` (against its first parent).
    pub fn changed(&self, rev: &str) -> Vec<String> {
        self.git(&["diff", "--name-only", &format!("{rev}^"), rev]).lines().map(str::to_string).collect()
    }

    pub fn message(&self, rev: &str) -> String {
        self.git(&["log", "-1", "--format=%B", rev])
    }

    pub fn count(&self, range: &str) -> usize {
        self.git(&["rev-list", "--count", range]).trim().parse().expect("a count")
    }

    /// `ampsync` with the repository as working directory.
    pub fn ampsync(&self) -> assert_cmd::Command {
        let mut cmd = ampsync();
        cmd.current_dir(&self.path);
        cmd
    }

    /// `ampsync sync --provider local --json` with extra args; returns (exit code, JSON).
    pub fn sync(&self, extra: &[&str]) -> (i32, serde_json::Value) {
        let out = self.ampsync().args(["sync", "--provider", "local", "--json"]).args(extra).output().expect("runs");
        let code = out.status.code().unwrap_or(-1);
        let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "sync printed no JSON (exit {code}):\nstdout: {}\nstderr: {}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (code, json)
    }

    pub fn fsck(&self) {
        let out = git_cmd(&self.path).args(["fsck", "--strict"]).output().expect("git runs");
        assert!(out.status.success(), "git fsck failed: {}", String::from_utf8_lossy(&out.stderr));
    }
}

fn git_cmd(dir: &Path) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Pat Person")
        .env("GIT_AUTHOR_EMAIL", "pat@example.com")
        .env("GIT_COMMITTER_NAME", "Pat Person")
        .env("GIT_COMMITTER_EMAIL", "pat@example.com")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null");
    cmd
}

pub fn git_in(dir: &Path, args: &[&str]) -> String {
    let out = git_cmd(dir).args(args).output().expect("git runs");
    assert!(
        out.status.success(),
        "git {} failed: {}{}",
        args.join(" "),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}
