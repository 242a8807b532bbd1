//! `aicall export`: manifests for the tasks the account already holds.
//!
//! The account is read (every page, then each selected task's detail),
//! each task adopted (`crate::plan::adopt`), the manifests written
//! (`crate::manifest::write`), then read back with the manifest reader and
//! proven to plan as "no changes" before a byte leaves: what is written is
//! what was checked. The manifests go to stdout or `--out FILE`, which is
//! written whole or not at all and never replaces a manifest.

use std::collections::HashSet;
use std::path::Path;

use crate::account::{self, ReadOptions};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::manifest::{self, write};
use crate::plan::adopt::{self, AdoptOptions};
use crate::plan::model::ObservedTask;
use crate::render;
use crate::settings::{self, Output};

use super::plan::load_desired;
use super::session::Session;
use super::whole_file::{self, Existing};
use super::{eprint, print};

/// Runs `aicall export`.
pub fn run(settings: &settings::Export, output: &Output) -> Result<ExitStatus, Error> {
    if let Some(out) = &settings.out
        && !settings.force
        && out.exists()
    {
        return Err(Error::OutExists { path: out.clone() });
    }
    // With `--unmanaged`, the names the manifests already claim.
    let mut managed: HashSet<String> = HashSet::new();
    if let Some(manifests) = &settings.unmanaged {
        let Some(desired) = load_desired(manifests, output)? else {
            return Ok(ExitStatus::Failure);
        };
        if let Some(out) = &settings.out {
            refuse_manifest(out, desired.iter().map(|t| Path::new(&t.source.file)))?;
        }
        for task in desired {
            managed.extend(task.renamed_from);
            managed.insert(task.name);
        }
    }

    let tasks = super::runtime()?.block_on(async {
        let session = Session::open(&settings.connection).await?;
        let select =
            |name: &str, status| !managed.contains(name) && settings.selection.keeps(name, status);
        let read = account::read_every(
            &session.client,
            &select,
            ReadOptions {
                page_size: settings.connection.page_size,
                parallelism: settings.connection.read_parallelism,
                list_unmanaged: true,
            },
        )
        .await;
        session.close().await?;
        Ok::<_, Error>(read?)
    })?;

    let adopted = adopt::adopt(
        &tasks,
        AdoptOptions {
            with_status: settings.with_status,
            offset: settings.offset,
        },
    );
    let written = write::write(&adopted, &settings.schema);
    let declared: Vec<&ObservedTask> = tasks
        .iter()
        .zip(&adopted)
        .filter(|(_, task)| task.declared())
        .map(|(task, _)| &task.observed)
        .collect();
    if !declared.is_empty() {
        check(&written.text, &declared)?;
        match &settings.out {
            Some(path) => write_file(path, &written.text, settings.force)?,
            None => print(&written.text)?,
        }
    }
    eprint(&render::export::report(
        &adopted,
        &written,
        settings.out.as_deref(),
        output.stderr,
    ))?;
    Ok(ExitStatus::Success)
}

/// Reads `text` back as the manifest reader would and proves each of
/// `declared` plans as "no changes".
fn check(text: &str, declared: &[&ObservedTask]) -> Result<(), Error> {
    let loaded = manifest::load_texts(vec![("export.yaml".into(), text.to_owned())], &|_| None);
    let mut names = adopt::unchanged(&loaded.tasks, declared, jiff::Timestamp::now());
    if loaded.has_errors() && names.is_empty() {
        names = declared.iter().map(|t| t.name.clone()).collect();
    }
    if names.is_empty() {
        Ok(())
    } else {
        Err(Error::ExportRoundTrip { names })
    }
}

/// Refuses `out` when it is one of `manifests`: export never edits one.
fn refuse_manifest<'a>(out: &Path, manifests: impl Iterator<Item = &'a Path>) -> Result<(), Error> {
    let Ok(target) = std::fs::canonicalize(out) else {
        // It does not exist yet, so it is no manifest.
        return Ok(());
    };
    for manifest in manifests {
        if std::fs::canonicalize(manifest).is_ok_and(|m| m == target) {
            return Err(Error::OutIsManifest {
                path: out.to_path_buf(),
            });
        }
    }
    Ok(())
}

/// Writes `text` to `path` whole or not at all; without `force` nothing
/// is ever overwritten, not even a file that appeared meanwhile.
fn write_file(path: &Path, text: &str, force: bool) -> Result<(), Error> {
    let existing = if force {
        Existing::Replace
    } else {
        Existing::Keep
    };
    whole_file::write(path, text.as_bytes(), existing).map_err(|err| {
        if err.kind() == std::io::ErrorKind::AlreadyExists {
            Error::OutExists {
                path: path.to_path_buf(),
            }
        } else {
            Error::ExportFile {
                path: path.to_path_buf(),
                source: err,
            }
        }
    })
}
