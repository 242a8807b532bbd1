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
pub use crate::manifest::model::DeclaredStatus;
use crate::manifest::model::{RetryReason, Weekday, Window};

/// Version of the JSON plan format. A minor bump adds fields or step
/// kinds; a major bump breaks readers. Readers must ignore keys they do
/// not know. 2.0 replaced 1.x's display strings with typed values and gave
/// each task entry its ordered list of steps; 2.1 added `targets`.
pub const FORMAT_VERSION: &str = "2.1";

/// A task's status in the account (QueryAiCallTaskPage's `Status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
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
#[serde(rename_all = "camelCase")]
pub struct DesiredTask {
    /// The task's name: its identity in the account.
    pub name: String,
    /// The configuration the manifests ask for; every field is `Some`
    /// except `concurrency` when the manifest leaves it to the service.
    pub config: TaskConfig,
    /// The status to keep the task in; `None`: not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeclaredStatus>,
    /// Names the task had before, to rename it from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed_from: Vec<String>,
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

/// What the plan makes of one manifest task: the kind of its entry, which
/// the renderings show as a symbol and a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Action {
    /// No task has this name: `apply` creates it (and stops it, when it is
    /// declared stopped).
    Create,
    /// A task has this name but another configuration: `apply` updates it
    /// (and stops or starts it as declared).
    Update,
    /// As [`Action::Update`], but the task is running and the API updates
    /// only a task that is not: stop, update, start again.
    Restart,
    /// A task has one of the names the manifest lists in `renamedFrom`:
    /// `apply` renames it in place (with any other change of
    /// configuration).
    Rename,
    /// The configuration matches; the task runs but is declared stopped.
    Stop,
    /// The configuration matches; the task is stopped (or its start
    /// failed) but is declared running.
    Start,
    /// Something must change that `apply` may not or cannot do; nothing is
    /// sent. The entry's `blocked` says why and what would unblock it.
    Blocked,
    /// The task exists and matches.
    Unchanged,
}

/// One thing `apply` does to a task. An entry's steps run in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub enum Step {
    /// CreateAiCallTask with every field of `desired`.
    Create,
    /// UpdateAiCallTask: a full replacement with `desired` (the account's
    /// value for fields the manifest leaves unmanaged), and the manifest's
    /// name when it renames.
    Update,
    /// StopAiCallTask.
    Stop,
    /// StartAiCallTask.
    Start,
}

/// Why an entry is blocked: nothing is sent for it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "reason", rename_all = "camelCase")]
pub enum BlockReason {
    /// `agentId` differs: UpdateAiCallTask cannot change a task's agent.
    AgentChanged,
    /// The update would need `retry.intervalMinutes` above the 120
    /// UpdateAiCallTask accepts (CreateAiCallTask accepts 720).
    #[serde(rename_all = "camelCase")]
    RetryIntervalOverUpdateLimit {
        /// The interval the manifest asks for.
        minutes: u32,
    },
    /// `start` differs on a task that has already started: a start that
    /// happened is history.
    StartAlreadyHappened,
    /// The scheduled start has passed: an update must send it, and the API
    /// accepts only a start in the future.
    StartPassed,
    /// The task is running and its configuration differs: the API updates
    /// only a task that is not running, and `--allow-restart` was not given.
    RestartNotAllowed,
    /// The account did not say whether the task runs: nothing that depends
    /// on it is done.
    StatusUnknown,
    /// UpdateAiCallTask requires `TaskCps`, the manifest leaves
    /// `concurrency` unmanaged and the account did not report it.
    ConcurrencyUnknown,
}

/// One manifest task and what the plan does with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TaskEntry {
    /// The task's name.
    pub name: String,
    /// The kind of entry.
    pub action: Action,
    /// What `apply` does, in order; empty when it does nothing.
    pub steps: Vec<Step>,
    /// Why nothing is done, when the entry is blocked.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blocked: Vec<BlockReason>,
    /// Where the task is declared.
    pub source: Source,
    /// The existing task's ID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// The existing task's status, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<TaskStatus>,
    /// The existing task's current name, when it is renamed from it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renamed_from: Option<String>,
    /// The old names the manifest lists (`renamedFrom`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub old_names: Vec<String>,
    /// The status the manifest declares; `None`: not managed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub declared_status: Option<DeclaredStatus>,
    /// What the manifest asks for: for a create, every field that is sent.
    pub desired: TaskConfig,
    /// What the account holds, for an existing task that differs or that
    /// `apply` acts on.
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

/// Counts for the closing line: one per entry, by its kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    /// Tasks `apply` would create.
    pub create: usize,
    /// Tasks `apply` would update, restarts included.
    pub update: usize,
    /// Of those, the running tasks stopped, updated and started again.
    pub restart: usize,
    /// Tasks `apply` would stop.
    pub stop: usize,
    /// Tasks `apply` would start.
    pub start: usize,
    /// Tasks `apply` would rename.
    pub rename: usize,
    /// Tasks that exist and match.
    pub unchanged: usize,
    /// Account tasks no manifest names.
    pub unmanaged: u64,
    /// Entries `apply` may not or cannot act on.
    pub blocked: usize,
}

impl Summary {
    /// The counts of `tasks` (and `unmanaged`).
    pub fn of(tasks: &[TaskEntry], unmanaged: u64) -> Summary {
        let mut summary = Summary {
            unmanaged,
            ..Summary::default()
        };
        for entry in tasks {
            let count = match entry.action {
                Action::Create => &mut summary.create,
                Action::Update => &mut summary.update,
                Action::Restart => {
                    summary.restart += 1;
                    &mut summary.update
                }
                Action::Rename => &mut summary.rename,
                Action::Stop => &mut summary.stop,
                Action::Start => &mut summary.start,
                Action::Blocked => &mut summary.blocked,
                Action::Unchanged => &mut summary.unchanged,
            };
            *count += 1;
        }
        summary
    }

    /// Whether `apply` has anything to do, or anything to report as
    /// blocked (`plan --detailed-exitcode` exits 2 for either).
    pub fn has_changes(&self) -> bool {
        self.create + self.update + self.stop + self.start + self.rename + self.blocked > 0
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
    /// Version of this format, currently `2.1`. A minor bump adds fields or
    /// step kinds, a major bump breaks readers; ignore keys you do not know.
    pub format_version: String,
    /// When the plan was made, RFC 3339 UTC, to the second.
    pub made_at: String,
    /// Where the plan was made against.
    pub target: Target,
    /// Digest of the desired tasks (names and configurations, after
    /// interpolation), so a saved plan can tell when manifests changed.
    pub manifest_digest: String,
    /// Whether the plan may stop a running task to update it and start it
    /// again (`--allow-restart`).
    #[serde(default)]
    pub allow_restart: bool,
    /// The `--target` patterns the plan is limited to (globs on manifest
    /// task names); absent: every manifest task. A targeted plan neither
    /// plans nor counts the other manifest tasks, and counts no unmanaged
    /// task (`summary.unmanaged` is 0).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<String>,
    /// The counts.
    pub summary: Summary,
    /// Every manifest task, in manifest order.
    pub tasks: Vec<TaskEntry>,
    /// Unmanaged tasks, when listed (`--show-unmanaged`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub unmanaged: Option<Vec<UnmanagedTask>>,
}

impl TaskEntry {
    /// The manifest's task as this entry records it.
    pub fn desired_task(&self) -> DesiredTask {
        DesiredTask {
            name: self.name.clone(),
            config: self.desired.clone(),
            status: self.declared_status,
            renamed_from: self.old_names.clone(),
            source: self.source.clone(),
        }
    }
}

impl Plan {
    /// The entries `apply` would create.
    pub fn creates(&self) -> impl Iterator<Item = &TaskEntry> {
        self.tasks
            .iter()
            .filter(|t| t.steps.contains(&Step::Create))
    }

    /// The entries `apply` acts on: those with steps.
    pub fn actions(&self) -> impl Iterator<Item = &TaskEntry> {
        self.tasks.iter().filter(|t| !t.steps.is_empty())
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
