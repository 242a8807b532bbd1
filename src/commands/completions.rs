//! `aicall completions SHELL`: a completion script for the shell, made by
//! clap_complete from the same definition `--help` is made from, so it
//! never lags behind the options.

use clap::CommandFactory as _;

use crate::cli::{Cli, CompletionsArgs};
use crate::error::Error;
use crate::exit::ExitStatus;

/// Runs `aicall completions`.
pub fn run(args: &CompletionsArgs) -> Result<ExitStatus, Error> {
    let mut script = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "aicall", &mut script);
    super::print(&String::from_utf8_lossy(&script))?;
    Ok(ExitStatus::Success)
}
