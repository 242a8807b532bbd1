//! The error a command hands back to `main` when it cannot finish.
//!
//! Each layer has its own error enum holding facts, not sentences; this one
//! gathers them so `main` renders every failure the same way: the message,
//! then one `Caused by:` line per cause.

use std::io;

use crate::api::{ApiError, CredentialsError, EndpointError};
use crate::manifest::ManifestError;

/// Why a command could not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The command line asked for something impossible (exit 2).
    #[error("{0}")]
    Usage(String),

    /// Writing results to stdout or stderr failed (a closed pipe included).
    #[error("cannot write output")]
    Output(#[source] io::Error),

    /// The async runtime could not start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] io::Error),

    /// The embedded emulator's state directory cannot be made.
    #[error("cannot create the directory `{}` for the local state", path.display())]
    LocalState {
        /// The directory.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// A saved plan cannot be read or written.
    #[error("cannot {action} the saved plan `{}`", path.display())]
    PlanFile {
        /// `read` or `write`.
        action: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// A saved plan's content is not a usable plan.
    #[error("`{}` cannot be applied", path.display())]
    PlanFormat {
        /// The file.
        path: std::path::PathBuf,
        /// Why.
        #[source]
        source: crate::plan::saved::SavedPlanError,
    },

    /// The emulator could not start or stop cleanly.
    #[error(transparent)]
    Emulator(#[from] crate::emulator::EmulatorError),

    /// An API call failed (boxed: `ApiError` holds many facts).
    #[error(transparent)]
    Api(#[from] Box<ApiError>),

    /// No usable credentials.
    #[error(transparent)]
    Credentials(#[from] CredentialsError),

    /// The endpoint is refused by the endpoint policy.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),
}

impl From<ApiError> for Error {
    fn from(err: ApiError) -> Error {
        Error::Api(Box::new(err))
    }
}

/// Manifest paths that name nothing to check are a usage error (exit 2):
/// the facts stay in [`ManifestError`], `main` only needs the sentence.
impl From<ManifestError> for Error {
    fn from(err: ManifestError) -> Error {
        let mut message = err.to_string();
        let mut source = std::error::Error::source(&err);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        Error::Usage(message)
    }
}

impl Error {
    /// Whether this is a closed pipe (`aicall plan | head`), which ends quietly.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Error::Output(err) if err.kind() == io::ErrorKind::BrokenPipe)
    }

    /// What the user can do about it, for a `hint:` line after the causes.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Api(err) => err.as_ref().hint(),
            Error::Credentials(err) => err.hint(),
            _ => None,
        }
    }
}
