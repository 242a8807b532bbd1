//! The manifest's JSON Schema, generated from the types below.
//!
//! These types exist only to describe the manifest language to editors
//! (yaml-language-server offers completion and hover documentation from
//! it): aicall never deserializes into them — `validate` reads the YAML
//! tree itself, to report every problem with its position. Their doc
//! comments are the schema's descriptions; keep them in step with
//! `docs/manifest.md` and `validate/`. Their property names must be the
//! keys of the field table (`field.rs`), which a test below checks.
//! `aicall schema` prints the result, and a test fails when
//! `schemas/aicall-manifest.schema.json` differs from it.
//!
//! The schema describes values as written. A `${VAR}` where a number, a
//! day or a time of day is expected is fine for `aicall validate` (it
//! substitutes first) but not for the schema.

#![allow(dead_code)]

use schemars::{JsonSchema, Schema};

use crate::manifest::model::{DeclaredStatus, Retry, RetryReason, TaskSpec, Weekday};

/// `HH:MM` or `HH:MM:SS`, 24-hour clock, two digits each.
const TIME_PATTERN: &str = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$";

/// RFC 3339 with an explicit offset (`Z` or `±HH:MM`).
const DATETIME_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?([Zz]|[+-][0-9]{2}:[0-9]{2})$";

/// An aicall manifest: declarative Alibaba Cloud AI call tasks.
///
/// A file may hold several documents separated by `---`; each is checked
/// on its own, and task names must be unique across all of them. Values
/// may use `${VAR}` and `${VAR:-default}` from the environment (`$${` for
/// a literal `${`).
#[derive(JsonSchema)]
#[schemars(title = "aicall manifest", deny_unknown_fields)]
pub struct ManifestDocument {
    /// The schema of this file, for editors. Ignored by aicall.
    #[schemars(rename = "$schema", transform = not_null)]
    pub schema: Option<String>,
    /// Version of the manifest language. Always `1`.
    #[schemars(extend("const" = 1))]
    pub version: u8,
    /// Task fields shared by every task of this document. A task's own
    /// value replaces the default as a whole (a task's `retry` is not
    /// merged with the default `retry`).
    pub defaults: Option<TaskFields>,
    /// The tasks. At least one.
    #[schemars(length(min = 1))]
    pub tasks: Vec<Task>,
}

/// One AI call task (CreateAiCallTask). Fields not set here come from
/// `defaults`; after that, `agentId`, `virtualNumber`, `start`, `callDays`
/// and `callWindows` must be set.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct Task {
    /// The task's name (TaskName): its identity in the account, compared
    /// exactly, unique across all manifests. Tasks cannot be deleted, so a
    /// name is used for good. At most 128 characters: the name travels in
    /// the URL of every request that creates or looks up the task.
    #[schemars(length(min = 1, max = TaskSpec::MAX_NAME_CHARS))]
    pub name: String,
    /// Names the task had before (UpdateAiCallTask can change TaskName):
    /// one name or a list. When no account task has `name` but one has an
    /// old name, that task is renamed in place instead of a second
    /// campaign being created (like Terraform's `moved`). Not the task's
    /// own name, not another task's, and each old name claimed by one task
    /// only.
    #[schemars(rename = "renamedFrom", transform = not_null)]
    pub renamed_from: Option<OneOrMany>,
    /// The other fields.
    #[schemars(flatten)]
    pub fields: TaskFields,
}

/// One old name, or a non-empty list of them.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub enum OneOrMany {
    /// One old name.
    One(#[schemars(length(min = 1))] String),
    /// Several old names, no repeats.
    Many(#[schemars(length(min = 1), extend("uniqueItems" = true))] Vec<String>),
}

/// Every task field except `name`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct TaskFields {
    /// Code of the published agent that makes the calls (AgentId). A quoted
    /// string: unquoted digits would be read as a number. Cannot change
    /// after creation.
    #[schemars(rename = "agentId", length(min = 1), transform = not_null)]
    pub agent_id: Option<String>,
    /// The number calls come from (VirtualNumber). A quoted string: YAML
    /// would drop the leading zero of unquoted digits.
    #[schemars(rename = "virtualNumber", length(min = 1), transform = not_null)]
    pub virtual_number: Option<String>,
    /// When the task starts: `immediate` (StartType=IMMEDIATE), or
    /// `{ at: <RFC 3339 with offset> }` (StartType=SCHEDULE, TaskStartTime).
    #[schemars(transform = not_null)]
    pub start: Option<StartField>,
    /// Calls in flight at once (TaskCps), 1 to 500. Unset or `null`: not
    /// managed by aicall (not sent, not compared).
    #[schemars(range(min = *TaskSpec::CONCURRENCY.start(), max = *TaskSpec::CONCURRENCY.end()))]
    pub concurrency: Option<u32>,
    /// Days on which calls are made (CallDay). At least one, no repeats.
    #[schemars(rename = "callDays", length(min = 1), extend("uniqueItems" = true), transform = not_null)]
    pub call_days: Option<Vec<Weekday>>,
    /// Times of day during which calls are made (CallTime). At least one;
    /// each starts before it ends; they must not overlap.
    #[schemars(rename = "callWindows", length(min = 1), transform = not_null)]
    pub call_windows: Option<Vec<WindowField>>,
    /// Redial numbers that were not reached (MissCallRetry=true). Unset or
    /// `null`: no redial.
    pub retry: Option<RetryField>,
    /// The status aicall keeps the task in: `running` (started when stopped
    /// or failed; a task waiting for its scheduled start is never started
    /// early) or `stopped` (stopped when running or waiting). Unset or
    /// `null`: not managed, so a task stopped in the console stays stopped.
    pub status: Option<DeclaredStatus>,
}

/// When a task starts.
#[derive(JsonSchema)]
#[schemars(untagged)]
pub enum StartField {
    /// Start as soon as the task is created.
    Immediate(ImmediateWord),
    /// Start at a fixed instant.
    At(AtField),
}

/// The word `immediate`.
#[derive(JsonSchema)]
pub enum ImmediateWord {
    /// Start as soon as the task is created (StartType=IMMEDIATE).
    #[schemars(rename = "immediate")]
    Immediate,
}

/// A scheduled start.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct AtField {
    /// The instant (TaskStartTime, in milliseconds), as RFC 3339 with an
    /// explicit offset, e.g. `2030-01-07T09:00:00+08:00`. A time without
    /// an offset is refused: CI machines run in UTC and would shift it.
    #[schemars(regex(pattern = DATETIME_PATTERN))]
    pub at: String,
}

/// A time window of a day (one element of CallTime).
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct WindowField {
    /// First time of the window, `HH:MM` or `HH:MM:SS`.
    #[schemars(regex(pattern = TIME_PATTERN))]
    pub start: String,
    /// End of the window, `HH:MM` or `HH:MM:SS`, after `start` (a window
    /// cannot cross midnight).
    #[schemars(regex(pattern = TIME_PATTERN))]
    pub end: String,
}

/// A redial policy.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
pub struct RetryField {
    /// Call outcomes that trigger a redial (CallRetryReason). At least one,
    /// no repeats.
    #[schemars(length(min = 1), extend("uniqueItems" = true))]
    pub reasons: Vec<RetryReason>,
    /// Redials per number (CallRetryTimes), 1 to 3.
    #[schemars(range(min = *Retry::TIMES.start(), max = *Retry::TIMES.end()))]
    pub times: u8,
    /// Minutes between redials (CallRetryInterval), 1 to 720. Above 120 is
    /// valid on creation but refused by UpdateAiCallTask: aicall warns.
    #[schemars(
        rename = "intervalMinutes",
        range(min = *Retry::INTERVAL_MINUTES.start(), max = *Retry::INTERVAL_MINUTES.end())
    )]
    pub interval_minutes: u16,
}

/// Makes an optional field non-nullable: absent is fine, `null` is not.
fn not_null(schema: &mut Schema) {
    let Some(object) = schema.as_object_mut() else {
        return;
    };
    if let Some(serde_json::Value::Array(types)) = object.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            object.insert("type".to_owned(), only);
        }
    }
    if let Some(serde_json::Value::Array(options)) = object.get_mut("anyOf") {
        options.retain(|option| option.get("type").is_none_or(|t| t != "null"));
        if options.len() == 1 {
            let only = options.remove(0);
            object.remove("anyOf");
            if let serde_json::Value::Object(only) = only {
                for (key, value) in only {
                    object.entry(key).or_insert(value);
                }
            }
        }
    }
}

/// The manifest schema as a JSON value (draft 07, which every editor
/// integration understands).
pub fn manifest_schema() -> serde_json::Value {
    let mut settings = schemars::generate::SchemaSettings::draft07();
    // `uint8` and friends are schemars' own formats, unknown to editors.
    settings
        .transforms
        .push(Box::new(schemars::transform::RecursiveTransform(
            |schema: &mut Schema| {
                schema.remove("format");
            },
        )));
    let generator = settings.into_generator();
    generator
        .into_root_schema_for::<ManifestDocument>()
        .to_value()
}

/// The manifest schema as the text of `schemas/aicall-manifest.schema.json`.
pub fn manifest_schema_text() -> String {
    let mut text = serde_json::to_string_pretty(&manifest_schema()).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::field::Field;

    /// The property names of one definition of the schema, sorted.
    fn properties(definition: &str) -> Vec<String> {
        let schema = manifest_schema();
        let properties = schema["definitions"][definition]["properties"]
            .as_object()
            .unwrap_or_else(|| panic!("no properties in definition {definition}"));
        let mut names: Vec<String> = properties.keys().cloned().collect();
        names.sort();
        names
    }

    fn sorted(names: impl IntoIterator<Item = &'static str>) -> Vec<String> {
        let mut names: Vec<String> = names.into_iter().map(str::to_owned).collect();
        names.sort();
        names
    }

    /// The schema's types spell the keys again (as serde renames): they
    /// must be exactly the field table's, or editors would offer keys that
    /// `validate` rejects.
    #[test]
    fn the_schema_names_exactly_the_fields_of_the_table() {
        assert_eq!(
            properties("Task"),
            sorted(Field::TASK.iter().map(|field| field.key()))
        );
        assert_eq!(
            properties("TaskFields"),
            sorted(Field::DEFAULTS.iter().map(|field| field.key()))
        );
        assert_eq!(
            properties("RetryField"),
            sorted(Field::leaves(Field::RETRY))
        );
    }
}
