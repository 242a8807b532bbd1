//! The plan as plain data: what exists, what the manifests want, and the
//! difference. No I/O and no formatting happens here; the JSON rendering is
//! this type serialised, so its shape is a public, versioned format
//! (`schemas/aicall-plan.schema.json`).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// Version of the JSON plan format. A minor bump adds fields; a major bump
/// breaks them. Readers must ignore keys they do not know.
pub const FORMAT_VERSION: &str = "1.0";

/// One task's configuration in manifest words, normalised so that equal
/// configurations compare equal: days in Monday→Sunday order, windows sorted
/// by start and written `HH:MM:SS`, retry reasons in the API's order, and
/// "retry off" as `None` whatever leftovers the account reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskConfig {
    /// The published voice agent (AgentId).
    pub agent_id: Option<String>,
    /// The outbound number (VirtualNumber; CallerNumber in a detail).
    pub virtual_number: Option<String>,
    /// When the task starts (StartType, TaskStartTime).
    pub start: Option<StartConfig>,
    /// Concurrency (TaskCps; ConcurrentCount in a detail).
    pub concurrency: Option<u32>,
    /// Days calls are made on (CallDay), `MONDAY`…`SUNDAY`.
    pub call_days: Option<Vec<String>>,
    /// Windows calls are made in (CallTime), sorted by start.
    pub call_windows: Option<Vec<WindowConfig>>,
    /// Redial policy (MissCallRetry, CallRetryReason, CallRetryTimes,
    /// CallRetryInterval); `off` means no redial.
    pub retry: Option<Retry>,
}

/// When a task starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum StartConfig {
    /// Start at once (StartType=IMMEDIATE).
    Immediate,
    /// Start at a set time (StartType=SCHEDULE, TaskStartTime).
    #[serde(rename_all = "camelCase")]
    Scheduled {
        /// The start time, RFC 3339, in the offset the manifest used (UTC
        /// for the account's side).
        at: String,
        /// The same instant in milliseconds since the Unix epoch, as sent.
        at_ms: i64,
    },
}

/// A call window, both ends `HH:MM:SS`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
pub struct WindowConfig {
    /// Start of the window, `HH:MM:SS`.
    pub start: String,
    /// End of the window, `HH:MM:SS`.
    pub end: String,
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
        /// Reasons that trigger a redial (CallRetryReason), in the API's order.
        reasons: Vec<String>,
        /// Redials at most (CallRetryTimes).
        times: u32,
        /// Minutes between redials (CallRetryInterval).
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
    /// The task's status (`INIT`, `RUNNING`, `STOPPED`, `FAILED`), when known.
    pub status: Option<String>,
    /// The configuration the account reports; `None` fields were not
    /// reported and are not compared.
    pub config: TaskConfig,
}

/// What the plan does with one manifest task.
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

/// One differing field of a drifted task: the account's value, then the
/// manifest's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FieldChange {
    /// The manifest's name for the field, e.g. `callDays`.
    pub field: String,
    /// The value in the account.
    pub account: FieldValue,
    /// The value the manifest asks for.
    pub manifest: FieldValue,
}

/// A field's value, shaped for diffing and display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", content = "value", rename_all = "camelCase")]
pub enum FieldValue {
    /// The field is not set.
    Absent,
    /// A single value.
    Text(String),
    /// A list of values, in canonical order.
    List(Vec<String>),
}

/// One manifest task and what the plan does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskEntry {
    /// The task's name.
    pub name: String,
    /// Create, drift or unchanged.
    pub action: Action,
    /// Where the task is declared.
    pub source: Source,
    /// The existing task's ID (drift and unchanged).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The existing task's status (drift and unchanged), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// What the manifest asks for: for a create, every field that is sent.
    pub desired: TaskConfig,
    /// The fields that differ, account → manifest (drift only).
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub changes: Vec<FieldChange>,
    /// Fields the account did not report, so they could not be compared.
    #[serde(skip_serializing_if = "Vec::is_empty", default)]
    pub unverified: Vec<String>,
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
    pub status: Option<String>,
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
    /// The AccessKey ID, masked (`LTAI****abcd`): enough to recognise, not
    /// to use.
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
    /// Version of this format, currently `1.0`. A minor bump adds fields, a
    /// major bump breaks them; ignore keys you do not know.
    pub format_version: String,
    /// When the plan was made, RFC 3339 UTC.
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
    /// The entries `apply` would act on.
    pub fn creates(&self) -> impl Iterator<Item = &TaskEntry> {
        self.tasks.iter().filter(|t| t.action == Action::Create)
    }
}

#[cfg(test)]
pub(crate) mod fixtures {
    use super::{Retry, StartConfig, TaskConfig, WindowConfig};

    /// 2030-12-01T09:00:00+08:00 in milliseconds.
    pub(crate) fn start_ms() -> i64 {
        "2030-12-01T01:00:00Z"
            .parse::<jiff::Timestamp>()
            .expect("timestamp")
            .as_millisecond()
    }

    /// A fully set configuration: scheduled start, two windows, retry on.
    pub(crate) fn config() -> TaskConfig {
        TaskConfig {
            agent_id: Some("118012345678901234".to_owned()),
            virtual_number: Some("0327121220001".to_owned()),
            start: Some(StartConfig::Scheduled {
                at: "2030-12-01T09:00:00+08:00".to_owned(),
                at_ms: start_ms(),
            }),
            concurrency: Some(50),
            call_days: Some(vec!["MONDAY".to_owned(), "FRIDAY".to_owned()]),
            call_windows: Some(vec![
                WindowConfig {
                    start: "09:00:00".to_owned(),
                    end: "12:00:00".to_owned(),
                },
                WindowConfig {
                    start: "14:00:00".to_owned(),
                    end: "18:00:00".to_owned(),
                },
            ]),
            retry: Some(Retry::On {
                reasons: vec!["USER_BUSY".to_owned(), "NO_ANSWER".to_owned()],
                times: 2,
                interval_minutes: 30,
            }),
        }
    }
}
