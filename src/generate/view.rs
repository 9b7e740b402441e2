//! The template context: the resolved model plus every spelling of every name, and the
//! target-language facts templates must not compute themselves (Prisma, SQL, TypeScript
//! types, class-validator decorators, foreign keys, relation routes).
//!
//! Templates (built-in and a team's own) see `project`, `service`, `entities` (sorted by
//! name), `roles`, `roleNames`, `enums`, `joinTables`, `sql`, `auth`, `hasPassword`,
//! `routes`, `ampsyncVersion` and, in per-entity templates, `entity` (see [`ServiceView`]). Every entity and field carries `camel`, `pascal`, `kebab`, `snake` and
//! `words` spellings (entities also `plural*`), so file names can be templated without
//! filters. Every property documented here is always present (`null` or empty when it does
//! not apply), because templates render with strict undefined.
//!
//! TypeScript snippets (decorators, expressions) are computed here so the templates stay
//! declarative; they assume the imports the built-in templates make (`Prisma` and the enums
//! from the generated client, class-validator, class-transformer, `@nestjs/swagger`).

use serde::Serialize;

use super::nestjs::model::{Analysis, Ent, Member, Rel, Side, lower_first};
use crate::manifest::model::{
    Action, Entity, Field, FieldKind, IdType, Manifest, OptionValue, Permission, Role, Service,
};
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

/// A number from the manifest (`min`/`max`): an integer when it has no fraction, so it
/// renders as `0`, not `0.0`.
#[derive(Debug, Clone, Copy, Serialize)]
#[serde(untagged)]
pub enum Num {
    Int(i64),
    Float(f64),
}

impl Num {
    fn of_f64(v: f64) -> Self {
        if v.fract() == 0.0 && v.abs() < 9.0e15 { Num::Int(v as i64) } else { Num::Float(v) }
    }

    /// The TypeScript literal.
    fn ts(self) -> String {
        match self {
            Num::Int(i) => i.to_string(),
            Num::Float(f) => format!("{f}"),
        }
    }
}

/// One field of an entity, as declared or implied by the manifest (relations included).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FieldView {
    pub name: String,
    pub display_name: String,
    pub description: Option<String>,
    /// Required in the manifest (always true for Id, CreatedAt, UpdatedAt, Username, Password).
    pub required: bool,
    /// Has a unique constraint (`@unique`; not set on the primary key itself).
    pub unique: bool,
    pub searchable: bool,
    /// Not written in the manifest (implicit id/createdAt/updatedAt, or an inverse side).
    pub implicit: bool,
    /// The manifest type (`SingleLineText`, `Lookup`, ...).
    #[serde(rename = "type")]
    pub field_type: String,
    /// What a sample value looks like: `id`, `text`, `email`, `int`, `bigint`, `decimal`,
    /// `datetime`, `date`, `boolean`, `json`, `enum`, `enumList`, `geo`, `file`,
    /// `username`, `password`, `roles`, `createdAt`, `updatedAt`, `relation`.
    pub kind: &'static str,
    /// WholeNumber / DecimalNumber bounds.
    pub min: Option<Num>,
    pub max: Option<Num>,
    /// SingleLineText (always set) / MultiLineText (optional).
    pub max_length: Option<u32>,
    /// OptionSet / MultiSelectOptionSet values (`value` is what is stored and sent).
    pub options: Vec<OptionValue>,
    /// DecimalNumber: digits after the point.
    pub precision: Option<u32>,
    /// WholeNumber stored as BigInt: sent and returned as a JSON string of digits.
    pub big_int: bool,
    /// DateTime holding a calendar date (`@db.Date`).
    pub date_only: bool,
    /// Id: `cuid`, `uuid` or `autoincrement`.
    pub id_type: Option<&'static str>,
    /// The Prisma enum of an option set (`EnumProductStatus`).
    pub enum_name: Option<String>,
    /// A column of this entity's table (every non-relation field).
    pub column: bool,
    /// Accepted in create/update bodies.
    pub writable: bool,
    /// Returned in responses (false for Password).
    pub readable: bool,
    /// Usable in `sort=`.
    pub sortable: bool,
    /// TypeScript type of the value in responses (`string`, `number`, `Date`, `EnumX[]`...).
    pub ts_type: String,
    /// TypeScript type in create/update bodies.
    pub input_ts_type: String,
    /// The relation, for `Lookup` fields.
    pub relation: Option<RelationView>,
    #[serde(flatten)]
    pub names: Names,
}

/// One side of a relation, seen from the field's entity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RelationView {
    /// `one-to-one`, `one-to-many`, `many-to-one`, `many-to-many`.
    pub kind: &'static str,
    /// This side holds a list of targets (one-to-many, many-to-many).
    pub to_many: bool,
    /// The target entity name and spellings.
    pub target: String,
    pub target_names: Names,
    pub target_plural_kebab: String,
    /// The target's Prisma delegate (`prisma.orderItem`).
    pub target_client_property: String,
    /// The target's primary key field name and whether it is an integer.
    pub target_id_field: String,
    pub target_id_is_int: bool,
    /// The field on the target pointing back.
    pub inverse: String,
    /// The foreign key scalar this side holds (`customerId`), if any.
    pub foreign_key: Option<String>,
    /// One-to-many: the foreign key on the target pointing here (`customerId` on Order).
    pub inverse_foreign_key: Option<String>,
    /// Whether the foreign key (here or on the target) is required.
    pub foreign_key_required: bool,
    /// The Prisma `@relation` name when Prisma needs one.
    pub prisma_name: Option<String>,
    /// To-many: whether `DELETE /:id/<relation>` exists (many-to-many, or an optional
    /// foreign key on the target; a required one cannot be unset).
    pub disconnectable: bool,
}

/// One property of a generated DTO class (create input, entity output, list query).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PropView {
    pub name: String,
    pub ts_type: String,
    /// Declared with `?` (optional in the request / nullable in the response).
    pub optional: bool,
    /// Decorator lines, in order, without indentation (`@IsString()`).
    pub decorators: Vec<String>,
    /// Create DTO: the TS expression giving the Prisma create value from `input` (may `await`).
    pub to_data: String,
    /// Update DTO (every property optional): the Prisma update value from `input`.
    pub to_update_data: String,
}

/// One filter query parameter of `GET /<plural>`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterView {
    /// Query parameter (`price`, `titleContains`, `priceGte`, `tagsHas`, `customerId`).
    pub param: String,
    /// The column filtered.
    pub field: String,
    /// `equals`, `contains`, `gte`, `lte`, `has`.
    pub op: &'static str,
    /// The field's `kind` (see [`FieldView::kind`]; `fk` for a foreign key).
    pub kind: &'static str,
    /// The property of the find-many args class.
    pub prop: PropView,
    /// The TS `where` clause for value `args.<param>` (`{ price: { gte: args.priceGte } }`).
    pub where_expr: String,
}

/// A foreign key column held by this entity (`<relation>Id`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ForeignKeyView {
    /// `customerId`.
    pub name: String,
    /// The relation field (`customer`).
    pub relation: String,
    pub target: String,
    pub target_names: Names,
    pub target_plural_kebab: String,
    pub target_id_field: String,
    pub target_id_is_int: bool,
    pub required: bool,
    /// One-to-one owner: the column is unique.
    pub unique: bool,
    pub ts_type: String,
}

/// Who may call one action of an entity.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionView {
    /// `create`, `read`, `update`, `delete`, `search`.
    pub action: &'static str,
    /// `public`, `authenticated`, `roles`, `disabled`. Without auth every enabled action is
    /// `public`.
    pub access: &'static str,
    /// The endpoint exists (not `disabled`).
    pub enabled: bool,
    /// With `access: roles`, the roles allowed.
    pub roles: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionsView {
    pub create: ActionView,
    pub read: ActionView,
    pub update: ActionView,
    pub delete: ActionView,
    pub search: ActionView,
}

/// One HTTP endpoint (for README tables and tests).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteView {
    pub method: &'static str,
    /// `/customers/:id/orders`.
    pub path: String,
    /// The permission action guarding it.
    pub action: &'static str,
    /// Human summary of who may call it (`public`, `authenticated`, `roles: admin`).
    pub access: String,
    pub summary: String,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EntityView<'a> {
    pub name: &'a str,
    pub plural_name: &'a str,
    pub display_name: &'a str,
    pub description: Option<&'a str>,
    pub permissions: &'a crate::manifest::model::Permissions,
    /// Every field in schema order (id, createdAt, updatedAt, declared, inverse sides).
    pub fields: Vec<FieldView>,
    #[serde(flatten)]
    pub names: Names,
    /// Spellings of the plural (`pluralKebab` is the route segment).
    pub plural_camel: String,
    pub plural_pascal: String,
    pub plural_kebab: String,
    pub plural_snake: String,
    pub plural_words: String,
    /// The Prisma delegate (`prisma.orderItem`).
    pub client_property: String,
    /// Lower-case words with an article, for prose (`an order item`).
    pub a_words: String,
    /// The description as comment lines, safe inside `/** */` and after `///` (empty without one).
    pub doc_lines: Vec<String>,
    /// The primary key field name (`id`, or e.g. `key`).
    pub id_field: String,
    /// `cuid`, `uuid`, `autoincrement`.
    pub id_type: &'static str,
    pub id_is_int: bool,
    /// `number` or `string`.
    pub id_ts_type: &'static str,
    /// Who may do what; disabled actions have no endpoint.
    pub actions: ActionsView,
    /// Foreign keys held by this entity, in schema order.
    pub foreign_keys: Vec<ForeignKeyView>,
    /// To-one relation fields (any side).
    pub to_one_relations: Vec<FieldView>,
    /// To-many relation fields: each has `GET/POST/DELETE /<plural>/:id/<field kebab>`.
    pub to_many_relations: Vec<FieldView>,
    /// Manifest fields with a unique constraint (primary key excluded).
    pub unique_fields: Vec<FieldView>,
    /// Names of the Prisma enums this entity's fields use.
    pub enums: Vec<String>,
    /// The Password fields (hashed with bcryptjs, never returned).
    pub password_fields: Vec<String>,
    /// Entity DTO (`<Entity>`): response properties.
    pub output_props: Vec<PropView>,
    /// Create DTO properties (the update DTO is its `PartialType`).
    pub create_props: Vec<PropView>,
    /// Filters of `GET /<plural>`.
    pub filters: Vec<FilterView>,
    /// Fields allowed in `sort=`.
    pub sort_fields: Vec<String>,
    /// What the create DTO imports.
    pub create_imports: ImportsView,
    /// What the find-many args class imports.
    pub args_imports: ImportsView,
    /// What the entity (response) class imports.
    pub output_imports: ImportsView,
    /// Distinct targets of the to-many relations (for imports), excluding this entity.
    pub to_many_targets: Vec<Names>,
    /// A to-many relation targets this entity itself (self relation).
    pub self_to_many: bool,
    /// `schema.prisma` lines of the model body (aligned, no indentation).
    pub prisma_lines: Vec<String>,
    /// The model's `@@` attribute lines.
    pub prisma_model_attributes: Vec<String>,
    /// Endpoints of this entity.
    pub routes: Vec<RouteView>,
    /// This is the auth entity.
    pub is_auth_entity: bool,
    /// Any field is a BigInt / Decimal / Json (for imports).
    pub has_big_int: bool,
    pub has_json: bool,
}

/// A Prisma enum (one per option set field).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EnumView {
    pub name: String,
    pub entity: String,
    pub field: String,
    pub options: Vec<OptionValue>,
    /// Per option, its label on one line for a `///` comment (`null` when it equals the value).
    pub comments: Vec<Option<String>>,
}

/// An implicit many-to-many join table (`_CategoryToProduct`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct JoinTableView {
    pub name: String,
    /// Entity referenced by column "A" (sorts first) and "B".
    pub a: String,
    pub b: String,
    pub a_sql_type: &'static str,
    pub b_sql_type: &'static str,
    pub a_id_field: String,
    pub b_id_field: String,
}

/// The PostgreSQL DDL of the schema, statement by statement, in the order Prisma writes a
/// first migration.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlView {
    /// `CREATE TYPE ... AS ENUM (...)`.
    pub enums: Vec<String>,
    /// Each table with its column definitions (and the primary key constraint last).
    pub tables: Vec<SqlTable>,
    /// `CREATE [UNIQUE] INDEX ...`.
    pub indexes: Vec<String>,
    /// `ALTER TABLE ... ADD CONSTRAINT ... FOREIGN KEY ...`.
    pub foreign_keys: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SqlTable {
    pub name: String,
    pub columns: Vec<String>,
    pub primary_key: String,
}

/// The auth entity's facts (when `auth: jwt`).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthView {
    pub entity: String,
    pub entity_names: Names,
    pub client_property: String,
    pub id_field: String,
    pub id_is_int: bool,
    pub username_field: String,
    pub password_field: String,
    /// The Roles field, if the entity has one.
    pub roles_field: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceView<'a> {
    pub project: &'a str,
    pub service: ServiceInfo<'a>,
    pub entities: Vec<EntityView<'a>>,
    pub roles: &'a [Role],
    /// Role names, in manifest order.
    pub role_names: Vec<String>,
    /// The ampsync version that generated the files.
    pub ampsync_version: &'static str,
    /// Every Prisma enum, in schema order.
    pub enums: Vec<EnumView>,
    pub join_tables: Vec<JoinTableView>,
    pub sql: SqlView,
    /// Set when `auth: jwt`.
    pub auth: Option<AuthView>,
    /// Some field anywhere is a Password (bcryptjs is a dependency).
    pub has_password: bool,
    /// Every endpoint of the service (entities only).
    pub routes: Vec<RouteView>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ServiceInfo<'a> {
    pub name: &'a str,
    pub directory: &'a str,
    pub auth: &'a crate::manifest::model::Auth,
    /// `auth: jwt`.
    pub auth_enabled: bool,
    #[serde(flatten)]
    pub names: Names,
}

impl<'a> ServiceView<'a> {
    pub fn new(manifest: &'a Manifest, service: &'a Service) -> Self {
        let analysis = Analysis::new(service);
        let auth_enabled = service.auth.enabled();
        let role_names: Vec<String> = service.roles.iter().map(|r| r.name.clone()).collect();
        let cx = Cx {
            analysis: &analysis,
            auth_enabled,
            role_names: &role_names,
            auth_entity: service.auth.entity.as_deref(),
        };
        let entities: Vec<EntityView<'a>> = analysis.entities.iter().map(|e| cx.entity(e)).collect();

        let enums = entities
            .iter()
            .flat_map(|e| {
                e.fields.iter().filter_map(|f| {
                    f.enum_name.as_ref().map(|n| EnumView {
                        name: n.clone(),
                        entity: e.name.to_string(),
                        field: f.name.clone(),
                        options: f.options.clone(),
                        comments: f
                            .options
                            .iter()
                            .map(|o| (o.label != o.value).then(|| doc_lines(Some(&o.label)).join(" ")))
                            .collect(),
                    })
                })
            })
            .collect::<Vec<_>>();
        let join_tables = analysis
            .join_tables
            .iter()
            .map(|j| {
                let (a, b) = (analysis.ent(j.a), analysis.ent(j.b));
                JoinTableView {
                    name: j.name.clone(),
                    a: a.name().to_string(),
                    b: b.name().to_string(),
                    a_sql_type: id_sql_type(a),
                    b_sql_type: id_sql_type(b),
                    a_id_field: a.id.name.clone(),
                    b_id_field: b.id.name.clone(),
                }
            })
            .collect::<Vec<_>>();
        let sql = sql_view(&analysis, &enums, &join_tables);
        let auth = if auth_enabled {
            service.auth.entity.as_deref().and_then(|name| analysis.entities.iter().find(|e| e.name() == name)).map(
                |e| {
                    let of = |pred: fn(&FieldKind) -> bool| e.entity.fields.iter().find(|f| pred(&f.kind));
                    AuthView {
                        entity: e.name().to_string(),
                        entity_names: Names::of(e.name()),
                        client_property: lower_first(e.name()),
                        id_field: e.id.name.clone(),
                        id_is_int: e.id_is_int(),
                        username_field: of(|k| matches!(k, FieldKind::Username))
                            .map_or("username".into(), |f| f.name.clone()),
                        password_field: of(|k| matches!(k, FieldKind::Password))
                            .map_or("password".into(), |f| f.name.clone()),
                        roles_field: of(|k| matches!(k, FieldKind::Roles)).map(|f| f.name.clone()),
                    }
                },
            )
        } else {
            None
        };
        let has_password = entities.iter().any(|e| !e.password_fields.is_empty());
        let routes = entities.iter().flat_map(|e| e.routes.iter().cloned()).collect();
        Self {
            project: &manifest.project,
            service: ServiceInfo {
                name: &service.name,
                directory: &service.directory,
                auth: &service.auth,
                auth_enabled,
                names: Names::of(&service.name),
            },
            entities,
            roles: &service.roles,
            role_names,
            ampsync_version: env!("CARGO_PKG_VERSION"),
            enums,
            join_tables,
            sql,
            auth,
            has_password,
            routes,
        }
    }
}

struct Cx<'x, 'a> {
    analysis: &'x Analysis<'a>,
    auth_enabled: bool,
    role_names: &'x [String],
    auth_entity: Option<&'x str>,
}

fn id_type_str(t: IdType) -> &'static str {
    t.as_str()
}

fn id_sql_type(e: &Ent<'_>) -> &'static str {
    if e.id_is_int() { "INTEGER" } else { "TEXT" }
}

/// Text as comment lines: no `*/`, no trailing spaces, no line breaks inside a line.
pub fn doc_lines(text: Option<&str>) -> Vec<String> {
    text.map(|t| t.lines().map(|l| l.replace("*/", "*\\/").trim_end().to_string()).collect()).unwrap_or_default()
}

/// "a user", "an order item".
pub fn with_article(words: &str) -> String {
    let vowel = words.chars().next().is_some_and(|c| "aeiouAEIOU".contains(c));
    if vowel { format!("an {words}") } else { format!("a {words}") }
}

fn enum_name(entity: &str, field: &str) -> String {
    format!("Enum{entity}{}", names::pascal(field))
}

fn kind_of(field: &Field) -> &'static str {
    match &field.kind {
        FieldKind::SingleLineText { .. } | FieldKind::MultiLineText { .. } => "text",
        FieldKind::Email => "email",
        FieldKind::WholeNumber { big_int: true, .. } => "bigint",
        FieldKind::WholeNumber { .. } => "int",
        FieldKind::DecimalNumber { .. } => "decimal",
        FieldKind::DateTime { date_only: true } => "date",
        FieldKind::DateTime { .. } => "datetime",
        FieldKind::Boolean => "boolean",
        FieldKind::Json => "json",
        FieldKind::OptionSet { .. } => "enum",
        FieldKind::MultiSelectOptionSet { .. } => "enumList",
        FieldKind::Lookup(_) => "relation",
        FieldKind::GeographicLocation => "geo",
        FieldKind::Id { .. } => "id",
        FieldKind::CreatedAt => "createdAt",
        FieldKind::UpdatedAt => "updatedAt",
        FieldKind::Username => "username",
        FieldKind::Password => "password",
        FieldKind::Roles => "roles",
        FieldKind::File => "file",
    }
}

/// Escapes text for a single-quoted TypeScript string.
fn ts_str(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

/// Escapes text for a single-quoted SQL literal.
fn sql_str(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

fn sorted_unique(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

/// Extracts the decorator name (`@IsString()` → `IsString`).
fn decorator_name(d: &str) -> &str {
    let d = d.trim_start_matches('@');
    d.split('(').next().unwrap_or(d)
}

const VALIDATORS: &[&str] = &[
    "ArrayNotEmpty",
    "IsArray",
    "IsBoolean",
    "IsDate",
    "IsDefined",
    "IsEmail",
    "IsEnum",
    "IsIn",
    "IsInt",
    "IsLatLong",
    "IsNotEmpty",
    "IsNumber",
    "IsOptional",
    "IsString",
    "Matches",
    "Max",
    "MaxLength",
    "Min",
    "MinLength",
];
const TRANSFORMERS: &[&str] = &["Transform", "Type"];

/// Names one generated file imports, by module.
#[derive(Debug, Clone, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ImportsView {
    /// From `@nestjs/swagger`.
    pub swagger: Vec<String>,
    /// From `class-validator`.
    pub validator: Vec<String>,
    /// From `class-transformer`.
    pub transformer: Vec<String>,
    /// Enums from the generated Prisma client.
    pub enums: Vec<String>,
    /// From `src/common/validators` (the service's own validators).
    pub common: Vec<String>,
}

fn imports_of<'p>(
    props: impl Iterator<Item = &'p PropView>,
    enums: &[String],
    extra_validators: &[&str],
) -> ImportsView {
    let props: Vec<&PropView> = props.collect();
    let used = |known: &[&str]| -> Vec<String> {
        let names: Vec<String> = props
            .iter()
            .flat_map(|p| p.decorators.iter())
            .map(|d| decorator_name(d))
            .filter(|n| known.contains(n))
            .map(str::to_string)
            .collect();
        sorted_unique(names)
    };
    let mut validator = used(VALIDATORS);
    validator.extend(extra_validators.iter().map(|s| s.to_string()));
    let enums = enums
        .iter()
        .filter(|e| {
            props.iter().any(|p| {
                p.ts_type.split(|c: char| !c.is_alphanumeric()).any(|w| w == e.as_str())
                    || p.decorators.iter().any(|d| d.split(|c: char| !c.is_alphanumeric()).any(|w| w == e.as_str()))
            })
        })
        .cloned()
        .collect();
    ImportsView {
        swagger: used(&["ApiProperty", "ApiPropertyOptional"]),
        validator: sorted_unique(validator),
        transformer: used(TRANSFORMERS),
        common: used(&["IsIntegerString"]),
        enums,
    }
}

/// `{ required: true, type: String }`-style swagger options.
fn api_property(required: bool, parts: &[String], description: Option<&str>) -> String {
    let mut all: Vec<String> = Vec::new();
    if let Some(d) = description {
        all.push(format!("description: {}", ts_str(d)));
    }
    all.extend(parts.iter().cloned());
    let name = if required { "ApiProperty" } else { "ApiPropertyOptional" };
    if all.is_empty() { format!("@{name}()") } else { format!("@{name}({{ {} }})", all.join(", ")) }
}

impl<'x, 'a> Cx<'x, 'a> {
    fn action(&self, permission: &Permission, action: Action) -> ActionView {
        let (access, roles) = match permission {
            Permission::Disabled => ("disabled", Vec::new()),
            _ if !self.auth_enabled => ("public", Vec::new()),
            Permission::Public => ("public", Vec::new()),
            Permission::Authenticated => ("authenticated", Vec::new()),
            Permission::Roles(r) => ("roles", r.clone()),
        };
        ActionView { action: action.as_str(), access, enabled: access != "disabled", roles }
    }

    fn relation_view(&self, rel: &Rel<'a>) -> RelationView {
        let target = self.analysis.ent(rel.target);
        let (inverse_fk, fk_required) = match &rel.side {
            Side::Owner { required, .. } => (None, *required),
            Side::InverseMany { fk, fk_required } => (Some(fk.clone()), *fk_required),
            Side::InverseOne => {
                let required = self.analysis.other_side(rel).is_some_and(|o| o.field.required);
                (None, required)
            }
            Side::ManyToMany { .. } => (None, false),
        };
        let disconnectable = match &rel.side {
            Side::ManyToMany { .. } => true,
            Side::InverseMany { fk_required, .. } => !fk_required,
            _ => false,
        };
        RelationView {
            kind: rel.relation.relation.as_str(),
            to_many: rel.is_list(),
            target: target.name().to_string(),
            target_names: Names::of(target.name()),
            target_plural_kebab: names::kebab(&target.entity.plural_name),
            target_client_property: lower_first(target.name()),
            target_id_field: target.id.name.clone(),
            target_id_is_int: target.id_is_int(),
            inverse: rel.relation.inverse.clone(),
            foreign_key: rel.foreign_key().map(str::to_string),
            inverse_foreign_key: inverse_fk,
            foreign_key_required: fk_required,
            prisma_name: rel.prisma_name.clone(),
            disconnectable,
        }
    }

    fn field(&self, ent: &Ent<'a>, field: &Field, rel: Option<&Rel<'a>>) -> FieldView {
        let kind = kind_of(field);
        let enum_name = match &field.kind {
            FieldKind::OptionSet { .. } | FieldKind::MultiSelectOptionSet { .. } => {
                Some(enum_name(ent.name(), &field.name))
            }
            _ => None,
        };
        let (min, max, max_length, options, precision, big_int, date_only, id_type) = match &field.kind {
            FieldKind::SingleLineText { max_length } => {
                (None, None, Some(*max_length), vec![], None, false, false, None)
            }
            FieldKind::MultiLineText { max_length } => (None, None, *max_length, vec![], None, false, false, None),
            FieldKind::WholeNumber { min, max, big_int } => {
                (min.map(Num::Int), max.map(Num::Int), None, vec![], None, *big_int, false, None)
            }
            FieldKind::DecimalNumber { min, max, precision } => {
                (min.map(Num::of_f64), max.map(Num::of_f64), None, vec![], Some(*precision), false, false, None)
            }
            FieldKind::DateTime { date_only } => (None, None, None, vec![], None, false, *date_only, None),
            FieldKind::OptionSet { options } | FieldKind::MultiSelectOptionSet { options } => {
                (None, None, None, options.clone(), None, false, false, None)
            }
            FieldKind::Id { id_type } => (None, None, None, vec![], None, false, false, Some(id_type_str(*id_type))),
            _ => (None, None, None, vec![], None, false, false, None),
        };
        let is_relation = matches!(field.kind, FieldKind::Lookup(_));
        let column = !is_relation;
        let generated = matches!(field.kind, FieldKind::Id { .. } | FieldKind::CreatedAt | FieldKind::UpdatedAt);
        let writable = column && !generated;
        let readable = column && !matches!(field.kind, FieldKind::Password);
        let sortable = column
            && !matches!(
                field.kind,
                FieldKind::Json | FieldKind::MultiSelectOptionSet { .. } | FieldKind::Roles | FieldKind::Password
            );
        let (ts_type, input_ts_type) = match &field.kind {
            FieldKind::SingleLineText { .. }
            | FieldKind::MultiLineText { .. }
            | FieldKind::Email
            | FieldKind::GeographicLocation
            | FieldKind::Username
            | FieldKind::Password
            | FieldKind::File => ("string".to_string(), "string".to_string()),
            FieldKind::WholeNumber { big_int: true, .. } => ("string".into(), "string".into()),
            FieldKind::WholeNumber { .. } | FieldKind::DecimalNumber { .. } => ("number".into(), "number".into()),
            FieldKind::DateTime { .. } | FieldKind::CreatedAt | FieldKind::UpdatedAt => ("Date".into(), "Date".into()),
            FieldKind::Boolean => ("boolean".into(), "boolean".into()),
            FieldKind::Json => ("unknown".into(), "unknown".into()),
            FieldKind::OptionSet { .. } => {
                let n = enum_name.clone().unwrap_or_default();
                (n.clone(), n)
            }
            FieldKind::MultiSelectOptionSet { .. } => {
                let n = format!("{}[]", enum_name.clone().unwrap_or_default());
                (n.clone(), n)
            }
            FieldKind::Roles => ("string[]".into(), "string[]".into()),
            FieldKind::Id { .. } => (ent.id_ts().to_string(), ent.id_ts().to_string()),
            FieldKind::Lookup(_) => {
                let target = rel.map(|r| self.analysis.ent(r.target).name().to_string()).unwrap_or_default();
                if rel.is_some_and(|r| r.is_list()) {
                    (format!("{target}[]"), String::new())
                } else {
                    (target, String::new())
                }
            }
        };
        FieldView {
            name: field.name.clone(),
            display_name: field.display_name.clone(),
            description: field.description.clone(),
            required: field.required,
            unique: field.unique && !matches!(field.kind, FieldKind::Id { .. }),
            searchable: field.searchable,
            implicit: field.implicit,
            field_type: field.field_type().as_str().to_string(),
            kind,
            min,
            max,
            max_length,
            options,
            precision,
            big_int,
            date_only,
            id_type,
            enum_name,
            column,
            writable,
            readable,
            sortable,
            ts_type,
            input_ts_type,
            relation: rel.map(|r| self.relation_view(r)),
            names: Names::of(&field.name),
        }
    }

    /// The create-DTO property of a writable field.
    fn create_prop(&self, f: &FieldView) -> PropView {
        let required = f.required && f.kind != "roles";
        let mut d: Vec<String> = Vec::new();
        let mut api: Vec<String> = Vec::new();
        let input = format!("input.{}", f.name);
        let mut to_data = input.clone();
        match f.kind {
            "text" | "username" | "password" | "file" => {
                api.push("type: String".into());
                d.push("@IsString()".into());
                if let Some(n) = f.max_length {
                    api.push(format!("maxLength: {n}"));
                    d.push(format!("@MaxLength({n})"));
                }
                if matches!(f.kind, "username" | "password") {
                    api.push("minLength: 1".into());
                    d.push("@MinLength(1)".into());
                }
            }
            "email" => {
                api.push("type: String".into());
                api.push("format: 'email'".into());
                d.push("@IsEmail()".into());
            }
            "geo" => {
                api.push("type: String".into());
                api.push("example: '52.52,13.405'".into());
                d.push("@IsLatLong()".into());
            }
            "int" => {
                api.push("type: 'integer'".into());
                d.push("@IsInt()".into());
            }
            "bigint" => {
                api.push("type: String".into());
                api.push("pattern: '^-?[0-9]+$'".into());
                api.push("example: '9007199254740993'".into());
                let mut bounds = Vec::new();
                if let Some(min) = f.min {
                    bounds.push(format!("min: '{}'", min.ts()));
                }
                if let Some(max) = f.max {
                    bounds.push(format!("max: '{}'", max.ts()));
                }
                d.push(if bounds.is_empty() {
                    "@IsIntegerString()".to_string()
                } else {
                    format!("@IsIntegerString({{ {} }})", bounds.join(", "))
                });
                to_data = format!("{input} == null ? {input} : BigInt({input})");
            }
            "decimal" => {
                api.push("type: Number".into());
                let p = f.precision.unwrap_or(2);
                d.push(format!("@IsNumber({{ allowNaN: false, allowInfinity: false, maxDecimalPlaces: {p} }})"));
            }
            "datetime" | "date" => {
                api.push("type: String".into());
                api.push(format!("format: '{}'", if f.kind == "date" { "date" } else { "date-time" }));
                d.push("@Type(() => Date)".into());
                d.push("@IsDate()".into());
            }
            "boolean" => {
                api.push("type: Boolean".into());
                d.push("@IsBoolean()".into());
            }
            "json" => {
                api.push("type: 'object'".into());
                api.push("additionalProperties: true".into());
                if required {
                    d.push("@IsDefined()".into());
                }
                to_data = if f.required {
                    format!("{input} as Prisma.InputJsonValue")
                } else {
                    format!("{input} === null ? Prisma.DbNull : ({input} as Prisma.InputJsonValue | undefined)")
                };
            }
            "enum" => {
                let n = f.enum_name.clone().unwrap_or_default();
                api.push(format!("enum: {n}"));
                api.push(format!("enumName: '{n}'"));
                d.push(format!("@IsEnum({n})"));
            }
            "enumList" => {
                let n = f.enum_name.clone().unwrap_or_default();
                api.push(format!("enum: {n}"));
                api.push(format!("enumName: '{n}'"));
                api.push("isArray: true".into());
                d.push("@IsArray()".into());
                d.push(format!("@IsEnum({n}, {{ each: true }})"));
            }
            "roles" => {
                let list = self.role_names.iter().map(|r| ts_str(r)).collect::<Vec<_>>().join(", ");
                api.push(format!("enum: [{list}]"));
                api.push("isArray: true".into());
                d.push("@IsArray()".into());
                d.push(format!("@IsIn([{list}], {{ each: true }})"));
            }
            _ => {}
        }
        if let Some(min) = f.min
            && f.kind != "bigint"
        {
            api.push(format!("minimum: {}", min.ts()));
            d.push(format!("@Min({})", min.ts()));
        }
        if let Some(max) = f.max
            && f.kind != "bigint"
        {
            api.push(format!("maximum: {}", max.ts()));
            d.push(format!("@Max({})", max.ts()));
        }
        if !required {
            api.push("nullable: true".into());
            d.insert(0, "@IsOptional()".into());
        }
        if f.kind == "enumList" || f.kind == "roles" {
            // Never null: an array column; `[]` clears it.
            if let Some(pos) = api.iter().position(|a| a == "nullable: true") {
                api.remove(pos);
            }
            to_data = format!("{input} ?? undefined");
        }
        let mut to_update_data = to_data.clone();
        if f.kind == "password" {
            to_data = format!("await hash({input}, 10)");
            to_update_data = format!("{input} == null ? {input} : await hash({input}, 10)");
        }
        d.insert(0, api_property(required, &api, f.description.as_deref()));
        PropView {
            to_update_data,
            name: f.name.clone(),
            ts_type: if required { f.input_ts_type.clone() } else { format!("{} | null", f.input_ts_type) },
            optional: !required,
            decorators: d,
            to_data,
        }
    }

    fn fk_prop(&self, fk: &ForeignKeyView) -> PropView {
        let mut api =
            vec![if fk.target_id_is_int { "type: 'integer'".to_string() } else { "type: String".to_string() }];
        let mut d = vec![if fk.target_id_is_int { "@IsInt()".to_string() } else { "@IsString()".to_string() }];
        if !fk.required {
            api.push("nullable: true".into());
            d.insert(0, "@IsOptional()".into());
        }
        let desc = format!("The id of the {} ({})", names::words(&fk.relation).to_lowercase(), fk.target);
        d.insert(0, api_property(fk.required, &api, Some(&desc)));
        PropView {
            name: fk.name.clone(),
            ts_type: if fk.required { fk.ts_type.clone() } else { format!("{} | null", fk.ts_type) },
            optional: !fk.required,
            decorators: d,
            to_data: format!("input.{}", fk.name),
            to_update_data: format!("input.{}", fk.name),
        }
    }

    fn output_prop(&self, f: &FieldView) -> PropView {
        let nullable = !f.required && !matches!(f.kind, "enumList" | "roles");
        let mut api: Vec<String> = Vec::new();
        match f.kind {
            "id" => api.push(if f.ts_type == "number" { "type: 'integer'".into() } else { "type: String".into() }),
            "int" => api.push("type: 'integer'".into()),
            "decimal" => api.push("type: Number".into()),
            "bigint" => {
                api.push("type: String".into());
                api.push("pattern: '^-?[0-9]+$'".into());
            }
            "datetime" | "createdAt" | "updatedAt" => {
                api.push("type: String".into());
                api.push("format: 'date-time'".into());
            }
            "date" => {
                api.push("type: String".into());
                api.push("format: 'date'".into());
            }
            "boolean" => api.push("type: Boolean".into()),
            "json" => {
                api.push("type: 'object'".into());
                api.push("additionalProperties: true".into());
            }
            "enum" => {
                let n = f.enum_name.clone().unwrap_or_default();
                api.push(format!("enum: {n}"));
                api.push(format!("enumName: '{n}'"));
            }
            "enumList" => {
                let n = f.enum_name.clone().unwrap_or_default();
                api.push(format!("enum: {n}"));
                api.push(format!("enumName: '{n}'"));
                api.push("isArray: true".into());
            }
            "roles" => {
                api.push("type: [String]".into());
            }
            "email" => {
                api.push("type: String".into());
                api.push("format: 'email'".into());
            }
            _ => api.push("type: String".into()),
        }
        if nullable {
            api.push("nullable: true".into());
        }
        PropView {
            name: f.name.clone(),
            ts_type: if nullable { format!("{} | null", f.ts_type) } else { f.ts_type.clone() },
            optional: false,
            decorators: vec![api_property(true, &api, f.description.as_deref())],
            to_data: String::new(),
            to_update_data: String::new(),
        }
    }

    fn fk_output_prop(&self, fk: &ForeignKeyView) -> PropView {
        let mut api =
            vec![if fk.target_id_is_int { "type: 'integer'".to_string() } else { "type: String".to_string() }];
        if !fk.required {
            api.push("nullable: true".into());
        }
        PropView {
            name: fk.name.clone(),
            ts_type: if fk.required { fk.ts_type.clone() } else { format!("{} | null", fk.ts_type) },
            optional: false,
            decorators: vec![api_property(true, &api, None)],
            to_data: String::new(),
            to_update_data: String::new(),
        }
    }

    fn filters(&self, fields: &[FieldView], fks: &[ForeignKeyView]) -> Vec<FilterView> {
        let mut out = Vec::new();
        let query_prop = |param: &str, ts: &str, mut d: Vec<String>, api: Vec<String>| PropView {
            name: param.to_string(),
            ts_type: ts.to_string(),
            optional: true,
            decorators: {
                d.insert(0, "@IsOptional()".into());
                d.insert(0, api_property(false, &api, None));
                d
            },
            to_data: String::new(),
            to_update_data: String::new(),
        };
        let number = |int: bool| -> (Vec<String>, Vec<String>) {
            let check = if int { "@IsInt()" } else { "@IsNumber({ allowNaN: false, allowInfinity: false })" };
            (
                vec!["@Type(() => Number)".into(), check.into()],
                vec![if int { "type: 'integer'".into() } else { "type: Number".into() }],
            )
        };
        for f in fields.iter().filter(|f| f.searchable && f.column) {
            let name = &f.name;
            let eq = |ts: &str, d: Vec<String>, api: Vec<String>, value: String| FilterView {
                param: name.clone(),
                field: name.clone(),
                op: "equals",
                kind: f.kind,
                prop: query_prop(name, ts, d, api),
                where_expr: format!("{{ {name}: {value} }}"),
            };
            let ranged = |op: &'static str,
                          suffix: &str,
                          ts: &str,
                          d: Vec<String>,
                          api: Vec<String>,
                          conv: &dyn Fn(String) -> String| {
                let param = format!("{name}{suffix}");
                let value = conv(format!("args.{param}"));
                FilterView {
                    param: param.clone(),
                    field: name.clone(),
                    op,
                    kind: f.kind,
                    prop: query_prop(&param, ts, d, api),
                    where_expr: format!("{{ {name}: {{ {op}: {value} }} }}"),
                }
            };
            match f.kind {
                "text" | "email" | "username" | "file" | "geo" | "id" => {
                    if f.kind == "id" && f.ts_type == "number" {
                        let (d, api) = number(true);
                        out.push(eq("number", d, api, format!("args.{name}")));
                        continue;
                    }
                    let api = vec!["type: String".to_string()];
                    out.push(eq("string", vec!["@IsString()".into()], api.clone(), format!("args.{name}")));
                    let param = format!("{name}Contains");
                    out.push(FilterView {
                        param: param.clone(),
                        field: name.clone(),
                        op: "contains",
                        kind: f.kind,
                        prop: query_prop(
                            &param,
                            "string",
                            vec!["@IsString()".into()],
                            vec!["type: String".into(), "description: 'Contains, case-insensitive'".into()],
                        ),
                        where_expr: format!("{{ {name}: {{ contains: args.{param}, mode: 'insensitive' }} }}"),
                    });
                }
                "int" | "decimal" => {
                    let int = f.kind == "int";
                    let ts = "number";
                    let (d, api) = number(int);
                    out.push(eq(ts, d.clone(), api.clone(), format!("args.{name}")));
                    out.push(ranged("gte", "Gte", ts, d.clone(), api.clone(), &|v| v));
                    out.push(ranged("lte", "Lte", ts, d, api, &|v| v));
                }
                "bigint" => {
                    let d = vec!["@IsIntegerString()".to_string()];
                    let api = vec!["type: String".to_string(), "pattern: '^-?[0-9]+$'".to_string()];
                    out.push(eq("string", d.clone(), api.clone(), format!("BigInt(args.{name})")));
                    out.push(ranged("gte", "Gte", "string", d.clone(), api.clone(), &|v| format!("BigInt({v})")));
                    out.push(ranged("lte", "Lte", "string", d, api, &|v| format!("BigInt({v})")));
                }
                "datetime" | "date" | "createdAt" | "updatedAt" => {
                    let d = vec!["@Type(() => Date)".to_string(), "@IsDate()".to_string()];
                    let api = vec!["type: String".to_string(), "format: 'date-time'".to_string()];
                    out.push(eq("Date", d.clone(), api.clone(), format!("args.{name}")));
                    out.push(ranged("gte", "Gte", "Date", d.clone(), api.clone(), &|v| v));
                    out.push(ranged("lte", "Lte", "Date", d, api, &|v| v));
                }
                "boolean" => {
                    let d = vec![
                        "@Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))"
                            .to_string(),
                        "@IsBoolean()".to_string(),
                    ];
                    out.push(eq("boolean", d, vec!["type: Boolean".into()], format!("args.{name}")));
                }
                "enum" => {
                    let n = f.enum_name.clone().unwrap_or_default();
                    out.push(eq(
                        &n,
                        vec![format!("@IsEnum({n})")],
                        vec![format!("enum: {n}"), format!("enumName: '{n}'")],
                        format!("args.{name}"),
                    ));
                }
                "enumList" => {
                    let n = f.enum_name.clone().unwrap_or_default();
                    out.push(ranged(
                        "has",
                        "Has",
                        &n,
                        vec![format!("@IsEnum({n})")],
                        vec![format!("enum: {n}"), format!("enumName: '{n}'")],
                        &|v| v,
                    ));
                }
                _ => {}
            }
        }
        for fk in fks {
            let (d, api, ts) = if fk.target_id_is_int {
                let (d, api) = number(true);
                (d, api, "number")
            } else {
                (vec!["@IsString()".to_string()], vec!["type: String".to_string()], "string")
            };
            out.push(FilterView {
                param: fk.name.clone(),
                field: fk.name.clone(),
                op: "equals",
                kind: "fk",
                prop: query_prop(&fk.name, ts, d, api),
                where_expr: format!("{{ {}: args.{} }}", fk.name, fk.name),
            });
        }
        out
    }

    fn entity(&self, ent: &Ent<'a>) -> EntityView<'a> {
        let entity: &'a Entity = ent.entity;
        let plural = Names::of(&entity.plural_name);
        let rel_of = |field: &Field| {
            ent.members.iter().find_map(|m| match m {
                Member::Relation(r) if std::ptr::eq(r.field, field) => Some(r),
                _ => None,
            })
        };
        let fields: Vec<FieldView> = entity.fields.iter().map(|f| self.field(ent, f, rel_of(f))).collect();
        let foreign_keys: Vec<ForeignKeyView> = ent
            .relations()
            .filter_map(|r| match &r.side {
                Side::Owner { fk, required, unique } => {
                    let target = self.analysis.ent(r.target);
                    Some(ForeignKeyView {
                        name: fk.clone(),
                        relation: r.field.name.clone(),
                        target: target.name().to_string(),
                        target_names: Names::of(target.name()),
                        target_plural_kebab: names::kebab(&target.entity.plural_name),
                        target_id_field: target.id.name.clone(),
                        target_id_is_int: target.id_is_int(),
                        required: *required,
                        unique: *unique,
                        ts_type: target.id_ts().to_string(),
                    })
                }
                _ => None,
            })
            .collect();
        let p = &entity.permissions;
        let actions = ActionsView {
            create: self.action(&p.create, Action::Create),
            read: self.action(&p.read, Action::Read),
            update: self.action(&p.update, Action::Update),
            delete: self.action(&p.delete, Action::Delete),
            search: self.action(&p.search, Action::Search),
        };
        let to_one_relations: Vec<FieldView> =
            fields.iter().filter(|f| f.relation.as_ref().is_some_and(|r| !r.to_many)).cloned().collect();
        let to_many_relations: Vec<FieldView> =
            fields.iter().filter(|f| f.relation.as_ref().is_some_and(|r| r.to_many)).cloned().collect();
        let unique_fields = fields.iter().filter(|f| f.unique && f.column).cloned().collect();
        let enums = sorted_unique(fields.iter().filter_map(|f| f.enum_name.clone()).collect());
        let password_fields: Vec<String> =
            fields.iter().filter(|f| f.kind == "password").map(|f| f.name.clone()).collect();

        // DTO properties: manifest columns, with each foreign key right after its relation.
        let mut output_props = Vec::new();
        let mut create_props = Vec::new();
        for f in &fields {
            if f.readable {
                output_props.push(self.output_prop(f));
            }
            if f.writable {
                create_props.push(self.create_prop(f));
            }
            if let Some(fk) = foreign_keys.iter().find(|k| k.relation == f.name) {
                output_props.push(self.fk_output_prop(fk));
                create_props.push(self.fk_prop(fk));
            }
        }
        let filters = self.filters(&fields, &foreign_keys);
        let sort_fields = fields.iter().filter(|f| f.sortable).map(|f| f.name.clone()).collect();
        let filter_props: Vec<&PropView> = filters.iter().map(|f| &f.prop).collect();
        let mut to_many_targets: Vec<Names> = Vec::new();
        for f in &to_many_relations {
            if let Some(r) = &f.relation
                && r.target != entity.name
                && !to_many_targets.iter().any(|n| n.pascal == r.target_names.pascal)
            {
                to_many_targets.push(r.target_names.clone());
            }
        }
        to_many_targets.sort_by(|a, b| a.pascal.cmp(&b.pascal));
        let self_to_many =
            to_many_relations.iter().any(|f| f.relation.as_ref().is_some_and(|r| r.target == entity.name));
        let create_imports = imports_of(create_props.iter(), &enums, &[]);
        let args_imports = imports_of(filter_props.iter().copied(), &enums, &["IsOptional", "Matches"]);
        let output_imports = imports_of(output_props.iter(), &enums, &[]);

        let (prisma_lines, prisma_model_attributes) = self.prisma_model(ent);
        let routes = self.routes(entity, &actions, &to_many_relations);
        EntityView {
            name: &entity.name,
            plural_name: &entity.plural_name,
            display_name: &entity.display_name,
            description: entity.description.as_deref(),
            permissions: &entity.permissions,
            names: Names::of(&entity.name),
            plural_camel: plural.camel,
            plural_pascal: plural.pascal,
            plural_kebab: plural.kebab,
            plural_snake: plural.snake,
            plural_words: plural.words,
            client_property: lower_first(&entity.name),
            a_words: with_article(&names::words(&entity.name).to_lowercase()),
            doc_lines: doc_lines(entity.description.as_deref()),
            id_field: ent.id.name.clone(),
            id_type: id_type_str(ent.id_type),
            id_is_int: ent.id_is_int(),
            id_ts_type: ent.id_ts(),
            actions,
            foreign_keys,
            to_one_relations,
            to_many_relations,
            unique_fields,
            enums,
            password_fields,
            create_imports,
            args_imports,
            output_imports,
            self_to_many,
            to_many_targets,
            output_props,
            create_props,
            filters,
            sort_fields,
            prisma_lines,
            prisma_model_attributes,
            routes,
            is_auth_entity: self.auth_enabled && self.auth_entity == Some(entity.name.as_str()),
            has_big_int: fields.iter().any(|f| f.big_int),
            has_json: fields.iter().any(|f| f.kind == "json"),
            fields,
        }
    }

    fn routes(&self, entity: &Entity, actions: &ActionsView, to_many: &[FieldView]) -> Vec<RouteView> {
        let base = format!("/{}", names::kebab(&entity.plural_name));
        let access = |a: &ActionView| match a.access {
            "roles" => format!("roles: {}", a.roles.join(", ")),
            other => other.to_string(),
        };
        let mut out = Vec::new();
        let mut push = |a: &ActionView, method: &'static str, path: String, summary: String| {
            if a.enabled {
                out.push(RouteView { method, path, action: a.action, access: access(a), summary });
            }
        };
        let a_words = with_article(&names::words(&entity.name).to_lowercase());
        let plural_words = names::words(&entity.plural_name).to_lowercase();
        push(&actions.create, "POST", base.clone(), format!("Create {a_words}"));
        push(&actions.search, "GET", base.clone(), format!("List {plural_words} (skip, take, sort, filters)"));
        push(&actions.read, "GET", format!("{base}/:id"), format!("Get {a_words}"));
        push(&actions.update, "PATCH", format!("{base}/:id"), format!("Update {a_words}"));
        push(&actions.delete, "DELETE", format!("{base}/:id"), format!("Delete {a_words}"));
        for f in to_many {
            let Some(r) = &f.relation else { continue };
            let path = format!("{base}/:id/{}", f.names.kebab);
            let items = names::words(&f.name).to_lowercase();
            push(&actions.read, "GET", path.clone(), format!("List the {items} of {a_words}"));
            push(&actions.update, "POST", path.clone(), format!("Connect {items} (body `[{{ \"id\": ... }}]`)"));
            if r.disconnectable {
                push(&actions.update, "DELETE", path, format!("Disconnect {items} (body `[{{ \"id\": ... }}]`)"));
            }
        }
        out
    }

    /// The lines of a Prisma model, aligned like `prisma format` does.
    fn prisma_model(&self, ent: &Ent<'a>) -> (Vec<String>, Vec<String>) {
        let mut rows: Vec<(String, String, String)> = Vec::new();
        let mut attrs = Vec::new();
        for m in &ent.members {
            match m {
                Member::Scalar(f) => rows.push((f.name.clone(), prisma_type(ent, f), prisma_attrs(f))),
                Member::Relation(r) => {
                    let target = self.analysis.ent(r.target);
                    let name_part = r.prisma_name.as_ref().map(|n| format!("\"{n}\""));
                    match &r.side {
                        Side::Owner { fk, required, unique } => {
                            let mut args: Vec<String> = name_part.into_iter().collect();
                            args.push(format!("fields: [{fk}]"));
                            args.push(format!("references: [{}]", target.id.name));
                            let opt = if *required { "" } else { "?" };
                            rows.push((
                                r.field.name.clone(),
                                format!("{}{opt}", target.name()),
                                format!("@relation({})", args.join(", ")),
                            ));
                            let fk_type = if target.id_is_int() { "Int" } else { "String" };
                            rows.push((
                                fk.clone(),
                                format!("{fk_type}{opt}"),
                                if *unique { "@unique".to_string() } else { String::new() },
                            ));
                            if !*unique {
                                attrs.push(format!("@@index([{fk}])"));
                            }
                        }
                        Side::InverseOne => rows.push((
                            r.field.name.clone(),
                            format!("{}?", target.name()),
                            name_part.map(|n| format!("@relation({n})")).unwrap_or_default(),
                        )),
                        Side::InverseMany { .. } | Side::ManyToMany { .. } => rows.push((
                            r.field.name.clone(),
                            format!("{}[]", target.name()),
                            name_part.map(|n| format!("@relation({n})")).unwrap_or_default(),
                        )),
                    }
                }
            }
        }
        let w0 = rows.iter().map(|r| r.0.len()).max().unwrap_or(0);
        let w1 = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
        let mut lines = Vec::with_capacity(rows.len());
        for (n, t, a) in rows {
            // A field's description becomes its doc comment (shown by editors and in the client types).
            if let Some(doc) = ent.entity.field(&n).and_then(|f| f.description.as_deref()) {
                lines.extend(doc.lines().map(|l| format!("/// {l}").trim_end().to_string()));
            }
            lines.push(if a.is_empty() { format!("{n:<w0$} {t}") } else { format!("{n:<w0$} {t:<w1$} {a}") });
        }
        (lines, attrs)
    }
}

fn prisma_type(ent: &Ent<'_>, f: &Field) -> String {
    let opt = if f.required { "" } else { "?" };
    match &f.kind {
        FieldKind::Id { id_type: IdType::Autoincrement } => "Int".into(),
        FieldKind::Id { .. } => "String".into(),
        FieldKind::CreatedAt | FieldKind::UpdatedAt => "DateTime".into(),
        FieldKind::SingleLineText { .. }
        | FieldKind::MultiLineText { .. }
        | FieldKind::Email
        | FieldKind::GeographicLocation
        | FieldKind::File => format!("String{opt}"),
        FieldKind::Username | FieldKind::Password => "String".into(),
        FieldKind::WholeNumber { big_int: true, .. } => format!("BigInt{opt}"),
        FieldKind::WholeNumber { .. } => format!("Int{opt}"),
        FieldKind::DecimalNumber { .. } => format!("Decimal{opt}"),
        FieldKind::DateTime { .. } => format!("DateTime{opt}"),
        FieldKind::Boolean => format!("Boolean{opt}"),
        FieldKind::Json => format!("Json{opt}"),
        FieldKind::OptionSet { .. } => format!("{}{opt}", enum_name(ent.name(), &f.name)),
        FieldKind::MultiSelectOptionSet { .. } => format!("{}[]", enum_name(ent.name(), &f.name)),
        FieldKind::Roles => "String[]".into(),
        FieldKind::Lookup(_) => String::new(),
    }
}

fn prisma_attrs(f: &Field) -> String {
    let mut a: Vec<String> = Vec::new();
    match &f.kind {
        FieldKind::Id { id_type } => {
            a.push("@id".into());
            a.push(
                match id_type {
                    IdType::Cuid => "@default(cuid())",
                    IdType::Uuid => "@default(uuid())",
                    IdType::Autoincrement => "@default(autoincrement())",
                }
                .into(),
            );
        }
        FieldKind::CreatedAt => {
            a.push("@default(now())".into());
            a.push("@db.Timestamptz(3)".into());
        }
        FieldKind::UpdatedAt => {
            a.push("@updatedAt".into());
            a.push("@db.Timestamptz(3)".into());
        }
        _ => {}
    }
    if f.unique && !matches!(f.kind, FieldKind::Id { .. }) {
        a.push("@unique".into());
    }
    match &f.kind {
        FieldKind::SingleLineText { max_length } => a.push(format!("@db.VarChar({max_length})")),
        FieldKind::DecimalNumber { precision, .. } => a.push(format!("@db.Decimal(18, {precision})")),
        FieldKind::DateTime { date_only: true } => a.push("@db.Date".into()),
        FieldKind::DateTime { date_only: false } => a.push("@db.Timestamptz(3)".into()),
        FieldKind::MultiSelectOptionSet { .. } | FieldKind::Roles => a.push("@default([])".into()),
        _ => {}
    }
    a.join(" ")
}

fn sql_column(ent: &Ent<'_>, f: &Field) -> String {
    let not_null = if f.required { " NOT NULL" } else { "" };
    let q = |s: &str| format!("\"{s}\"");
    let ty = match &f.kind {
        FieldKind::Id { id_type: IdType::Autoincrement } => return format!("{} SERIAL NOT NULL", q(&f.name)),
        FieldKind::Id { .. } => return format!("{} TEXT NOT NULL", q(&f.name)),
        FieldKind::CreatedAt => {
            return format!("{} TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP", q(&f.name));
        }
        FieldKind::UpdatedAt => return format!("{} TIMESTAMPTZ(3) NOT NULL", q(&f.name)),
        FieldKind::SingleLineText { max_length } => format!("VARCHAR({max_length})"),
        FieldKind::MultiLineText { .. }
        | FieldKind::Email
        | FieldKind::GeographicLocation
        | FieldKind::File
        | FieldKind::Username
        | FieldKind::Password => "TEXT".into(),
        FieldKind::WholeNumber { big_int: true, .. } => "BIGINT".into(),
        FieldKind::WholeNumber { .. } => "INTEGER".into(),
        FieldKind::DecimalNumber { precision, .. } => format!("DECIMAL(18,{precision})"),
        FieldKind::DateTime { date_only: true } => "DATE".into(),
        FieldKind::DateTime { .. } => "TIMESTAMPTZ(3)".into(),
        FieldKind::Boolean => "BOOLEAN".into(),
        FieldKind::Json => "JSONB".into(),
        FieldKind::OptionSet { .. } => q(&enum_name(ent.name(), &f.name)),
        FieldKind::MultiSelectOptionSet { .. } => {
            let e = q(&enum_name(ent.name(), &f.name));
            return format!("{} {e}[] DEFAULT ARRAY[]::{e}[]", q(&f.name));
        }
        FieldKind::Roles => return format!("{} TEXT[] DEFAULT ARRAY[]::TEXT[]", q(&f.name)),
        FieldKind::Lookup(_) => String::new(),
    };
    format!("{} {ty}{not_null}", q(&f.name))
}

fn sql_view(analysis: &Analysis<'_>, enums: &[EnumView], joins: &[JoinTableView]) -> SqlView {
    let mut sql = SqlView {
        enums: enums
            .iter()
            .map(|e| {
                let values = e.options.iter().map(|o| sql_str(&o.value)).collect::<Vec<_>>().join(", ");
                format!("CREATE TYPE \"{}\" AS ENUM ({values});", e.name)
            })
            .collect(),
        ..SqlView::default()
    };
    let mut fks = Vec::new();
    for ent in &analysis.entities {
        let table = ent.name();
        let mut columns = Vec::new();
        let mut indexes = Vec::new();
        for m in &ent.members {
            match m {
                Member::Scalar(f) => {
                    columns.push(sql_column(ent, f));
                    if f.unique && !matches!(f.kind, FieldKind::Id { .. }) {
                        indexes
                            .push(format!("CREATE UNIQUE INDEX \"{table}_{0}_key\" ON \"{table}\"(\"{0}\");", f.name));
                    }
                }
                Member::Relation(r) => {
                    if let Side::Owner { fk, required, unique } = &r.side {
                        let target = analysis.ent(r.target);
                        let not_null = if *required { " NOT NULL" } else { "" };
                        columns.push(format!("\"{fk}\" {}{not_null}", id_sql_type(target)));
                        if *unique {
                            indexes.push(format!("CREATE UNIQUE INDEX \"{table}_{fk}_key\" ON \"{table}\"(\"{fk}\");"));
                        } else {
                            indexes.push(format!("CREATE INDEX \"{table}_{fk}_idx\" ON \"{table}\"(\"{fk}\");"));
                        }
                        let on_delete = if *required { "RESTRICT" } else { "SET NULL" };
                        fks.push(format!(
                            "ALTER TABLE \"{table}\" ADD CONSTRAINT \"{table}_{fk}_fkey\" FOREIGN KEY (\"{fk}\") REFERENCES \"{}\"(\"{}\") ON DELETE {on_delete} ON UPDATE CASCADE;",
                            target.name(),
                            target.id.name
                        ));
                    }
                }
            }
        }
        sql.tables.push(SqlTable {
            name: table.to_string(),
            columns,
            primary_key: format!("CONSTRAINT \"{table}_pkey\" PRIMARY KEY (\"{}\")", ent.id.name),
        });
        // Prisma orders a model's indexes by name.
        indexes.sort();
        sql.indexes.extend(indexes);
    }
    for j in joins {
        sql.tables.push(SqlTable {
            name: j.name.clone(),
            columns: vec![format!("\"A\" {} NOT NULL", j.a_sql_type), format!("\"B\" {} NOT NULL", j.b_sql_type)],
            primary_key: format!("CONSTRAINT \"{}_AB_pkey\" PRIMARY KEY (\"A\",\"B\")", j.name),
        });
        sql.indexes.push(format!("CREATE INDEX \"{0}_B_index\" ON \"{0}\"(\"B\");", j.name));
        fks.push(format!(
            "ALTER TABLE \"{0}\" ADD CONSTRAINT \"{0}_A_fkey\" FOREIGN KEY (\"A\") REFERENCES \"{1}\"(\"{2}\") ON DELETE CASCADE ON UPDATE CASCADE;",
            j.name, j.a, j.a_id_field
        ));
        fks.push(format!(
            "ALTER TABLE \"{0}\" ADD CONSTRAINT \"{0}_B_fkey\" FOREIGN KEY (\"B\") REFERENCES \"{1}\"(\"{2}\") ON DELETE CASCADE ON UPDATE CASCADE;",
            j.name, j.b, j.b_id_field
        ));
    }
    sql.foreign_keys = fks;
    sql
}
