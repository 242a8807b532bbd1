//! `aicall schema`: print a JSON Schema on stdout.

use std::io::Write as _;

use crate::cli::{SchemaArgs, SchemaKind};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::manifest::schema::manifest_schema_text;

use super::Global;

/// Runs `aicall schema`.
pub fn run(args: &SchemaArgs, _global: &Global) -> Result<ExitStatus, Error> {
    let text = match args.kind {
        SchemaKind::Manifest => manifest_schema_text(),
        SchemaKind::Plan => crate::render::json::plan_schema(),
    };
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes()).map_err(Error::Output)?;
    stdout.flush().map_err(Error::Output)?;
    Ok(ExitStatus::Success)
}
