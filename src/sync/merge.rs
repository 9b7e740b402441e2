//! Three-way merge of file contents: bytes in, bytes out, no I/O.
//!
//! The text merge is gitoxide's built-in driver, which follows `git merge-file` (checked
//! against it in `tests/merge_baseline.rs`): base = the previous generated content, ours =
//! the repository's content, theirs = the new generated content. Binary files (a NUL byte
//! in the first 8000 bytes, git's rule) are never text-merged.

use gix::diff::blob::InternedInput;
use gix::merge::blob::Resolution;
use gix::merge::blob::builtin_driver;
use gix::merge::blob::builtin_driver::text::{Conflict, ConflictStyle, Labels, Options};

/// Conflict marker labels, as they appear in files: `<<<<<<< repository`, `>>>>>>> generated`.
pub const LABEL_OURS: &str = "repository";
pub const LABEL_BASE: &str = "previous build";
pub const LABEL_THEIRS: &str = "generated";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// Both changes applied.
    Clean(Vec<u8>),
    /// The text with conflict markers (the conflicting hunks side by side).
    Conflict(Vec<u8>),
    /// One side is binary: no text merge is possible.
    Binary,
}

/// Git's binary heuristic: a NUL byte in the first 8000 bytes.
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.iter().take(8000).any(|b| *b == 0)
}

/// Merges `ours` and `theirs`, both derived from `base`.
pub fn merge3(base: &[u8], ours: &[u8], theirs: &[u8]) -> Merged {
    if is_binary(base) || is_binary(ours) || is_binary(theirs) {
        return Merged::Binary;
    }
    let mut input = InternedInput::default();
    let mut out = Vec::with_capacity(ours.len().max(theirs.len()));
    let labels = Labels {
        ancestor: Some(LABEL_BASE.into()),
        current: Some(LABEL_OURS.into()),
        other: Some(LABEL_THEIRS.into()),
    };
    let options = Options {
        conflict: Conflict::Keep {
            style: ConflictStyle::Merge,
            marker_size: Conflict::DEFAULT_MARKER_SIZE.try_into().expect("7 is not zero"),
        },
        ..Options::default()
    };
    match builtin_driver::text(&mut out, &mut input, labels, ours, base, theirs, options) {
        Resolution::Complete => Merged::Clean(out),
        Resolution::CompleteWithAutoResolvedConflict | Resolution::Conflict => Merged::Conflict(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_merge_keeps_both_sides() {
        let base = b"a\nb\nc\nd\ne\n";
        let ours = b"a\nB (hand edit)\nc\nd\ne\n";
        let theirs = b"a\nb\nc\nd\ne\nf (generated)\n";
        assert_eq!(merge3(base, ours, theirs), Merged::Clean(b"a\nB (hand edit)\nc\nd\ne\nf (generated)\n".to_vec()));
    }

    #[test]
    fn conflicting_edits_get_markers() {
        let Merged::Conflict(text) = merge3(b"x\n", b"ours\n", b"theirs\n") else { panic!("conflict") };
        assert_eq!(
            String::from_utf8(text).expect("utf-8"),
            "<<<<<<< repository\nours\n=======\ntheirs\n>>>>>>> generated\n"
        );
    }

    #[test]
    fn binary_is_not_merged() {
        assert_eq!(merge3(b"a\0", b"b\0", b"c\0"), Merged::Binary);
    }
}
