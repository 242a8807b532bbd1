//! One handler per subcommand: derive settings from the raw arguments, run
//! the library, print, and say how it ended.

use std::io::IsTerminal as _;

use crate::cli::{Cli, ColorChoice, Command};
use crate::env;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::render::style::Style;

pub mod apply;
pub mod emulator;
pub mod plan;
pub mod schema;
mod session;
pub mod validate;

/// Settings every command gets, derived once from the global flags.
#[derive(Debug, Clone, Copy)]
pub struct Global {
    /// Colour for stdout.
    pub stdout: Style,
    /// Colour for stderr.
    pub stderr: Style,
    /// Whether stdin is a terminal (prompts are allowed only then).
    pub stdin_is_terminal: bool,
    /// Whether stderr is a terminal (progress bars only then).
    pub stderr_is_terminal: bool,
}

impl Global {
    /// Reads the terminal and `NO_COLOR` once, for the whole run.
    pub fn detect(color: ColorChoice) -> Global {
        let no_color = std::env::var(env::NO_COLOR).ok();
        let stderr_is_terminal = std::io::stderr().is_terminal();
        Global {
            stdout: Style::decide(color, std::io::stdout().is_terminal(), no_color.as_deref()),
            stderr: Style::decide(color, stderr_is_terminal, no_color.as_deref()),
            stdin_is_terminal: std::io::stdin().is_terminal(),
            stderr_is_terminal,
        }
    }
}

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<ExitStatus, Error> {
    let global = Global::detect(cli.color);
    match cli.command {
        Command::Validate(args) => validate::run(&args, &global),
        Command::Plan(args) => plan::run(&args, &global),
        Command::Apply(args) => apply::run(&args, &global),
        Command::Emulator(args) => emulator::run(&args, &global),
        Command::Schema(args) => schema::run(&args, &global),
    }
}

/// A multi-threaded runtime for the commands that talk HTTP.
// Unused until plan, apply and the emulator land; keeps clippy green.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}
