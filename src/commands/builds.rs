//! `ampsync builds`: past builds found on the base and sync branches, with their links.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::ExitStatus;
use crate::printer::Printer;
use crate::providers::RepoView;
use crate::providers::local::LocalRepo;
use crate::sync::message;

pub struct Options {
    pub repo: Option<PathBuf>,
    pub base: Option<String>,
    pub depth: usize,
    pub json: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Build {
    pub id: String,
    pub date: String,
    pub title: String,
    pub url: Option<String>,
    pub commit: String,
    /// Where the build was found: the base branch (merged) or the sync branch (pending).
    pub branch: String,
}

pub fn run(manifest_path: &Path, opts: &Options, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let loaded = match super::load_manifest(manifest_path, printer)? {
        Ok(l) => l,
        Err(status) => return Ok(status),
    };
    let repo_dir = opts.repo.clone().unwrap_or_else(|| super::generate::repo_root_of(manifest_path));
    let mut repo = LocalRepo::discover(&repo_dir)?;
    let git = &loaded.manifest.services[0].git;
    let base = match opts.base.clone().or_else(|| git.base_branch.clone()) {
        Some(b) => b,
        None => repo.default_branch()?,
    };
    let state = repo.branch_state(&base, &git.branch)?;
    let mut builds: BTreeMap<String, Build> = BTreeMap::new();
    // The base first: a build merged into it is reported there, not as pending.
    let mut tips = vec![(base.clone(), Some(state.base_tip)), (git.branch.clone(), state.branch_tip)];
    tips.retain(|(_, t)| t.is_some());
    for (branch, tip) in tips {
        let Some(tip) = tip else { continue };
        for commit in repo.history(tip, opts.depth)? {
            let Some(id) = message::build_id_of(&commit.message) else { continue };
            let date = jiff::Timestamp::from_second(commit.time)
                .map(|t| t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string())
                .unwrap_or_default();
            builds.entry(id.clone()).or_insert(Build {
                id,
                date,
                title: message::subject(&commit.message).to_string(),
                url: message::build_url_of(&commit.message),
                commit: commit.id.to_string(),
                branch: branch.clone(),
            });
        }
    }
    let mut list: Vec<Build> = builds.into_values().collect();
    list.sort_by(|a, b| b.date.cmp(&a.date).then(b.id.cmp(&a.id)));
    if opts.json {
        printer.out(&serde_json::to_string_pretty(&list)?)?;
    } else if list.is_empty() {
        printer.status(&format!("no builds on `{base}` or `{}`", git.branch))?;
    } else {
        for b in &list {
            printer.out(&format!(
                "{}  {}  {}  {}  {}  [{}]",
                b.date,
                b.id,
                &b.commit[..10],
                b.title,
                b.url.as_deref().unwrap_or("(local build, no log)"),
                b.branch
            ))?;
        }
    }
    Ok(ExitStatus::Success)
}
