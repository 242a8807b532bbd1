//! The `aicall` binary: parse, run, map the result to an exit code.

use std::io::Write as _;
use std::process::ExitCode;

use clap::Parser as _;

use aicall::ExitStatus;
use aicall::cli::Cli;

fn main() -> ExitCode {
    // clap exits 2 on a usage error and 0 for --help/--version.
    let cli = Cli::parse();
    match aicall::run(cli) {
        Ok(status) => status.into(),
        Err(err) if err.is_broken_pipe() => ExitStatus::Success.into(),
        Err(err) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "error: {err}");
            let mut source = std::error::Error::source(&err);
            while let Some(cause) = source {
                let _ = writeln!(stderr, "  Caused by: {cause}");
                source = cause.source();
            }
            if let Some(hint) = err.hint() {
                let _ = writeln!(stderr, "  hint: {hint}");
            }
            match err {
                aicall::Error::Usage(_) => ExitStatus::Usage.into(),
                _ => ExitStatus::Failure.into(),
            }
        }
    }
}
