//! `aicall plan`: what `apply` would change, made against the account.
//!
//! The plan goes to stdout in the chosen format; diagnostics, warnings and
//! notes go to stderr. Invalid manifests stop everything before any API
//! call.

use std::path::Path;

use crate::account::{self, ReadOptions};
use crate::cli::PlanFormat;
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::manifest;
use crate::plan::build::{self, Inputs, PlanError};
use crate::plan::check::path_is_contained;
use crate::plan::desired::desired_task;
use crate::plan::model::{DesiredTask, Plan};
use crate::plan::saved::SavedPlan;
use crate::render::diagnostics::{render_text, summary};
use crate::render::style::Paint;
use crate::render::text::TextOptions;
use crate::render::{json, markdown, plan_errors, text};
use crate::settings::{self, Connection, Listing, Manifests, Output};

use super::session::Session;
use super::{eprint, print};

/// Runs `aicall plan`.
pub fn run(settings: &settings::Plan, output: &Output) -> Result<ExitStatus, Error> {
    let recorded = match &settings.out {
        Some(_) => recorded_paths(&settings.manifests)?,
        None => Vec::new(),
    };
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
            settings.allow_restart,
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
            eprint(&plan_errors::render(&errors, output.stderr))?;
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

/// Reads the account through `session` and builds the plan.
pub(crate) async fn make_plan(
    session: &Session,
    desired: &[DesiredTask],
    connection: &Connection,
    show_unmanaged: bool,
    allow_restart: bool,
) -> Result<Result<Plan, Vec<PlanError>>, Error> {
    // A task's old names too: it may still carry one, to be renamed.
    let mut names: Vec<&str> = desired
        .iter()
        .flat_map(|t| std::iter::once(&t.name).chain(&t.renamed_from))
        .map(String::as_str)
        .collect();
    names.sort_unstable();
    names.dedup();
    let state = account::read(
        &session.client,
        &names,
        ReadOptions {
            page_size: connection.page_size,
            parallelism: connection.read_parallelism,
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
        allow_restart,
    }))
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
