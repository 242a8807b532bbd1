//! `aicall plan`: what `apply` would change, made against the account.
//!
//! The plan goes to stdout in the chosen format; diagnostics, warnings and
//! notes go to stderr. Invalid manifests stop everything before any API
//! call.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::account::{self, ReadOptions};
use crate::cli::{ConnectionArgs, PlanArgs, PlanFormat};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::manifest;
use crate::plan::build::{self, Inputs, PlanError};
use crate::plan::desired::desired_task;
use crate::plan::model::{DesiredTask, Plan};
use crate::plan::saved::SavedPlan;
use crate::render::diagnostics::{render_text, summary};
use crate::render::style::{Paint, Style};
use crate::render::text::{TextOptions, location};
use crate::render::{json, markdown, text};

use super::Global;
use super::session::Session;

/// Runs `aicall plan`.
pub fn run(args: &PlanArgs, global: &Global) -> Result<ExitStatus, Error> {
    if args.out.is_some() && args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Err(Error::Usage(
            "`--out` needs manifest files: a plan made from stdin cannot be checked for staleness when applied"
                .to_owned(),
        ));
    }
    let Some(desired) = load_desired(&args.paths, global)? else {
        return Ok(ExitStatus::Failure);
    };
    let made = super::runtime()?.block_on(async {
        let session = Session::open(&args.connection).await?;
        let made = make_plan(&session, &desired, &args.connection, args.show_unmanaged).await;
        session.close().await?;
        made
    })?;
    let plan = match made {
        Ok(plan) => plan,
        Err(errors) => {
            print_plan_errors(&errors, global.stderr)?;
            return Ok(ExitStatus::Failure);
        }
    };

    if let Some(out) = &args.out {
        let saved = SavedPlan::new(plan.clone(), &desired, path_strings(&args.paths));
        write_plan_file(out, &saved)?;
    }

    let rendered = match args.format {
        PlanFormat::Text => text::render_plan(
            &plan,
            TextOptions {
                verbose: args.verbose,
                show_unmanaged: args.show_unmanaged,
            },
            global.stdout,
        ),
        PlanFormat::Json => json::render_plan(&plan),
        PlanFormat::Markdown => markdown::render_plan(&plan),
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(rendered.as_bytes())
        .map_err(Error::Output)?;
    stdout.flush().map_err(Error::Output)?;
    if let Some(out) = &args.out {
        eprintln_note(
            global.stderr,
            &format!(
                "Saved the plan to {}; apply exactly it with `aicall apply --plan {}`.",
                out.display(),
                out.display()
            ),
        )?;
    }

    Ok(match (args.detailed_exitcode, plan.summary.has_changes()) {
        (true, true) => ExitStatus::ChangesPresent,
        _ => ExitStatus::Success,
    })
}

/// Loads and validates the manifests at `paths`, printing every
/// diagnostic (warnings included) to stderr. `None` when any is an error:
/// nothing may then reach the API.
pub(crate) fn load_desired(
    paths: &[PathBuf],
    global: &Global,
) -> Result<Option<Vec<DesiredTask>>, Error> {
    let loaded = manifest::load(paths, &|name| std::env::var(name).ok())?;
    if !loaded.diagnostics.is_empty() {
        let mut text = render_text(&loaded.diagnostics, &loaded.sources, global.stderr);
        if loaded.has_errors()
            && let Some(summary) = summary(&loaded.diagnostics, global.stderr)
        {
            text.push_str(&summary);
            text.push('\n');
        }
        std::io::stderr()
            .lock()
            .write_all(text.as_bytes())
            .map_err(Error::Output)?;
    }
    if loaded.has_errors() {
        return Ok(None);
    }
    Ok(Some(loaded.tasks.iter().map(desired_task).collect()))
}

/// Reads the account through `session` and builds the plan.
pub(crate) async fn make_plan(
    session: &Session,
    desired: &[DesiredTask],
    connection: &ConnectionArgs,
    show_unmanaged: bool,
) -> Result<Result<Plan, Vec<PlanError>>, Error> {
    let names: Vec<&str> = desired.iter().map(|t| t.name.as_str()).collect();
    let state = account::read(
        &session.client,
        &names,
        ReadOptions {
            page_size: connection.page_size,
            parallelism: connection.read_parallelism as usize,
            list_unmanaged: show_unmanaged,
        },
    )
    .await?;
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

/// Prints plan errors in the diagnostics' shape: header, location, help.
pub(crate) fn print_plan_errors(errors: &[PlanError], style: Style) -> Result<(), Error> {
    let mut out = String::new();
    for error in errors {
        let (code, place, help) = match error {
            PlanError::DuplicateName { .. } => (
                "duplicate-in-account",
                None,
                "rename all but one of them in the console; aicall cannot tell which one the manifest means",
            ),
            PlanError::StartInPast {
                location: place, ..
            } => (
                "start-in-past",
                Some(location(place)),
                "move `start.at` into the future, or use `start: immediate`",
            ),
        };
        let _ = writeln!(
            out,
            "{}: {error}",
            style.paint(Paint::Error, &format!("error[{code}]"))
        );
        if let Some(place) = place {
            let _ = writeln!(out, "  {} {place}", style.paint(Paint::Dim, "-->"));
        }
        let _ = writeln!(out, "  {} {help}\n", style.paint(Paint::Help, "= help:"));
    }
    let _ = writeln!(
        out,
        "{}: no plan: {} {} in the account or the manifests",
        style.paint(Paint::Error, "error"),
        errors.len(),
        if errors.len() == 1 {
            "problem"
        } else {
            "problems"
        }
    );
    std::io::stderr()
        .lock()
        .write_all(out.as_bytes())
        .map_err(Error::Output)
}

/// Writes a saved plan atomically: a reader never sees half a plan. The
/// temporary file sits beside the target (same file system, so the rename
/// is atomic) and is removed if anything fails.
fn write_plan_file(path: &Path, saved: &SavedPlan) -> Result<(), Error> {
    let failed = |source| Error::PlanFile {
        action: "write",
        path: path.to_path_buf(),
        source,
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "plan".to_owned());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let written = std::fs::write(&temporary, saved.to_json())
        .and_then(|()| std::fs::rename(&temporary, path));
    if let Err(err) = written {
        let _ = std::fs::remove_file(&temporary);
        return Err(failed(err));
    }
    Ok(())
}

/// The manifest paths as recorded in a saved plan (the default, the
/// current directory, recorded as `.`).
fn path_strings(paths: &[PathBuf]) -> Vec<String> {
    if paths.is_empty() {
        return vec![".".to_owned()];
    }
    paths.iter().map(|p| p.display().to_string()).collect()
}

/// A note for people on stderr.
pub(crate) fn eprintln_note(style: Style, text: &str) -> Result<(), Error> {
    writeln!(
        std::io::stderr().lock(),
        "{}",
        style.paint(Paint::Dim, text)
    )
    .map_err(Error::Output)
}
