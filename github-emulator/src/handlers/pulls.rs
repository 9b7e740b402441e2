//! Pull requests: list, create, get, update, merge (merge/squash/rebase with real git
//! objects) and review requests. A pull request is an issue with a `pull` part, so PRs and
//! issues share the number sequence.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::git_data::{MoveError, move_ref, record_verified};
use super::{Ctx, list_reply, opt_bool, opt_str, opt_str_list, req_str};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Reply};
use crate::git::{EMPTY_TREE, Git, Ident};
use crate::objects::{self, PullFigures};
use crate::state::{AccountKind, Issue, Pull, Repo, State, lock};
use crate::types::{Access, MergeMethod, Perm};

/// The live figures of a pull request (full = with counts and mergeability).
pub(crate) fn figures(git: &Git, i: &Issue, full: bool) -> anyhow::Result<PullFigures> {
    let p = i.pull.as_ref().expect("figures() of a pull request");
    let live = |r: &str, stored: &str| -> String {
        if i.open {
            git.read_ref(&format!("refs/heads/{r}")).ok().flatten().unwrap_or_else(|| stored.to_string())
        } else {
            stored.to_string()
        }
    };
    let head_sha = live(&p.head_ref, &p.head_sha);
    let base_sha = live(&p.base_ref, &p.base_sha);
    let mut f = PullFigures { head_sha: head_sha.clone(), base_sha: base_sha.clone(), ..Default::default() };
    if !full {
        return Ok(f);
    }
    let not_base = format!("^{base_sha}");
    f.commits = git.count(&[&head_sha, &not_base]).unwrap_or(0);
    let mb = git.merge_base(&base_sha, &head_sha)?;
    let from = match &mb {
        Some(m) => git.resolve(m, "tree")?.unwrap_or_else(|| EMPTY_TREE.into()),
        None => EMPTY_TREE.into(),
    };
    let to = git.resolve(&head_sha, "tree")?.unwrap_or_else(|| EMPTY_TREE.into());
    let files = git.diff_trees(&from, &to)?;
    f.additions = files.iter().map(|x| x.additions).sum();
    f.deletions = files.iter().map(|x| x.deletions).sum();
    f.changed_files = files.len() as u64;
    if i.open {
        f.mergeable = Some(git.merge_tree(None, &base_sha, &head_sha)?.clean);
    }
    Ok(f)
}

fn find_pull(state: &State, repo: &Repo, number: u64) -> Result<Issue, ApiError> {
    let db = lock(&state.db);
    db.repo(&repo.owner, &repo.name)
        .and_then(|r| r.issues.get(&number))
        .filter(|i| i.pull.is_some())
        .cloned()
        .ok_or_else(ApiError::not_found)
}

fn render(ctx: &Ctx, o: &str, n: &str, number: u64, status: u16) -> ApiResult {
    let repo = ctx.repo(o, n)?;
    let issue = find_pull(ctx.state, &repo, number)?;
    let f = figures(&repo.git(), &issue, true)?;
    let body = ctx.db(|db| objects::pull_request(&ctx.urls, db, &repo, &issue, &f, false));
    Ok(Reply::json(status, body))
}

/// `GET /repos/{owner}/{repo}/pulls`
pub(crate) fn list(ctx: &Ctx, o: &str, n: &str) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::PullRequests, Access::Read)?;
    let state = ctx.query("state").unwrap_or("open");
    let head = ctx.query("head").filter(|h| !h.is_empty()).map(|h| match h.split_once(':') {
        Some((owner, branch)) => (Some(owner.to_string()), branch.to_string()),
        None => (None, h.to_string()),
    });
    let base = ctx.query("base").filter(|b| !b.is_empty());
    let mut pulls: Vec<Issue> = repo
        .issues
        .values()
        .filter(|i| i.pull.is_some())
        .filter(|i| match state {
            "closed" => !i.open,
            "all" => true,
            _ => i.open,
        })
        .filter(|i| {
            let p = i.pull.as_ref().expect("filtered on pull");
            let head_ok = match &head {
                Some((owner, branch)) => {
                    p.head_ref == *branch && owner.as_deref().is_none_or(|o| o.eq_ignore_ascii_case(&repo.owner))
                }
                None => true,
            };
            head_ok && base.is_none_or(|b| p.base_ref == b)
        })
        .cloned()
        .collect();
    let ascending = ctx.query("direction") == Some("asc");
    match ctx.query("sort").unwrap_or("created") {
        "updated" => pulls.sort_by_key(|i| (i.updated_at, i.number)),
        _ => pulls.sort_by_key(|i| i.number),
    }
    if !ascending {
        pulls.reverse();
    }
    let (page, link) = ctx.paginate(pulls);
    let git = repo.git();
    let figs: Vec<PullFigures> = page.iter().map(|i| figures(&git, i, false)).collect::<anyhow::Result<_>>()?;
    let items = ctx.db(|db| {
        page.iter().zip(&figs).map(|(i, f)| objects::pull_request(&ctx.urls, db, &repo, i, f, true)).collect()
    });
    Ok(list_reply(items, link))
}

fn invalid_field(field: &str) -> ApiError {
    ApiError::validation(vec![json!({ "resource": "PullRequest", "field": field, "code": "invalid" })])
}

fn custom(message: &str) -> ApiError {
    ApiError::validation(vec![json!({ "resource": "PullRequest", "code": "custom", "message": message })])
}

/// `POST /repos/{owner}/{repo}/pulls`
pub(crate) fn create(ctx: &Ctx, o: &str, n: &str) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::PullRequests, Access::Write)?;
    let body = ctx.body()?;
    let title = req_str(&body, "title")?.to_string();
    let head_in = req_str(&body, "head")?;
    let base = req_str(&body, "base")?.to_string();
    let text = opt_str(&body, "body")?.map(str::to_string);
    let draft = opt_bool(&body, "draft")?.unwrap_or(false);
    let head = match head_in.split_once(':') {
        Some((owner, branch)) if owner.eq_ignore_ascii_case(&repo.owner) => branch.to_string(),
        Some(_) => return Err(invalid_field("head")),
        None => head_in.to_string(),
    };
    let git = repo.git();
    if git.is_empty()? {
        return Err(invalid_field("base"));
    }
    let Some(head_sha) = git.read_ref(&format!("refs/heads/{head}"))? else {
        return Err(invalid_field("head"));
    };
    let Some(base_sha) = git.read_ref(&format!("refs/heads/{base}"))? else {
        return Err(invalid_field("base"));
    };
    let duplicate = repo
        .issues
        .values()
        .any(|i| i.open && i.pull.as_ref().is_some_and(|p| p.head_ref == head && p.base_ref == base));
    if duplicate {
        return Err(custom(&format!("A pull request already exists for {}:{head}.", repo.owner)));
    }
    if git.count(&[&head_sha, &format!("^{base_sha}")])? == 0 {
        return Err(custom(&format!("No commits between {base} and {head}")));
    }
    let actor = ctx.actor()?;
    let number = {
        let mut db = lock(&ctx.state.db);
        let issue_id = db.next_id();
        let pr_id = db.next_id();
        let rm = db.repo_mut(o, n).ok_or_else(ApiError::not_found)?;
        let number = rm.next_number;
        rm.next_number += 1;
        let now = Timestamp::now();
        rm.issues.insert(
            number,
            Issue {
                id: issue_id,
                number,
                title,
                body: text,
                open: true,
                state_reason: None,
                user: actor,
                labels: Vec::new(),
                assignees: Vec::new(),
                created_at: now,
                updated_at: now,
                closed_at: None,
                closed_by: None,
                comments: Vec::new(),
                pull: Some(Pull {
                    id: pr_id,
                    head_ref: head,
                    base_ref: base,
                    head_sha,
                    base_sha,
                    draft,
                    merged: false,
                    merged_at: None,
                    merge_commit_sha: None,
                    merged_by: None,
                    requested_reviewers: Vec::new(),
                    requested_teams: Vec::new(),
                }),
            },
        );
        number
    };
    let reply = render(ctx, o, n, number, 201)?;
    let location = reply.body.as_ref().and_then(|b| b["url"].as_str()).unwrap_or_default().to_string();
    Ok(reply.header("location", location))
}

/// `GET /repos/{owner}/{repo}/pulls/{pull_number}`
pub(crate) fn get(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::PullRequests, Access::Read)?;
    find_pull(ctx.state, &repo, number)?;
    render(ctx, o, n, number, 200)
}

/// `PATCH /repos/{owner}/{repo}/pulls/{pull_number}`
pub(crate) fn update(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::PullRequests, Access::Write)?;
    let issue = find_pull(ctx.state, &repo, number)?;
    let body = ctx.body()?;
    let title = opt_str(&body, "title")?;
    let text = opt_str(&body, "body")?;
    let state = opt_str(&body, "state")?;
    let base = opt_str(&body, "base")?;
    let git = repo.git();
    let p = issue.pull.as_ref().expect("find_pull returns pulls");
    let mut base_sha = None;
    if let Some(b) = base {
        base_sha = Some(git.read_ref(&format!("refs/heads/{b}"))?.ok_or_else(|| invalid_field("base"))?);
    }
    let reopen = state == Some("open") && !issue.open;
    if reopen {
        if p.merged {
            return Err(custom("state cannot be changed. The pull request has already been merged."));
        }
        if git.read_ref(&format!("refs/heads/{}", p.head_ref))?.is_none() {
            return Err(custom("state cannot be changed. The head branch was deleted."));
        }
    }
    if let Some(s) = state
        && s != "open"
        && s != "closed"
    {
        return Err(invalid_field("state"));
    }
    {
        let actor = ctx.caller.login().map(str::to_string);
        let mut db = lock(&ctx.state.db);
        let rm = db.repo_mut(o, n).ok_or_else(ApiError::not_found)?;
        let i = rm.issues.get_mut(&number).ok_or_else(ApiError::not_found)?;
        let now = Timestamp::now();
        if let Some(t) = title {
            i.title = t.to_string();
        }
        if body.get("body").is_some() {
            i.body = text.map(str::to_string);
        }
        let pull = i.pull.as_mut().expect("a pull request");
        if let (Some(b), Some(sha)) = (base, base_sha) {
            pull.base_ref = b.to_string();
            pull.base_sha = sha;
        }
        match state {
            Some("closed") if i.open => {
                if let Ok(Some(h)) = git.read_ref(&format!("refs/heads/{}", pull.head_ref)) {
                    pull.head_sha = h;
                }
                if let Ok(Some(b)) = git.read_ref(&format!("refs/heads/{}", pull.base_ref)) {
                    pull.base_sha = b;
                }
                i.open = false;
                i.closed_at = Some(now);
                i.closed_by = actor;
            }
            Some("open") if reopen => {
                i.open = true;
                i.closed_at = None;
                i.closed_by = None;
            }
            _ => {}
        }
        i.updated_at = now;
    }
    render(ctx, o, n, number, 200)
}

/// `GET /repos/{owner}/{repo}/pulls/{pull_number}/merge`: 204 when merged, 404 otherwise.
pub(crate) fn check_merged(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::PullRequests, Access::Read)?;
    let issue = find_pull(ctx.state, &repo, number)?;
    if issue.pull.as_ref().is_some_and(|p| p.merged) { Ok(Reply::no_content()) } else { Err(ApiError::not_found()) }
}

/// Options of a merge.
pub(crate) struct MergeRequest {
    pub method: MergeMethod,
    pub commit_title: Option<String>,
    pub commit_message: Option<String>,
    pub expected_head: Option<String>,
}

fn not_mergeable(message: &str) -> ApiError {
    ApiError::new(405, message)
}

/// Merges a pull request the way GitHub does; returns the sha the base branch now points
/// at (the merge commit, the squash commit, or the last rebased commit).
pub(crate) fn merge_pull(
    state: &State,
    caller: &Caller,
    repo: &Repo,
    number: u64,
    req: &MergeRequest,
) -> Result<String, ApiError> {
    let issue = find_pull(state, repo, number)?;
    let p = issue.pull.clone().expect("find_pull returns pulls");
    if !issue.open || p.merged {
        return Err(not_mergeable("Pull Request is not mergeable"));
    }
    if p.draft {
        return Err(not_mergeable("Pull Request is still a draft"));
    }
    let git = repo.git();
    let Some(head) = git.read_ref(&format!("refs/heads/{}", p.head_ref))? else {
        return Err(not_mergeable("Pull Request is not mergeable"));
    };
    let Some(base) = git.read_ref(&format!("refs/heads/{}", p.base_ref))? else {
        return Err(not_mergeable("Pull Request is not mergeable"));
    };
    if let Some(expected) = &req.expected_head
        && *expected != head
    {
        return Err(ApiError::new(409, "Head branch was modified. Review and try the merge again."));
    }
    let me = {
        let db = lock(&state.db);
        db.identity(caller.login().unwrap_or(&repo.owner))
    };
    let github = Ident::now("GitHub", "noreply@github.com");
    let mut signed = Vec::new();
    let new_tip = match req.method {
        MergeMethod::Merge | MergeMethod::Squash => {
            let merged = git.merge_tree(None, &base, &head)?;
            if !merged.clean {
                return Err(not_mergeable("Pull Request is not mergeable"));
            }
            let sha = if req.method == MergeMethod::Merge {
                let title = req
                    .commit_title
                    .clone()
                    .unwrap_or_else(|| format!("Merge pull request #{number} from {}/{}", repo.owner, p.head_ref));
                let body = req.commit_message.clone().unwrap_or_else(|| issue.title.clone());
                let message = format!("{title}\n\n{body}");
                git.commit_tree(&merged.tree, &[base.clone(), head.clone()], &message, &me, &github)?
            } else {
                // GitHub's default (`COMMIT_OR_PR_TITLE`, `COMMIT_MESSAGES`): a single commit
                // gives its own title and body; several give the PR title and a list.
                let shas = git.rev_list(&["--reverse", &head, &format!("^{base}")])?;
                let commits = git.read_commits(&shas)?;
                let (default_title, default_body) = match commits.as_slice() {
                    [only] => {
                        let msg = only.message.trim_end();
                        let (t, b) = msg.split_once('\n').unwrap_or((msg, ""));
                        (format!("{} (#{number})", t.trim()), b.trim_start_matches('\n').to_string())
                    }
                    many => (
                        format!("{} (#{number})", issue.title),
                        many.iter().map(|c| format!("* {}", c.message.trim_end())).collect::<Vec<_>>().join("\n\n"),
                    ),
                };
                let title = req.commit_title.clone().unwrap_or(default_title);
                let body = req.commit_message.clone().unwrap_or(default_body);
                let message = if body.is_empty() { title } else { format!("{title}\n\n{body}") };
                git.commit_tree(&merged.tree, std::slice::from_ref(&base), &message, &me, &github)?
            };
            signed.push(sha.clone());
            sha
        }
        MergeMethod::Rebase => {
            let shas = git.rev_list(&["--reverse", "--topo-order", &head, &format!("^{base}")])?;
            let commits = git.read_commits(&shas)?;
            let mut tip = base.clone();
            for c in commits {
                if c.parents.len() > 1 {
                    return Err(not_mergeable("This branch can't be rebased"));
                }
                let parent = c.parents.first().cloned().unwrap_or_else(|| EMPTY_TREE.to_string());
                let picked = git.merge_tree(Some(&parent), &tip, &c.sha)?;
                if !picked.clean {
                    return Err(not_mergeable("This branch can't be rebased"));
                }
                let committer = Ident::now("GitHub", "noreply@github.com");
                tip = git.commit_tree(&picked.tree, std::slice::from_ref(&tip), &c.message, &c.author, &committer)?;
                signed.push(tip.clone());
            }
            tip
        }
    };
    for s in &signed {
        record_verified(state, repo, s, true);
    }
    move_ref(state, caller, repo, &format!("refs/heads/{}", p.base_ref), &new_tip, Some(&base)).map_err(
        |e| match e {
            MoveError::Api(e) => e,
            MoveError::Stale => ApiError::new(409, "Base branch was modified. Review and try the merge again."),
        },
    )?;
    let mut db = lock(&state.db);
    if let Some(i) = db.repo_mut(&repo.owner, &repo.name).and_then(|r| r.issues.get_mut(&number))
        && let Some(pull) = i.pull.as_mut()
    {
        let now = Timestamp::now();
        pull.merged = true;
        pull.merged_at = Some(now);
        pull.merge_commit_sha = Some(new_tip.clone());
        pull.merged_by = caller.login().map(str::to_string).or_else(|| Some(repo.owner.clone()));
        pull.head_sha = head;
        pull.base_sha = new_tip.clone();
        i.open = false;
        i.closed_at = Some(now);
        i.updated_at = now;
    }
    Ok(new_tip)
}

/// `PUT /repos/{owner}/{repo}/pulls/{pull_number}/merge`
pub(crate) fn merge(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::Contents, Access::Write)?;
    let body = ctx.body()?;
    let method = match opt_str(&body, "merge_method")?.unwrap_or("merge") {
        "merge" => MergeMethod::Merge,
        "squash" => MergeMethod::Squash,
        "rebase" => MergeMethod::Rebase,
        _ => return Err(invalid_field("merge_method")),
    };
    let req = MergeRequest {
        method,
        commit_title: opt_str(&body, "commit_title")?.map(str::to_string),
        commit_message: opt_str(&body, "commit_message")?.map(str::to_string),
        expected_head: opt_str(&body, "sha")?.map(str::to_string),
    };
    let sha = merge_pull(ctx.state, &ctx.caller, &repo, number, &req)?;
    Ok(Reply::ok(json!({ "sha": sha, "merged": true, "message": "Pull Request successfully merged" })))
}

/// `POST /repos/{owner}/{repo}/pulls/{pull_number}/requested_reviewers`
pub(crate) fn request_reviewers(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    let repo = ctx.repo_with(o, n, Perm::PullRequests, Access::Write)?;
    let issue = find_pull(ctx.state, &repo, number)?;
    let body = ctx.body()?;
    let reviewers = opt_str_list(&body, "reviewers")?.unwrap_or_default();
    let teams = opt_str_list(&body, "team_reviewers")?.unwrap_or_default();
    let not_collaborator = || {
        ApiError::unprocessable(&format!(
            "Reviews may only be requested from collaborators. One or more of the users or teams you specified is not a collaborator of the {} repository.",
            repo.full_name()
        ))
    };
    let reviewers: Vec<String> = {
        let db = lock(&ctx.state.db);
        let mut out = Vec::new();
        for r in &reviewers {
            if r.eq_ignore_ascii_case(&issue.user) {
                return Err(ApiError::unprocessable("Review cannot be requested from pull request author."));
            }
            match db.account(r) {
                Some(a) if a.kind == AccountKind::User => out.push(a.login.clone()),
                _ => return Err(not_collaborator()),
            }
        }
        let org_owned = db.account(&repo.owner).is_some_and(|a| a.kind == AccountKind::Organization);
        if !teams.is_empty() && !org_owned {
            return Err(not_collaborator());
        }
        out
    };
    {
        let mut db = lock(&ctx.state.db);
        let rm = db.repo_mut(o, n).ok_or_else(ApiError::not_found)?;
        let i = rm.issues.get_mut(&number).ok_or_else(ApiError::not_found)?;
        let p = i.pull.as_mut().expect("a pull request");
        for r in reviewers {
            if !p.requested_reviewers.iter().any(|x| x.eq_ignore_ascii_case(&r)) {
                p.requested_reviewers.push(r);
            }
        }
        for t in teams {
            if !p.requested_teams.iter().any(|x| x.eq_ignore_ascii_case(&t)) {
                p.requested_teams.push(t);
            }
        }
        i.updated_at = Timestamp::now();
    }
    let repo = ctx.repo(o, n)?;
    let issue = find_pull(ctx.state, &repo, number)?;
    let f = figures(&repo.git(), &issue, false)?;
    let body: Value = ctx.db(|db| objects::pull_request(&ctx.urls, db, &repo, &issue, &f, true));
    Ok(Reply::created(body))
}
