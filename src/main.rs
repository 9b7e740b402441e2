use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ampsync::cli::Cli::parse();
    ampsync::cli::run(cli).into()
}
