//! Group commit: one task writes the state file, many requests wait for it.
//!
//! Rewriting an account of 10,000 tasks for every create, one create after
//! another, would make the file the bottleneck. Instead a mutating request
//! changes the store in memory, marks it dirty and waits; the writer takes
//! one snapshot holding every change made so far, writes it (temp file,
//! fsync, rename), and then releases every request whose change that
//! snapshot covered. Eight creates in flight cost one write, not eight, and
//! no request is answered before its change is on disk.

use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, watch};
use tokio::task::JoinHandle;

use crate::chain;

use super::error::EmulatorError;
use super::service_error::ServiceError;
use super::state_file::StateFile;
use super::store::Store;

/// How far the state file has caught up with the store.
#[derive(Debug, Clone, Default)]
struct Flushed {
    /// Every version up to this one is on disk.
    durable: u64,
    /// The last write that failed: the version it tried, and why.
    failed: Option<(u64, String)>,
}

/// The handle on the writer task.
#[derive(Debug)]
pub(crate) struct Writer {
    dirty: Arc<Notify>,
    flushed: watch::Receiver<Flushed>,
    stop: watch::Sender<bool>,
    task: Mutex<Option<JoinHandle<Result<(), EmulatorError>>>>,
}

impl Writer {
    /// Starts the writer; `durable` is the version already on disk.
    pub(crate) fn spawn(store: Arc<Store>, file: StateFile, durable: u64) -> Writer {
        let dirty = Arc::new(Notify::new());
        let (flushed_tx, flushed) = watch::channel(Flushed {
            durable,
            failed: None,
        });
        let (stop, stop_rx) = watch::channel(false);
        let task = tokio::spawn(run(
            store,
            file,
            durable,
            dirty.clone(),
            flushed_tx,
            stop_rx,
        ));
        Writer {
            dirty,
            flushed,
            stop,
            task: Mutex::new(Some(task)),
        }
    }

    /// Tells the writer the store has changed.
    pub(crate) fn mark_dirty(&self) {
        // A stored permit: a change made during a write triggers the next.
        self.dirty.notify_one();
    }

    /// Waits until `version` is on disk, or the write covering it failed.
    pub(crate) async fn wait_durable(&self, version: u64) -> Result<(), ServiceError> {
        let mut flushed = self.flushed.clone();
        let settled = flushed
            .wait_for(|f| {
                f.durable >= version
                    || f.failed
                        .as_ref()
                        .is_some_and(|(tried, _)| *tried >= version)
            })
            .await;
        match settled {
            Ok(f) if f.durable >= version => Ok(()),
            Ok(f) => Err(ServiceError::StateNotWritten {
                reason: f
                    .failed
                    .as_ref()
                    .map(|(_, why)| why.clone())
                    .unwrap_or_default(),
            }),
            Err(_) => Err(ServiceError::StateNotWritten {
                reason: "the writer has stopped".to_owned(),
            }),
        }
    }

    /// Writes whatever is not on disk yet, then stops the writer.
    pub(crate) async fn finish(&self) -> Result<(), EmulatorError> {
        let _ = self.stop.send(true);
        let task = self
            .task
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        match task {
            Some(task) => task.await.map_err(|_| EmulatorError::WriterGone)?,
            None => Ok(()),
        }
    }
}

async fn run(
    store: Arc<Store>,
    file: StateFile,
    mut written: u64,
    dirty: Arc<Notify>,
    flushed: watch::Sender<Flushed>,
    mut stop: watch::Receiver<bool>,
) -> Result<(), EmulatorError> {
    loop {
        let stopping = tokio::select! {
            () = dirty.notified() => false,
            _ = stop.changed() => true,
        };
        if store.version() > written {
            let snapshot = store.snapshot();
            let version = snapshot.version;
            let file = file.clone();
            let result = tokio::task::spawn_blocking(move || file.write(&snapshot))
                .await
                .map_err(|_| EmulatorError::WriterGone)
                .and_then(|written| written);
            match result {
                Ok(()) => {
                    written = version;
                    flushed.send_modify(|f| f.durable = version);
                }
                Err(err) => {
                    // On one line: it becomes a reply's message.
                    let reason = chain::one_line(&err);
                    flushed.send_modify(|f| f.failed = Some((version, reason)));
                    if stopping {
                        return Err(err);
                    }
                }
            }
        }
        if stopping {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::emulator::call::Call;
    use crate::emulator::task::{NewTask, TaskId};

    #[tokio::test]
    async fn waiters_are_released_once_their_version_is_on_disk() {
        let dir = tempfile::tempdir().unwrap();
        let file = StateFile::new(dir.path().join("s.json"));
        let store = Arc::new(Store::new(TaskId::FIRST, vec![]).unwrap());
        let writer = Writer::spawn(store.clone(), file.clone(), 0);
        let mut versions = Vec::new();
        for i in 0..5 {
            let (result, version) =
                store.execute(Call::Create(NewTask::example(format!("t{i}"))), 0);
            result.unwrap();
            writer.mark_dirty();
            versions.push(version);
        }
        for version in versions {
            writer.wait_durable(version).await.unwrap();
        }
        assert_eq!(file.load().unwrap().unwrap().tasks.len(), 5);
        writer.finish().await.unwrap();
    }

    #[tokio::test]
    async fn a_failed_write_fails_its_waiters() {
        let dir = tempfile::tempdir().unwrap();
        // A path under a file cannot be written.
        std::fs::write(dir.path().join("f"), "").unwrap();
        let file = StateFile::new(dir.path().join("f").join("s.json"));
        let store = Arc::new(Store::new(TaskId::FIRST, vec![]).unwrap());
        let writer = Writer::spawn(store.clone(), file, 0);
        let (_, version) = store.execute(Call::Create(NewTask::example("t")), 0);
        writer.mark_dirty();
        let err = writer.wait_durable(version).await.unwrap_err();
        assert_eq!(err.code(), "InternalError");
        assert!(
            err.to_string().contains("cannot write the state file"),
            "{err}"
        );
        assert!(writer.finish().await.is_err());
    }
}
