//! `ampsync generate --out DIR`: write every service's generated files.

use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Serialize;

use crate::cli::ExitStatus;
use crate::generate;
use crate::printer::Printer;

pub struct Options<'a> {
    pub out: &'a Path,
    pub service: Option<&'a str>,
    pub force: bool,
    pub json: bool,
}

#[derive(Serialize)]
struct Summary {
    out: String,
    services: Vec<ServiceSummary>,
    files: usize,
    bytes: usize,
}

#[derive(Serialize)]
struct ServiceSummary {
    name: String,
    directory: String,
    files: usize,
    bytes: usize,
}

pub fn run(manifest_path: &Path, opts: Options<'_>, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let loaded = match super::load_manifest(manifest_path, printer)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let manifest = &loaded.manifest;
    let services: Vec<_> = match opts.service {
        Some(name) => match manifest.service(name) {
            Some(s) => vec![s],
            None => {
                let known: Vec<&str> = manifest.services.iter().map(|s| s.name.as_str()).collect();
                anyhow::bail!("no service `{name}` in `{}`; services: {}", manifest_path.display(), known.join(", "));
            }
        },
        None => manifest.services.iter().collect(),
    };
    if opts.out.exists() && !opts.force {
        let mut entries =
            std::fs::read_dir(opts.out).with_context(|| format!("cannot read `{}`", opts.out.display()))?;
        if entries.next().is_some() {
            anyhow::bail!("`{}` is not empty; pass `--force` to write into it anyway", opts.out.display());
        }
    }
    let repo_root = repo_root_of(manifest_path);
    let mut summary = Summary { out: opts.out.display().to_string(), services: Vec::new(), files: 0, bytes: 0 };
    for service in services {
        let tree = generate::generate_service(manifest, service, &repo_root)?;
        for (path, file) in &tree.files {
            let dest = opts.out.join(path);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
            }
            std::fs::write(&dest, &file.bytes).with_context(|| format!("cannot write `{}`", dest.display()))?;
            #[cfg(unix)]
            if file.executable {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o755))
                    .with_context(|| format!("cannot make `{}` executable", dest.display()))?;
            }
        }
        summary.files += tree.len();
        summary.bytes += tree.total_bytes();
        summary.services.push(ServiceSummary {
            name: service.name.clone(),
            directory: service.directory.clone(),
            files: tree.len(),
            bytes: tree.total_bytes(),
        });
    }
    if opts.json {
        printer.out(&serde_json::to_string_pretty(&summary)?)?;
    } else {
        for s in &summary.services {
            printer.status(&format!(
                "{}: {} files, {} bytes in {}",
                s.name,
                s.files,
                s.bytes,
                opts.out.join(&s.directory).display()
            ))?;
        }
        printer.status(&format!("wrote {} files, {} bytes", summary.files, summary.bytes))?;
    }
    Ok(ExitStatus::Success)
}

/// The repository a manifest belongs to: the nearest directory above it holding `.git`,
/// else the manifest's own directory.
pub fn repo_root_of(manifest_path: &Path) -> PathBuf {
    let abs = std::path::absolute(manifest_path).unwrap_or_else(|_| manifest_path.to_path_buf());
    let start = abs.parent().map(Path::to_path_buf).unwrap_or_else(|| PathBuf::from("."));
    let mut dir = Some(start.as_path());
    while let Some(d) = dir {
        if d.join(".git").exists() {
            return d.to_path_buf();
        }
        dir = d.parent();
    }
    start
}
