//! Issues (pull requests are issues too): get, update, labels, assignees, comments.
//! Labels are created on first use.

use jiff::Timestamp;
use serde_json::Value;

use super::{Ctx, list_reply, opt_str, opt_str_list, req_str};
use crate::error::{ApiError, ApiResult, Reply};
use crate::objects;
use crate::state::{AccountKind, Comment, Db, Issue, Label, Repo, lock};
use crate::types::{Access, Perm};

/// The issue (404 when missing) and the permission check: a pull request accepts either
/// `issues` or `pull_requests`.
fn load(ctx: &Ctx, o: &str, n: &str, number: u64, level: Access) -> Result<(Repo, Issue), ApiError> {
    let repo = ctx.repo(o, n)?;
    let issue = repo.issues.get(&number).cloned().ok_or_else(ApiError::not_found)?;
    let db = lock(&ctx.state.db);
    if issue.pull.is_some() {
        ctx.caller.require_any(&db, &repo, &[Perm::Issues, Perm::PullRequests], level)?;
    } else {
        ctx.caller.require(&db, &repo, Perm::Issues, level)?;
    }
    Ok((repo, issue))
}

fn render(ctx: &Ctx, o: &str, n: &str, number: u64, status: u16) -> ApiResult {
    let repo = ctx.repo(o, n)?;
    let issue = repo.issues.get(&number).ok_or_else(ApiError::not_found)?;
    Ok(Reply::json(status, ctx.db(|db| objects::issue(&ctx.urls, db, &repo, issue))))
}

/// Runs `f` on the stored issue.
fn with_issue<T>(
    ctx: &Ctx,
    o: &str,
    n: &str,
    number: u64,
    f: impl FnOnce(&mut Db, &mut Issue) -> T,
) -> Result<T, ApiError> {
    let mut db = lock(&ctx.state.db);
    let mut issue = db.repo(o, n).and_then(|r| r.issues.get(&number)).cloned().ok_or_else(ApiError::not_found)?;
    let out = f(&mut db, &mut issue);
    issue.updated_at = Timestamp::now();
    if let Some(r) = db.repo_mut(o, n) {
        r.issues.insert(number, issue);
    }
    Ok(out)
}

/// Makes sure the labels exist in the repository; returns their stored names.
fn ensure_labels(db: &mut Db, o: &str, n: &str, names: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for name in names {
        let name = name.trim();
        if name.is_empty() {
            continue;
        }
        let id = db.next_id();
        let Some(repo) = db.repo_mut(o, n) else { continue };
        let stored = match repo.labels.iter().find(|l| l.name.eq_ignore_ascii_case(name)) {
            Some(l) => l.name.clone(),
            None => {
                repo.labels.push(Label { id, name: name.to_string(), color: "ededed".into(), description: None });
                name.to_string()
            }
        };
        if !out.iter().any(|x: &String| x.eq_ignore_ascii_case(&stored)) {
            out.push(stored);
        }
    }
    out
}

/// Assignees GitHub would accept (existing users); others are silently dropped.
fn assignable(db: &Db, logins: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for l in logins {
        if let Some(a) = db.account(l).filter(|a| a.kind == AccountKind::User)
            && !out.iter().any(|x| x.eq_ignore_ascii_case(&a.login))
        {
            out.push(a.login.clone());
        }
    }
    out
}

/// `GET /repos/{owner}/{repo}/issues/{issue_number}`
pub(crate) fn get(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    load(ctx, o, n, number, Access::Read)?;
    render(ctx, o, n, number, 200)
}

/// `PATCH /repos/{owner}/{repo}/issues/{issue_number}`
pub(crate) fn update(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    let (repo, _) = load(ctx, o, n, number, Access::Write)?;
    let body = ctx.body()?;
    let title = match body.get("title") {
        Some(Value::Number(num)) => Some(num.to_string()),
        _ => opt_str(&body, "title")?.map(str::to_string),
    };
    let text = opt_str(&body, "body")?.map(str::to_string);
    let state = opt_str(&body, "state")?;
    if state.is_some_and(|s| s != "open" && s != "closed") {
        return Err(ApiError::validation(vec![
            serde_json::json!({ "resource": "Issue", "field": "state", "code": "invalid" }),
        ]));
    }
    let state_reason = opt_str(&body, "state_reason")?.map(str::to_string);
    let labels = opt_str_list(&body, "labels")?;
    let mut assignees = opt_str_list(&body, "assignees")?;
    if assignees.is_none()
        && let Some(a) = body.get("assignee")
    {
        assignees = Some(a.as_str().map(|s| vec![s.to_string()]).unwrap_or_default());
    }
    let actor = ctx.caller.login().map(str::to_string);
    let git = repo.git();
    with_issue(ctx, o, n, number, |db, i| {
        if let Some(t) = title {
            i.title = t;
        }
        if body.get("body").is_some() {
            i.body = text;
        }
        if let Some(l) = labels {
            i.labels = ensure_labels(db, o, n, &l);
        }
        if let Some(a) = assignees {
            i.assignees = assignable(db, &a);
        }
        let now = Timestamp::now();
        match state {
            Some("closed") if i.open => {
                if let Some(p) = i.pull.as_mut() {
                    if let Ok(Some(h)) = git.read_ref(&format!("refs/heads/{}", p.head_ref)) {
                        p.head_sha = h;
                    }
                    if let Ok(Some(b)) = git.read_ref(&format!("refs/heads/{}", p.base_ref)) {
                        p.base_sha = b;
                    }
                }
                i.open = false;
                i.closed_at = Some(now);
                i.closed_by = actor;
                i.state_reason =
                    if i.pull.is_some() { None } else { Some(state_reason.unwrap_or_else(|| "completed".into())) };
            }
            Some("open") if !i.open && !i.pull.as_ref().is_some_and(|p| p.merged) => {
                i.open = true;
                i.closed_at = None;
                i.closed_by = None;
                i.state_reason = if i.pull.is_some() { None } else { Some("reopened".into()) };
            }
            _ => {}
        }
    })?;
    render(ctx, o, n, number, 200)
}

/// `POST /repos/{owner}/{repo}/issues/{issue_number}/labels`
pub(crate) fn add_labels(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    load(ctx, o, n, number, Access::Write)?;
    let body = ctx.body()?;
    let names = match &body {
        Value::Array(_) => opt_str_list(&serde_json::json!({ "labels": body }), "labels")?,
        Value::String(s) => Some(vec![s.clone()]),
        _ => opt_str_list(&body, "labels")?,
    }
    .unwrap_or_default();
    if names.is_empty() {
        return Err(ApiError::invalid_body("No subschema in \"anyOf\" matched."));
    }
    with_issue(ctx, o, n, number, |db, i| {
        let added = ensure_labels(db, o, n, &names);
        for l in added {
            if !i.labels.iter().any(|x| x.eq_ignore_ascii_case(&l)) {
                i.labels.push(l);
            }
        }
    })?;
    issue_labels(ctx, o, n, number)
}

/// The issue's labels, the answer of the label endpoints.
fn issue_labels(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    let repo = ctx.repo(o, n)?;
    let issue = repo.issues.get(&number).ok_or_else(ApiError::not_found)?;
    Ok(Reply::ok(Value::Array(objects::labels_of(&ctx.urls, &repo, issue))))
}

/// `DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}`: the labels left, or
/// 404 "Label does not exist" when the issue does not have it (as GitHub answers).
pub(crate) fn remove_label(ctx: &Ctx, o: &str, n: &str, number: u64, name: &str) -> ApiResult {
    load(ctx, o, n, number, Access::Write)?;
    let mut had = false;
    with_issue(ctx, o, n, number, |_, i| {
        let before = i.labels.len();
        i.labels.retain(|x| !x.eq_ignore_ascii_case(name));
        had = i.labels.len() != before;
    })?;
    if !had {
        return Err(ApiError::new(404, "Label does not exist"));
    }
    issue_labels(ctx, o, n, number)
}

/// `POST /repos/{owner}/{repo}/issues/{issue_number}/assignees`
pub(crate) fn add_assignees(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    load(ctx, o, n, number, Access::Write)?;
    let body = ctx.body()?;
    let wanted = opt_str_list(&body, "assignees")?.unwrap_or_default();
    with_issue(ctx, o, n, number, |db, i| {
        for a in assignable(db, &wanted) {
            if !i.assignees.iter().any(|x| x.eq_ignore_ascii_case(&a)) && i.assignees.len() < 10 {
                i.assignees.push(a);
            }
        }
    })?;
    render(ctx, o, n, number, 201)
}

/// `GET /repos/{owner}/{repo}/issues/{issue_number}/comments`
pub(crate) fn list_comments(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    let (repo, issue) = load(ctx, o, n, number, Access::Read)?;
    let (page, link) = ctx.paginate(issue.comments.clone());
    let items = ctx.db(|db| page.iter().map(|c| objects::issue_comment(&ctx.urls, db, &repo, &issue, c)).collect());
    Ok(list_reply(items, link))
}

/// `POST /repos/{owner}/{repo}/issues/{issue_number}/comments`
pub(crate) fn create_comment(ctx: &Ctx, o: &str, n: &str, number: u64) -> ApiResult {
    load(ctx, o, n, number, Access::Write)?;
    let body = ctx.body()?;
    let text = req_str(&body, "body")?.to_string();
    if text.trim().is_empty() {
        return Err(ApiError::validation(vec![
            serde_json::json!({ "resource": "IssueComment", "field": "body", "code": "missing_field" }),
        ]));
    }
    let actor = ctx.actor()?;
    let comment = with_issue(ctx, o, n, number, |db, i| {
        let now = Timestamp::now();
        let c = Comment { id: db.next_id(), user: actor, body: text, created_at: now, updated_at: now };
        i.comments.push(c.clone());
        c
    })?;
    let repo = ctx.repo(o, n)?;
    let issue = repo.issues.get(&number).ok_or_else(ApiError::not_found)?;
    let body = ctx.db(|db| objects::issue_comment(&ctx.urls, db, &repo, issue, &comment));
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::created(body).header("location", location))
}
