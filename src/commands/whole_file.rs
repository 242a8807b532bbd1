//! Writing a file whole or not at all, for the files `plan --out` and
//! `export --out` leave behind: a reader (a CI job picking up the plan, a
//! reviewer opening the export) never sees half of one.
//!
//! Written by hand rather than with `tempfile::NamedTempFile::persist`:
//! that creates the file with mode 0600, and these files are meant to be
//! read like any other the user writes (mode from the umask).

use std::io::Write as _;
use std::path::Path;

/// Whether an existing file at the target is replaced.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Existing {
    Replace,
    /// Fails with `ErrorKind::AlreadyExists`, even when the file appears
    /// while this one is being written: the move is a hard link.
    Keep,
}

/// Writes `bytes` to `path` through a temporary file beside it (same file
/// system, so the move is atomic), which is removed whatever happens.
pub(super) fn write(path: &Path, bytes: &[u8], existing: Existing) -> std::io::Result<()> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "aicall".to_owned());
    let temporary = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = std::fs::File::create(&temporary)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| match existing {
            Existing::Replace => std::fs::rename(&temporary, path),
            Existing::Keep => std::fs::hard_link(&temporary, path),
        });
    let _ = std::fs::remove_file(&temporary);
    result
}
