//! The lock file `.amplication/lock.json`: the state of the last build, kept in the repository.
//!
//! It records, per service, every generated path with the git blob id of its pristine
//! generated content (the "previous generated" side of every three-way decision), and the
//! paths sent to `.amplication/ignored/`. Nothing else is needed to continue a sync: the
//! sync branch may be merged in any way and deleted. The JSON is stable (sorted keys,
//! two-space indent, trailing newline) so its diffs are readable.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Where the lock lives, relative to the repository root.
pub const PATH: &str = ".amplication/lock.json";
/// The lock format this ampsync writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lock {
    pub schema_version: u32,
    pub ampsync_version: String,
    pub build: LockBuild,
    pub manifest: LockManifest,
    pub services: BTreeMap<String, LockService>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockBuild {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockManifest {
    pub path: String,
    pub digest: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LockService {
    pub directory: String,
    /// Repository path → git blob id (hex) of the pristine generated content.
    pub files: BTreeMap<String, String>,
    /// Generated paths matched by `.amplicationignore` (their content is under `.amplication/ignored/`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignored: Vec<String>,
}

/// A lock that cannot be used, with what is wrong and how to recover.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "`{PATH}` is not valid lock JSON: {0}; restore it from git history (`git log -- {PATH}`), or delete it to treat every generated file as new"
    )]
    Syntax(String),
    #[error("`{PATH}` has schema version {0}, but this ampsync reads version {SCHEMA_VERSION}; upgrade ampsync")]
    Version(u32),
    #[error(
        "`{PATH}`: {0}; restore it from git history (`git log -- {PATH}`), or delete it to treat every generated file as new"
    )]
    Invalid(String),
}

impl Lock {
    pub fn parse(bytes: &[u8]) -> Result<Lock, LockError> {
        // Read the version first so a newer format gets the right message.
        #[derive(Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Probe {
            schema_version: Option<u32>,
        }
        let probe: Probe = serde_json::from_slice(bytes).map_err(|e| LockError::Syntax(e.to_string()))?;
        match probe.schema_version {
            Some(SCHEMA_VERSION) => {}
            Some(v) => return Err(LockError::Version(v)),
            None => return Err(LockError::Invalid("`schemaVersion` is missing".into())),
        }
        let lock: Lock = serde_json::from_slice(bytes).map_err(|e| LockError::Syntax(e.to_string()))?;
        lock.check()?;
        Ok(lock)
    }

    fn check(&self) -> Result<(), LockError> {
        let mut owner: BTreeMap<&str, &str> = BTreeMap::new();
        for (name, service) in &self.services {
            for (path, id) in &service.files {
                if id.len() != 40 || !id.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
                    return Err(LockError::Invalid(format!(
                        "service `{name}`: `{path}` has blob id `{id}`, which is not a 40-character lower-case hex id"
                    )));
                }
                if path.is_empty() || path.starts_with('/') || path.split('/').any(|s| s.is_empty() || s == "..") {
                    return Err(LockError::Invalid(format!("service `{name}`: `{path}` is not a repository path")));
                }
                if let Some(other) = owner.insert(path, name) {
                    return Err(LockError::Invalid(format!("`{path}` is listed by both `{other}` and `{name}`")));
                }
            }
        }
        Ok(())
    }

    /// Pretty, stable JSON with a trailing newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("a lock always serializes");
        s.push('\n');
        s
    }

    /// Whether two locks record the same generated files (ignoring build and version).
    pub fn same_files(&self, other: &Lock) -> bool {
        self.services == other.services
    }

    /// The pristine blob id of `path`, whichever service generated it.
    pub fn blob_of(&self, path: &str) -> Option<&str> {
        self.services.values().find_map(|s| s.files.get(path).map(String::as_str))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Lock {
        let mut files = BTreeMap::new();
        files.insert("apps/a/x.ts".to_string(), "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391".to_string());
        let mut services = BTreeMap::new();
        services.insert("a".to_string(), LockService { directory: "apps/a".into(), files, ignored: vec![] });
        Lock {
            schema_version: 1,
            ampsync_version: "0.1.0".into(),
            build: LockBuild { id: "b1".into(), url: None },
            manifest: LockManifest { path: "amplication.yaml".into(), digest: "sha256:00".into() },
            services,
        }
    }

    #[test]
    fn round_trips() {
        let lock = sample();
        assert_eq!(Lock::parse(lock.to_json().as_bytes()).expect("parses"), lock);
        assert!(lock.to_json().ends_with("}\n"));
    }

    #[test]
    fn damaged_locks_name_the_problem() {
        let err = Lock::parse(b"{ not json").unwrap_err().to_string();
        assert!(
            err.starts_with("`.amplication/lock.json` is not valid lock JSON: key must be a string at line 1 column 3"),
            "{err}"
        );
        let err = Lock::parse(br#"{"schemaVersion": 9}"#).unwrap_err().to_string();
        assert_eq!(
            err,
            "`.amplication/lock.json` has schema version 9, but this ampsync reads version 1; upgrade ampsync"
        );
        let bad = sample().to_json().replace("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391", "xyz");
        let err = Lock::parse(bad.as_bytes()).unwrap_err().to_string();
        assert!(err.contains("`apps/a/x.ts` has blob id `xyz`"), "{err}");
    }
}
