//! GitHub Actions workflow commands (`::group::`, `::error file=..::`, `::add-mask::`) and the
//! files the runner hands a step (`GITHUB_OUTPUT`, `GITHUB_STEP_SUMMARY`).
//!
//! Escaping follows the runner's rules (actions/toolkit `command.ts`): in messages `%`, `\r`
//! and `\n`; in properties also `:` and `,`. Outputs use the heredoc form with a delimiter that
//! cannot occur in the value, so multi-line values are safe.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

/// Escapes a workflow command's message.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// Escapes a workflow command's property value.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// `::add-mask::VALUE`, one per line of a multi-line secret (the runner masks line by line).
pub fn add_mask(secret: &str) -> String {
    let mut out = String::new();
    for line in secret.lines().map(str::trim).filter(|l| l.len() >= 4) {
        let _ = writeln!(out, "::add-mask::{}", escape_data(line));
    }
    out
}

/// A file annotation: `::error file=F,line=L,col=C,title=T::MESSAGE`.
pub fn annotation(level: &str, file: &str, line: u32, col: u32, title: &str, message: &str) -> String {
    format!(
        "::{level} file={},line={line},col={col},title={}::{}",
        escape_property(file),
        escape_property(title),
        escape_data(message)
    )
}

/// Appends `name<<DELIM ... DELIM` entries to the `GITHUB_OUTPUT` file.
pub fn write_outputs(path: &Path, outputs: &[(&str, String)]) -> std::io::Result<()> {
    let mut text = String::new();
    for (name, value) in outputs {
        let mut delimiter = String::from("ghadelimiter_ampsync");
        while value.contains(&delimiter) || name.contains(&delimiter) {
            delimiter.push('_');
        }
        let _ = write!(text, "{name}<<{delimiter}\n{value}\n{delimiter}\n");
    }
    append(path, &text)
}

/// Appends Markdown to the `GITHUB_STEP_SUMMARY` file.
pub fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new().create(true).append(true).open(path)?;
    file.write_all(text.as_bytes())
}

/// Parses a `GITHUB_OUTPUT` file back (for tests and for reading a previous step's outputs).
pub fn parse_outputs(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((name, delimiter)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delimiter {
                    break;
                }
                value.push(l);
            }
            out.push((name.to_string(), value.join("\n")));
        } else if let Some((name, value)) = line.split_once('=') {
            out.push((name.to_string(), value.to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_like_the_toolkit() {
        assert_eq!(escape_data("50% done\r\nnext"), "50%25 done%0D%0Anext");
        assert_eq!(escape_property("a:b,c\n"), "a%3Ab%2Cc%0A");
        assert_eq!(
            annotation("error", "amplication.yaml", 3, 5, "ampsync", "unknown key `nme`\nhelp: did you mean `name`?"),
            "::error file=amplication.yaml,line=3,col=5,title=ampsync::unknown key `nme`%0Ahelp: did you mean `name`?"
        );
    }

    #[test]
    fn masks_every_line_of_a_pem() {
        let m = add_mask("-----BEGIN KEY-----\nAAAABBBB\n-----END KEY-----\n");
        assert_eq!(m.lines().count(), 3);
        assert!(m.contains("::add-mask::AAAABBBB"));
    }

    #[test]
    fn multi_line_outputs_round_trip() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("out");
        let tricky = "line one\nghadelimiter_ampsync\nline three".to_string();
        write_outputs(&path, &[("a", "1".into()), ("b", tricky.clone()), ("c", String::new())]).expect("write");
        let text = std::fs::read_to_string(&path).expect("read");
        let parsed = parse_outputs(&text);
        assert_eq!(parsed, vec![("a".into(), "1".into()), ("b".into(), tricky), ("c".into(), String::new())]);
    }
}
