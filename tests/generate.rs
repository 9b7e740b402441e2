//! Generation: snapshots of the built-in generator's output and determinism.
//!
//! The generated services themselves are compiled, booted and tested against PostgreSQL by
//! `scripts/e2e-generated.sh`; these tests pin the bytes and the properties that must hold
//! for every build (same bytes every time, whatever the entity order; `\n` only; no clock).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ampsync::generate::{self, GeneratedTree};
use ampsync::manifest::{self, model::Manifest};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn load(rel: &str) -> Manifest {
    manifest::load(&root().join(rel)).unwrap_or_else(|e| panic!("{rel} is valid: {e:?}")).manifest
}

fn shop() -> Manifest {
    load("examples/shop/amplication.yaml")
}

fn all_types() -> Manifest {
    load("tests/fixtures/manifests/all-types/amplication.yaml")
}

fn generate_all(m: &Manifest) -> BTreeMap<String, GeneratedTree> {
    generate::generate_all(m, &root()).expect("the built-in generator renders").into_iter().collect()
}

fn text<'t>(tree: &'t GeneratedTree, path: &str) -> &'t str {
    let file = tree.files.get(path).unwrap_or_else(|| panic!("`{path}` is generated"));
    std::str::from_utf8(&file.bytes).unwrap_or_else(|_| panic!("`{path}` is UTF-8"))
}

/// The manifest text with every service's entities in reverse order.
fn with_entities_reversed(rel: &str) -> String {
    let source = std::fs::read_to_string(root().join(rel)).expect("readable");
    let mut doc: serde_yaml::Value = serde_yaml::from_str(&source).expect("YAML");
    let services = doc.get_mut("services").and_then(|s| s.as_sequence_mut()).expect("services");
    for service in services {
        let entities = service.get_mut("entities").and_then(|e| e.as_sequence_mut()).expect("entities");
        entities.reverse();
    }
    serde_yaml::to_string(&doc).expect("serialisable")
}

#[test]
fn same_bytes_twice_and_whatever_the_entity_order() {
    for rel in ["examples/shop/amplication.yaml", "tests/fixtures/manifests/all-types/amplication.yaml"] {
        let m = load(rel);
        let first = generate_all(&m);
        let second = generate_all(&m);
        assert_eq!(first, second, "{rel}: two runs differ");

        let reordered_text = with_entities_reversed(rel);
        let reordered = manifest::parse_str(Path::new("reordered.yaml"), &reordered_text).expect("still valid");
        let original_names: Vec<&str> = m.services[0].entities.iter().map(|e| e.name.as_str()).collect();
        let source = std::fs::read_to_string(root().join(rel)).expect("readable");
        let first_declared = |text: &str| {
            let doc: serde_yaml::Value = serde_yaml::from_str(text).expect("YAML");
            doc["services"][0]["entities"][0]["name"].as_str().map(str::to_string)
        };
        assert_ne!(first_declared(&source), first_declared(&reordered_text), "{rel}: the entities were not reordered");
        let third = generate_all(&reordered);
        for (service, tree) in &first {
            let other = &third[service];
            assert_eq!(
                tree.files.keys().collect::<Vec<_>>(),
                other.files.keys().collect::<Vec<_>>(),
                "{rel}/{service}: paths depend on entity order ({original_names:?})"
            );
            for (path, file) in &tree.files {
                assert!(other.files[path] == *file, "{rel}: `{path}` depends on the order of entities");
            }
        }
    }
}

#[test]
fn newlines_only_and_no_clock_in_the_output() {
    let today = jiff::Timestamp::now().strftime("%Y-%m-%d").to_string();
    for m in [shop(), all_types()] {
        for (service, tree) in generate_all(&m) {
            assert!(tree.len() > 40, "{service}: {} files", tree.len());
            for (path, file) in &tree.files {
                let Ok(text) = std::str::from_utf8(&file.bytes) else { panic!("{path} is not UTF-8") };
                assert!(!text.contains('\r'), "{path} has a carriage return");
                assert!(!text.contains(&today), "{path} contains today's date");
                assert!(text.ends_with('\n') || text.is_empty(), "{path} does not end with a newline");
                assert!(!text.contains("\n\n\n"), "{path} has two blank lines in a row");
            }
        }
    }
}

#[test]
fn every_entity_gets_base_and_wrapper_files_under_the_service_directory() {
    let trees = generate_all(&shop());
    let tree = &trees["shop-api"];
    for entity in ["address", "category", "customer", "order", "order-item", "product", "user"] {
        for file in [
            format!("{entity}.controller.ts"),
            format!("{entity}.service.ts"),
            format!("{entity}.module.ts"),
            format!("base/{entity}.controller.base.ts"),
            format!("base/{entity}.service.base.ts"),
            format!("base/{entity}.module.base.ts"),
            format!("base/{entity}.entity.ts"),
            format!("base/create-{entity}.dto.ts"),
            format!("base/update-{entity}.dto.ts"),
            format!("base/{entity}-find-many.args.ts"),
        ] {
            let path = format!("apps/shop-api/src/{entity}/{file}");
            assert!(tree.files.contains_key(&path), "missing {path}");
            let body = text(tree, &path);
            assert_eq!(file.starts_with("base/"), body.contains("Regenerated by ampsync"), "{path}: banner");
        }
    }
    for path in [
        "package.json",
        "tsconfig.json",
        "tsconfig.build.json",
        "nest-cli.json",
        "prisma.config.ts",
        ".gitignore",
        ".dockerignore",
        ".env.example",
        "Dockerfile",
        "docker-compose.yml",
        "README.md",
        "prisma/schema.prisma",
        "prisma/schema.sql",
        "src/main.ts",
        "src/setup.ts",
        "src/app.module.ts",
        "src/health/health.controller.ts",
        "src/auth/auth.guard.ts",
        "src/seed.ts",
    ] {
        assert!(tree.files.contains_key(&format!("apps/shop-api/{path}")), "missing {path}");
    }
    // Exact pins only.
    let package: serde_json::Value = serde_json::from_str(text(tree, "apps/shop-api/package.json")).expect("JSON");
    for section in ["dependencies", "devDependencies"] {
        for (name, version) in package[section].as_object().expect("object") {
            let v = version.as_str().expect("string");
            assert!(v.chars().all(|c| c.is_ascii_digit() || c == '.'), "{name}: `{v}` is not an exact version");
        }
    }
    assert_eq!(package["dependencies"]["@prisma/adapter-pg"], "7.10.0");
}

#[test]
fn auth_none_generates_no_auth_code_and_disabled_actions_have_no_endpoint() {
    let trees = generate_all(&all_types());
    let open = &trees["all-types"];
    assert!(open.files.keys().all(|p| !p.contains("/src/auth/") && !p.ends_with("seed.ts")));
    for (path, file) in open.files.iter().filter(|(p, _)| p.contains("/src/") || p.ends_with("package.json")) {
        let body = String::from_utf8_lossy(&file.bytes);
        assert!(!body.contains("@Permission(") && !body.contains("bcryptjs") && !body.contains("JWT_SECRET"), "{path}");
    }
    // Author: delete disabled; Post: create and update disabled; Tag: update disabled (so no connect).
    let author = text(open, "apps/all-types/src/author/base/author.controller.base.ts");
    assert!(!author.contains("@common.Delete(':id')") && author.contains("@common.Patch(':id')"));
    let post = text(open, "apps/all-types/src/post/base/post.controller.base.ts");
    assert!(!post.contains("@common.Post()") && !post.contains("@common.Patch(") && post.contains("@common.Get()"));
    let tag = text(open, "apps/all-types/src/tag/base/tag.controller.base.ts");
    assert!(tag.contains("@common.Get(':id/related')") && !tag.contains("@common.Post(':id/related')"));
    let group = text(open, "apps/all-types/src/group/base/group.controller.base.ts");
    assert!(!group.contains("@common.Get()\n"), "Group search is disabled");

    let members = &trees["members"];
    let guard = text(members, "apps/members/src/auth/permissions.ts");
    assert!(guard.contains("Member: {"), "{guard}");
    assert!(guard.contains("search: { access: 'roles', roles: ['organiser', 'reader'] }"), "{guard}");
    assert!(guard.contains("delete: { access: 'disabled' }"), "{guard}");
    let prisma = text(members, "apps/members/src/prisma/prisma.service.ts");
    assert!(prisma.contains("member: { secret: true }"), "the password field is omitted globally:\n{prisma}");
    let schema = text(members, "apps/members/prisma/schema.prisma");
    assert!(schema.lines().any(|l| l.split_whitespace().eq(["login", "String", "@unique"])), "{schema}");
}

#[test]
fn schema_sql_matches_the_prisma_schema() {
    let trees = generate_all(&all_types());
    let tree = &trees["all-types"];
    let prisma = text(tree, "apps/all-types/prisma/schema.prisma");
    let sql = text(tree, "apps/all-types/prisma/schema.sql");
    let models: Vec<&str> = prisma.lines().filter_map(|l| l.strip_prefix("model ")?.strip_suffix(" {")).collect();
    assert_eq!(models, ["Author", "Book", "Group", "Post", "Profile", "Series", "Tag"]);
    for model in &models {
        assert!(sql.contains(&format!("CREATE TABLE \"{model}\" (")), "{model}");
    }
    // Implicit many-to-many tables, named relations, key types across id kinds.
    for needle in [
        "CREATE TABLE \"_AuthorToGroup\" (\n    \"A\" INTEGER NOT NULL,\n    \"B\" TEXT NOT NULL,",
        "CONSTRAINT \"_TagRelated_AB_pkey\" PRIMARY KEY (\"A\",\"B\")",
        "CREATE INDEX \"_BookToTag_B_index\" ON \"_BookToTag\"(\"B\");",
        "CREATE UNIQUE INDEX \"Profile_authorId_key\" ON \"Profile\"(\"authorId\");",
        "CREATE INDEX \"Book_translatorId_idx\" ON \"Book\"(\"translatorId\");",
        "ALTER TABLE \"Book\" ADD CONSTRAINT \"Book_authorId_fkey\" FOREIGN KEY (\"authorId\") REFERENCES \"Author\"(\"id\") ON DELETE RESTRICT ON UPDATE CASCADE;",
        "ALTER TABLE \"Book\" ADD CONSTRAINT \"Book_seriesId_fkey\" FOREIGN KEY (\"seriesId\") REFERENCES \"Series\"(\"key\") ON DELETE SET NULL ON UPDATE CASCADE;",
        "\"formats\" \"EnumBookFormats\"[] DEFAULT ARRAY[]::\"EnumBookFormats\"[],",
        "\"copiesSold\" BIGINT,",
        "\"price\" DECIMAL(18,4),",
        "\"id\" SERIAL NOT NULL,",
        "CREATE TYPE \"EnumBookGenre\" AS ENUM ('sciFi', 'crime', 'poetry');",
    ] {
        assert!(sql.contains(needle), "schema.sql lacks:\n{needle}\n---\n{sql}");
    }
    for needle in [
        "author      Author        @relation(\"BookAuthor\", fields: [authorId], references: [id])",
        "related     Tag[] @relation(\"TagRelated\")",
        "@@index([seriesId])",
    ] {
        let squeezed = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(squeezed(prisma).contains(&squeezed(needle)), "schema.prisma lacks:\n{needle}\n---\n{prisma}");
    }
}

#[test]
fn snapshots_of_the_whole_shop_output() {
    // Every generated file of the example, one snapshot each (tests/snapshots/shop/), plus the
    // listing with sizes and modes: any byte the generator changes shows up in review.
    let trees = generate_all(&shop());
    let tree = &trees["shop-api"];
    let listing: String = tree
        .files
        .iter()
        .map(|(path, file)| format!("{path} {}{}\n", file.bytes.len(), if file.executable { " x" } else { "" }))
        .collect();
    insta::assert_snapshot!("shop_files", listing);
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/shop");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for (path, file) in &tree.files {
            let name = path.trim_start_matches("apps/shop-api/").replace('/', "__");
            let text = std::str::from_utf8(&file.bytes).expect("the nestjs generator writes text");
            insta::assert_snapshot!(name, text);
        }
    });
}

#[test]
fn team_template_errors_are_reported_as_file_and_line() {
    let dir = tempfile::tempdir().expect("tempdir");
    let tpl = dir.path().join("tools/templates");
    std::fs::create_dir_all(tpl.join("src")).expect("mkdir");
    std::fs::write(tpl.join("README.md.jinja"), "# {{ service.name }}\n").expect("write");
    std::fs::write(tpl.join("src/{{ entity.kebab }}.ts.jinja"), "// {{ entity.name }}\n{{ entity.nope }}\n")
        .expect("write");
    let m = manifest::parse_str(
        &dir.path().join("amplication.yaml"),
        "version: 1\nproject: p\nservices:\n  - name: api\n    templates: tools/templates\n    entities:\n      - name: Thing\n        fields:\n          - { name: title, type: SingleLineText }\n",
    )
    .expect("valid");
    let err = generate::generate_service(&m, &m.services[0], dir.path()).expect_err("undefined attribute");
    let message = err.to_string();
    assert!(message.starts_with("tools/templates/src/{{ entity.kebab }}.ts.jinja:2: "), "{message}");
    assert!(message.contains("undefined"), "{message}");

    // Fixed, the same directory renders, with templated file names.
    std::fs::write(tpl.join("src/{{ entity.kebab }}.ts.jinja"), "// {{ entity.name }}\n").expect("write");
    let tree = generate::generate_service(&m, &m.services[0], dir.path()).expect("renders");
    assert_eq!(tree.files.keys().collect::<Vec<_>>(), ["apps/api/README.md", "apps/api/src/thing.ts"]);
}

#[test]
fn the_view_keeps_the_names_templates_rely_on() {
    // Templates (ours, the e2e specs', teams') address these by name: renaming one is a breaking change.
    let m = all_types();
    let view = serde_json::to_value(generate::view::ServiceView::new(&m, &m.services[0])).expect("serialisable");
    for key in ["project", "service", "entities", "roles", "roleNames", "enums", "joinTables", "sql", "auth", "routes"]
    {
        assert!(view.get(key).is_some(), "service view lacks `{key}`");
    }
    let book = view["entities"].as_array().expect("list").iter().find(|e| e["name"] == "Book").expect("Book");
    for key in [
        "pluralKebab",
        "clientProperty",
        "idField",
        "idType",
        "idIsInt",
        "idTsType",
        "actions",
        "foreignKeys",
        "toOneRelations",
        "toManyRelations",
        "uniqueFields",
        "filters",
        "sortFields",
        "routes",
        "createProps",
        "outputProps",
        "prismaLines",
        "aWords",
        "kebab",
        "pascal",
        "camel",
    ] {
        assert!(book.get(key).is_some(), "entity view lacks `{key}`");
    }
    let field =
        |name: &str| book["fields"].as_array().expect("fields").iter().find(|f| f["name"] == name).expect(name).clone();
    let copies = field("copiesSold");
    assert_eq!((copies["kind"].as_str(), copies["bigInt"].as_bool()), (Some("bigint"), Some(true)));
    let price = field("price");
    assert_eq!((price["precision"].as_u64(), price["min"].as_i64()), (Some(4), Some(0)), "{price}");
    let genre = field("genre");
    assert_eq!(genre["enumName"], "EnumBookGenre");
    assert_eq!(genre["options"][2]["label"], "Poetry (\"verse\")");
    let author = field("author");
    assert_eq!(author["relation"]["foreignKey"], "authorId");
    assert_eq!(author["relation"]["targetIdIsInt"], true);
    assert_eq!(book["actions"]["delete"]["access"], "public");
    let series = view["entities"].as_array().expect("list").iter().find(|e| e["name"] == "Series").expect("Series");
    assert_eq!(series["idField"], "key");
    assert!(view["auth"].is_null(), "auth: none");
}

#[test]
fn descriptions_and_labels_cannot_break_out_of_comments() {
    let m = manifest::parse_str(
        Path::new("amplication.yaml"),
        "version: 1\nproject: p\nservices:\n  - name: api\n    entities:\n      - name: Thing\n        description: \"ends */ here\\nsecond line\"\n        fields:\n          - name: kind\n            type: OptionSet\n            options:\n              - { value: a, label: \"two\\nlines\" }\n          - name: note\n            type: SingleLineText\n            description: \"it's \\\"quoted\\\"\"\n",
    )
    .expect("valid");
    let tree = generate::generate_service(&m, &m.services[0], &root()).expect("renders");
    let entity = text(&tree, "apps/api/src/thing/base/thing.entity.ts");
    assert!(entity.contains("/**\n * ends *\\/ here\n * second line\n */\nexport class Thing {"), "{entity}");
    assert!(entity.contains("description: 'it\\'s \"quoted\"'"), "{entity}");
    let schema = text(&tree, "apps/api/prisma/schema.prisma");
    assert!(schema.contains("/// ends *\\/ here\n/// second line\nmodel Thing {"), "{schema}");
    assert!(schema.contains("  /// two lines\n  a\n"), "{schema}");
}

/// Validation refuses manifests whose list filters would clash (`Field::query_params`); the
/// view must build exactly those filters, or that check guards the wrong names.
#[test]
fn list_filters_are_the_query_parameters_validation_checks() {
    use ampsync::manifest::model::FieldKind;
    for m in [shop(), all_types()] {
        for service in &m.services {
            let view = generate::view::ServiceView::new(&m, service);
            for entity in &service.entities {
                let ev = view.entities.iter().find(|e| e.names.pascal == entity.name).expect("a view per entity");
                let mut built: Vec<&str> = ev.filters.iter().map(|f| f.param.as_str()).collect();
                let mut predicted: Vec<String> = entity.fields.iter().flat_map(|f| f.query_params()).collect();
                predicted.extend(entity.fields.iter().filter_map(|f| match &f.kind {
                    FieldKind::Lookup(rel) => rel.foreign_key(&f.name),
                    _ => None,
                }));
                built.sort();
                predicted.sort();
                assert_eq!(built, predicted, "{}.{}", service.name, entity.name);
                assert!(!built.is_empty() || entity.fields.iter().all(|f| !f.searchable), "{}", entity.name);
            }
        }
    }
}
