//! `aicall schema`: print a JSON Schema on stdout.

use crate::cli::{SchemaArgs, SchemaKind};
use crate::error::Error;
use crate::exit::ExitStatus;
use crate::manifest::schema::manifest_schema_text;
use crate::settings::Output;

/// Runs `aicall schema`.
pub fn run(args: &SchemaArgs, _output: &Output) -> Result<ExitStatus, Error> {
    let text = match args.kind {
        SchemaKind::Manifest => manifest_schema_text(),
        SchemaKind::Plan => crate::render::json::plan_schema(),
        SchemaKind::Apply => crate::render::apply_json::apply_schema(),
    };
    super::print(&text)?;
    Ok(ExitStatus::Success)
}
