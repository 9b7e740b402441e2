//! The Git Data API: refs, trees, blobs and commits, plus the ref-moving helper every
//! writer uses (workflow-permission check, compare-and-swap, pull request bookkeeping).

use std::collections::BTreeMap;

use base64::Engine;
use jiff::Timestamp;
use serde_json::{Value, json};

use super::{Ctx, opt_bool, opt_str, req_str};
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, Reply};
use crate::git::{Git, Ident, RefUpdateError, is_hex_oid};
use crate::objects;
use crate::state::{Repo, State, lock};
use crate::types::{Access, Perm, TokenKind};

// ---- refs ------------------------------------------------------------------------------

/// Whether `full` is a ref name GitHub (and git) accept.
fn valid_ref_name(full: &str) -> bool {
    full.starts_with("refs/")
        && full.matches('/').count() >= 2
        && !full.ends_with('/')
        && !full.ends_with('.')
        && !full.ends_with(".lock")
        && !full.contains("..")
        && !full.contains("//")
        && !full.contains("@{")
        && !full.split('/').any(|c| c.is_empty() || c.starts_with('.'))
        && !full.chars().any(|c| c.is_control() || " ~^:?*[\\".contains(c))
}

fn object_type_of(git: &Git, sha: &str) -> Result<Option<String>, ApiError> {
    Ok(git.object_type(sha)?)
}

/// `GET /repos/{owner}/{repo}/git/ref/{ref}`
pub(crate) fn get_ref(ctx: &Ctx, o: &str, n: &str, r: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Read)?;
    let git = repo.git();
    let full = format!("refs/{r}");
    let sha = git.read_ref(&full)?.ok_or_else(ApiError::not_found)?;
    let kind = object_type_of(&git, &sha)?.unwrap_or_else(|| "commit".into());
    Ok(Reply::ok(objects::git_ref(&ctx.urls, &repo, &full, &sha, &kind)))
}

/// `GET /repos/{owner}/{repo}/git/matching-refs/{ref}`
pub(crate) fn matching_refs(ctx: &Ctx, o: &str, n: &str, r: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Read)?;
    let prefix = format!("refs/{r}");
    let refs: Vec<Value> = repo
        .git()
        .list_refs()?
        .into_iter()
        .filter(|(name, _, _)| name.starts_with(&prefix))
        .map(|(name, sha, kind)| objects::git_ref(&ctx.urls, &repo, &name, &sha, &kind))
        .collect();
    Ok(Reply::ok(Value::Array(refs)))
}

/// `POST /repos/{owner}/{repo}/git/refs`
pub(crate) fn create_ref(ctx: &Ctx, o: &str, n: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Write)?;
    let body = ctx.body()?;
    let full = req_str(&body, "ref")?;
    let sha = req_str(&body, "sha")?;
    if !valid_ref_name(full) {
        return Err(ApiError::unprocessable("Reference name is invalid"));
    }
    let git = repo.git();
    let Some(kind) = object_type_of(&git, sha)? else {
        return Err(ApiError::unprocessable("Object does not exist"));
    };
    if full.starts_with("refs/heads/") && kind != "commit" {
        return Err(ApiError::unprocessable("Object does not exist"));
    }
    if git.read_ref(full)?.is_some() {
        return Err(ApiError::unprocessable("Reference already exists"));
    }
    move_ref(ctx.state, &ctx.caller, &repo, full, sha, None).map_err(|e| match e {
        MoveError::Api(e) => e,
        MoveError::Stale => ApiError::unprocessable("Reference already exists"),
    })?;
    let body = objects::git_ref(&ctx.urls, &repo, full, sha, &kind);
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::created(body).header("location", location))
}

/// `PATCH /repos/{owner}/{repo}/git/refs/{ref}`
pub(crate) fn update_ref(ctx: &Ctx, o: &str, n: &str, r: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Write)?;
    let body = ctx.body()?;
    let sha = req_str(&body, "sha")?;
    let force = opt_bool(&body, "force")?.unwrap_or(false);
    let git = repo.git();
    let full = format!("refs/{r}");
    let Some(old) = git.read_ref(&full)? else {
        return Err(ApiError::unprocessable("Reference does not exist"));
    };
    let Some(kind) = object_type_of(&git, sha)? else {
        return Err(ApiError::unprocessable("Object does not exist"));
    };
    if !force && (kind != "commit" || !git.is_ancestor(&old, sha)?) {
        return Err(ApiError::unprocessable("Update is not a fast forward"));
    }
    move_ref(ctx.state, &ctx.caller, &repo, &full, sha, Some(&old)).map_err(|e| match e {
        MoveError::Api(e) => e,
        MoveError::Stale => ApiError::unprocessable("Update is not a fast forward"),
    })?;
    Ok(Reply::ok(objects::git_ref(&ctx.urls, &repo, &full, sha, &kind)))
}

/// `DELETE /repos/{owner}/{repo}/git/refs/{ref}`
pub(crate) fn delete_ref(ctx: &Ctx, o: &str, n: &str, r: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Write)?;
    let git = repo.git();
    let full = format!("refs/{r}");
    let Some(old) = git.read_ref(&full)? else {
        return Err(ApiError::unprocessable("Reference does not exist"));
    };
    git.delete_ref(&full, &old).map_err(|_| ApiError::unprocessable("Reference does not exist"))?;
    if let Some(branch) = full.strip_prefix("refs/heads/") {
        // GitHub closes the open pull requests whose head branch goes away.
        let mut db = lock(&ctx.state.db);
        if let Some(rm) = db.repo_mut(&repo.owner, &repo.name) {
            let now = Timestamp::now();
            for i in rm.issues.values_mut() {
                if let Some(p) = i.pull.as_mut()
                    && i.open
                    && p.head_ref == branch
                {
                    p.head_sha = old.clone();
                    i.open = false;
                    i.closed_at = Some(now);
                    i.updated_at = now;
                }
            }
        }
    }
    Ok(Reply::no_content())
}

/// Why a ref move failed.
pub(crate) enum MoveError {
    Api(ApiError),
    /// The ref did not hold the expected old value.
    Stale,
}

impl From<ApiError> for MoveError {
    fn from(e: ApiError) -> Self {
        MoveError::Api(e)
    }
}

impl From<anyhow::Error> for MoveError {
    fn from(e: anyhow::Error) -> Self {
        MoveError::Api(e.into())
    }
}

/// Refuses a ref move that adds, changes or deletes `.github/workflows/` files unless the
/// caller holds `workflows: write`, as GitHub does: an update compares the old and the new
/// tip (so merging a base that changed workflows into a branch is refused too); a new ref
/// looks at the commits it brings into the repository.
pub(crate) fn check_workflows(caller: &Caller, git: &Git, new: &str, old: Option<&str>) -> Result<(), ApiError> {
    let Caller::Token { info, .. } = caller else { return Ok(()) };
    if info.permissions.workflows == Some(Access::Write) {
        return Ok(());
    }
    if git.object_type(new)?.as_deref() != Some("commit") {
        return Ok(());
    }
    let paths = match old.filter(|o| git.object_type(o).ok().flatten().as_deref() == Some("commit")) {
        Some(old) => git.diff_names(old, new)?,
        None => {
            let mut all = Vec::new();
            for c in git.rev_list(&[new, "--not", "--all"])? {
                all.extend(git.changed_paths(&c)?);
            }
            all
        }
    };
    if let Some(path) = paths.iter().find(|p| p.starts_with(".github/workflows/")) {
        let message = if info.kind == TokenKind::Pat {
            format!(
                "refusing to allow a Personal Access Token to create or update workflow `{path}` without `workflow` scope"
            )
        } else {
            format!(
                "refusing to allow a GitHub App to create or update workflow `{path}` without `workflows` permission"
            )
        };
        return Err(ApiError::new(403, &message));
    }
    Ok(())
}

/// Moves (or creates, with `old = None`) a ref with compare-and-swap, after the workflow
/// check, and keeps pull requests in step (head sha; PRs merged by a push to their base).
pub(crate) fn move_ref(
    state: &State,
    caller: &Caller,
    repo: &Repo,
    full: &str,
    new: &str,
    old: Option<&str>,
) -> Result<(), MoveError> {
    let git = repo.git();
    check_workflows(caller, &git, new, old)?;
    match git.update_ref(full, new, old) {
        Ok(()) => {}
        Err(RefUpdateError::Stale) => return Err(MoveError::Stale),
        Err(RefUpdateError::Other(e)) => return Err(e.into()),
    }
    let Some(branch) = full.strip_prefix("refs/heads/") else { return Ok(()) };
    let mut db = lock(&state.db);
    let actor = caller.login().map(str::to_string);
    let Some(rm) = db.repo_mut(&repo.owner, &repo.name) else { return Ok(()) };
    let now = Timestamp::now();
    rm.updated_at = now;
    for i in rm.issues.values_mut() {
        let Some(p) = i.pull.as_mut() else { continue };
        if !i.open {
            continue;
        }
        if p.head_ref == branch {
            p.head_sha = new.to_string();
        }
        if p.base_ref == branch {
            let head = git
                .read_ref(&format!("refs/heads/{}", p.head_ref))
                .ok()
                .flatten()
                .unwrap_or_else(|| p.head_sha.clone());
            let now_in = git.is_ancestor(&head, new).unwrap_or(false);
            let was_in = old.is_some_and(|o| git.is_ancestor(&head, o).unwrap_or(true));
            if now_in && !was_in {
                p.merged = true;
                p.merged_at = Some(now);
                p.merge_commit_sha = Some(head.clone());
                p.merged_by = actor.clone();
                p.head_sha = head;
                p.base_sha = new.to_string();
                i.open = false;
                i.closed_at = Some(now);
                i.updated_at = now;
            }
        }
    }
    Ok(())
}

// ---- trees -----------------------------------------------------------------------------

/// One change to a tree: `sha: None` deletes the path.
#[derive(Debug, Clone)]
pub(crate) struct TreeEdit {
    pub path: String,
    pub mode: String,
    pub kind: String,
    pub sha: Option<String>,
}

enum Node {
    Object { mode: String, kind: String, sha: String },
    Dir(BTreeMap<String, Node>),
}

fn load_dir(git: &Git, sha: &str) -> anyhow::Result<BTreeMap<String, Node>> {
    Ok(git
        .ls_tree(sha)?
        .into_iter()
        .map(|e| (e.path, Node::Object { mode: e.mode, kind: e.kind, sha: e.sha }))
        .collect())
}

fn apply_edit(git: &Git, dir: &mut BTreeMap<String, Node>, parts: &[&str], edit: &TreeEdit) -> anyhow::Result<()> {
    let (first, rest) = parts.split_first().expect("paths have at least one component");
    if rest.is_empty() {
        match &edit.sha {
            Some(sha) => {
                dir.insert(
                    first.to_string(),
                    Node::Object { mode: edit.mode.clone(), kind: edit.kind.clone(), sha: sha.clone() },
                );
            }
            None => {
                dir.remove(*first);
            }
        }
        return Ok(());
    }
    let expand = match dir.get(*first) {
        Some(Node::Object { kind, sha, .. }) if kind == "tree" => Some(load_dir(git, sha)?),
        Some(Node::Object { .. }) | None => {
            if edit.sha.is_none() {
                return Ok(()); // deleting below a path that is not a directory: nothing to do
            }
            Some(BTreeMap::new())
        }
        Some(Node::Dir(_)) => None,
    };
    if let Some(children) = expand {
        dir.insert(first.to_string(), Node::Dir(children));
    }
    let Some(Node::Dir(children)) = dir.get_mut(*first) else { unreachable!("just inserted a directory") };
    apply_edit(git, children, rest, edit)
}

/// Writes a directory; `None` when it ended up empty (and disappears from its parent).
fn write_dir(git: &Git, dir: &BTreeMap<String, Node>) -> anyhow::Result<Option<String>> {
    let mut entries = Vec::new();
    for (name, node) in dir {
        match node {
            Node::Object { mode, kind, sha } => entries.push((mode.clone(), kind.clone(), sha.clone(), name.clone())),
            Node::Dir(children) => {
                if let Some(sha) = write_dir(git, children)? {
                    entries.push(("040000".into(), "tree".into(), sha, name.clone()));
                }
            }
        }
    }
    if entries.is_empty() {
        return Ok(None);
    }
    Ok(Some(git.mktree(&entries)?))
}

fn malformed_path() -> ApiError {
    ApiError::unprocessable("tree.path contains a malformed path component")
}

/// Applies edits to `base` (or to an empty tree) and writes the result; returns its id.
pub(crate) fn build_tree(git: &Git, base: Option<&str>, edits: &[TreeEdit]) -> Result<String, ApiError> {
    let mut root = match base {
        Some(b) => load_dir(git, b)?,
        None => BTreeMap::new(),
    };
    for edit in edits {
        let parts: Vec<&str> = edit.path.split('/').collect();
        if edit.path.is_empty()
            || parts.iter().any(|p| p.is_empty() || *p == "." || *p == ".." || p.eq_ignore_ascii_case(".git"))
            || edit.path.contains('\0')
        {
            return Err(malformed_path());
        }
        apply_edit(git, &mut root, &parts, edit)?;
    }
    match write_dir(git, &root)? {
        Some(sha) => Ok(sha),
        None => Ok(git.mktree(&[])?),
    }
}

/// Resolves `{tree_sha}`: a tree sha, a commit sha, or a branch/tag name.
fn resolve_tree(git: &Git, r: &str) -> Result<Option<String>, ApiError> {
    if is_hex_oid(r) {
        return Ok(git.resolve(r, "tree")?);
    }
    match git.resolve_commitish(r)? {
        Some(c) => Ok(git.resolve(&c, "tree")?),
        None => Ok(None),
    }
}

/// `GET /repos/{owner}/{repo}/git/trees/{tree_sha}`
pub(crate) fn get_tree(ctx: &Ctx, o: &str, n: &str, r: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Read)?;
    let git = repo.git();
    let sha = resolve_tree(&git, r)?.ok_or_else(ApiError::not_found)?;
    let mut entries =
        if ctx.query("recursive").is_some() { git.ls_tree_recursive(&sha)? } else { git.ls_tree_level(&sha)? };
    let mut truncated = false;
    if let Some(limit) = ctx.state.tree_truncate_at()
        && entries.len() > limit
    {
        entries.truncate(limit);
        truncated = true;
    }
    Ok(Reply::ok(objects::git_tree(&ctx.urls, &repo, &sha, &entries, truncated)))
}

fn mode_kind(mode: &str) -> Option<&'static str> {
    match mode {
        "100644" | "100755" | "120000" => Some("blob"),
        "040000" => Some("tree"),
        "160000" => Some("commit"),
        _ => None,
    }
}

/// `POST /repos/{owner}/{repo}/git/trees`
pub(crate) fn create_tree(ctx: &Ctx, o: &str, n: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Write)?;
    let git = repo.git();
    let body = ctx.body()?;
    let base = match opt_str(&body, "base_tree")? {
        Some(b) => Some(
            resolve_tree(&git, b)?
                .filter(|_| is_hex_oid(b))
                .ok_or_else(|| ApiError::unprocessable(&format!("base_tree {b} is not a valid tree oid")))?,
        ),
        None => None,
    };
    let Some(items) = body.get("tree").and_then(Value::as_array) else {
        return Err(ApiError::invalid_body("\"tree\" wasn't supplied."));
    };
    let mut edits = Vec::new();
    // Inline contents, written in one batch after validation: (edit index, content).
    let mut inline: Vec<(usize, &str)> = Vec::new();
    for item in items {
        let path = req_str(item, "path")?.to_string();
        let mode = req_str(item, "mode")?.to_string();
        let Some(kind) = mode_kind(&mode) else {
            return Err(ApiError::unprocessable(&format!("tree.mode {mode} is not a valid mode")));
        };
        if let Some(t) = opt_str(item, "type")?
            && t != kind
        {
            return Err(ApiError::unprocessable(&format!("tree.type {t} does not match mode {mode}")));
        }
        let content = opt_str(item, "content")?;
        let has_sha_key = item.get("sha").is_some();
        let sha = opt_str(item, "sha")?;
        let sha = match (sha, content) {
            (Some(_), Some(_)) => {
                return Err(ApiError::unprocessable("tree.sha and tree.content cannot both be given"));
            }
            (Some(s), None) => {
                if kind != "commit" && object_type_of(&git, s)?.as_deref() != Some(kind) {
                    return Err(ApiError::unprocessable(&format!("tree.sha {s} is not a valid {kind}")));
                }
                if kind == "commit" && !is_hex_oid(s) {
                    return Err(ApiError::unprocessable(&format!("tree.sha {s} is not a valid commit")));
                }
                Some(s.to_string())
            }
            (None, Some(c)) => {
                if kind != "blob" {
                    return Err(ApiError::unprocessable("tree.content can only be used for blobs"));
                }
                inline.push((edits.len(), c));
                Some(String::new())
            }
            (None, None) if has_sha_key => None,
            (None, None) => return Err(ApiError::unprocessable("Must supply either tree.sha or tree.content")),
        };
        if sha.is_none() && base.is_none() {
            // Deleting from nothing: GitHub rejects it since there is no base tree.
            return Err(ApiError::unprocessable(&format!("tree.path {path} does not exist in the base tree")));
        }
        edits.push(TreeEdit { path, mode, kind: kind.to_string(), sha });
    }
    let contents: Vec<&[u8]> = inline.iter().map(|(_, c)| c.as_bytes()).collect();
    for ((i, _), id) in inline.iter().zip(git.write_blobs(&contents)?) {
        edits[*i].sha = Some(id);
    }
    let sha = build_tree(&git, base.as_deref(), &edits)?;
    let entries = git.ls_tree_level(&sha)?;
    let body = objects::git_tree(&ctx.urls, &repo, &sha, &entries, false);
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::created(body).header("location", location))
}

// ---- blobs -----------------------------------------------------------------------------

/// `GET /repos/{owner}/{repo}/git/blobs/{file_sha}`
pub(crate) fn get_blob(ctx: &Ctx, o: &str, n: &str, sha: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Read)?;
    if !sha.bytes().all(|b| b.is_ascii_hexdigit()) || sha.len() > 40 {
        return Err(ApiError::validation(vec![json!({
            "resource": "Blob", "field": "sha", "code": "invalid",
            "message": "The sha parameter must be exactly 40 characters and contain only [0-9a-f].",
        })]));
    }
    let git = repo.git();
    if object_type_of(&git, sha)?.as_deref() != Some("blob") {
        return Err(ApiError::not_found());
    }
    let data = git.read_blob(sha)?;
    Ok(Reply::ok(objects::blob(&ctx.urls, &repo, sha, &data)))
}

/// Decodes GitHub-style base64 (line breaks allowed).
pub(crate) fn decode_base64(s: &str) -> Option<Vec<u8>> {
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).ok()
}

/// `POST /repos/{owner}/{repo}/git/blobs`
pub(crate) fn create_blob(ctx: &Ctx, o: &str, n: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Write)?;
    let body = ctx.body()?;
    let content = req_str(&body, "content")?;
    let data = match opt_str(&body, "encoding")?.unwrap_or("utf-8").to_ascii_lowercase().as_str() {
        "utf-8" | "utf8" => content.as_bytes().to_vec(),
        "base64" => decode_base64(content).ok_or_else(|| ApiError::unprocessable("Invalid Base64 content"))?,
        other => {
            return Err(ApiError::unprocessable(&format!("encoding must be \"utf-8\" or \"base64\", not \"{other}\"")));
        }
    };
    let sha = repo.git().write_blob(&data)?;
    let url = format!("{}/git/blobs/{sha}", ctx.urls.repo_api(&repo));
    Ok(Reply::created(json!({ "sha": sha, "url": url })).header("location", url))
}

// ---- commits ---------------------------------------------------------------------------

/// `GET /repos/{owner}/{repo}/git/commits/{commit_sha}`
pub(crate) fn get_commit(ctx: &Ctx, o: &str, n: &str, sha: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Read)?;
    let git = repo.git();
    if object_type_of(&git, sha)?.as_deref() != Some("commit") {
        return Err(ApiError::not_found());
    }
    let c = git.read_commit(sha)?;
    Ok(Reply::ok(objects::git_commit(&ctx.urls, &repo, &c)))
}

/// Parses `{name, email, date}`.
pub(crate) fn parse_ident(body: &Value, key: &str) -> Result<Option<Ident>, ApiError> {
    let Some(v) = body.get(key).filter(|v| !v.is_null()) else { return Ok(None) };
    let name =
        req_str(v, "name").map_err(|_| ApiError::invalid_body(&format!("\"name\" wasn't supplied in \"{key}\".")))?;
    let email =
        req_str(v, "email").map_err(|_| ApiError::invalid_body(&format!("\"email\" wasn't supplied in \"{key}\".")))?;
    let mut ident = Ident::now(name, email);
    if let Some(date) = opt_str(v, "date")? {
        let t: Timestamp = date
            .parse()
            .map_err(|_| ApiError::invalid_body(&format!("For 'properties/date', \"{date}\" is not a date-time.")))?;
        ident.time = t.as_second();
    }
    Ok(Some(ident))
}

/// Who authors and commits an API-made commit, and whether GitHub would sign it.
pub(crate) fn commit_identities(ctx: &Ctx, body: &Value) -> Result<(Ident, Ident, bool), ApiError> {
    let author = parse_ident(body, "author")?;
    let committer = parse_ident(body, "committer")?;
    let signed = author.is_none() && committer.is_none();
    let actor = ctx.actor()?;
    let me = ctx.db(|db| db.identity(&actor));
    let author = author.or_else(|| committer.clone()).unwrap_or(me);
    let committer = match committer {
        Some(c) => c,
        None if signed => Ident::now("GitHub", "noreply@github.com"),
        None => author.clone(),
    };
    Ok((author, committer, signed))
}

/// Records whether GitHub would have signed this commit.
pub(crate) fn record_verified(state: &State, repo: &Repo, sha: &str, verified: bool) {
    if let Some(r) = lock(&state.db).repo_mut(&repo.owner, &repo.name) {
        r.verified.insert(sha.to_string(), verified);
    }
}

/// `POST /repos/{owner}/{repo}/git/commits`
pub(crate) fn create_commit(ctx: &Ctx, o: &str, n: &str) -> ApiResult {
    let repo = ctx.git_repo_with(o, n, Perm::Contents, Access::Write)?;
    let git = repo.git();
    let body = ctx.body()?;
    let message = req_str(&body, "message")?;
    let tree = req_str(&body, "tree")?;
    if object_type_of(&git, tree)?.as_deref() != Some("tree") {
        return Err(ApiError::unprocessable("Tree SHA does not exist"));
    }
    let parents: Vec<String> = match body.get("parents") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a
            .iter()
            .map(|p| p.as_str().map(str::to_string))
            .collect::<Option<_>>()
            .ok_or_else(|| ApiError::invalid_body("For 'properties/parents', the items are not strings."))?,
        Some(_) => return Err(ApiError::invalid_body("For 'properties/parents', the value is not an array.")),
    };
    for p in &parents {
        if object_type_of(&git, p)?.as_deref() != Some("commit") {
            return Err(ApiError::unprocessable("Parent SHA does not exist or is not a commit object"));
        }
    }
    let (author, committer, signed) = commit_identities(ctx, &body)?;
    let sha = git.commit_tree(tree, &parents, message, &author, &committer)?;
    record_verified(ctx.state, &repo, &sha, signed);
    let repo = ctx.repo(o, n)?;
    let c = git.read_commit(&sha)?;
    let body = objects::git_commit(&ctx.urls, &repo, &c);
    let location = body["url"].as_str().unwrap_or_default().to_string();
    Ok(Reply::created(body).header("location", location))
}

#[cfg(test)]
mod tests {
    use super::valid_ref_name;

    #[test]
    fn ref_names_follow_git_and_github() {
        for ok in ["refs/heads/main", "refs/heads/amplication-build-12", "refs/heads/feature/x", "refs/tags/v1.0"] {
            assert!(valid_ref_name(ok), "{ok}");
        }
        for bad in [
            "heads/main",
            "refs/main",
            "refs/heads/",
            "refs/heads/a..b",
            "refs/heads/a b",
            "refs/heads/x.lock",
            "refs/heads/.x",
        ] {
            assert!(!valid_ref_name(bad), "{bad}");
        }
    }
}
