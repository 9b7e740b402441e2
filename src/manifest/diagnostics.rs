//! Diagnostics: what is wrong with a manifest, where, and how to fix it.
//!
//! Every problem found while loading `amplication.yaml` (YAML syntax, hostile input, unknown
//! keys, wrong types, semantic mistakes) becomes one [`Diagnostic`] with a 1-based line and
//! column. Loading never stops at the first problem: all of them are collected into
//! [`Diagnostics`], sorted by position, and rendered as `file:line:col: message` plus a hint.

use std::fmt;
use std::path::{Path, PathBuf};

/// A position in the manifest: 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Pos {
    pub line: u32,
    pub col: u32,
}

impl Pos {
    pub const fn new(line: u32, col: u32) -> Self {
        Self { line, col }
    }
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.col)
    }
}

/// One problem in the manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub pos: Pos,
    pub message: String,
    pub hint: Option<String>,
    /// For "missing key" problems: the key. A typo of it reported as an unknown key with
    /// "did you mean" says the same thing better, so that one replaces this one.
    pub missing_key: Option<&'static str>,
}

impl Diagnostic {
    pub fn new(pos: Pos, message: impl Into<String>) -> Self {
        Self { pos, message: message.into(), hint: None, missing_key: None }
    }

    pub fn missing(mut self, key: &'static str) -> Self {
        self.missing_key = Some(key);
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

/// Every problem found in one manifest file. This is the error type of
/// [`crate::manifest::load`]; it is never empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostics {
    /// The manifest path as the user named it (used as the prefix of every line).
    pub file: PathBuf,
    pub items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new(file: &Path, mut items: Vec<Diagnostic>) -> Self {
        items.sort_by(|a, b| a.pos.cmp(&b.pos).then_with(|| a.message.cmp(&b.message)));
        items.dedup();
        Self { file: file.to_path_buf(), items }
    }

    pub fn single(file: &Path, diagnostic: Diagnostic) -> Self {
        Self::new(file, vec![diagnostic])
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The file name as it prefixes each line (`amplication.yaml`, `examples/shop/amplication.yaml`).
    pub fn file_display(&self) -> String {
        self.file.display().to_string()
    }
}

impl fmt::Display for Diagnostics {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let file = self.file_display();
        for (i, d) in self.items.iter().enumerate() {
            if i > 0 {
                writeln!(f)?;
            }
            write!(f, "{file}:{}: error: {}", d.pos, d.message)?;
            if let Some(hint) = &d.hint {
                write!(f, "\n  help: {hint}")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostics {}
