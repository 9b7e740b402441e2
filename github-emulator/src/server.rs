//! The HTTP layer: accepts connections (HTTP/1.1 with keep-alive), strips the GitHub
//! Enterprise Server prefix, applies injected faults, runs handlers on the blocking pool,
//! adds GitHub's headers and records the request log. Admin requests (`/_emulator/...`)
//! bypass faults and the log.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Request as HttpRequest, Response};
use hyper_util::rt::TokioIo;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::Notify;

use crate::error::{Reply, error_body};
use crate::handlers::{self, Request};
use crate::objects::Urls;
use crate::state::{State, lock};
use crate::types::{FaultAction, LogEntry};

/// The GitHub Enterprise Server API prefix, served as well as `/`.
pub(crate) const GHES_PREFIX: &str = "/api/v3";

/// Accepts connections until `shutdown` completes.
pub(crate) async fn serve(state: Arc<State>, listener: TcpListener, shutdown: impl Future<Output = ()>) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let _ = stream.set_nodelay(true);
                    tokio::spawn(serve_connection(state.clone(), stream));
                }
                Err(e) => {
                    eprintln!("github-emulator: accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            },
        }
    }
}

async fn serve_connection(state: Arc<State>, stream: tokio::net::TcpStream) {
    // A `Drop` fault notifies this to close the connection without any response.
    let kill = Arc::new(Notify::new());
    let k = kill.clone();
    let service = hyper::service::service_fn(move |req| {
        let state = state.clone();
        let kill = k.clone();
        async move { Ok::<_, Infallible>(handle(state, kill, req).await) }
    });
    let conn =
        hyper::server::conn::http1::Builder::new().keep_alive(true).serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        _ = kill.notified() => {}
    }
}

fn request_id(state: &State) -> String {
    let n = state.request_counter.fetch_add(1, Ordering::Relaxed) + 1;
    let pid = std::process::id();
    format!(
        "E{:03X}:{:04X}:{:06X}:{:07X}:{:08X}",
        pid % 0xFFF,
        pid % 0xFFFF,
        n,
        n * 7,
        jiff::Timestamp::now().as_second()
    )
}

fn decode_segments(path: &str) -> Vec<String> {
    path.split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_encoding::percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect()
}

/// The repository `(owner, name)` of a `/repos/{owner}/{repo}/...` path.
fn repo_of(path: &str) -> Option<(String, String)> {
    let segs = decode_segments(path);
    match segs.as_slice() {
        [r, o, n, ..] if r == "repos" => Some((o.clone(), n.clone())),
        _ => None,
    }
}

fn to_response(reply: Reply, id: &str) -> (Response<Full<Bytes>>, u64) {
    let body = match &reply.body {
        Some(v) => serde_json::to_vec(v).unwrap_or_default(),
        None => Vec::new(),
    };
    let len = body.len() as u64;
    let mut b = Response::builder().status(reply.status);
    let has = |name: &str| reply.headers.iter().any(|(k, _)| k.eq_ignore_ascii_case(name));
    if !has("content-type") {
        b = b.header("content-type", "application/json; charset=utf-8");
    }
    b = b
        .header("x-github-request-id", id)
        .header("x-github-media-type", "github.v3; format=json")
        .header("x-github-api-version-selected", "2022-11-28")
        .header("server", "github.com");
    for (k, v) in &reply.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    let resp = b.body(Full::new(Bytes::from(body))).unwrap_or_else(|_| {
        let mut r = Response::new(Full::new(Bytes::from_static(b"{\"message\":\"Server Error\"}")));
        *r.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
        r
    });
    (resp, len)
}

/// The reply of a `Status`-like fault (GitHub's body and rate-limit headers unless overridden).
fn fault_reply(state: &State, action: &FaultAction, authorization: Option<&str>, id: &str) -> Reply {
    let mut headers = handlers::peek_rate_headers(state, authorization);
    let now = jiff::Timestamp::now().as_second();
    let (code, extra, body): (u16, Vec<(String, String)>, Value) = match action {
        FaultAction::Status { code, headers, body } => {
            let default = error_body(
                *code,
                match code {
                    429 => "Too Many Requests",
                    500 => "Server Error",
                    502 => "Server Error",
                    503 => "Service Unavailable",
                    504 => {
                        "We couldn't respond to your request in time. Sorry about that. Please try resubmitting your request and contact us if the problem persists."
                    }
                    403 => "Forbidden",
                    404 => "Not Found",
                    _ => "Error",
                },
            );
            (
                *code,
                headers.iter().map(|(k, v)| (k.to_ascii_lowercase(), v.clone())).collect(),
                body.clone().unwrap_or(default),
            )
        }
        FaultAction::SecondaryRateLimit { retry_after } => {
            let mut b = error_body(
                403,
                &format!(
                    "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID {id}."
                ),
            );
            b["documentation_url"] = Value::String(
                "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits".into(),
            );
            (403, vec![("retry-after".into(), retry_after.to_string())], b)
        }
        FaultAction::PrimaryRateLimit { reset_in } => {
            let limit = headers
                .iter()
                .find(|(k, _)| k == "x-ratelimit-limit")
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| "5000".into());
            let mut b = error_body(
                403,
                &format!(
                    "API rate limit exceeded. If you reach out to GitHub Support for help, please include the request ID {id}."
                ),
            );
            b["documentation_url"] = Value::String(
                "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-rate-limit".into(),
            );
            (
                403,
                vec![
                    ("x-ratelimit-remaining".into(), "0".into()),
                    ("x-ratelimit-used".into(), limit),
                    ("x-ratelimit-reset".into(), (now + *reset_in as i64).to_string()),
                ],
                b,
            )
        }
        _ => (500, Vec::new(), error_body(500, "Server Error")),
    };
    headers.retain(|(k, _)| !extra.iter().any(|(e, _)| e == k));
    headers.extend(extra);
    Reply { status: code, body: Some(body), headers }
}

fn describe(action: &FaultAction) -> String {
    match action {
        FaultAction::Status { code, .. } => format!("status {code}"),
        FaultAction::SecondaryRateLimit { .. } => "secondary_rate_limit".into(),
        FaultAction::PrimaryRateLimit { .. } => "primary_rate_limit".into(),
        FaultAction::Delay { ms } => format!("delay {ms}ms"),
        FaultAction::Drop => "drop".into(),
        FaultAction::MoveRef { reference } => format!("move_ref {reference}"),
    }
}

async fn handle(state: Arc<State>, kill: Arc<Notify>, req: HttpRequest<Incoming>) -> Response<Full<Bytes>> {
    let start = Instant::now();
    let (parts, body) = req.into_parts();
    let body = body.collect().await.map(|b| b.to_bytes()).unwrap_or_default();
    let path = parts.uri.path().to_string();
    let query = parts.uri.query().unwrap_or("").to_string();
    let method = parts.method.as_str().to_string();
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let id = request_id(&state);

    if path == "/_emulator" || path.starts_with("/_emulator/") {
        let st = state.clone();
        let (m, p, q) = (method.clone(), path.clone(), query.clone());
        let reply = tokio::task::spawn_blocking(move || crate::admin::handle(&st, &m, &p, &q, &body))
            .await
            .unwrap_or_else(|_| Reply::json(500, serde_json::json!({ "message": "admin handler panicked" })));
        return to_response(reply, &id).0;
    }

    let (prefix, api_path) = match path.strip_prefix(GHES_PREFIX) {
        Some(rest) if rest.is_empty() || rest.starts_with('/') => {
            (GHES_PREFIX, if rest.is_empty() { "/" } else { rest })
        }
        _ => ("", path.as_str()),
    };
    let api_path = api_path.to_string();
    let host = header("host").unwrap_or_else(|| "127.0.0.1".into());
    let urls = Urls { api: format!("http://{host}{prefix}"), web: format!("http://{host}") };
    let authorization = header("authorization");
    let request_bytes = body.len() as u64;
    let log = |status: u16, response_bytes: u64, fault: Option<String>| {
        lock(&state.log).push(LogEntry {
            method: method.clone(),
            path: path.clone(),
            query: query.clone(),
            status,
            request_bytes,
            response_bytes,
            duration_ms: start.elapsed().as_millis() as u64,
            fault,
        });
    };

    let mut fault_desc: Vec<String> = Vec::new();
    let mut early = None;
    for action in state.triggered_faults(&method, &api_path) {
        fault_desc.push(describe(&action));
        match action {
            FaultAction::Delay { ms } => tokio::time::sleep(Duration::from_millis(ms)).await,
            FaultAction::MoveRef { reference } => {
                if let Some((o, n)) = repo_of(&api_path) {
                    let st = state.clone();
                    let outcome = tokio::task::spawn_blocking(move || st.someone_else_pushes(&o, &n, &reference)).await;
                    if let Ok(Err(e)) = outcome {
                        eprintln!("github-emulator: move_ref fault: {e:#}");
                    }
                }
            }
            FaultAction::Drop => {
                log(0, 0, Some(fault_desc.join(", ")));
                kill.notify_one();
                return std::future::pending().await;
            }
            other => {
                early = Some(fault_reply(&state, &other, authorization.as_deref(), &id));
                break;
            }
        }
    }
    let reply = match early {
        Some(r) => r,
        None => {
            let request = Request {
                method: method.clone(),
                segments: decode_segments(&api_path),
                query: form_urlencoded::parse(query.as_bytes()).into_owned().collect(),
                body,
                authorization: authorization.clone(),
            };
            let st = state.clone();
            tokio::task::spawn_blocking(move || handlers::dispatch(&st, &request, urls)).await.unwrap_or_else(|e| {
                eprintln!("github-emulator: handler panicked: {e}");
                Reply::json(500, error_body(500, "Server Error"))
            })
        }
    };
    let status = reply.status;
    let (resp, len) = to_response(reply, &id);
    log(status, len, (!fault_desc.is_empty()).then(|| fault_desc.join(", ")));
    resp
}
