//! `validate` of a 200-entity, 3,000-field manifest, against the floor of parsing the same
//! text with `serde_yaml` alone. Run: `cargo bench --bench manifest`.

#[path = "common/mod.rs"]
mod common;

use std::path::Path;

#[global_allocator]
static ALLOC: common::PeakAlloc = common::PeakAlloc;

fn main() {
    let text = common::big_manifest(200, 15);
    let m = ampsync::manifest::parse_str(Path::new("big.yaml"), &text).expect("the synthetic manifest is valid");
    println!(
        "manifest: {} bytes, {} lines, {} entities, {} declared fields ({} with implicit and inverse fields)",
        text.len(),
        text.lines().count(),
        m.entity_count(),
        200 * 15,
        m.field_count()
    );
    let floor = common::measure("serde_yaml::from_str::<Value> (floor)", 30, || {
        serde_yaml::from_str::<serde_yaml::Value>(&text).expect("parses")
    });
    let validate = common::measure("ampsync validate (parse + check + resolve)", 30, || {
        ampsync::manifest::parse_str(Path::new("big.yaml"), &text).expect("valid")
    });
    common::report("validate, 200 entities / 3,000 fields", &floor, &[&validate]);
}
