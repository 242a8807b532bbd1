//! The `aicall` binary: parse, run, exit with the status the run ended in.

use std::process::ExitCode;

use clap::Parser as _;

use aicall::cli::Cli;

fn main() -> ExitCode {
    // clap exits 2 on a usage error and 0 for --help/--version.
    aicall::run(Cli::parse()).into()
}
