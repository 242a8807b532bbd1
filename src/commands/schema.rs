//! `aicall schema`.

use crate::cli::SchemaArgs;
use crate::error::Error;
use crate::exit::ExitStatus;

use super::Global;

/// Runs `aicall schema`.
pub fn run(_args: &SchemaArgs, _global: &Global) -> Result<ExitStatus, Error> {
    Err(Error::Usage("`aicall schema` is not built yet".to_owned()))
}
