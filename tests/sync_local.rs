//! The sync engine with the `local` provider, on real repositories made and checked with the
//! git CLI: one test per row of issue #4's table, and more cases found on the way.
//!
//! Most tests use a small template set (`tests/fixtures/templates/mini`: a per-entity base
//! file listing the fields, a per-entity wrapper, an app file and a README listing the
//! entities, a binary file) so each change touches a known set of files.

use predicates::prelude::*;
use serde_json::Value;

use crate::support::git::TestRepo;
use crate::support::{self};

const MANIFEST: &str = "version: 1
project: shop
git:
  provider: local
  baseBranch: main
services:
  - name: shop
    templates: tools/templates
    entities:
      - name: Customer
        fields:
          - name: name
            type: SingleLineText
      - name: Order
        fields:
          - name: total
            type: DecimalNumber
          - name: customer
            type: Lookup
            target: Customer
            inverse: orders
";

/// A repository holding the manifest and the mini templates, on `main`.
fn repo_with(manifest: &str) -> TestRepo {
    let repo = TestRepo::new(&[("amplication.yaml", manifest)]);
    copy_templates(&repo);
    repo.commit_all("Add the templates");
    repo
}

fn copy_templates(repo: &TestRepo) {
    let src = support::fixture("templates/mini");
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read templates") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(&src).expect("inside");
                let dest = repo.path.join("tools/templates").join(rel);
                std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
                std::fs::copy(&path, dest).expect("copy");
            }
        }
    }
}

fn repo() -> TestRepo {
    repo_with(MANIFEST)
}

fn outcome(json: &Value) -> &str {
    json["outcome"].as_str().expect("outcome")
}

fn r0(json: &Value) -> &Value {
    &json["repositories"][0]
}

/// Actions by path from a sync or plan report.
fn actions(json: &Value) -> Vec<(String, String)> {
    r0(json)["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .map(|p| (p["path"].as_str().expect("path").to_string(), p["action"].as_str().expect("action").to_string()))
        .collect()
}

fn action_of(json: &Value, path: &str) -> String {
    actions(json).into_iter().find(|(p, _)| p == path).map(|(_, a)| a).unwrap_or_else(|| "(none)".into())
}

const BASE: &str = "apps/shop/src/order/base/order.base.ts";
const WRAPPER: &str = "apps/shop/src/order/order.ts";

fn add_field(repo: &TestRepo, entity_marker: &str, field: &str) {
    let manifest = std::fs::read_to_string(repo.path.join("amplication.yaml")).expect("manifest");
    let marker = format!("      - name: {entity_marker}\n        fields:\n");
    assert!(manifest.contains(&marker), "entity {entity_marker} in the manifest");
    let updated = manifest.replacen(&marker, &format!("{marker}{field}"), 1);
    repo.write("amplication.yaml", &updated);
}

#[test]
fn issue_4_row_1_first_build_creates_the_branch_in_one_commit() {
    let repo = repo();
    let head_before = repo.rev("HEAD");
    let status_before = repo.git(&["status", "--porcelain"]);
    let (code, json) = repo.sync(&["--build-id", "b1", "--build-url", "https://ci.example/runs/1"]);
    assert_eq!(code, 0);
    assert_eq!(outcome(&json), "created");
    let tip = repo.rev("amplication");
    assert_eq!(r0(&json)["commit"], tip.as_str());
    assert_eq!(repo.rev("amplication^"), repo.rev("main"), "one commit on top of main");
    let mut expected = vec![
        ".amplication/lock.json",
        "apps/shop/README.md",
        "apps/shop/src/app.ts",
        "apps/shop/src/customer/base/customer.base.ts",
        "apps/shop/src/customer/customer.ts",
        "apps/shop/src/order/base/order.base.ts",
        "apps/shop/src/order/order.ts",
        "apps/shop/static/logo.bin",
    ];
    expected.sort();
    assert_eq!(repo.changed("amplication"), expected);
    let msg = repo.message("amplication");
    assert!(msg.starts_with("Initial commit\n\n"), "title = the last commit that changed the manifest: {msg}");
    assert!(msg.contains("- shop: 7 added, 0 changed, 0 removed\n"), "{msg}");
    assert!(msg.contains("```\nhttps://ci.example/runs/1\n```"), "{msg}");
    assert!(
        msg.trim_end().ends_with("Amplication-Build: b1\nAmplication-Build-Url: https://ci.example/runs/1"),
        "{msg}"
    );
    let trailers = repo.git(&["log", "-1", "--format=%(trailers:key=Amplication-Build,valueonly)", "amplication"]);
    assert_eq!(trailers.trim(), "b1", "git itself parses the trailer");
    let lock: Value = serde_json::from_str(&repo.show("amplication", ".amplication/lock.json")).expect("lock JSON");
    assert_eq!(lock["build"]["id"], "b1");
    assert_eq!(lock["manifest"]["path"], "amplication.yaml");
    let files = lock["services"]["shop"]["files"].as_object().expect("files");
    assert_eq!(files.len(), 7);
    for (path, id) in files {
        let actual = repo.rev(&format!("amplication:{path}"));
        assert_eq!(id, actual.as_str(), "the lock holds the blob id of {path}");
    }
    assert_eq!(repo.show("amplication", "apps/shop/static/logo.bin").as_bytes(), b"BIN\0\x01\x02\x03");
    repo.fsck();
    assert_eq!(repo.rev("HEAD"), head_before, "HEAD untouched");
    assert_eq!(repo.git(&["symbolic-ref", "HEAD"]).trim(), "refs/heads/main");
    assert_eq!(repo.git(&["status", "--porcelain"]), status_before, "working tree and index untouched");
    assert!(!repo.path.join("apps").exists(), "nothing written to the working tree");
}

#[test]
fn issue_4_row_2_rerun_without_changes_is_none() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    let tip = repo.rev("amplication");
    let (code, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(code, 0);
    assert_eq!(outcome(&json), "none");
    assert_eq!(repo.rev("amplication"), tip, "branch untouched");
    repo.ampsync()
        .args(["sync", "--provider", "local", "--build-id", "b3"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("outcome: none: nothing to commit; `amplication` is unchanged"));
}

#[test]
fn issue_4_row_3_one_field_changes_only_the_files_it_touches() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    add_field(&repo, "Order", "          - name: note\n            type: MultiLineText\n");
    repo.commit_all("Add Order.note");
    let (code, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(code, 0);
    assert_eq!(outcome(&json), "created");
    assert_eq!(repo.changed("amplication"), [".amplication/lock.json", BASE]);
    assert_eq!(repo.count("main..amplication"), 1);
    assert!(repo.show("amplication", BASE).contains("  note: MultiLineText;\n"));
    assert!(repo.message("amplication").starts_with("Add Order.note\n"), "title from the manifest commit");
    assert_eq!(r0(&json)["services"]["shop"]["changed"], 1);
}

/// Merges the sync branch into main with a merge commit and deletes it.
fn merge_and_delete(repo: &TestRepo) {
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge amplication", "amplication"]);
    repo.git(&["branch", "-q", "-D", "amplication"]);
}

#[test]
fn issue_4_row_4_hand_edits_on_main_survive_a_new_field() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    let wrapper = repo.show("main", WRAPPER).replace(
        "// Custom code for Order goes here.\n",
        "// Custom code for Order goes here.\nexport const discount = 0.1;\n",
    );
    repo.write(WRAPPER, &wrapper);
    let base =
        repo.show("main", BASE).replace("// Regenerated by ampsync", "// Hand-tuned: keep. Regenerated by ampsync");
    repo.write(BASE, &base);
    repo.commit_all("Tune Order by hand");
    add_field(&repo, "Order", "          - name: note\n            type: MultiLineText\n");
    repo.commit_all("Add Order.note");
    let (code, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(outcome(&json), "created");
    let new_base = repo.show("amplication", BASE);
    assert!(new_base.contains("// Hand-tuned: keep."), "hand edit kept:\n{new_base}");
    assert!(new_base.contains("  note: MultiLineText;\n"), "field added:\n{new_base}");
    assert!(!new_base.contains("<<<<<<<"));
    assert!(repo.show("amplication", WRAPPER).contains("export const discount = 0.1;"));
    assert_eq!(action_of(&json, BASE), "merge-clean");
    assert_eq!(action_of(&json, WRAPPER), "keep-modified");
    assert_eq!(repo.changed("amplication"), [".amplication/lock.json", BASE]);
}

/// Sets up a conflict: the person and the generator both change the field lines of Order.
fn conflicting(policy: &str) -> (TestRepo, Value) {
    let repo =
        repo_with(&MANIFEST.replace("  baseBranch: main\n", &format!("  baseBranch: main\n  conflicts: {policy}\n")));
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    let base = repo.show("main", BASE).replace("  total: DecimalNumber;\n", "  total: number; // hand-typed\n");
    repo.write(BASE, &base);
    repo.commit_all("Type total by hand");
    let manifest = std::fs::read_to_string(repo.path.join("amplication.yaml")).expect("manifest");
    repo.write(
        "amplication.yaml",
        &manifest.replace("name: total\n            type: DecimalNumber", "name: total\n            type: WholeNumber"),
    );
    repo.commit_all("Make total whole");
    let (code, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(code, 0, "{json}");
    (repo, json)
}

#[test]
fn issue_4_row_5_conflict_with_markers() {
    let (repo, json) = conflicting("markers");
    let text = repo.show("amplication", BASE);
    assert!(
        text.contains(
            "<<<<<<< repository\n  total: number; // hand-typed\n=======\n  total: WholeNumber;\n>>>>>>> generated\n"
        ),
        "{text}"
    );
    assert_eq!(action_of(&json, BASE), "conflict");
    assert_eq!(r0(&json)["conflicts"], serde_json::json!([BASE]));
    assert!(repo.message("amplication").contains(&format!("Conflicts to resolve:\n- {BASE}\n")));
    assert!(!repo.exists_at("amplication", &format!(".amplication/conflicts/{BASE}")));
}

#[test]
fn issue_4_row_5_conflict_ours_keeps_the_repository_version_and_a_copy() {
    let (repo, json) = conflicting("ours");
    assert!(repo.show("amplication", BASE).contains("  total: number; // hand-typed\n"));
    let copy = repo.show("amplication", &format!(".amplication/conflicts/{BASE}"));
    assert!(copy.contains("  total: WholeNumber;\n") && !copy.contains("<<<<<<<"));
    assert_eq!(
        r0(&json)["paths"].as_array().expect("paths").iter().find(|p| p["path"] == BASE).expect("base")["copy"],
        format!(".amplication/conflicts/{BASE}")
    );
    // Resolving by hand (taking the generated line) and syncing again removes the copy.
    repo.git(&["merge", "-q", "--no-ff", "-m", "Merge", "amplication"]);
    repo.git(&["branch", "-q", "-D", "amplication"]);
    repo.write(BASE, &copy);
    repo.commit_all("Take the generated total");
    let (_, json) = repo.sync(&["--build-id", "b3"]);
    assert_eq!(outcome(&json), "created");
    assert!(!repo.exists_at("amplication", &format!(".amplication/conflicts/{BASE}")), "stale copy removed");
}

#[test]
fn issue_4_row_5_conflict_theirs_takes_the_generated_version() {
    let (repo, json) = conflicting("theirs");
    let text = repo.show("amplication", BASE);
    assert!(text.contains("  total: WholeNumber;\n") && !text.contains("hand-typed"), "{text}");
    assert_eq!(action_of(&json, BASE), "conflict");
}

#[test]
fn issue_4_row_6_entity_removed_deletes_its_files_but_keeps_an_edited_one() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    let wrapper = repo.show("main", "apps/shop/src/customer/customer.ts") + "// Customer tweaks\n";
    repo.write("apps/shop/src/customer/customer.ts", &wrapper);
    repo.commit_all("Tweak Customer");
    let manifest = std::fs::read_to_string(repo.path.join("amplication.yaml")).expect("manifest");
    let without = manifest
        .replace("      - name: Customer\n        fields:\n          - name: name\n            type: SingleLineText\n", "")
        .replace("          - name: customer\n            type: Lookup\n            target: Customer\n            inverse: orders\n", "");
    repo.write("amplication.yaml", &without);
    repo.commit_all("Drop Customer");
    let (code, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(code, 0, "{json}");
    assert!(!repo.exists_at("amplication", "apps/shop/src/customer/base/customer.base.ts"), "deleted");
    assert_eq!(action_of(&json, "apps/shop/src/customer/base/customer.base.ts"), "delete");
    assert!(repo.show("amplication", "apps/shop/src/customer/customer.ts").contains("// Customer tweaks"), "kept");
    assert_eq!(action_of(&json, "apps/shop/src/customer/customer.ts"), "orphaned");
    assert_eq!(r0(&json)["services"]["shop"]["removed"], 1);
    let lock: Value = serde_json::from_str(&repo.show("amplication", ".amplication/lock.json")).expect("lock");
    assert!(lock["services"]["shop"]["files"].get("apps/shop/src/customer/customer.ts").is_none());
}

#[test]
fn issue_4_row_7_a_deleted_generated_file_stays_deleted() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    repo.remove("apps/shop/README.md");
    repo.commit_all("We do not want the README");
    add_field(&repo, "Order", "          - name: note\n            type: MultiLineText\n");
    repo.commit_all("Add Order.note");
    let (_, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(outcome(&json), "created");
    assert!(!repo.exists_at("amplication", "apps/shop/README.md"), "deletion kept");
    assert_eq!(action_of(&json, "apps/shop/README.md"), "keep-deleted");
    // When the generator does change it (a new entity is listed), the deletion is a conflict.
    merge_and_delete(&repo);
    let manifest = std::fs::read_to_string(repo.path.join("amplication.yaml")).expect("manifest");
    repo.write(
        "amplication.yaml",
        &(manifest
            + "      - name: Invoice\n        fields:\n          - name: number\n            type: WholeNumber\n"),
    );
    repo.commit_all("Add Invoice");
    let (_, json) = repo.sync(&["--build-id", "b3"]);
    assert_eq!(action_of(&json, "apps/shop/README.md"), "conflict");
    assert!(!repo.exists_at("amplication", "apps/shop/README.md"), "still deleted (markers policy)");
    assert!(repo.show("amplication", ".amplication/conflicts/apps/shop/README.md").contains("- Invoice"));
}

#[test]
fn issue_4_row_8_amplicationignore_with_negation() {
    let repo = repo();
    repo.write(
        ".amplicationignore",
        "# we own these\napps/shop/src/*/base/*.ts\n!apps/shop/src/order/base/order.base.ts\n",
    );
    repo.commit_all("Ignore base files except Order's");
    let (_, json) = repo.sync(&["--build-id", "b1"]);
    let customer_base = "apps/shop/src/customer/base/customer.base.ts";
    assert!(!repo.exists_at("amplication", customer_base), "ignored path never written");
    assert!(repo.exists_at("amplication", &format!(".amplication/ignored/{customer_base}")));
    assert!(repo.exists_at("amplication", BASE), "re-included by `!`");
    assert_eq!(action_of(&json, customer_base), "ignored");
    let lock: Value = serde_json::from_str(&repo.show("amplication", ".amplication/lock.json")).expect("lock");
    assert_eq!(lock["services"]["shop"]["ignored"], serde_json::json!([customer_base]));
    // The team writes its own file at the ignored path: a later build never touches it.
    merge_and_delete(&repo);
    repo.write(customer_base, "// ours\n");
    repo.commit_all("Our own customer base");
    add_field(&repo, "Customer", "          - name: email\n            type: Email\n");
    repo.commit_all("Add Customer.email");
    repo.sync(&["--build-id", "b2"]);
    assert_eq!(repo.show("amplication", customer_base), "// ours\n");
    assert!(repo.show("amplication", &format!(".amplication/ignored/{customer_base}")).contains("email: Email"));
}

/// Row 9: after the sync branch is merged (three ways) and deleted, the next build holds
/// only the new change.
fn merged_then_next_build(merge: impl Fn(&TestRepo)) {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge(&repo);
    repo.git(&["branch", "-q", "-D", "amplication"]);
    assert!(repo.exists_at("main", ".amplication/lock.json"));
    let (_, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(outcome(&json), "none", "nothing new after the merge: {json}");
    add_field(&repo, "Customer", "          - name: email\n            type: Email\n");
    repo.commit_all("Add Customer.email");
    let (_, json) = repo.sync(&["--build-id", "b3"]);
    assert_eq!(outcome(&json), "created");
    assert_eq!(repo.changed("amplication"), [".amplication/lock.json", "apps/shop/src/customer/base/customer.base.ts"]);
    assert_eq!(repo.count("main..amplication"), 1);
}

#[test]
fn issue_4_row_9_merge_commit() {
    merged_then_next_build(|r| {
        r.git(&["merge", "-q", "--no-ff", "-m", "Merge", "amplication"]);
    });
}

#[test]
fn issue_4_row_9_squash() {
    merged_then_next_build(|r| {
        r.git(&["merge", "-q", "--squash", "amplication"]);
        r.git(&["commit", "-q", "-m", "Squashed build (#1)"]);
    });
}

#[test]
fn issue_4_row_9_rebase() {
    merged_then_next_build(|r| {
        r.git(&["checkout", "-q", "-b", "rebased", "amplication"]);
        r.git(&["rebase", "-q", "main"]);
        r.git(&["checkout", "-q", "main"]);
        r.git(&["merge", "-q", "--ff-only", "rebased"]);
        r.git(&["branch", "-q", "-D", "rebased"]);
    });
}

#[test]
fn issue_4_row_9_squash_while_the_branch_lives_on_rebuilds_it() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    repo.git(&["merge", "-q", "--squash", "amplication"]);
    repo.git(&["commit", "-q", "-m", "Squashed build (#1)"]);
    add_field(&repo, "Customer", "          - name: email\n            type: Email\n");
    repo.commit_all("Add Customer.email");
    let (_, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(r0(&json)["start"]["kind"], "rebuild", "only bot commits: rebuilt from main");
    assert_eq!(repo.rev("amplication^"), repo.rev("main"));
    assert_eq!(repo.changed("amplication"), [".amplication/lock.json", "apps/shop/src/customer/base/customer.base.ts"]);
}

#[test]
fn issue_4_row_10_a_persons_commit_on_the_branch_is_kept_and_stacked_on() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    repo.git(&["checkout", "-q", "amplication"]);
    repo.write(WRAPPER, &(repo.show("amplication", WRAPPER) + "// reviewed\n"));
    let person = repo.commit_all("Review fix on the branch");
    repo.git(&["checkout", "-q", "main"]);
    add_field(&repo, "Order", "          - name: note\n            type: MultiLineText\n");
    repo.commit_all("Add Order.note");
    // main moved: the branch lags it and holds a person's commit, so main is merged in first.
    let (code, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(code, 0, "{json}");
    assert_eq!(r0(&json)["start"]["kind"], "merge-base");
    assert!(repo.git_ok(&["merge-base", "--is-ancestor", &person, "amplication"]), "the person's commit is kept");
    assert!(repo.git_ok(&["merge-base", "--is-ancestor", "main", "amplication"]));
    assert!(repo.show("amplication", WRAPPER).ends_with("// reviewed\n"));
    assert!(repo.show("amplication", BASE).contains("note: MultiLineText"));
    // With the branch now containing main, the next build stacks on it.
    add_field(&repo, "Customer", "          - name: email\n            type: Email\n");
    repo.commit_all("Add Customer.email");
    let (_, json) = repo.sync(&["--build-id", "b3"]);
    assert_eq!(r0(&json)["start"]["kind"], "merge-base");
}

#[test]
fn issue_4_row_10_a_conflicting_base_move_blocks_and_leaves_the_branch() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    repo.git(&["checkout", "-q", "amplication"]);
    repo.write(WRAPPER, &repo.show("amplication", WRAPPER).replace("goes here.", "goes here (branch)."));
    repo.commit_all("Branch edit");
    let tip = repo.rev("HEAD");
    repo.git(&["checkout", "-q", "main"]);
    repo.write(WRAPPER, "// main owns this file now\n");
    repo.commit_all("Conflicting edit on main");
    let out = repo.ampsync().args(["sync", "--provider", "local", "--build-id", "b2"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(3), "blocked exits 3");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("outcome: blocked") && stdout.contains(WRAPPER), "{stdout}");
    assert_eq!(repo.rev("amplication"), tip, "branch unchanged");
    let (code, json) = repo.sync(&["--build-id", "b3"]);
    assert_eq!((code, outcome(&json)), (3, "blocked"));
    assert_eq!(r0(&json)["blockedPaths"], serde_json::json!([WRAPPER]));
}

#[test]
fn issue_4_row_11_per_build_mode() {
    let repo = repo_with(&MANIFEST.replace("  baseBranch: main\n", "  baseBranch: main\n  branchMode: per-build\n"));
    let (_, json) = repo.sync(&["--build-id", "41"]);
    assert_eq!(outcome(&json), "created");
    assert_eq!(r0(&json)["branch"], "amplication-build-41");
    assert_eq!(repo.rev("amplication-build-41^"), repo.rev("main"));
    add_field(&repo, "Order", "          - name: note\n            type: MultiLineText\n");
    repo.commit_all("Add Order.note");
    let (_, json) = repo.sync(&["--build-id", "42"]);
    assert_eq!(r0(&json)["branch"], "amplication-build-42");
    assert_eq!(repo.rev("amplication-build-42^"), repo.rev("main"), "each build starts from the base");
    assert!(repo.try_rev("amplication-build-41").is_some(), "earlier build branch left alone");
    assert!(repo.try_rev("amplication").is_none());
}

const TWO_SERVICES: &str = "version: 1
project: shop
git:
  provider: local
services:
  - name: catalog
    templates: tools/templates
    entities:
      - name: Product
        fields:
          - { name: title, type: SingleLineText }
  - name: billing
    templates: tools/templates
    directory: services/billing
    entities:
      - name: Invoice
        fields:
          - { name: amount, type: DecimalNumber }
";

#[test]
fn issue_4_row_12_two_services_one_commit_with_a_summary_each() {
    let repo = repo_with(TWO_SERVICES);
    let (_, json) = repo.sync(&["--build-id", "b1"]);
    assert_eq!(outcome(&json), "created");
    assert_eq!(repo.count("main..amplication"), 1);
    let msg = repo.message("amplication");
    assert!(
        msg.contains("- billing: 5 added, 0 changed, 0 removed\n- catalog: 5 added, 0 changed, 0 removed\n"),
        "{msg}"
    );
    assert!(repo.exists_at("amplication", "services/billing/src/invoice/invoice.ts"));
    assert!(repo.exists_at("amplication", "apps/catalog/src/product/product.ts"));
    // A matrix job for one service leaves the other's files and lock entry alone.
    let manifest = TWO_SERVICES
        .replace("{ name: amount, type: DecimalNumber }", "{ name: amount, type: WholeNumber }")
        .replace("{ name: title, type: SingleLineText }", "{ name: title, type: MultiLineText }");
    merge_and_delete(&repo);
    repo.write("amplication.yaml", &manifest);
    repo.commit_all("Change both");
    let (_, json) = repo.sync(&["--build-id", "b2", "--service", "billing"]);
    assert_eq!(outcome(&json), "created");
    assert_eq!(
        repo.changed("amplication"),
        [".amplication/lock.json", "services/billing/src/invoice/base/invoice.base.ts"]
    );
    let lock: Value = serde_json::from_str(&repo.show("amplication", ".amplication/lock.json")).expect("lock");
    assert!(lock["services"]["catalog"]["files"].as_object().is_some_and(|f| f.len() == 5), "catalog kept in the lock");
}

#[test]
fn issue_4_row_13_a_lock_from_an_older_generator_still_converges() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    // A person edits the wrapper; then the generator is upgraded (the templates change the
    // wrapper's header and the base files' banner) and the lock says an older ampsync wrote it.
    repo.write(WRAPPER, &(repo.show("main", WRAPPER) + "// person\n"));
    let lock = repo
        .show("main", ".amplication/lock.json")
        .replace("\"ampsyncVersion\": \"0.1.0\"", "\"ampsyncVersion\": \"0.0.9\"");
    repo.write(".amplication/lock.json", &lock);
    let tpl = "tools/templates/src/{{ entity.kebab }}/{{ entity.kebab }}.ts.jinja";
    repo.write(
        tpl,
        &format!(
            "// generated by the new generator\n{}",
            std::fs::read_to_string(repo.path.join(tpl)).expect("template")
        ),
    );
    repo.commit_all("Upgrade the generator");
    let (code, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!(code, 0, "{json}");
    let wrapper = repo.show("amplication", WRAPPER);
    assert!(
        wrapper.starts_with("// generated by the new generator\n") && wrapper.ends_with("// person\n"),
        "{wrapper}"
    );
    assert_eq!(action_of(&json, WRAPPER), "merge-clean");
    assert_eq!(action_of(&json, "apps/shop/src/customer/customer.ts"), "update");
    let lock: Value = serde_json::from_str(&repo.show("amplication", ".amplication/lock.json")).expect("lock");
    assert_eq!(lock["ampsyncVersion"], env!("CARGO_PKG_VERSION"));
    let (_, json) = repo.sync(&["--build-id", "b3"]);
    assert_eq!(outcome(&json), "none", "converged");
}

#[test]
fn issue_4_row_14_a_damaged_lock_is_a_clear_error_and_nothing_is_written() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    repo.write(".amplication/lock.json", "{ \"schemaVersion\": 1, \"services\": ");
    repo.commit_all("Oops");
    let before = repo.git(&["for-each-ref"]);
    repo.ampsync()
        .args(["sync", "--provider", "local", "--build-id", "b2"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("error: `.amplication/lock.json` is not valid lock JSON: EOF while parsing a value at line 1 column 34; restore it from git history (`git log -- .amplication/lock.json`), or delete it to treat every generated file as new"));
    assert_eq!(repo.git(&["for-each-ref"]), before, "no ref moved");
    repo.write(
        ".amplication/lock.json",
        &repo
            .show("main~1", ".amplication/lock.json")
            .replace("\"files\": {", "\"files\": { \"../escape\": \"0000000000000000000000000000000000000000\","),
    );
    repo.commit_all("Worse");
    repo.ampsync()
        .args(["sync", "--provider", "local"])
        .assert()
        .code(1)
        .stderr(predicates::str::contains("service `shop`: `../escape` is not a repository path"));
}

#[test]
fn adopting_an_existing_codebase_conflicts_with_an_empty_base() {
    let repo = repo();
    repo.write(WRAPPER, "// our own Order, written before ampsync\nexport class Order {}\n");
    repo.commit_all("Existing code");
    let (_, json) = repo.sync(&["--build-id", "b1"]);
    assert_eq!(action_of(&json, WRAPPER), "conflict");
    let text = repo.show("amplication", WRAPPER);
    assert!(text.starts_with("<<<<<<< repository\n// our own Order"), "{text}");
    assert_eq!(action_of(&json, BASE), "add");
}

#[test]
fn a_lost_previous_blob_falls_back_to_the_conflict_policy() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    repo.write(WRAPPER, &(repo.show("main", WRAPPER) + "// person\n"));
    // The lock points at a pristine blob the repository does not have (a lost object).
    let lock = repo.show("main", ".amplication/lock.json");
    let id = repo.rev(&format!("main:{WRAPPER}"));
    repo.write(".amplication/lock.json", &lock.replace(&id, "1234567890123456789012345678901234567890"));
    let tpl = "tools/templates/src/{{ entity.kebab }}/{{ entity.kebab }}.ts.jinja";
    repo.write(tpl, &format!("// v2\n{}", std::fs::read_to_string(repo.path.join(tpl)).expect("template")));
    repo.commit_all("Lost object");
    let (_, json) = repo.sync(&["--build-id", "b2"]);
    let plan =
        r0(&json)["paths"].as_array().expect("paths").iter().find(|p| p["path"] == WRAPPER).expect("wrapper").clone();
    assert_eq!(plan["action"], "conflict");
    assert_eq!(
        plan["reason"],
        "the previous generated content is not in the repository, so the conflict policy applies"
    );
}

#[test]
fn binary_files_changed_on_both_sides_keep_ours_and_a_copy() {
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    std::fs::write(repo.path.join("apps/shop/static/logo.bin"), b"OURS\0").expect("write");
    std::fs::write(repo.path.join("tools/templates/static/logo.bin"), b"NEW\0").expect("write");
    repo.commit_all("Both change the logo");
    let (_, json) = repo.sync(&["--build-id", "b2"]);
    let plan = r0(&json)["paths"]
        .as_array()
        .expect("paths")
        .iter()
        .find(|p| p["path"] == "apps/shop/static/logo.bin")
        .expect("logo")
        .clone();
    assert_eq!(plan["action"], "conflict");
    assert_eq!(plan["resolution"], "ours");
    assert_eq!(repo.show("amplication", "apps/shop/static/logo.bin").as_bytes(), b"OURS\0");
    assert_eq!(repo.show("amplication", ".amplication/conflicts/apps/shop/static/logo.bin").as_bytes(), b"NEW\0");
}

#[test]
fn dry_run_and_plan_write_nothing() {
    let repo = repo();
    let objects_before = repo.git(&["count-objects"]);
    let (code, json) = repo.sync(&["--dry-run", "--build-id", "b1"]);
    assert_eq!(code, 0);
    assert_eq!(outcome(&json), "created");
    assert_eq!(r0(&json)["dryRun"], true);
    assert!(repo.try_rev("amplication").is_none());
    let out = repo.ampsync().args(["plan", "--provider", "local", "--json"]).output().expect("runs");
    let plan: Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    assert_eq!(plan["services"], serde_json::json!(["shop"]));
    assert_eq!(actions(&plan).len(), 7);
    assert!(actions(&plan).iter().all(|(_, a)| a == "add"));
    assert!(repo.try_rev("amplication").is_none());
    assert_eq!(repo.git(&["count-objects"]), objects_before, "no objects written");
    repo.ampsync().args(["plan", "--provider", "local"]).assert().code(0).stdout(
        predicates::str::contains(format!("add            {BASE}")).and(predicates::str::contains("shop: 7 added")),
    );
}

#[test]
fn builds_lists_past_builds_with_their_links() {
    let repo = repo();
    repo.sync(&["--build-id", "b1", "--build-url", "https://ci.example/1"]);
    merge_and_delete(&repo);
    add_field(&repo, "Order", "          - name: note\n            type: MultiLineText\n");
    repo.commit_all("Add Order.note");
    repo.sync(&["--build-id", "b2"]);
    let out = repo.ampsync().args(["builds", "--json"]).output().expect("runs");
    let builds: Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let ids: Vec<&str> = builds.as_array().expect("list").iter().map(|b| b["id"].as_str().expect("id")).collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.contains(&"b1") && ids.contains(&"b2"));
    let b1 = builds.as_array().expect("list").iter().find(|b| b["id"] == "b1").expect("b1");
    assert_eq!(b1["url"], "https://ci.example/1");
    assert_eq!(b1["branch"], "main");
    repo.ampsync().arg("builds").assert().code(0).stdout(predicates::str::contains("https://ci.example/1"));
}

#[test]
fn the_walkthrough_with_the_built_in_generator() {
    // The README walkthrough: init, sync, merge, edit a generated file, change the manifest,
    // sync again, the edit is kept.
    let repo = TestRepo::new(&[]);
    repo.ampsync().args(["init", "--name", "bookshop"]).assert().code(0);
    repo.commit_all("Start with ampsync");
    repo.ampsync().args(["sync", "--provider", "local"]).assert().code(0);
    merge_and_delete(&repo);
    let readme = "apps/bookshop/README.md";
    repo.write(readme, &(repo.show("main", readme) + "\nTeam notes: deploy on Fridays.\n"));
    repo.commit_all("Team notes");
    let manifest = std::fs::read_to_string(repo.path.join("amplication.yaml")).expect("manifest");
    repo.write(
        "amplication.yaml",
        &(manifest
            + "      - name: Invoice\n        fields:\n          - name: number\n            type: WholeNumber\n"),
    );
    repo.commit_all("Add Invoice");
    let (code, json) = repo.sync(&[]);
    assert_eq!(code, 0, "{json}");
    let text = repo.show("amplication", readme);
    assert!(text.contains("Team notes: deploy on Fridays.") && text.contains("Invoice"), "{text}");
}

#[test]
fn works_without_any_git_identity_configured() {
    // A container or a bare CI machine: no HOME config, no system config, no GIT_* identity.
    let repo =
        TestRepo::new(&[("amplication.yaml", &std::fs::read_to_string(support::example_manifest()).expect("example"))]);
    let home = support::tempdir();
    let out = repo
        .ampsync()
        .env_clear()
        .env("HOME", home.path())
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .args(["sync", "--provider", "local", "--build-id", "no-identity"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!repo.git(&["rev-parse", "amplication"]).is_empty());
    repo.fsck();
}

fn unchanged_inputs(json: &Value) -> Vec<String> {
    r0(json)["unchangedInputs"]
        .as_array()
        .map(|a| a.iter().map(|s| s.as_str().expect("a name").to_string()).collect())
        .unwrap_or_default()
}

#[test]
fn unchanged_inputs_reuse_the_lock_instead_of_generating() {
    let repo = repo();
    let (_, json) = repo.sync(&["--build-id", "b1"]);
    assert!(unchanged_inputs(&json).is_empty(), "no lock yet: generated");
    let lock: Value = serde_json::from_str(&repo.show("amplication", ".amplication/lock.json")).expect("lock");
    let digest = lock["services"]["shop"]["inputs"].as_str().expect("inputs digest").to_string();
    assert!(digest.starts_with("sha256:") && digest.len() == 7 + 64, "{digest}");
    let tip = repo.rev("amplication");

    // Same inputs: not generated, nothing to do.
    let (code, json) = repo.sync(&["--build-id", "b2"]);
    assert_eq!((code, outcome(&json)), (0, "none"));
    assert_eq!(repo.rev("amplication"), tip, "branch untouched");
    assert_eq!(unchanged_inputs(&json), ["shop"]);

    // A manifest edit that no generator reads (a comment, git settings) keeps the inputs.
    merge_and_delete(&repo);
    let manifest = std::fs::read_to_string(repo.path.join("amplication.yaml")).expect("manifest");
    repo.write(
        "amplication.yaml",
        &manifest.replace("  baseBranch: main\n", "  baseBranch: main\n  conflicts: ours\n# note\n"),
    );
    repo.commit_all("Conflict policy");
    let (_, json) = repo.sync(&["--build-id", "b3", "--label", "generated"]);
    assert_eq!(outcome(&json), "none");
    assert_eq!(unchanged_inputs(&json), ["shop"]);
    assert!(repo.try_rev("amplication").is_none(), "no branch made");

    // A template edited on disk changes the inputs: generated again, the change committed.
    let tpl = repo.path.join("tools/templates/README.md.jinja");
    let text = std::fs::read_to_string(&tpl).expect("template");
    std::fs::write(&tpl, format!("{text}Edited.\n")).expect("write");
    let (_, json) = repo.sync(&["--build-id", "b4"]);
    assert!(unchanged_inputs(&json).is_empty(), "{json}");
    assert_eq!(outcome(&json), "created");
    assert_eq!(repo.changed("amplication"), [".amplication/lock.json", "apps/shop/README.md"]);
    assert!(repo.show("amplication", "apps/shop/README.md").ends_with("Edited.\n"));
    let lock: Value = serde_json::from_str(&repo.show("amplication", ".amplication/lock.json")).expect("lock");
    assert_ne!(lock["services"]["shop"]["inputs"], digest.as_str(), "the new digest is recorded");

    // A model change too.
    add_field(&repo, "Customer", "          - name: email\n            type: Email\n");
    repo.commit_all("Add Customer.email");
    let (_, json) = repo.sync(&["--build-id", "b5"]);
    assert!(unchanged_inputs(&json).is_empty());
    assert!(repo.show("amplication", "apps/shop/src/customer/base/customer.base.ts").contains("email: Email"));
    repo.fsck();
}

#[test]
fn a_reused_lock_gives_the_same_plan_as_generating() {
    // After a person's edits and deletions, the plan from the lock equals the plan from
    // generating: the digest is an optimisation, never a change of behaviour.
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    repo.write(WRAPPER, &(repo.show("main", WRAPPER) + "// person\n"));
    repo.git(&["rm", "-q", "apps/shop/src/customer/customer.ts"]);
    repo.commit_all("Edit a wrapper, delete another");
    let (_, reused) = repo.sync(&["--dry-run", "--build-id", "b2"]);
    assert_eq!(unchanged_inputs(&reused), ["shop"]);
    let lock = repo.show("main", ".amplication/lock.json");
    let without: String = lock.lines().filter(|l| !l.contains("\"inputs\"")).map(|l| format!("{l}\n")).collect();
    assert_ne!(lock, without);
    repo.write(".amplication/lock.json", &without);
    repo.commit_all("A lock without input digests (as an older ampsync wrote it)");
    let (_, generated) = repo.sync(&["--dry-run", "--build-id", "b2"]);
    assert!(unchanged_inputs(&generated).is_empty());
    assert_eq!(actions(&reused), actions(&generated));
    assert_eq!(action_of(&generated, WRAPPER), "keep-modified");
    assert_eq!(outcome(&generated), "none", "a lock without digests is not rewritten just to add them");
}

#[test]
fn an_ignored_path_is_always_generated() {
    // `.amplicationignore` added after a build: the ignored file's generated version is
    // needed for `.amplication/ignored/`, so the lock alone is not enough.
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    repo.write(".amplicationignore", "apps/shop/README.md\n");
    repo.commit_all("Ignore the README");
    let (_, json) = repo.sync(&["--build-id", "b2"]);
    assert!(unchanged_inputs(&json).is_empty());
    assert_eq!(action_of(&json, "apps/shop/README.md"), "ignored");
    assert_eq!(
        repo.show("amplication", ".amplication/ignored/apps/shop/README.md"),
        repo.show("main", "apps/shop/README.md")
    );
    merge_and_delete(&repo);
    let (_, json) = repo.sync(&["--build-id", "b3"]);
    assert!(unchanged_inputs(&json).is_empty(), "the lock lists an ignored path");
    assert_eq!(outcome(&json), "none");
}

#[test]
fn a_lock_edited_by_hand_is_not_trusted_to_skip_generation() {
    // The seal binds the inputs digest to the files: a lock whose ids were edited (by hand,
    // or by a git merge of two locks) is generated against, which repairs the file.
    let repo = repo();
    repo.sync(&["--build-id", "b1"]);
    merge_and_delete(&repo);
    let lock = repo.show("main", ".amplication/lock.json");
    let base_id = repo.git(&["rev-parse", &format!("main:{BASE}")]);
    let wrapper_id = repo.git(&["rev-parse", &format!("main:{WRAPPER}")]);
    assert!(lock.contains(base_id.trim()));
    repo.write(".amplication/lock.json", &lock.replace(base_id.trim(), wrapper_id.trim()));
    repo.write(BASE, "// broken by hand\n");
    repo.commit_all("Edit the lock and a base file by hand");
    let (_, json) = repo.sync(&["--build-id", "b2"]);
    assert!(unchanged_inputs(&json).is_empty(), "{json}");
    // The edited lock says the base file was generated with the wrapper's content; the file
    // differs from that and from the generator's version: a three-way merge, which collides.
    assert_eq!(action_of(&json, BASE), "conflict", "{json}");
    assert!(repo.show("amplication", BASE).contains("// broken by hand"), "the hand edit is kept in the merge");
    let lock: Value = serde_json::from_str(&repo.show("amplication", ".amplication/lock.json")).expect("lock");
    assert_eq!(lock["services"]["shop"]["files"][BASE], base_id.trim(), "the lock is repaired");
    assert_eq!(lock["schemaVersion"], 2);
}
