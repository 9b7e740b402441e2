//! `ampsync sync --provider local` on a 200-entity service (about 3,000 generated files):
//! one field changed, and the no-op, as whole processes (wall time and peak RSS), against
//! the floor of committing the same change with the git CLI on a checkout
//! (`git add -A && git commit`). Run: `cargo bench --bench sync`.

#[path = "common/mod.rs"]
mod common;

use std::process::Command;
use std::time::{Duration, Instant};

use common::git;

/// Runs a command to completion; returns wall time and the child's peak RSS in kB.
fn run(cmd: &mut Command) -> (Duration, i64) {
    let start = Instant::now();
    let child = cmd.stdout(std::process::Stdio::null()).stderr(std::process::Stdio::null()).spawn().expect("spawns");
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waiting on our own child; `usage` is a valid out-pointer.
    let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    let elapsed = start.elapsed();
    assert_eq!(r, pid, "wait4");
    assert!(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0, "{cmd:?} failed");
    std::mem::forget(child);
    (elapsed, usage.ru_maxrss)
}

struct Row {
    name: &'static str,
    median: Duration,
    rss_kb: i64,
}

fn measure(name: &'static str, runs: usize, mut setup: impl FnMut(), mut cmd: impl FnMut() -> Command) -> Row {
    let mut times = Vec::new();
    let mut rss = 0;
    for _ in 0..runs {
        setup();
        let (t, r) = run(&mut cmd());
        times.push(t);
        rss = rss.max(r);
    }
    times.sort();
    Row { name, median: times[times.len() / 2], rss_kb: rss }
}

fn main() {
    let bin = env!("CARGO_BIN_EXE_ampsync");
    let dir = tempfile::tempdir().expect("tempdir");
    let repo = dir.path().join("repo");
    std::fs::create_dir_all(&repo).expect("mkdir");
    let manifest = common::big_manifest(200, 15).replace("  - name: big\n", "  - name: big\n    provider: local\n");
    std::fs::write(repo.join("amplication.yaml"), &manifest).expect("write");
    git(&repo, &["init", "-q", "-b", "main"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "Big manifest"]);
    let sync = || {
        let mut c = Command::new(bin);
        c.current_dir(&repo).args(["sync", "--provider", "local", "--build-id", "bench"]);
        c
    };
    // First build, merged into main and checked out: the starting point of a team.
    let (first, first_rss) = run(&mut sync());
    git(&repo, &["merge", "-q", "--ff-only", "amplication"]);
    git(&repo, &["branch", "-q", "-D", "amplication"]);
    let files =
        String::from_utf8(Command::new("git").current_dir(&repo).args(["ls-files"]).output().expect("git").stdout)
            .expect("utf-8")
            .lines()
            .count();
    // One field changed in the manifest.
    let changed = manifest.replacen("maxLength: 120", "maxLength: 121", 1);
    std::fs::write(repo.join("amplication.yaml"), &changed).expect("write");
    git(&repo, &["commit", "-q", "-am", "Change one field"]);
    let drop_branch = || {
        let _ = Command::new("git").current_dir(&repo).args(["update-ref", "-d", "refs/heads/amplication"]).status();
    };
    let change = measure("ampsync sync (one field changed)", 7, drop_branch, sync);
    let _ = run(&mut sync());
    let noop = measure("ampsync sync (no-op)", 7, || {}, sync);

    // The floor: the same change committed with the git CLI on the checkout.
    let change_tree = {
        let out = Command::new("git")
            .current_dir(&repo)
            .args(["diff", "--name-only", "main", "amplication"])
            .output()
            .expect("git");
        String::from_utf8(out.stdout).expect("utf-8").lines().map(str::to_string).collect::<Vec<_>>()
    };
    let contents: Vec<(String, Vec<u8>)> = change_tree
        .iter()
        .map(|p| {
            let out = Command::new("git")
                .current_dir(&repo)
                .args(["show", &format!("amplication:{p}")])
                .output()
                .expect("git");
            (p.clone(), out.stdout)
        })
        .collect();
    let head = String::from_utf8(
        Command::new("git").current_dir(&repo).args(["rev-parse", "HEAD"]).output().expect("git").stdout,
    )
    .expect("utf-8")
    .trim()
    .to_string();
    let floor = measure(
        "git add -A && git commit (same change, floor)",
        7,
        || {
            git(&repo, &["reset", "-q", "--hard", &head]);
            for (p, bytes) in &contents {
                std::fs::write(repo.join(p), bytes).expect("write");
            }
        },
        || {
            let mut c = Command::new("sh");
            c.current_dir(&repo)
                .args(["-c", "git add -A && git commit -q -m change"])
                .env("GIT_AUTHOR_NAME", "bench")
                .env("GIT_AUTHOR_EMAIL", "bench@example.com")
                .env("GIT_COMMITTER_NAME", "bench")
                .env("GIT_COMMITTER_EMAIL", "bench@example.com");
            c
        },
    );
    git(&repo, &["reset", "-q", "--hard", &head]);

    // The part of every sync that is not about git: reading and validating the manifest.
    let validate = measure(
        "ampsync validate (part of every sync)",
        7,
        || {},
        || {
            let mut c = Command::new(bin);
            c.current_dir(&repo).arg("validate");
            c
        },
    );

    println!(
        "\nsync --provider local, 200 entities, {files} files in the repository, {} files changed",
        change_tree.len()
    );
    println!(
        "first build (not timed repeatedly): {:.1} ms, {:.1} MB peak RSS",
        first.as_secs_f64() * 1e3,
        first_rss as f64 / 1024.0
    );
    println!("{:<48} {:>10} {:>14} {:>12}", "", "median", "peak RSS", "vs floor");
    for row in [&floor, &change, &noop, &validate] {
        println!(
            "{:<48} {:>8.1}ms {:>12.1}MB {:>12.2}",
            row.name,
            row.median.as_secs_f64() * 1e3,
            row.rss_kb as f64 / 1024.0,
            row.median.as_secs_f64() / floor.median.as_secs_f64()
        );
    }
}
