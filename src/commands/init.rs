//! `ampsync init`: write a commented starter manifest and a GitHub workflow.
//!
//! The starter files are templates under `templates/init/`, embedded in the binary; the
//! manifest is validated before it is written, so `init` never produces a broken file.

use std::path::{Path, PathBuf};

use anyhow::Context;

use crate::cli::ExitStatus;
use crate::manifest::{self, names};
use crate::printer::Printer;

const MANIFEST_TEMPLATE: &str = include_str!("../../templates/init/amplication.yaml");
const WORKFLOW_TEMPLATE: &str = include_str!("../../templates/init/ampsync.yml");
/// Where the workflow goes, relative to the directory `init` runs in.
pub const WORKFLOW_PATH: &str = ".github/workflows/ampsync.yml";

pub fn run(
    cwd: &Path,
    manifest_path: &Path,
    name: Option<&str>,
    force: bool,
    printer: &Printer,
) -> anyhow::Result<ExitStatus> {
    let project = match name {
        Some(n) => n.to_string(),
        None => cwd.file_name().and_then(|n| n.to_str()).map(names::kebab).unwrap_or_default(),
    };
    if !names::is_kebab(&project) {
        anyhow::bail!(
            "`{project}` is not a kebab-case project name; pass `--name`, e.g. `--name {}`",
            if names::kebab(&project).is_empty() { "shop".to_string() } else { names::kebab(&project) }
        );
    }
    let files = starter_files(&project, cwd, manifest_path)?;
    let existing: Vec<String> =
        files.iter().filter(|(p, _)| p.exists()).map(|(p, _)| format!("`{}`", p.display())).collect();
    if !existing.is_empty() && !force {
        anyhow::bail!(
            "{} already exist{}; pass `--force` to overwrite",
            existing.join(" and "),
            if existing.len() == 1 { "s" } else { "" }
        );
    }
    for (path, content) in &files {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).with_context(|| format!("cannot create `{}`", parent.display()))?;
        }
        std::fs::write(path, content).with_context(|| format!("cannot write `{}`", path.display()))?;
        printer.status(&format!("wrote {}", path.display()))?;
    }
    printer.info("next: edit the manifest, then run `ampsync validate` and `ampsync sync --provider local`");
    Ok(ExitStatus::Success)
}

/// The files `init` writes, with their content (the manifest already validated).
pub fn starter_files(project: &str, cwd: &Path, manifest_path: &Path) -> anyhow::Result<Vec<(PathBuf, String)>> {
    let manifest_text = MANIFEST_TEMPLATE.replace("__PROJECT__", project);
    manifest::parse_str(Path::new("amplication.yaml"), &manifest_text)
        .map_err(|d| anyhow::anyhow!("the starter manifest is invalid (an ampsync bug):\n{d}"))?;
    let manifest_rel = if manifest_path.is_absolute() {
        manifest_path.strip_prefix(cwd).unwrap_or(manifest_path).to_path_buf()
    } else {
        manifest_path.to_path_buf()
    };
    let workflow_text = WORKFLOW_TEMPLATE.replace("__MANIFEST__", &manifest_rel.display().to_string());
    Ok(vec![(cwd.join(manifest_path), manifest_text), (cwd.join(WORKFLOW_PATH), workflow_text)])
}
