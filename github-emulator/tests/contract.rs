//! Exercises every GitHub endpoint the emulator serves, error paths included, through the
//! contract proxy (GitHub's OpenAPI description), checks the effects in the bare
//! repositories with the git CLI, and requires zero contract violations.

mod support;

use std::time::{Duration, Instant};

use github_emulator::{
    Config, Emulator, Fault, FaultAction, FileChange, MergeMethod, Permissions, RepoAccess, Seed, TokenKind, test_keys,
};
use serde_json::{Value, json};
use support::{Api, Proxy, Resp, b64, git, require_contract_checker, unb64};

const PAT: &str = "ghp_alice_all_permissions";
const READONLY: &str = "ghp_alice_read_only";
const BOB: &str = "ghp_bob";
const ACTIONS: &str = "ghs_actions_shop";

struct World {
    emu: Emulator,
    /// Through the contract proxy, as alice (PAT with every permission).
    api: Api,
    /// Straight to the emulator (for what the proxy cannot carry: dropped connections, admin).
    direct: Api,
}

impl World {
    fn shop(&self) -> std::path::PathBuf {
        self.emu.repo_path("acme", "shop")
    }
}

fn setup() -> Emulator {
    let emu = Emulator::spawn(Config::default()).expect("emulator starts");
    emu.add_org("acme", &["alice"]).unwrap();
    emu.add_user("bob").unwrap();
    emu.add_user("carol").unwrap();
    emu.add_repo("acme", "shop", "main", true, false).unwrap();
    emu.add_repo("acme", "empty", "main", true, true).unwrap();
    emu.add_repo("acme", "secret", "main", true, false).unwrap();
    emu.add_repo("alice", "public-repo", "main", false, false).unwrap();
    emu.add_token(PAT, "alice", TokenKind::Pat, RepoAccess::all(), Permissions::all()).unwrap();
    emu.add_token(READONLY, "alice", TokenKind::Pat, RepoAccess::all(), Permissions::read_only()).unwrap();
    emu.add_token(BOB, "bob", TokenKind::Pat, RepoAccess::all(), Permissions::all()).unwrap();
    emu.add_token(ACTIONS, "", TokenKind::Actions, RepoAccess::only(["acme/shop"]), Permissions::actions_default())
        .unwrap();
    emu
}

#[test]
fn every_endpoint_through_the_contract_proxy() {
    require_contract_checker();
    let tmp = tempfile::tempdir().unwrap();
    let emu = setup();
    let proxy = Proxy::start(&emu.url(), None, tmp.path(), "dotcom");
    let ghes_proxy = Proxy::start(&emu.url(), Some("/api/v3"), tmp.path(), "ghes");
    let w = World { api: Api::new(&proxy.url, Some(PAT)), direct: Api::new(&emu.url(), Some(PAT)), emu };

    let started = Instant::now();
    users_and_auth(&w);
    repositories(&w);
    empty_repository(&w);
    git_data(&w);
    history_compare_contents(&w);
    permissions_and_workflows(&w);
    pull_requests_and_issues(&w);
    merges(&w);
    app_flow(&w);
    faults(&w);
    ghes_prefix(&w, &ghes_proxy);
    log_and_admin(&w);
    eprintln!("exercised the API in {:?}", started.elapsed());

    for p in [proxy, ghes_proxy] {
        let (code, out, violations) = p.stop();
        assert!(violations.is_empty(), "contract violations:\n{violations}\n{out}");
        assert_eq!(code, Some(0), "the contract proxy failed:\n{out}");
        assert!(out.contains(" 0 violations"), "unexpected proxy summary: {out}");
        let n: u64 = out
            .split("contract: ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
            .and_then(|s| s.parse().ok())
            .unwrap_or(0);
        assert!(n > 5, "the proxy saw too few exchanges: {out}");
        eprintln!("{}", out.trim());
    }
}

fn users_and_auth(w: &World) {
    let me = w.api.get("/user").expect(200);
    assert_eq!(me.str("login"), "alice");
    assert_eq!(me.json["type"], "User");

    let bad = w.api.with_token("ghp_nope").get("/user").expect(401);
    assert_eq!(
        bad.json,
        json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"})
    );
    w.api.anonymous().get("/user").expect(401);
    w.api.with_token(ACTIONS).get("/user").expect(403);

    assert_eq!(w.api.get("/users/bob").expect(200).str("login"), "bob");
    w.api.get("/users/nobody-here").expect(404);
    let org = w.api.get("/orgs/acme").expect(200);
    assert_eq!(org.json["type"], "Organization");
    w.api.get("/orgs/nobody-here").expect(404);
    w.api.get("/orgs/bob").expect(404);

    // Rate-limit headers on every response, decreasing per token.
    let a = w.api.get("/users/bob");
    let b = w.api.get("/users/bob");
    for h in
        ["x-ratelimit-limit", "x-ratelimit-remaining", "x-ratelimit-reset", "x-ratelimit-used", "x-github-request-id"]
    {
        assert!(a.header(h).is_some(), "missing {h}");
    }
    assert_eq!(a.header("x-ratelimit-resource"), Some("core"));
    assert_eq!(a.header("content-type"), Some("application/json; charset=utf-8"));
    let rem = |r: &Resp| r.header("x-ratelimit-remaining").unwrap().parse::<u64>().unwrap();
    assert_eq!(rem(&a), rem(&b) + 1);
    let rl = w.api.get("/rate_limit").expect(200);
    assert_eq!(rl.json["resources"]["core"]["remaining"].as_u64(), Some(rem(&b)));
    // `token` scheme works like `Bearer`.
    let agent = ureq::Agent::config_builder().http_status_as_error(false).build().new_agent();
    let r =
        agent.get(format!("{}/user", w.direct.base)).header("authorization", format!("token {PAT}")).call().unwrap();
    assert_eq!(r.status().as_u16(), 200);
}

fn repositories(w: &World) {
    let shop = w.api.get("/repos/acme/shop").expect(200);
    assert_eq!(shop.json["private"], true);
    assert_eq!(shop.json["default_branch"], "main");
    assert_eq!(shop.json["owner"]["type"], "Organization");
    assert_eq!(shop.json["permissions"]["push"], true);
    assert_eq!(shop.json["permissions"]["admin"], true);
    let ro = w.api.with_token(READONLY).get("/repos/acme/shop").expect(200);
    assert_eq!(ro.json["permissions"]["push"], false);
    assert_eq!(ro.json["permissions"]["pull"], true);
    // Private repositories are invisible (404) to whoever cannot see them.
    w.api.anonymous().get("/repos/acme/shop").expect(404);
    w.api.with_token(BOB).get("/repos/acme/shop").expect(404);
    w.api.with_token(ACTIONS).get("/repos/acme/secret").expect(404);
    let public = w.api.anonymous().get("/repos/alice/public-repo").expect(200);
    assert_eq!(public.json["owner"]["type"], "User");
    assert!(public.json.get("permissions").is_none());
    w.api.get("/repos/acme/does-not-exist").expect(404);

    // Create for the user, with auto_init; the name then exists (422).
    let tool = w.api.post("/user/repos", json!({"name": "tool", "auto_init": true, "private": false})).expect(201);
    assert_eq!(tool.json["full_name"], "alice/tool");
    let path = w.emu.repo_path("alice", "tool");
    assert_eq!(git(&path, &["rev-list", "--count", "main"]), "1");
    let dup = w.api.post("/user/repos", json!({"name": "tool"})).expect(422);
    assert_eq!(dup.json["errors"][0]["message"], "name already exists on this account");
    // Create in an organisation, empty and private.
    let svc = w.api.post("/orgs/acme/repos", json!({"name": "svc", "private": true})).expect(201);
    assert_eq!(svc.json["private"], true);
    assert_eq!(svc.json["owner"]["login"], "acme");
    assert_eq!(git(&w.emu.repo_path("acme", "svc"), &["for-each-ref"]), "");
    w.api.post("/orgs/acme/repos", json!({"name": "svc"})).expect(422);
    let denied = w.api.with_token(ACTIONS).post("/orgs/acme/repos", json!({"name": "x"})).expect(403);
    assert_eq!(denied.message(), "Resource not accessible by integration");
    w.api.with_token(BOB).post("/orgs/acme/repos", json!({"name": "x"})).expect(403);
}

fn empty_repository(w: &World) {
    let r = "/repos/acme/empty";
    let zeros = "0000000000000000000000000000000000000000";
    let checks: Vec<(&str, String, Option<Value>)> = vec![
        ("GET", format!("{r}/git/ref/heads/main"), None),
        ("GET", format!("{r}/git/matching-refs/heads"), None),
        ("POST", format!("{r}/git/refs"), Some(json!({"ref": "refs/heads/x", "sha": zeros}))),
        ("PATCH", format!("{r}/git/refs/heads/main"), Some(json!({"sha": zeros}))),
        ("DELETE", format!("{r}/git/refs/heads/main"), None),
        ("GET", format!("{r}/git/trees/main"), None),
        (
            "POST",
            format!("{r}/git/trees"),
            Some(json!({"tree": [{"path": "a", "mode": "100644", "type": "blob", "content": "a"}]})),
        ),
        ("GET", format!("{r}/git/blobs/{zeros}"), None),
        ("POST", format!("{r}/git/blobs"), Some(json!({"content": "x"}))),
        ("GET", format!("{r}/git/commits/{zeros}"), None),
        ("POST", format!("{r}/git/commits"), Some(json!({"message": "m", "tree": zeros}))),
        ("GET", format!("{r}/commits"), None),
        ("GET", format!("{r}/commits/main"), None),
    ];
    for (method, path, body) in checks {
        let resp = w.api.request(method, &path, body.as_ref());
        assert_eq!(resp.status, 409, "{method} {path}: {}", resp.json);
        assert_eq!(resp.message(), "Git Repository is empty.");
    }
    w.api.get(&format!("{r}/contents/README.md")).expect(404);
    w.api.get(&format!("{r}/compare/main...main")).expect(404);
    // The contents API bootstraps it.
    let put = w
        .api
        .put(
            &format!("{r}/contents/docs/README.md"),
            json!({"message": "Bootstrap", "content": b64(b"# hello\n"), "branch": "main"}),
        )
        .expect(201);
    assert_eq!(put.json["content"]["path"], "docs/README.md");
    assert_eq!(put.json["commit"]["verification"]["verified"], true);
    let path = w.emu.repo_path("acme", "empty");
    assert_eq!(git(&path, &["rev-list", "--count", "main"]), "1");
    assert_eq!(git(&path, &["show", "main:docs/README.md"]), "# hello");
    w.api.get(&format!("{r}/git/ref/heads/main")).expect(200);
}

/// Creates a commit on top of `parent` with the given file changes (content or deletion);
/// returns (commit sha, tree sha).
fn commit_on(api: &Api, repo: &str, parent: &str, files: &[(&str, Option<&str>)], message: &str) -> (String, String) {
    let base_tree = api.get(&format!("/repos/{repo}/git/commits/{parent}")).expect(200).json["tree"]["sha"]
        .as_str()
        .unwrap()
        .to_string();
    let entries: Vec<Value> = files
        .iter()
        .map(|(p, c)| match c {
            Some(c) => json!({"path": p, "mode": "100644", "type": "blob", "content": c}),
            None => json!({"path": p, "mode": "100644", "type": "blob", "sha": null}),
        })
        .collect();
    let tree = api
        .post(&format!("/repos/{repo}/git/trees"), json!({"base_tree": base_tree, "tree": entries}))
        .expect(201)
        .str("sha");
    let commit = api
        .post(&format!("/repos/{repo}/git/commits"), json!({"message": message, "tree": tree, "parents": [parent]}))
        .expect(201);
    (commit.str("sha"), tree)
}

fn branch_tip(api: &Api, repo: &str, branch: &str) -> String {
    api.get(&format!("/repos/{repo}/git/ref/heads/{branch}")).expect(200).json["object"]["sha"]
        .as_str()
        .unwrap()
        .to_string()
}

fn git_data(w: &World) {
    let r = "/repos/acme/shop";
    let repo = w.shop();
    let main_ref = w.api.get(&format!("{r}/git/ref/heads/main")).expect(200);
    assert_eq!(main_ref.json["ref"], "refs/heads/main");
    assert_eq!(main_ref.json["object"]["type"], "commit");
    let m0 = main_ref.json["object"]["sha"].as_str().unwrap().to_string();
    assert_eq!(m0, git(&repo, &["rev-parse", "main"]));
    w.api.get(&format!("{r}/git/ref/heads/nope")).expect(404);

    // Blobs: utf-8 and base64, read back.
    let blob = w.api.post(&format!("{r}/git/blobs"), json!({"content": "hello\n", "encoding": "utf-8"})).expect(201);
    let blob_sha = blob.str("sha");
    assert_eq!(git(&repo, &["cat-file", "-p", &blob_sha]), "hello");
    let bin = w
        .api
        .post(&format!("{r}/git/blobs"), json!({"content": b64(&[0, 1, 2, 255]), "encoding": "base64"}))
        .expect(201);
    let got = w.api.get(&format!("{r}/git/blobs/{}", bin.str("sha"))).expect(200);
    assert_eq!(got.json["encoding"], "base64");
    assert_eq!(unb64(got.json["content"].as_str().unwrap()), vec![0, 1, 2, 255]);
    assert_eq!(got.json["size"], 4);
    w.api.get(&format!("{r}/git/blobs/{}", "1".repeat(40))).expect(404);
    w.api.get(&format!("{r}/git/blobs/not-a-sha")).expect(422);

    // Trees: nested paths create intermediate trees.
    let m0_tree = git(&repo, &["rev-parse", "main^{tree}"]);
    let t1 = w
        .api
        .post(
            &format!("{r}/git/trees"),
            json!({"base_tree": m0_tree, "tree": [
                {"path": "src/a/b.txt", "mode": "100644", "type": "blob", "content": "b\n"},
                {"path": "docs/x.md", "mode": "100644", "type": "blob", "sha": blob_sha},
                {"path": "bin/run.sh", "mode": "100755", "type": "blob", "content": "#!/bin/sh\n"},
            ]}),
        )
        .expect(201);
    let t1_sha = t1.str("sha");
    let listing = git(&repo, &["ls-tree", "-r", "--name-only", &t1_sha]);
    assert_eq!(listing.lines().collect::<Vec<_>>(), ["README.md", "bin/run.sh", "docs/x.md", "src/a/b.txt"]);
    assert!(git(&repo, &["ls-tree", &t1_sha, "bin/run.sh"]).starts_with("100755"));
    // Commits: without author, signed by GitHub (verified) and authored as the token's user.
    let c1 = w
        .api
        .post(
            &format!("{r}/git/commits"),
            json!({"message": "Add files\n\nBody line.", "tree": t1_sha, "parents": [m0]}),
        )
        .expect(201);
    let c1_sha = c1.str("sha");
    assert_eq!(c1.json["verification"]["verified"], true);
    assert_eq!(c1.json["author"]["name"], "alice");
    assert_eq!(c1.json["committer"]["email"], "noreply@github.com");
    assert_eq!(c1.json["message"], "Add files\n\nBody line.");
    assert_eq!(git(&repo, &["log", "-1", "--format=%an|%cn|%B", &c1_sha]), "alice|GitHub|Add files\n\nBody line.");
    let explicit = w
        .api
        .post(
            &format!("{r}/git/commits"),
            json!({"message": "x", "tree": t1_sha, "parents": [m0],
                   "author": {"name": "Dev", "email": "dev@example.com", "date": "2024-05-06T07:08:09Z"}}),
        )
        .expect(201);
    assert_eq!(explicit.json["verification"]["verified"], false);
    assert_eq!(explicit.json["author"]["date"], "2024-05-06T07:08:09Z");
    w.api
        .post(&format!("{r}/git/commits"), json!({"message": "x", "tree": "2".repeat(40), "parents": [m0]}))
        .expect(422);
    w.api
        .post(&format!("{r}/git/commits"), json!({"message": "x", "tree": t1_sha, "parents": ["3".repeat(40)]}))
        .expect(422);
    let fetched = w.api.get(&format!("{r}/git/commits/{c1_sha}")).expect(200);
    assert_eq!(fetched.json["tree"]["sha"], t1_sha.as_str());
    assert_eq!(fetched.json["parents"][0]["sha"], m0.as_str());
    w.api.get(&format!("{r}/git/commits/{}", "4".repeat(40))).expect(404);

    // Refs: create, exists (422), matching.
    let created = w.api.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/feature", "sha": c1_sha})).expect(201);
    assert_eq!(created.json["ref"], "refs/heads/feature");
    let again = w.api.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/feature", "sha": c1_sha})).expect(422);
    assert_eq!(again.message(), "Reference already exists");
    w.api.post(&format!("{r}/git/refs"), json!({"ref": "heads/bad", "sha": c1_sha})).expect(422);
    w.api.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/ghost", "sha": "5".repeat(40)})).expect(422);
    let matching = w.api.get(&format!("{r}/git/matching-refs/heads/feat")).expect(200);
    assert_eq!(matching.json.as_array().unwrap().len(), 1);
    assert_eq!(w.api.get(&format!("{r}/git/matching-refs/heads/zzz")).expect(200).json, json!([]));

    // Deleting the last file of a directory removes the directory.
    let t2 = w
        .api
        .post(
            &format!("{r}/git/trees"),
            json!({"base_tree": t1_sha, "tree": [{"path": "src/a/b.txt", "mode": "100644", "type": "blob", "sha": null}]}),
        )
        .expect(201);
    let t2_sha = t2.str("sha");
    let listing = git(&repo, &["ls-tree", "-r", "-t", "--name-only", &t2_sha]);
    assert!(!listing.contains("src"), "src/ should be gone: {listing}");
    assert!(listing.contains("docs/x.md"));
    let c2 = w
        .api
        .post(&format!("{r}/git/commits"), json!({"message": "Remove b", "tree": t2_sha, "parents": [c1_sha]}))
        .expect(201);
    let c2_sha = c2.str("sha");
    // Fast-forward, refused non-fast-forward, forced.
    let moved = w.api.patch(&format!("{r}/git/refs/heads/feature"), json!({"sha": c2_sha})).expect(200);
    assert_eq!(moved.json["object"]["sha"], c2_sha.as_str());
    assert_eq!(git(&repo, &["rev-parse", "feature"]), c2_sha);
    let nff = w.api.patch(&format!("{r}/git/refs/heads/feature"), json!({"sha": c1_sha, "force": false})).expect(422);
    assert_eq!(nff.message(), "Update is not a fast forward");
    w.api.patch(&format!("{r}/git/refs/heads/feature"), json!({"sha": c1_sha, "force": true})).expect(200);
    assert_eq!(git(&repo, &["rev-parse", "feature"]), c1_sha);
    w.api.patch(&format!("{r}/git/refs/heads/feature"), json!({"sha": c2_sha})).expect(200);
    let missing = w.api.patch(&format!("{r}/git/refs/heads/nope"), json!({"sha": c2_sha})).expect(422);
    assert_eq!(missing.message(), "Reference does not exist");

    // Tree reads by tree sha, commit sha and branch name; recursive; truncated.
    let by_branch = w.api.get(&format!("{r}/git/trees/feature?recursive=1")).expect(200);
    assert_eq!(by_branch.json["sha"], t2_sha.as_str());
    assert_eq!(by_branch.json["truncated"], false);
    let paths: Vec<&str> =
        by_branch.json["tree"].as_array().unwrap().iter().map(|e| e["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["README.md", "bin", "bin/run.sh", "docs", "docs/x.md"]);
    assert_eq!(w.api.get(&format!("{r}/git/trees/{c2_sha}")).expect(200).json["sha"], t2_sha.as_str());
    let top = w.api.get(&format!("{r}/git/trees/{t2_sha}")).expect(200);
    assert_eq!(top.json["tree"].as_array().unwrap().len(), 3);
    w.emu.set_tree_truncate_at(Some(2));
    let cut = w.api.get(&format!("{r}/git/trees/feature?recursive=1")).expect(200);
    assert_eq!(cut.json["truncated"], true);
    assert_eq!(cut.json["tree"].as_array().unwrap().len(), 2);
    w.emu.set_tree_truncate_at(None);
    w.api.get(&format!("{r}/git/trees/{}", "6".repeat(40))).expect(404);
    // Tree errors: bad sha, malformed path, wrong type.
    let bad = w
        .api
        .post(&format!("{r}/git/trees"), json!({"base_tree": t2_sha, "tree": [{"path": "x", "mode": "100644", "type": "blob", "sha": "7".repeat(40)}]}))
        .expect(422);
    assert!(bad.message().contains("is not a valid blob"), "{}", bad.json);
    w.api
        .post(
            &format!("{r}/git/trees"),
            json!({"tree": [{"path": "../x", "mode": "100644", "type": "blob", "content": "x"}]}),
        )
        .expect(422);
    w.api
        .post(
            &format!("{r}/git/trees"),
            json!({"tree": [{"path": "x", "mode": "040000", "type": "tree", "sha": blob_sha}]}),
        )
        .expect(422);
    // Delete a ref.
    w.api.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/tmp", "sha": c2_sha})).expect(201);
    let del = w.api.delete(&format!("{r}/git/refs/heads/tmp")).expect(204);
    assert_eq!(del.json, Value::Null);
    assert!(!git(&repo, &["for-each-ref", "--format=%(refname)"]).contains("refs/heads/tmp"));
    w.api.delete(&format!("{r}/git/refs/heads/tmp")).expect(422);
}

fn history_compare_contents(w: &World) {
    let r = "/repos/acme/shop";
    let repo = w.shop();
    let c2 = git(&repo, &["rev-parse", "feature"]);
    let c1 = git(&repo, &["rev-parse", "feature~1"]);
    let m0 = git(&repo, &["rev-parse", "main"]);

    let all = w.api.get(&format!("{r}/commits?sha=feature")).expect(200);
    let shas: Vec<&str> = all.json.as_array().unwrap().iter().map(|c| c["sha"].as_str().unwrap()).collect();
    assert_eq!(shas, [c2.as_str(), c1.as_str(), m0.as_str()]);
    assert_eq!(all.json[0]["commit"]["message"], "Remove b");
    assert_eq!(all.json[0]["author"]["login"], "alice");
    let by_path = w.api.get(&format!("{r}/commits?sha=feature&path=docs/x.md")).expect(200);
    let shas: Vec<&str> = by_path.json.as_array().unwrap().iter().map(|c| c["sha"].as_str().unwrap()).collect();
    assert_eq!(shas, [c1.as_str()]);
    let paged = w.api.get(&format!("{r}/commits?sha=feature&per_page=1&page=2")).expect(200);
    assert_eq!(paged.json[0]["sha"], c1.as_str());
    assert!(paged.header("link").unwrap().contains("rel=\"next\""));
    w.api.get(&format!("{r}/commits?sha=no-such-branch")).expect(404);

    let one = w.api.get(&format!("{r}/commits/feature")).expect(200);
    assert_eq!(one.json["sha"], c2.as_str());
    assert_eq!(one.json["files"][0]["filename"], "src/a/b.txt");
    assert_eq!(one.json["files"][0]["status"], "removed");
    w.api.get(&format!("{r}/commits/no-such-branch")).expect(422);

    let cmp = w.api.get(&format!("{r}/compare/main...feature")).expect(200);
    assert_eq!(cmp.json["status"], "ahead");
    assert_eq!(cmp.json["ahead_by"], 2);
    assert_eq!(cmp.json["behind_by"], 0);
    assert_eq!(cmp.json["total_commits"], 2);
    let msgs: Vec<&str> =
        cmp.json["commits"].as_array().unwrap().iter().map(|c| c["commit"]["message"].as_str().unwrap()).collect();
    assert_eq!(msgs, ["Add files\n\nBody line.", "Remove b"]);
    assert_eq!(cmp.json["merge_base_commit"]["sha"], m0.as_str());
    let files: Vec<&str> =
        cmp.json["files"].as_array().unwrap().iter().map(|f| f["filename"].as_str().unwrap()).collect();
    assert_eq!(files, ["bin/run.sh", "docs/x.md"]);
    assert_eq!(w.api.get(&format!("{r}/compare/feature...main")).expect(200).json["status"], "behind");
    assert_eq!(w.api.get(&format!("{r}/compare/main...main")).expect(200).json["status"], "identical");
    w.api.get(&format!("{r}/compare/main...nope")).expect(404);
    w.api.get(&format!("{r}/compare/nope...main")).expect(404);

    // Contents: read a file, a directory, 404; create and update with the blob sha.
    let file = w.api.get(&format!("{r}/contents/docs/x.md?ref=feature")).expect(200);
    assert_eq!(file.json["type"], "file");
    assert_eq!(unb64(file.json["content"].as_str().unwrap()), b"hello\n");
    // A directory listing is an array, which the proxy's discriminator handling of the
    // published schema cannot accept (`type` is read from an object): checked directly.
    let dir = w.direct.get(&format!("{r}/contents/docs?ref=feature")).expect(200);
    assert_eq!(dir.json[0]["path"], "docs/x.md");
    w.api.get(&format!("{r}/contents/missing.txt")).expect(404);
    w.api.get(&format!("{r}/contents/docs/x.md?ref=no-such-ref")).expect(404);
    let created = w
        .api
        .put(&format!("{r}/contents/main.txt"), json!({"message": "Main change", "content": b64(b"v1\n")}))
        .expect(201);
    let sha = created.json["content"]["sha"].as_str().unwrap().to_string();
    let no_sha =
        w.api.put(&format!("{r}/contents/main.txt"), json!({"message": "u", "content": b64(b"v2\n")})).expect(422);
    assert!(no_sha.message().contains("sha"), "{}", no_sha.json);
    w.api
        .put(&format!("{r}/contents/main.txt"), json!({"message": "u", "content": b64(b"v2\n"), "sha": "8".repeat(40)}))
        .expect(409);
    let updated = w
        .api
        .put(
            &format!("{r}/contents/main.txt"),
            json!({"message": "Update main.txt", "content": b64(b"v2\n"), "sha": sha}),
        )
        .expect(200);
    assert_eq!(updated.json["commit"]["message"], "Update main.txt");
    assert_eq!(git(&repo, &["show", "main:main.txt"]), "v2");
    w.api
        .put(&format!("{r}/contents/x.txt"), json!({"message": "m", "content": b64(b"x"), "branch": "no-such-branch"}))
        .expect(404);
    assert_eq!(w.api.get(&format!("{r}/compare/main...feature")).expect(200).json["status"], "diverged");
}

fn permissions_and_workflows(w: &World) {
    let r = "/repos/acme/shop";
    let ro = w.api.with_token(READONLY);
    let denied = ro.post(&format!("{r}/git/blobs"), json!({"content": "x"})).expect(403);
    assert_eq!(denied.message(), "Resource not accessible by personal access token");
    assert_eq!(denied.header("x-accepted-github-permissions"), Some("contents=write"));
    let denied = ro.post(&format!("{r}/pulls"), json!({"title": "t", "head": "feature", "base": "main"})).expect(403);
    assert_eq!(denied.header("x-accepted-github-permissions"), Some("pull_requests=write"));
    ro.get(&format!("{r}/git/ref/heads/main")).expect(200);

    // The Actions token: identity github-actions[bot], no `workflows` permission.
    let actions = w.api.with_token(ACTIONS);
    let main = branch_tip(&actions, "acme/shop", "main");
    let (plain, _) = commit_on(&actions, "acme/shop", &main, &[("gen/a.txt", Some("a\n"))], "Generated");
    let c = actions.get(&format!("{r}/git/commits/{plain}")).expect(200);
    assert_eq!(c.json["author"]["name"], "github-actions[bot]");
    assert_eq!(c.json["author"]["email"], "41898282+github-actions[bot]@users.noreply.github.com");
    assert_eq!(c.json["verification"]["verified"], true);
    actions.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/bot", "sha": plain})).expect(201);
    let (wf, _) =
        commit_on(&actions, "acme/shop", &plain, &[(".github/workflows/ci.yml", Some("on: push\n"))], "Workflow");
    let refused = actions.patch(&format!("{r}/git/refs/heads/bot"), json!({"sha": wf})).expect(403);
    assert_eq!(
        refused.message(),
        "refusing to allow a GitHub App to create or update workflow `.github/workflows/ci.yml` without `workflows` permission"
    );
    assert_eq!(git(&w.shop(), &["rev-parse", "bot"]), plain);
    let refused = actions.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/bot-wf", "sha": wf})).expect(403);
    assert!(refused.message().starts_with("refusing to allow a GitHub App"));
    // A PAT with `workflows: write` may.
    w.api.patch(&format!("{r}/git/refs/heads/bot"), json!({"sha": wf})).expect(200);
    // Merging a branch that changed workflows into another is refused too (old vs new tip).
    actions.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/bot2", "sha": plain})).expect(201);
    let wf_tree =
        actions.get(&format!("{r}/git/commits/{wf}")).expect(200).json["tree"]["sha"].as_str().unwrap().to_string();
    let merge = actions
        .post(&format!("{r}/git/commits"), json!({"message": "Merge bot", "tree": wf_tree, "parents": [plain, wf]}))
        .expect(201)
        .str("sha");
    let refused = actions.patch(&format!("{r}/git/refs/heads/bot2"), json!({"sha": merge})).expect(403);
    assert!(refused.message().contains("`.github/workflows/ci.yml`"), "{}", refused.json);
    // The Actions token sees only its repository.
    actions.get("/repos/acme/secret").expect(404);
    actions.get("/repos/alice/public-repo").expect(200);
    let pub_denied = actions.post("/repos/alice/public-repo/git/blobs", json!({"content": "x"})).expect(403);
    assert_eq!(pub_denied.message(), "Resource not accessible by integration");
    w.api.anonymous().post("/repos/alice/public-repo/git/blobs", json!({"content": "x"})).expect(401);
}

fn pull_requests_and_issues(w: &World) {
    let r = "/repos/acme/shop";
    let actions = w.api.with_token(ACTIONS);
    let pr = actions
        .post(
            &format!("{r}/pulls"),
            json!({"title": "Generated code", "head": "acme:feature", "base": "main", "body": "Build 1"}),
        )
        .expect(201);
    let n = pr.json["number"].as_u64().unwrap();
    assert_eq!(pr.json["user"]["login"], "github-actions[bot]");
    assert_eq!(pr.json["state"], "open");
    assert_eq!(pr.json["draft"], false);
    assert_eq!(pr.json["merged"], false);
    assert_eq!(pr.json["head"]["ref"], "feature");
    assert_eq!(pr.json["head"]["sha"], git(&w.shop(), &["rev-parse", "feature"]).as_str());
    let dup =
        actions.post(&format!("{r}/pulls"), json!({"title": "again", "head": "feature", "base": "main"})).expect(422);
    assert_eq!(dup.message(), "Validation Failed");
    assert_eq!(dup.json["errors"][0]["message"], "A pull request already exists for acme:feature.");
    let main = branch_tip(&w.api, "acme/shop", "main");
    w.api.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/same", "sha": main})).expect(201);
    let none = actions.post(&format!("{r}/pulls"), json!({"title": "t", "head": "same", "base": "main"})).expect(422);
    assert_eq!(none.json["errors"][0]["message"], "No commits between main and same");
    actions.post(&format!("{r}/pulls"), json!({"title": "t", "head": "no-such", "base": "main"})).expect(422);

    let listed = actions.get(&format!("{r}/pulls?state=open&head=acme:feature&base=main&per_page=10")).expect(200);
    assert_eq!(listed.json.as_array().unwrap().len(), 1);
    assert_eq!(listed.json[0]["number"], n);
    assert_eq!(actions.get(&format!("{r}/pulls?head=acme:other")).expect(200).json, json!([]));
    let got = actions.get(&format!("{r}/pulls/{n}")).expect(200);
    assert_eq!(got.json["mergeable"], true);
    assert_eq!(got.json["commits"], 2);
    w.api.get(&format!("{r}/pulls/9999")).expect(404);

    let upd =
        actions.patch(&format!("{r}/pulls/{n}"), json!({"title": "Generated code (2)", "body": "Build 2"})).expect(200);
    assert_eq!(upd.json["title"], "Generated code (2)");
    assert_eq!(upd.json["body"], "Build 2");

    let rr = actions
        .post(&format!("{r}/pulls/{n}/requested_reviewers"), json!({"reviewers": ["bob"], "team_reviewers": ["core"]}))
        .expect(201);
    assert_eq!(rr.json["requested_reviewers"][0]["login"], "bob");
    assert_eq!(rr.json["requested_teams"][0]["slug"], "core");
    actions.post(&format!("{r}/pulls/{n}/requested_reviewers"), json!({"reviewers": ["ghost-user"]})).expect(422);

    let labels = actions.post(&format!("{r}/issues/{n}/labels"), json!({"labels": ["amplication"]})).expect(200);
    assert_eq!(labels.json[0]["name"], "amplication");
    let issue = actions
        .patch(&format!("{r}/issues/{n}"), json!({"labels": ["amplication", "generated"], "assignees": ["alice"]}))
        .expect(200);
    assert_eq!(issue.json["labels"].as_array().unwrap().len(), 2);
    assert_eq!(issue.json["assignees"][0]["login"], "alice");
    let issue = actions.post(&format!("{r}/issues/{n}/assignees"), json!({"assignees": ["carol"]})).expect(201);
    assert_eq!(issue.json["assignees"].as_array().unwrap().len(), 2);
    let issue = actions.get(&format!("{r}/issues/{n}")).expect(200);
    assert!(issue.json["pull_request"]["url"].as_str().unwrap().ends_with(&format!("/pulls/{n}")));
    w.api.get(&format!("{r}/issues/9999")).expect(404);
    let comment = actions.post(&format!("{r}/issues/{n}/comments"), json!({"body": "Build summary"})).expect(201);
    assert_eq!(comment.json["user"]["login"], "github-actions[bot]");
    let comments = actions.get(&format!("{r}/issues/{n}/comments")).expect(200);
    assert_eq!(comments.json.as_array().unwrap().len(), 1);
    let full = actions.get(&format!("{r}/pulls/{n}")).expect(200);
    assert_eq!(full.json["labels"].as_array().unwrap().len(), 2);
    assert_eq!(full.json["comments"], 1);
    actions.post(&format!("{r}/issues/{n}/labels"), json!({"labels": ["ampsync: conflicts"]})).expect(200);
    let left = actions.delete(&format!("{r}/issues/{n}/labels/ampsync%3A%20conflicts")).expect(200);
    let names: Vec<&str> = left.json.as_array().unwrap().iter().filter_map(|l| l["name"].as_str()).collect();
    assert_eq!(names, ["amplication", "generated"]);
    actions.delete(&format!("{r}/issues/{n}/labels/ampsync%3A%20conflicts")).expect(404);

    // Close and reopen.
    assert_eq!(
        actions.patch(&format!("{r}/pulls/{n}"), json!({"state": "closed"})).expect(200).json["state"],
        "closed"
    );
    assert_eq!(actions.patch(&format!("{r}/pulls/{n}"), json!({"state": "open"})).expect(200).json["state"], "open");
    assert_eq!(actions.get(&format!("{r}/pulls?state=closed")).expect(200).json, json!([]));

    // Squash merge: one commit on main whose tree has the PR's changes.
    let before = git(&w.shop(), &["rev-parse", "main"]);
    let wrong = actions
        .put(&format!("{r}/pulls/{n}/merge"), json!({"merge_method": "squash", "sha": "9".repeat(40)}))
        .expect(409);
    assert!(wrong.message().contains("Head branch was modified"));
    let merged = actions.put(&format!("{r}/pulls/{n}/merge"), json!({"merge_method": "squash"})).expect(200);
    assert_eq!(merged.json["merged"], true);
    let after = merged.str("sha");
    assert_eq!(git(&w.shop(), &["rev-parse", "main"]), after);
    assert_eq!(git(&w.shop(), &["rev-list", "--count", &format!("{before}..main")]), "1");
    assert_eq!(git(&w.shop(), &["rev-list", "--parents", "-n1", "main"]).split(' ').count(), 2);
    assert_eq!(git(&w.shop(), &["show", "main:docs/x.md"]), "hello");
    assert_eq!(git(&w.shop(), &["log", "-1", "--format=%s", "main"]), format!("Generated code (2) (#{n})"));
    let pr = actions.get(&format!("{r}/pulls/{n}")).expect(200);
    assert_eq!(pr.json["merged"], true);
    assert_eq!(pr.json["state"], "closed");
    assert_eq!(pr.json["merge_commit_sha"], after.as_str());
    assert!(pr.json["merged_at"].is_string());
    let again = actions.put(&format!("{r}/pulls/{n}/merge"), json!({"merge_method": "squash"})).expect(405);
    assert_eq!(again.message(), "Pull Request is not mergeable");
    let commit = actions.get(&format!("{r}/commits/{after}")).expect(200);
    assert_eq!(commit.json["commit"]["verification"]["verified"], true);
}

/// Makes a branch from main with commits, opens a PR, returns its number.
fn branch_with_pr(w: &World, branch: &str, commits: &[&[(&str, Option<&str>)]], draft: bool) -> u64 {
    let r = "acme/shop";
    let mut tip = branch_tip(&w.api, r, "main");
    for (i, files) in commits.iter().enumerate() {
        tip = commit_on(&w.api, r, &tip, files, &format!("{branch} commit {}", i + 1)).0;
    }
    w.api.post(&format!("/repos/{r}/git/refs"), json!({"ref": format!("refs/heads/{branch}"), "sha": tip})).expect(201);
    w.api
        .post(
            &format!("/repos/{r}/pulls"),
            json!({"title": format!("PR {branch}"), "head": branch, "base": "main", "draft": draft}),
        )
        .expect(201)
        .json["number"]
        .as_u64()
        .unwrap()
}

fn merges(w: &World) {
    let r = "/repos/acme/shop";
    let repo = w.shop();
    // Merge commit with two parents.
    let n = branch_with_pr(w, "feat-merge", &[&[("merge.txt", Some("m\n"))]], false);
    let before = git(&repo, &["rev-parse", "main"]);
    let head = git(&repo, &["rev-parse", "feat-merge"]);
    let res = w.api.put(&format!("{r}/pulls/{n}/merge"), json!({"merge_method": "merge"})).expect(200);
    let parents = git(&repo, &["rev-list", "--parents", "-n1", &res.str("sha")]);
    assert_eq!(parents, format!("{} {before} {head}", res.str("sha")));
    assert!(
        git(&repo, &["log", "-1", "--format=%s", "main"])
            .starts_with(&format!("Merge pull request #{n} from acme/feat-merge"))
    );

    // Rebase: the commits replayed one by one, linear, messages kept.
    let n = branch_with_pr(w, "feat-rebase", &[&[("r1.txt", Some("1\n"))], &[("r2.txt", Some("2\n"))]], false);
    let before = git(&repo, &["rev-parse", "main"]);
    let res = w.api.put(&format!("{r}/pulls/{n}/merge"), json!({"merge_method": "rebase"})).expect(200);
    assert_eq!(git(&repo, &["rev-list", "--count", &format!("{before}..main")]), "2");
    assert_eq!(git(&repo, &["rev-list", "--merges", "--count", &format!("{before}..main")]), "0");
    assert_eq!(git(&repo, &["log", "--format=%s", "-2", "main"]), "feat-rebase commit 2\nfeat-rebase commit 1");
    assert_eq!(res.str("sha"), git(&repo, &["rev-parse", "main"]));

    // A conflict: 405 and `mergeable: false`.
    let n = branch_with_pr(w, "conflict", &[&[("README.md", Some("theirs\n"))]], false);
    w.api
        .put(
            &format!("{r}/contents/README.md"),
            json!({
                "message": "ours", "content": b64(b"ours\n"),
                "sha": w.api.get(&format!("{r}/contents/README.md")).expect(200).str("sha"),
            }),
        )
        .expect(200);
    assert_eq!(w.api.get(&format!("{r}/pulls/{n}")).expect(200).json["mergeable"], false);
    let refused = w.api.put(&format!("{r}/pulls/{n}/merge"), json!({"merge_method": "merge"})).expect(405);
    assert_eq!(refused.message(), "Pull Request is not mergeable");
    w.api.put(&format!("{r}/pulls/{n}/merge"), json!({"merge_method": "rebase"})).expect(405);

    // `POST /merges`: the base merged into a branch (201), nothing to merge (204), a conflict (409).
    let before_side = git(&repo, &["rev-parse", "feat-rebase"]);
    let merged = w.api.post(&format!("{r}/merges"), json!({"base": "feat-rebase", "head": "main"})).expect(201);
    let sha = merged.str("sha");
    assert_eq!(git(&repo, &["rev-parse", "feat-rebase"]), sha);
    let main_tip = git(&repo, &["rev-parse", "main"]);
    assert_eq!(git(&repo, &["rev-list", "--parents", "-n1", &sha]), format!("{sha} {before_side} {main_tip}"));
    w.api.post(&format!("{r}/merges"), json!({"base": "feat-rebase", "head": "main"})).expect(204);
    let c = w.api.post(&format!("{r}/merges"), json!({"base": "conflict", "head": "main"})).expect(409);
    assert_eq!(c.message(), "Merge conflict");
    w.api.post(&format!("{r}/merges"), json!({"base": "no-such-branch", "head": "main"})).expect(404);

    // A draft cannot be merged.
    let d = branch_with_pr(w, "drafty", &[&[("d.txt", Some("d\n"))]], true);
    assert_eq!(w.api.get(&format!("{r}/pulls/{d}")).expect(200).json["draft"], true);
    w.api.put(&format!("{r}/pulls/{d}/merge"), json!({"merge_method": "merge"})).expect(405);

    // The library's merge_pull, and deleting a PR's head branch closes it.
    let n = branch_with_pr(w, "lib-merge", &[&[("lib.txt", Some("l\n"))]], false);
    let sha = w.emu.merge_pull("acme", "shop", n, MergeMethod::Squash).unwrap();
    assert_eq!(git(&repo, &["rev-parse", "main"]), sha);
    // A single-commit squash keeps that commit's title (GitHub's default).
    assert_eq!(git(&repo, &["log", "-1", "--format=%s", "main"]), format!("lib-merge commit 1 (#{n})"));
    w.api.get(&format!("{r}/pulls/{n}/merge")).expect(204);
    // A fast-forward of the base onto the head marks the PR merged, as on GitHub.
    let n = branch_with_pr(w, "ff", &[&[("ff.txt", Some("ff\n"))]], false);
    w.api.get(&format!("{r}/pulls/{n}/merge")).expect(404);
    let head = git(&repo, &["rev-parse", "ff"]);
    w.api.patch(&format!("{r}/git/refs/heads/main"), json!({"sha": head})).expect(200);
    let pr = w.api.get(&format!("{r}/pulls/{n}")).expect(200);
    assert_eq!(pr.json["merged"], true);
    assert_eq!(pr.json["merge_commit_sha"], head.as_str());
    let n = branch_with_pr(w, "doomed", &[&[("doomed.txt", Some("x\n"))]], false);
    w.api.delete(&format!("{r}/git/refs/heads/doomed")).expect(204);
    assert_eq!(w.api.get(&format!("{r}/pulls/{n}")).expect(200).json["state"], "closed");
}

fn jwt(app_id: u64, iat_offset: i64, exp_offset: i64) -> String {
    let now = jiff::Timestamp::now().as_second();
    let claims = json!({"iat": now + iat_offset, "exp": now + exp_offset, "iss": app_id});
    let key = jsonwebtoken::EncodingKey::from_rsa_pem(test_keys::PRIVATE_KEY_PEM.as_bytes()).unwrap();
    jsonwebtoken::encode(&jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256), &claims, &key).unwrap()
}

fn app_flow(w: &World) {
    w.emu.add_app(4242, test_keys::PUBLIC_KEY_PEM).unwrap();
    w.emu.add_installation(77, 4242, "acme", RepoAccess::all(), Permissions::actions_default()).unwrap();
    let app = w.api.with_token(&jwt(4242, -60, 540));
    let me = app.get("/app").expect(200);
    assert_eq!(me.json["id"], 4242);
    assert_eq!(me.json["slug"], "app-4242");
    let inst = app.get("/repos/acme/shop/installation").expect(200);
    assert_eq!(inst.json["id"], 77);
    assert_eq!(inst.json["account"]["login"], "acme");
    app.get("/repos/alice/tool/installation").expect(404);
    let tok = app.post("/app/installations/77/access_tokens", json!({})).expect(201);
    let token = tok.str("token");
    assert!(token.starts_with("ghs_") && token.len() > 40, "{token}");
    assert_eq!(tok.json["permissions"]["contents"], "write");
    assert_eq!(tok.json["repository_selection"], "all");
    app.post("/app/installations/999/access_tokens", json!({})).expect(404);
    let narrowed = app
        .post(
            "/app/installations/77/access_tokens",
            json!({"repositories": ["shop"], "permissions": {"contents": "read"}}),
        )
        .expect(201);
    assert_eq!(narrowed.json["repository_selection"], "selected");
    app.post("/app/installations/77/access_tokens", json!({"permissions": {"workflows": "write"}})).expect(422);

    let inst_api = w.api.with_token(&token);
    inst_api.get("/repos/acme/shop").expect(200);
    inst_api.get("/repos/alice/tool").expect(200); // public
    let main = branch_tip(&inst_api, "acme/shop", "main");
    let (c, _) = commit_on(&inst_api, "acme/shop", &main, &[("app.txt", Some("app\n"))], "From the app");
    let commit = inst_api.get(&format!("/repos/acme/shop/git/commits/{c}")).expect(200);
    assert_eq!(commit.json["author"]["name"], "app-4242[bot]");
    assert_eq!(commit.json["verification"]["verified"], true);
    let ro = w.api.with_token(&narrowed.str("token"));
    assert_eq!(
        ro.post("/repos/acme/shop/git/blobs", json!({"content": "x"})).expect(403).message(),
        "Resource not accessible by integration"
    );
    ro.get("/repos/acme/secret").expect(404);
    // The installation token may create repositories in its organisation? Not without administration.
    inst_api.post("/orgs/acme/repos", json!({"name": "by-app"})).expect(403);

    // Bad JWTs.
    let expired = w.api.with_token(&jwt(4242, -1200, -600)).get("/app").expect(401);
    assert!(expired.message().contains("exp"), "{}", expired.json);
    w.api.with_token(&jwt(4242, -60, 3600)).get("/app").expect(401);
    let good = jwt(4242, -60, 540);
    let (signed, sig) = good.rsplit_once('.').unwrap();
    let flipped: String =
        sig.chars().enumerate().map(|(i, c)| if i == 10 { if c == 'A' { 'B' } else { 'A' } } else { c }).collect();
    let tampered = format!("{signed}.{flipped}");
    w.api.with_token(&tampered).get("/app").expect(401);
    w.api.with_token(&jwt(1, -60, 540)).get("/app").expect(401);
    w.api.get("/app").expect(401);
}

fn faults(w: &World) {
    let r = "/repos/acme/shop";
    // 502 twice, then normal.
    w.emu.add_fault(Fault::new(Some("GET"), "/repos/acme/shop", FaultAction::status(502)).times(2)).unwrap();
    assert_eq!(w.api.get(r).status, 502);
    let second = w.api.get(r).expect(502);
    assert_eq!(second.message(), "Server Error");
    w.api.get(r).expect(200);
    // The nth matching request only.
    w.emu.add_fault(Fault::new(None, "/repos/*/shop/git/ref/**", FaultAction::status(500)).nth(2)).unwrap();
    w.api.get(&format!("{r}/git/ref/heads/main")).expect(200);
    w.api.get(&format!("{r}/git/ref/heads/main")).expect(500);
    w.api.get(&format!("{r}/git/ref/heads/main")).expect(200);
    // 429 with retry-after.
    w.emu
        .add_fault(Fault::new(Some("POST"), "^/repos/[^/]+/shop/git/blobs$", FaultAction::too_many_requests(1)))
        .unwrap();
    let limited = w.api.post(&format!("{r}/git/blobs"), json!({"content": "x"})).expect(429);
    assert_eq!(limited.header("retry-after"), Some("1"));
    w.api.post(&format!("{r}/git/blobs"), json!({"content": "x"})).expect(201);
    // Secondary rate limit.
    w.emu
        .add_fault(Fault::new(None, "/repos/acme/shop/pulls", FaultAction::SecondaryRateLimit { retry_after: 2 }))
        .unwrap();
    let sec = w.api.get(&format!("{r}/pulls")).expect(403);
    assert!(sec.message().starts_with("You have exceeded a secondary rate limit"), "{}", sec.json);
    assert_eq!(sec.header("retry-after"), Some("2"));
    // Primary rate limit.
    w.emu.add_fault(Fault::new(None, "/repos/acme/shop/pulls", FaultAction::PrimaryRateLimit { reset_in: 3 })).unwrap();
    // (the secondary fault above is spent; this one is the first matching request for the new fault)
    let prim = w.api.get(&format!("{r}/pulls")).expect(403);
    assert_eq!(prim.header("x-ratelimit-remaining"), Some("0"));
    let reset: i64 = prim.header("x-ratelimit-reset").unwrap().parse().unwrap();
    assert!(reset > jiff::Timestamp::now().as_second());
    assert!(prim.message().starts_with("API rate limit exceeded"));
    // Delay, then normal.
    w.emu.add_fault(Fault::new(Some("GET"), "/users/bob", FaultAction::Delay { ms: 300 })).unwrap();
    let t = Instant::now();
    w.api.get("/users/bob").expect(200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    // Drop: the connection closes without a response (through the proxy: its own 502).
    w.emu.add_fault(Fault::new(Some("GET"), "/users/carol", FaultAction::Drop).times(2)).unwrap();
    assert!(w.direct.try_request("GET", "/users/carol", None).is_err(), "a dropped connection must fail the request");
    assert_eq!(w.api.get("/users/carol").status, 502);
    w.api.get("/users/carol").expect(200);
    assert!(
        w.emu.log().iter().any(|e| e.path == "/users/carol" && e.status == 0 && e.fault.as_deref() == Some("drop"))
    );
    // MoveRef: someone else pushes first, so a fast-forward computed from the old tip loses.
    let main = branch_tip(&w.api, "acme/shop", "main");
    w.api.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/race", "sha": main})).expect(201);
    let (next, _) = commit_on(&w.api, "acme/shop", &main, &[("mine.txt", Some("mine\n"))], "Mine");
    w.emu
        .add_fault(Fault::new(
            Some("PATCH"),
            "/repos/acme/shop/git/refs/heads/race",
            FaultAction::MoveRef { reference: "heads/race".into() },
        ))
        .unwrap();
    let lost = w.api.patch(&format!("{r}/git/refs/heads/race"), json!({"sha": next})).expect(422);
    assert_eq!(lost.message(), "Update is not a fast forward");
    let moved = branch_tip(&w.api, "acme/shop", "race");
    assert_ne!(moved, main);
    assert!(git(&w.shop(), &["show", &format!("{moved}:someone-else.txt")]).starts_with("someone else"));
    // ... and on a create: someone else creates the branch first.
    w.emu
        .add_fault(Fault::new(
            Some("POST"),
            "/repos/acme/shop/git/refs",
            FaultAction::MoveRef { reference: "refs/heads/race2".into() },
        ))
        .unwrap();
    let lost = w.api.post(&format!("{r}/git/refs"), json!({"ref": "refs/heads/race2", "sha": next})).expect(422);
    assert_eq!(lost.message(), "Reference already exists");
    w.emu.clear_faults();
}

fn ghes_prefix(w: &World, proxy: &Proxy) {
    let ghes = Api::new(&format!("{}/api/v3", proxy.url), Some(PAT));
    let repo = ghes.get("/repos/acme/shop").expect(200);
    assert!(repo.json["url"].as_str().unwrap().contains("/api/v3/repos/acme/shop"), "{}", repo.json["url"]);
    ghes.get("/user").expect(200);
    ghes.get("/repos/acme/nope").expect(404);
    let blob = ghes.post("/repos/acme/shop/git/blobs", json!({"content": "ghes"})).expect(201);
    assert!(blob.str("url").contains("/api/v3/"));
    ghes.get("/repos/acme/shop/git/ref/heads/main").expect(200);
    ghes.get("/repos/acme/shop/pulls?state=all").expect(200);
    ghes.with_token("nope").get("/user").expect(401);
    // Faults match without the prefix.
    w.emu.add_fault(Fault::new(Some("GET"), "/rate_limit", FaultAction::status(503))).unwrap();
    ghes.get("/rate_limit").expect(503);
    ghes.get("/rate_limit").expect(200);
    w.emu.clear_faults();
    assert!(w.emu.log().iter().any(|e| e.path == "/api/v3/repos/acme/shop"));
}

fn log_and_admin(w: &World) {
    // Not GitHub: direct requests, no proxy.
    let unknown = w.direct.get("/definitely/not/an/endpoint").expect(404);
    assert_eq!(unknown.message(), "Not Found");
    assert_eq!(unknown.json["documentation_url"], "https://docs.github.com/rest");
    let admin = Api::new(&w.emu.url(), None);
    let log = admin.get("/_emulator/log").expect(200);
    let entries = log.json.as_array().unwrap();
    assert!(entries.len() > 100);
    for key in ["method", "path", "query", "status", "request_bytes", "response_bytes", "duration_ms"] {
        assert!(entries[0].get(key).is_some(), "log entries carry `{key}`");
    }
    admin.post("/_emulator/users", json!({"login": "dave"})).expect(201);
    admin.post("/_emulator/orgs", json!({"login": "beta", "members": ["dave"]})).expect(201);
    let created = admin.post("/_emulator/repos", json!({"owner": "beta", "name": "api", "private": true})).expect(201);
    assert!(created.str("path").ends_with("beta/api.git"));
    admin
        .post(
            "/_emulator/tokens",
            json!({"token": "t-dave", "login": "dave", "kind": "pat", "repos": ["beta/api"],
            "permissions": {"contents": "write", "pull_requests": "write"}}),
        )
        .expect(201);
    let sha = admin
        .post(
            "/_emulator/repos/beta/api/commits",
            json!({"branch": "main", "message": "Pushed", "changes": [{"path": "a.txt", "content": "a"}]}),
        )
        .expect(201)
        .str("sha");
    let dave = w.api.with_token("t-dave");
    assert_eq!(branch_tip(&dave, "beta/api", "main"), sha);
    admin
        .post(
            "/_emulator/faults",
            json!({"method": "GET", "path": "/repos/beta/api", "action": {"kind": "status", "code": 502}}),
        )
        .expect(201);
    dave.get("/repos/beta/api").expect(502);
    admin.delete("/_emulator/faults").expect(204);
    admin.put("/_emulator/config", json!({"tree_truncate_at": 1})).expect(200);
    assert_eq!(dave.get("/repos/beta/api/git/trees/main?recursive=1").expect(200).json["truncated"], true);
    admin.put("/_emulator/config", json!({"tree_truncate_at": null})).expect(200);
    admin.post("/_emulator/seed", json!({"users": [{"login": "erin"}]})).expect(201);
    w.api.get("/users/erin").expect(200);
    admin.post("/_emulator/users", json!({"nope": 1})).expect(400);
    // A PR merged through the admin API.
    admin
        .post(
            "/_emulator/repos/beta/api/commits",
            json!({"branch": "topic", "changes": [{"path": "b.txt", "content": "b"}]}),
        )
        .expect(201);
    let n =
        dave.post("/repos/beta/api/pulls", json!({"title": "Topic", "head": "topic", "base": "main"})).expect(201).json
            ["number"]
            .as_u64()
            .unwrap();
    admin.post(&format!("/_emulator/repos/beta/api/pulls/{n}/merge"), json!({"merge_method": "rebase"})).expect(200);
    assert_eq!(dave.get(&format!("/repos/beta/api/pulls/{n}")).expect(200).json["merged"], true);
    admin.delete("/_emulator/log").expect(204);
    assert!(w.emu.log().is_empty());
}

#[test]
fn binary_serves_a_seed_and_stops_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let seed = Seed {
        users: vec![github_emulator::UserSpec { login: "alice".into(), name: None, email: None }],
        repos: vec![github_emulator::RepoSpec {
            owner: "alice".into(),
            name: "demo".into(),
            default_branch: "trunk".into(),
            private: false,
            empty: false,
        }],
        tokens: vec![github_emulator::TokenSpec {
            token: "tok".into(),
            login: "alice".into(),
            kind: TokenKind::Pat,
            repos: RepoAccess::all(),
            permissions: Permissions::all(),
        }],
        ..Seed::default()
    };
    let seed_path = tmp.path().join("seed.json");
    std::fs::write(&seed_path, serde_json::to_string(&seed).unwrap()).unwrap();
    let port_file = tmp.path().join("port");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_github-emulator"))
        .arg("--data")
        .arg(tmp.path().join("data"))
        .args(["--listen", "127.0.0.1:0", "--port-file"])
        .arg(&port_file)
        .arg("--seed")
        .arg(&seed_path)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let port = loop {
        if let Ok(p) = std::fs::read_to_string(&port_file) {
            break p.trim().parse::<u16>().unwrap();
        }
        assert!(Instant::now() < deadline, "no port file");
        std::thread::sleep(Duration::from_millis(20));
    };
    let api = Api::new(&format!("http://127.0.0.1:{port}"), Some("tok"));
    let repo = api.get("/repos/alice/demo").expect(200);
    assert_eq!(repo.json["default_branch"], "trunk");
    api.put("/api/v3/repos/alice/demo/contents/x.txt", json!({"message": "x", "content": b64(b"x")})).expect(201);
    let bare = tmp.path().join("data/alice/demo.git");
    assert_eq!(git(&bare, &["rev-list", "--count", "trunk"]), "2");
    std::process::Command::new("kill").arg("-TERM").arg(child.id().to_string()).status().unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "exit status {status}");
    let mut out = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut out).unwrap();
    assert_eq!(out.trim(), format!("listening on http://127.0.0.1:{port}"));
}

#[test]
fn commit_files_and_seeded_faults() {
    let emu = Emulator::spawn(Config {
        seed: Some(Seed {
            repos: vec![github_emulator::RepoSpec {
                owner: "o".into(),
                name: "r".into(),
                default_branch: "main".into(),
                private: false,
                empty: true,
            }],
            faults: vec![Fault::new(Some("GET"), "/repos/o/r", FaultAction::status(504))],
            ..Seed::default()
        }),
        ..Config::default()
    })
    .unwrap();
    let api = Api::new(&emu.url(), None);
    api.get("/repos/o/r").expect(504);
    api.get("/repos/o/r").expect(200);
    let sha = emu
        .commit_files("o", "r", "main", &[FileChange { path: "a/b.txt".into(), content: Some("x\n".into()) }], "first")
        .unwrap();
    let path = emu.repo_path("o", "r");
    assert_eq!(git(&path, &["rev-parse", "main"]), sha);
    let sha2 =
        emu.commit_files("o", "r", "main", &[FileChange { path: "a/b.txt".into(), content: None }], "second").unwrap();
    assert_eq!(git(&path, &["ls-tree", "-r", "--name-only", &sha2]), "");
    drop(emu);
    // The server is gone once the handle is dropped.
    assert!(
        std::net::TcpStream::connect_timeout(
            &api.base.trim_start_matches("http://").parse().unwrap(),
            Duration::from_millis(200)
        )
        .is_err()
    );
}
