//! The world the integration tests run in: paths, temp directories, the binary.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// The repository root (where Cargo.toml is).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn fixture(rel: &str) -> PathBuf {
    root().join("tests/fixtures").join(rel)
}

pub fn example_manifest() -> PathBuf {
    root().join("examples/shop/amplication.yaml")
}

/// The built `ampsync` binary, with a clean environment for the things it reads.
pub fn ampsync() -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("ampsync").expect("the ampsync binary is built");
    for var in ["AMPSYNC_MANIFEST", "NO_COLOR", "GITHUB_ACTIONS", "GITHUB_TOKEN", "CI"] {
        cmd.env_remove(var);
    }
    cmd
}

pub fn tempdir() -> tempfile::TempDir {
    tempfile::Builder::new().prefix("ampsync-test-").tempdir().expect("a temp dir")
}

pub fn write(dir: &Path, rel: &str, content: &str) -> PathBuf {
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("create parent");
    }
    std::fs::write(&path, content).expect("write file");
    path
}
pub mod git;
pub mod github;
