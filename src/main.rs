use std::process::ExitCode;

use clap::Parser;

/// mimalloc: generation allocates millions of small values, and the static musl binary's
/// own allocator is slow at that (see CONTRIBUTING.md, "Benchmarks").
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = ampsync::cli::Cli::parse();
    ampsync::cli::run(cli).into()
}
