//! The plan as plain, typed data: what exists, what the manifests want, and
//! what `apply` would do about the difference. No I/O and no formatting
//! happens here: the JSON rendering is this type serialised, so its shape
//! is a public, versioned format (`schemas/aicall-plan.schema.json`), and
//! every word a person reads is made in `crate::render` from these values.

use jiff::Timestamp;
use jiff::tz::Offset;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::instant::Instant;
use crate::manifest::field::Field;
use crate::manifest::model::{RetryReason, Weekday, Window};

/// Version of the JSON plan format. A minor bump adds fields or step
/// kinds; a major bump breaks readers. Readers must ignore keys they do
/// not know. 2.0 replaced 1.x's display strings with typed values and gave
/// each task entry its ordered list of steps.
pub const FORMAT_VERSION: &str = "2.0";

/// A task's status in the account (QueryAiCallTaskPage's `Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    /// Created, not started yet (a scheduled task waits for its time).
    Init,
    /// Calling.
    Running,
    /// Stopped.
    Stopped,
    /// The start failed (the agent was offline, for instance).
    Failed,
    /// A status code this aicall does not know.
    Other(i64),
}

impl TaskStatus {
    /// The status word (`INIT`, `RUNNING`, `STOPPED`, `FAILED`), or `None`
    /// for a code aicall does not know.
    pub fn word(self) -> Option<&'static str> {
        match self {
            TaskStatus::Init => Some("INIT"),
            TaskStatus::Running => Some("RUNNING"),
            TaskStatus::Stopped => Some("STOPPED"),
            TaskStatus::Failed => Some("FAILED"),
            TaskStatus::Other(_) => None,
        }
    }
}

/// Serialised as its word, or as the bare code when aicall does not know it.
impl Serialize for TaskStatus {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match (self.word(), self) {
            (Some(word), _) => serializer.serialize_str(word),
            (None, TaskStatus::Other(code)) => serializer.serialize_i64(*code),
            (None, _) => Err(serde::ser::Error::custom("a known status has a word")),
        }
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<TaskStatus, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Wire {
            Word(String),
            Code(i64),
        }
        match Wire::deserialize(deserializer)? {
            Wire::Code(code) => Ok(TaskStatus::Other(code)),
            Wire::Word(word) => match word.as_str() {
                "INIT" => Ok(TaskStatus::Init),
                "RUNNING" => Ok(TaskStatus::Running),
                "STOPPED" => Ok(TaskStatus::Stopped),
                "FAILED" => Ok(TaskStatus::Failed),
                _ => Err(serde::de::Error::unknown_variant(
                    &word,
                    &["INIT", "RUNNING", "STOPPED", "FAILED"],
                )),
            },
        }
    }
}

impl JsonSchema for TaskStatus {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TaskStatus".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A task's status: `INIT` (not started yet), `RUNNING`, `STOPPED`, `FAILED` (the start failed), or the service's numeric code when aicall does not know it.",
            "oneOf": [
                { "type": "string", "enum": ["INIT", "RUNNING", "STOPPED", "FAILED"] },
                { "type": "integer" }
            ]
        })
    }
}

/// One task's configuration in manifest terms, normalised so that equal
/// configurations compare equal: days Monday first, windows sorted by
/// start, retry reasons in the API's order, and "retry off" as
/// [`Retry::Off`] whatever leftovers the account reports. A `None` field is
/// not managed (the manifest's side) or not reported (the account's side).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskConfig {
    /// The published voice agent.
    pub agent_id: Option<String>,
    /// The number calls come from.
    pub virtual_number: Option<String>,
    /// When the task starts.
    pub start: Option<Start>,
    /// Calls in flight at once.
    pub concurrency: Option<u32>,
    /// Days calls are made on, Monday first.
    pub call_days: Option<Vec<Weekday>>,
    /// Windows calls are made in, sorted by start.
    pub call_windows: Option<Vec<Window>>,
    /// The redial policy.
    pub retry: Option<Retry>,
}

/// When a task starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Start {
    /// As soon as it is created.
    Immediate,
    /// At a fixed instant.
    Scheduled(ScheduledStart),
}

/// A scheduled start: the instant that is sent, and the UTC offset it is
/// shown in (the manifest's own, so people read the clock they wrote).
///
/// In JSON it is `{"at": "<RFC 3339>", "atMs": <ms>}`: `at` is made from
/// `atMs` and the offset, and a plan whose `at` names another instant than
/// its `atMs` is refused when read, so what is shown is what is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(try_from = "ScheduledWire", into = "ScheduledWire")]
#[schemars(with = "ScheduledWire")]
pub struct ScheduledStart {
    /// Milliseconds since the Unix epoch (TaskStartTime).
    pub at_ms: i64,
    /// The offset from UTC it is shown in, in seconds.
    pub offset_seconds: i32,
}

impl ScheduledStart {
    /// The instant, when it is one jiff can represent.
    pub fn timestamp(self) -> Option<Timestamp> {
        Timestamp::from_millisecond(self.at_ms).ok()
    }

    /// The offset it is shown in.
    pub fn offset(self) -> Offset {
        Offset::from_seconds(self.offset_seconds).unwrap_or(Offset::UTC)
    }

    /// RFC 3339 in [`ScheduledStart::offset`], `Z` for UTC, seconds
    /// precision unless the instant has milliseconds.
    pub fn rfc3339(self) -> String {
        self.rfc3339_in(self.offset())
    }

    /// RFC 3339 in `offset`. Through [`Instant`], not jiff's `Timestamp`,
    /// whose range ends a day short of the API's (issue 7):
    /// `9999-12-31T23:59:59.999Z` must show as itself. Milliseconds no
    /// clock can show (beyond year 9999 in `offset`) are shown as they are.
    pub fn rfc3339_in(self, offset: Offset) -> String {
        match Instant::from_millisecond(self.at_ms, offset) {
            Some(at) => at.to_string(),
            None => self.at_ms.to_string(),
        }
    }
}

/// The JSON form of a [`ScheduledStart`].
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
struct ScheduledWire {
    /// The start as people read it: RFC 3339 in the manifest's offset. The
    /// same instant as `atMs`.
    at: String,
    /// The start as it is sent (TaskStartTime): milliseconds since the Unix
    /// epoch.
    at_ms: i64,
}

impl From<ScheduledStart> for ScheduledWire {
    fn from(start: ScheduledStart) -> ScheduledWire {
        ScheduledWire {
            at: start.rfc3339(),
            at_ms: start.at_ms,
        }
    }
}

impl TryFrom<ScheduledWire> for ScheduledStart {
    type Error = String;

    fn try_from(wire: ScheduledWire) -> Result<ScheduledStart, String> {
        let at = Instant::parse(&wire.at)
            .ok()
            .filter(Instant::is_whole_millisecond)
            .ok_or_else(|| format!("`at` is not an RFC 3339 date-time: `{}`", wire.at))?;
        if at.as_millisecond() != wire.at_ms {
            return Err(format!(
                "`at` ({}) and `atMs` ({}) are not the same instant: what is shown must be what is sent",
                wire.at, wire.at_ms
            ));
        }
        Ok(ScheduledStart {
            at_ms: wire.at_ms,
            offset_seconds: at.offset().seconds(),
        })
    }
}

/// A redial policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Retry {
    /// No redial (MissCallRetry=false).
    Off,
    /// Redial (MissCallRetry=true).
    #[serde(rename_all = "camelCase")]
    On {
        /// Outcomes that trigger a redial, in the API's order.
        reasons: Vec<RetryReason>,
        /// Redials at most.
        times: u32,
        /// Minutes between redials.
        interval_minutes: u32,
    },
}

/// Where a task is declared, for people to find it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Source {
    /// The manifest file, as given on the command line.
    pub file: String,
    /// 1-based line of the task's `name`.
    pub line: usize,
    /// 1-based column of the task's `name`.
    pub column: usize,
}

/// A task as the manifests declare it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DesiredTask {
    /// The task's name: its identity in the account.
    pub name: String,
    /// The configuration the manifests ask for; every field is `Some`
    /// except `concurrency` when the manifest leaves it to the service.
    pub config: TaskConfig,
    /// Where the task is declared.
    pub source: Source,
}

/// A task as the account reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ObservedTask {
    /// The task's ID: 18–19 digits, kept as text (above 2^53).
    pub task_id: String,
    /// The task's name, exactly.
    pub name: String,
    /// The task's status, when the listing reported it.
    pub status: Option<TaskStatus>,
    /// The configuration the account reports; `None` fields were not
    /// reported and are not compared.
    pub config: TaskConfig,
}

/// What the plan makes of one manifest task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// No task has this name: `apply` creates it.
    Create,
    /// A task has this name but differs: reported, not changed.
    Drift,
    /// A task has this name and matches.
    Unchanged,
}

/// One thing `apply` does to a task. An entry's steps run in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// CreateAiCallTask with every field of `desired`.
    Create,
}

/// One manifest task and what the plan does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskEntry {
    /// The task's name.
    pub name: String,
    /// Create, drift or unchanged.
    pub action: Action,
    /// What `apply` does, in order; empty when it does nothing.
    pub steps: Vec<Step>,
    /// Where the task is declared.
    pub source: Source,
    /// The existing task's ID (drift and unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The existing task's status, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// What the manifest asks for: for a create, every field that is sent.
    pub desired: TaskConfig,
    /// What the account holds, when it differs from `desired`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<TaskConfig>,
    /// The fields that differ between `account` and `desired`, in the
    /// manifest reference's order.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub changes: Vec<Field>,
    /// Managed fields the account did not report, so they could not be
    /// compared.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unverified: Vec<Field>,
}

/// An account task that no manifest names. Never touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct UnmanagedTask {
    /// The task's ID.
    pub task_id: String,
    /// The task's name.
    pub name: String,
    /// The task's status, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
}

/// Counts for the closing line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Tasks `apply` would create.
    pub create: usize,
    /// Tasks that exist but differ (reported, not applied).
    pub drifted: usize,
    /// Tasks that exist and match.
    pub unchanged: usize,
    /// Account tasks no manifest names.
    pub unmanaged: u64,
}

impl Summary {
    /// Whether `apply` has anything to do.
    pub fn has_changes(&self) -> bool {
        self.create > 0
    }
}

/// Where and against what the plan was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Target {
    /// The API endpoint, e.g. `https://aiccs.aliyuncs.com`.
    pub endpoint: String,
    /// The AccessKey ID, masked: enough to recognise, not to use.
    pub access_key: String,
    /// A fingerprint of the AccessKey ID, to tell accounts apart without
    /// storing the ID.
    pub account_fingerprint: String,
}

/// A complete plan: the output of `aicall plan --format json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
#[schemars(title = "aicall plan")]
pub struct Plan {
    /// Version of this format, currently `2.0`. A minor bump adds fields or
    /// step kinds, a major bump breaks readers; ignore keys you do not know.
    pub format_version: String,
    /// When the plan was made, RFC 3339 UTC, to the second.
    pub made_at: String,
    /// Where the plan was made against.
    pub target: Target,
    /// Digest of the desired tasks (names and configurations, after
    /// interpolation), so a saved plan can tell when manifests changed.
    pub manifest_digest: String,
    /// The counts.
    pub summary: Summary,
    /// Every manifest task, in manifest order.
    pub tasks: Vec<TaskEntry>,
    /// Unmanaged tasks, when listed (`--show-unmanaged`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmanaged: Option<Vec<UnmanagedTask>>,
}

impl Plan {
    /// The entries `apply` would create.
    pub fn creates(&self) -> impl Iterator<Item = &TaskEntry> {
        self.tasks
            .iter()
            .filter(|t| t.steps.contains(&Step::Create))
    }
}

/// A time as people are shown it: RFC 3339 UTC, to the (truncated) second.
pub fn shown_time(now: Timestamp) -> String {
    now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 7: the API's last millisecond is beyond jiff's `Timestamp`;
    /// it shows as itself and a saved plan carrying it reads back.
    #[test]
    fn the_edges_of_the_api_range_render_and_round_trip() {
        for (at_ms, offset_seconds, shown) in [
            (crate::instant::LAST_MS, 0, "9999-12-31T23:59:59.999Z"),
            (
                crate::instant::LAST_MS - 999 - 3_600_000,
                3600,
                "9999-12-31T23:59:59+01:00",
            ),
            (crate::instant::FIRST_MS, 0, "1970-01-01T00:00:00Z"),
        ] {
            let start = ScheduledStart {
                at_ms,
                offset_seconds,
            };
            assert_eq!(start.rfc3339(), shown);
            let json = serde_json::to_value(start).unwrap();
            assert_eq!(json["at"], shown);
            assert_eq!(
                serde_json::from_value::<ScheduledStart>(json).unwrap(),
                start
            );
        }
        // No clock east of UTC can show the last millisecond before 10000.
        let last = ScheduledStart {
            at_ms: crate::instant::LAST_MS,
            offset_seconds: 0,
        };
        assert_eq!(
            last.rfc3339_in(Offset::from_hours(1).unwrap()),
            crate::instant::LAST_MS.to_string()
        );
    }
}
