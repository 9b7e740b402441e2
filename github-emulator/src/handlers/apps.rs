//! GitHub App authentication: the app itself, a repository's installation, and minting
//! installation access tokens (all with the App JWT).

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};

use super::{Ctx, opt_str_list};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Reply};
use crate::objects;
use crate::state::{Token, lock};
use crate::types::{Permissions, RepoAccess, TokenKind};

fn app_id(ctx: &Ctx) -> Result<u64, ApiError> {
    match &ctx.caller {
        Caller::App { app_id } => Ok(*app_id),
        _ => Err(ApiError::new(401, "A JSON web token could not be decoded")),
    }
}

/// `GET /app`
pub(crate) fn get_app(ctx: &Ctx) -> ApiResult {
    let id = app_id(ctx)?;
    ctx.db(|db| {
        let app = db.apps.get(&id).ok_or_else(|| ApiError::new(401, "Integration not found"))?;
        Ok(Reply::ok(objects::integration(&ctx.urls, db, app)))
    })
}

/// `GET /repos/{owner}/{repo}/installation`
pub(crate) fn get_repo_installation(ctx: &Ctx, o: &str, n: &str) -> ApiResult {
    let id = app_id(ctx)?;
    ctx.db(|db| {
        let repo = db.repo(o, n).ok_or_else(ApiError::not_found)?;
        let inst = db
            .installations
            .values()
            .filter(|i| i.app_id == id && i.account.eq_ignore_ascii_case(&repo.owner))
            .find(|i| match &i.repositories {
                RepoAccess::All(_) => true,
                RepoAccess::Only(list) => list.iter().any(|r| r.eq_ignore_ascii_case(&repo.full_name())),
            })
            .ok_or_else(ApiError::not_found)?;
        let app = db.apps.get(&id).ok_or_else(ApiError::not_found)?;
        Ok(Reply::ok(objects::installation(&ctx.urls, db, inst, app)))
    })
}

/// A fresh `ghs_` token, longer than 40 characters like some real ones.
fn mint_token() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut out = String::from("ghs_");
    let seed = RandomState::new();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let mut block = 0u64;
    while out.len() < 4 + 52 {
        let mut h = seed.build_hasher();
        h.write_u64(n);
        h.write_u64(block);
        h.write_u128(Timestamp::now().as_nanosecond() as u128);
        let mut v = h.finish();
        for _ in 0..10 {
            out.push(ALPHABET[(v % ALPHABET.len() as u64) as usize] as char);
            v /= ALPHABET.len() as u64;
        }
        block += 1;
    }
    out.truncate(4 + 52);
    out
}

/// `POST /app/installations/{installation_id}/access_tokens`
pub(crate) fn create_access_token(ctx: &Ctx, installation_id: &str) -> ApiResult {
    let id = app_id(ctx)?;
    let body = ctx.body()?;
    let inst_id: u64 = installation_id.parse().map_err(|_| ApiError::not_found())?;
    let wanted_repos = opt_str_list(&body, "repositories")?;
    let wanted_ids: Option<Vec<u64>> = match body.get("repository_ids") {
        Some(Value::Array(a)) => Some(a.iter().filter_map(Value::as_u64).collect()),
        _ => None,
    };
    let wanted_perms: Option<Permissions> =
        match body.get("permissions") {
            Some(v) if !v.is_null() => Some(serde_json::from_value(v.clone()).map_err(|_| {
                ApiError::unprocessable("The permissions requested are not granted to this installation.")
            })?),
            _ => None,
        };
    let mut db = lock(&ctx.state.db);
    let inst = db.installations.get(&inst_id).filter(|i| i.app_id == id).cloned().ok_or_else(ApiError::not_found)?;
    let app = db.apps.get(&id).cloned().ok_or_else(ApiError::not_found)?;
    let permissions = match &wanted_perms {
        Some(w) => {
            let granted = inst.permissions.narrowed_by(w);
            let exceeds = |asked: Option<crate::types::Access>, got: Option<crate::types::Access>| {
                asked.is_some() && got != asked
            };
            if exceeds(w.contents, granted.contents)
                || exceeds(w.pull_requests, granted.pull_requests)
                || exceeds(w.issues, granted.issues)
                || exceeds(w.workflows, granted.workflows)
                || exceeds(w.administration, granted.administration)
            {
                return Err(ApiError::unprocessable("The permissions requested are not granted to this installation."));
            }
            granted
        }
        None => inst.permissions.clone(),
    };
    let in_installation = |full: &str| match &inst.repositories {
        RepoAccess::All(_) => full.split('/').next().is_some_and(|o| o.eq_ignore_ascii_case(&inst.account)),
        RepoAccess::Only(list) => list.iter().any(|r| r.eq_ignore_ascii_case(full)),
    };
    let mut selected: Option<Vec<String>> = None;
    if wanted_repos.is_some() || wanted_ids.is_some() {
        let mut names = Vec::new();
        for name in wanted_repos.unwrap_or_default() {
            let full = if name.contains('/') { name.clone() } else { format!("{}/{name}", inst.account) };
            names.push(full);
        }
        for rid in wanted_ids.unwrap_or_default() {
            match db.repos.values().find(|r| r.id == rid) {
                Some(r) => names.push(r.full_name()),
                None => names.push(format!("#{rid}")),
            }
        }
        for full in &names {
            let owner_name = full.split_once('/');
            let exists = owner_name.is_some_and(|(o, n)| db.repo(o, n).is_some());
            if !exists || !in_installation(full) {
                return Err(ApiError::unprocessable(
                    "There is at least one repository that does not exist or is not accessible to the parent installation.",
                ));
            }
        }
        selected = Some(names);
    }
    let repos = match (&selected, &inst.repositories) {
        (Some(names), _) => RepoAccess::Only(names.clone()),
        (None, r) => r.clone(),
    };
    let token = mint_token();
    let expires = Timestamp::now() + SignedDuration::from_hours(1);
    db.tokens.insert(
        token.clone(),
        Token {
            kind: TokenKind::Installation,
            login: app.bot_login(),
            repos: repos.clone(),
            permissions: permissions.clone(),
            expires_at: Some(expires),
            installation_account: Some(inst.account.clone()),
            used: 0,
        },
    );
    let mut out = json!({
        "token": token,
        "expires_at": objects::ts(expires),
        "permissions": objects::app_permissions(&permissions),
        "repository_selection": if matches!(repos, RepoAccess::All(_)) { "all" } else { "selected" },
    });
    if let RepoAccess::Only(list) = &repos {
        let repos: Vec<Value> = list
            .iter()
            .filter_map(|full| full.split_once('/'))
            .filter_map(|(o, n)| db.repo(o, n))
            .map(|r| objects::repository(&ctx.urls, &db, r, None))
            .collect();
        out["repositories"] = Value::Array(repos);
    }
    Ok(Reply::created(out))
}
