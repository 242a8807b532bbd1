//! The state file: the whole account as JSON, replaced atomically.
//!
//! Format (`docs/emulator.md`): one object with `format_version`,
//! `next_task_id` and `tasks`, each task on its own line so the file diffs
//! and greps well. IDs are strings (they exceed 2^53, `aiccs-api.md` §1.5).
//!
//! A write goes to a temporary file in the same directory, is flushed and
//! fsynced, then renamed over the old file, and the directory is fsynced:
//! a crash leaves either the old file or the new one, never a mix, and no
//! temporary file survives a successful write.

use std::fs::{self, File};
use std::io::{self, BufWriter, Write as _};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::error::EmulatorError;
use super::store::Snapshot;
use super::task::{StoredTask, TaskId};

/// The format this build reads and writes.
pub const FORMAT_VERSION: u64 = 1;

#[derive(Debug, Deserialize)]
struct Header {
    format_version: u64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Contents {
    #[allow(dead_code)]
    format_version: u64,
    next_task_id: TaskId,
    tasks: Vec<StoredTask>,
}

#[derive(Serialize)]
struct HeaderOut {
    format_version: u64,
    next_task_id: TaskId,
}

/// The account as read back from disk.
#[derive(Debug)]
pub(crate) struct Loaded {
    pub next_id: TaskId,
    pub tasks: Vec<StoredTask>,
}

/// Where the account is kept between runs.
#[derive(Debug, Clone)]
pub(crate) struct StateFile {
    path: PathBuf,
}

impl StateFile {
    pub(crate) fn new(path: PathBuf) -> StateFile {
        StateFile { path }
    }

    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the account; `None` when the file does not exist yet.
    pub(crate) fn load(&self) -> Result<Option<Loaded>, EmulatorError> {
        let bytes = match fs::read(&self.path) {
            Ok(bytes) => bytes,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(source) => {
                return Err(EmulatorError::StateRead {
                    path: self.path.clone(),
                    source,
                });
            }
        };
        let corrupt = |source| EmulatorError::StateCorrupt {
            path: self.path.clone(),
            source,
        };
        let header: Header = serde_json::from_slice(&bytes).map_err(corrupt)?;
        if header.format_version != FORMAT_VERSION {
            return Err(EmulatorError::StateFormat {
                path: self.path.clone(),
                found: header.format_version,
                supported: FORMAT_VERSION,
            });
        }
        let contents: Contents = serde_json::from_slice(&bytes).map_err(corrupt)?;
        Ok(Some(Loaded {
            next_id: contents.next_task_id,
            tasks: contents.tasks,
        }))
    }

    /// Replaces the file with `snapshot`, atomically and durably.
    pub(crate) fn write(&self, snapshot: &Snapshot) -> Result<(), EmulatorError> {
        self.write_io(snapshot)
            .map_err(|source| EmulatorError::StateWrite {
                path: self.path.clone(),
                source,
            })
    }

    fn write_io(&self, snapshot: &Snapshot) -> io::Result<()> {
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let file_name = self
            .path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        // Removed on drop if anything below fails.
        let temp = tempfile::Builder::new()
            .prefix(&format!(".{file_name}."))
            .suffix(".tmp")
            .tempfile_in(dir)?;
        {
            let mut out = BufWriter::with_capacity(1 << 16, temp.as_file());
            write_json(&mut out, snapshot)?;
            out.flush()?;
        }
        temp.as_file().sync_all()?;
        temp.persist(&self.path).map_err(|err| err.error)?;
        // The rename itself must reach the disk too.
        File::open(dir)?.sync_all()
    }
}

fn write_json(out: &mut impl io::Write, snapshot: &Snapshot) -> io::Result<()> {
    let header = serde_json::to_string(&HeaderOut {
        format_version: FORMAT_VERSION,
        next_task_id: snapshot.next_id,
    })?;
    // `{"format_version":1,"next_task_id":"…"` then the tasks, one per line.
    out.write_all(header.trim_end_matches('}').as_bytes())?;
    out.write_all(b",\"tasks\":[")?;
    for (i, task) in snapshot.tasks.iter().enumerate() {
        out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
        serde_json::to_writer(&mut *out, task)?;
    }
    out.write_all(b"\n]}\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::task::{NewTask, TaskStatus};

    fn snapshot(n: u64) -> Snapshot {
        let tasks = (0..n)
            .map(|i| StoredTask {
                id: TaskId(TaskId::FIRST.0 + i),
                agent_id: "1180123456789012345".into(),
                application_code: None,
                config: NewTask::example(format!("任务 {i}")).config,
                status: TaskStatus::Running,
                create_time: 1,
                real_start_time: Some(1),
            })
            .collect();
        Snapshot {
            version: n,
            next_id: TaskId(TaskId::FIRST.0 + n),
            tasks,
        }
    }

    #[test]
    fn round_trips_and_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("state.json"));
        assert!(file.load().unwrap().is_none());
        for n in [0, 3] {
            file.write(&snapshot(n)).unwrap();
            let loaded = file.load().unwrap().unwrap();
            assert_eq!(loaded.tasks, snapshot(n).tasks);
            assert_eq!(loaded.next_id, snapshot(n).next_id);
        }
        let entries: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(entries, ["state.json"]);
    }

    #[test]
    fn one_task_per_line_and_ids_as_strings() {
        let mut out = Vec::new();
        write_json(&mut out, &snapshot(2)).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with(
            "{\"format_version\":1,\"next_task_id\":\"118700000000000003\",\"tasks\":[\n{\"id\":\"118700000000000001\""
        ));
        assert_eq!(text.lines().count(), 4);
        serde_json::from_str::<serde_json::Value>(&text).unwrap();
    }

    /// The example in `docs/emulator.md` is a state file this build reads.
    #[test]
    fn the_documented_example_loads() {
        let docs = include_str!("../../docs/emulator.md");
        let section = &docs[docs.find("## State file").unwrap()..];
        let start = section.find("```json\n").unwrap() + "```json\n".len();
        let example = &section[start..start + section[start..].find("```").unwrap()];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        fs::write(&path, example).unwrap();
        let loaded = StateFile::new(path).load().unwrap().unwrap();
        assert_eq!(loaded.tasks.len(), 2);
        assert_eq!(loaded.tasks[1].status, TaskStatus::Init);
        crate::emulator::store::Store::new(loaded.next_id, loaded.tasks).unwrap();
    }

    #[test]
    fn corrupt_or_future_files_are_refused_and_kept() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let file = StateFile::new(path.clone());
        fs::write(&path, "{\"format_version\":1,\"tasks\":[").unwrap();
        let err = file.load().unwrap_err();
        assert!(matches!(err, EmulatorError::StateCorrupt { .. }), "{err:?}");
        assert!(err.to_string().contains("state.json"));
        fs::write(&path, "{\"format_version\":2}").unwrap();
        assert!(matches!(
            file.load().unwrap_err(),
            EmulatorError::StateFormat { found: 2, .. }
        ));
        assert_eq!(fs::read_to_string(&path).unwrap(), "{\"format_version\":2}");
    }
}
