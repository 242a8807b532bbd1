//! `aicall validate`: check manifests offline.
//!
//! Text: diagnostics and their summary on stderr, the verdict on stdout.
//! JSON: the array of diagnostics on stdout (an empty array when valid),
//! nothing on stderr. Exit 0 valid (warnings allowed), 1 invalid, 2 when
//! the command line names nothing to check.

use std::io::Write as _;

use crate::cli::{DiagnosticFormat, ValidateArgs};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::manifest;
use crate::render::diagnostics::{count, render_json, render_text, summary};

use super::Global;

/// Runs `aicall validate`.
pub fn run(args: &ValidateArgs, global: &Global) -> Result<ExitStatus, Error> {
    let loaded = manifest::load(&args.paths, &|name| std::env::var(name).ok())?;
    let mut stdout = std::io::stdout().lock();
    match args.format {
        DiagnosticFormat::Json => {
            stdout
                .write_all(render_json(&loaded.diagnostics, &loaded.sources).as_bytes())
                .map_err(Error::Output)?;
        }
        DiagnosticFormat::Text => {
            let mut stderr = std::io::stderr().lock();
            let mut text = render_text(&loaded.diagnostics, &loaded.sources, global.stderr);
            if let Some(summary) = summary(&loaded.diagnostics, global.stderr) {
                text.push_str(&summary);
                text.push('\n');
            }
            stderr.write_all(text.as_bytes()).map_err(Error::Output)?;
            if !loaded.has_errors() {
                writeln!(
                    stdout,
                    "{} in {} valid",
                    count(loaded.tasks.len(), "task"),
                    count(loaded.files, "file"),
                )
                .map_err(Error::Output)?;
            }
        }
    }
    stdout.flush().map_err(Error::Output)?;
    Ok(if loaded.has_errors() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
