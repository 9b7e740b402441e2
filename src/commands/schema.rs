//! `ampsync schema`: print the manifest's JSON Schema.

use crate::cli::ExitStatus;
use crate::manifest::schema;
use crate::printer::Printer;

pub fn run(printer: &Printer) -> anyhow::Result<ExitStatus> {
    printer.out(&schema::json())?;
    Ok(ExitStatus::Success)
}
