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
    ApplyArgs, ColorChoice, ConnectionArgs, DiagnosticFormat, PlanArgs, PlanFormat, ValidateArgs,
};
use crate::env;
use crate::error::Error;
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
            page_size: args.page_size,
            rate_limit: args.rate_limit,
            read_parallelism: args.read_parallelism as usize,
            read_retry_budget: args.read_retry_budget,
            timeout: args.timeout,
        })
    }
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

/// `aicall validate`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validate {
    /// The manifests.
    pub manifests: Manifests,
    /// How diagnostics are printed.
    pub format: DiagnosticFormat,
}

impl Validate {
    /// Settles the raw arguments.
    pub fn new(args: &ValidateArgs) -> Validate {
        Validate {
            manifests: Manifests {
                paths: args.paths.clone(),
            },
            format: args.format,
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
            listing: Listing {
                verbose: args.verbose,
                show_unmanaged: args.show_unmanaged,
            },
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
    /// Creates in flight at once.
    pub parallelism: usize,
    /// What is listed.
    pub listing: Listing,
    /// Where the API is.
    pub connection: Connection,
}

impl Apply {
    /// Settles and checks the raw arguments.
    pub fn new(args: &ApplyArgs) -> Result<Apply, Error> {
        Ok(Apply {
            source: match &args.plan {
                Some(path) => ApplySource::Saved(path.clone()),
                None => ApplySource::Manifests(Manifests {
                    paths: args.paths.clone(),
                }),
            },
            auto_approve: args.auto_approve,
            parallelism: args.parallelism as usize,
            listing: Listing {
                verbose: args.verbose,
                show_unmanaged: args.show_unmanaged,
            },
            connection: Connection::new(&args.connection)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser as _;

    fn plan(args: &[&str]) -> Result<Plan, Error> {
        let cli =
            crate::cli::Cli::try_parse_from(["aicall", "plan"].iter().chain(args)).expect("parses");
        match cli.command {
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
}
