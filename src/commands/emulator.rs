//! `aicall emulator`.

use crate::cli::EmulatorArgs;
use crate::error::Error;
use crate::exit::ExitStatus;

use super::Global;

/// Runs `aicall emulator`.
pub fn run(_args: &EmulatorArgs, _global: &Global) -> Result<ExitStatus, Error> {
    Err(Error::Usage(
        "`aicall emulator` is not built yet".to_owned(),
    ))
}
