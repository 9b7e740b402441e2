//! `github-emulator --data DIR --listen 127.0.0.1:0 --port-file FILE [--seed seed.json]
//! [--tree-truncate-at N]`: serves until SIGTERM or SIGINT.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Parser;
use github_emulator::{Config, Seed, Server};

/// A GitHub REST API emulator over real bare git repositories (for tests).
#[derive(Debug, Parser)]
#[command(version)]
struct Cli {
    /// Directory holding the bare repositories (`<owner>/<repo>.git`); created when missing.
    #[arg(long)]
    data: PathBuf,
    /// Address to listen on (loopback only; port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// File to write the chosen port to (atomically: a temporary file, then a rename).
    #[arg(long)]
    port_file: Option<PathBuf>,
    /// JSON seed file: users, orgs, repos, tokens, apps, installations, faults.
    #[arg(long)]
    seed: Option<PathBuf>,
    /// Answer `truncated: true` from the trees endpoint above this many entries.
    #[arg(long)]
    tree_truncate_at: Option<usize>,
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

async fn run(cli: Cli) -> Result<()> {
    if !cli.listen.ip().is_loopback() {
        anyhow::bail!("refusing to listen on `{}`: the emulator serves loopback only", cli.listen);
    }
    let seed = match &cli.seed {
        Some(p) => {
            let text = std::fs::read_to_string(p).with_context(|| format!("reading the seed `{}`", p.display()))?;
            Some(serde_json::from_str::<Seed>(&text).with_context(|| format!("parsing the seed `{}`", p.display()))?)
        }
        None => None,
    };
    let listener =
        tokio::net::TcpListener::bind(cli.listen).await.with_context(|| format!("binding {}", cli.listen))?;
    let addr = listener.local_addr()?;
    let config =
        Config { data_dir: Some(cli.data.clone()), listen: Some(addr), seed, tree_truncate_at: cli.tree_truncate_at };
    let server = Server::new(config, listener).await?;
    if let Some(pf) = &cli.port_file {
        let tmp = pf.with_extension("tmp");
        std::fs::write(&tmp, addr.port().to_string()).with_context(|| format!("writing `{}`", tmp.display()))?;
        std::fs::rename(&tmp, pf).with_context(|| format!("renaming to `{}`", pf.display()))?;
    }
    println!("listening on http://{addr}");
    server.run(shutdown_signal()).await;
    Ok(())
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            for cause in e.chain().skip(1) {
                eprintln!("caused by: {cause}");
            }
            ExitCode::FAILURE
        }
    }
}
