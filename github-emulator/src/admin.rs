//! The admin HTTP API under `/_emulator/...` (JSON in, JSON out) for shell scripts; the
//! same operations as the `Emulator` handle's methods and the seed file. Not GitHub's API.

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use crate::auth::Caller;
use crate::error::Reply;
use crate::handlers::pulls::{MergeRequest, merge_pull};
use crate::state::{State, Token, lock};
use crate::types::{
    AppSpec, Fault, FileChange, InstallationSpec, MergeMethod, OrgSpec, Permissions, RepoAccess, RepoSpec, Seed,
    TokenKind, TokenSpec, UserSpec,
};

fn bad(message: impl std::fmt::Display) -> Reply {
    Reply::json(400, json!({ "message": message.to_string() }))
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Reply> {
    serde_json::from_slice(body).map_err(|e| bad(format!("invalid JSON body: {e}")))
}

fn done(result: anyhow::Result<Value>, status: u16) -> Reply {
    match result {
        Ok(v) => Reply::json(status, v),
        Err(e) => bad(format!("{e:#}")),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CommitBody {
    branch: String,
    #[serde(default = "default_message")]
    message: String,
    changes: Vec<FileChange>,
}

fn default_message() -> String {
    "Commit by someone else".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MergeBody {
    #[serde(default)]
    merge_method: MergeMethod,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigBody {
    #[serde(default)]
    tree_truncate_at: Option<usize>,
}

/// Merges a pull request as the repository owner (admin and library use).
pub(crate) fn merge_as_owner(
    state: &State,
    owner: &str,
    name: &str,
    number: u64,
    method: MergeMethod,
) -> anyhow::Result<String> {
    let repo = {
        let db = lock(&state.db);
        db.repo(owner, name).cloned().ok_or_else(|| anyhow::anyhow!("no repository `{owner}/{name}`"))?
    };
    let caller = Caller::Token {
        token: String::new(),
        info: Token {
            kind: TokenKind::Pat,
            login: repo.owner.clone(),
            repos: RepoAccess::all(),
            permissions: Permissions::all(),
            expires_at: None,
            installation_account: None,
            used: 0,
        },
    };
    let req = MergeRequest { method, commit_title: None, commit_message: None, expected_head: None };
    let handle = state.repo_lock(owner, name);
    let _guard = lock(&handle);
    merge_pull(state, &caller, &repo, number, &req).map_err(|e| {
        let msg = e.0.body.as_ref().and_then(|b| b["message"].as_str()).unwrap_or("merge failed").to_string();
        anyhow::anyhow!("merging #{number} of `{owner}/{name}` failed ({}): {msg}", e.0.status)
    })
}

/// Handles one admin request.
pub(crate) fn handle(state: &State, method: &str, path: &str, _query: &str, body: &[u8]) -> Reply {
    let segs: Vec<String> = path
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(1)
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let segs: Vec<&str> = segs.iter().map(String::as_str).collect();
    let r = (|| -> Result<Reply, Reply> {
        Ok(match (method, segs.as_slice()) {
            ("GET", ["health"]) => Reply::ok(json!({ "ok": true })),
            ("POST", ["users"]) => done(state.add_user(&parse::<UserSpec>(body)?).map(|_| json!({})), 201),
            ("POST", ["orgs"]) => done(state.add_org(&parse::<OrgSpec>(body)?).map(|_| json!({})), 201),
            ("POST", ["repos"]) => {
                let spec: RepoSpec = parse(body)?;
                done(state.add_repo(&spec).map(|p| json!({ "path": p })), 201)
            }
            ("GET", ["repos", o, n]) => {
                let db = lock(&state.db);
                match db.repo(o, n) {
                    Some(r) => Reply::ok(json!({
                        "owner": r.owner, "name": r.name, "path": r.path,
                        "default_branch": r.default_branch, "private": r.private,
                    })),
                    None => Reply::json(404, json!({ "message": "no such repository" })),
                }
            }
            ("POST", ["repos", o, n, "commits"]) => {
                let b: CommitBody = parse(body)?;
                done(state.commit_files(o, n, &b.branch, &b.changes, &b.message).map(|sha| json!({ "sha": sha })), 201)
            }
            ("POST", ["repos", o, n, "pulls", num, "merge"]) => {
                let b: MergeBody =
                    if body.is_empty() { MergeBody { merge_method: MergeMethod::Merge } } else { parse(body)? };
                let number: u64 = num.parse().map_err(|_| bad("the pull request number is not a number"))?;
                done(merge_as_owner(state, o, n, number, b.merge_method).map(|sha| json!({ "sha": sha })), 200)
            }
            ("POST", ["tokens"]) => done(state.add_token(&parse::<TokenSpec>(body)?).map(|_| json!({})), 201),
            ("POST", ["apps"]) => done(state.add_app(&parse::<AppSpec>(body)?).map(|_| json!({})), 201),
            ("POST", ["installations"]) => {
                done(state.add_installation(&parse::<InstallationSpec>(body)?).map(|_| json!({})), 201)
            }
            ("GET", ["faults"]) => {
                let faults: Vec<Value> =
                    lock(&state.faults).iter().map(|f| json!({ "fault": f.fault, "seen": f.seen })).collect();
                Reply::ok(Value::Array(faults))
            }
            ("POST", ["faults"]) => done(state.add_fault(parse::<Fault>(body)?).map(|_| json!({})), 201),
            ("DELETE", ["faults"]) => {
                state.clear_faults();
                Reply::no_content()
            }
            ("GET", ["log"]) => Reply::ok(serde_json::to_value(state.log()).unwrap_or_default()),
            ("DELETE", ["log"]) => {
                state.clear_log();
                Reply::no_content()
            }
            ("PUT", ["config"]) => {
                let b: ConfigBody = parse(body)?;
                state.set_tree_truncate_at(b.tree_truncate_at);
                Reply::ok(json!({ "tree_truncate_at": b.tree_truncate_at }))
            }
            ("POST", ["seed"]) => done(state.apply_seed(&parse::<Seed>(body)?).map(|_| json!({})), 201),
            ("GET", ["test-app-key"]) => Reply::ok(json!({
                "private_key_pem": crate::test_keys::PRIVATE_KEY_PEM,
                "public_key_pem": crate::test_keys::PUBLIC_KEY_PEM,
                "private_key_path": crate::test_keys::private_key_path(),
                "public_key_path": crate::test_keys::public_key_path(),
            })),
            _ => Reply::json(404, json!({ "message": format!("no admin endpoint {method} {path}") })),
        })
    })();
    r.unwrap_or_else(|e| e)
}
