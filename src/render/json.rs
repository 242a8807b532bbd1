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

#[cfg(test)]
mod tests {
    use super::*;

    /// The committed schema is what `aicall schema plan` prints; regenerate
    /// it with `cargo run -- schema plan > schemas/aicall-plan.schema.json`.
    #[test]
    fn committed_plan_schema_is_up_to_date() {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/schemas/aicall-plan.schema.json"
        );
        let committed = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            committed == plan_schema(),
            "{path} is out of date: run `cargo run -- schema plan > schemas/aicall-plan.schema.json`"
        );
    }

    #[test]
    fn a_rendered_plan_validates_against_the_schema() {
        let schema: serde_json::Value =
            serde_json::from_str(&plan_schema()).expect("schema is JSON");
        let plan: serde_json::Value =
            serde_json::from_str(&render_plan(&crate::testing::sample_plan()))
                .expect("plan is JSON");
        let validator = jsonschema::validator_for(&schema).expect("schema compiles");
        let errors: Vec<String> = validator
            .iter_errors(&plan)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{errors:#?}");
    }
}
