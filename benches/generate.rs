//! Generation of a 200-entity service. Run: `cargo bench --bench generate`.

#[path = "common/mod.rs"]
mod common;

#[global_allocator]
static ALLOC: common::PeakAlloc = common::PeakAlloc;

fn main() {}
