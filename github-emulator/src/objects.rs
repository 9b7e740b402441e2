//! One constructor per GitHub JSON object (as named in GitHub's OpenAPI description), so
//! every response carries every property the schema marks required. Pure functions over
//! state records: no git, no locking.

use base64::Engine;
use jiff::Timestamp;
use serde_json::{Value, json};

use crate::git::{DiffFile, Ident, RawCommit, TreeEntry};
use crate::state::{Account, AccountKind, App, Comment, Db, Installation, Issue, Label, Repo};
use crate::types::{Access, Permissions};

/// Where the API and the web pages of this emulator live, from the request's `Host` (and
/// the `/api/v3` prefix when the request used it).
#[derive(Debug, Clone)]
pub(crate) struct Urls {
    pub api: String,
    pub web: String,
}

impl Urls {
    pub fn repo_api(&self, repo: &Repo) -> String {
        format!("{}/repos/{}/{}", self.api, repo.owner, repo.name)
    }

    pub fn repo_web(&self, repo: &Repo) -> String {
        format!("{}/{}/{}", self.web, repo.owner, repo.name)
    }
}

/// GitHub's timestamp format: `2024-01-02T03:04:05Z`.
pub(crate) fn ts(t: Timestamp) -> String {
    Timestamp::from_second(t.as_second()).map(|t| t.to_string()).unwrap_or_else(|_| t.to_string())
}

fn ts_opt(t: Option<Timestamp>) -> Value {
    t.map_or(Value::Null, |t| Value::String(ts(t)))
}

fn unix_ts(seconds: i64) -> String {
    Timestamp::from_second(seconds).map(|t| t.to_string()).unwrap_or_else(|_| "1970-01-01T00:00:00Z".to_string())
}

/// A legacy-style global node id: base64 of `NN:TypeID`.
pub(crate) fn node_id(kind: &str, id: impl std::fmt::Display) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("{:02}:{kind}{id}", kind.len()))
}

/// Percent-encodes the characters of bot logins (`[`, `]`) for use in URLs.
pub(crate) fn url_login(login: &str) -> String {
    login.replace('[', "%5B").replace(']', "%5D")
}

/// `simple-user` (also `nullable-simple-user`).
pub(crate) fn simple_user(u: &Urls, a: &Account) -> Value {
    let login = url_login(&a.login);
    let api = format!("{}/users/{login}", u.api);
    json!({
        "login": a.login,
        "id": a.id,
        "node_id": node_id(if a.kind == AccountKind::Organization { "Organization" } else { "User" }, a.id),
        "avatar_url": format!("{}/avatars/u/{}?v=4", u.web, a.id),
        "gravatar_id": "",
        "url": api,
        "html_url": format!("{}/{login}", u.web),
        "followers_url": format!("{api}/followers"),
        "following_url": format!("{api}/following{{/other_user}}"),
        "gists_url": format!("{api}/gists{{/gist_id}}"),
        "starred_url": format!("{api}/starred{{/owner}}{{/repo}}"),
        "subscriptions_url": format!("{api}/subscriptions"),
        "organizations_url": format!("{api}/orgs"),
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events{{/privacy}}"),
        "received_events_url": format!("{api}/received_events"),
        "type": a.kind.as_str(),
        "site_admin": false,
        "user_view_type": "public",
    })
}

/// `simple-user` for a login, or a minimal stand-in when the account is unknown.
pub(crate) fn user_by_login(u: &Urls, db: &Db, login: &str) -> Value {
    match db.account(login) {
        Some(a) => simple_user(u, a),
        None => {
            let a = Account {
                id: 0,
                login: login.to_string(),
                kind: AccountKind::User,
                name: None,
                email: None,
                members: Default::default(),
                created_at: Timestamp::UNIX_EPOCH,
            };
            simple_user(u, &a)
        }
    }
}

/// `public-user`, or `private-user` when `private` (the authenticated user).
pub(crate) fn full_user(u: &Urls, db: &Db, a: &Account, private: bool) -> Value {
    let mut v = simple_user(u, a);
    let public_repos = db.repos.values().filter(|r| r.owner.eq_ignore_ascii_case(&a.login) && !r.private).count();
    let private_repos = db.repos.values().filter(|r| r.owner.eq_ignore_ascii_case(&a.login) && r.private).count();
    let extra = json!({
        "name": a.name,
        "company": null,
        "blog": "",
        "location": null,
        "email": a.email,
        "hireable": null,
        "bio": null,
        "twitter_username": null,
        "public_repos": public_repos,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": ts(a.created_at),
        "updated_at": ts(a.created_at),
    });
    merge(&mut v, extra);
    if private {
        v["user_view_type"] = json!("private");
        merge(
            &mut v,
            json!({
                "private_gists": 0,
                "total_private_repos": private_repos,
                "owned_private_repos": private_repos,
                "disk_usage": 0,
                "collaborators": 0,
                "two_factor_authentication": true,
                "plan": { "name": "free", "space": 976562499, "private_repos": 10000, "collaborators": 0 },
            }),
        );
    }
    v
}

/// `organization-full`.
pub(crate) fn organization_full(u: &Urls, db: &Db, a: &Account) -> Value {
    let api = format!("{}/orgs/{}", u.api, a.login);
    let public_repos = db.repos.values().filter(|r| r.owner.eq_ignore_ascii_case(&a.login) && !r.private).count();
    json!({
        "login": a.login,
        "id": a.id,
        "node_id": node_id("Organization", a.id),
        "url": api,
        "repos_url": format!("{api}/repos"),
        "events_url": format!("{api}/events"),
        "hooks_url": format!("{api}/hooks"),
        "issues_url": format!("{api}/issues"),
        "members_url": format!("{api}/members{{/member}}"),
        "public_members_url": format!("{api}/public_members{{/member}}"),
        "avatar_url": format!("{}/avatars/u/{}?v=4", u.web, a.id),
        "description": null,
        "name": a.name.clone().unwrap_or_else(|| a.login.clone()),
        "blog": "",
        "is_verified": false,
        "has_organization_projects": true,
        "has_repository_projects": true,
        "public_repos": public_repos,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "html_url": format!("{}/{}", u.web, a.login),
        "type": "Organization",
        "created_at": ts(a.created_at),
        "updated_at": ts(a.created_at),
        "archived_at": null,
    })
}

fn merge(into: &mut Value, from: Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        for (k, v) in b {
            a.insert(k, v);
        }
    }
}

/// The `permissions` object of a repository for a caller.
pub(crate) fn repo_permissions(perms: &Permissions, covered: bool, public: bool) -> Value {
    let push = covered && perms.contents == Some(Access::Write);
    let admin = covered && perms.administration == Some(Access::Write);
    json!({
        "admin": admin,
        "maintain": admin,
        "push": push,
        "triage": push || (covered && perms.issues == Some(Access::Write)),
        "pull": covered || public,
    })
}

/// `full-repository` (a superset of `repository` and `minimal-repository`).
pub(crate) fn repository(u: &Urls, db: &Db, repo: &Repo, permissions: Option<Value>) -> Value {
    let api = u.repo_api(repo);
    let html = u.repo_web(repo);
    let owner = match db.account(&repo.owner) {
        Some(a) => simple_user(u, a),
        None => user_by_login(u, db, &repo.owner),
    };
    let open_issues = repo.issues.values().filter(|i| i.open).count();
    let host = u.web.trim_start_matches("http://").trim_start_matches("https://").to_string();
    let mut v = json!({
        "id": repo.id,
        "node_id": node_id("Repository", repo.id),
        "name": repo.name,
        "full_name": repo.full_name(),
        "private": repo.private,
        "visibility": if repo.private { "private" } else { "public" },
        "owner": owner,
        "html_url": html,
        "description": repo.description,
        "fork": false,
        "url": api,
        "archive_url": format!("{api}/{{archive_format}}{{/ref}}"),
        "assignees_url": format!("{api}/assignees{{/user}}"),
        "blobs_url": format!("{api}/git/blobs{{/sha}}"),
        "branches_url": format!("{api}/branches{{/branch}}"),
        "collaborators_url": format!("{api}/collaborators{{/collaborator}}"),
        "comments_url": format!("{api}/comments{{/number}}"),
        "commits_url": format!("{api}/commits{{/sha}}"),
        "compare_url": format!("{api}/compare/{{base}}...{{head}}"),
        "contents_url": format!("{api}/contents/{{+path}}"),
        "contributors_url": format!("{api}/contributors"),
        "deployments_url": format!("{api}/deployments"),
        "downloads_url": format!("{api}/downloads"),
        "events_url": format!("{api}/events"),
        "forks_url": format!("{api}/forks"),
        "git_commits_url": format!("{api}/git/commits{{/sha}}"),
        "git_refs_url": format!("{api}/git/refs{{/sha}}"),
        "git_tags_url": format!("{api}/git/tags{{/sha}}"),
        "git_url": format!("git://{host}/{}.git", repo.full_name()),
        "issue_comment_url": format!("{api}/issues/comments{{/number}}"),
        "issue_events_url": format!("{api}/issues/events{{/number}}"),
        "issues_url": format!("{api}/issues{{/number}}"),
        "keys_url": format!("{api}/keys{{/key_id}}"),
        "labels_url": format!("{api}/labels{{/name}}"),
        "languages_url": format!("{api}/languages"),
        "merges_url": format!("{api}/merges"),
        "milestones_url": format!("{api}/milestones{{/number}}"),
        "notifications_url": format!("{api}/notifications{{?since,all,participating}}"),
        "pulls_url": format!("{api}/pulls{{/number}}"),
        "releases_url": format!("{api}/releases{{/id}}"),
        "ssh_url": format!("git@{host}:{}.git", repo.full_name()),
        "stargazers_url": format!("{api}/stargazers"),
        "statuses_url": format!("{api}/statuses/{{sha}}"),
        "subscribers_url": format!("{api}/subscribers"),
        "subscription_url": format!("{api}/subscription"),
        "tags_url": format!("{api}/tags"),
        "teams_url": format!("{api}/teams"),
        "trees_url": format!("{api}/git/trees{{/sha}}"),
        "clone_url": format!("{html}.git"),
        "mirror_url": null,
        "hooks_url": format!("{api}/hooks"),
        "svn_url": html,
        "homepage": null,
        "language": null,
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": repo.default_branch,
        "open_issues_count": open_issues,
        "open_issues": open_issues,
        "is_template": false,
        "topics": [],
        "has_issues": true,
        "has_projects": true,
        "has_wiki": true,
        "has_pages": false,
        "has_downloads": true,
        "has_discussions": false,
        "archived": false,
        "disabled": false,
        "pushed_at": ts(repo.updated_at),
        "created_at": ts(repo.created_at),
        "updated_at": ts(repo.updated_at),
        "allow_rebase_merge": true,
        "allow_squash_merge": true,
        "allow_merge_commit": true,
        "allow_auto_merge": false,
        "delete_branch_on_merge": false,
        "allow_forking": true,
        "web_commit_signoff_required": false,
        "license": null,
        "network_count": 0,
        "subscribers_count": 0,
    });
    if let Some(p) = permissions {
        v["permissions"] = p;
    }
    if let Some(org) = db.account(&repo.owner).filter(|a| a.kind == AccountKind::Organization) {
        v["organization"] = simple_user(u, org);
    }
    v
}

/// `git-ref`.
pub(crate) fn git_ref(u: &Urls, repo: &Repo, name: &str, sha: &str, kind: &str) -> Value {
    let api = u.repo_api(repo);
    let object_path = if kind == "tag" { "tags" } else { "commits" };
    json!({
        "ref": name,
        "node_id": node_id("Ref", format!("{}:{name}", repo.id)),
        "url": format!("{api}/git/{name}"),
        "object": { "type": kind, "sha": sha, "url": format!("{api}/git/{object_path}/{sha}") },
    })
}

/// One entry of `git-tree`.
pub(crate) fn tree_entry(u: &Urls, repo: &Repo, e: &TreeEntry) -> Value {
    let api = u.repo_api(repo);
    let mut v = json!({ "path": e.path, "mode": e.mode, "type": e.kind, "sha": e.sha });
    match e.kind.as_str() {
        "blob" => {
            v["size"] = json!(e.size.unwrap_or(0));
            v["url"] = json!(format!("{api}/git/blobs/{}", e.sha));
        }
        "tree" => v["url"] = json!(format!("{api}/git/trees/{}", e.sha)),
        _ => {}
    }
    v
}

/// `git-tree`.
pub(crate) fn git_tree(u: &Urls, repo: &Repo, sha: &str, entries: &[TreeEntry], truncated: bool) -> Value {
    json!({
        "sha": sha,
        "url": format!("{}/git/trees/{sha}", u.repo_api(repo)),
        "tree": entries.iter().map(|e| tree_entry(u, repo, e)).collect::<Vec<_>>(),
        "truncated": truncated,
    })
}

/// GitHub wraps base64 content at 60 columns.
pub(crate) fn base64_wrapped(data: &[u8]) -> String {
    let b = base64::engine::general_purpose::STANDARD.encode(data);
    let mut out = String::with_capacity(b.len() + b.len() / 60 + 1);
    for chunk in b.as_bytes().chunks(60) {
        out.push_str(std::str::from_utf8(chunk).expect("base64 is ascii"));
        out.push('\n');
    }
    out
}

/// `blob`.
pub(crate) fn blob(u: &Urls, repo: &Repo, sha: &str, data: &[u8]) -> Value {
    json!({
        "sha": sha,
        "node_id": node_id("Blob", format!("{}:{sha}", repo.id)),
        "size": data.len(),
        "url": format!("{}/git/blobs/{sha}", u.repo_api(repo)),
        "content": base64_wrapped(data),
        "encoding": "base64",
    })
}

fn git_user(i: &Ident) -> Value {
    json!({ "name": i.name, "email": i.email, "date": unix_ts(i.time) })
}

/// `verification` of a commit: verified when the emulator recorded it as GitHub-signed.
pub(crate) fn verification(repo: &Repo, c: &RawCommit) -> Value {
    match repo.verified.get(&c.sha) {
        Some(true) => json!({
            "verified": true,
            "reason": "valid",
            "signature": "-----BEGIN PGP SIGNATURE-----\n\n(github-emulator: GitHub would sign this commit)\n-----END PGP SIGNATURE-----\n",
            "payload": c.raw,
            "verified_at": unix_ts(c.committer.time),
        }),
        _ => json!({
            "verified": false,
            "reason": if c.signed { "unknown_key" } else { "unsigned" },
            "signature": null,
            "payload": null,
            "verified_at": null,
        }),
    }
}

/// `git-commit`.
pub(crate) fn git_commit(u: &Urls, repo: &Repo, c: &RawCommit) -> Value {
    let api = u.repo_api(repo);
    let web = u.repo_web(repo);
    json!({
        "sha": c.sha,
        "node_id": node_id("Commit", format!("{}:{}", repo.id, c.sha)),
        "url": format!("{api}/git/commits/{}", c.sha),
        "html_url": format!("{web}/commit/{}", c.sha),
        "author": git_user(&c.author),
        "committer": git_user(&c.committer),
        "tree": { "sha": c.tree, "url": format!("{api}/git/trees/{}", c.tree) },
        "message": c.message,
        "parents": c.parents.iter().map(|p| json!({
            "sha": p,
            "url": format!("{api}/git/commits/{p}"),
            "html_url": format!("{web}/commit/{p}"),
        })).collect::<Vec<_>>(),
        "verification": verification(repo, c),
    })
}

/// `diff-entry`.
pub(crate) fn diff_entry(u: &Urls, repo: &Repo, head: &str, f: &DiffFile) -> Value {
    let status = match f.status {
        'A' => "added",
        'D' => "removed",
        'T' => "changed",
        _ => "modified",
    };
    let sha = if f.status == 'D' { &f.old_sha } else { &f.new_sha };
    let path = percent_encoding::utf8_percent_encode(&f.path, PATH_SET).to_string();
    json!({
        "sha": sha,
        "filename": f.path,
        "status": status,
        "additions": f.additions,
        "deletions": f.deletions,
        "changes": f.additions + f.deletions,
        "blob_url": format!("{}/blob/{head}/{path}", u.repo_web(repo)),
        "raw_url": format!("{}/raw/{head}/{path}", u.repo_web(repo)),
        "contents_url": format!("{}/contents/{path}?ref={head}", u.repo_api(repo)),
    })
}

/// Characters escaped in a path put into a URL.
pub(crate) const PATH_SET: &percent_encoding::AsciiSet = &percent_encoding::CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'`')
    .add(b'{')
    .add(b'}');

/// `commit` (the REST commit with `commit`, users, parents; `files`/`stats` when given).
pub(crate) fn commit(u: &Urls, db: &Db, repo: &Repo, c: &RawCommit, files: Option<&[DiffFile]>) -> Value {
    let api = u.repo_api(repo);
    let web = u.repo_web(repo);
    // GitHub's `{}` (empty-object) for an email that belongs to no account.
    let user_for = |i: &Ident| match db.account_by_email(&i.email) {
        Some(a) => simple_user(u, a),
        None => json!({}),
    };
    let mut v = json!({
        "url": format!("{api}/commits/{}", c.sha),
        "sha": c.sha,
        "node_id": node_id("Commit", format!("{}:{}", repo.id, c.sha)),
        "html_url": format!("{web}/commit/{}", c.sha),
        "comments_url": format!("{api}/commits/{}/comments", c.sha),
        "commit": {
            "url": format!("{api}/git/commits/{}", c.sha),
            "author": git_user(&c.author),
            "committer": git_user(&c.committer),
            "message": c.message,
            "tree": { "sha": c.tree, "url": format!("{api}/git/trees/{}", c.tree) },
            "comment_count": 0,
            "verification": verification(repo, c),
        },
        "author": user_for(&c.author),
        "committer": user_for(&c.committer),
        "parents": c.parents.iter().map(|p| json!({
            "sha": p,
            "url": format!("{api}/commits/{p}"),
            "html_url": format!("{web}/commit/{p}"),
        })).collect::<Vec<_>>(),
    });
    if let Some(files) = files {
        let additions: u64 = files.iter().map(|f| f.additions).sum();
        let deletions: u64 = files.iter().map(|f| f.deletions).sum();
        v["stats"] = json!({ "additions": additions, "deletions": deletions, "total": additions + deletions });
        v["files"] = Value::Array(files.iter().map(|f| diff_entry(u, repo, &c.sha, f)).collect());
    }
    v
}

/// `label`.
pub(crate) fn label(u: &Urls, repo: &Repo, l: &Label) -> Value {
    let name = percent_encoding::utf8_percent_encode(&l.name, percent_encoding::NON_ALPHANUMERIC).to_string();
    json!({
        "id": l.id,
        "node_id": node_id("Label", l.id),
        "url": format!("{}/labels/{name}", u.repo_api(repo)),
        "name": l.name,
        "description": l.description.clone().unwrap_or_default(),
        "color": l.color,
        "default": false,
    })
}

/// The label objects of an issue, as GitHub renders them.
pub(crate) fn labels_of(u: &Urls, repo: &Repo, issue: &Issue) -> Vec<Value> {
    issue
        .labels
        .iter()
        .filter_map(|n| repo.labels.iter().find(|l| l.name.eq_ignore_ascii_case(n)))
        .map(|l| label(u, repo, l))
        .collect()
}

fn users(u: &Urls, db: &Db, logins: &[String]) -> Vec<Value> {
    logins.iter().map(|l| user_by_login(u, db, l)).collect()
}

/// `issue` (for a pull request too, with `pull_request`).
pub(crate) fn issue(u: &Urls, db: &Db, repo: &Repo, i: &Issue) -> Value {
    let api = format!("{}/issues/{}", u.repo_api(repo), i.number);
    let mut v = json!({
        "id": i.id,
        "node_id": node_id("Issue", i.id),
        "url": api,
        "repository_url": u.repo_api(repo),
        "labels_url": format!("{api}/labels{{/name}}"),
        "comments_url": format!("{api}/comments"),
        "events_url": format!("{api}/events"),
        "html_url": format!("{}/{}/{}", u.repo_web(repo), if i.pull.is_some() { "pull" } else { "issues" }, i.number),
        "number": i.number,
        "state": if i.open { "open" } else { "closed" },
        "state_reason": i.state_reason,
        "title": i.title,
        "body": i.body,
        "user": user_by_login(u, db, &i.user),
        "labels": labels_of(u, repo, i),
        "assignee": i.assignees.first().map_or(Value::Null, |a| user_by_login(u, db, a)),
        "assignees": users(u, db, &i.assignees),
        "milestone": null,
        "locked": false,
        "active_lock_reason": null,
        "comments": i.comments.len(),
        "closed_at": ts_opt(i.closed_at),
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
        "closed_by": i.closed_by.as_deref().map_or(Value::Null, |l| user_by_login(u, db, l)),
        "author_association": author_association(db, repo, &i.user),
        "timeline_url": format!("{api}/timeline"),
    });
    if let Some(p) = &i.pull {
        let pr = format!("{}/pulls/{}", u.repo_api(repo), i.number);
        let web = format!("{}/pull/{}", u.repo_web(repo), i.number);
        v["pull_request"] = json!({
            "url": pr,
            "html_url": web,
            "diff_url": format!("{web}.diff"),
            "patch_url": format!("{web}.patch"),
            "merged_at": ts_opt(p.merged_at),
        });
        v["draft"] = json!(p.draft);
    }
    v
}

pub(crate) fn author_association(db: &Db, repo: &Repo, login: &str) -> &'static str {
    if login.eq_ignore_ascii_case(&repo.owner) {
        "OWNER"
    } else if db.is_member_of(login, &repo.owner) {
        "MEMBER"
    } else if login.ends_with("[bot]") {
        "NONE"
    } else {
        "CONTRIBUTOR"
    }
}

/// Figures of a pull request computed from git by the handler.
#[derive(Debug, Clone, Default)]
pub(crate) struct PullFigures {
    pub head_sha: String,
    pub base_sha: String,
    pub commits: u64,
    pub additions: u64,
    pub deletions: u64,
    pub changed_files: u64,
    /// `None` when closed or unknown.
    pub mergeable: Option<bool>,
}

fn team(u: &Urls, repo: &Repo, slug: &str) -> Value {
    let id = slug.bytes().fold(7u64, |h, b| h.wrapping_mul(31).wrapping_add(u64::from(b))) % 1_000_000_000;
    let api = format!("{}/orgs/{}/teams/{slug}", u.api, repo.owner);
    json!({
        "id": id,
        "node_id": node_id("Team", id),
        "url": api,
        "html_url": format!("{}/orgs/{}/teams/{slug}", u.web, repo.owner),
        "name": slug,
        "slug": slug,
        "description": null,
        "privacy": "closed",
        "notification_setting": "notifications_enabled",
        "permission": "pull",
        "members_url": format!("{api}/members{{/member}}"),
        "repositories_url": format!("{api}/repos"),
        "type": "organization",
        "parent": null,
    })
}

/// `pull-request` (full, `simple = false`) or `pull-request-simple`.
pub(crate) fn pull_request(u: &Urls, db: &Db, repo: &Repo, i: &Issue, f: &PullFigures, simple: bool) -> Value {
    let p = i.pull.as_ref().expect("pull_request() called on an issue");
    let api = format!("{}/pulls/{}", u.repo_api(repo), i.number);
    let web = format!("{}/pull/{}", u.repo_web(repo), i.number);
    let issue_api = format!("{}/issues/{}", u.repo_api(repo), i.number);
    let repo_obj = repository(u, db, repo, None);
    let owner_user = user_by_login(u, db, &repo.owner);
    let link = |h: String| json!({ "href": h });
    let mut v = json!({
        "url": api,
        "id": p.id,
        "node_id": node_id("PullRequest", p.id),
        "html_url": web,
        "diff_url": format!("{web}.diff"),
        "patch_url": format!("{web}.patch"),
        "issue_url": issue_api,
        "commits_url": format!("{api}/commits"),
        "review_comments_url": format!("{api}/comments"),
        "review_comment_url": format!("{}/pulls/comments{{/number}}", u.repo_api(repo)),
        "comments_url": format!("{issue_api}/comments"),
        "statuses_url": format!("{}/statuses/{}", u.repo_api(repo), f.head_sha),
        "number": i.number,
        "state": if i.open { "open" } else { "closed" },
        "locked": false,
        "title": i.title,
        "user": user_by_login(u, db, &i.user),
        "body": i.body,
        "labels": labels_of(u, repo, i),
        "milestone": null,
        "active_lock_reason": null,
        "created_at": ts(i.created_at),
        "updated_at": ts(i.updated_at),
        "closed_at": ts_opt(i.closed_at),
        "merged_at": ts_opt(p.merged_at),
        "merge_commit_sha": p.merge_commit_sha,
        "assignee": i.assignees.first().map_or(Value::Null, |a| user_by_login(u, db, a)),
        "assignees": users(u, db, &i.assignees),
        "requested_reviewers": users(u, db, &p.requested_reviewers),
        "requested_teams": p.requested_teams.iter().map(|t| team(u, repo, t)).collect::<Vec<_>>(),
        "head": {
            "label": format!("{}:{}", repo.owner, p.head_ref),
            "ref": p.head_ref,
            "sha": f.head_sha,
            "user": owner_user,
            "repo": repo_obj,
        },
        "base": {
            "label": format!("{}:{}", repo.owner, p.base_ref),
            "ref": p.base_ref,
            "sha": f.base_sha,
            "user": owner_user,
            "repo": repo_obj,
        },
        "_links": {
            "self": link(api.clone()),
            "html": link(web.clone()),
            "issue": link(issue_api.clone()),
            "comments": link(format!("{issue_api}/comments")),
            "review_comments": link(format!("{api}/comments")),
            "review_comment": link(format!("{}/pulls/comments{{/number}}", u.repo_api(repo))),
            "commits": link(format!("{api}/commits")),
            "statuses": link(format!("{}/statuses/{}", u.repo_api(repo), f.head_sha)),
        },
        "author_association": author_association(db, repo, &i.user),
        "auto_merge": null,
        "draft": p.draft,
    });
    if !simple {
        let state = match (i.open, p.draft, f.mergeable) {
            (false, _, _) => "unknown",
            (true, true, _) => "draft",
            (true, false, Some(true)) => "clean",
            (true, false, Some(false)) => "dirty",
            (true, false, None) => "unknown",
        };
        merge(
            &mut v,
            json!({
                "merged": p.merged,
                "mergeable": f.mergeable,
                "rebaseable": f.mergeable,
                "mergeable_state": state,
                "merged_by": p.merged_by.as_deref().map_or(Value::Null, |l| user_by_login(u, db, l)),
                "comments": i.comments.len(),
                "review_comments": 0,
                "maintainer_can_modify": false,
                "commits": f.commits,
                "additions": f.additions,
                "deletions": f.deletions,
                "changed_files": f.changed_files,
            }),
        );
    }
    v
}

/// `issue-comment`.
pub(crate) fn issue_comment(u: &Urls, db: &Db, repo: &Repo, i: &Issue, c: &Comment) -> Value {
    json!({
        "id": c.id,
        "node_id": node_id("IssueComment", c.id),
        "url": format!("{}/issues/comments/{}", u.repo_api(repo), c.id),
        "html_url": format!("{}/{}/{}#issuecomment-{}", u.repo_web(repo), if i.pull.is_some() { "pull" } else { "issues" }, i.number, c.id),
        "issue_url": format!("{}/issues/{}", u.repo_api(repo), i.number),
        "body": c.body,
        "user": user_by_login(u, db, &c.user),
        "created_at": ts(c.created_at),
        "updated_at": ts(c.updated_at),
        "author_association": author_association(db, repo, &c.user),
    })
}

/// One entry of a contents listing, or (with `content`) `content-file`.
pub(crate) fn content_entry(
    u: &Urls,
    repo: &Repo,
    git_ref: &str,
    path: &str,
    e: &TreeEntry,
    content: Option<&[u8]>,
) -> Value {
    let name = path.rsplit('/').next().unwrap_or(path);
    let enc = percent_encoding::utf8_percent_encode(path, PATH_SET).to_string();
    let kind = match (e.kind.as_str(), e.mode.as_str()) {
        ("tree", _) => "dir",
        ("commit", _) => "submodule",
        (_, "120000") => "symlink",
        _ => "file",
    };
    let git_url = match kind {
        "dir" => format!("{}/git/trees/{}", u.repo_api(repo), e.sha),
        _ => format!("{}/git/blobs/{}", u.repo_api(repo), e.sha),
    };
    let self_url = format!("{}/contents/{enc}?ref={git_ref}", u.repo_api(repo));
    let html_url = format!("{}/{}/{git_ref}/{enc}", u.repo_web(repo), if kind == "dir" { "tree" } else { "blob" });
    let download = (kind == "file").then(|| format!("{}/raw/{git_ref}/{enc}", u.repo_web(repo)));
    let mut v = json!({
        "type": kind,
        "name": name,
        "path": path,
        "sha": e.sha,
        "size": e.size.unwrap_or(0),
        "url": self_url,
        "git_url": git_url,
        "html_url": html_url,
        "download_url": download,
        "_links": { "self": self_url, "git": git_url, "html": html_url },
    });
    if let Some(data) = content {
        v["content"] = json!(base64_wrapped(data));
        v["encoding"] = json!("base64");
    }
    v
}

/// `app-permissions` from the emulator's permission set.
pub(crate) fn app_permissions(p: &Permissions) -> Value {
    let lvl = |a: Option<Access>| a.map(|a| if a == Access::Write { "write" } else { "read" });
    let mut m = serde_json::Map::new();
    for (k, v) in [
        ("contents", lvl(p.contents)),
        ("pull_requests", lvl(p.pull_requests)),
        ("issues", lvl(p.issues)),
        ("administration", lvl(p.administration)),
        ("metadata", lvl(p.metadata).or(Some("read"))),
        ("workflows", p.workflows.map(|_| "write")),
    ] {
        if let Some(v) = v {
            m.insert(k.to_string(), json!(v));
        }
    }
    Value::Object(m)
}

/// `integration` (`GET /app`).
pub(crate) fn integration(u: &Urls, db: &Db, app: &App) -> Value {
    let installs = db.installations.values().filter(|i| i.app_id == app.id).count();
    json!({
        "id": app.id,
        "slug": app.slug,
        "client_id": format!("Iv1.{:016x}", app.id),
        "node_id": node_id("App", app.id),
        "owner": user_by_login(u, db, &app.owner),
        "name": app.name,
        "description": null,
        "external_url": format!("{}/apps/{}", u.web, app.slug),
        "html_url": format!("{}/apps/{}", u.web, app.slug),
        "created_at": ts(app.created_at),
        "updated_at": ts(app.created_at),
        "permissions": { "metadata": "read", "contents": "write", "pull_requests": "write", "issues": "write" },
        "events": [],
        "installations_count": installs,
    })
}

/// `installation`.
pub(crate) fn installation(u: &Urls, db: &Db, i: &Installation, app: &App) -> Value {
    let account = db.account(&i.account);
    json!({
        "id": i.id,
        "client_id": format!("Iv1.{:016x}", app.id),
        "account": user_by_login(u, db, &i.account),
        "repository_selection": match i.repositories { crate::types::RepoAccess::All(_) => "all", _ => "selected" },
        "access_tokens_url": format!("{}/app/installations/{}/access_tokens", u.api, i.id),
        "repositories_url": format!("{}/installation/repositories", u.api),
        "html_url": format!("{}/settings/installations/{}", u.web, i.id),
        "app_id": app.id,
        "app_slug": app.slug,
        "target_id": account.map_or(0, |a| a.id),
        "target_type": account.map_or("User", |a| a.kind.as_str()),
        "permissions": app_permissions(&i.permissions),
        "events": [],
        "single_file_name": null,
        "has_multiple_single_files": false,
        "single_file_paths": [],
        "created_at": ts(i.created_at),
        "updated_at": ts(i.created_at),
        "suspended_by": null,
        "suspended_at": null,
    })
}

/// `rate-limit`.
pub(crate) fn rate_limit(limit: u64, used: u64, reset: i64) -> Value {
    json!({ "limit": limit, "remaining": limit.saturating_sub(used), "reset": reset, "used": used, "resource": "core" })
}
