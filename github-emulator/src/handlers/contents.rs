//! The contents API: read a file or directory, create or update one file (the way a
//! client bootstraps an empty repository).

use serde_json::{Value, json};

use super::git_data::{MoveError, TreeEdit, build_tree, commit_identities, decode_base64, move_ref, record_verified};
use super::{Ctx, opt_str, req_str};
use crate::error::{ApiError, ApiResult, Reply};
use crate::objects;
use crate::state::lock;
use crate::types::{Access, Perm};

/// `GET /repos/{owner}/{repo}/contents/{path}`
pub(crate) fn get(ctx: &Ctx, o: &str, n: &str, path: &str) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::Contents, Access::Read)?;
    let git = repo.git();
    if git.is_empty()? {
        return Err(ApiError::new(404, "This repository is empty."));
    }
    let r = ctx.query("ref").filter(|r| !r.is_empty()).unwrap_or(&repo.default_branch).to_string();
    let Some(commit) = git.resolve_commitish(&r)? else {
        return Err(ApiError::new(404, &format!("No commit found for the ref {r}")));
    };
    let path = path.trim_matches('/');
    let listing = |tree: &str, prefix: &str| -> Result<Value, ApiError> {
        let entries = git.ls_tree_level(tree)?;
        Ok(Value::Array(
            entries
                .iter()
                .map(|e| {
                    let p = if prefix.is_empty() { e.path.clone() } else { format!("{prefix}/{}", e.path) };
                    objects::content_entry(&ctx.urls, &repo, &r, &p, e, None)
                })
                .collect(),
        ))
    };
    if path.is_empty() {
        let tree = git.resolve(&commit, "tree")?.ok_or_else(ApiError::not_found)?;
        return Ok(Reply::ok(listing(&tree, "")?));
    }
    let entry = git.entry_at(&commit, path)?.ok_or_else(ApiError::not_found)?;
    match entry.kind.as_str() {
        "tree" => Ok(Reply::ok(listing(&entry.sha, path)?)),
        "blob" => {
            let data = git.read_blob(&entry.sha)?;
            Ok(Reply::ok(objects::content_entry(&ctx.urls, &repo, &r, path, &entry, Some(&data))))
        }
        _ => Ok(Reply::ok(objects::content_entry(&ctx.urls, &repo, &r, path, &entry, None))),
    }
}

/// `PUT /repos/{owner}/{repo}/contents/{path}`
pub(crate) fn put(ctx: &Ctx, o: &str, n: &str, path: &str) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::Contents, Access::Write)?;
    let git = repo.git();
    let body = ctx.body()?;
    let message = req_str(&body, "message")?;
    let content = req_str(&body, "content")?;
    let data = decode_base64(content).ok_or_else(|| ApiError::unprocessable("content is not valid Base64"))?;
    let expected = opt_str(&body, "sha")?;
    let branch = opt_str(&body, "branch")?.unwrap_or(&repo.default_branch).to_string();
    let path = path.trim_matches('/').to_string();
    let empty = git.is_empty()?;
    let full = format!("refs/heads/{branch}");
    let (tip, base_tree, created) = if empty {
        (None, None, true)
    } else {
        let Some(tip) = git.read_ref(&full)? else {
            return Err(ApiError::new(404, &format!("Branch {branch} not found")));
        };
        let existing = git.entry_at(&tip, &path)?;
        let created = match &existing {
            None => true,
            Some(e) if e.kind != "blob" => {
                return Err(ApiError::unprocessable(&format!("{path} is a directory")));
            }
            Some(e) => match expected {
                None => return Err(ApiError::invalid_body("\"sha\" wasn't supplied.")),
                Some(s) if s != e.sha => return Err(ApiError::new(409, &format!("{path} does not match {s}"))),
                Some(_) => false,
            },
        };
        let tree = git.resolve(&tip, "tree")?;
        (Some(tip), tree, created)
    };
    let blob = git.write_blob(&data)?;
    let edit = TreeEdit { path: path.clone(), mode: "100644".into(), kind: "blob".into(), sha: Some(blob.clone()) };
    let tree = build_tree(&git, base_tree.as_deref(), &[edit])?;
    let (author, committer, signed) = commit_identities(ctx, &body)?;
    let parents: Vec<String> = tip.iter().cloned().collect();
    let sha = git.commit_tree(&tree, &parents, message, &author, &committer)?;
    record_verified(ctx.state, &repo, &sha, signed);
    move_ref(ctx.state, &ctx.caller, &repo, &full, &sha, tip.as_deref()).map_err(|e| match e {
        MoveError::Api(e) => e,
        MoveError::Stale => ApiError::new(409, &format!("{branch} was modified; try again")),
    })?;
    if empty && branch != repo.default_branch {
        // The first branch pushed to an empty repository becomes its default branch.
        if let Some(r) = lock(&ctx.state.db).repo_mut(o, n) {
            r.default_branch = branch.clone();
        }
    }
    let repo = ctx.repo(o, n)?;
    let entry = git.entry_at(&sha, &path)?.ok_or_else(|| anyhow::anyhow!("the file just written is missing"))?;
    let c = git.read_commit(&sha)?;
    let body = json!({
        "content": objects::content_entry(&ctx.urls, &repo, &branch, &path, &entry, None),
        "commit": objects::git_commit(&ctx.urls, &repo, &c),
    });
    Ok(Reply::json(if created { 201 } else { 200 }, body))
}
