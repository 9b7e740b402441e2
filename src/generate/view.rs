//! The template context: the resolved model plus every spelling of every name.
//!
//! Templates (built-in and a team's own) see `project`, `service`, `entities` (sorted by
//! name), `roles`, and, in per-entity templates, `entity`. Every entity and field carries
//! `camel`, `pascal`, `kebab`, `snake` and `words` spellings (entities also `plural*`), so
//! file names can be templated without filters.

use serde::Serialize;

use crate::manifest::model::{Entity, Field, Manifest, Role, Service};
use crate::manifest::names;

/// Spellings of one name.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Names {
    pub camel: String,
    pub pascal: String,
    pub kebab: String,
    pub snake: String,
    pub words: String,
}

impl Names {
    pub fn of(name: &str) -> Self {
        Self {
            camel: names::camel(name),
            pascal: names::pascal(name),
            kebab: names::kebab(name),
            snake: names::snake(name),
            words: names::words(name),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldView<'a> {
    #[serde(flatten)]
    pub field: &'a Field,
    #[serde(flatten)]
    pub names: Names,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityView<'a> {
    pub name: &'a str,
    pub plural_name: &'a str,
    pub display_name: &'a str,
    pub description: Option<&'a str>,
    pub permissions: &'a crate::manifest::model::Permissions,
    pub fields: Vec<FieldView<'a>>,
    #[serde(flatten)]
    pub names: Names,
    /// Spellings of the plural (`pluralKebab` is the route segment).
    pub plural_camel: String,
    pub plural_pascal: String,
    pub plural_kebab: String,
    pub plural_snake: String,
    pub plural_words: String,
}

impl<'a> EntityView<'a> {
    pub fn new(entity: &'a Entity) -> Self {
        let plural = Names::of(&entity.plural_name);
        Self {
            name: &entity.name,
            plural_name: &entity.plural_name,
            display_name: &entity.display_name,
            description: entity.description.as_deref(),
            permissions: &entity.permissions,
            fields: entity.fields.iter().map(|f| FieldView { field: f, names: Names::of(&f.name) }).collect(),
            names: Names::of(&entity.name),
            plural_camel: plural.camel,
            plural_pascal: plural.pascal,
            plural_kebab: plural.kebab,
            plural_snake: plural.snake,
            plural_words: plural.words,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceView<'a> {
    pub project: &'a str,
    pub service: ServiceInfo<'a>,
    pub entities: Vec<EntityView<'a>>,
    pub roles: &'a [Role],
    /// The ampsync version that generated the files.
    pub ampsync_version: &'static str,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceInfo<'a> {
    pub name: &'a str,
    pub directory: &'a str,
    pub auth: &'a crate::manifest::model::Auth,
    #[serde(flatten)]
    pub names: Names,
}

impl<'a> ServiceView<'a> {
    pub fn new(manifest: &'a Manifest, service: &'a Service) -> Self {
        Self {
            project: &manifest.project,
            service: ServiceInfo {
                name: &service.name,
                directory: &service.directory,
                auth: &service.auth,
                names: Names::of(&service.name),
            },
            entities: service.entities.iter().map(EntityView::new).collect(),
            roles: &service.roles,
            ampsync_version: env!("CARGO_PKG_VERSION"),
        }
    }
}
