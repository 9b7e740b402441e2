//! The contract proxy (`../shared/tools/github-contract-proxy`) as a child process: it sits
//! between a client and the emulator and checks every exchange against GitHub's published
//! OpenAPI description. Test support shared by the emulator's tests and ampsync's: it panics
//! (never skips) when the proxy or its Python dependency is missing.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Where `../shared` is (beside the checkout), overridable with `AMPSYNC_SHARED_DIR`.
pub fn shared_dir() -> PathBuf {
    std::env::var_os("AMPSYNC_SHARED_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared"))
}

/// Fails (never skips) when the proxy's python dependency is missing.
pub fn require_contract_checker() {
    let ok = Command::new("python3")
        .args(["-c", "import openapi_schema_validator, referencing"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        ok,
        "the contract proxy needs python3 with openapi-schema-validator: run `python3 -m pip install openapi-schema-validator`"
    );
    let proxy = shared_dir().join("tools/github-contract-proxy");
    assert!(proxy.exists(), "missing {} (set AMPSYNC_SHARED_DIR to the shared directory)", proxy.display());
}

/// The contract proxy in front of an upstream.
pub struct Proxy {
    child: Option<Child>,
    pub url: String,
    pub log: PathBuf,
    pub violations: PathBuf,
}

impl Proxy {
    /// Starts the proxy in front of `upstream`, its files in `dir` named after `name`.
    pub fn start(upstream: &str, base_path: Option<&str>, dir: &Path, name: &str) -> Proxy {
        require_contract_checker();
        let shared = shared_dir();
        let port_file = dir.join(format!("{name}.port"));
        let log = dir.join(format!("{name}.jsonl"));
        let violations = dir.join(format!("{name}.violations.jsonl"));
        let mut cmd = Command::new("python3");
        cmd.arg(shared.join("tools/github-contract-proxy"))
            .arg("--spec")
            .arg(shared.join("github-api/api.github.com.json.gz"))
            .arg("--upstream")
            .arg(upstream)
            .arg("--port-file")
            .arg(&port_file)
            .arg("--log")
            .arg(&log)
            .arg("--violations")
            .arg(&violations);
        if let Some(bp) = base_path {
            cmd.arg("--base-path").arg(bp);
        }
        let child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("starting the contract proxy");
        let deadline = Instant::now() + Duration::from_secs(60);
        let port = loop {
            if let Ok(p) = std::fs::read_to_string(&port_file)
                && let Ok(p) = p.trim().parse::<u16>()
            {
                break p;
            }
            assert!(Instant::now() < deadline, "the contract proxy did not start within 60 s");
            std::thread::sleep(Duration::from_millis(50));
        };
        Proxy { child: Some(child), url: format!("http://127.0.0.1:{port}"), log, violations }
    }

    /// SIGTERM, then (exit code, stdout summary, violations text).
    pub fn stop(mut self) -> (Option<i32>, String, String) {
        let mut child = self.child.take().expect("running");
        let _ = Command::new("kill").arg("-TERM").arg(child.id().to_string()).status();
        let status = child.wait().expect("waiting for the proxy");
        let mut out = String::new();
        if let Some(stdout) = child.stdout.take() {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        if let Some(stderr) = child.stderr.take() {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                out.push_str(&line);
                out.push('\n');
            }
        }
        let violations = std::fs::read_to_string(&self.violations).unwrap_or_default();
        (status.code(), out, violations)
    }

    /// Stops the proxy and asserts it exited cleanly having seen no violation.
    pub fn finish(self) {
        let (code, out, violations) = self.stop();
        assert!(violations.trim().is_empty(), "contract violations:\n{violations}\n{out}");
        assert!(out.contains(" 0 violations"), "unexpected proxy summary: {out}");
        assert_eq!(code, Some(0), "the contract proxy failed:\n{out}");
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}
