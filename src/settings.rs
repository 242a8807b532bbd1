//! Raw arguments (`crate::cli`) → validated settings the commands receive,
//! in the manner of ripgrep's lowargs/hiargs split: everything derived from
//! the command line and the environment is decided here, once, so handlers
//! never look at clap types or re-check a value.
//!
//! What is decided here: colour and terminal detection for the whole run,
//! where requests go (the endpoint policy is applied now, so a refused
//! `--endpoint` is a usage error before anything else happens), what the
//! manifests are, and each command's options as plain values.

use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::time::Duration;

use crate::api::Endpoint;
use crate::cli::{
    ApplyArgs, ApplyFormat, ColorChoice, ConnectionArgs, DiagnosticFormat, ExportArgs, ListingArgs,
    PlanArgs, PlanFormat, StatusChoice, StepSummaryArgs, ValidateArgs,
};
use crate::env;
use crate::error::Error;
use crate::plan::target::Targets;
use crate::render::style::Style;

/// How output looks and which streams are terminals, for the whole run.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Colour for stdout.
    pub stdout: Style,
    /// Colour for stderr.
    pub stderr: Style,
    /// Whether stdin is a terminal (prompts are allowed only then).
    pub stdin_is_terminal: bool,
    /// Whether stderr is a terminal (progress bars only then).
    pub stderr_is_terminal: bool,
}

impl Output {
    /// Reads the terminals and `NO_COLOR` once, for the whole run.
    pub fn detect(color: ColorChoice) -> Output {
        let no_color = std::env::var(env::NO_COLOR).ok();
        let stderr_is_terminal = std::io::stderr().is_terminal();
        Output {
            stdout: Style::decide(color, std::io::stdout().is_terminal(), no_color.as_deref()),
            stderr: Style::decide(color, stderr_is_terminal, no_color.as_deref()),
            stdin_is_terminal: std::io::stdin().is_terminal(),
            stderr_is_terminal,
        }
    }
}

/// The manifests a command reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifests {
    /// Files and directories as given; empty means the current directory.
    pub paths: Vec<PathBuf>,
}

impl Manifests {
    /// Whether the manifests come from stdin (`-`).
    pub fn reads_stdin(&self) -> bool {
        self.paths.iter().any(|p| p.as_os_str() == "-")
    }

    /// The paths as a saved plan records them (the default, the current
    /// directory, recorded as `.`).
    pub fn recorded(&self) -> Vec<String> {
        if self.paths.is_empty() {
            return vec![".".to_owned()];
        }
        self.paths.iter().map(|p| p.display().to_string()).collect()
    }
}

/// Which account requests go to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// The emulator embedded in this process (`--local`), with its state
    /// in this file.
    Local {
        /// The state file.
        state_file: PathBuf,
    },
    /// The cloud (or an emulator elsewhere), with credentials from the
    /// chain.
    Remote {
        /// The checked endpoint.
        endpoint: Endpoint,
        /// `--profile`, when given.
        profile: Option<String>,
    },
}

/// Where the API is and how hard to use it; shared by `plan` and `apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Which account.
    pub account: Account,
    /// Whether the command line (or `AICALL_ENDPOINT`) chose the account;
    /// otherwise `apply --plan` takes the one the plan was made against.
    pub account_given: bool,
    /// Rows per QueryAiCallTaskPage request.
    pub page_size: u32,
    /// The most requests per second of any one operation, when given
    /// (pacing then starts there); `None` for the adaptive default.
    pub rate_limit: Option<u32>,
    /// Requests in flight at once while reading the account.
    pub read_parallelism: usize,
    /// How long a read is retried.
    pub read_retry_budget: Duration,
    /// The whole run's deadline.
    pub timeout: Duration,
}

impl Connection {
    fn new(args: &ConnectionArgs) -> Result<Connection, Error> {
        let account = if args.local {
            Account::Local {
                state_file: args.local_state.clone(),
            }
        } else {
            Account::Remote {
                endpoint: Endpoint::from_override(args.endpoint.as_deref())?,
                profile: args.profile.clone(),
            }
        };
        Ok(Connection {
            account,
            account_given: args.local || args.endpoint.is_some(),
            page_size: args.page_size,
            rate_limit: args.rate_limit,
            read_parallelism: args.read_parallelism as usize,
            read_retry_budget: args.read_retry_budget,
            timeout: args.timeout,
        })
    }
}

/// The file GitHub Actions reads the job summary from
/// (`GITHUB_STEP_SUMMARY`), unless `--no-step-summary`: the command
/// appends its Markdown summary there.
fn step_summary(args: &StepSummaryArgs) -> Option<PathBuf> {
    if args.no_step_summary {
        return None;
    }
    std::env::var_os(env::GITHUB_STEP_SUMMARY)
        .filter(|path| !path.is_empty())
        .map(PathBuf::from)
}

/// How much of a plan is listed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Listing {
    /// List unchanged tasks one by one, and show the service's
    /// string-to-sign when a signature is refused (`-v`).
    pub verbose: bool,
    /// List the account's unmanaged tasks.
    pub show_unmanaged: bool,
}

impl Listing {
    fn new(args: &ListingArgs) -> Listing {
        Listing {
            verbose: args.verbose,
            show_unmanaged: args.show_unmanaged,
        }
    }
}

/// `aicall validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validate {
    /// The manifests.
    pub manifests: Manifests,
    /// How diagnostics are printed.
    pub format: DiagnosticFormat,
    /// Where to append the job summary (GitHub Actions).
    pub step_summary: Option<PathBuf>,
}

impl Validate {
    /// Settles the raw arguments.
    pub fn new(args: &ValidateArgs) -> Validate {
        Validate {
            manifests: Manifests {
                paths: args.paths.clone(),
            },
            format: args.format,
            step_summary: step_summary(&args.step_summary),
        }
    }
}

/// `aicall plan`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The manifests.
    pub manifests: Manifests,
    /// Where to save the plan.
    pub out: Option<PathBuf>,
    /// How the plan is printed.
    pub format: PlanFormat,
    /// Exit 2 when there are changes.
    pub detailed_exitcode: bool,
    /// What is listed.
    pub listing: Listing,
    /// Plan restarts of running tasks (`--allow-restart`).
    pub allow_restart: bool,
    /// The manifest tasks planned (`--target`).
    pub targets: Targets,
    /// Where to append the job summary (GitHub Actions).
    pub step_summary: Option<PathBuf>,
    /// Where the API is.
    pub connection: Connection,
}

impl Plan {
    /// Settles and checks the raw arguments.
    pub fn new(args: &PlanArgs) -> Result<Plan, Error> {
        let manifests = Manifests {
            paths: args.paths.clone(),
        };
        if args.out.is_some() && manifests.reads_stdin() {
            return Err(Error::OutWithStdin);
        }
        Ok(Plan {
            manifests,
            out: args.out.clone(),
            format: args.format,
            detailed_exitcode: args.detailed_exitcode,
            listing: Listing::new(&args.listing),
            allow_restart: args.allow_restart,
            targets: Targets::new(&args.target.targets)?,
            step_summary: step_summary(&args.step_summary),
            connection: Connection::new(&args.connection)?,
        })
    }
}

/// What `apply` applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApplySource {
    /// A plan made now from these manifests.
    Manifests(Manifests),
    /// A plan saved by `plan --out`, checked against the account first.
    Saved(PathBuf),
}

/// `aicall apply`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Apply {
    /// What to apply.
    pub source: ApplySource,
    /// Do not ask for confirmation.
    pub auto_approve: bool,
    /// Tasks acted on at once.
    pub parallelism: usize,
    /// Stop, update and start again a running task (`--allow-restart`).
    pub allow_restart: bool,
    /// What is listed.
    pub listing: Listing,
    /// The manifest tasks applied (`--target`); with a saved plan, the
    /// selection it records unless given, and then it must be that one.
    pub targets: Option<Targets>,
    /// How apply reports.
    pub format: ApplyFormat,
    /// Where to append the job summary (GitHub Actions).
    pub step_summary: Option<PathBuf>,
    /// Where the API is.
    pub connection: Connection,
}

impl Apply {
    /// Settles and checks the raw arguments.
    pub fn new(args: &ApplyArgs) -> Result<Apply, Error> {
        // stdout carries only JSON lines then, and stdin is no terminal to
        // answer on: the consent must be on the command line.
        if args.format == ApplyFormat::Json && !args.auto_approve {
            return Err(Error::JsonNeedsAutoApprove);
        }
        Ok(Apply {
            source: match &args.plan {
                Some(path) => ApplySource::Saved(path.clone()),
                None => ApplySource::Manifests(Manifests {
                    paths: args.paths.clone(),
                }),
            },
            auto_approve: args.auto_approve,
            parallelism: args.parallelism as usize,
            allow_restart: args.allow_restart,
            listing: Listing::new(&args.listing),
            targets: match args.target.targets.as_slice() {
                [] => None,
                given => Some(Targets::new(given)?),
            },
            format: args.format,
            step_summary: step_summary(&args.step_summary),
            connection: Connection::new(&args.connection)?,
        })
    }
}

/// `aicall export`.
#[derive(Debug, Clone)]
pub struct Export {
    /// With `--unmanaged`, the manifests whose tasks are left out.
    pub unmanaged: Option<Manifests>,
    /// Which account tasks are exported.
    pub selection: Selection,
    /// Where the manifests go; stdout when `None`.
    pub out: Option<PathBuf>,
    /// Overwrite `out` if it exists.
    pub force: bool,
    /// Declare each task's status.
    pub with_status: bool,
    /// The offset scheduled starts are written in.
    pub offset: jiff::tz::Offset,
    /// Where the modeline points editors for the JSON Schema.
    pub schema: String,
    /// Where the API is.
    pub connection: Connection,
}

impl Export {
    /// Settles and checks the raw arguments: a bad pattern or offset is a
    /// usage error before anything is read.
    pub fn new(args: &ExportArgs) -> Result<Export, Error> {
        Ok(Export {
            unmanaged: args.unmanaged.then(|| Manifests {
                paths: args.paths.clone(),
            }),
            selection: Selection::new(&args.names, &args.statuses)?,
            out: args.out.clone(),
            force: args.force,
            with_status: args.with_status,
            offset: utc_offset(&args.utc_offset)?,
            schema: args.schema.clone(),
            connection: Connection::new(&args.connection)?,
        })
    }
}

/// Which account tasks `export` writes: those whose name matches any
/// pattern (all, without one) and whose status is any of those given (any,
/// without one).
#[derive(Debug, Clone)]
pub struct Selection {
    // globset, from ripgrep's author: one compiled set matches a name
    // against every `--name` at once, with the usual `*`, `?`, `[...]` and
    // `{a,b}`; a well-kept crate already in the lock file (through insta).
    names: Option<globset::GlobSet>,
    statuses: Vec<crate::plan::model::TaskStatus>,
}

impl Selection {
    fn new(patterns: &[String], statuses: &[StatusChoice]) -> Result<Selection, Error> {
        use crate::plan::model::TaskStatus;

        let names = if patterns.is_empty() {
            None
        } else {
            Some(
                crate::plan::target::name_globs(patterns)
                    .map_err(|(pattern, source)| Error::NamePattern { pattern, source })?,
            )
        };
        Ok(Selection {
            names,
            statuses: statuses
                .iter()
                .map(|s| match s {
                    StatusChoice::Init => TaskStatus::Init,
                    StatusChoice::Running => TaskStatus::Running,
                    StatusChoice::Stopped => TaskStatus::Stopped,
                    StatusChoice::Failed => TaskStatus::Failed,
                })
                .collect(),
        })
    }

    /// Whether a task named `name` in `status` is exported.
    pub fn keeps(&self, name: &str, status: Option<crate::plan::model::TaskStatus>) -> bool {
        self.names.as_ref().is_none_or(|set| set.is_match(name))
            && (self.statuses.is_empty() || status.is_some_and(|s| self.statuses.contains(&s)))
    }
}

/// `Z` or `±HH:MM` (RFC 3339's offsets), as a UTC offset.
fn utc_offset(text: &str) -> Result<jiff::tz::Offset, Error> {
    let invalid = || Error::UtcOffset {
        given: text.to_owned(),
    };
    if text.eq_ignore_ascii_case("z") {
        return Ok(jiff::tz::Offset::UTC);
    }
    let (sign, rest) = match text.as_bytes().first() {
        Some(b'+') => (1, &text[1..]),
        Some(b'-') => (-1, &text[1..]),
        _ => return Err(invalid()),
    };
    let (hours, minutes) = rest.split_once(':').ok_or_else(invalid)?;
    let two_digits = |part: &str| {
        (part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()))
            .then(|| part.parse::<i32>().ok())
            .flatten()
    };
    match (two_digits(hours), two_digits(minutes)) {
        (Some(h), Some(m)) if h <= 23 && m <= 59 => {
            jiff::tz::Offset::from_seconds(sign * (h * 3600 + m * 60)).map_err(|_| invalid())
        }
        _ => Err(invalid()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    /// The command line `aicall SUBCOMMAND ARGS...`, parsed.
    fn parsed(subcommand: &str, args: &[&str]) -> crate::cli::Command {
        crate::cli::Cli::try_parse_from(["aicall", subcommand].iter().chain(args))
            .expect("parses")
            .command
    }

    fn plan(args: &[&str]) -> Result<Plan, Error> {
        match parsed("plan", args) {
            crate::cli::Command::Plan(args) => Plan::new(&args),
            _ => unreachable!("parsed `plan`"),
        }
    }

    #[test]
    fn a_refused_endpoint_is_settled_before_anything_runs() {
        let err = plan(&["--endpoint", "http://example.com"]).expect_err("refused");
        assert!(matches!(err, Error::Endpoint(_)), "{err:?}");
        let ok = plan(&["--endpoint", "http://127.0.0.1:9"]).expect("loopback is fine");
        assert!(matches!(ok.connection.account, Account::Remote { .. }));
        let local = plan(&["--local"]).expect("local");
        assert!(matches!(local.connection.account, Account::Local { .. }));
    }

    fn apply(args: &[&str]) -> Result<Apply, Error> {
        match parsed("apply", args) {
            crate::cli::Command::Apply(args) => Apply::new(&args),
            _ => unreachable!("parsed `apply`"),
        }
    }

    /// Issue 11: JSON lines on stdout leave no prompt to answer, and a
    /// pattern that is no glob is a usage error before anything runs.
    #[test]
    fn apply_json_needs_auto_approve_and_targets_are_globs() {
        assert!(matches!(
            apply(&["--format", "json"]),
            Err(Error::JsonNeedsAutoApprove)
        ));
        let ok = apply(&["--format", "json", "--auto-approve"]).expect("settles");
        assert_eq!(ok.targets, None, "no --target: the saved plan's, or all");
        let err = plan(&["--target", "[unclosed"]).expect_err("refused");
        assert!(matches!(err, Error::Target(_)), "{err:?}");
        assert_eq!(err.exit_status(), crate::exit::ExitStatus::Usage);
        let targeted = plan(&["--target", "a*", "--target", "a*"]).expect("settles");
        assert_eq!(targeted.targets.patterns(), ["a*"]);
    }

    #[test]
    fn pacing_and_the_deadline_are_settled_from_the_flags() {
        let default = plan(&[]).expect("plan").connection;
        assert_eq!(default.rate_limit, None, "adaptive unless given");
        assert_eq!(default.timeout, Duration::from_secs(15 * 60));
        assert_eq!(default.read_retry_budget, Duration::from_secs(5 * 60));
        assert_eq!(default.page_size, 50);
        let given = plan(&[
            "--rate-limit",
            "80",
            "--timeout",
            "2s",
            "--read-retry-budget",
            "1m30s",
        ])
        .expect("plan")
        .connection;
        assert_eq!(given.rate_limit, Some(80));
        assert_eq!(given.timeout, Duration::from_secs(2));
        assert_eq!(given.read_retry_budget, Duration::from_secs(90));
        for bad in ["0s", "soon", "-3s"] {
            let parsed = crate::cli::Cli::try_parse_from(["aicall", "plan", "--timeout", bad]);
            assert!(parsed.is_err(), "{bad}");
        }
    }

    #[test]
    fn saving_a_plan_made_from_stdin_is_refused() {
        assert!(matches!(
            plan(&["--out", "p.json", "-"]),
            Err(Error::OutWithStdin)
        ));
        assert_eq!(
            plan(&[]).expect("plan").manifests.recorded(),
            ["."],
            "the default is recorded as the current directory"
        );
    }

    fn export(args: &[&str]) -> Result<Export, Error> {
        match parsed("export", args) {
            crate::cli::Command::Export(args) => Export::new(&args),
            _ => unreachable!("parsed `export`"),
        }
    }

    #[test]
    fn export_settles_offsets_patterns_and_statuses() {
        use crate::plan::model::TaskStatus;

        let offset = |text: &str| utc_offset(text).map(|o| o.seconds()).ok();
        assert_eq!(offset("Z"), Some(0));
        assert_eq!(offset("+08:00"), Some(28_800));
        assert_eq!(offset("-05:30"), Some(-19_800));
        for bad in [
            "8", "+8:00", "+08", "08:00", "+24:00", "+08:60", "UTC+8", "",
        ] {
            assert_eq!(offset(bad), None, "{bad}");
        }
        assert!(matches!(
            export(&["--utc-offset", "+8"]),
            Err(Error::UtcOffset { .. })
        ));
        assert!(matches!(
            export(&["--name", "a[b"]),
            Err(Error::NamePattern { .. })
        ));
        let s = export(&[
            "--name",
            "renewal-*",
            "--name",
            "*/2035",
            "--status",
            "STOPPED",
        ])
        .expect("settles");
        assert!(s.unmanaged.is_none());
        assert!(s.selection.keeps("renewal-a", Some(TaskStatus::Stopped)));
        assert!(s.selection.keeps("q1/2035", Some(TaskStatus::Stopped)));
        assert!(!s.selection.keeps("Renewal-a", Some(TaskStatus::Stopped)));
        assert!(!s.selection.keeps("renewal-a", Some(TaskStatus::Running)));
        assert!(!s.selection.keeps("renewal-a", None));
        let all = export(&[]).expect("settles");
        assert!(all.selection.keeps("anything", None));
        let adopt = export(&["--unmanaged"]).expect("settles");
        assert_eq!(adopt.unmanaged.map(|m| m.paths), Some(vec![]));
    }
}
