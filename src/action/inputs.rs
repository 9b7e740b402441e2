//! The action's inputs, read from `INPUT_*` exactly as the runner sets them: the input name
//! upper-cased with spaces turned into `_` and hyphens kept (`branch-mode` → `INPUT_BRANCH-MODE`).
//!
//! [`INPUTS`] is the list `action.yml` declares; a test checks the two agree and that every
//! name is read here.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

/// Every input of `action.yml`, in its order.
pub const INPUTS: &[&str] = &[
    "token",
    "app-id",
    "app-private-key",
    "manifest",
    "message",
    "branch",
    "base",
    "branch-mode",
    "conflicts",
    "labels",
    "reviewers",
    "team-reviewers",
    "assignees",
    "draft",
    "dry-run",
    "services",
    "api-url",
];

/// A snapshot of the process environment (a map in tests), remembering which inputs were read.
#[derive(Debug, Default)]
pub struct Env {
    vars: BTreeMap<String, String>,
    read: RefCell<BTreeSet<String>>,
}

impl Env {
    pub fn from_process() -> Self {
        Self::from_iter(std::env::vars_os().filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?))))
    }

    /// A variable, `None` when unset or empty.
    pub fn var(&self, name: &str) -> Option<&str> {
        self.vars.get(name).map(String::as_str).filter(|v| !v.is_empty())
    }

    /// An input, trimmed; `None` when unset or blank.
    pub fn input(&self, name: &str) -> Option<&str> {
        self.read.borrow_mut().insert(name.to_string());
        let key = format!("INPUT_{}", name.replace(' ', "_").to_uppercase());
        self.vars.get(&key).map(|v| v.trim()).filter(|v| !v.is_empty())
    }

    /// The inputs read so far.
    pub fn inputs_read(&self) -> BTreeSet<String> {
        self.read.borrow().clone()
    }
}

impl FromIterator<(String, String)> for Env {
    fn from_iter<I: IntoIterator<Item = (String, String)>>(iter: I) -> Self {
        Self { vars: iter.into_iter().collect(), read: RefCell::default() }
    }
}

/// A bad input value: which input, what was given, what is accepted.
#[derive(Debug, thiserror::Error)]
#[error("input `{input}`: {message}")]
pub struct InputError {
    pub input: &'static str,
    pub message: String,
}

/// The parsed inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Inputs {
    pub token: Option<String>,
    pub app_id: Option<u64>,
    pub app_private_key: Option<String>,
    pub manifest: Option<String>,
    pub message: Option<String>,
    pub branch: Option<String>,
    pub base: Option<String>,
    pub branch_mode: Option<crate::manifest::keywords::BranchMode>,
    pub conflicts: Option<crate::manifest::keywords::ConflictPolicy>,
    pub labels: Vec<String>,
    pub reviewers: Vec<String>,
    pub team_reviewers: Vec<String>,
    pub assignees: Vec<String>,
    pub draft: Option<bool>,
    pub dry_run: bool,
    pub services: Vec<String>,
    pub api_url: Option<String>,
}

impl Inputs {
    pub fn read(env: &Env) -> Result<Self, InputError> {
        let text = |name: &'static str| env.input(name).map(str::to_string);
        let list = |name: &'static str| list(env.input(name));
        let branch_mode = keyword(env, "branch-mode")?;
        let conflicts = keyword(env, "conflicts")?;
        let app_id = match env.input("app-id") {
            None => None,
            Some(v) => Some(v.parse::<u64>().map_err(|_| InputError {
                input: "app-id",
                message: format!("`{v}` is not a GitHub App id (a number, shown on the App's settings page)"),
            })?),
        };
        Ok(Self {
            token: text("token"),
            app_id,
            app_private_key: text("app-private-key"),
            manifest: text("manifest"),
            message: text("message"),
            branch: text("branch"),
            base: text("base"),
            branch_mode,
            conflicts,
            labels: list("labels"),
            reviewers: list("reviewers"),
            team_reviewers: list("team-reviewers"),
            assignees: list("assignees"),
            draft: boolean(env, "draft")?,
            dry_run: boolean(env, "dry-run")?.unwrap_or(false),
            services: list("services"),
            api_url: text("api-url"),
        })
    }
}

/// Comma- or newline-separated values (`labels: a, b` or a YAML block), blanks dropped.
fn list(value: Option<&str>) -> Vec<String> {
    value.unwrap_or_default().split([',', '\n']).map(str::trim).filter(|v| !v.is_empty()).map(str::to_string).collect()
}

/// A manifest keyword (`per-build`, `ours`...).
fn keyword<K: std::str::FromStr<Err = String>>(env: &Env, name: &'static str) -> Result<Option<K>, InputError> {
    env.input(name).map(str::parse).transpose().map_err(|message| InputError { input: name, message })
}

/// A boolean input as `core.getBooleanInput` reads it (YAML 1.2 core schema spellings).
fn boolean(env: &Env, name: &'static str) -> Result<Option<bool>, InputError> {
    match env.input(name) {
        None => Ok(None),
        Some("true" | "True" | "TRUE") => Ok(Some(true)),
        Some("false" | "False" | "FALSE") => Ok(Some(false)),
        Some(other) => {
            Err(InputError { input: name, message: format!("`{other}` is not a boolean; use `true` or `false`") })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Env {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn reads_every_declared_input_and_nothing_else() {
        let e = env(&[]);
        Inputs::read(&e).expect("empty inputs are valid");
        let declared: BTreeSet<String> = INPUTS.iter().map(|s| s.to_string()).collect();
        assert_eq!(e.inputs_read(), declared);
    }

    #[test]
    fn names_are_upper_cased_with_hyphens_kept() {
        let e = env(&[
            ("INPUT_BRANCH-MODE", "per-build"),
            ("INPUT_TEAM-REVIEWERS", "core, web\nops"),
            ("INPUT_DRY-RUN", "True"),
            ("INPUT_APP-ID", " 42 "),
            ("INPUT_SERVICES", ""),
            ("INPUT_BRANCH_MODE", "accumulate"),
        ]);
        let i = Inputs::read(&e).expect("valid");
        assert_eq!(i.branch_mode, Some(crate::manifest::keywords::BranchMode::PerBuild));
        assert_eq!(i.team_reviewers, ["core", "web", "ops"]);
        assert!(i.dry_run);
        assert_eq!(i.app_id, Some(42));
        assert!(i.services.is_empty());
    }

    #[test]
    fn bad_values_name_the_input() {
        let err = Inputs::read(&env(&[("INPUT_CONFLICTS", "mine")])).expect_err("invalid");
        assert_eq!(err.to_string(), "input `conflicts`: expected one of: markers, ours, theirs");
        let err = Inputs::read(&env(&[("INPUT_DRAFT", "yes")])).expect_err("invalid");
        assert_eq!(err.to_string(), "input `draft`: `yes` is not a boolean; use `true` or `false`");
    }
}
