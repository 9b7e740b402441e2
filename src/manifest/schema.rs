//! The JSON Schema (draft 2020-12) of the manifest, derived from [`super::raw`].
//!
//! `ampsync schema` prints it; `schema/amplication.schema.json` is a committed copy that
//! editors find through `# yaml-language-server: $schema=...`, kept current by a test.

use super::raw::RawManifest;

/// Where the committed copy lives, relative to the repository root.
pub const COMMITTED_PATH: &str = "schema/amplication.schema.json";

/// The schema as pretty JSON with a trailing newline.
pub fn json() -> String {
    let schema = schemars::schema_for!(RawManifest);
    let mut value = schema.to_value();
    strip_null(&mut value);
    if let Some(obj) = value.as_object_mut() {
        obj.insert(
            "$id".into(),
            serde_json::Value::String("https://ampsync.dev/schema/amplication.schema.json".into()),
        );
    }
    let mut out = serde_json::to_string_pretty(&value).expect("a JSON value always serializes");
    out.push('\n');
    out
}

/// Every key is optional in the Rust types (to collect all problems), which schemars
/// renders as "or null"; a manifest never needs an explicit null, so the schema says so.
fn strip_null(value: &mut serde_json::Value) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get_mut("type") {
                types.retain(|t| t != "null");
                if types.len() == 1 {
                    let only = types.remove(0);
                    map.insert("type".into(), only);
                }
            }
            if let Some(Value::Array(options)) = map.get_mut("anyOf") {
                options.retain(|o| o.get("type").is_none_or(|t| t != "null"));
                if options.len() == 1
                    && let Some(Value::Object(only)) = options.pop()
                {
                    map.remove("anyOf");
                    for (k, v) in only {
                        map.entry(k).or_insert(v);
                    }
                }
            }
            if map.get("default") == Some(&Value::Null) {
                map.remove("default");
            }
            for v in map.values_mut() {
                strip_null(v);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_null),
        _ => {}
    }
}
