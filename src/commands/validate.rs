//! `aicall validate`: check manifests offline.
//!
//! Text: diagnostics and their summary on stderr, the verdict on stdout.
//! JSON: the array of diagnostics on stdout (an empty array when valid),
//! nothing on stderr. GitHub: a workflow command per diagnostic on stdout
//! (annotations), a closing count, and the verdict when valid. With
//! `GITHUB_STEP_SUMMARY` set, the problems are appended to the job summary
//! as a table. Exit 0 valid (warnings allowed), 1 invalid, 2 when the
//! command line names nothing to check.

use std::cell::LazyCell;

use crate::cli::DiagnosticFormat;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::render::diagnostics::{count, render_json, render_text, summary};
use crate::render::{github, summary as job_summary};
use crate::settings::{self, Output};

use super::plan::load_manifests;
use super::{eprint, print, step_summary};

/// Runs `aicall validate`.
pub fn run(settings: &settings::Validate, output: &Output) -> Result<ExitStatus, Error> {
    let loaded = load_manifests(&settings.manifests)?;
    // Annotations and the job summary list the same problems.
    let problems = LazyCell::new(|| github::diagnostics(&loaded.diagnostics, &loaded.sources));
    let valid = format!(
        "{} in {} valid\n",
        count(loaded.tasks.len(), "task"),
        count(loaded.files(), "file"),
    );
    match settings.format {
        DiagnosticFormat::Json => print(&render_json(&loaded.diagnostics, &loaded.sources))?,
        DiagnosticFormat::Github => {
            let mut text = github::render(&problems);
            if !loaded.has_errors() {
                text.push_str(&valid);
            }
            print(&text)?;
        }
        DiagnosticFormat::Text => {
            let mut text = render_text(&loaded.diagnostics, &loaded.sources, output.stderr);
            if let Some(summary) = summary(&loaded.diagnostics, output.stderr) {
                text.push_str(&summary);
                text.push('\n');
            }
            eprint(&text)?;
            if !loaded.has_errors() {
                print(&valid)?;
            }
        }
    }
    step_summary::append(settings.step_summary.as_deref(), output, |room| {
        job_summary::validate(&problems, loaded.tasks.len(), loaded.files(), room)
    });
    Ok(if loaded.has_errors() {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}
