//! `aicall plan`.

use crate::cli::PlanArgs;
use crate::error::Error;
use crate::exit::ExitStatus;

use super::Global;

/// Runs `aicall plan`.
pub fn run(_args: &PlanArgs, _global: &Global) -> Result<ExitStatus, Error> {
    Err(Error::Usage("`aicall plan` is not built yet".to_owned()))
}
