//! Who is calling and what they may do: tokens (PAT, Actions, installation), App JWTs,
//! repository visibility and GitHub's permission errors.

use base64::Engine;
use jiff::Timestamp;
use serde_json::Value;

use crate::error::ApiError;
use crate::state::{Db, Repo, Token};
use crate::types::{Access, Perm, RepoAccess, TokenKind};

/// The authenticated caller of one request.
#[derive(Debug, Clone)]
pub(crate) enum Caller {
    Anonymous,
    Token { token: String, info: Token },
    App { app_id: u64 },
}

impl Caller {
    /// The login the caller acts as (for PR authors, comments, commits).
    pub fn login(&self) -> Option<&str> {
        match self {
            Caller::Token { info, .. } => Some(&info.login),
            _ => None,
        }
    }

    fn denied_message(&self) -> &'static str {
        match self {
            Caller::Token { info, .. } if info.kind == TokenKind::Pat => {
                "Resource not accessible by personal access token"
            }
            _ => "Resource not accessible by integration",
        }
    }

    /// GitHub's 403 for a missing permission, with `x-accepted-github-permissions`.
    pub fn forbidden(&self, perm: Perm, level: Access) -> ApiError {
        let lvl = match level {
            Access::Read => "read",
            Access::Write => "write",
        };
        ApiError::new(403, self.denied_message())
            .with_header("x-accepted-github-permissions", format!("{}={lvl}", perm.name()))
    }

    /// Whether the caller's token covers this repository (may act on it).
    pub fn covers(&self, db: &Db, repo: &Repo) -> bool {
        let Caller::Token { info, .. } = self else { return false };
        let listed = |list: &Vec<String>| list.iter().any(|r| r.eq_ignore_ascii_case(&repo.full_name()));
        match (&info.kind, &info.repos) {
            (_, RepoAccess::Only(list)) => listed(list),
            (TokenKind::Pat, RepoAccess::All(_)) => db.is_member_of(&info.login, &repo.owner),
            (TokenKind::Installation, RepoAccess::All(_)) => match &info.installation_account {
                Some(acct) => acct.eq_ignore_ascii_case(&repo.owner),
                None => true,
            },
            (TokenKind::Actions, RepoAccess::All(_)) => true,
        }
    }

    /// Whether the repository is visible at all (404 otherwise).
    pub fn can_see(&self, db: &Db, repo: &Repo) -> bool {
        !repo.private || self.covers(db, repo)
    }

    /// The caller's level for a permission on a repository (`None`: no access).
    pub fn level(&self, db: &Db, repo: &Repo, perm: Perm) -> Option<Access> {
        match self {
            Caller::Token { info, .. } if self.covers(db, repo) => info.permissions.get(perm),
            _ if !repo.private && perm != Perm::Workflows && perm != Perm::Administration => Some(Access::Read),
            _ => None,
        }
    }

    /// Checks one permission, with GitHub's error when it is missing.
    pub fn require(&self, db: &Db, repo: &Repo, perm: Perm, level: Access) -> Result<(), ApiError> {
        if !self.can_see(db, repo) {
            return Err(ApiError::not_found());
        }
        if self.level(db, repo, perm).is_some_and(|l| l >= level) {
            return Ok(());
        }
        match self {
            Caller::Anonymous => Err(ApiError::requires_authentication()),
            _ => Err(self.forbidden(perm, level)),
        }
    }

    /// Like `require`, satisfied by either of two permissions (issues or pull requests on a PR).
    pub fn require_any(&self, db: &Db, repo: &Repo, perms: &[Perm], level: Access) -> Result<(), ApiError> {
        let mut first = None;
        for p in perms {
            match self.require(db, repo, *p, level) {
                Ok(()) => return Ok(()),
                Err(e) if e.0.status == 404 => return Err(e),
                Err(e) => {
                    first.get_or_insert(e);
                }
            }
        }
        Err(first.unwrap_or_else(ApiError::not_found))
    }
}

/// Reads the `Authorization` header into a caller.
pub(crate) fn authenticate(db: &mut Db, header: Option<&str>) -> Result<Caller, ApiError> {
    let Some(header) = header.map(str::trim).filter(|h| !h.is_empty()) else {
        return Ok(Caller::Anonymous);
    };
    let (scheme, credential) = header.split_once(' ').unwrap_or(("", header));
    let credential = credential.trim();
    if !scheme.eq_ignore_ascii_case("bearer") && !scheme.eq_ignore_ascii_case("token") {
        return Err(ApiError::bad_credentials());
    }
    if credential.starts_with("eyJ") && credential.matches('.').count() == 2 {
        return verify_app_jwt(db, credential).map(|app_id| Caller::App { app_id });
    }
    let Some(info) = db.tokens.get(credential) else {
        return Err(ApiError::bad_credentials());
    };
    if info.expires_at.is_some_and(|e| e <= Timestamp::now()) {
        return Err(ApiError::bad_credentials());
    }
    Ok(Caller::Token { token: credential.to_string(), info: info.clone() })
}

fn jwt_error(message: &str) -> ApiError {
    ApiError::new(401, message)
}

/// Verifies an App JWT (RS256, `iss` = app id, sane `iat`/`exp`) and returns the app id.
fn verify_app_jwt(db: &Db, jwt: &str) -> Result<u64, ApiError> {
    let undecodable = || jwt_error("A JSON web token could not be decoded");
    let payload = jwt.split('.').nth(1).ok_or_else(undecodable)?;
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|_| undecodable())?;
    let claims: Value = serde_json::from_slice(&payload).map_err(|_| undecodable())?;
    let app_id = match &claims["iss"] {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => s.parse().ok(),
        _ => None,
    }
    .ok_or_else(|| jwt_error("'Issuer' claim ('iss') must be an Integer"))?;
    let app = db.apps.get(&app_id).ok_or_else(|| jwt_error("Integration not found"))?;
    let key = jsonwebtoken::DecodingKey::from_rsa_pem(app.public_key_pem.as_bytes()).map_err(|_| undecodable())?;
    let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
    validation.validate_exp = false;
    validation.validate_nbf = false;
    validation.validate_aud = false;
    validation.required_spec_claims.clear();
    jsonwebtoken::decode::<Value>(jwt, &key, &validation)
        .map_err(|_| jwt_error("A JSON web token could not be decoded"))?;
    let now = Timestamp::now().as_second();
    let iat = claims["iat"].as_i64().ok_or_else(|| {
        jwt_error("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued")
    })?;
    let exp = claims["exp"].as_i64().ok_or_else(|| {
        jwt_error("'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires")
    })?;
    if iat > now + 60 {
        return Err(jwt_error("'Issued at' claim ('iat') must be an Integer representing a time in the past"));
    }
    if exp <= now {
        return Err(jwt_error(
            "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires",
        ));
    }
    if exp > now + 600 + 60 || exp - iat > 600 + 60 {
        return Err(jwt_error("'Expiration time' claim ('exp') is too far in the future"));
    }
    Ok(app_id)
}
