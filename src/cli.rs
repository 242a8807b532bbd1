//! The command line as clap sees it: raw arguments, nothing derived.
//!
//! Each field's doc comment is its `--help` text (first line short, then
//! detail), and options are grouped under headings (Output, Apply,
//! Connection, Global) so `--help` reads by purpose. Environment variable
//! names come from [`crate::env`], never from string literals here.
//! Turning these raw values into ready-to-use settings (colour decision,
//! endpoint policy) is `crate::settings`'s job, so that this file stays a
//! plain description of the interface.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::emulator::Operation;
use crate::env;

/// Declarative Alibaba Cloud AI call tasks.
///
/// Keep call tasks as YAML manifests in git; `validate` checks them offline,
/// `plan` shows what would change against the tasks that exist in the
/// account (keyed by task name), and `apply` creates what is missing.
#[derive(Debug, Parser)]
#[command(
    name = "aicall",
    version,
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
    /// exact task name: tasks to create, tasks that drifted, unchanged and
    /// unmanaged tasks.
    Plan(PlanArgs),

    /// Create the tasks the manifests name and the account lacks.
    ///
    /// Computes (or loads with `--plan`) a plan, prints it, asks for
    /// confirmation on a terminal, then creates the missing tasks exactly
    /// once each. Drift is reported, never changed.
    Apply(ApplyArgs),

    /// Run a local, persistent emulator of the AI call task API.
    ///
    /// Prints `listening on http://ADDR:PORT` and the access key pair it
    /// accepts as its first lines once it is ready.
    Emulator(EmulatorArgs),

    /// Print a JSON Schema: the manifest's (default) or the JSON plan's.
    Schema(SchemaArgs),
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
}

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiagnosticFormat {
    /// For people: the source line, an underline and a hint.
    Text,
    /// For programs: a JSON array of {file, line, column, code, message, ...}.
    Json,
}

/// How a plan is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PlanFormat {
    /// For people: `+ create`, `~ drift` with field diffs, a summary line.
    Text,
    /// For programs: the versioned format of `schemas/aicall-plan.schema.json`.
    Json,
    /// For pull requests: a summary table with collapsible details.
    Markdown,
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
    #[arg(long, value_name = "URL", env = env::AICALL_ENDPOINT)]
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

    /// List unchanged tasks one by one instead of counting them, and show
    /// the service's string-to-sign when it refuses a signature.
    #[arg(short, long, help_heading = "Output")]
    pub verbose: bool,

    /// List the account's tasks that no manifest names.
    #[arg(long, help_heading = "Output")]
    pub show_unmanaged: bool,

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

    /// Creates in flight at once.
    #[arg(long, value_name = "N", default_value_t = 4, help_heading = "Apply",
          value_parser = clap::value_parser!(u32).range(1..=64))]
    pub parallelism: u32,

    /// List unchanged tasks one by one instead of counting them, and show
    /// the service's string-to-sign when it refuses a signature.
    #[arg(short, long, help_heading = "Output")]
    pub verbose: bool,

    /// List the account's tasks that no manifest names.
    #[arg(long, help_heading = "Output")]
    pub show_unmanaged: bool,

    #[command(flatten, next_help_heading = "Connection")]
    #[allow(missing_docs)]
    pub connection: ConnectionArgs,
}

/// Arguments of `aicall emulator`.
///
/// The access key secret is never a flag (it would show in `ps` and in shell
/// history): it comes from the environment, or the documented demo pair is
/// used.
#[derive(Debug, Args)]
pub struct EmulatorArgs {
    /// Address to listen on; port 0 picks a free port.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,

    /// File holding the emulator's tasks across restarts (written atomically).
    /// Without it, state lives in memory only.
    #[arg(long, value_name = "FILE")]
    pub state: Option<PathBuf>,

    /// The AccessKeyId the emulator accepts (its secret comes from
    /// AICALL_EMULATOR_ACCESS_KEY_SECRET). Default: the demo pair.
    #[arg(long, value_name = "ID", env = env::AICALL_EMULATOR_ACCESS_KEY_ID)]
    pub access_key_id: Option<String>,

    /// Largest PageSize accepted by QueryAiCallTaskPage; larger is refused.
    #[arg(long, value_name = "N", default_value_t = 100,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub max_page_size: u32,

    /// Fault injection: added latency per request, in milliseconds.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency_ms: u64,

    /// Fault injection: answer every Nth request with `Throttling.User` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub throttle_every: Option<u64>,

    /// Fault injection: answer every Nth request with 503 `ServiceUnavailable` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub unavailable_every: Option<u64>,

    /// Fault injection: on the Nth CreateAiCallTask, commit, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_create_reply: Option<u64>,

    /// Fault injection: on every Nth CreateAiCallTask, commit, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_create_reply_every: Option<u64>,

    /// Fault injection: refuse the Nth CreateAiCallTask with `InvalidParameter` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub refuse_create: Option<u64>,

    /// Quota of every operation: at most N requests per operation in any
    /// rolling second; over it, `400 Throttling.User` with the gateway's
    /// `x-ratelimit-user-api` header, before any side effect.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub quota: Option<u32>,

    /// Quota of one operation, e.g. `CreateAiCallTask=20` (repeatable);
    /// overrides `--quota` for that operation.
    #[arg(long, value_name = "ACTION=N", value_parser = parse_quota_for)]
    pub quota_for: Vec<(Operation, u32)>,
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

/// `ACTION=N`: one of the six actions, and a quota of at least 1.
fn parse_quota_for(text: &str) -> Result<(Operation, u32), String> {
    let names = || {
        Operation::ALL
            .map(|op| format!("`{}`", op.action()))
            .join(", ")
    };
    let (action, limit) = text
        .split_once('=')
        .ok_or_else(|| format!("`{text}` is not ACTION=N, e.g. `CreateAiCallTask=20`"))?;
    let op = Operation::from_action(action.trim())
        .ok_or_else(|| format!("`{action}` is not an action; one of {}", names()))?;
    let limit = limit
        .trim()
        .parse::<u32>()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or_else(|| format!("`{limit}` is not a quota: a whole number of at least 1"))?;
    Ok((op, limit))
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
