//! GitHub's REST endpoints: the router (method + path segments, prefix already stripped),
//! the per-request context, and one module per API area. Handlers are synchronous (they
//! run on tokio's blocking pool) and return `Result<Reply, ApiError>`; they take the
//! repository's write lock for every non-GET request under `/repos/{owner}/{repo}`.

pub(crate) mod apps;
pub(crate) mod commits;
pub(crate) mod contents;
pub(crate) mod git_data;
pub(crate) mod issues;
pub(crate) mod pulls;
pub(crate) mod repos;
pub(crate) mod users;

use bytes::Bytes;
use jiff::Timestamp;
use serde_json::Value;

use crate::auth::{Caller, authenticate};
use crate::error::{ApiError, ApiResult, Reply};
use crate::objects::Urls;
use crate::state::{Db, Repo, State, lock};
use crate::types::{Access, Perm, TokenKind};

/// A request as the handlers see it.
#[derive(Debug, Clone)]
pub(crate) struct Request {
    pub method: String,
    /// Decoded path segments after the optional `/api/v3` prefix.
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub body: Bytes,
    pub authorization: Option<String>,
}

/// Everything a handler needs.
pub(crate) struct Ctx<'a> {
    pub state: &'a State,
    pub caller: Caller,
    pub urls: Urls,
    pub req: &'a Request,
}

impl Ctx<'_> {
    pub fn query(&self, key: &str) -> Option<&str> {
        self.req.query.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
    }

    /// The JSON body (`Null` when empty); 400 "Problems parsing JSON" when malformed.
    pub fn body(&self) -> Result<Value, ApiError> {
        if self.req.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Value::Null);
        }
        serde_json::from_slice(&self.req.body).map_err(|_| ApiError::new(400, "Problems parsing JSON"))
    }

    /// A repository the caller can see (404 otherwise), as a snapshot.
    pub fn repo(&self, owner: &str, name: &str) -> Result<Repo, ApiError> {
        let db = lock(&self.state.db);
        let repo = db.repo(owner, name).ok_or_else(ApiError::not_found)?;
        if !self.caller.can_see(&db, repo) {
            return Err(ApiError::not_found());
        }
        Ok(repo.clone())
    }

    /// A repository with a permission check.
    pub fn repo_with(&self, owner: &str, name: &str, perm: Perm, level: Access) -> Result<Repo, ApiError> {
        let repo = self.repo(owner, name)?;
        let db = lock(&self.state.db);
        self.caller.require(&db, &repo, perm, level)?;
        Ok(repo)
    }

    /// Like `repo_with`, also refusing with 409 when the repository has no commits.
    pub fn git_repo_with(&self, owner: &str, name: &str, perm: Perm, level: Access) -> Result<Repo, ApiError> {
        let repo = self.repo_with(owner, name, perm, level)?;
        if repo.git().is_empty()? {
            return Err(ApiError::empty_repository());
        }
        Ok(repo)
    }

    /// Runs a closure over the state database.
    pub fn db<T>(&self, f: impl FnOnce(&mut Db) -> T) -> T {
        f(&mut lock(&self.state.db))
    }

    /// The login the caller acts as; 401/403 when it has none.
    pub fn actor(&self) -> Result<String, ApiError> {
        match &self.caller {
            Caller::Token { info, .. } => Ok(info.login.clone()),
            Caller::Anonymous => Err(ApiError::requires_authentication()),
            Caller::App { .. } => Err(ApiError::new(403, "Resource not accessible by integration")),
        }
    }

    /// `per_page` (default 30, max 100) and `page` (default 1).
    pub fn paging(&self) -> (usize, usize) {
        let per_page = self.query("per_page").and_then(|v| v.parse().ok()).unwrap_or(30).clamp(1, 100);
        let page = self.query("page").and_then(|v| v.parse().ok()).unwrap_or(1).max(1);
        (per_page, page)
    }

    /// One page of `items`, with GitHub's `Link` header when there is more than one page.
    pub fn paginate<T>(&self, items: Vec<T>) -> (Vec<T>, Option<String>) {
        let (per_page, page) = self.paging();
        let total = items.len();
        let last = total.div_ceil(per_page).max(1);
        let slice: Vec<T> = items.into_iter().skip((page - 1) * per_page).take(per_page).collect();
        (slice, self.link_header(page, last, per_page))
    }

    /// `Link: <...page=2>; rel="next", <...>; rel="last"` (and prev/first).
    pub fn link_header(&self, page: usize, last: usize, per_page: usize) -> Option<String> {
        if last <= 1 {
            return None;
        }
        let path: Vec<String> = self
            .req
            .segments
            .iter()
            .map(|s| percent_encoding::utf8_percent_encode(s, crate::objects::PATH_SET).to_string())
            .collect();
        let base = format!("{}/{}", self.urls.api, path.join("/"));
        let others: Vec<(String, String)> =
            self.req.query.iter().filter(|(k, _)| k != "page" && k != "per_page").cloned().collect();
        let url = |p: usize| {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &others {
                q.append_pair(k, v);
            }
            q.append_pair("per_page", &per_page.to_string());
            q.append_pair("page", &p.to_string());
            format!("<{base}?{}>", q.finish())
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(format!("{}; rel=\"prev\"", url(page - 1)));
        }
        if page < last {
            links.push(format!("{}; rel=\"next\"", url(page + 1)));
            links.push(format!("{}; rel=\"last\"", url(last)));
        }
        if page > 1 {
            links.push(format!("{}; rel=\"first\"", url(1)));
        }
        Some(links.join(", "))
    }
}

/// A paginated JSON array reply.
pub(crate) fn list_reply(items: Vec<Value>, link: Option<String>) -> Reply {
    let mut r = Reply::ok(Value::Array(items));
    if let Some(l) = link {
        r = r.header("link", l);
    }
    r
}

/// Parses a positive number path parameter (404 otherwise, as GitHub).
pub(crate) fn number(s: &str) -> Result<u64, ApiError> {
    s.parse().ok().filter(|n| *n > 0).ok_or_else(ApiError::not_found)
}

/// Rate-limit figures for a caller: (limit, used, reset).
fn rate_figures(db: &mut Db, caller: &Caller) -> (u64, u64, i64) {
    let now = Timestamp::now().as_second();
    if db.rate_reset <= now {
        db.rate_reset = now + 3600;
        db.anonymous_used = 0;
        for t in db.tokens.values_mut() {
            t.used = 0;
        }
    }
    match caller {
        Caller::Token { token, info } => {
            let limit = match info.kind {
                TokenKind::Actions => 1000,
                TokenKind::Pat | TokenKind::Installation => 5000,
            };
            let used = db.tokens.get(token).map_or(info.used, |t| t.used);
            (limit, used, db.rate_reset)
        }
        Caller::Anonymous => (60, db.anonymous_used, db.rate_reset),
        Caller::App { .. } => (5000, 1, db.rate_reset),
    }
}

/// The `x-ratelimit-*` headers.
pub(crate) fn rate_headers(limit: u64, used: u64, reset: i64) -> Vec<(String, String)> {
    vec![
        ("x-ratelimit-limit".into(), limit.to_string()),
        ("x-ratelimit-remaining".into(), limit.saturating_sub(used).to_string()),
        ("x-ratelimit-reset".into(), reset.to_string()),
        ("x-ratelimit-used".into(), used.to_string()),
        ("x-ratelimit-resource".into(), "core".into()),
    ]
}

/// Rate-limit headers for a request that is not processed (a fault reply), without counting it.
pub(crate) fn peek_rate_headers(state: &State, authorization: Option<&str>) -> Vec<(String, String)> {
    let mut db = lock(&state.db);
    let caller = authenticate(&mut db, authorization).unwrap_or(Caller::Anonymous);
    let (limit, used, reset) = rate_figures(&mut db, &caller);
    rate_headers(limit, used, reset)
}

/// Authenticates, counts, routes and decorates one API request.
pub(crate) fn dispatch(state: &State, req: &Request, urls: Urls) -> Reply {
    let counted = !(req.method == "GET" && req.segments.len() == 1 && req.segments[0] == "rate_limit");
    let auth = {
        let mut db = lock(&state.db);
        match authenticate(&mut db, req.authorization.as_deref()) {
            Ok(caller) => {
                if counted {
                    match &caller {
                        Caller::Token { token, .. } => {
                            if let Some(t) = db.tokens.get_mut(token) {
                                t.used += 1;
                            }
                        }
                        Caller::Anonymous => db.anonymous_used += 1,
                        Caller::App { .. } => {}
                    }
                }
                let (limit, used, reset) = rate_figures(&mut db, &caller);
                Ok((caller, limit, used, reset))
            }
            Err(e) => Err(e),
        }
    };
    let (caller, limit, used, reset) = match auth {
        Ok(x) => x,
        Err(e) => {
            let mut r = e.0;
            r.headers.extend(rate_headers(60, 0, Timestamp::now().as_second() + 3600));
            return r;
        }
    };
    // The figures are realistic, but exhaustion is never enforced (a long test run must not
    // trip over it); inject a `PrimaryRateLimit` fault to test that path.
    let ctx = Ctx { state, caller, urls, req };
    let mut reply = route(&ctx).unwrap_or_else(|e| e.0);
    reply.headers.extend(rate_headers(limit, used, reset));
    reply
}

fn route(ctx: &Ctx) -> ApiResult {
    let segs: Vec<&str> = ctx.req.segments.iter().map(String::as_str).collect();
    match (ctx.req.method.as_str(), segs.as_slice()) {
        ("GET", ["user"]) => users::get_authenticated(ctx),
        ("GET", ["users", login]) => users::get_user(ctx, login),
        ("GET", ["orgs", org]) => users::get_org(ctx, org),
        ("GET", ["rate_limit"]) => users::rate_limit(ctx),
        ("POST", ["user", "repos"]) => repos::create_for_user(ctx),
        ("POST", ["orgs", org, "repos"]) => repos::create_in_org(ctx, org),
        ("GET", ["app"]) => apps::get_app(ctx),
        ("POST", ["app", "installations", id, "access_tokens"]) => apps::create_access_token(ctx, id),
        (method, ["repos", owner, name, rest @ ..]) => {
            if method == "GET" || method == "HEAD" {
                route_repo(ctx, owner, name, rest)
            } else {
                let handle = ctx.state.repo_lock(owner, name);
                let _guard = lock(&handle);
                route_repo(ctx, owner, name, rest)
            }
        }
        _ => Err(ApiError::not_found()),
    }
}

fn route_repo(ctx: &Ctx, o: &str, n: &str, rest: &[&str]) -> ApiResult {
    let joined = |r: &[&str]| r.join("/");
    match (ctx.req.method.as_str(), rest) {
        ("GET", []) => repos::get(ctx, o, n),
        ("GET", ["installation"]) => apps::get_repo_installation(ctx, o, n),
        ("GET", ["git", "ref", r @ ..]) if !r.is_empty() => git_data::get_ref(ctx, o, n, &joined(r)),
        ("GET", ["git", "matching-refs", r @ ..]) => git_data::matching_refs(ctx, o, n, &joined(r)),
        ("POST", ["git", "refs"]) => git_data::create_ref(ctx, o, n),
        ("PATCH", ["git", "refs", r @ ..]) if !r.is_empty() => git_data::update_ref(ctx, o, n, &joined(r)),
        ("DELETE", ["git", "refs", r @ ..]) if !r.is_empty() => git_data::delete_ref(ctx, o, n, &joined(r)),
        ("GET", ["git", "trees", r @ ..]) if !r.is_empty() => git_data::get_tree(ctx, o, n, &joined(r)),
        ("POST", ["git", "trees"]) => git_data::create_tree(ctx, o, n),
        ("GET", ["git", "blobs", sha]) => git_data::get_blob(ctx, o, n, sha),
        ("POST", ["git", "blobs"]) => git_data::create_blob(ctx, o, n),
        ("GET", ["git", "commits", sha]) => git_data::get_commit(ctx, o, n, sha),
        ("POST", ["git", "commits"]) => git_data::create_commit(ctx, o, n),
        ("GET", ["commits"]) => commits::list(ctx, o, n),
        ("GET", ["commits", r @ ..]) if !r.is_empty() => commits::get(ctx, o, n, &joined(r)),
        ("GET", ["compare", r @ ..]) if !r.is_empty() => commits::compare(ctx, o, n, &joined(r)),
        ("POST", ["merges"]) => commits::merge_branches(ctx, o, n),
        ("GET", ["contents", p @ ..]) => contents::get(ctx, o, n, &joined(p)),
        ("PUT", ["contents", p @ ..]) if !p.is_empty() => contents::put(ctx, o, n, &joined(p)),
        ("GET", ["pulls"]) => pulls::list(ctx, o, n),
        ("POST", ["pulls"]) => pulls::create(ctx, o, n),
        ("GET", ["pulls", num]) => pulls::get(ctx, o, n, number(num)?),
        ("PATCH", ["pulls", num]) => pulls::update(ctx, o, n, number(num)?),
        ("GET", ["pulls", num, "merge"]) => pulls::check_merged(ctx, o, n, number(num)?),
        ("PUT", ["pulls", num, "merge"]) => pulls::merge(ctx, o, n, number(num)?),
        ("POST", ["pulls", num, "requested_reviewers"]) => pulls::request_reviewers(ctx, o, n, number(num)?),
        ("GET", ["issues", num]) => issues::get(ctx, o, n, number(num)?),
        ("PATCH", ["issues", num]) => issues::update(ctx, o, n, number(num)?),
        ("POST", ["issues", num, "labels"]) => issues::add_labels(ctx, o, n, number(num)?),
        ("DELETE", ["issues", num, "labels", name]) => issues::remove_label(ctx, o, n, number(num)?, name),
        ("POST", ["issues", num, "assignees"]) => issues::add_assignees(ctx, o, n, number(num)?),
        ("GET", ["issues", num, "comments"]) => issues::list_comments(ctx, o, n, number(num)?),
        ("POST", ["issues", num, "comments"]) => issues::create_comment(ctx, o, n, number(num)?),
        _ => Err(ApiError::not_found()),
    }
}

// ---- small JSON helpers shared by the handlers ------------------------------------------

/// An optional string field; 422 when present with another type.
pub(crate) fn opt_str<'v>(body: &'v Value, key: &str) -> Result<Option<&'v str>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(ApiError::invalid_body(&format!("For 'properties/{key}', {other} is not a string."))),
    }
}

/// A required string field.
pub(crate) fn req_str<'v>(body: &'v Value, key: &str) -> Result<&'v str, ApiError> {
    opt_str(body, key)?.ok_or_else(|| ApiError::invalid_body(&format!("\"{key}\" wasn't supplied.")))
}

/// An optional boolean field.
pub(crate) fn opt_bool(body: &Value, key: &str) -> Result<Option<bool>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(ApiError::invalid_body(&format!("For 'properties/{key}', {other} is not a boolean."))),
    }
}

/// An optional list of strings (items may also be objects with `name`/`login`).
pub(crate) fn opt_str_list(body: &Value, key: &str) -> Result<Option<Vec<String>>, ApiError> {
    match body.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Object(o) => o
                    .get("name")
                    .or_else(|| o.get("login"))
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| ApiError::invalid_body(&format!("For 'items', {v} is not a string."))),
                other => Err(ApiError::invalid_body(&format!("For 'items', {other} is not a string."))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
        Some(other) => Err(ApiError::invalid_body(&format!("For 'properties/{key}', {other} is not an array."))),
    }
}
