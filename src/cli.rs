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

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::env;

/// Declarative Alibaba Cloud AI call tasks.
///
/// Keep call tasks as YAML manifests in git; `validate` checks them offline,
/// `plan` shows what would change against the tasks that exist in the
/// account (keyed by task name), and `apply` makes the account match.
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

    /// Client-side limit on API requests per second, across all workers.
    ///
    /// The default stays below the 100 requests/s that Alibaba Cloud
    /// documents for sibling aiccs APIs (this API's own limit is not
    /// documented), so scale never turns into a storm of throttled retries.
    #[arg(long, value_name = "N", env = env::AICALL_RATE_LIMIT, default_value_t = 50,
          value_parser = clap::value_parser!(u32).range(1..=10_000))]
    pub rate_limit: u32,

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

    /// Plan as `apply --allow-restart` would: a running task whose
    /// configuration differs is stopped, updated and started again.
    #[arg(long, help_heading = "Plan")]
    pub allow_restart: bool,

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

    /// Fault injection: refuse the Nth CreateAiCallTask with `InvalidParameter` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub refuse_create: Option<u64>,

    /// Fault injection: refuse the Nth UpdateAiCallTask with `InvalidParameter` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub refuse_update: Option<u64>,

    /// Fault injection: refuse the Nth StartAiCallTask with `InvalidParameter` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub refuse_start: Option<u64>,

    /// Fault injection: refuse the Nth StopAiCallTask with `InvalidParameter` (no side effect).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub refuse_stop: Option<u64>,

    /// Fault injection: on the Nth UpdateAiCallTask, update, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_update_reply: Option<u64>,

    /// Fault injection: on the Nth StartAiCallTask, start, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_start_reply: Option<u64>,

    /// Fault injection: on the Nth StopAiCallTask, stop, then drop the connection unanswered.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub drop_stop_reply: Option<u64>,

    /// Temporary credentials (STS, metadata service, credentials URI) live
    /// this many seconds, whatever was asked: expiry within a test's reach.
    #[arg(long, value_name = "SECONDS", value_parser = clap::value_parser!(u64).range(1..))]
    pub sts_lifetime: Option<u64>,

    /// Temporary credentials are accepted for this many signed requests,
    /// then refused with `InvalidSecurityToken.Expired`.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub sts_requests_per_key: Option<u64>,
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
