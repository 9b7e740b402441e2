//! Raw manifest → resolved [`Manifest`], checking every rule and collecting every problem.
//!
//! Defaults are applied here and only here (service keys over `git:` keys over built-in
//! defaults). Checks: names (case, reserved words, length, case-insensitive duplicates),
//! keys that do not apply to a field's type, relation targets and inverse sides, roles and
//! permissions, the auth entity, directories (inside the repository, never shared), branch
//! names. Each problem becomes a [`Diagnostic`] at the offending value with a hint.

use std::collections::{BTreeMap, HashMap, HashSet};

use super::de::{Spanned, did_you_mean, list};
use super::diagnostics::{Diagnostic, Pos};
use super::keywords::{
    Action, AuthKind, BranchMode, ConflictPolicy, FieldType, GeneratorKind, IdType, PermissionKeyword, ProviderKind,
    RelationKind,
};
use super::model::*;
use super::names;
use super::raw::*;

/// Resolves `raw`; returns `None` when any problem was found (all are in `diags`).
pub fn resolve(raw: RawManifest, root: Pos, diags: &mut Vec<Diagnostic>) -> Option<Manifest> {
    let mut v = Validator { diags: Vec::new() };
    let manifest = v.manifest(raw, root);
    let ok = v.diags.is_empty();
    diags.append(&mut v.diags);
    if ok { manifest } else { None }
}

struct Validator {
    diags: Vec<Diagnostic>,
}

/// `git:` keys as layered defaults (`None` = not set at this level).
#[derive(Default, Clone)]
struct GitLayer {
    provider: Option<ProviderKind>,
    repository: Option<String>,
    base_branch: Option<String>,
    branch: Option<String>,
    branch_mode: Option<BranchMode>,
    conflicts: Option<ConflictPolicy>,
    create_repository: Option<bool>,
    labels: Option<Vec<String>>,
    reviewers: Option<Vec<String>>,
    team_reviewers: Option<Vec<String>>,
    assignees: Option<Vec<String>>,
    draft: Option<bool>,
}

/// The git keys as written at one level (`git:` or a service).
struct GitKeys<'a> {
    provider: &'a Option<Spanned<String>>,
    repository: &'a Option<Spanned<String>>,
    base_branch: &'a Option<Spanned<String>>,
    branch: &'a Option<Spanned<String>>,
    branch_mode: &'a Option<Spanned<String>>,
    conflicts: &'a Option<Spanned<String>>,
    create_repository: &'a Option<Spanned<bool>>,
    pull_request: &'a Option<Spanned<RawPullRequest>>,
}

/// A declared relation, before both sides are known.
struct DeclaredLookup {
    entity: usize,
    field: usize,
    target: Spanned<String>,
    kind: RelationKind,
    inverse: String,
    /// Where to report inverse problems: the `inverse` value, else the field name.
    inverse_pos: Pos,
}

fn text(s: &Option<Spanned<String>>) -> Option<&str> {
    s.as_ref().map(|s| s.value.as_str())
}

impl Validator {
    fn err(&mut self, pos: Pos, message: impl Into<String>, hint: impl Into<String>) {
        self.diags.push(Diagnostic::new(pos, message).with_hint(hint));
    }

    /// A required key is absent.
    fn missing(&mut self, key: &'static str, pos: Pos, message: impl Into<String>, hint: impl Into<String>) {
        self.diags.push(Diagnostic::new(pos, message).with_hint(hint).missing(key));
    }

    /// Parses a keyword value with "did you mean".
    fn keyword<T: Copy>(
        &mut self,
        value: &Spanned<String>,
        what: &str,
        names: &[&'static str],
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        if let Some(k) = parse(&value.value) {
            return Some(k);
        }
        let hint = match did_you_mean(&value.value, names.iter().copied()) {
            Some(near) => format!("did you mean `{near}`?"),
            None => format!("use one of {}", list(names)),
        };
        self.err(value.pos, format!("unknown {what} `{}`", value.value), hint);
        None
    }

    fn manifest(&mut self, raw: RawManifest, root: Pos) -> Option<Manifest> {
        match &raw.version {
            None => self.missing("version", root, "missing `version`", "add `version: 1` at the top of the file"),
            Some(v) if v.value != 1 => self.err(
                v.pos,
                format!("unsupported manifest version `{}`", v.value),
                "this ampsync reads version 1; write `version: 1`",
            ),
            Some(_) => {}
        }
        let project = match &raw.project {
            None => {
                self.missing("project", root, "missing `project`", "add `project: <name>`, e.g. `project: shop`");
                String::new()
            }
            Some(p) => {
                if p.value.trim().is_empty() || p.value.chars().any(|c| c.is_control()) {
                    self.err(p.pos, "`project` must be a non-empty single-line name", "e.g. `project: shop`");
                }
                p.value.clone()
            }
        };
        let defaults = match &raw.git {
            Some(git) => self.git_layer(&git.value),
            None => GitLayer::default(),
        };
        let mut services = Vec::new();
        match raw.services {
            None => {
                self.missing("services", root, "missing `services`", "add a `services:` list with at least one service")
            }
            Some(list) if list.value.is_empty() => {
                self.err(list.pos, "`services` is empty", "declare at least one service under `services:`")
            }
            Some(list) => {
                for svc in list.value {
                    services.push(self.service(svc, &defaults));
                }
            }
        }
        self.cross_service(&services);
        let services: Vec<Service> = services.into_iter().filter_map(|(s, _)| s).collect();
        Some(Manifest { version: 1, project, services })
    }

    fn strings(&mut self, items: &Option<Spanned<Vec<Spanned<String>>>>, what: &str) -> Option<Vec<String>> {
        let items = items.as_ref()?;
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        for item in &items.value {
            if item.value.trim().is_empty() {
                self.err(item.pos, format!("empty {what}"), format!("remove it or write a {what}"));
            } else if !seen.insert(item.value.to_ascii_lowercase()) {
                self.err(item.pos, format!("duplicate {what} `{}`", item.value), "list each one once");
            } else {
                out.push(item.value.clone());
            }
        }
        Some(out)
    }

    fn logins(&mut self, items: &Option<Spanned<Vec<Spanned<String>>>>, what: &str) -> Option<Vec<String>> {
        if let Some(items) = items {
            for item in &items.value {
                let ok = !item.value.is_empty()
                    && item.value.len() <= 39
                    && item.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && !item.value.starts_with('-');
                if !ok && !item.value.trim().is_empty() {
                    self.err(
                        item.pos,
                        format!("`{}` is not a GitHub {what}", item.value),
                        "use the login or slug: letters, digits and `-`, without `@`",
                    );
                }
            }
        }
        self.strings(items, what)
    }

    fn git_fields(&mut self, layer: &mut GitLayer, keys: GitKeys<'_>) {
        let GitKeys {
            provider,
            repository,
            base_branch,
            branch,
            branch_mode,
            conflicts,
            create_repository,
            pull_request,
        } = keys;
        if let Some(p) = provider {
            layer.provider = self.keyword(p, "git provider", ProviderKind::NAMES, ProviderKind::parse);
        }
        if let Some(r) = repository {
            let ok = r.value.split_once('/').is_some_and(|(owner, name)| {
                !owner.is_empty()
                    && !name.is_empty()
                    && owner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || "._-".contains(c))
                    && name != "."
                    && name != ".."
            });
            if ok {
                layer.repository = Some(r.value.clone());
            } else {
                self.err(
                    r.pos,
                    format!("`{}` is not a repository name", r.value),
                    "write `owner/name`, e.g. `acme/shop`",
                );
            }
        }
        for (value, slot) in [(base_branch, &mut layer.base_branch), (branch, &mut layer.branch)] {
            if let Some(b) = value {
                match names::branch_name_problem(&b.value) {
                    None => *slot = Some(b.value.clone()),
                    Some(problem) => self.diags.push(
                        Diagnostic::new(b.pos, format!("`{}` is not a valid branch name: it {problem}", b.value))
                            .with_hint("use a name like `main` or `amplication`"),
                    ),
                }
            }
        }
        if let Some(m) = branch_mode {
            layer.branch_mode = self.keyword(m, "branch mode", BranchMode::NAMES, BranchMode::parse);
        }
        if let Some(c) = conflicts {
            layer.conflicts = self.keyword(c, "conflict policy", ConflictPolicy::NAMES, ConflictPolicy::parse);
        }
        if let Some(c) = create_repository {
            layer.create_repository = Some(c.value);
        }
        if let Some(pr) = pull_request {
            let pr = &pr.value;
            if let Some(labels) = self.strings(&pr.labels, "label") {
                layer.labels = Some(labels);
            }
            if let Some(r) = self.logins(&pr.reviewers, "reviewer") {
                layer.reviewers = Some(r);
            }
            if let Some(t) = self.team_slugs(&pr.team_reviewers) {
                layer.team_reviewers = Some(t);
            }
            if let Some(a) = self.logins(&pr.assignees, "assignee") {
                layer.assignees = Some(a);
            }
            if let Some(d) = &pr.draft {
                layer.draft = Some(d.value);
            }
        }
    }

    fn team_slugs(&mut self, items: &Option<Spanned<Vec<Spanned<String>>>>) -> Option<Vec<String>> {
        if let Some(items) = items {
            for item in &items.value {
                let slug = item.value.rsplit('/').next().unwrap_or("");
                if !slug.is_empty() && !slug.chars().all(|c| c.is_ascii_alphanumeric() || "-_".contains(c)) {
                    self.err(
                        item.pos,
                        format!("`{}` is not a team slug", item.value),
                        "use the team's slug, e.g. `backend`",
                    );
                }
            }
        }
        self.strings(items, "team reviewer")
            .map(|v| v.into_iter().map(|t| t.rsplit('/').next().unwrap_or(&t).to_string()).collect())
    }

    fn git_layer(&mut self, git: &RawGit) -> GitLayer {
        let mut layer = GitLayer::default();
        self.git_fields(
            &mut layer,
            GitKeys {
                provider: &git.provider,
                repository: &git.repository,
                base_branch: &git.base_branch,
                branch: &git.branch,
                branch_mode: &git.branch_mode,
                conflicts: &git.conflicts,
                create_repository: &git.create_repository,
                pull_request: &git.pull_request,
            },
        );
        layer
    }

    fn service(&mut self, raw: Spanned<RawService>, defaults: &GitLayer) -> (Option<Service>, ServiceSpans) {
        let pos = raw.pos;
        let raw = raw.value;
        let name = match &raw.name {
            None => {
                self.missing(
                    "name",
                    pos,
                    "service without a `name`",
                    "add `name: <kebab-case-name>`, e.g. `name: catalog`",
                );
                None
            }
            Some(n) if !names::is_kebab(&n.value) => {
                self.err(
                    n.pos,
                    format!("service name `{}` is not kebab-case", n.value),
                    format!("use lower-case words joined by `-`, e.g. `{}`", names::kebab(&n.value)),
                );
                None
            }
            Some(n) => Some(n.value.clone()),
        };
        let name_pos = raw.name.as_ref().map_or(pos, |n| n.pos);

        let directory = match &raw.directory {
            Some(d) => match names::normalize_directory(&d.value) {
                Ok(dir) => Some(dir),
                Err(problem) => {
                    self.err(
                        d.pos,
                        format!("directory `{}` {problem}", d.value),
                        "write a path relative to the repository root, e.g. `apps/catalog`",
                    );
                    None
                }
            },
            None => name.as_ref().map(|n| format!("apps/{n}")),
        };
        let directory_pos = raw.directory.as_ref().map_or(name_pos, |d| d.pos);

        let generator = match (&raw.generator, &raw.templates) {
            (Some(g), Some(t)) => {
                self.err(
                    t.pos,
                    "a service takes either `generator` or `templates`, not both",
                    format!("remove `generator: {}` to render your templates, or remove `templates`", g.value),
                );
                None
            }
            (Some(g), None) => self
                .keyword(g, "generator", GeneratorKind::NAMES, GeneratorKind::parse)
                .map(|name| Generator::Builtin { name }),
            (None, Some(t)) => match names::normalize_directory(&t.value) {
                Ok(dir) if dir != "." => Some(Generator::Templates { directory: dir }),
                Ok(_) => {
                    self.err(
                        t.pos,
                        "`templates` cannot be the repository root",
                        "name the directory holding your templates",
                    );
                    None
                }
                Err(problem) => {
                    self.err(
                        t.pos,
                        format!("templates directory `{}` {problem}", t.value),
                        "e.g. `templates: tools/templates`",
                    );
                    None
                }
            },
            (None, None) => Some(Generator::Builtin { name: GeneratorKind::Nestjs }),
        };

        let mut layer = defaults.clone();
        self.git_fields(
            &mut layer,
            GitKeys {
                provider: &raw.provider,
                repository: &raw.repository,
                base_branch: &raw.base_branch,
                branch: &raw.branch,
                branch_mode: &raw.branch_mode,
                conflicts: &raw.conflicts,
                create_repository: &raw.create_repository,
                pull_request: &raw.pull_request,
            },
        );
        let git = GitSettings {
            provider: layer.provider.unwrap_or(ProviderKind::Github),
            repository: layer.repository,
            base_branch: layer.base_branch,
            branch: layer.branch.unwrap_or_else(|| "amplication".to_string()),
            branch_mode: layer.branch_mode.unwrap_or(BranchMode::Accumulate),
            conflicts: layer.conflicts.unwrap_or(ConflictPolicy::Markers),
            create_repository: layer.create_repository.unwrap_or(false),
            pull_request: PullRequestSettings {
                labels: layer.labels.unwrap_or_default(),
                reviewers: layer.reviewers.unwrap_or_default(),
                team_reviewers: layer.team_reviewers.unwrap_or_default(),
                assignees: layer.assignees.unwrap_or_default(),
                draft: layer.draft.unwrap_or(false),
            },
        };
        if git.base_branch.as_deref() == Some(git.branch.as_str()) {
            let at = raw.branch.as_ref().or(raw.base_branch.as_ref()).map_or(name_pos, |b| b.pos);
            self.err(
                at,
                format!("the sync branch and the base branch are both `{}`", git.branch),
                "builds go to their own branch; set `branch` to e.g. `amplication`",
            );
        }

        let auth_kind = raw
            .auth
            .as_ref()
            .and_then(|a| self.keyword(a, "auth kind", AuthKind::NAMES, AuthKind::parse))
            .unwrap_or(AuthKind::None);
        let roles = self.roles(&raw.roles);
        let auth_entity = match (&raw.auth_entity, auth_kind) {
            (Some(e), AuthKind::None) => {
                self.err(
                    e.pos,
                    "`authEntity` needs `auth: jwt`",
                    "add `auth: jwt` to the service, or remove `authEntity`",
                );
                None
            }
            (Some(e), AuthKind::Jwt) => Some(e.clone()),
            (None, AuthKind::Jwt) => {
                Some(Spanned::new(raw.auth.as_ref().map_or(name_pos, |a| a.pos), "User".to_string()))
            }
            (None, AuthKind::None) => None,
        };

        let entities = match raw.entities {
            None => {
                self.missing(
                    "entities",
                    name_pos,
                    "service without `entities`",
                    "add an `entities:` list with at least one entity",
                );
                Vec::new()
            }
            Some(list) if list.value.is_empty() => {
                self.err(list.pos, "`entities` is empty", "declare at least one entity");
                Vec::new()
            }
            Some(list) => self.entities(list.value, auth_kind, auth_entity.as_ref(), &roles),
        };

        let spans = ServiceSpans { name: name.clone(), name_pos, directory: directory.clone(), directory_pos };
        let service = match (name, directory, generator) {
            (Some(name), Some(directory), Some(generator)) => Some(Service {
                name,
                directory,
                generator,
                git,
                auth: Auth { kind: auth_kind, entity: auth_entity.map(|e| e.value) },
                roles: roles.into_iter().map(|(r, _)| r).collect(),
                entities,
            }),
            _ => None,
        };
        (service, spans)
    }

    fn roles(&mut self, raw: &Option<Spanned<Vec<Spanned<RawRole>>>>) -> Vec<(Role, Pos)> {
        let mut out: Vec<(Role, Pos)> = Vec::new();
        let Some(raw) = raw else { return out };
        for role in &raw.value {
            let Some(name) = &role.value.name else {
                self.missing("name", role.pos, "role without a `name`", "add `name: <role>`, e.g. `name: admin`");
                continue;
            };
            let valid = name.value.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name.value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                self.err(
                    name.pos,
                    format!("role name `{}` is not an identifier", name.value),
                    "start with a letter; use letters, digits, `-` and `_`",
                );
                continue;
            }
            if let Some((_, first)) = out.iter().find(|(r, _)| r.name.eq_ignore_ascii_case(&name.value)) {
                self.err(
                    name.pos,
                    format!("duplicate role `{}`", name.value),
                    format!("the role is already declared at line {}", first.line),
                );
                continue;
            }
            out.push((
                Role {
                    name: name.value.clone(),
                    display_name: text(&role.value.display_name)
                        .map_or_else(|| names::words(&name.value), str::to_string),
                    description: text(&role.value.description).map(str::to_string),
                },
                name.pos,
            ));
        }
        out
    }

    fn entities(
        &mut self,
        raw: Vec<Spanned<RawEntity>>,
        auth: AuthKind,
        auth_entity: Option<&Spanned<String>>,
        roles: &[(Role, Pos)],
    ) -> Vec<Entity> {
        // Pass 1: names and permissions; fields without relations resolved.
        let mut entities: Vec<(Entity, Pos)> = Vec::new();
        let mut raw_fields: Vec<Vec<Spanned<RawField>>> = Vec::new();
        let mut broken = false;
        for spanned in raw {
            let pos = spanned.pos;
            let e = spanned.value;
            let Some(name) = &e.name else {
                self.missing("name", pos, "entity without a `name`", "add `name: <PascalCase>`, e.g. `name: Product`");
                broken = true;
                continue;
            };
            if !self.entity_name(name) {
                broken = true;
                continue;
            }
            if let Some((_, first)) = entities.iter().find(|(x, _)| x.name.eq_ignore_ascii_case(&name.value)) {
                self.err(
                    name.pos,
                    format!("duplicate entity `{}`", name.value),
                    format!(
                        "an entity with this name is declared at line {}; names are compared ignoring case",
                        first.line
                    ),
                );
                broken = true;
                continue;
            }
            let plural_name = match &e.plural_name {
                Some(p) if !names::is_camel_identifier(&p.value) => {
                    self.err(
                        p.pos,
                        format!("plural name `{}` is not camelCase", p.value),
                        format!("e.g. `pluralName: {}`", names::plural(&names::camel(&name.value))),
                    );
                    names::plural(&names::camel(&name.value))
                }
                Some(p) => p.value.clone(),
                None => names::plural(&names::camel(&name.value)),
            };
            let plural_pos = e.plural_name.as_ref().map_or(name.pos, |p| p.pos);
            if let Some((other, _)) = entities.iter().find(|(x, _)| x.plural_name.eq_ignore_ascii_case(&plural_name)) {
                self.err(
                    plural_pos,
                    format!("plural name `{plural_name}` is already used by entity `{}`", other.name),
                    "set a different `pluralName`; routes are built from it",
                );
            }
            let permissions = self.permissions(&e.permissions, auth, roles);
            entities.push((
                Entity {
                    name: name.value.clone(),
                    plural_name,
                    display_name: text(&e.display_name).map_or_else(|| names::words(&name.value), str::to_string),
                    description: text(&e.description).map(str::to_string),
                    permissions,
                    fields: Vec::new(),
                },
                name.pos,
            ));
            match e.fields {
                None => {
                    self.missing(
                        "fields",
                        name.pos,
                        format!("entity `{}` has no `fields`", name.value),
                        "add a `fields:` list",
                    );
                    raw_fields.push(Vec::new());
                }
                Some(f) => raw_fields.push(f.value),
            }
        }

        // Pass 2: fields.
        let entity_names: Vec<String> = entities.iter().map(|(e, _)| e.name.clone()).collect();
        let mut lookups: Vec<DeclaredLookup> = Vec::new();
        let mut field_positions: Vec<Vec<Pos>> = Vec::new();
        for (index, fields) in raw_fields.into_iter().enumerate() {
            let (entity, entity_pos) = &entities[index];
            let is_auth_entity = auth == AuthKind::Jwt && auth_entity.is_some_and(|a| a.value == entity.name);
            let ctx = EntityCx { name: entity.name.clone(), pos: *entity_pos, is_auth_entity, auth };
            let mut resolved = Vec::new();
            let mut positions = Vec::new();
            for field in fields {
                if let Some((f, pos, lookup)) = self.field(field, &ctx, &entity_names, &resolved, &positions) {
                    if let Some((target, kind, inverse, inverse_pos)) = lookup {
                        lookups.push(DeclaredLookup {
                            entity: index,
                            field: resolved.len(),
                            target,
                            kind,
                            inverse,
                            inverse_pos,
                        });
                    }
                    resolved.push(f);
                    positions.push(pos);
                }
            }
            self.implicit_fields(&ctx, &mut resolved, &mut positions);
            entities[index].0.fields = resolved;
            field_positions.push(positions);
        }

        // Pass 3: relations, both sides.
        self.relations(&mut entities, &field_positions, lookups);

        // Pass 4: the auth entity.
        if let (AuthKind::Jwt, Some(auth_entity)) = (auth, auth_entity) {
            match entities.iter().find(|(e, _)| e.name == auth_entity.value) {
                None => {
                    let hint = match did_you_mean(&auth_entity.value, entity_names.iter().map(String::as_str)) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => format!(
                            "declare an entity `{}` with Username, Password and Roles fields, or set `authEntity`",
                            auth_entity.value
                        ),
                    };
                    if !broken {
                        self.err(auth_entity.pos, format!("auth entity `{}` is not declared", auth_entity.value), hint);
                    }
                }
                Some((entity, pos)) => {
                    for needed in [FieldType::Username, FieldType::Password, FieldType::Roles] {
                        if !entity.fields.iter().any(|f| f.field_type() == needed) {
                            self.err(
                                *pos,
                                format!("auth entity `{}` has no `{needed}` field", entity.name),
                                format!(
                                    "add `- name: {}` with `type: {needed}` to its fields",
                                    names::camel(needed.as_str())
                                ),
                            );
                        }
                    }
                }
            }
        }

        let mut out: Vec<Entity> = entities.into_iter().map(|(e, _)| e).collect();
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }

    fn entity_name(&mut self, name: &Spanned<String>) -> bool {
        if !names::is_pascal_identifier(&name.value) {
            self.err(
                name.pos,
                format!("entity name `{}` is not PascalCase", name.value),
                format!(
                    "start with a capital letter and use only letters and digits, e.g. `{}`",
                    names::pascal(&name.value)
                ),
            );
            return false;
        }
        if name.value.len() > names::SQL_IDENTIFIER_MAX {
            self.err(
                name.pos,
                format!("entity name `{}` is longer than {} characters", name.value, names::SQL_IDENTIFIER_MAX),
                "PostgreSQL truncates longer table names; choose a shorter name",
            );
            return false;
        }
        if names::RESERVED_ENTITY_NAMES.contains(&name.value.as_str()) {
            self.err(
                name.pos,
                format!("entity name `{}` is reserved", name.value),
                "the generated service or its libraries define a class with this name; rename the entity",
            );
            return false;
        }
        true
    }

    fn permissions(
        &mut self,
        raw: &Option<Spanned<RawPermissions>>,
        auth: AuthKind,
        roles: &[(Role, Pos)],
    ) -> Permissions {
        let default = if auth == AuthKind::Jwt { Permission::Authenticated } else { Permission::Public };
        let Some(raw) = raw else {
            return Permissions {
                create: default.clone(),
                read: default.clone(),
                update: default.clone(),
                delete: default.clone(),
                search: default,
            };
        };
        let p = &raw.value;
        let get = |v: &mut Self, value: &Option<Spanned<RawPermission>>, action: Action| match value {
            None => default.clone(),
            Some(value) => v.permission(value, action, auth, roles).unwrap_or(Permission::Disabled),
        };
        Permissions {
            create: get(self, &p.create, Action::Create),
            read: get(self, &p.read, Action::Read),
            update: get(self, &p.update, Action::Update),
            delete: get(self, &p.delete, Action::Delete),
            search: get(self, &p.search, Action::Search),
        }
    }

    fn permission(
        &mut self,
        value: &Spanned<RawPermission>,
        action: Action,
        auth: AuthKind,
        roles: &[(Role, Pos)],
    ) -> Option<Permission> {
        let needs_auth = |v: &mut Self, what: &str| {
            v.err(
                value.pos,
                format!("`{action}: {what}` needs `auth: jwt` on the service"),
                "add `auth: jwt` (and an auth entity), or use `public` or `disabled`",
            );
        };
        match &value.value {
            RawPermission::Keyword(k) => {
                let keyword = self.keyword(
                    &Spanned::new(value.pos, k.clone()),
                    "permission",
                    PermissionKeyword::NAMES,
                    PermissionKeyword::parse,
                )?;
                match keyword {
                    PermissionKeyword::Public => Some(Permission::Public),
                    PermissionKeyword::Disabled => Some(Permission::Disabled),
                    PermissionKeyword::Authenticated if auth == AuthKind::None => {
                        needs_auth(self, "authenticated");
                        None
                    }
                    PermissionKeyword::Authenticated => Some(Permission::Authenticated),
                }
            }
            RawPermission::Roles(list) => {
                if list.is_empty() {
                    self.err(
                        value.pos,
                        format!("`{action}` has an empty role list"),
                        "name at least one role, or write `disabled`",
                    );
                    return None;
                }
                if auth == AuthKind::None {
                    let names: Vec<&str> = list.iter().map(|r| r.value.as_str()).collect();
                    needs_auth(self, &format!("[{}]", names.join(", ")));
                    return None;
                }
                let mut out: Vec<String> = Vec::new();
                for role in list {
                    if !roles.iter().any(|(r, _)| r.name == role.value) {
                        let hint = match did_you_mean(&role.value, roles.iter().map(|(r, _)| r.name.as_str())) {
                            Some(near) => format!("did you mean `{near}`?"),
                            None if roles.is_empty() => "declare it under the service's `roles:`".to_string(),
                            None => {
                                format!("declared roles: {}", list_owned(roles.iter().map(|(r, _)| r.name.as_str())))
                            }
                        };
                        self.err(role.pos, format!("unknown role `{}`", role.value), hint);
                    } else if out.contains(&role.value) {
                        self.err(role.pos, format!("role `{}` is listed twice", role.value), "list each role once");
                    } else {
                        out.push(role.value.clone());
                    }
                }
                Some(Permission::Roles(out))
            }
            RawPermission::Invalid(found) => {
                self.err(
                    value.pos,
                    format!("expected `public`, `authenticated`, `disabled` or a list of roles, found {found}"),
                    format!("e.g. `{action}: public` or `{action}: [admin]`"),
                );
                None
            }
        }
    }

    /// Resolves one declared field. Relations come back with their raw facts for pass 3.
    #[allow(clippy::type_complexity)]
    fn field(
        &mut self,
        raw: Spanned<RawField>,
        ctx: &EntityCx,
        entity_names: &[String],
        earlier: &[Field],
        earlier_pos: &[Pos],
    ) -> Option<(Field, Pos, Option<(Spanned<String>, RelationKind, String, Pos)>)> {
        let pos = raw.pos;
        let f = raw.value;
        let Some(name) = &f.name else {
            self.missing("name", pos, format!("a field of `{}` has no `name`", ctx.name), "add `name: <camelCase>`");
            return None;
        };
        let mut ok = self.field_name(name, ctx);
        if let Some(i) = earlier.iter().position(|e| e.name.eq_ignore_ascii_case(&name.value)) {
            self.missing(
                "type",
                name.pos,
                format!("duplicate field `{}` in `{}`", name.value, ctx.name),
                format!(
                    "a field with this name is declared at line {}; names are compared ignoring case",
                    earlier_pos[i].line
                ),
            );
            ok = false;
        }
        let Some(type_text) = &f.field_type else {
            self.missing(
                "type",
                name.pos,
                format!("field `{}` has no `type`", name.value),
                format!("add `type:` with one of {}", list(FieldType::NAMES)),
            );
            return None;
        };
        let field_type = match FieldType::parse(&type_text.value) {
            Some(t) => t,
            None => match field_type_alias(&type_text.value) {
                Some(meant) => {
                    self.err(
                        type_text.pos,
                        format!("unknown field type `{}`", type_text.value),
                        format!("did you mean `{meant}`? (field types use Amplication's names)"),
                    );
                    return None;
                }
                None => self.keyword(type_text, "field type", FieldType::NAMES, FieldType::parse)?,
            },
        };

        // Keys that only some types take.
        let applies: [(&str, Option<Pos>, &[FieldType]); 10] = [
            ("maxLength", f.max_length.as_ref().map(|x| x.pos), &[FieldType::SingleLineText, FieldType::MultiLineText]),
            ("min", f.min.as_ref().map(|x| x.pos), &[FieldType::WholeNumber, FieldType::DecimalNumber]),
            ("max", f.max.as_ref().map(|x| x.pos), &[FieldType::WholeNumber, FieldType::DecimalNumber]),
            ("bigInt", f.big_int.as_ref().map(|x| x.pos), &[FieldType::WholeNumber]),
            ("precision", f.precision.as_ref().map(|x| x.pos), &[FieldType::DecimalNumber]),
            ("dateOnly", f.date_only.as_ref().map(|x| x.pos), &[FieldType::DateTime]),
            ("options", f.options.as_ref().map(|x| x.pos), &[FieldType::OptionSet, FieldType::MultiSelectOptionSet]),
            ("target", f.target.as_ref().map(|x| x.pos), &[FieldType::Lookup]),
            ("relation", f.relation.as_ref().map(|x| x.pos), &[FieldType::Lookup]),
            ("idType", f.id_type.as_ref().map(|x| x.pos), &[FieldType::Id]),
        ];
        for (key, at, types) in applies {
            if let Some(at) = at
                && !types.contains(&field_type)
            {
                self.err(
                    at,
                    format!("`{key}` does not apply to a `{field_type}` field"),
                    format!(
                        "`{key}` is for {}; remove it or change `type`",
                        list_owned(types.iter().map(|t| t.as_str()))
                    ),
                );
                ok = false;
            }
        }
        if let Some(inv) = &f.inverse
            && field_type != FieldType::Lookup
        {
            self.err(
                inv.pos,
                format!("`inverse` does not apply to a `{field_type}` field"),
                "`inverse` is for `Lookup`; remove it",
            );
            ok = false;
        }

        let required = f.required.as_ref().is_some_and(|r| r.value);
        let unique = f.unique.as_ref().is_some_and(|u| u.value);
        let searchable = f.searchable.as_ref().is_some_and(|s| s.value);

        const NOT_UNIQUE: &[FieldType] = &[
            FieldType::Boolean,
            FieldType::Json,
            FieldType::MultiSelectOptionSet,
            FieldType::Password,
            FieldType::Roles,
            FieldType::Lookup,
            FieldType::CreatedAt,
            FieldType::UpdatedAt,
        ];
        const NOT_SEARCHABLE: &[FieldType] =
            &[FieldType::Json, FieldType::Password, FieldType::Roles, FieldType::File, FieldType::GeographicLocation];
        if unique && NOT_UNIQUE.contains(&field_type) {
            let hint = if field_type == FieldType::Lookup {
                "a relation's uniqueness comes from its kind: use `relation: one-to-one`"
            } else {
                "remove `unique: true`"
            };
            self.err(
                f.unique.as_ref().map_or(pos, |u| u.pos),
                format!("a `{field_type}` field cannot be unique"),
                hint,
            );
            ok = false;
        }
        if searchable && NOT_SEARCHABLE.contains(&field_type) {
            self.err(
                f.searchable.as_ref().map_or(pos, |s| s.pos),
                format!("a `{field_type}` field cannot be searchable"),
                "remove `searchable: true`",
            );
            ok = false;
        }
        if matches!(field_type, FieldType::Username | FieldType::Password | FieldType::Roles) && !ctx.is_auth_entity {
            let hint = if ctx.auth == AuthKind::None {
                "these types belong to the auth entity: add `auth: jwt` to the service, or use `SingleLineText`"
            } else {
                "these types belong to the entity named by `authEntity`; use `SingleLineText` here"
            };
            self.err(type_text.pos, format!("a `{field_type}` field is only allowed on the auth entity"), hint);
            ok = false;
        }
        for unique_type in [
            FieldType::Id,
            FieldType::CreatedAt,
            FieldType::UpdatedAt,
            FieldType::Username,
            FieldType::Password,
            FieldType::Roles,
        ] {
            if field_type == unique_type
                && let Some(other) = earlier.iter().find(|e| e.field_type() == unique_type)
            {
                self.err(
                    type_text.pos,
                    format!("`{}` already has a field of type `{unique_type}` (`{}`)", ctx.name, other.name),
                    "an entity has at most one field of this type",
                );
                ok = false;
            }
        }
        for (implicit_name, implicit_type) in
            [("id", FieldType::Id), ("createdAt", FieldType::CreatedAt), ("updatedAt", FieldType::UpdatedAt)]
        {
            if name.value.eq_ignore_ascii_case(implicit_name) && field_type != implicit_type {
                self.err(
                    name.pos,
                    format!("`{implicit_name}` is the name of the implicit `{implicit_type}` field"),
                    format!("declare it with `type: {implicit_type}`, or rename this field"),
                );
                ok = false;
            }
        }

        let mut lookup = None;
        let kind = match field_type {
            FieldType::SingleLineText => {
                FieldKind::SingleLineText { max_length: self.max_length(&f.max_length, 10_485_760).unwrap_or(256) }
            }
            FieldType::MultiLineText => {
                FieldKind::MultiLineText { max_length: self.max_length(&f.max_length, 1_073_741_823) }
            }
            FieldType::Email => FieldKind::Email,
            FieldType::WholeNumber => {
                let big_int = f.big_int.as_ref().is_some_and(|b| b.value);
                let (lo, hi) =
                    if big_int { (i64::MIN as f64, i64::MAX as f64) } else { (i32::MIN as f64, i32::MAX as f64) };
                let int = |v: &mut Self, x: &Option<Spanned<f64>>, key: &str| -> Option<i64> {
                    let x = x.as_ref()?;
                    if x.value.fract() != 0.0 {
                        v.err(
                            x.pos,
                            format!("`{key}` of a `WholeNumber` must be a whole number"),
                            format!("e.g. `{key}: {}`", x.value.trunc()),
                        );
                        return None;
                    }
                    if x.value < lo || x.value > hi {
                        let hint = if big_int { "use a 64-bit value" } else { "add `bigInt: true` for 64-bit values" };
                        v.err(x.pos, format!("`{key}: {}` does not fit the field's integer type", x.value), hint);
                        return None;
                    }
                    Some(x.value as i64)
                };
                let min = int(self, &f.min, "min");
                let max = int(self, &f.max, "max");
                if let (Some(a), Some(b), Some(maxp)) = (min, max, &f.max)
                    && a > b
                {
                    self.err(maxp.pos, format!("`max: {b}` is below `min: {a}`"), "swap them, or fix one of them");
                }
                FieldKind::WholeNumber { min, max, big_int }
            }
            FieldType::DecimalNumber => {
                let precision = match &f.precision {
                    None => 2,
                    Some(p) if !(0..=10).contains(&p.value) => {
                        self.err(
                            p.pos,
                            format!("`precision: {}` is out of range", p.value),
                            "use 0 to 10 digits after the point",
                        );
                        2
                    }
                    Some(p) => p.value as u32,
                };
                let min = f.min.as_ref().map(|x| x.value);
                let max = f.max.as_ref().map(|x| x.value);
                if let (Some(a), Some(b), Some(maxp)) = (min, max, &f.max)
                    && a > b
                {
                    self.missing(
                        "target",
                        maxp.pos,
                        format!("`max: {b}` is below `min: {a}`"),
                        "swap them, or fix one of them",
                    );
                }
                FieldKind::DecimalNumber { min, max, precision }
            }
            FieldType::DateTime => FieldKind::DateTime { date_only: f.date_only.as_ref().is_some_and(|d| d.value) },
            FieldType::Boolean => FieldKind::Boolean,
            FieldType::Json => FieldKind::Json,
            FieldType::OptionSet | FieldType::MultiSelectOptionSet => {
                let options = self.options(&f.options, name, field_type);
                if field_type == FieldType::OptionSet {
                    FieldKind::OptionSet { options }
                } else {
                    FieldKind::MultiSelectOptionSet { options }
                }
            }
            FieldType::Lookup => {
                let Some(target) = &f.target else {
                    self.missing(
                        "target",
                        type_text.pos,
                        format!("`Lookup` field `{}` has no `target`", name.value),
                        "add `target: <Entity>` naming the related entity",
                    );
                    return None;
                };
                if !entity_names.contains(&target.value) {
                    let hint = match did_you_mean(&target.value, entity_names.iter().map(String::as_str)) {
                        Some(near) => format!("did you mean `{near}`?"),
                        None => format!("declared entities: {}", list_owned(entity_names.iter().map(String::as_str))),
                    };
                    self.err(target.pos, format!("unknown target entity `{}`", target.value), hint);
                    return None;
                }
                let relation = match &f.relation {
                    None => RelationKind::ManyToOne,
                    Some(r) => self.keyword(r, "relation", RelationKind::NAMES, RelationKind::parse)?,
                };
                if required && relation.is_to_many() {
                    self.err(
                        f.required.as_ref().map_or(pos, |r| r.pos),
                        format!("a `{relation}` relation cannot be required"),
                        "only to-one relations (`many-to-one`, `one-to-one`) can be required",
                    );
                    ok = false;
                }
                if searchable && relation.is_to_many() {
                    self.err(
                        f.searchable.as_ref().map_or(pos, |s| s.pos),
                        format!("a `{relation}` relation cannot be searchable"),
                        "filter from the other side, which is to-one",
                    );
                    ok = false;
                }
                let (inverse, inverse_pos) = match &f.inverse {
                    Some(inv) => {
                        if !names::is_camel_identifier(&inv.value) || names::is_js_reserved(&inv.value) {
                            self.err(
                                inv.pos,
                                format!("inverse name `{}` is not a camelCase field name", inv.value),
                                "e.g. `inverse: orders`",
                            );
                            return None;
                        }
                        (inv.value.clone(), inv.pos)
                    }
                    None => {
                        let base = names::camel(&ctx.name);
                        let default = if relation.inverse().is_to_many() { names::plural(&base) } else { base };
                        (default, name.pos)
                    }
                };
                if target.value == ctx.name && inverse == name.value {
                    self.err(
                        inverse_pos,
                        format!("self-relation `{}` cannot be its own inverse", name.value),
                        "set `inverse:` to a different field name, e.g. `children` for `parent`",
                    );
                    return None;
                }
                lookup = Some((target.clone(), relation, inverse.clone(), inverse_pos));
                // Placeholder until pass 3 decides names and the foreign-key side.
                FieldKind::Lookup(Relation {
                    target: target.value.clone(),
                    relation,
                    inverse,
                    relation_name: String::new(),
                    holds_foreign_key: false,
                })
            }
            FieldType::GeographicLocation => FieldKind::GeographicLocation,
            FieldType::Id => {
                let id_type = match &f.id_type {
                    None => IdType::Cuid,
                    Some(t) => self.keyword(t, "id type", IdType::NAMES, IdType::parse).unwrap_or(IdType::Cuid),
                };
                FieldKind::Id { id_type }
            }
            FieldType::CreatedAt => FieldKind::CreatedAt,
            FieldType::UpdatedAt => FieldKind::UpdatedAt,
            FieldType::Username => FieldKind::Username,
            FieldType::Password => FieldKind::Password,
            FieldType::Roles => FieldKind::Roles,
            FieldType::File => FieldKind::File,
        };
        if !ok {
            return None;
        }
        let always_required = matches!(
            field_type,
            FieldType::Id | FieldType::CreatedAt | FieldType::UpdatedAt | FieldType::Username | FieldType::Password
        );
        let field = Field {
            name: name.value.clone(),
            display_name: text(&f.display_name).map_or_else(|| names::words(&name.value), str::to_string),
            description: text(&f.description).map(str::to_string),
            required: required || always_required,
            unique: unique || matches!(field_type, FieldType::Id | FieldType::Username),
            searchable,
            implicit: false,
            kind,
        };
        Some((field, name.pos, lookup))
    }

    fn field_name(&mut self, name: &Spanned<String>, ctx: &EntityCx) -> bool {
        if !names::is_camel_identifier(&name.value) {
            self.err(
                name.pos,
                format!("field name `{}` is not camelCase", name.value),
                format!(
                    "start with a lower-case letter and use only letters and digits, e.g. `{}`",
                    names::camel(&name.value)
                ),
            );
            return false;
        }
        if name.value.len() > names::SQL_IDENTIFIER_MAX - 2 {
            self.err(
                name.pos,
                format!("field name `{}` is longer than {} characters", name.value, names::SQL_IDENTIFIER_MAX - 2),
                "PostgreSQL truncates longer column names; choose a shorter name",
            );
            return false;
        }
        if names::is_js_reserved(&name.value) || names::RESERVED_FIELD_NAMES.contains(&name.value.as_str()) {
            self.err(
                name.pos,
                format!("field name `{}` is reserved", name.value),
                format!(
                    "`{}` is a TypeScript keyword or a name the generated `{}` API uses; rename the field",
                    name.value, ctx.name
                ),
            );
            return false;
        }
        true
    }

    fn max_length(&mut self, value: &Option<Spanned<i64>>, limit: i64) -> Option<u32> {
        let v = value.as_ref()?;
        if v.value < 1 || v.value > limit {
            self.err(
                v.pos,
                format!("`maxLength: {}` is out of range", v.value),
                format!("use a length from 1 to {limit}"),
            );
            return None;
        }
        Some(v.value as u32)
    }

    fn options(
        &mut self,
        raw: &Option<Spanned<Vec<Spanned<RawOption>>>>,
        name: &Spanned<String>,
        ty: FieldType,
    ) -> Vec<OptionValue> {
        let Some(raw) = raw else {
            self.missing(
                "options",
                name.pos,
                format!("`{ty}` field `{}` has no `options`", name.value),
                "add `options: [first, second]`",
            );
            return Vec::new();
        };
        if raw.value.is_empty() {
            self.err(raw.pos, "`options` is empty", "list at least one value, e.g. `options: [draft, active]`");
        }
        let mut out: Vec<OptionValue> = Vec::new();
        for option in &raw.value {
            let Some(value) = &option.value.value else {
                self.missing(
                    "value",
                    option.pos,
                    "option without a `value`",
                    "write `{ value: draft, label: Draft }` or just `draft`",
                );
                continue;
            };
            if !names::is_option_identifier(&value.value) {
                self.err(
                    value.pos,
                    format!("option value `{}` is not an identifier", value.value),
                    "start with a letter and use letters, digits and `_`; put free text in `label`",
                );
                continue;
            }
            if out.iter().any(|o| o.value == value.value) {
                self.err(value.pos, format!("duplicate option `{}`", value.value), "list each value once");
                continue;
            }
            out.push(OptionValue {
                value: value.value.clone(),
                label: text(&option.value.label).map_or_else(|| value.value.clone(), str::to_string),
            });
        }
        out
    }

    /// Adds `id`, `createdAt`, `updatedAt` at the front unless declared.
    fn implicit_fields(&mut self, _ctx: &EntityCx, fields: &mut Vec<Field>, positions: &mut Vec<Pos>) {
        let mut front = Vec::new();
        let implicit = |name: &str, kind: FieldKind| Field {
            name: name.to_string(),
            display_name: names::words(name),
            description: None,
            required: true,
            unique: matches!(kind, FieldKind::Id { .. }),
            searchable: false,
            implicit: true,
            kind,
        };
        if !fields.iter().any(|f| f.field_type() == FieldType::Id) {
            front.push(implicit("id", FieldKind::Id { id_type: IdType::Cuid }));
        }
        if !fields.iter().any(|f| f.field_type() == FieldType::CreatedAt) {
            front.push(implicit("createdAt", FieldKind::CreatedAt));
        }
        if !fields.iter().any(|f| f.field_type() == FieldType::UpdatedAt) {
            front.push(implicit("updatedAt", FieldKind::UpdatedAt));
        }
        let n = front.len();
        fields.splice(0..0, front);
        positions.splice(0..0, std::iter::repeat_n(Pos::default(), n));
    }

    fn relations(&mut self, entities: &mut [(Entity, Pos)], field_pos: &[Vec<Pos>], lookups: Vec<DeclaredLookup>) {
        // Field indices shift by the implicit fields added at the front.
        let offset = |entities: &[(Entity, Pos)], e: usize, declared_index: usize| -> usize {
            let implicit = entities[e].0.fields.iter().take_while(|f| f.implicit).count();
            implicit + declared_index
        };
        let by_name: HashMap<String, usize> =
            entities.iter().enumerate().map(|(i, (e, _))| (e.name.clone(), i)).collect();
        // Declared lookups keyed by (entity, field name).
        let declared: BTreeMap<(String, String), usize> = lookups
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let e = &entities[l.entity].0;
                let f = &e.fields[offset(entities, l.entity, l.field)];
                ((e.name.clone(), f.name.clone()), i)
            })
            .collect();
        let mut implicit_added: HashMap<(usize, String), String> = HashMap::new();
        let mut pending: Vec<(usize, Field)> = Vec::new();

        for l in &lookups {
            let entity = entities[l.entity].0.name.clone();
            let field_index = offset(entities, l.entity, l.field);
            let field_name = entities[l.entity].0.fields[field_index].name.clone();
            let Some(&t) = by_name.get(&l.target.value) else {
                continue;
            };
            let target_name = entities[t].0.name.clone();
            let kind = l.kind;
            match declared.get(&(target_name.clone(), l.inverse.clone())) {
                Some(&j) => {
                    // Both sides declared: they must agree; the first by (entity, field) decides.
                    let other = &lookups[j];
                    let other_field =
                        entities[other.entity].0.fields[offset(entities, other.entity, other.field)].name.clone();
                    if other.target.value != entity || other.kind != kind.inverse() || other.inverse != field_name {
                        if (entity.as_str(), field_name.as_str()) < (target_name.as_str(), other_field.as_str()) {
                            self.err(
                                l.inverse_pos,
                                format!(
                                    "the two sides of `{entity}.{field_name}` ↔ `{target_name}.{other_field}` disagree"
                                ),
                                format!(
                                    "on `{target_name}.{other_field}` write `target: {entity}`, `relation: {}`, `inverse: {field_name}` (or remove its explicit declaration)",
                                    kind.inverse()
                                ),
                            );
                        }
                        continue;
                    }
                    let me = (entity.clone(), field_name.clone());
                    let them = (target_name.clone(), other_field);
                    let first = if me < them { me.clone() } else { them.clone() };
                    let (holds, owner) = match kind {
                        RelationKind::ManyToOne => (true, me.clone()),
                        RelationKind::OneToMany => (false, them),
                        RelationKind::OneToOne => (first == me, first),
                        RelationKind::ManyToMany => (false, first),
                    };
                    if let FieldKind::Lookup(rel) = &mut entities[l.entity].0.fields[field_index].kind {
                        rel.relation_name = format!("{}{}", owner.0, names::pascal(&owner.1));
                        rel.holds_foreign_key = holds;
                    }
                }
                None => {
                    // Only this side declared: create the inverse on the target.
                    if entities[t].0.fields.iter().any(|f| f.name.eq_ignore_ascii_case(&l.inverse)) {
                        self.err(
                            l.inverse_pos,
                            format!("`{target_name}` already has a field `{}`, so it cannot be the inverse of `{entity}.{field_name}`", l.inverse),
                            "set `inverse:` to a free name, or make that field a `Lookup` back to this entity",
                        );
                        continue;
                    }
                    if let Some(first) = implicit_added.get(&(t, l.inverse.to_ascii_lowercase())) {
                        self.err(
                            l.inverse_pos,
                            format!("inverse `{target_name}.{}` is already created by `{first}`", l.inverse),
                            "two relations to the same entity need different `inverse:` names",
                        );
                        continue;
                    }
                    implicit_added.insert((t, l.inverse.to_ascii_lowercase()), format!("{entity}.{field_name}"));
                    let holds = matches!(kind, RelationKind::ManyToOne | RelationKind::OneToOne);
                    let relation_name = if kind == RelationKind::OneToMany {
                        format!("{}{}", target_name, names::pascal(&l.inverse))
                    } else {
                        format!("{}{}", entity, names::pascal(&field_name))
                    };
                    if let FieldKind::Lookup(rel) = &mut entities[l.entity].0.fields[field_index].kind {
                        rel.relation_name = relation_name.clone();
                        rel.holds_foreign_key = holds;
                    }
                    let inverse_kind = kind.inverse();
                    pending.push((
                        t,
                        Field {
                            name: l.inverse.clone(),
                            display_name: names::words(&l.inverse),
                            description: None,
                            required: false,
                            unique: false,
                            searchable: false,
                            implicit: true,
                            kind: FieldKind::Lookup(Relation {
                                target: entity.clone(),
                                relation: inverse_kind,
                                inverse: field_name.clone(),
                                relation_name,
                                holds_foreign_key: inverse_kind == RelationKind::ManyToOne,
                            }),
                        },
                    ));
                }
            }
        }
        pending.sort_by(|a, b| {
            let ta = match &a.1.kind {
                FieldKind::Lookup(r) => (r.target.clone(), r.inverse.clone()),
                _ => Default::default(),
            };
            let tb = match &b.1.kind {
                FieldKind::Lookup(r) => (r.target.clone(), r.inverse.clone()),
                _ => Default::default(),
            };
            (a.0, ta).cmp(&(b.0, tb))
        });
        for (t, field) in pending {
            entities[t].0.fields.push(field);
        }

        self.query_param_clashes(entities, field_pos);

        // Foreign-key columns must not collide with other fields.
        for (index, (entity, entity_pos)) in entities.iter().enumerate() {
            for field in &entity.fields {
                let FieldKind::Lookup(rel) = &field.kind else {
                    continue;
                };
                let Some(fk) = rel.foreign_key(&field.name) else {
                    continue;
                };
                if let Some(clash) = entity.fields.iter().find(|f| f.name.eq_ignore_ascii_case(&fk)) {
                    let at = entity
                        .fields
                        .iter()
                        .position(|f| f.name == clash.name)
                        .and_then(|i| {
                            let implicit = entity.fields.iter().take_while(|f| f.implicit).count();
                            i.checked_sub(implicit).and_then(|d| field_pos[index].get(d + implicit))
                        })
                        .copied()
                        .filter(|p| *p != Pos::default())
                        .unwrap_or(*entity_pos);
                    self.err(
                        at,
                        format!(
                            "field `{}` of `{}` clashes with the foreign key of relation `{}`",
                            clash.name, entity.name, field.name
                        ),
                        format!("the relation stores its key in `{fk}`; rename the field"),
                    );
                }
            }
        }
    }

    /// Query parameters of list endpoints (searchable fields' filters and foreign keys) must
    /// not clash: `title` + `titleContains` and a field named `titleContains` would make two
    /// `titleContains` properties in the generated find-many arguments.
    fn query_param_clashes(&mut self, entities: &[(Entity, Pos)], field_pos: &[Vec<Pos>]) {
        for (index, (entity, entity_pos)) in entities.iter().enumerate() {
            let mut seen: Vec<(String, &Field)> = Vec::new();
            for (i, field) in entity.fields.iter().enumerate() {
                let mut params = field.query_params();
                if let FieldKind::Lookup(rel) = &field.kind {
                    params.extend(rel.foreign_key(&field.name));
                }
                for param in params {
                    // Exact: query parameters and TypeScript properties are case-sensitive.
                    let Some((_, other)) = seen.iter().find(|(p, _)| *p == param) else {
                        seen.push((param, field));
                        continue;
                    };
                    // Report on whichever of the two the person wrote later.
                    let (later, earlier) = (field, *other);
                    let owns_key = |f: &Field| matches!(&f.kind, FieldKind::Lookup(r) if r.foreign_key(&f.name).is_some_and(|k| k.eq_ignore_ascii_case(&param)));
                    if (owns_key(earlier) && later.name.eq_ignore_ascii_case(&param))
                        || (owns_key(later) && earlier.name.eq_ignore_ascii_case(&param))
                    {
                        continue; // a field named like a foreign key: reported below
                    }
                    let at = field_pos[index].get(i).copied().filter(|p| *p != Pos::default()).unwrap_or(*entity_pos);
                    self.err(
                        at,
                        format!(
                            "field `{}` of `{}` gives the list endpoint a query parameter `{param}`, which field `{}` already gives",
                            later.name, entity.name, earlier.name
                        ),
                        "`GET` filters are named after searchable fields (`<field>`, `<field>Contains`, `<field>Gte`, `<field>Lte`, `<field>Has`) and foreign keys; rename one of the fields or make it not searchable".to_string(),
                    );
                }
            }
        }
    }

    fn cross_service(&mut self, services: &[(Option<Service>, ServiceSpans)]) {
        for (i, (_, a)) in services.iter().enumerate() {
            let Some(name) = &a.name else { continue };
            if let Some((_, first)) = services[..i].iter().find(|(_, b)| b.name.as_deref() == Some(name.as_str())) {
                self.err(
                    a.name_pos,
                    format!("duplicate service `{name}`"),
                    format!("a service with this name is declared at line {}", first.name_pos.line),
                );
            }
        }
        for (i, (sa, a)) in services.iter().enumerate() {
            let (Some(sa), Some(da)) = (sa, &a.directory) else {
                continue;
            };
            for (sb, b) in &services[..i] {
                let (Some(sb), Some(db)) = (sb, &b.directory) else {
                    continue;
                };
                let same_repo = sa.git.provider == sb.git.provider && sa.git.repository == sb.git.repository;
                if same_repo {
                    let differs = [
                        ("baseBranch", sa.git.base_branch != sb.git.base_branch),
                        ("branch", sa.git.branch != sb.git.branch),
                        ("branchMode", sa.git.branch_mode != sb.git.branch_mode),
                        ("pullRequest", sa.git.pull_request != sb.git.pull_request),
                        ("createRepository", sa.git.create_repository != sb.git.create_repository),
                    ];
                    if let Some((key, _)) = differs.iter().find(|(_, d)| *d) {
                        self.err(
                            a.name_pos,
                            format!(
                                "services `{}` and `{}` commit to the same repository with different `{key}`",
                                sb.name, sa.name
                            ),
                            "one build makes one commit per repository: set the key under `git:` for both, or give one service its own `repository`",
                        );
                    }
                }
                if same_repo && names::directories_overlap(da, db) {
                    self.err(
                        a.directory_pos,
                        format!(
                            "service `{}` shares its directory `{da}` with service `{}` (`{db}`)",
                            sa.name, sb.name
                        ),
                        "give each service its own directory; one must not contain the other",
                    );
                }
            }
        }
    }
}

struct EntityCx {
    name: String,
    #[allow(dead_code)]
    pos: Pos,
    is_auth_entity: bool,
    auth: AuthKind,
}

struct ServiceSpans {
    name: Option<String>,
    name_pos: Pos,
    directory: Option<String>,
    directory_pos: Pos,
}

/// The Amplication type people usually mean by a common type name.
fn field_type_alias(name: &str) -> Option<FieldType> {
    Some(match name.to_ascii_lowercase().as_str() {
        "string" | "text" | "varchar" | "str" => FieldType::SingleLineText,
        "longtext" | "textarea" => FieldType::MultiLineText,
        "int" | "integer" | "number" | "bigint" | "long" => FieldType::WholeNumber,
        "float" | "double" | "decimal" | "money" | "numeric" => FieldType::DecimalNumber,
        "date" | "timestamp" | "datetime" | "time" => FieldType::DateTime,
        "bool" => FieldType::Boolean,
        "enum" | "select" | "choice" => FieldType::OptionSet,
        "relation" | "reference" | "ref" | "foreignkey" => FieldType::Lookup,
        "object" | "jsonb" => FieldType::Json,
        "uuid" | "cuid" | "key" => FieldType::Id,
        "url" | "image" | "attachment" => FieldType::File,
        _ => return None,
    })
}

fn list_owned<'a>(items: impl Iterator<Item = &'a str>) -> String {
    let v: Vec<&str> = items.collect();
    list(&v)
}
