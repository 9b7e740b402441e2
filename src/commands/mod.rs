//! The commands behind the CLI: each takes typed options and a [`Printer`] and returns an
//! [`ExitStatus`]. They load the manifest, call the library, and present the result.

pub mod builds;
pub mod generate;
pub mod init;
pub mod schema;
pub mod sync;
pub mod validate;

use std::path::Path;

use crate::cli::ExitStatus;
use crate::manifest::{self, LoadError, Loaded};
use crate::printer::Printer;

/// Loads the manifest; an invalid one is printed and becomes `Err(exit 2)`.
pub fn load_manifest(path: &Path, printer: &Printer) -> anyhow::Result<Result<Loaded, ExitStatus>> {
    match manifest::load(path) {
        Ok(loaded) => Ok(Ok(loaded)),
        Err(LoadError::Invalid(diags)) => {
            printer.diagnostics(&diags);
            Ok(Err(ExitStatus::Usage))
        }
        Err(LoadError::Io { path, source }) if source.kind() == std::io::ErrorKind::NotFound => Err(anyhow::anyhow!(
            "no manifest at `{}`; run `ampsync init` to create one, or pass `--manifest PATH`",
            path.display()
        )),
        Err(e) => Err(e.into()),
    }
}
