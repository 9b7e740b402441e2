//! Test support: a small blocking HTTP client over ureq (no TLS) and git CLI helpers; the
//! contract proxy comes from the library (`github_emulator::contract_proxy`).

#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde_json::Value;

pub use github_emulator::contract_proxy::{Proxy, require_contract_checker};

/// A response: status, headers (lower-case names) and the JSON body (`Null` when empty).
#[derive(Debug, Clone)]
pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub json: Value,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Asserts the status, printing the body when it differs.
    #[track_caller]
    pub fn expect(self, status: u16) -> Resp {
        assert_eq!(self.status, status, "unexpected status; body: {}", self.json);
        self
    }

    pub fn message(&self) -> &str {
        self.json["message"].as_str().unwrap_or_default()
    }

    pub fn str(&self, key: &str) -> String {
        self.json[key].as_str().unwrap_or_else(|| panic!("no string `{key}` in {}", self.json)).to_string()
    }
}

/// A blocking client for one base URL and (optionally) one token.
#[derive(Clone)]
pub struct Api {
    agent: ureq::Agent,
    pub base: String,
    pub token: Option<String>,
}

impl Api {
    pub fn new(base: &str, token: Option<&str>) -> Api {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .timeout_global(Some(Duration::from_secs(60)))
            .build()
            .into();
        Api { agent, base: base.trim_end_matches('/').to_string(), token: token.map(str::to_string) }
    }

    pub fn with_token(&self, token: &str) -> Api {
        Api { agent: self.agent.clone(), base: self.base.clone(), token: Some(token.to_string()) }
    }

    pub fn anonymous(&self) -> Api {
        Api { agent: self.agent.clone(), base: self.base.clone(), token: None }
    }

    pub fn try_request(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Resp, ureq::Error> {
        let url = format!("{}{path}", self.base);
        let auth = self.token.as_ref().map(|t| format!("Bearer {t}"));
        macro_rules! finish {
            ($req:expr) => {{
                let mut req =
                    $req.header("accept", "application/vnd.github+json").header("user-agent", "github-emulator-test");
                if let Some(a) = &auth {
                    req = req.header("authorization", a);
                }
                req
            }};
        }
        let resp = match (method, body) {
            ("GET", _) => finish!(self.agent.get(&url)).call(),
            ("DELETE", _) => finish!(self.agent.delete(&url)).call(),
            ("POST", Some(b)) => {
                finish!(self.agent.post(&url)).header("content-type", "application/json").send(b.to_string())
            }
            ("POST", None) => finish!(self.agent.post(&url)).send_empty(),
            ("PATCH", Some(b)) => {
                finish!(self.agent.patch(&url)).header("content-type", "application/json").send(b.to_string())
            }
            ("PATCH", None) => finish!(self.agent.patch(&url)).send_empty(),
            ("PUT", Some(b)) => {
                finish!(self.agent.put(&url)).header("content-type", "application/json").send(b.to_string())
            }
            ("PUT", None) => finish!(self.agent.put(&url)).send_empty(),
            _ => panic!("unsupported method {method}"),
        }?;
        let status = resp.status().as_u16();
        let headers = resp
            .headers()
            .iter()
            .map(|(k, v)| (k.as_str().to_ascii_lowercase(), v.to_str().unwrap_or_default().to_string()))
            .collect();
        let text = resp.into_body().read_to_string()?;
        let json = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        Ok(Resp { status, headers, json })
    }

    #[track_caller]
    pub fn request(&self, method: &str, path: &str, body: Option<&Value>) -> Resp {
        match self.try_request(method, path, body) {
            Ok(r) => r,
            Err(e) => panic!("{method} {path} failed: {e}"),
        }
    }

    #[track_caller]
    pub fn get(&self, path: &str) -> Resp {
        self.request("GET", path, None)
    }

    #[track_caller]
    pub fn post(&self, path: &str, body: Value) -> Resp {
        self.request("POST", path, Some(&body))
    }

    #[track_caller]
    pub fn patch(&self, path: &str, body: Value) -> Resp {
        self.request("PATCH", path, Some(&body))
    }

    #[track_caller]
    pub fn put(&self, path: &str, body: Value) -> Resp {
        self.request("PUT", path, Some(&body))
    }

    #[track_caller]
    pub fn delete(&self, path: &str) -> Resp {
        self.request("DELETE", path, None)
    }
}

/// Runs git on a bare repository and returns trimmed stdout.
#[track_caller]
pub fn git(repo: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .arg("--git-dir")
        .arg(repo)
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("running git");
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

pub fn b64(data: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(data)
}

pub fn unb64(s: &str) -> Vec<u8> {
    use base64::Engine;
    let clean: String = s.chars().filter(|c| !c.is_whitespace()).collect();
    base64::engine::general_purpose::STANDARD.decode(clean).expect("valid base64")
}
