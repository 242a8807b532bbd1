//! Exit statuses: one enum, so no command returns a bare number.

use std::process::ExitCode;

/// How a command ended, as the shell sees it.
///
/// - `validate`: 0 valid, 1 invalid, 2 usage error;
/// - `plan --detailed-exitcode`: 0 no changes, 2 changes present, 1 error
///   (Terraform's convention);
/// - `apply`: 0 converged, 1 if any action failed, 130 when interrupted
///   twice (the shell's convention for SIGINT).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything went as asked (exit 0).
    Success,
    /// The input was wrong or an action failed (exit 1).
    Failure,
    /// The command line was wrong (exit 2).
    Usage,
    /// `plan --detailed-exitcode` found changes to make (exit 2).
    ChangesPresent,
    /// The user interrupted twice and the run abandoned what was in
    /// flight (exit 130, 128 + SIGINT).
    Interrupted,
}

impl ExitStatus {
    /// The numeric exit code.
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage | ExitStatus::ChangesPresent => 2,
            ExitStatus::Interrupted => 130,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(status.code())
    }
}
