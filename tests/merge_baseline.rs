//! `sync::merge` against `git merge-file` on the same inputs (STYLE.md rule 11): the result
//! must match byte for byte, labels included, except for cases listed with a reason.

use std::process::Command;

use ampsync::sync::merge::{self, Merged};

use crate::support;

/// (name, base, ours, theirs)
const CASES: &[(&str, &str, &str, &str)] = &[
    ("identical", "a\nb\n", "a\nb\n", "a\nb\n"),
    ("only ours changed", "a\nb\nc\n", "a\nB\nc\n", "a\nb\nc\n"),
    ("only theirs changed", "a\nb\nc\n", "a\nb\nc\n", "a\nb\nC\n"),
    ("both made the same change", "a\nb\nc\n", "a\nX\nc\n", "a\nX\nc\n"),
    ("far apart", "1\n2\n3\n4\n5\n6\n7\n8\n", "1\nTWO\n3\n4\n5\n6\n7\n8\n", "1\n2\n3\n4\n5\n6\n7\nEIGHT\n"),
    ("same line", "a\nb\nc\n", "a\nours\nc\n", "a\ntheirs\nc\n"),
    ("adjacent lines", "a\nb\nc\nd\n", "a\nB\nc\nd\n", "a\nb\nC\nd\n"),
    ("both append", "a\n", "a\nours\n", "a\ntheirs\n"),
    ("both insert at the top", "a\nb\n", "ours\na\nb\n", "theirs\na\nb\n"),
    ("ours deletes, theirs edits elsewhere", "a\nb\nc\nd\ne\n", "a\nc\nd\ne\n", "a\nb\nc\nd\nE\n"),
    ("ours deletes, theirs edits it", "a\nb\nc\n", "a\nc\n", "a\nB\nc\n"),
    ("empty base (adoption)", "", "mine\nshared\n", "generated\nshared\n"),
    ("empty base, same content", "", "same\n", "same\n"),
    ("no trailing newline", "a\nb", "a\nB", "a\nb\nc"),
    ("ours emptied the file", "a\nb\n", "", "a\nb\nc\n"),
    (
        "field added in a class",
        "class A {\n  x: string;\n}\n",
        "// edited\nclass A {\n  x: string;\n}\n",
        "class A {\n  x: string;\n  y: number;\n}\n",
    ),
    ("two conflicts close together", "1\n2\n3\n4\n5\n6\n7\n", "1\nA\n3\n4\n5\nB\n7\n", "1\nX\n3\n4\n5\nY\n7\n"),
    (
        "two conflicts far apart",
        "1\n2\n3\n4\n5\n6\n7\n8\n9\n",
        "1\nA\n3\n4\n5\n6\n7\nB\n9\n",
        "1\nX\n3\n4\n5\n6\n7\nY\n9\n",
    ),
];

/// Cases where gitoxide's built-in driver and `git merge-file` legitimately differ.
const KNOWN_DIFFERENCES: &[(&str, &str)] = &[(
    "two conflicts close together",
    "git joins conflicts separated by three or fewer unchanged lines into one hunk; gitoxide keeps two \
     smaller hunks. Both are correct conflicts with the same sides; ours are easier to resolve.",
)];

fn git_merge_file(base: &str, ours: &str, theirs: &str) -> (Vec<u8>, bool) {
    let dir = support::tempdir();
    let write = |name: &str, content: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, content).expect("write");
        p
    };
    let (b, o, t) = (write("base", base), write("ours", ours), write("theirs", theirs));
    let out = Command::new("git")
        .args(["merge-file", "-p", "-L", merge::LABEL_OURS, "-L", merge::LABEL_BASE, "-L", merge::LABEL_THEIRS])
        .arg(&o)
        .arg(&b)
        .arg(&t)
        .output()
        .expect("git merge-file runs");
    // Exit status: 0 clean, >0 the number of conflicts, <0 an error.
    let code = out.status.code().expect("an exit code");
    assert!(code >= 0, "git merge-file failed: {}", String::from_utf8_lossy(&out.stderr));
    (out.stdout, code == 0)
}

#[test]
fn merge_matches_git_merge_file() {
    let mut differences = Vec::new();
    for (name, base, ours, theirs) in CASES {
        let (expected, expected_clean) = git_merge_file(base, ours, theirs);
        let (actual, clean) = match merge::merge3(base.as_bytes(), ours.as_bytes(), theirs.as_bytes()) {
            Merged::Clean(b) => (b, true),
            Merged::Conflict(b) => (b, false),
            Merged::Binary => panic!("{name}: text treated as binary"),
        };
        let known = KNOWN_DIFFERENCES.iter().any(|(n, _)| n == name);
        let same = actual == expected && clean == expected_clean;
        if known && same {
            differences
                .push(format!("{name}: listed as a known difference but now matches git; remove it from the list"));
        }
        if !same && known {
            assert_eq!(clean, expected_clean, "{name}: a known difference must still agree on clean vs conflict");
        }
        if !same && !known {
            differences.push(format!(
                "{name}:\n--- git merge-file (clean: {expected_clean})\n{}\n--- ampsync (clean: {clean})\n{}",
                String::from_utf8_lossy(&expected),
                String::from_utf8_lossy(&actual)
            ));
        }
    }
    assert!(differences.is_empty(), "{} case(s) differ from git:\n{}", differences.len(), differences.join("\n"));
}
