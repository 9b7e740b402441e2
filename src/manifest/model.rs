//! The resolved manifest: every default applied, every rule checked, every name final.
//!
//! Generators and the sync engine only ever see these types. Entities are sorted by name
//! (their order in the file carries no meaning, so reordering them changes no generated
//! byte); fields keep their declared order, after the implicit `id`, `createdAt` and
//! `updatedAt`, and before the inverse sides of relations declared on other entities.

use serde::Serialize;

pub use super::keywords::{
    Action, AuthKind, BranchMode, ConflictPolicy, FieldType, GeneratorKind, IdType, PermissionKeyword, ProviderKind,
    RelationKind,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Manifest {
    pub version: u32,
    pub project: String,
    pub services: Vec<Service>,
}

impl Manifest {
    pub fn service(&self, name: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.name == name)
    }

    pub fn entity_count(&self) -> usize {
        self.services.iter().map(|s| s.entities.len()).sum()
    }

    /// Fields as written or implied by the manifest (inverse sides included).
    pub fn field_count(&self) -> usize {
        self.services.iter().flat_map(|s| &s.entities).map(|e| e.fields.len()).sum()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Service {
    pub name: String,
    /// Relative to the repository root, `/`-separated, no trailing slash; `.` is the root.
    pub directory: String,
    pub generator: Generator,
    pub git: GitSettings,
    pub auth: Auth,
    pub roles: Vec<Role>,
    pub entities: Vec<Entity>,
}

impl Service {
    pub fn entity(&self, name: &str) -> Option<&Entity> {
        self.entities.iter().find(|e| e.name == name)
    }

    /// The repository-relative path of a file inside the service directory.
    pub fn path_of(&self, relative: &str) -> String {
        if self.directory == "." { relative.to_string() } else { format!("{}/{relative}", self.directory) }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Generator {
    /// A generator built into ampsync.
    Builtin { name: GeneratorKind },
    /// A team's own template directory, relative to the repository root.
    Templates { directory: String },
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GitSettings {
    pub provider: ProviderKind,
    /// `owner/name`; `None` means the repository ampsync runs in.
    pub repository: Option<String>,
    /// `None` means the repository's default branch.
    pub base_branch: Option<String>,
    pub branch: String,
    pub branch_mode: BranchMode,
    pub conflicts: ConflictPolicy,
    pub create_repository: bool,
    pub pull_request: PullRequestSettings,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PullRequestSettings {
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub team_reviewers: Vec<String>,
    pub assignees: Vec<String>,
    pub draft: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Auth {
    pub kind: AuthKind,
    /// The entity holding Username, Password and Roles (with `jwt`).
    pub entity: Option<String>,
}

impl Auth {
    pub fn enabled(&self) -> bool {
        self.kind == AuthKind::Jwt
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Role {
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Entity {
    /// PascalCase.
    pub name: String,
    /// camelCase plural (`orderItems`); routes use its kebab-case form.
    pub plural_name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub permissions: Permissions,
    pub fields: Vec<Field>,
}

impl Entity {
    pub fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// The primary key field (always present after resolution).
    pub fn id_field(&self) -> &Field {
        self.fields
            .iter()
            .find(|f| matches!(f.kind, FieldKind::Id { .. }))
            .expect("validation adds an id field to every entity")
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Permissions {
    pub create: Permission,
    pub read: Permission,
    pub update: Permission,
    pub delete: Permission,
    pub search: Permission,
}

impl Permissions {
    pub fn get(&self, action: Action) -> &Permission {
        match action {
            Action::Create => &self.create,
            Action::Read => &self.read,
            Action::Update => &self.update,
            Action::Delete => &self.delete,
            Action::Search => &self.search,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind", content = "roles")]
pub enum Permission {
    Public,
    Authenticated,
    Disabled,
    Roles(Vec<String>),
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Field {
    /// camelCase.
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    pub required: bool,
    pub unique: bool,
    pub searchable: bool,
    /// Not written in the manifest: an implicit `id`/`createdAt`/`updatedAt`, or the
    /// inverse side of a relation declared on another entity.
    pub implicit: bool,
    #[serde(flatten)]
    pub kind: FieldKind,
}

impl Field {
    pub fn field_type(&self) -> FieldType {
        self.kind.field_type()
    }

    /// The list-endpoint query parameters a searchable field gets (`title`, `titleContains`;
    /// `price`, `priceGte`, `priceLte`; `tagsHas`). Validation keeps them from clashing with
    /// each other; the generator's view builds exactly these (a test holds them equal).
    pub fn query_params(&self) -> Vec<String> {
        if !self.searchable {
            return Vec::new();
        }
        let suffixes: &[&str] = match &self.kind {
            FieldKind::SingleLineText { .. }
            | FieldKind::MultiLineText { .. }
            | FieldKind::Email
            | FieldKind::Username
            | FieldKind::File
            | FieldKind::GeographicLocation
            | FieldKind::Id { id_type: IdType::Cuid | IdType::Uuid } => &["", "Contains"],
            FieldKind::WholeNumber { .. }
            | FieldKind::DecimalNumber { .. }
            | FieldKind::DateTime { .. }
            | FieldKind::CreatedAt
            | FieldKind::UpdatedAt => &["", "Gte", "Lte"],
            FieldKind::Id { id_type: IdType::Autoincrement } | FieldKind::Boolean | FieldKind::OptionSet { .. } => {
                &[""]
            }
            FieldKind::MultiSelectOptionSet { .. } => &["Has"],
            FieldKind::Json | FieldKind::Lookup(_) | FieldKind::Password | FieldKind::Roles => &[],
        };
        suffixes.iter().map(|s| format!("{}{s}", self.name)).collect()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all_fields = "camelCase")]
pub enum FieldKind {
    SingleLineText { max_length: u32 },
    MultiLineText { max_length: Option<u32> },
    Email,
    WholeNumber { min: Option<i64>, max: Option<i64>, big_int: bool },
    DecimalNumber { min: Option<f64>, max: Option<f64>, precision: u32 },
    DateTime { date_only: bool },
    Boolean,
    Json,
    OptionSet { options: Vec<OptionValue> },
    MultiSelectOptionSet { options: Vec<OptionValue> },
    Lookup(Relation),
    GeographicLocation,
    Id { id_type: IdType },
    CreatedAt,
    UpdatedAt,
    Username,
    Password,
    Roles,
    File,
}

impl FieldKind {
    pub fn field_type(&self) -> FieldType {
        match self {
            FieldKind::SingleLineText { .. } => FieldType::SingleLineText,
            FieldKind::MultiLineText { .. } => FieldType::MultiLineText,
            FieldKind::Email => FieldType::Email,
            FieldKind::WholeNumber { .. } => FieldType::WholeNumber,
            FieldKind::DecimalNumber { .. } => FieldType::DecimalNumber,
            FieldKind::DateTime { .. } => FieldType::DateTime,
            FieldKind::Boolean => FieldType::Boolean,
            FieldKind::Json => FieldType::Json,
            FieldKind::OptionSet { .. } => FieldType::OptionSet,
            FieldKind::MultiSelectOptionSet { .. } => FieldType::MultiSelectOptionSet,
            FieldKind::Lookup(_) => FieldType::Lookup,
            FieldKind::GeographicLocation => FieldType::GeographicLocation,
            FieldKind::Id { .. } => FieldType::Id,
            FieldKind::CreatedAt => FieldType::CreatedAt,
            FieldKind::UpdatedAt => FieldType::UpdatedAt,
            FieldKind::Username => FieldType::Username,
            FieldKind::Password => FieldType::Password,
            FieldKind::Roles => FieldType::Roles,
            FieldKind::File => FieldType::File,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OptionValue {
    /// An identifier.
    pub value: String,
    pub label: String,
}

/// One side of a relation. Both sides of every relation exist after resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Relation {
    pub target: String,
    /// Seen from this side.
    pub relation: RelationKind,
    /// The field on the target that points back.
    pub inverse: String,
    /// A name shared by both sides, unique in the service (`ProductCategories`).
    pub relation_name: String,
    /// This side stores the foreign key (`<field>Id`): many-to-one, and the owning side of
    /// a one-to-one (the side declared in the manifest; the first by entity and field name
    /// when both are).
    pub holds_foreign_key: bool,
}

impl Relation {
    /// The foreign key column name when this side holds it.
    pub fn foreign_key(&self, field_name: &str) -> Option<String> {
        self.holds_foreign_key.then(|| format!("{field_name}Id"))
    }
}
