//! Commit history, single commits and comparisons (`/commits`, `/compare`).

use serde_json::{Value, json};

use super::{Ctx, list_reply};
use crate::error::{ApiError, ApiResult, Reply};
use crate::git::{EMPTY_TREE, Git};
use crate::objects;
use crate::types::{Access, Perm};

/// `GET /repos/{owner}/{repo}/commits`
pub(crate) fn list(ctx: &Ctx, o: &str, n: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Read)?;
    let git = repo.git();
    let rev = ctx.query("sha").filter(|s| !s.is_empty()).unwrap_or(&repo.default_branch).to_string();
    let Some(start) = git.resolve_commitish(&rev)? else {
        return Err(ApiError::new(404, &format!("No commit found for SHA: {rev}")));
    };
    let mut filters: Vec<String> = Vec::new();
    for (param, flag) in [("since", "--since"), ("until", "--until")] {
        if let Some(v) = ctx.query(param).filter(|v| !v.is_empty()) {
            let t: jiff::Timestamp = v.parse().map_err(|_| ApiError::new(400, &format!("Invalid `{param}` value")))?;
            filters.push(format!("{flag}={}", objects::ts(t)));
        }
    }
    let path = ctx.query("path").map(|p| p.trim_matches('/').to_string()).filter(|p| !p.is_empty());
    let (per_page, page) = ctx.paging();
    let mut count_args: Vec<&str> = vec![&start];
    count_args.extend(filters.iter().map(String::as_str));
    if let Some(p) = &path {
        count_args.push("--");
        count_args.push(p);
    }
    let total = git.count(&count_args)? as usize;
    let max = format!("--max-count={per_page}");
    let skip = format!("--skip={}", (page - 1) * per_page);
    let mut args: Vec<&str> = vec![&max, &skip, &start];
    args.extend(filters.iter().map(String::as_str));
    if let Some(p) = &path {
        args.push("--");
        args.push(p);
    }
    let shas = git.rev_list(&args)?;
    let commits = git.read_commits(&shas)?;
    let repo = ctx.repo(o, n)?;
    let items: Vec<Value> =
        ctx.db(|db| commits.iter().map(|c| objects::commit(&ctx.urls, db, &repo, c, None)).collect());
    let last = total.div_ceil(per_page).max(1);
    Ok(list_reply(items, ctx.link_header(page, last, per_page)))
}

/// The files a commit changed against its first parent.
fn commit_files(git: &Git, sha: &str) -> anyhow::Result<Vec<crate::git::DiffFile>> {
    let c = git.read_commit(sha)?;
    let from = match c.parents.first() {
        Some(p) => git.resolve(p, "tree")?.unwrap_or_else(|| EMPTY_TREE.to_string()),
        None => EMPTY_TREE.to_string(),
    };
    git.diff_trees(&from, &c.tree)
}

/// `GET /repos/{owner}/{repo}/commits/{ref}`
pub(crate) fn get(ctx: &Ctx, o: &str, n: &str, r: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Read)?;
    let git = repo.git();
    let Some(sha) = git.resolve_commitish(r)? else {
        return Err(ApiError::unprocessable(&format!("No commit found for SHA: {r}")));
    };
    let c = git.read_commit(&sha)?;
    let files = commit_files(&git, &sha)?;
    Ok(Reply::ok(ctx.db(|db| objects::commit(&ctx.urls, db, &repo, &c, Some(&files)))))
}

/// Resolves one side of a comparison: `branch`, `sha`, `owner:branch`.
fn side(git: &Git, owner: &str, s: &str) -> Result<Option<String>, ApiError> {
    let s = match s.split_once(':') {
        Some((o, rest)) if o.eq_ignore_ascii_case(owner) => rest.rsplit(':').next().unwrap_or(rest),
        Some(_) => return Ok(None),
        None => s,
    };
    Ok(git.resolve_commitish(s)?)
}

/// `GET /repos/{owner}/{repo}/compare/{base}...{head}`
pub(crate) fn compare(ctx: &Ctx, o: &str, n: &str, basehead: &str) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::Contents, Access::Read)?;
    let git = repo.git();
    if git.is_empty()? {
        return Err(ApiError::not_found());
    }
    let (base_s, head_s) =
        basehead.split_once("...").or_else(|| basehead.split_once("..")).ok_or_else(ApiError::not_found)?;
    let base = side(&git, &repo.owner, base_s)?.ok_or_else(ApiError::not_found)?;
    let head = side(&git, &repo.owner, head_s)?.ok_or_else(ApiError::not_found)?;
    let Some(merge_base) = git.merge_base(&base, &head)? else {
        return Err(ApiError::new(404, &format!("No common ancestor between {base_s} and {head_s}.")));
    };
    let not_base = format!("^{base}");
    let not_head = format!("^{head}");
    let ahead = git.count(&[&head, &not_base])?;
    let behind = git.count(&[&base, &not_head])?;
    let status = match (ahead, behind) {
        (0, 0) => "identical",
        (_, 0) => "ahead",
        (0, _) => "behind",
        _ => "diverged",
    };
    let shas = git.rev_list(&["--topo-order", "--reverse", &head, &not_base])?;
    // Without paging parameters GitHub lists up to 250 commits; with them, one page.
    let shas: Vec<String> = if ctx.query("per_page").is_some() || ctx.query("page").is_some() {
        let (per_page, page) = ctx.paging();
        shas.into_iter().skip((page - 1) * per_page).take(per_page).collect()
    } else {
        shas.into_iter().take(250).collect()
    };
    let commits = git.read_commits(&shas)?;
    let merge_base_tree = git.resolve(&merge_base, "tree")?.unwrap_or_else(|| EMPTY_TREE.to_string());
    let head_tree = git.resolve(&head, "tree")?.unwrap_or_else(|| EMPTY_TREE.to_string());
    let files = git.diff_trees(&merge_base_tree, &head_tree)?;
    let base_c = git.read_commit(&base)?;
    let mb_c = git.read_commit(&merge_base)?;
    let repo = ctx.repo(o, n)?;
    let api = ctx.urls.repo_api(&repo);
    let web = ctx.urls.repo_web(&repo);
    let body = ctx.db(|db| {
        json!({
            "url": format!("{api}/compare/{basehead}"),
            "html_url": format!("{web}/compare/{basehead}"),
            "permalink_url": format!("{web}/compare/{}:{}...{}:{}", repo.owner, &base[..7], repo.owner, &head[..7]),
            "diff_url": format!("{web}/compare/{basehead}.diff"),
            "patch_url": format!("{web}/compare/{basehead}.patch"),
            "base_commit": objects::commit(&ctx.urls, db, &repo, &base_c, None),
            "merge_base_commit": objects::commit(&ctx.urls, db, &repo, &mb_c, None),
            "status": status,
            "ahead_by": ahead,
            "behind_by": behind,
            "total_commits": ahead,
            "commits": commits.iter().map(|c| objects::commit(&ctx.urls, db, &repo, c, None)).collect::<Vec<_>>(),
            "files": files.iter().map(|f| objects::diff_entry(&ctx.urls, &repo, &head, f)).collect::<Vec<_>>(),
        })
    });
    Ok(Reply::ok(body))
}

/// `POST /repos/{owner}/{repo}/merges`: merges `head` (a branch or sha) into the branch `base`
/// as GitHub does: 201 with the merge commit, 204 when `base` already contains `head`,
/// 409 "Merge conflict", 404 "Base does not exist" / "Head does not exist".
pub(crate) fn merge_branches(ctx: &Ctx, o: &str, n: &str) -> ApiResult {
    use super::git_data::{MoveError, move_ref, record_verified};
    use super::{opt_str, req_str};
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Write)?;
    let git = repo.git();
    let body = ctx.body()?;
    let base_name = req_str(&body, "base")?;
    let head_name = req_str(&body, "head")?;
    let full = format!("refs/heads/{base_name}");
    let Some(base) = git.read_ref(&full)? else {
        return Err(ApiError::new(404, "Base does not exist"));
    };
    let Some(head) = side(&git, &repo.owner, head_name)? else {
        return Err(ApiError::new(404, "Head does not exist"));
    };
    if git.is_ancestor(&head, &base)? {
        return Ok(Reply::no_content());
    }
    let merged = git.merge_tree(None, &base, &head)?;
    if !merged.clean {
        return Err(ApiError::new(409, "Merge conflict"));
    }
    let message = opt_str(&body, "commit_message")?
        .map(str::to_string)
        .unwrap_or_else(|| format!("Merge {head_name} into {base_name}"));
    let actor = ctx.actor()?;
    let me = ctx.db(|db| db.identity(&actor));
    let github = crate::git::Ident::now("GitHub", "noreply@github.com");
    let sha = git.commit_tree(&merged.tree, &[base.clone(), head.clone()], &message, &me, &github)?;
    record_verified(ctx.state, &repo, &sha, true);
    move_ref(ctx.state, &ctx.caller, &repo, &full, &sha, Some(&base)).map_err(|e| match e {
        MoveError::Api(e) => e,
        MoveError::Stale => ApiError::new(409, "Base branch was modified. Review and try the merge again."),
    })?;
    let c = git.read_commit(&sha)?;
    let files = commit_files(&git, &sha)?;
    let repo = ctx.repo(o, n)?;
    let body = ctx.db(|db| objects::commit(&ctx.urls, db, &repo, &c, Some(&files)));
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::created(body).header("location", location))
}
