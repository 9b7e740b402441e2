//! Users, organisations and the rate-limit endpoint.

use serde_json::json;

use super::Ctx;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Reply};
use crate::objects;
use crate::state::AccountKind;
use crate::types::TokenKind;

/// `GET /user`
pub(crate) fn get_authenticated(ctx: &Ctx) -> ApiResult {
    match &ctx.caller {
        Caller::Anonymous => Err(ApiError::requires_authentication()),
        Caller::Token { info, .. } if info.kind == TokenKind::Pat => ctx.db(|db| {
            let a = db.account(&info.login).ok_or_else(ApiError::not_found)?;
            Ok(Reply::ok(objects::full_user(&ctx.urls, db, a, true)))
        }),
        _ => Err(ApiError::new(403, "Resource not accessible by integration")),
    }
}

/// `GET /users/{username}`
pub(crate) fn get_user(ctx: &Ctx, login: &str) -> ApiResult {
    ctx.db(|db| {
        let a = db.account(login).ok_or_else(ApiError::not_found)?;
        Ok(Reply::ok(objects::full_user(&ctx.urls, db, a, false)))
    })
}

/// `GET /orgs/{org}`
pub(crate) fn get_org(ctx: &Ctx, org: &str) -> ApiResult {
    ctx.db(|db| {
        let a = db.account(org).filter(|a| a.kind == AccountKind::Organization).ok_or_else(ApiError::not_found)?;
        Ok(Reply::ok(objects::organization_full(&ctx.urls, db, a)))
    })
}

/// `GET /rate_limit` (not counted, as on GitHub).
pub(crate) fn rate_limit(ctx: &Ctx) -> ApiResult {
    let (limit, used, reset) = ctx.db(|db| {
        let now = jiff::Timestamp::now().as_second();
        match &ctx.caller {
            Caller::Token { token, info } => {
                let limit = if info.kind == TokenKind::Actions { 1000 } else { 5000 };
                (limit, db.tokens.get(token).map_or(0, |t| t.used), db.rate_reset.max(now))
            }
            Caller::Anonymous => (60, db.anonymous_used, db.rate_reset.max(now)),
            Caller::App { .. } => (5000, 1, db.rate_reset.max(now)),
        }
    });
    let core = objects::rate_limit(limit, used, reset);
    let search = objects::rate_limit(30, 0, reset);
    let graphql = objects::rate_limit(limit, 0, reset);
    Ok(Reply::ok(json!({
        "resources": { "core": core, "search": search, "graphql": graphql },
        "rate": core,
    })))
}
