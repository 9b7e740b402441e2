//! `ampsync sync --provider github` on a 200-entity service (about 3,000 generated files)
//! against the GitHub emulator (real HTTP on loopback, real bare repositories), next to
//! `--provider local` on the same tree in the same run: API requests and bytes per sync (from
//! the emulator's log) and wall time, for the first build, a no-op and one changed field.
//! Run: `cargo bench --bench github`.

#[path = "common/mod.rs"]
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::git;

use github_emulator::{Config, Emulator, LogEntry, Permissions, RepoAccess, TokenKind};

const TOKEN: &str = "ghp_bench";

fn run(mut cmd: Command) -> Duration {
    let start = Instant::now();
    let out = cmd.output().expect("ampsync runs");
    let elapsed = start.elapsed();
    assert!(
        out.status.success(),
        "{cmd:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    elapsed
}

struct Row {
    name: &'static str,
    github: Duration,
    local: Duration,
    requests: usize,
    sent: u64,
    received: u64,
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn traffic(log: &[LogEntry]) -> (usize, u64, u64) {
    (log.len(), log.iter().map(|e| e.request_bytes).sum(), log.iter().map(|e| e.response_bytes).sum())
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_ampsync");
    let runs = 5;
    let dir = tempfile::tempdir().expect("tempdir");
    let checkout = dir.path().join("checkout");
    std::fs::create_dir_all(&checkout).expect("mkdir");
    let manifest = common::big_manifest(200, 15)
        .replace("services:\n", "git:\n  repository: acme/big\n  baseBranch: main\nservices:\n");
    std::fs::write(checkout.join("amplication.yaml"), &manifest).expect("write");
    git(&checkout, &["init", "-q", "-b", "main"]);
    git(&checkout, &["add", "-A"]);
    git(&checkout, &["commit", "-q", "-m", "Big manifest"]);

    let emu = Emulator::spawn(Config::default()).expect("the emulator starts");
    emu.add_org("acme", &["bench"]).expect("org");
    emu.add_repo("acme", "big", "main", true, false).expect("repo");
    emu.add_token(TOKEN, "bench", TokenKind::Pat, RepoAccess::all(), Permissions::all()).expect("token");
    let bare = emu.repo_path("acme", "big");
    git(&checkout, &["push", "-q", "--force", bare.to_str().expect("utf-8"), "main:main"]);
    let api = emu.url();
    let github = |build: &str| {
        let mut c = Command::new(bin);
        c.current_dir(&checkout).env_remove("GITHUB_TOKEN").env_remove("GITHUB_API_URL").args([
            "sync",
            "--provider",
            "github",
            "--api-url",
            &api,
            "--token",
            TOKEN,
            "--build-id",
            build,
        ]);
        c
    };
    let local = |build: &str| {
        let mut c = Command::new(bin);
        c.current_dir(&checkout).args(["sync", "--provider", "local", "--build-id", build]);
        c
    };
    let drop_branch = |repo_git: &dyn Fn(&[&str]) -> String| {
        let _ = repo_git(&["update-ref", "-d", "refs/heads/amplication"]);
    };
    let gh_git = |args: &[&str]| -> String {
        let mut a = vec!["--git-dir", bare.to_str().expect("utf-8")];
        a.extend_from_slice(args);
        git(dir.path(), &a)
    };
    let local_git = |args: &[&str]| -> String { git(&checkout, args) };

    // First build (the branch deleted before each run; each GitHub run also opens a PR).
    let mut rows = Vec::new();
    let (mut gh_t, mut lo_t, mut last_log) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..runs {
        drop_branch(&gh_git);
        emu.clear_log();
        gh_t.push(run(github(&format!("first-{i}"))));
        last_log = emu.log();
        drop_branch(&local_git);
        lo_t.push(run(local(&format!("first-{i}"))));
    }
    let files = gh_git(&["ls-tree", "-r", "--name-only", "amplication"]).lines().count();
    let (requests, sent, received) = traffic(&last_log);
    rows.push(Row { name: "first build", github: median(gh_t), local: median(lo_t), requests, sent, received });

    // No-op.
    let (mut gh_t, mut lo_t) = (Vec::new(), Vec::new());
    for i in 0..runs {
        emu.clear_log();
        gh_t.push(run(github(&format!("noop-{i}"))));
        last_log = emu.log();
        lo_t.push(run(local(&format!("noop-{i}"))));
    }
    let (requests, sent, received) = traffic(&last_log);
    rows.push(Row { name: "no-op", github: median(gh_t), local: median(lo_t), requests, sent, received });

    // One field changed (stacked on the first build; the branch reset before each run).
    let gh_tip = gh_git(&["rev-parse", "amplication"]);
    let lo_tip = local_git(&["rev-parse", "amplication"]);
    std::fs::write(checkout.join("amplication.yaml"), manifest.replacen("maxLength: 120", "maxLength: 121", 1))
        .expect("write");
    let (mut gh_t, mut lo_t) = (Vec::new(), Vec::new());
    for i in 0..runs {
        gh_git(&["update-ref", "refs/heads/amplication", &gh_tip]);
        emu.clear_log();
        gh_t.push(run(github(&format!("change-{i}"))));
        last_log = emu.log();
        local_git(&["update-ref", "refs/heads/amplication", &lo_tip]);
        lo_t.push(run(local(&format!("change-{i}"))));
    }
    let changed = gh_git(&["diff", "--name-only", &gh_tip, "amplication"]).lines().count();
    let (requests, sent, received) = traffic(&last_log);
    rows.push(Row { name: "one field changed", github: median(gh_t), local: median(lo_t), requests, sent, received });

    println!(
        "\nsync --provider github vs local, 200 entities, {files} files on the branch, {changed} changed by one field; median of {runs}"
    );
    println!(
        "{:<20} {:>9} {:>12} {:>12} {:>12} {:>12} {:>10}",
        "", "requests", "sent", "received", "github", "local", "gh/local"
    );
    for r in &rows {
        println!(
            "{:<20} {:>9} {:>10.1}kB {:>10.1}kB {:>10.1}ms {:>10.1}ms {:>10.2}",
            r.name,
            r.requests,
            r.sent as f64 / 1024.0,
            r.received as f64 / 1024.0,
            r.github.as_secs_f64() * 1e3,
            r.local.as_secs_f64() * 1e3,
            r.github.as_secs_f64() / r.local.as_secs_f64()
        );
    }
    let requests: Vec<String> = last_log.iter().map(|e| format!("{} {}", e.method, e.path)).collect();
    println!("requests of the last update: {requests:?}");
}
