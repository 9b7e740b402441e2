//! Repositories: look one up (default branch, existence), create it when the manifest says
//! `createRepository: true` (in an organisation or the user's account, initialised so it is
//! not empty), or explain a 404: which repository and what the credentials can reach.

use serde::Deserialize;
use serde_json::json;

use super::client::{AuthKind, Client, Error as ApiError, Method, where_to_grant};
use crate::printer::Printer;

#[derive(Debug, Clone, Deserialize)]
pub struct RepoInfo {
    pub full_name: String,
    pub default_branch: String,
}

#[derive(Deserialize)]
struct Account {
    login: String,
    #[serde(rename = "type")]
    kind: String,
}

/// `owner/name` split, or a clear error.
pub fn split(full: &str) -> anyhow::Result<(&str, &str)> {
    match full.split_once('/') {
        Some((o, n)) if !o.is_empty() && !n.is_empty() && !n.contains('/') => Ok((o, n)),
        _ => anyhow::bail!("`{full}` is not a repository name; write it as `owner/name`"),
    }
}

/// What the credentials can reach, for a 404's message.
pub async fn reach(client: &Client, owner: &str) -> String {
    match client.auth {
        AuthKind::Anonymous => "no token was given, so only public repositories are visible: pass `--token` or set `GITHUB_TOKEN`".into(),
        AuthKind::App => format!("the GitHub App's installation on `{owner}` does not include it: add the repository to the installation"),
        AuthKind::Token => match client.login().await {
            Some(login) => format!(
                "the token acts as `{login}`; a workflow's `GITHUB_TOKEN` reaches only its own repository, a fine-grained token only the repositories selected for it"
            ),
            None => "a workflow's `GITHUB_TOKEN` reaches only its own repository; for another one use a GitHub App or a personal token".into(),
        },
    }
}

/// The repository, created first when missing and `create` is set.
pub async fn ensure(client: &Client, full: &str, create: bool, printer: &Printer) -> anyhow::Result<RepoInfo> {
    let (owner, name) = split(full)?;
    let route = format!("/repos/{owner}/{name}");
    match client.request(Method::Get, &route, None::<&()>).await {
        Ok(r) => return r.json(),
        Err(e) if e.status() == Some(404) => {}
        Err(e) => return Err(e.into()),
    }
    if !create {
        return Err(
            ApiError::RepositoryNotFound { repository: full.to_string(), reach: reach(client, owner).await }.into()
        );
    }
    let account: Account = match client.get(&format!("/users/{owner}")).await {
        Ok(a) => a,
        Err(_) => anyhow::bail!("cannot create `{full}`: there is no account `{owner}` on GitHub"),
    };
    let body = json!({
        "name": name,
        "private": true,
        "auto_init": true,
        "description": "Generated services, kept in sync by ampsync",
    });
    let create_route = if account.kind == "Organization" {
        format!("/orgs/{owner}/repos")
    } else {
        match client.login().await {
            Some(me) if me.eq_ignore_ascii_case(&account.login) => "/user/repos".to_string(),
            _ => anyhow::bail!(
                "cannot create `{full}`: `{owner}` is a user account and the credentials do not act as `{owner}`; create it by hand or use `{owner}`'s token"
            ),
        }
    };
    match client.request(Method::Post, &create_route, Some(&body)).await {
        Ok(r) => {
            printer.info(&format!("created the repository `{full}`"));
            r.json()
        }
        // Created by an earlier attempt or a concurrent job: use it.
        Err(e) if e.is(422, "already exists") => Ok(client.get(&route).await?),
        Err(e) if e.status() == Some(404) => Err(ApiError::Permission {
            repository: full.to_string(),
            action: format!("create repositories in `{owner}`"),
            permission: "administration: write".into(),
            where_to: where_to_grant(false),
        }
        .into()),
        Err(e) => Err(e.into()),
    }
}
