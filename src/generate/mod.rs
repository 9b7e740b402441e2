//! Generation: one validated service in, a tree of files out, in memory.
//!
//! A generator is pure and deterministic: same manifest and same ampsync version give the
//! same bytes, on any machine, in any order of runs. Nothing here touches the disk except
//! reading a team's own template directory (`templates:`); writing is the caller's job
//! (`ampsync generate --out`, or the sync engine, which never writes a working tree).
//!
//! - [`engine`]: minijinja rendering of a template set (built-in or a team's directory),
//!   with case filters and templated paths.
//! - [`nestjs`]: the built-in NestJS + Prisma + PostgreSQL generator.
//! - [`view`]: the template context shared by every generator (the resolved model plus
//!   every spelling of every name).

pub mod engine;
pub mod nestjs;
pub mod view;

use std::collections::BTreeMap;
use std::path::Path;

use crate::manifest::model::{Generator, Manifest, Service};

/// One generated file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedFile {
    pub bytes: Vec<u8>,
    pub executable: bool,
}

/// Every file of one service, by repository-relative `/`-separated path, in path order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GeneratedTree {
    pub files: BTreeMap<String, GeneratedFile>,
}

impl GeneratedTree {
    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub fn total_bytes(&self) -> usize {
        self.files.values().map(|f| f.bytes.len()).sum()
    }

    pub fn insert(&mut self, path: String, bytes: Vec<u8>, executable: bool) -> Result<(), Error> {
        if self.files.insert(path.clone(), GeneratedFile { bytes, executable }).is_some() {
            return Err(Error::DuplicatePath(path));
        }
        Ok(())
    }
}

/// Why a service could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A team template failed: reported like a compiler error, `file:line: message`.
    #[error("{file}:{line}: {message}")]
    Template { file: String, line: usize, message: String },
    /// A built-in template failed: always an ampsync bug.
    #[error("built-in template `{file}` failed at line {line}: {message} (this is an ampsync bug; please report it)")]
    Builtin { file: String, line: usize, message: String },
    #[error("cannot read the templates directory `{path}`: {message}")]
    TemplateDir { path: String, message: String },
    #[error("two templates produce the same file `{0}`; make their paths differ")]
    DuplicatePath(String),
    #[error("template `{template}` produces the path `{path}`, which {problem}")]
    BadPath { template: String, path: String, problem: String },
}

/// Generates one service. `repo_root` locates a `templates:` directory.
pub fn generate_service(manifest: &Manifest, service: &Service, repo_root: &Path) -> Result<GeneratedTree, Error> {
    match &service.generator {
        Generator::Builtin { name: crate::manifest::model::GeneratorKind::Nestjs } => {
            nestjs::generate(manifest, service)
        }
        Generator::Templates { directory } => {
            let set = engine::TemplateSet::from_dir(&repo_root.join(directory), directory)?;
            let context = view::ServiceView::new(manifest, service);
            engine::render(&set, &context, service, engine::Origin::Team)
        }
    }
}

/// Generates every service of the manifest (each under its own directory).
pub fn generate_all(manifest: &Manifest, repo_root: &Path) -> Result<Vec<(String, GeneratedTree)>, Error> {
    manifest.services.iter().map(|s| generate_service(manifest, s, repo_root).map(|t| (s.name.clone(), t))).collect()
}
