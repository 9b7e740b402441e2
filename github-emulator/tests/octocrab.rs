//! The emulator as ampsync sees it: octocrab's typed API (and raw routes) against the
//! emulator, through the contract proxy, so both GitHub's schema and octocrab's models
//! accept every response. Also the App flow with `Octocrab::builder().app(..)`.

mod support;

use github_emulator::{Config, Emulator, Fault, FaultAction, Permissions, RepoAccess, TokenKind, test_keys};
use octocrab::Octocrab;
use octocrab::models::repos::Object;
use octocrab::params::repos::Reference;
use serde_json::{Value, json};
use support::{Proxy, git, require_contract_checker};

fn client(base: &str, token: &str) -> Octocrab {
    Octocrab::builder().base_uri(base).unwrap().personal_token(token.to_string()).build().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn octocrab_models_accept_every_response() {
    require_contract_checker();
    let tmp = tempfile::tempdir().unwrap();
    let emu = Emulator::spawn(Config::default()).unwrap();
    emu.add_org("acme", &["alice"]).unwrap();
    emu.add_user("bob").unwrap();
    emu.add_repo("acme", "shop", "main", true, false).unwrap();
    emu.add_repo("acme", "empty", "main", true, true).unwrap();
    emu.add_token("t", "alice", TokenKind::Pat, RepoAccess::all(), Permissions::all()).unwrap();
    emu.add_token("gha", "", TokenKind::Actions, RepoAccess::only(["acme/shop"]), Permissions::actions_default())
        .unwrap();
    let proxy = Proxy::start(&emu.url(), Some("/api/v3"), tmp.path(), "octocrab");
    let gh = client(&format!("{}/api/v3", proxy.url), "t");
    let gha = client(&format!("{}/api/v3", proxy.url), "gha");

    let repo = gh.repos("acme", "shop").get().await.unwrap();
    assert_eq!(repo.default_branch.as_deref(), Some("main"));
    assert_eq!(repo.private, Some(true));
    let me = gh.current().user().await.unwrap();
    assert_eq!(me.login, "alice");

    // Git Data through the typed handlers.
    let git_api = gha.git("acme", "shop");
    let main = git_api.get_ref(&Reference::Branch("main".into())).await.unwrap();
    let Object::Commit { sha: main_sha, .. } = main.object else { panic!("main is a commit") };
    let blob = git_api.create_blob("generated\n").encoding("utf-8").send().await.unwrap();
    let base = git_api.get_commit(main_sha.clone()).await.unwrap();
    let mut entry = octocrab::models::git::CreateTreeEntry::new("apps/a.txt", "100644", "blob");
    entry.sha = Some(blob.sha.clone());
    let tree = git_api.create_tree(vec![entry]).base_tree(base.tree.sha.clone()).send().await.unwrap();
    let commit =
        git_api.create_commit("Generate", tree.sha.clone()).parents(vec![main_sha.clone()]).send().await.unwrap();
    assert!(commit.verification.verified);
    let branch = Reference::Branch("amplication".into());
    git_api.create_ref(&branch, commit.sha.clone()).await.unwrap();
    let err = git_api.create_ref(&branch, commit.sha.clone()).await.unwrap_err();
    match err {
        octocrab::Error::GitHub { source, .. } => {
            assert_eq!(source.status_code.as_u16(), 422);
            assert_eq!(source.message, "Reference already exists");
        }
        other => panic!("unexpected error {other:?}"),
    }
    let listed = git_api.list_matching_refs("heads/amp").await.unwrap();
    assert_eq!(listed.len(), 1);
    let full = git_api.get_tree(commit.sha.clone()).recursive(true).send().await.unwrap();
    assert!(full.tree.iter().any(|e| e.path == "apps/a.txt"));

    // Deleting a path needs `"sha": null`, which octocrab cannot send: a raw route.
    let deleted: Value = gha
        .post(
            "/repos/acme/shop/git/trees",
            Some(&json!({"base_tree": tree.sha, "tree": [{"path": "apps/a.txt", "mode": "100644", "type": "blob", "sha": null}]})),
        )
        .await
        .unwrap();
    let c2 = git_api
        .create_commit("Remove", deleted["sha"].as_str().unwrap().to_string())
        .parents(vec![commit.sha.clone()])
        .send()
        .await
        .unwrap();
    git_api.update_ref(&branch, c2.sha.clone()).force(false).send().await.unwrap();
    assert_eq!(git(&emu.repo_path("acme", "shop"), &["ls-tree", "-r", "--name-only", "amplication"]), "README.md");
    let nff = git_api.update_ref(&branch, commit.sha.clone()).send().await.unwrap_err();
    assert!(
        matches!(nff, octocrab::Error::GitHub { ref source, .. } if source.message == "Update is not a fast forward")
    );
    git_api.update_ref(&branch, commit.sha.clone()).force(true).send().await.unwrap();

    // Commits and comparisons.
    let commits = gh.repos("acme", "shop").list_commits().sha("amplication").send().await.unwrap();
    assert_eq!(commits.items.len(), 2);
    let cmp = gh.commits("acme", "shop").compare("main", "amplication").send().await.unwrap();
    assert_eq!(cmp.ahead_by, 1);

    // Pull requests and issues.
    let pulls = gha.pulls("acme", "shop");
    let pr = pulls.create("Generated", "amplication", "main").body("Build 1").send().await.unwrap();
    let listed = pulls.list().head("acme:amplication").state(octocrab::params::State::Open).send().await.unwrap();
    assert_eq!(listed.items.len(), 1);
    let updated = pulls.update(pr.number).body("Build 2").send().await.unwrap();
    assert_eq!(updated.body.as_deref(), Some("Build 2"));
    let fetched = pulls.get(pr.number).await.unwrap();
    assert_eq!(fetched.mergeable, Some(true));
    let issues = gha.issues("acme", "shop");
    let labels = issues.add_labels(pr.number, &["amplication".to_string()]).await.unwrap();
    assert_eq!(labels[0].name, "amplication");
    let issue = issues.add_assignees(pr.number, &["alice"]).await.unwrap();
    assert_eq!(issue.assignees.len(), 1);
    issues.update(pr.number).labels(&["amplication".to_string(), "conflicts".to_string()]).send().await.unwrap();
    let comment = issues.create_comment(pr.number, "Build summary").await.unwrap();
    assert_eq!(comment.body.as_deref(), Some("Build summary"));
    let _: Value = gha
        .post(format!("/repos/acme/shop/pulls/{}/requested_reviewers", pr.number), Some(&json!({"reviewers": ["bob"]})))
        .await
        .unwrap();
    let merged = pulls.merge(pr.number).method(octocrab::params::pulls::MergeMethod::Squash).send().await.unwrap();
    assert!(merged.merged);
    let closed = pulls.get(pr.number).await.unwrap();
    assert!(closed.merged_at.is_some());

    // Bootstrap an empty repository through the contents API.
    let empty = gh.repos("acme", "empty");
    let put = empty.create_file("README.md", "Bootstrap", "# hi\n").branch("main").send().await.unwrap();
    assert_eq!(put.content.path, "README.md");

    // Retries: octocrab's default policy retries 5xx.
    emu.add_fault(Fault::new(Some("GET"), "/repos/acme/shop", FaultAction::status(502))).unwrap();
    gh.repos("acme", "shop").get().await.unwrap();

    // GitHub App: JWT -> installation -> installation token.
    emu.add_app(99, test_keys::PUBLIC_KEY_PEM).unwrap();
    emu.add_installation(5, 99, "acme", RepoAccess::all(), Permissions::actions_default()).unwrap();
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(test_keys::PRIVATE_KEY_PEM.as_bytes()).unwrap();
    let app =
        Octocrab::builder().base_uri(format!("{}/api/v3", proxy.url)).unwrap().app(99.into(), key).build().unwrap();
    let installation = app.apps().get_repository_installation("acme", "shop").await.unwrap();
    assert_eq!(installation.id.0, 5);
    let (inst, _token) = app.installation_and_token(installation.id).await.unwrap();
    let r = inst.repos("acme", "shop").get().await.unwrap();
    assert_eq!(r.name, "shop");
    let app_info = app.current().app().await.unwrap();
    assert_eq!(app_info.id.0, 99);

    drop(gh);
    drop(gha);
    let (code, out, violations) = proxy.stop();
    assert!(violations.is_empty(), "contract violations:\n{violations}\n{out}");
    assert_eq!(code, Some(0), "{out}");
    tokio::task::spawn_blocking(move || drop(emu)).await.unwrap();
}
