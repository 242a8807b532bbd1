//! One thin handler per subcommand: it receives validated settings
//! (`crate::settings`), runs the library, writes what `crate::render`
//! made, and says how it ended. [`run`] is the one place a failure is
//! rendered and turned into an exit status. Everything is printed through
//! [`print`] and [`eprint`], which mask the loaded credentials ([`scrub`]).

use std::io::Write as _;

use crate::cli::{Cli, Command};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::render;
use crate::settings::{self, Output};

pub mod apply;
mod apply_report;
pub mod completions;
pub mod emulator;
pub mod export;
mod interrupt;
pub mod plan;
pub mod schema;
mod scrub;
mod session;
mod step_summary;
pub mod validate;
mod whole_file;

/// Runs the parsed command line and says how it ended. A failure is
/// printed here, with its causes and hint, and mapped to its exit status
/// by [`Error::exit_status`]; a closed stdout ends quietly.
pub fn run(cli: Cli) -> ExitStatus {
    scrub::register_environment(&|name| std::env::var(name).ok());
    let output = Output::detect(cli.color);
    let verbose = match &cli.command {
        Command::Plan(args) => args.listing.verbose,
        Command::Apply(args) => args.listing.verbose,
        _ => false,
    };
    let result = match cli.command {
        Command::Validate(args) => validate::run(&settings::Validate::new(&args), &output),
        Command::Plan(args) => settings::Plan::new(&args).and_then(|s| plan::run(&s, &output)),
        Command::Apply(args) => settings::Apply::new(&args).and_then(|s| apply::run(&s, &output)),
        Command::Export(args) => {
            settings::Export::new(&args).and_then(|s| export::run(&s, &output))
        }
        Command::Emulator(args) => emulator::run(&args, &output),
        Command::Schema(args) => schema::run(&args, &output),
        Command::Completions(args) => completions::run(&args),
    };
    match result {
        Ok(status) => status,
        Err(err) if err.is_broken_pipe() => ExitStatus::Success,
        Err(err) => {
            let _ = eprint(&render::error::report(&err, verbose, output.stderr));
            err.exit_status()
        }
    }
}

/// A multi-threaded runtime for the commands that talk HTTP.
pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, Error> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(Error::Runtime)
}

/// Writes `text` to stdout, loaded credentials masked, and flushes.
pub(crate) fn print(text: &str) -> Result<(), Error> {
    let text = scrub::scrub(text);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).map_err(Error::Output)?;
    stdout.flush().map_err(Error::Output)
}

/// Writes `text` to stderr, loaded credentials masked, and flushes.
pub(crate) fn eprint(text: &str) -> Result<(), Error> {
    let text = scrub::scrub(text);
    let mut stderr = std::io::stderr().lock();
    stderr.write_all(text.as_bytes()).map_err(Error::Output)?;
    stderr.flush().map_err(Error::Output)
}

/// A progress bar (or spinner, without `length`) drawn on stderr with
/// `template`; shown only when the caller decided stderr is a terminal.
pub(crate) fn stderr_bar(length: Option<u64>, template: &str) -> indicatif::ProgressBar {
    let bar =
        indicatif::ProgressBar::with_draw_target(length, indicatif::ProgressDrawTarget::stderr());
    if let Ok(style) = indicatif::ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

/// Runs `write`, with the bar, if any, out of the way while it prints.
pub(crate) fn beside_bar(bar: Option<&indicatif::ProgressBar>, write: impl FnOnce()) {
    match bar {
        Some(bar) => bar.suspend(write),
        None => write(),
    }
}
