//! Repositories: get and create (for the user, in an organisation).

use serde_json::{Value, json};

use super::{Ctx, opt_bool, opt_str, req_str};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Reply};
use crate::objects;
use crate::state::{AccountKind, Db, Repo, lock};
use crate::types::{Access, Perm, RepoAccess, RepoSpec, TokenKind};

/// The `permissions` block for the caller, when authenticated.
pub(crate) fn permissions_for(db: &Db, caller: &Caller, repo: &Repo) -> Option<Value> {
    match caller {
        Caller::Token { info, .. } => {
            Some(objects::repo_permissions(&info.permissions, caller.covers(db, repo), !repo.private))
        }
        _ => None,
    }
}

/// `GET /repos/{owner}/{repo}`
pub(crate) fn get(ctx: &Ctx, owner: &str, name: &str) -> ApiResult {
    let repo = ctx.repo_with(owner, name, Perm::Metadata, Access::Read)?;
    ctx.db(|db| {
        let perms = permissions_for(db, &ctx.caller, &repo);
        Ok(Reply::ok(objects::repository(&ctx.urls, db, &repo, perms)))
    })
}

fn name_taken() -> ApiError {
    let mut e = ApiError::validation(vec![json!({
        "resource": "Repository",
        "code": "custom",
        "field": "name",
        "message": "name already exists on this account",
    })]);
    if let Some(b) = e.0.body.as_mut() {
        b["message"] = json!("Repository creation failed.");
    }
    e
}

fn create(ctx: &Ctx, owner: &str) -> ApiResult {
    let body = ctx.body()?;
    let name = req_str(&body, "name")?;
    if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.') {
        return Err(ApiError::validation(vec![json!({
            "resource": "Repository", "code": "custom", "field": "name",
            "message": "name can only contain ASCII letters, digits, and the characters ., -, and _",
        })]));
    }
    let private = match opt_str(&body, "visibility")? {
        Some("private") | Some("internal") => true,
        Some(_) => false,
        None => opt_bool(&body, "private")?.unwrap_or(false),
    };
    let auto_init = opt_bool(&body, "auto_init")?.unwrap_or(false);
    if ctx.db(|db| db.repo(owner, name).is_some()) {
        return Err(name_taken());
    }
    let actor = ctx.actor()?;
    let author = ctx.db(|db| db.identity(&actor));
    let spec = RepoSpec {
        owner: owner.to_string(),
        name: name.to_string(),
        default_branch: "main".into(),
        private,
        empty: !auto_init,
    };
    let mut repo = ctx
        .state
        .create_repo(&spec, Some(author))
        .map_err(|e| if e.to_string().contains("already exists") { name_taken() } else { ApiError::from(e) })?;
    let description = opt_str(&body, "description")?.map(str::to_string);
    let mut db = lock(&ctx.state.db);
    if let Some(r) = db.repo_mut(owner, name) {
        r.description = description;
        repo = r.clone();
    }
    // The creator (a selected-repositories token) gets access to what it created.
    if let Caller::Token { token, .. } = &ctx.caller
        && let Some(t) = db.tokens.get_mut(token)
        && let RepoAccess::Only(list) = &mut t.repos
    {
        list.push(repo.full_name());
    }
    let installs: Vec<u64> = match &ctx.caller {
        Caller::Token { info, .. } if info.kind == TokenKind::Installation => db
            .installations
            .values()
            .filter(|i| i.account.eq_ignore_ascii_case(owner) && matches!(i.repositories, RepoAccess::Only(_)))
            .map(|i| i.id)
            .collect(),
        _ => Vec::new(),
    };
    for id in installs {
        if let Some(RepoAccess::Only(list)) = db.installations.get_mut(&id).map(|i| &mut i.repositories) {
            list.push(repo.full_name());
        }
    }
    let caller = match &ctx.caller {
        Caller::Token { token, .. } => db
            .tokens
            .get(token)
            .map(|t| Caller::Token { token: token.clone(), info: t.clone() })
            .unwrap_or_else(|| ctx.caller.clone()),
        other => other.clone(),
    };
    let perms = permissions_for(&db, &caller, &repo);
    let body = objects::repository(&ctx.urls, &db, &repo, perms);
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::created(body).header("location", location))
}

fn require_admin(ctx: &Ctx) -> Result<(), ApiError> {
    match &ctx.caller {
        Caller::Anonymous => Err(ApiError::requires_authentication()),
        Caller::App { .. } => Err(ApiError::new(403, "Resource not accessible by integration")),
        Caller::Token { info, .. } => {
            if info.kind == TokenKind::Actions || info.permissions.administration != Some(Access::Write) {
                Err(ctx.caller.forbidden(Perm::Administration, Access::Write))
            } else {
                Ok(())
            }
        }
    }
}

/// `POST /user/repos`
pub(crate) fn create_for_user(ctx: &Ctx) -> ApiResult {
    require_admin(ctx)?;
    let login = match &ctx.caller {
        Caller::Token { info, .. } if info.kind == TokenKind::Pat => info.login.clone(),
        _ => return Err(ApiError::new(403, "Resource not accessible by integration")),
    };
    create(ctx, &login)
}

/// `POST /orgs/{org}/repos`
pub(crate) fn create_in_org(ctx: &Ctx, org: &str) -> ApiResult {
    let org_login =
        ctx.db(|db| db.account(org).filter(|a| a.kind == AccountKind::Organization).map(|a| a.login.clone()));
    let Some(org_login) = org_login else {
        return Err(ApiError::not_found());
    };
    require_admin(ctx)?;
    let allowed = ctx.db(|db| match &ctx.caller {
        Caller::Token { info, .. } => match info.kind {
            TokenKind::Pat => db.is_member_of(&info.login, &org_login),
            TokenKind::Installation => {
                info.installation_account.as_deref().is_none_or(|a| a.eq_ignore_ascii_case(&org_login))
            }
            TokenKind::Actions => false,
        },
        _ => false,
    });
    if !allowed {
        return Err(ctx.caller.forbidden(Perm::Administration, Access::Write));
    }
    create(ctx, &org_login)
}
