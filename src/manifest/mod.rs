//! The service manifest (`amplication.yaml`, version 1): loading, validation, schema.
//!
//! Pipeline: bytes (size-checked) → [`yaml`] positioned nodes (depth and alias limits) →
//! [`raw`] types through the collecting deserializer [`de`] (type errors, unknown keys) →
//! [`validate`] (rules, defaults) → the resolved [`model::Manifest`]. Every problem of every
//! stage is reported at once as [`Diagnostics`]. This module does no other I/O than reading
//! the one file.

pub mod de;
pub mod diagnostics;
pub mod keywords;
pub mod model;
pub mod names;
pub mod raw;
pub mod schema;
pub mod validate;
pub mod yaml;

use std::collections::HashSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use diagnostics::{Diagnostic, Diagnostics, Pos};
pub use model::Manifest;

/// The default manifest file name, at the repository root.
pub const DEFAULT_PATH: &str = "amplication.yaml";
/// Larger manifests are refused before parsing.
pub const MAX_BYTES: u64 = 5 * 1024 * 1024;

/// A manifest read from disk, with what the sync engine records about it.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub manifest: Manifest,
    pub path: PathBuf,
    /// `sha256:<hex>` of the file's bytes.
    pub digest: String,
}

/// Why a manifest could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("cannot read `{path}`: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{0}")]
    Invalid(Diagnostics),
}

/// Reads and validates the manifest at `path`.
pub fn load(path: &Path) -> Result<Loaded, LoadError> {
    let io = |source| LoadError::Io { path: path.to_path_buf(), source };
    let file = std::fs::File::open(path).map_err(io)?;
    let len = file.metadata().map_err(io)?.len();
    if len > MAX_BYTES {
        return Err(LoadError::Invalid(too_large(path, len)));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(MAX_BYTES + 1).read_to_end(&mut bytes).map_err(io)?;
    if bytes.len() as u64 > MAX_BYTES {
        return Err(LoadError::Invalid(too_large(path, bytes.len() as u64)));
    }
    let manifest = parse_bytes(path, &bytes).map_err(LoadError::Invalid)?;
    Ok(Loaded { manifest, path: path.to_path_buf(), digest: digest(&bytes) })
}

/// `sha256:<hex>` of manifest bytes.
pub fn digest(bytes: &[u8]) -> String {
    sha256_label(&Sha256::digest(bytes))
}

/// A SHA-256 hash written the way ampsync records digests: `sha256:<hex>`.
pub fn sha256_label(hash: &[u8]) -> String {
    let hex: String = hash.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

fn too_large(path: &Path, len: u64) -> Diagnostics {
    Diagnostics::single(
        path,
        Diagnostic::new(Pos::new(1, 1), format!("the manifest is {len} bytes; the limit is {MAX_BYTES} (5 MiB)"))
            .with_hint("a manifest this large is almost certainly not one; check the path"),
    )
}

/// Validates manifest bytes; `path` names the file in diagnostics.
pub fn parse_bytes(path: &Path, bytes: &[u8]) -> Result<Manifest, Diagnostics> {
    if bytes.len() as u64 > MAX_BYTES {
        return Err(too_large(path, bytes.len() as u64));
    }
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let before = &bytes[..e.valid_up_to()];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let col = before.iter().rev().take_while(|b| **b != b'\n').count() + 1;
        Diagnostics::single(
            path,
            Diagnostic::new(Pos::new(line as u32, col as u32), "the manifest is not valid UTF-8")
                .with_hint("save the file as UTF-8"),
        )
    })?;
    parse_str(path, text)
}

/// Validates manifest text; `path` names the file in diagnostics.
pub fn parse_str(path: &Path, text: &str) -> Result<Manifest, Diagnostics> {
    let (root, mut diags) = yaml::parse(text).map_err(|d| Diagnostics::single(path, d))?;
    if !matches!(root.kind, yaml::NodeKind::Map(_)) {
        let d = Diagnostic::new(
            root.pos,
            format!("expected a mapping with `version`, `project` and `services`, found {}", root.describe()),
        )
        .with_hint("start from `ampsync init`, or see the manifest reference in the README");
        return Err(Diagnostics::single(path, d));
    }
    let collector = de::Collector::<raw::Info>::new();
    let raw: raw::RawManifest = collector.deserialize(&root).map_err(|e| {
        Diagnostics::single(path, Diagnostic::new(root.pos, format!("internal error reading the manifest: {e}")))
    })?;
    let structural = collector.into_diagnostics();
    // Values already reported as malformed are not reported again by validation.
    let reported: HashSet<Pos> = structural.iter().map(|d| d.pos).collect();
    diags.extend(structural);
    let mut semantic = Vec::new();
    let manifest = validate::resolve(raw, root.pos, &mut semantic);
    let suggested: HashSet<String> = diags.iter().filter_map(|d| d.hint.clone()).collect();
    diags.extend(semantic.into_iter().filter(|d| {
        !reported.contains(&d.pos)
            && !d.missing_key.is_some_and(|k| suggested.contains(&format!("did you mean `{k}`?")))
    }));
    match manifest {
        Some(m) if diags.is_empty() => Ok(m),
        _ if diags.is_empty() => Err(Diagnostics::single(
            path,
            Diagnostic::new(root.pos, "the manifest is invalid").with_hint("this is an ampsync bug: please report it"),
        )),
        _ => Err(Diagnostics::new(path, diags)),
    }
}
