//! The CLI as a user runs it: the built binary, its exit codes, stdout and stderr.

use predicates::prelude::*;

use crate::support::{self, ampsync};

const SUBCOMMANDS: &[&str] = &["validate", "schema", "init", "generate", "plan", "sync", "builds", "action"];

#[test]
fn every_command_has_help_with_an_example() {
    ampsync().arg("--help").assert().success().stdout(predicate::str::contains("Examples:"));
    for cmd in SUBCOMMANDS {
        let out = ampsync().args([cmd, "--help"]).assert().success().get_output().stdout.clone();
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains("Example"), "`ampsync {cmd} --help` shows an example:\n{text}");
        assert!(text.contains("--manifest"), "`{cmd}` takes the global --manifest");
    }
}

#[test]
fn version_flag() {
    ampsync().arg("--version").assert().success().stdout(format!("ampsync {}\n", env!("CARGO_PKG_VERSION")));
}

#[test]
fn validate_the_example() {
    ampsync()
        .current_dir(support::root())
        .args(["validate", "--manifest", "examples/shop/amplication.yaml"])
        .assert()
        .code(0)
        .stdout("examples/shop/amplication.yaml: valid: 1 service, 7 entities, 71 fields\n")
        .stderr("");
}

#[test]
fn validate_reads_the_manifest_from_the_environment() {
    ampsync()
        .current_dir(support::root())
        .env("AMPSYNC_MANIFEST", "examples/shop/amplication.yaml")
        .args(["validate", "--json"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains(r#""valid": true"#).and(predicate::str::contains(r#""entities": 7"#)));
}

#[test]
fn quiet_validate_prints_nothing() {
    ampsync()
        .current_dir(support::root())
        .args(["-q", "validate", "--manifest", "examples/shop/amplication.yaml"])
        .assert()
        .code(0)
        .stdout("");
}

const BROKEN: &str = "version: 1
project: shop
services:
  - name: catalog
    entities:
      - name: Product
        fields:
          - nmae: title
            type: SingleLineText
          - name: price
            type: Decimal
";

#[test]
fn validate_reports_every_error_with_file_line_and_column() {
    let dir = support::tempdir();
    support::write(dir.path(), "amplication.yaml", BROKEN);
    ampsync().current_dir(dir.path()).args(["validate", "--color", "never"]).assert().code(2).stdout("").stderr(
        "amplication.yaml:8:13: error: unknown key `nmae` in a field
  help: did you mean `name`?
amplication.yaml:11:19: error: unknown field type `Decimal`
  help: did you mean `DecimalNumber`? (field types use Amplication's names)
2 errors in amplication.yaml
",
    );
}

#[test]
fn validate_json_lists_errors() {
    let dir = support::tempdir();
    support::write(dir.path(), "amplication.yaml", BROKEN);
    let out =
        ampsync().current_dir(dir.path()).args(["validate", "--json"]).assert().code(2).get_output().stdout.clone();
    let v: serde_json::Value = serde_json::from_slice(&out).expect("JSON");
    assert_eq!(v["valid"], false);
    assert_eq!(v["errors"].as_array().expect("errors").len(), 2);
    assert_eq!(v["errors"][1]["line"], 11);
    assert_eq!(v["errors"][1]["column"], 19);
    assert_eq!(v["errors"][1]["hint"], "did you mean `DecimalNumber`? (field types use Amplication's names)");
}

#[test]
fn color_is_used_only_when_asked_and_never_with_no_color() {
    let dir = support::tempdir();
    support::write(dir.path(), "amplication.yaml", BROKEN);
    let always = ampsync()
        .current_dir(dir.path())
        .args(["validate", "--color", "always"])
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(always.contains(&0x1b), "--color always colours");
    let auto = ampsync()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .arg("validate")
        .assert()
        .code(2)
        .get_output()
        .stderr
        .clone();
    assert!(!auto.contains(&0x1b), "NO_COLOR disables colour");
}

#[test]
fn a_missing_manifest_says_how_to_start() {
    let dir = support::tempdir();
    ampsync().current_dir(dir.path()).arg("validate").assert().code(1).stderr(
        "error: no manifest at `amplication.yaml`; run `ampsync init` to create one, or pass `--manifest PATH`\n",
    );
}

#[test]
fn usage_errors_exit_2() {
    ampsync().arg("frobnicate").assert().code(2);
    ampsync().args(["validate", "--json", "--resolved"]).assert().code(2);
}

#[test]
fn resolved_manifest_is_yaml_with_defaults() {
    let out = ampsync()
        .current_dir(support::root())
        .args(["validate", "--resolved", "--manifest", "examples/shop/amplication.yaml"])
        .assert()
        .code(0)
        .get_output()
        .stdout
        .clone();
    let v: serde_yaml::Value = serde_yaml::from_slice(&out).expect("YAML");
    assert_eq!(v["services"][0]["entities"][0]["fields"][0]["name"], "id");
    assert_eq!(v["services"][0]["git"]["branch"], "amplication");
}

#[test]
fn schema_prints_the_committed_schema() {
    let committed = std::fs::read_to_string(support::root().join("schema/amplication.schema.json")).expect("committed");
    ampsync().arg("schema").assert().code(0).stdout(committed);
}

#[test]
fn init_writes_a_valid_manifest_and_a_workflow_and_refuses_to_overwrite() {
    let dir = support::tempdir();
    ampsync()
        .current_dir(dir.path())
        .args(["init", "--name", "bookshop"])
        .assert()
        .code(0)
        .stdout(predicate::str::contains("wrote").and(predicate::str::contains("amplication.yaml")));
    let manifest = std::fs::read_to_string(dir.path().join("amplication.yaml")).expect("manifest written");
    assert!(manifest.contains("project: bookshop"));
    assert!(manifest.lines().filter(|l| l.trim_start().starts_with('#')).count() >= 5, "the starter is commented");
    let workflow = std::fs::read_to_string(dir.path().join(".github/workflows/ampsync.yml")).expect("workflow written");
    let wf: serde_yaml::Value = serde_yaml::from_str(&workflow).expect("the workflow is YAML");
    assert_eq!(wf["permissions"]["contents"], "write");
    assert_eq!(wf["permissions"]["pull-requests"], "write");
    assert!(wf["on"]["schedule"][0]["cron"].is_string(), "a cron schedule");
    assert_eq!(wf["on"]["push"]["paths"][0], "amplication.yaml");
    ampsync()
        .current_dir(dir.path())
        .arg("validate")
        .assert()
        .code(0)
        .stdout("amplication.yaml: valid: 1 service, 2 entities, 12 fields\n");
    ampsync()
        .current_dir(dir.path())
        .arg("init")
        .assert()
        .code(1)
        .stderr(predicate::str::contains("already exist").and(predicate::str::contains("--force")));
    std::fs::write(dir.path().join("amplication.yaml"), "changed").expect("edit");
    ampsync().current_dir(dir.path()).args(["init", "--name", "bookshop", "--force"]).assert().code(0);
    assert!(std::fs::read_to_string(dir.path().join("amplication.yaml")).expect("read").contains("project: bookshop"));
}

#[test]
fn init_rejects_a_bad_name() {
    let dir = support::tempdir();
    ampsync().current_dir(dir.path()).args(["init", "--name", "My Shop"]).assert().code(1).stderr(
        predicate::str::contains("`My Shop` is not a kebab-case project name; pass `--name`, e.g. `--name my-shop`"),
    );
    assert!(!dir.path().join("amplication.yaml").exists());
}

/// The fenced blocks of README.md with the given info string.
fn readme_blocks(lang: &str) -> Vec<String> {
    let readme = std::fs::read_to_string(support::root().join("README.md")).expect("README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match &mut current {
            None if line.trim() == format!("```{lang}") => current = Some(String::new()),
            Some(block) if line.trim() == "```" => {
                blocks.push(std::mem::take(block));
                current = None;
            }
            Some(block) => {
                block.push_str(line);
                block.push('\n');
            }
            None => {}
        }
    }
    blocks
}

#[test]
fn readme_manifest_reference_example_is_valid() {
    let example =
        readme_blocks("yaml").into_iter().find(|b| b.starts_with("version: 1")).expect("the reference example");
    let dir = support::tempdir();
    support::write(dir.path(), "amplication.yaml", &example);
    ampsync().current_dir(dir.path()).arg("validate").assert().code(0);
}

#[test]
fn readme_workflow_matches_what_init_writes() {
    let workflow = readme_blocks("yaml").into_iter().find(|b| b.starts_with("name: ampsync")).expect("workflow block");
    let dir = support::tempdir();
    ampsync().current_dir(dir.path()).args(["init", "--name", "shop"]).assert().code(0);
    let written = std::fs::read_to_string(dir.path().join(".github/workflows/ampsync.yml")).expect("workflow");
    let a: serde_yaml::Value = serde_yaml::from_str(&workflow).expect("README workflow is YAML");
    let b: serde_yaml::Value = serde_yaml::from_str(&written).expect("written workflow is YAML");
    assert_eq!(a["on"], b["on"]);
    assert_eq!(a["permissions"], b["permissions"]);
    assert_eq!(a["jobs"]["sync"]["steps"], b["jobs"]["sync"]["steps"]);
}

#[test]
fn readme_commands_exist() {
    let commands = readme_blocks("sh").join("");
    for script in ["scripts/demo.sh", "scripts/test.sh"] {
        assert!(commands.contains(script), "README names {script}");
        let path = support::root().join(script);
        let mode = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(&path).expect("exists").permissions());
        assert!(mode & 0o111 != 0, "{script} is executable");
    }
}

#[test]
fn readme_walkthrough_runs_verbatim() {
    let script = readme_blocks("sh").into_iter().find(|b| b.starts_with("mkdir shop")).expect("the walkthrough block");
    let dir = support::tempdir();
    let bin = assert_cmd::cargo::cargo_bin("ampsync");
    let path = format!("{}:{}", bin.parent().expect("bin dir").display(), std::env::var("PATH").unwrap_or_default());
    let out = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "-c", &script])
        .current_dir(dir.path())
        .env("PATH", path)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .env_remove("AMPSYNC_MANIFEST")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "the walkthrough failed:\n{stdout}\n{stderr}");
    assert!(stdout.contains("outcome: created"), "{stdout}");
    assert!(stdout.contains("Add Invoice"), "the second build takes its title from the manifest commit:\n{stdout}");
    assert!(stdout.contains("Team notes: deploy on Fridays."), "the hand edit survived:\n{stdout}");
}
