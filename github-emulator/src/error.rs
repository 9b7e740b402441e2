//! Replies and GitHub-shaped errors. Handlers return `Result<Reply, ApiError>`; an internal
//! failure becomes a 500 with GitHub's error body and is printed to stderr, never a panic.

use serde_json::{Value, json};

pub(crate) const DOC_URL: &str = "https://docs.github.com/rest";

/// A response before it is turned into HTTP.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: Option<Value>,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Reply {
        Reply { status, body: Some(body), headers: Vec::new() }
    }

    pub fn ok(body: Value) -> Reply {
        Reply::json(200, body)
    }

    pub fn created(body: Value) -> Reply {
        Reply::json(201, body)
    }

    pub fn no_content() -> Reply {
        Reply { status: 204, body: None, headers: Vec::new() }
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Reply {
        self.headers.push((name.to_string(), value.into()));
        self
    }
}

/// GitHub's error body for a status and message.
pub(crate) fn error_body(status: u16, message: &str) -> Value {
    json!({ "message": message, "documentation_url": DOC_URL, "status": status.to_string() })
}

/// An error reply.
#[derive(Debug)]
pub(crate) struct ApiError(pub Reply);

pub(crate) type ApiResult = Result<Reply, ApiError>;

impl ApiError {
    pub fn new(status: u16, message: &str) -> ApiError {
        ApiError(Reply::json(status, error_body(status, message)))
    }

    pub fn not_found() -> ApiError {
        ApiError::new(404, "Not Found")
    }

    pub fn bad_credentials() -> ApiError {
        ApiError::new(401, "Bad credentials")
    }

    pub fn requires_authentication() -> ApiError {
        ApiError::new(401, "Requires authentication")
    }

    pub fn empty_repository() -> ApiError {
        ApiError::new(409, "Git Repository is empty.")
    }

    /// 422 with a message only (`Reference already exists`, ...).
    pub fn unprocessable(message: &str) -> ApiError {
        ApiError::new(422, message)
    }

    /// 422 `Validation Failed` with GitHub's `errors` list.
    pub fn validation(errors: Vec<Value>) -> ApiError {
        let mut body = error_body(422, "Validation Failed");
        body["errors"] = Value::Array(errors);
        ApiError(Reply::json(422, body))
    }

    /// 422 for a malformed or incomplete request body.
    pub fn invalid_body(detail: &str) -> ApiError {
        ApiError::new(422, &format!("Invalid request.\n\n{detail}"))
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> ApiError {
        self.0.headers.push((name.to_string(), value.into()));
        self
    }
}

impl From<anyhow::Error> for ApiError {
    fn from(e: anyhow::Error) -> ApiError {
        eprintln!("github-emulator: internal error: {e:#}");
        ApiError::new(500, "Server Error")
    }
}

impl From<crate::git::RefUpdateError> for ApiError {
    fn from(e: crate::git::RefUpdateError) -> ApiError {
        match e {
            crate::git::RefUpdateError::Stale => ApiError::unprocessable("Reference update failed"),
            crate::git::RefUpdateError::Other(e) => e.into(),
        }
    }
}
