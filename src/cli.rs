//! The command line: clap definitions and dispatch to the commands.
//!
//! Only this module (with `main.rs` and `action/`) knows about clap and the process
//! environment; it turns flags into typed options and calls [`crate::commands`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::printer::{Printer, Verbosity};

/// How a run ended, as the process exit code (PRODUCT.md "Interfaces").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: done (including "nothing to do").
    Success,
    /// 1: something failed.
    Failure,
    /// 2: bad usage or an invalid manifest.
    Usage,
    /// 3: the build is blocked (a person's commits conflict with the base branch).
    Blocked,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Blocked => 3,
        })
    }
}

const EXAMPLES: &str = "\
Examples:
  ampsync validate                         check amplication.yaml
  ampsync init --name shop                 start a manifest and a workflow
  ampsync generate --out /tmp/out          write the generated code
  ampsync plan                             show what a sync would change
  ampsync sync --provider local            commit a build to the local `amplication` branch
  ampsync schema > schema.json             the JSON Schema of the manifest

Exit codes: 0 success (also when nothing changed), 1 failure, 2 usage or manifest error, 3 blocked.";

/// Model-driven code generation in your own CI: regenerate services from `amplication.yaml`
/// and commit only what changed to a branch and pull request, keeping every hand edit.
#[derive(Debug, Parser)]
#[command(name = "ampsync", version, after_help = EXAMPLES, max_term_width = 100)]
pub struct Cli {
    /// The manifest to read.
    #[arg(long, global = true, env = "AMPSYNC_MANIFEST", default_value = crate::manifest::DEFAULT_PATH, value_name = "PATH")]
    pub manifest: PathBuf,

    /// More detail on stderr (repeat for even more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, conflicts_with = "quiet")]
    pub verbose: u8,

    /// Only errors and requested data.
    #[arg(short, long, global = true)]
    pub quiet: bool,

    /// When to colour output (`NO_COLOR` is honoured with `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, value_name = "WHEN")]
    pub color: ColorChoice,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check the manifest and report every problem with its line and column.
    #[command(
        after_help = "Examples:\n  ampsync validate\n  ampsync validate --manifest services/amplication.yaml --json\n  ampsync validate --resolved    # the manifest with every default applied"
    )]
    Validate(ValidateArgs),

    /// Print the JSON Schema of the manifest, for editors and other tools.
    #[command(
        after_help = "Examples:\n  ampsync schema > schema/amplication.schema.json\n\nThen start amplication.yaml with:\n  # yaml-language-server: $schema=./schema/amplication.schema.json"
    )]
    Schema,

    /// Write a commented starter manifest and a GitHub workflow.
    #[command(after_help = "Examples:\n  ampsync init\n  ampsync init --name shop --force")]
    Init(InitArgs),

    /// Write the generated code of every service (or one) to a directory.
    #[command(
        after_help = "Examples:\n  ampsync generate --out /tmp/shop\n  ampsync generate --out out --service catalog --json"
    )]
    Generate(GenerateArgs),

    /// Show, per service and per file, what a sync would do; changes nothing.
    #[command(after_help = "Examples:\n  ampsync plan\n  ampsync plan --json | jq '.repositories[].services'")]
    Plan(PlanArgs),

    /// Regenerate, merge with the repository, commit to the sync branch and open a pull request.
    #[command(
        after_help = "Examples:\n  ampsync sync --provider local\n  ampsync sync --provider local --message \"Add Order.total\" --dry-run\n  GITHUB_TOKEN=... ampsync sync --provider github"
    )]
    Sync(SyncArgs),

    /// List past builds found on the base and sync branches, with their links.
    #[command(after_help = "Examples:\n  ampsync builds\n  ampsync builds --json")]
    Builds(BuildsArgs),

    /// Run as the GitHub Action (reads INPUT_* and GITHUB_* from the environment).
    #[command(after_help = "Example (what the container entrypoint runs):\n  ampsync action")]
    Action,
}

#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Print the result as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Print the resolved manifest (every default applied) as YAML.
    #[arg(long, conflicts_with = "json")]
    pub resolved: bool,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Project name (kebab-case). Default: the current directory's name.
    #[arg(long)]
    pub name: Option<String>,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Directory to write into (must be empty unless --force).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Only this service.
    #[arg(long, value_name = "NAME")]
    pub service: Option<String>,
    /// Write into a non-empty directory.
    #[arg(long)]
    pub force: bool,
    /// Print the summary as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Where to commit: `local` (a git repository on disk) or `github`.
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// Commit title.
    #[arg(long, short)]
    pub message: Option<String>,
    /// Plan and print, but write nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Print the outcome as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct BuildsArgs {
    /// Print the builds as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    Github,
    Local,
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> ExitStatus {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let choice = match cli.color {
        ColorChoice::Auto => None,
        ColorChoice::Always => Some(true),
        ColorChoice::Never => Some(false),
    };
    let verbosity = if cli.quiet {
        Verbosity::Quiet
    } else if cli.verbose > 0 {
        Verbosity::Verbose
    } else {
        Verbosity::Normal
    };
    let printer = Printer::new(verbosity, Printer::detect_color(choice, no_color));
    let result = match cli.command {
        Command::Validate(args) => commands::validate::run(&cli.manifest, args.json, args.resolved, &printer),
        Command::Schema => commands::schema::run(&printer),
        Command::Init(args) => {
            let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
            commands::init::run(&cwd, &cli.manifest, args.name.as_deref(), args.force, &printer)
        }
        Command::Generate(args) => commands::generate::run(
            &cli.manifest,
            commands::generate::Options {
                out: &args.out,
                service: args.service.as_deref(),
                force: args.force,
                json: args.json,
            },
            &printer,
        ),
        Command::Plan(_) => commands::not_built("plan", 4),
        Command::Sync(_) => commands::not_built("sync", 4),
        Command::Builds(_) => commands::not_built("builds", 4),
        Command::Action => commands::not_built("action", 6),
    };
    match result {
        Ok(status) => status,
        Err(err) => {
            if is_broken_pipe(&err) {
                return ExitStatus::Success;
            }
            printer.error(&err);
            ExitStatus::Failure
        }
    }
}

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|c| c.downcast_ref::<std::io::Error>().is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verify_cli() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }

    #[test]
    fn manifest_flag_is_global() {
        let cli = Cli::try_parse_from(["ampsync", "validate", "--manifest", "x.yaml"]).expect("parses");
        assert_eq!(cli.manifest, PathBuf::from("x.yaml"));
    }
}
