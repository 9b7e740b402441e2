//! `ampsync validate`: check the manifest, print a summary or every problem.

use std::path::Path;

use serde_json::json;

use crate::cli::ExitStatus;
use crate::manifest::{self, LoadError};
use crate::printer::Printer;

pub fn run(path: &Path, as_json: bool, resolved: bool, printer: &Printer) -> anyhow::Result<ExitStatus> {
    let loaded = match manifest::load(path) {
        Ok(loaded) => loaded,
        Err(LoadError::Invalid(diags)) => {
            if as_json {
                let errors: Vec<_> = diags
                    .items
                    .iter()
                    .map(|d| {
                        json!({
                            "file": diags.file_display(),
                            "line": d.pos.line,
                            "column": d.pos.col,
                            "message": d.message,
                            "hint": d.hint,
                        })
                    })
                    .collect();
                printer.out(&serde_json::to_string_pretty(&json!({ "valid": false, "errors": errors }))?)?;
            } else {
                printer.diagnostics(&diags);
            }
            return Ok(ExitStatus::Usage);
        }
        Err(other) => {
            return super::load_manifest(path, printer).and_then(|r| match r {
                Ok(_) => Err(other.into()),
                Err(status) => Ok(status),
            });
        }
    };
    let m = &loaded.manifest;
    if resolved {
        printer.out(&serde_yaml::to_string(m)?)?;
        return Ok(ExitStatus::Success);
    }
    let services = m.services.len();
    let entities = m.entity_count();
    let fields = m.field_count();
    if as_json {
        printer.out(&serde_json::to_string_pretty(&json!({
            "valid": true,
            "file": path.display().to_string(),
            "digest": loaded.digest,
            "services": services,
            "entities": entities,
            "fields": fields,
        }))?)?;
    } else {
        printer.status(&format!(
            "{}: valid: {} service{}, {} entit{}, {} field{}",
            path.display(),
            services,
            plural_s(services),
            entities,
            if entities == 1 { "y" } else { "ies" },
            fields,
            plural_s(fields)
        ))?;
    }
    Ok(ExitStatus::Success)
}

fn plural_s(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
