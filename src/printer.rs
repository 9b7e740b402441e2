//! Where output goes: data to stdout, progress and problems to stderr.
//!
//! Core code never prints; commands write through a [`Printer`], which knows the verbosity
//! (`-q`, `-v`) and whether to colour (`--color`, `NO_COLOR`, terminal detection). Tests
//! capture everything by running the binary.

use std::io::{self, IsTerminal, Write};

use crate::manifest::Diagnostics;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

#[derive(Debug, Clone, Copy)]
pub struct Printer {
    pub verbosity: Verbosity,
    /// Colour on stderr.
    pub color: bool,
}

const RED: &str = "\x1b[1;31m";
const YELLOW: &str = "\x1b[1;33m";
const CYAN: &str = "\x1b[1;36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

impl Printer {
    pub fn new(verbosity: Verbosity, color: bool) -> Self {
        Self { verbosity, color }
    }

    /// Whether stderr should be coloured: `always`/`never` win, then `NO_COLOR`, then a terminal.
    pub fn detect_color(choice: Option<bool>, no_color_env: bool) -> bool {
        match choice {
            Some(c) => c,
            None => !no_color_env && io::stderr().is_terminal(),
        }
    }

    fn paint(&self, style: &str, text: &str) -> String {
        if self.color { format!("{style}{text}{RESET}") } else { text.to_string() }
    }

    /// Data: always printed (even with `-q`), to stdout.
    pub fn out(&self, text: &str) -> io::Result<()> {
        let mut out = io::stdout().lock();
        out.write_all(text.as_bytes())?;
        if !text.ends_with('\n') {
            out.write_all(b"\n")?;
        }
        out.flush()
    }

    /// A human summary line, on stdout, hidden by `-q`.
    pub fn status(&self, text: &str) -> io::Result<()> {
        if self.verbosity >= Verbosity::Normal { self.out(text) } else { Ok(()) }
    }

    /// Progress on stderr, hidden by `-q`.
    pub fn info(&self, text: &str) {
        if self.verbosity >= Verbosity::Normal {
            let _ = writeln!(io::stderr(), "{text}");
        }
    }

    /// Details on stderr, shown with `-v`.
    pub fn detail(&self, text: &str) {
        if self.verbosity >= Verbosity::Verbose {
            let _ = writeln!(io::stderr(), "{text}");
        }
    }

    pub fn warn(&self, text: &str) {
        let _ = writeln!(io::stderr(), "{} {text}", self.paint(YELLOW, "warning:"));
    }

    /// `error: …` then one `caused by: …` per cause.
    pub fn error(&self, err: &anyhow::Error) {
        let mut e = io::stderr().lock();
        let _ = writeln!(e, "{} {err}", self.paint(RED, "error:"));
        for cause in err.chain().skip(1) {
            let _ = writeln!(e, "  {} {cause}", self.paint(BOLD, "caused by:"));
        }
    }

    /// Manifest problems, one per line with its hint, then a count.
    pub fn diagnostics(&self, diags: &Diagnostics) {
        let mut e = io::stderr().lock();
        let file = diags.file_display();
        for d in &diags.items {
            let _ = writeln!(
                e,
                "{} {} {}",
                self.paint(BOLD, &format!("{file}:{}:", d.pos)),
                self.paint(RED, "error:"),
                d.message
            );
            if let Some(hint) = &d.hint {
                let _ = writeln!(e, "  {} {hint}", self.paint(CYAN, "help:"));
            }
        }
        let n = diags.len();
        let _ = writeln!(e, "{}", self.paint(RED, &format!("{n} error{} in {file}", if n == 1 { "" } else { "s" })));
    }
}
