//! Manifest loading: valid manifests resolve to the expected model; every invalid fixture
//! reports exactly the diagnostics its `#>` header lists; hostile input is refused.

use std::path::Path;

use ampsync::manifest::{self, Diagnostics, model::*};

use crate::support;

fn render(d: &Diagnostics) -> Vec<String> {
    let mut out = Vec::new();
    for item in &d.items {
        out.push(format!("{}: error: {}", item.pos, item.message));
        if let Some(h) = &item.hint {
            out.push(format!("  help: {h}"));
        }
    }
    out
}

/// Each `tests/fixtures/manifests/invalid/*.yaml` starts with its expected diagnostics as
/// `#> LINE:COL: error: …` and `#>   help: …` lines. `AMPSYNC_BLESS=1` rewrites them.
#[test]
fn invalid_manifests_report_every_problem_at_its_position() {
    let dir = support::fixture("manifests/invalid");
    let bless = std::env::var_os("AMPSYNC_BLESS").is_some();
    let mut entries: Vec<_> = std::fs::read_dir(&dir).expect("fixture dir").map(|e| e.expect("entry").path()).collect();
    entries.sort();
    assert!(entries.len() >= 40, "at least 40 invalid manifests, found {}", entries.len());
    let mut failures = Vec::new();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("read fixture");
        let expected: Vec<String> =
            text.lines().take_while(|l| l.starts_with("#>")).map(|l| l.trim_start_matches("#> ").to_string()).collect();
        let body: String = text.lines().skip(expected.len()).map(|l| format!("{l}\n")).collect();
        // Positions in the header are relative to the body, so the header can change freely.
        let name = path.file_name().expect("file name").to_string_lossy().to_string();
        let actual = match manifest::parse_str(Path::new("amplication.yaml"), &body) {
            Ok(_) => vec!["(valid)".to_string()],
            Err(d) => render(&d),
        };
        if bless {
            let header: String = actual.iter().map(|l| format!("#> {l}\n")).collect();
            std::fs::write(&path, format!("{header}{body}")).expect("bless");
        } else if expected != actual {
            failures.push(format!(
                "{name}\n  expected:\n    {}\n  actual:\n    {}",
                expected.join("\n    "),
                actual.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{} fixture(s) differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn example_manifest_resolves_to_the_expected_model() {
    let loaded = manifest::load(&support::example_manifest()).expect("the example is valid");
    let m = &loaded.manifest;
    assert_eq!(m.project, "shop");
    let svc = &m.services[0];
    assert_eq!(svc.directory, "apps/shop-api");
    assert_eq!(svc.auth.entity.as_deref(), Some("User"));
    let names: Vec<&str> = svc.entities.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names, ["Address", "Category", "Customer", "Order", "OrderItem", "Product", "User"]);
    // Every field type is used at least once.
    let mut used: Vec<FieldType> = svc.entities.iter().flat_map(|e| &e.fields).map(|f| f.field_type()).collect();
    used.sort();
    used.dedup();
    assert_eq!(used, FieldType::ALL, "every field type appears in the example");
    // Both sides of every relation exist and agree.
    for e in &svc.entities {
        for f in &e.fields {
            let FieldKind::Lookup(rel) = &f.kind else { continue };
            let target = svc.entity(&rel.target).expect("target exists");
            let back = target.field(&rel.inverse).expect("inverse exists");
            let FieldKind::Lookup(back_rel) = &back.kind else { panic!("{}.{} is a lookup", target.name, back.name) };
            assert_eq!(back_rel.target, e.name);
            assert_eq!(back_rel.inverse, f.name);
            assert_eq!(back_rel.relation, rel.relation.inverse());
            assert_eq!(back_rel.relation_name, rel.relation_name);
            if rel.relation != RelationKind::ManyToMany {
                assert_ne!(back_rel.holds_foreign_key, rel.holds_foreign_key, "{}.{}", e.name, f.name);
            }
        }
    }
    let customer = svc.entity("Customer").expect("Customer");
    let orders = customer.field("orders").expect("implicit inverse of Order.customer");
    assert!(orders.implicit);
    let user = svc.entity("User").expect("User");
    let FieldKind::Lookup(rel) = &user.field("customer").expect("User.customer").kind else { panic!() };
    assert!(rel.holds_foreign_key, "the declared side of a one-to-one holds the key");
    let product = svc.entity("Product").expect("Product");
    assert_eq!(product.permissions.delete, Permission::Disabled);
    assert_eq!(product.permissions.read, Permission::Public);
    assert_eq!(customer.permissions.update, Permission::Roles(vec!["admin".into(), "customer".into()]));
    assert_eq!(loaded.digest.len(), "sha256:".len() + 64);
    insta::assert_yaml_snapshot!("example_resolved", m);
}

#[test]
fn defaults_are_applied_once_with_service_overrides() {
    let text = r#"
version: 1
project: demo
git:
  repository: acme/demo
  conflicts: ours
  pullRequest: { labels: [gen], draft: true }
services:
  - name: api
    entities:
      - name: Person
        fields:
          - name: name
            type: SingleLineText
  - name: billing
    repository: acme/billing
    branch: generated
    branchMode: per-build
    pullRequest: { reviewers: [alice] }
    entities:
      - name: Invoice
        fields:
          - name: amount
            type: DecimalNumber
"#;
    let m = manifest::parse_str(Path::new("amplication.yaml"), text).expect("valid");
    let api = m.service("api").expect("api");
    assert_eq!(api.directory, "apps/api");
    assert_eq!(api.git.provider, ProviderKind::Github);
    assert_eq!(api.git.repository.as_deref(), Some("acme/demo"));
    assert_eq!(api.git.branch, "amplication");
    assert_eq!(api.git.branch_mode, BranchMode::Accumulate);
    assert_eq!(api.git.conflicts, ConflictPolicy::Ours);
    assert_eq!(api.git.pull_request.labels, ["gen"]);
    assert!(api.git.pull_request.draft);
    assert_eq!(api.auth.kind, AuthKind::None);
    let person = api.entity("Person").expect("Person");
    assert_eq!(person.plural_name, "people");
    assert_eq!(person.permissions.create, Permission::Public);
    let names: Vec<&str> = person.fields.iter().map(|f| f.name.as_str()).collect();
    assert_eq!(names, ["id", "createdAt", "updatedAt", "name"]);
    let FieldKind::SingleLineText { max_length } = person.fields[3].kind else { panic!() };
    assert_eq!(max_length, 256);
    let billing = m.service("billing").expect("billing");
    assert_eq!(billing.git.repository.as_deref(), Some("acme/billing"));
    assert_eq!(billing.git.branch, "generated");
    assert_eq!(billing.git.branch_mode, BranchMode::PerBuild);
    assert_eq!(billing.git.pull_request.reviewers, ["alice"]);
    assert_eq!(billing.git.pull_request.labels, ["gen"], "pull request keys are replaced key by key");
    let FieldKind::DecimalNumber { precision, .. } = billing.entities[0].field("amount").expect("amount").kind else {
        panic!()
    };
    assert_eq!(precision, 2);
}

#[test]
fn entity_order_does_not_change_the_model() {
    let a = r#"
version: 1
project: p
services:
  - name: s
    entities:
      - name: Author
        fields:
          - { name: name, type: SingleLineText }
      - name: Book
        fields:
          - { name: author, type: Lookup, target: Author, inverse: books }
          - { name: tags, type: Lookup, target: Tag, relation: many-to-many }
      - name: Tag
        fields:
          - { name: label, type: SingleLineText }
"#;
    let b = r#"
version: 1
project: p
services:
  - name: s
    entities:
      - name: Tag
        fields:
          - { name: label, type: SingleLineText }
      - name: Book
        fields:
          - { name: author, type: Lookup, target: Author, inverse: books }
          - { name: tags, type: Lookup, target: Tag, relation: many-to-many }
      - name: Author
        fields:
          - { name: name, type: SingleLineText }
"#;
    let ma = manifest::parse_str(Path::new("a.yaml"), a).expect("valid");
    let mb = manifest::parse_str(Path::new("b.yaml"), b).expect("valid");
    assert_eq!(ma, mb);
    let tag = ma.services[0].entity("Tag").expect("Tag");
    let FieldKind::Lookup(rel) = &tag.field("books").expect("default inverse name").kind else { panic!() };
    assert_eq!(rel.relation, RelationKind::ManyToMany);
    assert_eq!(rel.relation_name, "BookTags");
}

#[test]
fn both_sides_declared_and_merge_keys_and_long_options() {
    let text = r#"
version: 1
project: p
x-common: &audited
  required: true
  searchable: true
services:
  - name: s
    entities:
      - name: Category
        fields:
          - name: products
            type: Lookup
            target: Product
            relation: one-to-many
            inverse: category
          - name: parent
            type: Lookup
            target: Category
            inverse: children
      - name: Product
        fields:
          - name: title
            type: SingleLineText
            <<: *audited
          - name: category
            type: Lookup
            target: Category
            relation: many-to-one
            inverse: products
          - name: status
            type: OptionSet
            options:
              - draft
              - { value: live, label: "Live (visible)" }
"#;
    let err = manifest::parse_str(Path::new("amplication.yaml"), text).expect_err("x-common is not a manifest key");
    assert_eq!(err.items[0].message, "unknown key `x-common` in the manifest");
    let text = text
        .replace("x-common: &audited", "git: &audited")
        .replace("  required: true\n  searchable: true\n", "  branch: gen\n");
    let text = text.replace("<<: *audited", "required: true");
    let m = manifest::parse_str(Path::new("amplication.yaml"), &text).expect("valid");
    let s = &m.services[0];
    let product = s.entity("Product").expect("Product");
    let FieldKind::Lookup(rel) = &product.field("category").expect("category").kind else { panic!() };
    assert!(rel.holds_foreign_key);
    assert_eq!(rel.relation_name, "ProductCategory");
    let category = s.entity("Category").expect("Category");
    let FieldKind::Lookup(back) = &category.field("products").expect("products").kind else { panic!() };
    assert!(!back.holds_foreign_key);
    assert_eq!(back.relation_name, "ProductCategory");
    assert!(!category.field("products").expect("declared").implicit);
    assert!(category.field("children").expect("self inverse").implicit);
    let FieldKind::OptionSet { options } = &product.field("status").expect("status").kind else { panic!() };
    assert_eq!(options[1], OptionValue { value: "live".into(), label: "Live (visible)".into() });
    assert_eq!(options[0].label, "draft");
}

#[test]
fn yaml_merge_keys_are_applied() {
    let text = r#"
version: 1
project: p
services:
  - name: s
    entities:
      - name: Product
        fields:
          - &text { name: title, type: SingleLineText, maxLength: 80 }
          - { <<: *text, name: subtitle }
"#;
    let m = manifest::parse_str(Path::new("amplication.yaml"), text).expect("valid");
    let product = &m.services[0].entities[0];
    let FieldKind::SingleLineText { max_length } = product.field("subtitle").expect("merged").kind else { panic!() };
    assert_eq!(max_length, 80);
}

fn hostile(text: &[u8]) -> Diagnostics {
    manifest::parse_bytes(Path::new("amplication.yaml"), text).expect_err("hostile input is refused")
}

#[test]
fn a_file_over_5_mib_is_refused_before_parsing() {
    let dir = support::tempdir();
    let path = dir.path().join("amplication.yaml");
    let mut big = b"version: 1\nproject: big\nservices: []\n# ".to_vec();
    big.resize(5 * 1024 * 1024 + 1, b'x');
    std::fs::write(&path, &big).expect("write");
    let err = manifest::load(&path).expect_err("too large");
    let manifest::LoadError::Invalid(d) = err else { panic!("expected diagnostics") };
    assert_eq!(d.items[0].message, "the manifest is 5242881 bytes; the limit is 5242880 (5 MiB)");
}

#[test]
fn an_alias_bomb_is_refused() {
    let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..10 {
        let prev = format!("*a{}", i - 1);
        text.push_str(&format!("a{i}: &a{i} [{}]\n", [prev.as_str(); 10].join(", ")));
    }
    let d = hostile(text.as_bytes());
    assert_eq!(d.items.len(), 1);
    assert!(d.items[0].message.starts_with("YAML aliases expand to more than 100000 nodes"), "{}", d.items[0].message);
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 100_000;
    let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let d = hostile(text.as_bytes());
    assert_eq!(
        render(&d),
        [
            "1:256: error: nesting deeper than 64 levels",
            "  help: a manifest never needs this much nesting; check that the file is the one you meant"
        ]
    );
    let text = format!("a:{}", (1..200).map(|i| format!("\n{}b{i}:", "  ".repeat(i))).collect::<String>());
    assert!(hostile(text.as_bytes()).items[0].message.contains("nesting deeper than 64"));
}

#[test]
fn invalid_utf8_is_reported_with_its_position() {
    let d = hostile(b"version: 1\nproject: \xff\n");
    assert_eq!(render(&d), ["2:10: error: the manifest is not valid UTF-8", "  help: save the file as UTF-8"]);
}

#[test]
fn committed_schema_is_up_to_date() {
    let committed = std::fs::read_to_string(support::root().join(manifest::schema::COMMITTED_PATH)).unwrap_or_default();
    assert!(
        committed == manifest::schema::json(),
        "schema/amplication.schema.json is stale; regenerate it with `cargo run -- schema > schema/amplication.schema.json`"
    );
}

#[test]
fn the_example_validates_against_the_committed_schema_shape() {
    // The schema is what editors use: the example must satisfy its required keys and enums.
    let schema: serde_json::Value = serde_json::from_str(&manifest::schema::json()).expect("schema is JSON");
    assert_eq!(schema["$schema"], "https://json-schema.org/draft/2020-12/schema");
    assert_eq!(schema["required"], serde_json::json!(["version", "project", "services"]));
    assert_eq!(schema["additionalProperties"], false);
    let field = &schema["$defs"]["RawField"];
    assert_eq!(field["additionalProperties"], false);
    assert_eq!(field["required"], serde_json::json!(["name", "type"]));
    let types: Vec<&str> = schema["$defs"]["FieldType"]["oneOf"]
        .as_array()
        .expect("oneOf")
        .iter()
        .map(|v| v["const"].as_str().expect("const"))
        .collect();
    assert_eq!(types, FieldType::NAMES);
    for v in schema["$defs"]["FieldType"]["oneOf"].as_array().expect("oneOf") {
        assert!(v["description"].as_str().is_some_and(|d| !d.is_empty()), "every field type is described");
    }
}
