//! The command line: clap definitions and dispatch to the commands.
//!
//! Only this module (with `main.rs` and `action/`) knows about clap and the process
//! environment; it turns flags into typed options and calls [`crate::commands`].

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::commands;
use crate::printer::{Printer, Verbosity};
use crate::sync::message::BuildInfo;

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

/// Where and what to sync: shared by `plan` and `sync`.
#[derive(Debug, Args)]
pub struct TargetArgs {
    /// Where to commit: `local` (a git repository on disk) or `github`. Default: the manifest's `git.provider`.
    #[arg(long, value_enum)]
    pub provider: Option<ProviderArg>,
    /// The local repository (default: the one containing the manifest).
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Only these services (repeatable; for matrix jobs). Default: all.
    #[arg(long = "service", value_name = "NAME")]
    pub services: Vec<String>,
    /// Base branch (overrides the manifest's `baseBranch`).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,
    /// Build id (default: from GitHub Actions' run, else generated).
    #[arg(long, value_name = "ID")]
    pub build_id: Option<String>,
    /// Build log URL (default: the GitHub Actions run).
    #[arg(long, value_name = "URL")]
    pub build_url: Option<String>,
    /// GitHub token (a workflow's `GITHUB_TOKEN`, a personal or an installation token).
    #[arg(long, env = "GITHUB_TOKEN", hide_env_values = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// GitHub API URL (`https://HOST/api/v3` for GitHub Enterprise Server).
    #[arg(long, env = "GITHUB_API_URL", value_name = "URL")]
    pub api_url: Option<String>,
    /// GitHub App id (with --app-private-key, instead of a token).
    #[arg(long, env = "AMPSYNC_APP_ID", value_name = "ID")]
    pub app_id: Option<u64>,
    /// GitHub App private key: PEM text or a path to a PEM file.
    #[arg(long, env = "AMPSYNC_APP_PRIVATE_KEY", hide_env_values = true, value_name = "PEM|PATH")]
    pub app_private_key: Option<String>,
    /// Sync branch (overrides the manifest's `git.branch`).
    #[arg(long, value_name = "BRANCH")]
    pub branch: Option<String>,
    /// `accumulate` or `per-build` (overrides the manifest's `git.branchMode`).
    #[arg(long, value_name = "MODE")]
    pub branch_mode: Option<crate::manifest::keywords::BranchMode>,
    /// `markers`, `ours` or `theirs` (overrides the manifest's `git.conflicts`).
    #[arg(long, value_name = "POLICY")]
    pub conflicts: Option<crate::manifest::keywords::ConflictPolicy>,
    /// Pull request label (repeatable or comma-separated; replaces the manifest's list).
    #[arg(long = "label", value_name = "NAME", value_delimiter = ',')]
    pub labels: Vec<String>,
    /// Pull request reviewer (repeatable or comma-separated).
    #[arg(long = "reviewer", value_name = "LOGIN", value_delimiter = ',')]
    pub reviewers: Vec<String>,
    /// Pull request team reviewer (repeatable or comma-separated).
    #[arg(long = "team-reviewer", value_name = "SLUG", value_delimiter = ',')]
    pub team_reviewers: Vec<String>,
    /// Pull request assignee (repeatable or comma-separated).
    #[arg(long = "assignee", value_name = "LOGIN", value_delimiter = ',')]
    pub assignees: Vec<String>,
    /// Open the pull request as a draft (`--draft=false` overrides a manifest's `draft: true`).
    #[arg(long, value_name = "BOOL", num_args = 0..=1, default_missing_value = "true")]
    pub draft: Option<bool>,
}

#[derive(Debug, Args)]
pub struct PlanArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Print the plan as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub target: TargetArgs,
    /// Commit title (default: the last commit that changed the manifest, else "Regenerate <services>").
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
    /// The local repository (default: the one containing the manifest).
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,
    /// Base branch (default: the manifest's `baseBranch`, else the repository's default branch).
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,
    /// How many commits of each branch to look through.
    #[arg(long, default_value_t = 500)]
    pub depth: usize,
    /// Print the builds as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ProviderArg {
    Github,
    Local,
}

impl TargetArgs {
    fn options(&self, message: Option<String>, dry_run: bool, json: bool) -> commands::sync::Options {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        let actions = env("GITHUB_ACTIONS").is_some_and(|v| v == "true");
        let build = match (&self.build_id, actions.then(|| BuildInfo::from_run_env(env)).flatten()) {
            (Some(id), _) => BuildInfo { id: id.clone(), url: self.build_url.clone() },
            (None, Some(run)) => BuildInfo { url: self.build_url.clone().or(run.url), ..run },
            (None, None) => BuildInfo { url: self.build_url.clone(), ..BuildInfo::generated_now() },
        };
        let github = crate::providers::github::Options {
            api_url: self.api_url.clone().unwrap_or_else(|| crate::providers::github::DEFAULT_API_URL.to_string()),
            token: self.token.clone().map(secrecy::SecretString::from),
            app_id: self.app_id,
            app_private_key: self.app_private_key.clone().map(secrecy::SecretString::from),
            default_repository: env("GITHUB_REPOSITORY"),
            event_path: env("GITHUB_EVENT_PATH").map(PathBuf::from),
        };
        let overrides = commands::sync::GitOverrides {
            branch: self.branch.clone(),
            branch_mode: self.branch_mode,
            conflicts: self.conflicts,
            labels: self.labels.clone(),
            reviewers: self.reviewers.clone(),
            team_reviewers: self.team_reviewers.clone(),
            assignees: self.assignees.clone(),
            draft: self.draft,
        };
        commands::sync::Options {
            overrides,
            github,
            provider: self.provider.map(Into::into),
            repo: self.repo.clone(),
            services: self.services.clone(),
            base: self.base.clone(),
            message,
            dry_run,
            json,
            build,
        }
    }
}

impl From<ProviderArg> for crate::manifest::model::ProviderKind {
    fn from(p: ProviderArg) -> Self {
        match p {
            ProviderArg::Github => Self::Github,
            ProviderArg::Local => Self::Local,
        }
    }
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
        Command::Plan(args) => {
            commands::sync::run(&cli.manifest, &args.target.options(None, true, args.json), &printer)
        }
        Command::Sync(args) => commands::sync::run(
            &cli.manifest,
            &args.target.options(args.message.clone(), args.dry_run, args.json),
            &printer,
        ),
        Command::Builds(args) => commands::builds::run(
            &cli.manifest,
            &commands::builds::Options {
                repo: args.repo.clone(),
                base: args.base.clone(),
                depth: args.depth,
                json: args.json,
            },
            &printer,
        ),
        Command::Action => return crate::action::run(&printer),
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
