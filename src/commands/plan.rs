//! `aicall plan`: what `apply` would change, made against the account.
//!
//! The plan goes to stdout in the chosen format; diagnostics, warnings and
//! notes go to stderr, except with `--format github`, where they are
//! workflow commands on stdout (GitHub annotations), and with `--format
//! markdown`, where a plan that cannot be made still gives a comment saying
//! why. Invalid manifests stop everything before any API call. With
//! `GITHUB_STEP_SUMMARY` set, the plan (or why there is none) is appended
//! to the job summary.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::ProgressBar;

use crate::account::{self, ReadEvent, ReadOptions};
use crate::cli::PlanFormat;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::manifest::{self, Loaded};
use crate::plan::build::{self, Inputs, PlanError};
use crate::plan::check::path_is_contained;
use crate::plan::desired::desired_task;
use crate::plan::model::{DesiredTask, Plan};
use crate::plan::saved::SavedPlan;
use crate::plan::target::Targets;
use crate::render::diagnostics::{render_text, summary};
use crate::render::github::{self, Annotation};
use crate::render::markdown::Frame;
use crate::render::progress::{self, Reading};
use crate::render::style::{Paint, Style};
use crate::render::text::TextOptions;
use crate::render::{json, markdown, plan_errors, summary as job_summary, text};
use crate::settings::{self, Connection, Listing, Manifests, Output};

use super::session::Session;
use super::whole_file::{self, Existing};
use super::{eprint, print, step_summary};

/// Runs `aicall plan`.
pub fn run(settings: &settings::Plan, output: &Output) -> Result<ExitStatus, Error> {
    let recorded = match &settings.out {
        Some(_) => recorded_paths(&settings.manifests)?,
        None => Vec::new(),
    };
    let shown_paths = settings.manifests.recorded();
    let comment = |errors: &[Annotation]| {
        markdown::render_no_plan(
            errors,
            Frame {
                marker: Some(&shown_paths),
                limit: markdown::COMMENT,
                elsewhere: "see the job log",
            },
        )
    };
    let loaded = load_manifests(&settings.manifests)?;
    let problems = github::diagnostics(&loaded.diagnostics, &loaded.sources);
    match settings.format {
        // Warnings are annotations too; the closing count comes with the
        // plan's own annotations, below, when there is a plan.
        PlanFormat::Github if loaded.has_errors() => print(&github::render(&problems))?,
        PlanFormat::Github => {}
        _ => report_diagnostics(&loaded, output)?,
    }
    if loaded.has_errors() {
        if settings.format == PlanFormat::Markdown {
            print(&comment(&problems))?;
        }
        step_summary::append(settings.step_summary.as_deref(), output, |room| {
            job_summary::no_plan(&problems, room)
        });
        return Ok(ExitStatus::Failure);
    }
    let desired = settings
        .targets
        .select(loaded.tasks.iter().map(desired_task).collect())?;
    let made = super::runtime()?.block_on(async {
        let session = Session::open(&settings.connection).await?;
        let made = make_plan(
            &session,
            &desired,
            &settings.connection,
            settings.listing.show_unmanaged,
            settings.allow_restart,
            &settings.targets,
            output,
        )
        .await;
        // The seal's key: only these credentials can apply the saved plan.
        let key = session.seal_key.clone();
        session.close().await?;
        made.map(|made| (made, key))
    })?;
    let (plan, key) = match made {
        (Ok(plan), key) => (plan, key),
        (Err(errors), _) => {
            let annotations = github::plan_errors(&errors);
            match settings.format {
                PlanFormat::Github => {
                    let mut all = problems;
                    all.extend(annotations.iter().cloned());
                    print(&github::render(&all))?;
                }
                PlanFormat::Markdown => {
                    print(&comment(&annotations))?;
                    eprint(&plan_errors::render(&errors, output.stderr))?;
                }
                PlanFormat::Text | PlanFormat::Json => {
                    eprint(&plan_errors::render(&errors, output.stderr))?;
                }
            }
            step_summary::append(settings.step_summary.as_deref(), output, |room| {
                job_summary::no_plan(&annotations, room)
            });
            return Ok(ExitStatus::Failure);
        }
    };

    if let Some(out) = &settings.out {
        let saved = SavedPlan::new(plan.clone(), &desired, recorded, &key);
        write_plan_file(out, &saved)?;
    }
    print(&match settings.format {
        PlanFormat::Text => text::render_plan(&plan, text_options(settings.listing), output.stdout),
        PlanFormat::Json => json::render_plan(&plan),
        PlanFormat::Markdown => markdown::render_plan(&plan, &shown_paths),
        PlanFormat::Github => {
            let mut annotations = problems;
            annotations.extend(github::blocked(&plan));
            let mut out = github::render(&annotations);
            out.push_str(&text::render_plan(
                &plan,
                text_options(settings.listing),
                Style::plain(),
            ));
            out
        }
    })?;
    step_summary::append(settings.step_summary.as_deref(), output, |room| {
        job_summary::plan(&plan, room)
    });
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

/// The manifest paths as a saved plan records them: relative to the
/// working directory, which they must not leave (`apply --plan` follows
/// nothing else).
fn recorded_paths(manifests: &Manifests) -> Result<Vec<String>, Error> {
    let cwd = std::env::current_dir().map_err(Error::WorkingDirectory)?;
    let mut out = Vec::new();
    for (path, given) in manifests.recorded().into_iter().zip(
        manifests
            .paths
            .iter()
            .cloned()
            .chain(std::iter::repeat(".".into())),
    ) {
        let relative = match Path::new(&path).strip_prefix(&cwd) {
            Ok(inside) if inside.as_os_str().is_empty() => ".".to_owned(),
            Ok(inside) => inside.display().to_string(),
            Err(_) => path.clone(),
        };
        if !path_is_contained(&relative) {
            return Err(Error::OutsideWorkingDirectory { path: given });
        }
        out.push(relative);
    }
    Ok(out)
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
    let loaded = load_manifests(manifests)?;
    report_diagnostics(&loaded, output)?;
    if loaded.has_errors() {
        return Ok(None);
    }
    Ok(Some(loaded.tasks.iter().map(desired_task).collect()))
}

/// Loads and validates `manifests`, `${VAR}` from the environment.
pub(super) fn load_manifests(manifests: &Manifests) -> Result<Loaded, Error> {
    Ok(manifest::load(&manifests.paths, &|name| {
        std::env::var(name).ok()
    })?)
}

/// Prints every diagnostic of `loaded` to stderr, and the closing count
/// when any is an error.
fn report_diagnostics(loaded: &Loaded, output: &Output) -> Result<(), Error> {
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
    Ok(())
}

/// Reads the account through `session` and builds the plan, showing how
/// far reading has come on a terminal.
pub(crate) async fn make_plan(
    session: &Session,
    desired: &[DesiredTask],
    connection: &Connection,
    show_unmanaged: bool,
    allow_restart: bool,
    targets: &Targets,
    output: &Output,
) -> Result<Result<Plan, Vec<PlanError>>, Error> {
    // A task's old names too: it may still carry one, to be renamed.
    let mut names: Vec<&str> = desired
        .iter()
        .flat_map(|t| std::iter::once(&t.name).chain(&t.renamed_from))
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names.dedup();
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
        unmanaged: state.unmanaged,
        target: session.target.clone(),
        now: jiff::Timestamp::now(),
        allow_restart,
        targets: targets.patterns().to_vec(),
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
        let bar = output
            .stderr_is_terminal
            .then(|| super::stderr_bar(None, progress::READING_TEMPLATE));
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
                super::beside_bar(self.bar.as_ref(), || {
                    let _ = eprint(&note);
                });
            }
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Writes a saved plan whole or not at all.
fn write_plan_file(path: &Path, saved: &SavedPlan) -> Result<(), Error> {
    whole_file::write(path, saved.to_json().as_bytes(), Existing::Replace).map_err(|source| {
        Error::PlanFile {
            action: "write",
            path: path.to_path_buf(),
            source,
        }
    })
}
