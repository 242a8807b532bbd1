//! Plans for programs: the [`Plan`] value serialised, versioned by its
//! `formatVersion` and described by `schemas/aicall-plan.schema.json`.

use crate::plan::model::Plan;

/// Renders `plan` as pretty-printed JSON with a trailing newline.
pub fn render_plan(plan: &Plan) -> String {
    // Serialising plain data with string keys cannot fail.
    let mut text = serde_json::to_string_pretty(plan).unwrap_or_default();
    text.push('\n');
    text
}

/// The JSON Schema of [`render_plan`]'s output.
pub fn plan_schema() -> String {
    let schema = schemars::schema_for!(Plan);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
