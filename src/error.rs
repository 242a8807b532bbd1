//! The error a command hands back when it cannot finish, and the one place
//! where an error becomes an exit status.
//!
//! Each layer has its own error enum holding facts, not sentences; this one
//! gathers them whole, so the renderer (`crate::render::error`) can show
//! the message, one `Caused by:` line per cause and a hint, and
//! [`Error::exit_status`] can tell a wrong command line (exit 2) from a
//! failure (exit 1) by what the error is, not by how it was worded.

use std::io;
use std::path::PathBuf;

use crate::api::{ApiError, CredentialsError, EndpointError};
use crate::exit::ExitStatus;
use crate::manifest::ManifestError;

/// Why a command could not finish.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The manifest paths name nothing that can be read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),

    /// `plan --out` with manifests from stdin: the saved plan could never
    /// be checked against them.
    #[error(
        "`--out` needs manifest files: a plan made from stdin cannot be checked for staleness when applied"
    )]
    OutWithStdin,

    /// `plan --out` with a manifest path outside the working directory: a
    /// saved plan records its paths relative to it, and `apply --plan`
    /// follows no other.
    #[error(
        "`--out` needs manifests inside the working directory, and `{}` is not", path.display()
    )]
    OutsideWorkingDirectory {
        /// The path as given.
        path: PathBuf,
    },

    /// A `--target` pattern is not a glob, or matches no manifest task.
    #[error(transparent)]
    Target(#[from] crate::plan::target::TargetError),

    /// `apply --format json` without `--auto-approve`: stdout is for JSON
    /// lines only, so there is no prompt to answer.
    #[error("`apply --format json` needs `--auto-approve`: it never asks for confirmation")]
    JsonNeedsAutoApprove,

    /// The working directory cannot be read.
    #[error("cannot read the working directory")]
    WorkingDirectory(#[source] io::Error),

    /// The emulator's secret variable is set but unusable.
    #[error("{variable} is set but empty or not UTF-8; unset it to use the demo pair")]
    EmulatorSecret {
        /// The variable.
        variable: &'static str,
    },

    /// `--access-key-id` was given empty.
    #[error("`--access-key-id` must not be empty")]
    EmptyAccessKeyId,

    /// The endpoint is refused by the endpoint policy.
    #[error(transparent)]
    Endpoint(#[from] EndpointError),

    /// Writing results to stdout or stderr failed (a closed pipe included).
    #[error("cannot write output")]
    Output(#[source] io::Error),

    /// Reading the answer to the confirmation prompt failed.
    #[error("cannot read the answer from the terminal")]
    Prompt(#[source] io::Error),

    /// The async runtime or a signal handler could not start.
    #[error("cannot start the async runtime")]
    Runtime(#[source] io::Error),

    /// The embedded emulator's state directory cannot be made.
    #[error("cannot create the directory `{}` for the local state", path.display())]
    LocalState {
        /// The directory.
        path: PathBuf,
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
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// A saved plan's content is not a usable plan.
    #[error("`{}` cannot be applied", path.display())]
    PlanFormat {
        /// The file.
        path: PathBuf,
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

    /// `export --name` with a pattern that is not a glob.
    #[error("`--name {pattern}` is not a valid pattern")]
    NamePattern {
        /// The pattern as given.
        pattern: String,
        /// Why.
        #[source]
        source: globset::Error,
    },

    /// `export --utc-offset` that is not `Z` or `±HH:MM`.
    #[error("`--utc-offset {given}` is not `Z` or `+HH:MM`/`-HH:MM`, e.g. `+08:00`")]
    UtcOffset {
        /// The offset as given.
        given: String,
    },

    /// `export --out` names a file that exists, without `--force`.
    #[error("`{}` exists; `--force` overwrites it", path.display())]
    OutExists {
        /// The file.
        path: PathBuf,
    },

    /// `export --out` names one of the manifests `--unmanaged` reads:
    /// export never edits a manifest in place.
    #[error("`{}` is one of the manifests `--unmanaged` reads; export never edits a manifest in place", path.display())]
    OutIsManifest {
        /// The file.
        path: PathBuf,
    },

    /// The exported manifests cannot be written.
    #[error("cannot write the manifests to `{}`", path.display())]
    ExportFile {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// Read back, the exported manifests would not plan these tasks as
    /// unchanged: a bug in aicall, so nothing is written.
    #[error(
        "the exported manifests would not plan {} as unchanged; nothing was written (please report this)",
        crate::diag::backticked(names)
    )]
    ExportRoundTrip {
        /// The tasks.
        names: Vec<String>,
    },
}

impl From<ApiError> for Error {
    fn from(err: ApiError) -> Error {
        Error::Api(Box::new(err))
    }
}

impl Error {
    /// How a command that failed with this error ends: the command line
    /// asked for something impossible (2), or something failed (1).
    pub fn exit_status(&self) -> ExitStatus {
        match self {
            Error::Manifest(_)
            | Error::OutWithStdin
            | Error::OutsideWorkingDirectory { .. }
            | Error::Target(_)
            | Error::JsonNeedsAutoApprove
            | Error::EmulatorSecret { .. }
            | Error::EmptyAccessKeyId
            | Error::Endpoint(_)
            | Error::NamePattern { .. }
            | Error::UtcOffset { .. }
            | Error::OutExists { .. }
            | Error::OutIsManifest { .. } => ExitStatus::Usage,
            Error::Output(_) if self.is_broken_pipe() => ExitStatus::Success,
            Error::Output(_)
            | Error::Prompt(_)
            | Error::WorkingDirectory(_)
            | Error::Runtime(_)
            | Error::LocalState { .. }
            | Error::PlanFile { .. }
            | Error::PlanFormat { .. }
            | Error::Emulator(_)
            | Error::Api(_)
            | Error::Credentials(_)
            | Error::ExportFile { .. }
            | Error::ExportRoundTrip { .. } => ExitStatus::Failure,
        }
    }

    /// Whether this is a closed pipe (`aicall plan | head`), which ends
    /// quietly (ripgrep's convention).
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

    /// The API error inside, if this is one.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(err) => Some(err),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_wrong_command_line_is_a_usage_error_and_a_failure_is_not() {
        let endpoint = Error::Endpoint(EndpointError {
            endpoint: "ftp://x".to_owned(),
            reason: "the scheme `ftp` is not http or https".to_owned(),
        });
        assert_eq!(endpoint.exit_status(), ExitStatus::Usage);
        let missing = Error::Manifest(ManifestError::NotFound {
            path: "nowhere.yaml".into(),
        });
        assert_eq!(missing.exit_status(), ExitStatus::Usage);
        assert_eq!(Error::OutWithStdin.exit_status(), ExitStatus::Usage);
        let io = || io::Error::other("x");
        assert_eq!(Error::Runtime(io()).exit_status(), ExitStatus::Failure);
        let pipe = Error::Output(io::Error::from(io::ErrorKind::BrokenPipe));
        assert!(pipe.is_broken_pipe());
        assert_eq!(pipe.exit_status(), ExitStatus::Success);
    }
}
