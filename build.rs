//! Build script: fingerprints the code and templates that decide generated output.
//!
//! `AMPSYNC_GENERATOR_FINGERPRINT` changes whenever anything under `src/generate/`,
//! `src/manifest/` or `templates/` changes, or `Cargo.lock`/`Cargo.toml` (minijinja and its
//! features render the output too), so a lock written by a different build of the generator never lets the sync
//! engine skip generation (see `generate::Prepared::inputs_digest`).
//! FNV-1a over sorted paths and contents: stable across toolchains, no dependencies.

use std::path::{Path, PathBuf};

const INPUTS: [&str; 5] = ["src/generate", "src/manifest", "templates", "Cargo.lock", "Cargo.toml"];

fn files(dir: &Path, out: &mut Vec<PathBuf>) {
    if dir.is_file() {
        out.push(dir.to_path_buf());
        return;
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, out);
        } else {
            out.push(path);
        }
    }
}

fn main() {
    let mut all = Vec::new();
    for dir in INPUTS {
        println!("cargo:rerun-if-changed={dir}");
        files(Path::new(dir), &mut all);
    }
    all.sort();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for path in &all {
        feed(path.to_string_lossy().replace('\\', "/").as_bytes());
        feed(&[0]);
        feed(&std::fs::read(path).unwrap_or_default());
        feed(&[0]);
    }
    println!("cargo:rustc-env=AMPSYNC_GENERATOR_FINGERPRINT={hash:016x}");
}
