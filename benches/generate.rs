//! Generation of a 200-entity service (the nestjs generator, about 3,000 files), in memory and
//! written to disk, against two floors measured in the same run: writing the same bytes to
//! disk without templating, and serialising the template context with serde_json.
//! Run: `cargo bench --bench generate`.

#[path = "common/mod.rs"]
mod common;

use std::cell::Cell;
use std::path::Path;

use ampsync::generate::{self, GeneratedTree};

#[global_allocator]
static ALLOC: common::PeakAlloc = common::PeakAlloc;

/// Writes every file of `tree` under `dir` (creating directories), like `generate --out`.
fn write_tree(tree: &GeneratedTree, dir: &Path) {
    for (path, file) in &tree.files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&target, &file.bytes).expect("write");
    }
}

fn main() {
    let text = common::big_manifest(200, 15);
    let manifest = ampsync::manifest::parse_str(Path::new("big.yaml"), &text).expect("the synthetic manifest is valid");
    let service = &manifest.services[0];
    let root = Path::new(".");
    let tree = generate::generate_service(&manifest, service, root).expect("generates");
    let files = tree.len();
    println!(
        "nestjs generator: {} entities, {} fields -> {files} files, {:.1} MB",
        service.entities.len(),
        manifest.field_count(),
        tree.total_bytes() as f64 / 1e6
    );

    let scratch = tempfile::tempdir().expect("tempdir");
    let run = Cell::new(0usize);
    let next_dir = || {
        run.set(run.get() + 1);
        scratch.path().join(format!("run{}", run.get()))
    };

    let runs = 15;
    let floor = common::measure("write the same bytes to disk (floor)", runs, || write_tree(&tree, &next_dir()));
    let view = common::measure("build the template context (view)", runs, || {
        ampsync::generate::view::ServiceView::new(&manifest, service)
    });
    let context = common::measure("view + serde_json of it", runs, || {
        serde_json::to_vec(&ampsync::generate::view::ServiceView::new(&manifest, service)).expect("serialisable")
    });
    let in_memory = common::measure("generate in memory", runs, || {
        generate::generate_service(&manifest, service, root).expect("generates")
    });
    let to_disk = common::measure("generate + write to disk", runs, || {
        let tree = generate::generate_service(&manifest, service, root).expect("generates");
        write_tree(&tree, &next_dir());
    });
    common::report("generate, 200 entities (nestjs)", &floor, &[&view, &context, &in_memory, &to_disk]);
    for s in [&in_memory, &to_disk] {
        println!("{:<44} {:>9.0} files/s", s.name, files as f64 / s.median.as_secs_f64());
    }
    println!(
        "ratio (generate + write) / (write alone): {:.2}",
        to_disk.median.as_secs_f64() / floor.median.as_secs_f64()
    );
}
