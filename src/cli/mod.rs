//! The command line as clap sees it: raw arguments, nothing derived.
//!
//! Each field's doc comment is its `--help` text (first line short, then
//! detail), and options are grouped under headings (Output, Apply,
//! Connection, Global) so `--help` reads by purpose. Environment variable
//! names come from [`crate::env`], never from string literals here.
//! Turning these raw values into ready-to-use settings (colour decision,
//! endpoint policy) is `crate::settings`'s job, so that this file stays a
//! plain description of the interface.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::env;

mod emulator;
pub use emulator::EmulatorArgs;

/// The version `--version` prints: the package's, and the commit it was
/// built from when built from a git checkout (`build.rs`).
pub const VERSION: &str = env!("AICALL_VERSION");

/// Declarative Alibaba Cloud AI call tasks.
///
/// Keep call tasks as YAML manifests in git; `validate` checks them offline,
/// `plan` shows what would change against the tasks that exist in the
/// account (keyed by task name), and `apply` makes the account match.
#[derive(Debug, Parser)]
#[command(
    name = "aicall",
    version = VERSION,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// When to use colour: `auto` (a terminal, and NO_COLOR unset), `always`, `never`.
    // Listed last, under its own heading: every subcommand inherits it, and
    // it should not push the subcommand's own options down.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto,
          env = env::AICALL_COLOR, help_heading = "Global", display_order = 1000)]
    pub color: ColorChoice,

    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests offline: syntax, keys, types, every API limit.
    ///
    /// Exits 0 when every manifest is valid, 1 when any is not, 2 on a usage
    /// error. Makes no API call and needs no credentials.
    Validate(ValidateArgs),

    /// Show what `apply` would change in the account.
    ///
    /// Reads the account (no writes) and compares it with the manifests by
    /// exact task name: tasks to create, update, rename, stop or start,
    /// blocked, unchanged and unmanaged tasks.
    Plan(PlanArgs),

    /// Make the account match the manifests.
    ///
    /// Computes (or loads with `--plan`) a plan, prints it, asks for
    /// confirmation on a terminal, then creates the missing tasks exactly
    /// once each, updates, renames, stops and starts existing ones as the
    /// plan says. A task is never started unless its manifest says
    /// `status: running` (or aicall stopped it a moment earlier to update
    /// it, with `--allow-restart`).
    Apply(ApplyArgs),

    /// Write manifests for the tasks the account already holds.
    ///
    /// Reads every task of the account (or those selected) and writes
    /// manifests that `aicall validate` accepts and `aicall plan` reports
    /// as no changes: one document per agent, shared values in `defaults`,
    /// tasks by name. A task the manifest language cannot declare is
    /// written commented out, with why, and named on stderr. Never edits
    /// a manifest in place.
    Export(ExportArgs),

    /// Run a local, persistent emulator of the AI call task API.
    ///
    /// Prints `listening on http://ADDR:PORT` and the access key pair it
    /// accepts as its first lines once it is ready.
    Emulator(EmulatorArgs),

    /// Print a JSON Schema: the manifest's (default), the JSON plan's or
    /// the lines of `apply --format json`.
    Schema(SchemaArgs),

    /// Print a shell completion script on stdout.
    ///
    /// For example `aicall completions bash > /etc/bash_completion.d/aicall`,
    /// or `aicall completions zsh > "${fpath[1]}/_aicall"`.
    Completions(CompletionsArgs),
}

/// Arguments of `aicall validate`.
#[derive(Debug, Args)]
pub struct ValidateArgs {
    /// Manifest files or directories (every `*.yaml`/`*.yml` below, sorted,
    /// hidden entries skipped). Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Output format of the diagnostics.
    #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text, help_heading = "Output")]
    pub format: DiagnosticFormat,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub step_summary: StepSummaryArgs,
}

/// Whether to write GitHub's job summary; shared by validate, plan, apply.
#[derive(Debug, Clone, Args)]
pub struct StepSummaryArgs {
    /// Do not append a Markdown summary to the file GITHUB_STEP_SUMMARY
    /// names.
    ///
    /// On GitHub Actions, `validate`, `plan` and `apply` append one (the
    /// problems, the plan, apply's outcomes), kept under GitHub's 1 MiB
    /// limit for the file.
    #[arg(long, help_heading = "Output")]
    pub no_step_summary: bool,
}

/// Which manifest tasks `plan` and `apply` act on.
#[derive(Debug, Clone, Args)]
pub struct TargetArgs {
    /// Plan or apply only the manifest tasks whose name matches NAME, a
    /// glob (`*`, `?`, `[...]`, `{a,b}`); repeatable.
    ///
    /// The other manifest tasks are neither planned nor touched, and the
    /// account's unmanaged tasks are not counted (a targeted plan cannot
    /// tell another manifest task from an unmanaged one). A NAME that
    /// matches no manifest task is a usage error. A saved plan records its
    /// targets, and `apply --plan` applies exactly them.
    #[arg(long = "target", value_name = "NAME", help_heading = "Plan")]
    pub targets: Vec<String>,
}

/// How much of a plan `plan` and `apply` list.
#[derive(Debug, Clone, Args)]
pub struct ListingArgs {
    /// List unchanged tasks one by one instead of counting them, and show
    /// the service's string-to-sign when it refuses a signature.
    #[arg(short, long, help_heading = "Output")]
    pub verbose: bool,

    /// List the account's tasks that no manifest names.
    #[arg(long, help_heading = "Output", conflicts_with = "targets")]
    pub show_unmanaged: bool,
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    /// For people: the source line, an underline and a hint.
    Text,
    /// For programs: a JSON array of {file, line, column, code, message, ...}.
    Json,
    /// For GitHub Actions: `::error file=...::` workflow commands, which
    /// GitHub shows as annotations on the lines they name.
    Github,
}

/// How a plan is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For people: `+ create`, `~ drift` with field diffs, a summary line.
    Text,
    /// For programs: the versioned format of `schemas/aicall-plan.schema.json`.
    Json,
    /// For pull requests: a summary table with collapsible details, under
    /// 65,000 characters, opening with `<!-- aicall plan: PATHS -->`.
    Markdown,
    /// For GitHub Actions logs: the plan as text, each manifest problem,
    /// plan error and blocked task as a workflow command (an annotation).
    Github,
}

/// How `apply` reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ApplyFormat {
    /// For people: the plan, a line per step, a summary.
    Text,
    /// For programs: newline-delimited JSON on stdout, a line per step as
    /// it finishes (`schemas/aicall-apply.schema.json`); the plan goes to
    /// stderr. Needs `--auto-approve`.
    Json,
}

/// When to use colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when the stream is a terminal and NO_COLOR is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// Where the API is and who we are to it; shared by `plan` and `apply`.
#[derive(Debug, Clone, Args)]
pub struct ConnectionArgs {
    /// Run against the embedded local emulator instead of the cloud.
    ///
    /// Its state lives in `--local-state`; no cloud account or credentials
    /// are needed.
    #[arg(long, conflicts_with_all = ["endpoint", "profile"])]
    pub local: bool,

    /// State file of the embedded emulator used by `--local`.
    #[arg(long, value_name = "FILE", env = env::AICALL_LOCAL_STATE, default_value = ".aicall/local-state.json")]
    pub local_state: PathBuf,

    /// API endpoint URL. Default: https://aiccs.aliyuncs.com.
    ///
    /// Plain `http://` is accepted only for loopback addresses: anything
    /// else would send signed requests in the clear.
    // The value is not shown in `--help`: a refused one may hold a password.
    #[arg(long, value_name = "URL", env = env::AICALL_ENDPOINT, hide_env_values = true)]
    pub endpoint: Option<String>,

    /// Profile of `~/.aliyun/config.json` or the credentials INI file.
    ///
    /// Default: ALIBABA_CLOUD_PROFILE, then the config file's `current`.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Rows per QueryAiCallTaskPage request (1–100).
    ///
    /// 50 is the largest page documented for sibling APIs; the real
    /// maximum of this API is not documented.
    #[arg(long, value_name = "N", env = env::AICALL_PAGE_SIZE, default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..=100))]
    pub page_size: u32,

    /// The most requests per second aicall sends of any one API operation.
    ///
    /// The gateway counts each operation separately, so each has a budget
    /// of its own, which adapts: cut when throttled, grown back while not,
    /// always honouring the wait the gateway asks for. Given, pacing starts
    /// at N (you are saying what the account allows). Default: each
    /// operation starts at a rate Alibaba publishes for a sibling aiccs
    /// operation (20/s for writes, 50/s for reads), doubles every second
    /// while nothing is throttled, and never exceeds 500/s, the highest
    /// quota published for any aiccs operation.
    #[arg(long, value_name = "N", env = env::AICALL_RATE_LIMIT,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub rate_limit: Option<u32>,

    /// How long a read (a page, a detail, a look-up) is retried before the
    /// run gives up on it, e.g. `90s`, `5m`.
    ///
    /// Reads are always safe to send again, so they are retried for a time
    /// rather than a number of attempts; throttles slow them down without
    /// counting against anything else.
    #[arg(long, value_name = "DURATION", env = env::AICALL_READ_RETRY_BUDGET,
          default_value = "5m", value_parser = parse_duration)]
    pub read_retry_budget: Duration,

    /// The whole run's deadline, e.g. `30s`, `15m`, `1h`.
    ///
    /// After it, nothing more is sent. A create still in flight is settled
    /// by looking its name up (for at most half the timeout, and 10 s),
    /// and otherwise reported as unknown; the run exits 1. The clock
    /// starts again after you confirm an apply.
    #[arg(long, value_name = "DURATION", env = env::AICALL_TIMEOUT,
          default_value = "15m", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Requests in flight at once while reading the account.
    #[arg(long, value_name = "N", env = env::AICALL_READ_PARALLELISM, default_value_t = 8,
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub read_parallelism: u32,
}

/// Arguments of `aicall plan`.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Manifest files or directories. Default: the current directory.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,

    /// Save the plan to FILE, for `aicall apply --plan FILE`.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub out: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = PlanFormat::Text, help_heading = "Output")]
    pub format: PlanFormat,

    /// Exit 0 when there are no changes, 2 when there are, 1 on error.
    #[arg(long, help_heading = "Output")]
    pub detailed_exitcode: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub listing: ListingArgs,

    /// Plan as `apply --allow-restart` would: a running task whose
    /// configuration differs is stopped, updated and started again.
    #[arg(long, help_heading = "Plan")]
    pub allow_restart: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub target: TargetArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub step_summary: StepSummaryArgs,

    #[command(flatten, next_help_heading = "Connection")]
    #[allow(missing_docs)]
    pub connection: ConnectionArgs,
}

/// Arguments of `aicall apply`.
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Manifest files or directories. Default: the current directory.
    #[arg(value_name = "PATH", conflicts_with = "plan")]
    pub paths: Vec<PathBuf>,

    /// Apply a plan saved by `aicall plan --out FILE` (refused when stale).
    #[arg(long, value_name = "FILE", help_heading = "Apply")]
    pub plan: Option<PathBuf>,

    /// Do not ask for confirmation. Required when stdin is not a terminal.
    #[arg(long, help_heading = "Apply")]
    pub auto_approve: bool,

    /// Tasks acted on at once (each task's steps run in order).
    #[arg(long, value_name = "N", default_value_t = 4, help_heading = "Apply",
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub parallelism: u32,

    /// Allow stopping a running task to update it, then starting it again.
    ///
    /// The API updates only a task that is not running. Without this flag
    /// such an update is blocked and nothing is sent for the task; with
    /// it, the task is stopped, updated and started again (if the update
    /// fails, it is started again with its old configuration).
    #[arg(long, help_heading = "Apply")]
    pub allow_restart: bool,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub target: TargetArgs,

    /// Output format.
    #[arg(long, value_enum, default_value_t = ApplyFormat::Text, help_heading = "Output")]
    pub format: ApplyFormat,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub step_summary: StepSummaryArgs,

    #[command(flatten)]
    #[allow(missing_docs)]
    pub listing: ListingArgs,

    #[command(flatten, next_help_heading = "Connection")]
    #[allow(missing_docs)]
    pub connection: ConnectionArgs,
}

/// Arguments of `aicall export`.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// With `--unmanaged`: the manifests whose tasks are left out.
    /// Default: the current directory.
    #[arg(value_name = "PATH", requires = "unmanaged")]
    pub paths: Vec<PathBuf>,

    /// Export only the account tasks that the manifests at PATH do not
    /// name (nor list in `renamedFrom`): the tasks to adopt.
    #[arg(long, help_heading = "Selection")]
    pub unmanaged: bool,

    /// Export only tasks whose name matches PATTERN (a glob: `*`, `?`,
    /// `[a-z]`, `{a,b}`; exact case). Repeatable: any pattern may match.
    #[arg(long = "name", value_name = "PATTERN", help_heading = "Selection")]
    pub names: Vec<String>,

    /// Export only tasks in STATUS. Repeatable: any status may match.
    #[arg(
        long = "status",
        value_name = "STATUS",
        value_enum,
        ignore_case = true,
        help_heading = "Selection"
    )]
    pub statuses: Vec<StatusChoice>,

    /// Write the manifests to FILE instead of stdout.
    ///
    /// An existing FILE is refused unless `--force`, and a FILE among the
    /// manifests `--unmanaged` reads is always refused.
    #[arg(long, value_name = "FILE", help_heading = "Output")]
    pub out: Option<PathBuf>,

    /// Overwrite `--out FILE` if it exists.
    #[arg(long, requires = "out", help_heading = "Output")]
    pub force: bool,

    /// Declare each task's current `status` (RUNNING and INIT as
    /// `running`, STOPPED as `stopped`; FAILED stays unmanaged, with a
    /// note). Without it `status` is left unmanaged.
    #[arg(long, help_heading = "Output")]
    pub with_status: bool,

    /// The UTC offset scheduled starts are written in, e.g. `+08:00`.
    #[arg(
        long,
        value_name = "OFFSET",
        default_value = "Z",
        help_heading = "Output"
    )]
    pub utc_offset: String,

    /// Where the first line's modeline points editors for the JSON Schema
    /// (`aicall schema` prints it).
    #[arg(
        long,
        value_name = "PATH",
        default_value = "../schemas/aicall-manifest.schema.json",
        help_heading = "Output"
    )]
    pub schema: String,

    #[command(flatten, next_help_heading = "Connection")]
    #[allow(missing_docs)]
    pub connection: ConnectionArgs,
}

/// A task status, to select tasks by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum StatusChoice {
    /// Created, not started yet (a scheduled task waits for its time).
    Init,
    /// Calling.
    Running,
    /// Stopped.
    Stopped,
    /// The start failed.
    Failed,
}

/// `30s`, `500ms`, `15m`, `1h30m` (jiff's friendly format, or ISO 8601);
/// positive.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let signed: jiff::SignedDuration = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a duration: write it like `30s`, `15m` or `1h`"))?;
    Duration::try_from(signed)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| format!("`{text}` must be longer than zero"))
}

/// Arguments of `aicall schema`.
#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Which schema to print.
    #[arg(value_enum, default_value_t = SchemaKind::Manifest)]
    pub kind: SchemaKind,
}

/// The JSON Schemas aicall can print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SchemaKind {
    /// `schemas/aicall-manifest.schema.json`: the manifest language.
    Manifest,
    /// `schemas/aicall-plan.schema.json`: `aicall plan --format json`.
    Plan,
    /// `schemas/aicall-apply.schema.json`: each line of `aicall apply
    /// --format json`.
    Apply,
}

/// Arguments of `aicall completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory as _;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// Issue 6: options are grouped by purpose and the inherited `--color`
    /// no longer comes first in every subcommand's help.
    #[test]
    fn help_groups_options_under_headings_with_color_last() {
        let mut command = Cli::command();
        command.build();
        for name in ["validate", "plan", "apply"] {
            let sub = command
                .find_subcommand_mut(name)
                .expect("subcommand")
                .render_long_help()
                .to_string();
            let color = sub.find("--color").expect("--color is listed");
            let global = sub.find("Global:").expect("a Global heading");
            assert!(global < color, "{name}: --color sits under Global");
            let output = sub.find("Output:").unwrap_or(usize::MAX);
            assert!(
                output < color,
                "{name}: Output comes before --color:\n{sub}"
            );
        }
        let apply = command
            .find_subcommand_mut("apply")
            .expect("apply")
            .render_long_help()
            .to_string();
        for heading in ["Apply:", "Output:", "Connection:", "Global:"] {
            assert!(
                apply.contains(heading),
                "apply --help has {heading}\n{apply}"
            );
        }
        let endpoint = apply.find("--endpoint").expect("--endpoint");
        assert!(apply.find("Connection:").expect("heading") < endpoint);
    }
}
