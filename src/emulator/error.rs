//! Why the emulator could not start, seed or stop cleanly.
//!
//! Refusals of a request are not here: they are replies
//! ([`ServiceError`](super::ServiceError)).

use std::io;
use std::net::SocketAddr;
use std::path::PathBuf;

use super::store::Inconsistency;

/// A failure of the emulator itself.
#[derive(Debug, thiserror::Error)]
pub enum EmulatorError {
    /// The listening socket could not be opened.
    #[error("cannot listen on {addr}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// The state file exists but cannot be read.
    #[error("cannot read the state file {}", path.display())]
    StateRead {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// The state file is not valid JSON of the expected shape. It is left
    /// as it is: never silently replaced.
    #[error("the state file {} is corrupt; fix or move it away (it is never overwritten)", path.display())]
    StateCorrupt {
        /// The file.
        path: PathBuf,
        /// The parse error, with line and column.
        #[source]
        source: serde_json::Error,
    },

    /// The state file was written by a newer emulator.
    #[error("the state file {} has format_version {found}; this emulator reads version {supported}", path.display())]
    StateFormat {
        /// The file.
        path: PathBuf,
        /// The version in the file.
        found: u64,
        /// The version this build reads.
        supported: u64,
    },

    /// The state file parses but cannot be an account.
    #[error("the state file {} is inconsistent", path.display())]
    StateInconsistent {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        #[source]
        source: Inconsistency,
    },

    /// The state file could not be written.
    #[error("cannot write the state file {}", path.display())]
    StateWrite {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// [`Emulator::seed`](super::Emulator::seed) was given a name that
    /// exists or repeats.
    #[error("cannot seed: a task named `{name}` already exists")]
    SeedNameTaken {
        /// The name.
        name: String,
    },

    /// The task that writes the state file stopped unexpectedly.
    #[error("the state file writer stopped unexpectedly")]
    WriterGone,
}
