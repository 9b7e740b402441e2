//! The manifest as written: every key optional, every value positioned.
//!
//! These types are the single source of the manifest's shape: the JSON Schema
//! (`ampsync schema`) is derived from them, and [`super::de`] fills them from YAML while
//! collecting problems. Keys are camelCase, unknown keys are errors. Nothing here applies a
//! default or checks a rule: that is [`super::validate`]'s job, which turns these into the
//! resolved [`super::model`].

use std::fmt;

use schemars::JsonSchema;
use serde::de::{self, Visitor};
use serde::{Deserialize, Deserializer};

use super::de::{Spanned, StructInfo};
use super::keywords::{
    AuthKind, BranchMode, ConflictPolicy, FieldType, GeneratorKind, IdType, PermissionKeyword, ProviderKind,
    RelationKind,
};

type S<T> = Option<Spanned<T>>;

/// ampsync service manifest, version 1: the services of a project, their entities, fields,
/// relations, roles and permissions, and where their generated code is committed.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(title = "amplication.yaml (ampsync manifest v1)")]
pub struct RawManifest {
    /// Manifest format version: `1`.
    #[schemars(with = "u8", range(min = 1, max = 1))]
    pub version: S<i64>,
    /// Project name, used in commit messages and pull requests.
    #[schemars(required)]
    pub project: S<String>,
    /// Defaults for every service: git provider, repository, branches, conflicts, pull requests.
    pub git: S<RawGit>,
    /// The services to generate, each into its own directory.
    #[schemars(required, length(min = 1))]
    pub services: S<Vec<Spanned<RawService>>>,
}

/// Where and how builds are committed. Every key can also be set on a service.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawGit {
    /// Git provider: `github` (default) or `local`.
    #[schemars(with = "Option<ProviderKind>")]
    pub provider: S<String>,
    /// `owner/name` of the repository. Default: the repository the action runs in (or the local one).
    #[schemars(with = "Option<String>", regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$"))]
    pub repository: S<String>,
    /// The branch builds are based on and pull requests target. Default: the repository's default branch.
    pub base_branch: S<String>,
    /// The sync branch. Default: `amplication`.
    pub branch: S<String>,
    /// `accumulate` (default): one branch gets a commit per build; `per-build`: a branch and PR per build.
    #[schemars(with = "Option<BranchMode>")]
    pub branch_mode: S<String>,
    /// When a hand edit conflicts with a generator change: `markers` (default), `ours` or `theirs`.
    #[schemars(with = "Option<ConflictPolicy>")]
    pub conflicts: S<String>,
    /// Create the repository when it does not exist. Default: `false`.
    pub create_repository: S<bool>,
    /// Labels, reviewers, assignees and draft state of the pull request.
    pub pull_request: S<RawPullRequest>,
}

/// Settings of the pull request a build opens or updates.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPullRequest {
    /// Labels added to the pull request.
    pub labels: S<Vec<Spanned<String>>>,
    /// GitHub users asked to review.
    pub reviewers: S<Vec<Spanned<String>>>,
    /// Teams (slugs) asked to review.
    pub team_reviewers: S<Vec<Spanned<String>>>,
    /// GitHub users assigned.
    pub assignees: S<Vec<Spanned<String>>>,
    /// Open the pull request as a draft. Default: `false`.
    pub draft: S<bool>,
}

/// One generated service.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawService {
    /// Service name: kebab-case, unique in the manifest.
    #[schemars(with = "String", regex(pattern = r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$"))]
    pub name: S<String>,
    /// Where the service's code goes, relative to the repository root. Default: `apps/<name>`.
    pub directory: S<String>,
    /// Built-in generator: `nestjs` (default unless `templates` is set).
    #[schemars(with = "Option<GeneratorKind>")]
    pub generator: S<String>,
    /// A directory of your own minijinja templates to render instead of a built-in generator.
    pub templates: S<String>,
    /// Repository for this service (overrides `git.repository`).
    #[schemars(with = "Option<String>", regex(pattern = r"^[A-Za-z0-9][A-Za-z0-9-]*/[A-Za-z0-9._-]+$"))]
    pub repository: S<String>,
    /// Git provider for this service (overrides `git.provider`).
    #[schemars(with = "Option<ProviderKind>")]
    pub provider: S<String>,
    /// Base branch for this service (overrides `git.baseBranch`).
    pub base_branch: S<String>,
    /// Sync branch for this service (overrides `git.branch`).
    pub branch: S<String>,
    /// Branch mode for this service (overrides `git.branchMode`).
    #[schemars(with = "Option<BranchMode>")]
    pub branch_mode: S<String>,
    /// Conflict policy for this service (overrides `git.conflicts`).
    #[schemars(with = "Option<ConflictPolicy>")]
    pub conflicts: S<String>,
    /// Create this service's repository when missing (overrides `git.createRepository`).
    pub create_repository: S<bool>,
    /// Pull request settings for this service (replace `git.pullRequest` key by key).
    pub pull_request: S<RawPullRequest>,
    /// Authentication: `none` (default) or `jwt`.
    #[schemars(with = "Option<AuthKind>")]
    pub auth: S<String>,
    /// With `auth: jwt`: the entity holding the Username, Password and Roles fields. Default: `User`.
    pub auth_entity: S<String>,
    /// Roles users can hold; permissions name them.
    pub roles: S<Vec<Spanned<RawRole>>>,
    /// The entities (tables and REST resources) of the service.
    #[schemars(required, length(min = 1))]
    pub entities: S<Vec<Spanned<RawEntity>>>,
}

/// A role.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawRole {
    /// Role name as stored in tokens (camelCase or kebab-case), unique in the service.
    #[schemars(with = "String")]
    pub name: S<String>,
    /// Human-readable name. Default: the name.
    pub display_name: S<String>,
    /// What the role is for.
    pub description: S<String>,
}

/// An entity: a table, a REST resource and its DTOs.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawEntity {
    /// Entity name: PascalCase, unique in the service.
    #[schemars(with = "String", regex(pattern = r"^[A-Z][A-Za-z0-9]*$"))]
    pub name: S<String>,
    /// Plural, used in routes. Default: the English plural of the camelCase name.
    pub plural_name: S<String>,
    /// Human-readable name. Default: the name split into words.
    pub display_name: S<String>,
    /// What the entity is.
    pub description: S<String>,
    /// Who may do what. Default per action: `authenticated` with auth, else `public`.
    pub permissions: S<RawPermissions>,
    /// The fields. `id`, `createdAt` and `updatedAt` are implicit unless declared.
    #[schemars(required)]
    pub fields: S<Vec<Spanned<RawField>>>,
}

/// Permissions per action.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawPermissions {
    /// Who may create records.
    pub create: S<RawPermission>,
    /// Who may read one record.
    pub read: S<RawPermission>,
    /// Who may update records.
    pub update: S<RawPermission>,
    /// Who may delete records.
    pub delete: S<RawPermission>,
    /// Who may list and search records.
    pub search: S<RawPermission>,
}

/// `public`, `authenticated`, `disabled`, or a list of role names.
#[derive(Debug, Clone, PartialEq)]
pub enum RawPermission {
    Keyword(String),
    Roles(Vec<Spanned<String>>),
    /// Anything else; holds a description of what was found.
    Invalid(String),
}

impl<'de> Deserialize<'de> for RawPermission {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RawPermission;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a permission")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawPermission, E> {
                Ok(RawPermission::Keyword(v.to_string()))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<RawPermission, A::Error> {
                let mut roles = Vec::new();
                while let Some(role) = seq.next_element::<Spanned<String>>()? {
                    roles.push(role);
                }
                Ok(RawPermission::Roles(roles))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, _map: A) -> Result<RawPermission, A::Error> {
                Ok(RawPermission::Invalid("a mapping".into()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<RawPermission, E> {
                Ok(RawPermission::Invalid(format!("the boolean `{v}`")))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RawPermission, E> {
                Ok(RawPermission::Invalid(format!("the number `{v}`")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RawPermission, E> {
                Ok(RawPermission::Invalid(format!("the number `{v}`")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<RawPermission, E> {
                Ok(RawPermission::Invalid("nothing (null)".into()))
            }
        }
        deserializer.deserialize_any(V)
    }
}

impl JsonSchema for RawPermission {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Permission".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let keyword = generator.subschema_for::<PermissionKeyword>();
        schemars::json_schema!({
            "description": "`public` (anyone), `authenticated` (anyone signed in), `disabled` (no endpoint), or a list of role names.",
            "anyOf": [
                keyword,
                { "type": "array", "items": { "type": "string" }, "minItems": 1, "uniqueItems": true }
            ]
        })
    }
}

/// A field of an entity. Keys beyond the common ones depend on `type`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct RawField {
    /// Field name: camelCase, unique in the entity.
    #[schemars(with = "String", regex(pattern = r"^[a-z][A-Za-z0-9]*$"))]
    pub name: S<String>,
    /// Field type.
    #[serde(rename = "type")]
    #[schemars(with = "FieldType")]
    pub field_type: S<String>,
    /// A value is required on create. Default: `false`.
    pub required: S<bool>,
    /// Values are unique across records. Default: `false`.
    pub unique: S<bool>,
    /// The list endpoint can filter on this field (`<field>`, and `<field>Contains`,
    /// `<field>Gte`/`<field>Lte` or `<field>Has` by type). Default: `false`.
    pub searchable: S<bool>,
    /// Human-readable name. Default: the name split into words.
    pub display_name: S<String>,
    /// What the field holds (documentation and OpenAPI).
    pub description: S<String>,
    /// SingleLineText (default 256) and MultiLineText: the longest accepted value.
    #[schemars(with = "Option<u32>", range(min = 1))]
    pub max_length: S<i64>,
    /// WholeNumber and DecimalNumber: the smallest accepted value.
    pub min: S<f64>,
    /// WholeNumber and DecimalNumber: the largest accepted value.
    pub max: S<f64>,
    /// WholeNumber: store as a 64-bit integer. Default: `false`.
    pub big_int: S<bool>,
    /// DecimalNumber: digits after the decimal point (0–10). Default: 2.
    #[schemars(with = "Option<u8>", range(max = 10))]
    pub precision: S<i64>,
    /// DateTime: a calendar date without time. Default: `false`.
    pub date_only: S<bool>,
    /// OptionSet and MultiSelectOptionSet: the allowed values.
    pub options: S<Vec<Spanned<RawOption>>>,
    /// Lookup: the related entity.
    pub target: S<String>,
    /// Lookup: how the entities relate.
    #[schemars(with = "Option<RelationKind>")]
    pub relation: S<String>,
    /// Lookup: the name of the field on the target that points back (created there unless declared).
    pub inverse: S<String>,
    /// Id: how ids are made: `cuid` (default), `uuid` or `autoincrement`.
    #[schemars(with = "Option<IdType>")]
    pub id_type: S<String>,
}

/// An option: an identifier, or `{value, label}`.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
#[schemars(with = "RawOptionSchema")]
pub struct RawOption {
    /// The stored value: an identifier.
    pub value: S<String>,
    /// The label shown to people. Default: the value.
    pub label: S<String>,
}

/// Schema of [`RawOption`]: the short form (an identifier) or the long form.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum RawOptionSchema {
    /// The value, also used as its label.
    Short(#[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]*$"))] String),
    Long(RawOptionLong),
}

/// An option with a label.
#[derive(JsonSchema)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct RawOptionLong {
    /// The stored value: an identifier.
    #[schemars(regex(pattern = r"^[A-Za-z][A-Za-z0-9_]*$"))]
    value: String,
    /// The label shown to people. Default: the value.
    label: Option<String>,
}

/// Describes the raw structs in messages and enables the option shorthand.
pub struct Info;

impl StructInfo for Info {
    fn describe(struct_name: &str) -> String {
        match struct_name {
            "RawManifest" => "the manifest".into(),
            "RawGit" => "`git`".into(),
            "RawPullRequest" => "`pullRequest`".into(),
            "RawService" => "a service".into(),
            "RawRole" => "a role".into(),
            "RawEntity" => "an entity".into(),
            "RawPermissions" => "`permissions`".into(),
            "RawField" => "a field".into(),
            "RawOption" => "an option".into(),
            other => format!("`{other}`"),
        }
    }

    fn scalar_shorthand(struct_name: &str) -> Option<&'static str> {
        (struct_name == "RawOption").then_some("value")
    }
}
