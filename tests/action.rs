//! `ampsync action` as the runner starts it: `INPUT_*` and `GITHUB_*` in the environment,
//! the output and summary files, workflow commands on stdout. The container itself is
//! exercised by scripts/container-test.sh (podman); the runs against GitHub (the emulator
//! behind the contract proxy) are in `action_github` below.

use std::collections::BTreeMap;
use std::path::Path;

use ampsync::action::{INPUTS, OUTPUTS, workflow};

use crate::support::{self, ampsync};

fn action_yml() -> serde_yaml::Value {
    let text = std::fs::read_to_string(support::root().join("action.yml")).expect("action.yml");
    serde_yaml::from_str(&text).expect("action.yml is YAML")
}

fn keys(v: &serde_yaml::Value, section: &str) -> Vec<String> {
    v[section].as_mapping().expect(section).keys().map(|k| k.as_str().expect("string key").to_string()).collect()
}

#[test]
fn action_yml_declares_exactly_the_inputs_and_outputs_of_the_code() {
    let yml = action_yml();
    assert_eq!(keys(&yml, "inputs"), INPUTS, "action.yml inputs vs ampsync::action::INPUTS (same order)");
    assert_eq!(keys(&yml, "outputs"), OUTPUTS, "action.yml outputs vs ampsync::action::OUTPUTS (same order)");
    for (name, input) in yml["inputs"].as_mapping().expect("inputs") {
        assert!(input["description"].as_str().is_some_and(|d| d.len() > 10), "input {name:?} has a description");
        assert_eq!(input["required"].as_bool(), Some(false), "input {name:?}: every input is optional");
    }
    assert_eq!(yml["inputs"]["token"]["default"].as_str(), Some("${{ github.token }}"));
    assert_eq!(yml["runs"]["using"].as_str(), Some("docker"));
    assert_eq!(yml["runs"]["args"][0].as_str(), Some("action"));
}

struct Run {
    code: i32,
    stdout: String,
    outputs: BTreeMap<String, String>,
    summary: String,
}

fn run_action(workspace: &Path, env: &[(&str, &str)]) -> Run {
    let files = support::tempdir();
    let output = files.path().join("github_output");
    let summary = files.path().join("step_summary");
    let mut cmd = ampsync();
    cmd.current_dir(workspace)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_OUTPUT", &output)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env_remove("GITHUB_API_URL")
        .arg("action");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("runs");
    let read = |p: &Path| std::fs::read_to_string(p).unwrap_or_default();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        outputs: workflow::parse_outputs(&read(&output)).into_iter().collect(),
        summary: read(&summary),
    }
}

/// Two problems: a misspelt type and a misspelt key (the missing `name` it implies is not repeated).
const BROKEN: &str = "version: 1\nproject: shop\nservices:\n  - name: api\n    directory: apps/api\n    entities:\n      - name: Customer\n        fields:\n          - name: email\n            type: Emial\n          - nme: x\n";

#[test]
fn a_broken_manifest_fails_the_step_with_one_annotation_per_problem() {
    let ws = support::tempdir();
    support::write(ws.path(), "amplication.yaml", BROKEN);
    let run = run_action(ws.path(), &[("INPUT_TOKEN", "ghs_secretvalue1234")]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    let annotations: Vec<&str> = run.stdout.lines().filter(|l| l.starts_with("::error ")).collect();
    assert_eq!(annotations.len(), 2, "one per problem:\n{}", run.stdout);
    assert!(
        annotations[0].starts_with("::error file=amplication.yaml,line=10,col=19,title=ampsync%3A invalid manifest::"),
        "{}",
        annotations[0]
    );
    assert!(annotations[0].contains("did you mean `Email`?"), "{}", annotations[0]);
    assert!(annotations.iter().any(|a| a.contains("line=11,col=13")), "the unknown key `nme`:\n{}", run.stdout);
    assert!(run.stdout.contains("::group::Validate amplication.yaml"));
    assert!(run.summary.contains("## ampsync: invalid manifest"), "{}", run.summary);
    assert!(run.summary.contains("| 10 | 19 |"), "{}", run.summary);
    assert!(run.outputs.is_empty(), "no outputs for a failed step: {:?}", run.outputs);
    // The token is masked first thing and appears nowhere else.
    assert_eq!(run.stdout.lines().next(), Some("::add-mask::ghs_secretvalue1234"));
    assert_eq!(run.stdout.matches("ghs_secretvalue1234").count(), 1, "{}", run.stdout);
    assert!(!run.summary.contains("ghs_secretvalue1234"));
}

#[test]
fn bad_inputs_and_a_missing_manifest_are_clear_errors() {
    let ws = support::tempdir();
    let run = run_action(ws.path(), &[("INPUT_BRANCH-MODE", "sometimes")]);
    assert_eq!(run.code, 2, "{}", run.stdout);
    assert!(
        run.stdout.contains(
            "::error title=ampsync%3A bad input::input `branch-mode`: expected one of: accumulate, per-build"
        ),
        "{}",
        run.stdout
    );

    let run = run_action(ws.path(), &[("INPUT_MANIFEST", "services/amplication.yaml")]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(run.stdout.contains("no manifest at `services/amplication.yaml` in the workspace"), "{}", run.stdout);
    assert!(run.summary.contains("## ampsync: failed"), "{}", run.summary);
}

#[test]
fn example_workflows_use_only_declared_inputs_and_outputs() {
    let dir = support::root().join("examples/workflows");
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("examples/workflows") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let wf: serde_yaml::Value =
            serde_yaml::from_str(&text).unwrap_or_else(|e| panic!("{} is YAML: {e}", path.display()));
        let jobs = wf["jobs"].as_mapping().unwrap_or_else(|| panic!("{} has jobs", path.display()));
        for (_, job) in jobs {
            for step in job["steps"].as_sequence().into_iter().flatten() {
                if !step["uses"].as_str().is_some_and(|u| u.starts_with("ampsync/ampsync@")) {
                    continue;
                }
                checked += 1;
                for (key, _) in step["with"].as_mapping().into_iter().flatten() {
                    let key = key.as_str().expect("string key");
                    assert!(INPUTS.contains(&key), "{}: `with: {key}` is not an input of action.yml", path.display());
                }
            }
        }
        for used in text.split("steps.ampsync.outputs.").skip(1) {
            let name: String = used.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '-').collect();
            assert!(OUTPUTS.contains(&name.as_str()), "{}: output `{name}` is not declared", path.display());
        }
    }
    assert!(checked >= 5, "every example uses the action ({checked} steps checked)");
}

mod action_github {
    //! The action against GitHub (the emulator behind the contract proxy).

    use super::*;
    use crate::support::github::{GhWorld, MANIFEST, TOKEN};

    fn run_in(w: &GhWorld, run_id: &str, extra: &[(&str, &str)]) -> Run {
        let mut env = vec![
            ("INPUT_TOKEN", TOKEN),
            ("GITHUB_API_URL", w.api.as_str()),
            ("GITHUB_REPOSITORY", "acme/shop"),
            ("GITHUB_RUN_ID", run_id),
            ("GITHUB_RUN_ATTEMPT", "1"),
            ("GITHUB_SERVER_URL", "https://github.example"),
            ("GITHUB_EVENT_NAME", "push"),
            ("AMPSYNC_GITHUB_MAX_WAIT", "10"),
        ];
        env.extend_from_slice(extra);
        run_action(&w.checkout.path, &env)
    }

    #[test]
    fn first_run_opens_the_pull_request_and_writes_every_output_then_none() {
        let w = GhWorld::new(MANIFEST);
        let run = run_in(&w, "9001", &[("INPUT_LABELS", "ampsync, ci")]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        let names: Vec<&str> = run.outputs.keys().map(String::as_str).collect();
        let mut declared = OUTPUTS.to_vec();
        declared.sort_unstable();
        assert_eq!(names, declared, "every output written once");
        assert_eq!(run.outputs["operation"], "created");
        assert_eq!(run.outputs["branch"], "amplication");
        assert_eq!(run.outputs["build-id"], "9001-1");
        assert_eq!(run.outputs["conflicts"], "0");
        let commit = &run.outputs["commit-sha"];
        assert_eq!(w.gh_rev("refs/heads/amplication").as_ref(), Some(commit));
        let number: u64 = run.outputs["pull-request-number"].parse().expect("a PR number");
        assert!(run.outputs["pull-request-url"].ends_with(&format!("/pull/{number}")), "{:?}", run.outputs);
        let added: usize = run.outputs["files-added"].parse().expect("a count");
        assert!(added > 3, "{:?}", run.outputs);
        let pulls = w.pulls("open");
        assert_eq!(pulls.len(), 1);
        let labels: Vec<&str> =
            pulls[0]["labels"].as_array().expect("labels").iter().filter_map(|l| l["name"].as_str()).collect();
        assert_eq!(labels, ["ampsync", "ci"], "the input replaces the manifest's labels");
        let message = w.gh(&["log", "-1", "--format=%B", "refs/heads/amplication"]);
        assert!(message.contains("Amplication-Build: 9001-1"), "{message}");
        assert!(message.contains("https://github.example/acme/shop/actions/runs/9001/attempts/1"), "{message}");
        assert!(run.summary.contains("## ampsync: created"), "{}", run.summary);
        assert!(run.summary.contains(&format!("[#{number}]")), "{}", run.summary);
        assert!(run.summary.contains("| shop |"), "{}", run.summary);
        assert!(run.stdout.contains("::group::Validate amplication.yaml") && run.stdout.contains("::group::Sync"));
        assert_eq!(run.stdout.matches(TOKEN).count(), 1, "only the mask line names the token:\n{}", run.stdout);
        assert!(!run.summary.contains(TOKEN));

        let again = run_in(&w, "9002", &[("INPUT_LABELS", "ampsync, ci")]);
        assert_eq!(again.code, 0, "{}", again.stdout);
        assert_eq!(again.outputs["operation"], "none");
        assert_eq!(w.gh_rev("refs/heads/amplication").as_ref(), Some(commit), "no new commit");
        assert_eq!(w.pulls("open").len(), 1, "no second pull request");
        w.finish();
    }

    #[test]
    fn with_a_github_app_the_key_and_the_installation_token_are_masked() {
        use github_emulator::{Permissions, RepoAccess, test_keys};
        let w = GhWorld::new(MANIFEST);
        w.emu.add_app(4242, test_keys::PUBLIC_KEY_PEM).expect("app");
        w.emu.add_installation(77, 4242, "acme", RepoAccess::all(), Permissions::all()).expect("installation");
        let pem = test_keys::PRIVATE_KEY_PEM;
        let mut run = run_in(&w, "9200", &[("INPUT_APP-ID", "4242"), ("INPUT_APP-PRIVATE-KEY", pem)]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert_eq!(run.outputs["operation"], "created");
        let masks: Vec<&str> = run.stdout.lines().filter_map(|l| l.strip_prefix("::add-mask::")).collect();
        let pem_lines: Vec<&str> = pem.lines().map(str::trim).filter(|l| l.len() >= 4).collect();
        assert!(pem_lines.iter().all(|l| masks.contains(l)), "every line of the key is masked");
        let derived: Vec<&&str> = masks.iter().filter(|m| !pem_lines.contains(m) && **m != TOKEN).collect();
        assert_eq!(derived.len(), 1, "the installation token is masked once: {masks:?}");
        let token = derived[0].to_string();
        assert!(token.len() >= 20, "{token}");
        run.stdout = run.stdout.replace(&format!("::add-mask::{token}"), "");
        assert!(!run.stdout.contains(&token) && !run.summary.contains(&token), "the token appears only in its mask");
        assert_eq!(w.pulls("open")[0]["user"]["login"], "app-4242[bot]");
        w.finish();
    }

    #[test]
    fn dry_run_writes_nothing_and_still_reports() {
        let w = GhWorld::new(MANIFEST);
        let run = run_in(&w, "9100", &[("INPUT_DRY-RUN", "true")]);
        assert_eq!(run.code, 0, "{}", run.stdout);
        assert_eq!(run.outputs["commit-sha"], "", "{:?}", run.outputs);
        assert_eq!(w.gh_rev("refs/heads/amplication"), None, "nothing written");
        assert!(w.pulls("open").is_empty());
        assert!(run.summary.contains("Dry run"), "{}", run.summary);
        w.finish();
    }
}
