//! `.amplicationignore`: gitignore-syntax patterns for generated paths ampsync must never write.

use ignore::gitignore::{Gitignore, GitignoreBuilder};

/// Where the patterns live, relative to the repository root.
pub const PATH: &str = ".amplicationignore";

pub struct IgnoreRules {
    matcher: Option<Gitignore>,
}

impl IgnoreRules {
    pub fn none() -> Self {
        Self { matcher: None }
    }

    /// Parses the file's content; a bad pattern is an error naming its line.
    pub fn parse(content: &[u8]) -> anyhow::Result<Self> {
        let text = std::str::from_utf8(content).map_err(|_| anyhow::anyhow!("`{PATH}` is not UTF-8"))?;
        let mut builder = GitignoreBuilder::new("");
        for (i, line) in text.lines().enumerate() {
            builder
                .add_line(None, line)
                .map_err(|e| anyhow::anyhow!("`{PATH}` line {}: {e}; fix or remove the pattern", i + 1))?;
        }
        let matcher = builder.build().map_err(|e| anyhow::anyhow!("`{PATH}`: {e}"))?;
        Ok(Self { matcher: Some(matcher) })
    }

    /// Whether a repository-relative file path is ignored (a pattern on one of its
    /// directories counts, like in git).
    pub fn is_ignored(&self, path: &str) -> bool {
        self.matcher.as_ref().is_some_and(|m| m.matched_path_or_any_parents(path, false).is_ignore())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gitignore_semantics_with_negation() {
        let rules =
            IgnoreRules::parse(b"# comment\napps/api/src/**/*.ts\n!apps/api/src/keep.ts\n/apps/api/README.md\ndocs/\n")
                .expect("valid");
        assert!(rules.is_ignored("apps/api/src/a/b.ts"));
        assert!(!rules.is_ignored("apps/api/src/keep.ts"));
        assert!(rules.is_ignored("apps/api/README.md"));
        assert!(!rules.is_ignored("other/apps/api/README.md"));
        assert!(rules.is_ignored("docs/x/y.md"));
        assert!(!rules.is_ignored("apps/api/package.json"));
        assert!(!IgnoreRules::none().is_ignored("x"));
    }
}
