//! The built-in `nestjs` generator: NestJS 11 + Prisma 7 + PostgreSQL REST service.
//!
//! Templates live in `templates/nestjs/` (embedded at build time); this module computes
//! what templates should not: type mappings (Prisma, SQL, TypeScript, class-validator).

pub mod model;

use include_dir::{Dir, include_dir};

use super::engine::{self, Origin, TemplateSet};
use super::{Error, GeneratedTree};
use crate::manifest::model::{Manifest, Service};

static TEMPLATES: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/templates/nestjs");

pub fn templates() -> TemplateSet {
    TemplateSet::embedded(&TEMPLATES, "templates/nestjs")
}

pub fn generate(manifest: &Manifest, service: &Service) -> Result<GeneratedTree, Error> {
    let view = super::view::ServiceView::new(manifest, service);
    engine::render(&templates(), &view, service, Origin::Builtin)
}
