//! `aicall validate`.

use crate::cli::ValidateArgs;
use crate::error::Error;
use crate::exit::ExitStatus;

use super::Global;

/// Runs `aicall validate`.
pub fn run(_args: &ValidateArgs, _global: &Global) -> Result<ExitStatus, Error> {
    Err(Error::Usage(
        "`aicall validate` is not built yet".to_owned(),
    ))
}
