//! `aicall validate`: check manifests offline.
//!
//! Text: diagnostics and their summary on stderr, the verdict on stdout.
//! JSON: the array of diagnostics on stdout (an empty array when valid),
//! nothing on stderr. Exit 0 valid (warnings allowed), 1 invalid, 2 when
//! the command line names nothing to check.

use crate::cli::DiagnosticFormat;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::manifest;
use crate::render::diagnostics::{count, render_json, render_text, summary};
use crate::settings::{self, Output};

use super::{eprint, print};

/// Runs `aicall validate`.
pub fn run(settings: &settings::Validate, output: &Output) -> Result<ExitStatus, Error> {
    let loaded = manifest::load(&settings.manifests.paths, &|name| std::env::var(name).ok())?;
    match settings.format {
        DiagnosticFormat::Json => print(&render_json(&loaded.diagnostics, &loaded.sources))?,
        DiagnosticFormat::Text => {
            let mut text = render_text(&loaded.diagnostics, &loaded.sources, output.stderr);
            if let Some(summary) = summary(&loaded.diagnostics, output.stderr) {
                text.push_str(&summary);
                text.push('\n');
            }
            eprint(&text)?;
            if !loaded.has_errors() {
                print(&format!(
                    "{} in {} valid\n",
                    count(loaded.tasks.len(), "task"),
                    count(loaded.files, "file"),
                ))?;
            }
        }
    }
    Ok(if loaded.has_errors() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
