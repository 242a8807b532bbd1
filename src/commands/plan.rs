//! `aicall plan`: what `apply` would change, made against the account.
//!
//! The plan goes to stdout in the chosen format; diagnostics, warnings and
//! notes go to stderr. Invalid manifests stop everything before any API
//! call.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::account::{self, ReadEvent, ReadOptions};
use crate::cli::PlanFormat;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::manifest;
use crate::plan::build::{self, Inputs, PlanError};
use crate::plan::desired::desired_task;
use crate::plan::model::{DesiredTask, Plan};
use crate::plan::saved::SavedPlan;
use crate::render::diagnostics::{render_text, summary};
use crate::render::progress::{self, Reading};
use crate::render::style::Paint;
use crate::render::text::TextOptions;
use crate::render::{json, markdown, plan_errors, text};
use crate::settings::{self, Connection, Listing, Manifests, Output};

use super::session::Session;
use super::{eprint, print};

/// Runs `aicall plan`.
pub fn run(settings: &settings::Plan, output: &Output) -> Result<ExitStatus, Error> {
    let Some(desired) = load_desired(&settings.manifests, output)? else {
        return Ok(ExitStatus::Failure);
    };
    let made = super::runtime()?.block_on(async {
        let session = Session::open(&settings.connection).await?;
        let made = make_plan(
            &session,
            &desired,
            &settings.connection,
            settings.listing.show_unmanaged,
            output,
        )
        .await;
        session.close().await?;
        made
    })?;
    let plan = match made {
        Ok(plan) => plan,
        Err(errors) => {
            eprint(&plan_errors::render(&errors, output.stderr))?;
            return Ok(ExitStatus::Failure);
        }
    };

    if let Some(out) = &settings.out {
        let saved = SavedPlan::new(plan.clone(), &desired, settings.manifests.recorded());
        write_plan_file(out, &saved)?;
    }
    print(&match settings.format {
        PlanFormat::Text => text::render_plan(&plan, text_options(settings.listing), output.stdout),
        PlanFormat::Json => json::render_plan(&plan),
        PlanFormat::Markdown => markdown::render_plan(&plan),
    })?;
    if let Some(out) = &settings.out {
        eprint(&format!(
            "{}\n",
            output.stderr.paint(
                Paint::Dim,
                &format!(
                    "Saved the plan to {}; apply exactly it with `aicall apply --plan {}`.",
                    out.display(),
                    out.display()
                )
            )
        ))?;
    }

    Ok(
        match (settings.detailed_exitcode, plan.summary.has_changes()) {
            (true, true) => ExitStatus::ChangesPresent,
            _ => ExitStatus::Success,
        },
    )
}

/// The text rendering's options for `listing`.
pub(crate) fn text_options(listing: Listing) -> TextOptions {
    TextOptions {
        verbose: listing.verbose,
        show_unmanaged: listing.show_unmanaged,
    }
}

/// Loads and validates `manifests`, printing every diagnostic (warnings
/// included) to stderr. `None` when any is an error: nothing may then
/// reach the API.
pub(crate) fn load_desired(
    manifests: &Manifests,
    output: &Output,
) -> Result<Option<Vec<DesiredTask>>, Error> {
    let loaded = manifest::load(&manifests.paths, &|name| std::env::var(name).ok())?;
    if !loaded.diagnostics.is_empty() {
        let mut text = render_text(&loaded.diagnostics, &loaded.sources, output.stderr);
        if loaded.has_errors()
            && let Some(summary) = summary(&loaded.diagnostics, output.stderr)
        {
            text.push_str(&summary);
            text.push('\n');
        }
        eprint(&text)?;
    }
    if loaded.has_errors() {
        return Ok(None);
    }
    Ok(Some(loaded.tasks.iter().map(desired_task).collect()))
}

/// Reads the account through `session` and builds the plan, showing how
/// far reading has come on a terminal.
pub(crate) async fn make_plan(
    session: &Session,
    desired: &[DesiredTask],
    connection: &Connection,
    show_unmanaged: bool,
    output: &Output,
) -> Result<Result<Plan, Vec<PlanError>>, Error> {
    let names: Vec<&str> = desired.iter().map(|t| t.name.as_str()).collect();
    let display = ReadingDisplay::new(output);
    let state = account::read_reporting(
        &session.client,
        &names,
        ReadOptions {
            page_size: connection.page_size,
            parallelism: connection.read_parallelism,
            list_unmanaged: show_unmanaged,
        },
        &|event| display.on(event),
    )
    .await;
    display.finish();
    let state = state?;
    Ok(build::build(Inputs {
        desired,
        observed: &state.observed,
        unmanaged_count: state.unmanaged_count,
        unmanaged: if show_unmanaged {
            state.unmanaged
        } else {
            None
        },
        target: session.target.clone(),
        now: jiff::Timestamp::now(),
    }))
}

/// What reading the account shows: a spinner line on a terminal (stderr),
/// nothing extra without one; the page-size note either way, once.
struct ReadingDisplay {
    bar: Option<ProgressBar>,
    style: crate::render::style::Style,
    noted: AtomicBool,
}

impl ReadingDisplay {
    fn new(output: &Output) -> ReadingDisplay {
        let bar = output.stderr_is_terminal.then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(progress::READING_TEMPLATE) {
                bar.set_style(style);
            }
            bar
        });
        ReadingDisplay {
            bar,
            style: output.stderr,
            noted: AtomicBool::new(false),
        }
    }

    fn on(&self, event: ReadEvent) {
        match event {
            ReadEvent::Progress(now) => {
                if let Some(bar) = &self.bar {
                    bar.set_message(progress::reading(&Reading {
                        pages: (now.pages_read, now.pages_expected),
                        lookups: (now.lookups_done, now.lookups),
                        details: (now.details_read, now.details_found),
                    }));
                }
            }
            ReadEvent::PageSizeReduced { asked, used } => {
                if self.noted.swap(true, Ordering::Relaxed) {
                    return;
                }
                let note = progress::page_size_reduced(asked, used, self.style);
                match &self.bar {
                    Some(bar) => bar.suspend(|| {
                        let _ = eprint(&note);
                    }),
                    None => {
                        let _ = eprint(&note);
                    }
                }
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Writes a saved plan atomically: a reader never sees half a plan. The
/// temporary file sits beside the target (same file system, so the rename
/// is atomic) and is removed if anything fails.
fn write_plan_file(path: &Path, saved: &SavedPlan) -> Result<(), Error> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".to_owned());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temporary, saved.to_json())
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(source) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(Error::PlanFile {
            action: "write",
            path: path.to_path_buf(),
            source,
        });
    }
    Ok(())
}
