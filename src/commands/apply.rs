//! `aicall apply`.

use crate::cli::ApplyArgs;
use crate::error::Error;
use crate::exit::ExitStatus;

use super::Global;

/// Runs `aicall apply`.
pub fn run(_args: &ApplyArgs, _global: &Global) -> Result<ExitStatus, Error> {
    Err(Error::Usage("`aicall apply` is not built yet".to_owned()))
}
