//! Appending to GitHub's job summary (`GITHUB_STEP_SUMMARY`, issue 11).
//! `crate::render::summary` makes the Markdown within the room it is
//! given; this module measures that room and appends.
//!
//! The file is appended to, never rewritten: that is GitHub's semantics,
//! and other steps' commands may have written to it before. It must stay
//! under 1 MiB, so what is appended is cut to fit what is left. A summary
//! that cannot be written is a warning, not a failure: the command's own
//! result is what a workflow branches on.

use std::io::Write as _;
use std::path::Path;

use crate::render::summary::{FILE_LIMIT, fit, not_written};
use crate::settings::Output;

use super::eprint;

/// Appends what `make` renders in the room it is given (bytes) to the
/// summary file at `path`, when there is one.
pub(crate) fn append(path: Option<&Path>, output: &Output, make: impl FnOnce(usize) -> String) {
    let Some(path) = path else {
        return;
    };
    let used =
        std::fs::metadata(path).map_or(0, |m| usize::try_from(m.len()).unwrap_or(usize::MAX));
    // One byte short of the limit: GitHub's check is "under 1 MiB".
    let room = (FILE_LIMIT - 1).saturating_sub(used);
    let Some(text) = fit(make(room), room) else {
        warn(path, "it is full (GitHub takes at most 1 MiB)", output);
        return;
    };
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .and_then(|mut file| file.write_all(text.as_bytes()));
    if let Err(err) = written {
        warn(path, &err.to_string(), output);
    }
}

fn warn(path: &Path, why: &str, output: &Output) {
    let _ = eprint(&not_written(path, why, output.stderr));
}
