//! The task as the emulator stores it: identity, lifecycle and the
//! configuration that `UpdateAiCallTask` replaces.
//!
//! These types are also the state file's format (`docs/emulator.md`), so
//! their serde names are part of that format. Arrays are kept in canonical
//! order (`aiccs-api.md` §7: days Monday→Sunday, reasons in §3.7 order,
//! windows by start), which the derived `Ord` of the enums encodes.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A task ID: an 18–19-digit integer above 2^53 (`aiccs-api.md` §1.5).
///
/// Kept as `u64`, never as a float; written as a string in the state file so
/// that tools reading it through doubles (jq, JavaScript) cannot round it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TaskId(pub u64);

impl TaskId {
    /// The first ID handed out by an empty emulator (`aiccs-api.md` §7).
    pub const FIRST: TaskId = TaskId(118_700_000_000_000_001);
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl Serialize for TaskId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<TaskId, D::Error> {
        let text = String::deserialize(deserializer)?;
        text.parse()
            .map(TaskId)
            .map_err(|_| serde::de::Error::custom(format!("`{text}` is not a task ID")))
    }
}

/// Where a task is in its lifecycle; the integer is what replies carry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    /// Created, not started (0).
    Init,
    /// Running (1).
    Running,
    /// Stopped (2).
    Stopped,
    /// Starting failed (3). The emulator never fails a start by itself; a
    /// state file can hold such a task.
    Failed,
}

impl TaskStatus {
    /// Every status, in code order.
    pub const ALL: [TaskStatus; 4] = [
        TaskStatus::Init,
        TaskStatus::Running,
        TaskStatus::Stopped,
        TaskStatus::Failed,
    ];

    /// The integer replies carry (`aiccs-api.md` §3.3).
    pub fn code(self) -> u8 {
        match self {
            TaskStatus::Init => 0,
            TaskStatus::Running => 1,
            TaskStatus::Stopped => 2,
            TaskStatus::Failed => 3,
        }
    }

    /// The name the `Status` filter takes (`aiccs-api.md` §3.7).
    pub fn name(self) -> &'static str {
        match self {
            TaskStatus::Init => "INIT",
            TaskStatus::Running => "RUNNING",
            TaskStatus::Stopped => "STOPPED",
            TaskStatus::Failed => "FAILED",
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a task starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StartType {
    /// Runs as soon as it is created.
    Immediate,
    /// Waits until `TaskStartTime`, then runs by itself.
    Schedule,
}

impl StartType {
    /// Every start type, as the API spells them.
    pub const ALL: [StartType; 2] = [StartType::Immediate, StartType::Schedule];

    /// The wire name.
    pub fn name(self) -> &'static str {
        match self {
            StartType::Immediate => "IMMEDIATE",
            StartType::Schedule => "SCHEDULE",
        }
    }
}

/// A day calls may be made on. `Ord` is the canonical order, Monday first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum CallDay {
    Monday,
    Tuesday,
    Wednesday,
    Thursday,
    Friday,
    Saturday,
    Sunday,
}

impl CallDay {
    /// Every day, Monday first.
    pub const ALL: [CallDay; 7] = [
        CallDay::Monday,
        CallDay::Tuesday,
        CallDay::Wednesday,
        CallDay::Thursday,
        CallDay::Friday,
        CallDay::Saturday,
        CallDay::Sunday,
    ];

    /// The wire name, e.g. `MONDAY`.
    pub fn name(self) -> &'static str {
        match self {
            CallDay::Monday => "MONDAY",
            CallDay::Tuesday => "TUESDAY",
            CallDay::Wednesday => "WEDNESDAY",
            CallDay::Thursday => "THURSDAY",
            CallDay::Friday => "FRIDAY",
            CallDay::Saturday => "SATURDAY",
            CallDay::Sunday => "SUNDAY",
        }
    }
}

/// A call outcome that triggers a redial. `Ord` is the order of
/// `aiccs-api.md` §3.7, which replies use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[allow(missing_docs)]
pub enum RetryReason {
    CallRejected,
    UserBusy,
    Suspend,
    InvalidNumber,
    PoweredOff,
    NetworkBusy,
    NoAnswer,
}

impl RetryReason {
    /// Every reason, in canonical order.
    pub const ALL: [RetryReason; 7] = [
        RetryReason::CallRejected,
        RetryReason::UserBusy,
        RetryReason::Suspend,
        RetryReason::InvalidNumber,
        RetryReason::PoweredOff,
        RetryReason::NetworkBusy,
        RetryReason::NoAnswer,
    ];

    /// The wire name, e.g. `NO_ANSWER`.
    pub fn name(self) -> &'static str {
        match self {
            RetryReason::CallRejected => "CALL_REJECTED",
            RetryReason::UserBusy => "USER_BUSY",
            RetryReason::Suspend => "SUSPEND",
            RetryReason::InvalidNumber => "INVALID_NUMBER",
            RetryReason::PoweredOff => "POWERED_OFF",
            RetryReason::NetworkBusy => "NETWORK_BUSY",
            RetryReason::NoAnswer => "NO_ANSWER",
        }
    }
}

/// A daily calling window, both ends `HH:mm:ss` (validated, so the strings
/// order chronologically and `Ord` sorts windows by start, then end).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CallWindow {
    /// Start of the window, `HH:mm:ss`.
    pub start: String,
    /// End of the window, `HH:mm:ss`, after `start`.
    pub end: String,
}

/// What `UpdateAiCallTask` replaces wholesale: every field of Create except
/// the agent and the application, which cannot change (`aiccs-api.md` §3.2).
///
/// `None` means the request did not set the field; replies omit it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaskConfig {
    /// `TaskName`: unique, exact, case-sensitive.
    pub name: String,
    /// `VirtualNumber`, reported by Detail as `CallerNumber`.
    pub virtual_number: String,
    /// `StartType`.
    pub start_type: StartType,
    /// `TaskStartTime`, epoch milliseconds; kept only for SCHEDULE.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_start_time: Option<i64>,
    /// `CallDay`, canonical order, no repeats, never empty.
    pub call_days: Vec<CallDay>,
    /// `CallTime`, sorted by start, no repeats, never empty.
    pub call_times: Vec<CallWindow>,
    /// `CallableTime` (SDK-only, undocumented), same element format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub callable_times: Option<Vec<CallWindow>>,
    /// `MissCallRetry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub miss_call_retry: Option<bool>,
    /// `CallRetryReason`, canonical order, no repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_retry_reasons: Option<Vec<RetryReason>>,
    /// `CallRetryTimes`, 0–3.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_retry_times: Option<i64>,
    /// `CallRetryInterval` in minutes: 0–720 on create, 0–120 on update.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_retry_interval: Option<i64>,
    /// `TaskCps`, 1–500; reported as `ConcurrentCount`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_cps: Option<i64>,
    /// `CallExpireType`: 0, 1 or 2.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_expire_type: Option<i64>,
    /// `CallExpireMinutes`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_expire_minutes: Option<i64>,
    /// `CallExpireDate`, `YYYY-MM-DD HH:mm:ss`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_expire_date: Option<String>,
    /// `Source`: 0 agent, 1 engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<i64>,
    /// `PhoneType`: 0 Alibaba Cloud number, 1 customer line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub phone_type: Option<i64>,
    /// `LinePhoneNum`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_phone_num: Option<String>,
    /// `LineEncoding`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line_encoding: Option<String>,
}

/// Everything `CreateAiCallTask` sets, already validated.
///
/// Also what [`Emulator::seed`](super::Emulator::seed) takes, to fill an
/// account quickly without the HTTP round trips.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    /// `AgentId`: fixed for the task's life.
    pub agent_id: String,
    /// `ApplicationCode`: fixed for the task's life.
    pub application_code: Option<String>,
    /// The replaceable configuration.
    pub config: TaskConfig,
}

impl NewTask {
    /// A valid IMMEDIATE task with fixed, plausible values: calls on
    /// weekdays 09:00–12:00, 10 calls per second. For seeding benchmarks.
    pub fn example(name: impl Into<String>) -> NewTask {
        NewTask {
            agent_id: "1180123456789012345".to_owned(),
            application_code: None,
            config: TaskConfig {
                name: name.into(),
                virtual_number: "0327121220001".to_owned(),
                start_type: StartType::Immediate,
                task_start_time: None,
                call_days: CallDay::ALL[..5].to_vec(),
                call_times: vec![CallWindow {
                    start: "09:00:00".to_owned(),
                    end: "12:00:00".to_owned(),
                }],
                callable_times: None,
                miss_call_retry: None,
                call_retry_reasons: None,
                call_retry_times: None,
                call_retry_interval: None,
                task_cps: Some(10),
                call_expire_type: None,
                call_expire_minutes: None,
                call_expire_date: None,
                source: None,
                phone_type: None,
                line_phone_num: None,
                line_encoding: None,
            },
        }
    }
}

/// A task as the emulator holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredTask {
    /// The task ID.
    pub id: TaskId,
    /// `AgentId`.
    pub agent_id: String,
    /// `ApplicationCode`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub application_code: Option<String>,
    /// The configuration, as last created or updated.
    pub config: TaskConfig,
    /// The stored status. A SCHEDULE task stored as INIT whose start time
    /// has passed is RUNNING: see [`StoredTask::status_at`].
    pub status: TaskStatus,
    /// Creation time, epoch milliseconds.
    pub create_time: i64,
    /// When the task last started running, epoch milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub real_start_time: Option<i64>,
}

impl StoredTask {
    /// The status at `now_ms`: a SCHEDULE task waiting in INIT turns RUNNING
    /// by itself at its `TaskStartTime` (`aiccs-api.md` §7). Computed from
    /// the clock when asked, so no timer has to fire.
    pub fn status_at(&self, now_ms: i64) -> TaskStatus {
        match self.scheduled_start_due(now_ms) {
            Some(_) => TaskStatus::Running,
            None => self.status,
        }
    }

    /// When the task really started, as seen at `now_ms`.
    pub fn real_start_time_at(&self, now_ms: i64) -> Option<i64> {
        self.scheduled_start_due(now_ms).or(self.real_start_time)
    }

    /// Makes the clock's effect permanent before a mutation looks at it.
    pub(crate) fn settle(&mut self, now_ms: i64) {
        if let Some(started) = self.scheduled_start_due(now_ms) {
            self.status = TaskStatus::Running;
            self.real_start_time = Some(started);
        }
    }

    /// The task as seen at `now_ms`, its scheduled start applied.
    pub(crate) fn settled(&self, now_ms: i64) -> StoredTask {
        let mut task = self.clone();
        task.settle(now_ms);
        task
    }

    fn scheduled_start_due(&self, now_ms: i64) -> Option<i64> {
        match (
            self.status,
            self.config.start_type,
            self.config.task_start_time,
        ) {
            (TaskStatus::Init, StartType::Schedule, Some(at)) if at <= now_ms => Some(at),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scheduled(at: i64) -> StoredTask {
        let mut new = NewTask::example("s");
        new.config.start_type = StartType::Schedule;
        new.config.task_start_time = Some(at);
        StoredTask {
            id: TaskId::FIRST,
            agent_id: new.agent_id,
            application_code: None,
            config: new.config,
            status: TaskStatus::Init,
            create_time: 0,
            real_start_time: None,
        }
    }

    #[test]
    fn scheduled_task_runs_by_itself_at_its_start_time() {
        let task = scheduled(1_000);
        assert_eq!(task.status_at(999), TaskStatus::Init);
        assert_eq!(task.real_start_time_at(999), None);
        assert_eq!(task.status_at(1_000), TaskStatus::Running);
        assert_eq!(task.real_start_time_at(5_000), Some(1_000));
    }

    #[test]
    fn a_stopped_scheduled_task_stays_stopped() {
        let mut task = scheduled(1_000);
        task.status = TaskStatus::Stopped;
        assert_eq!(task.status_at(2_000), TaskStatus::Stopped);
    }

    #[test]
    fn settle_records_the_scheduled_start() {
        let task = scheduled(1_000).settled(2_000);
        assert_eq!(task.status, TaskStatus::Running);
        assert_eq!(task.real_start_time, Some(1_000));
    }

    #[test]
    fn canonical_orders_follow_the_contract() {
        assert!(CallDay::Monday < CallDay::Sunday);
        assert!(RetryReason::CallRejected < RetryReason::NoAnswer);
        let names: Vec<_> = TaskStatus::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(names, [0, 1, 2, 3]);
    }

    #[test]
    fn task_ids_travel_as_strings_in_the_state_file() {
        let id = TaskId(18_446_744_073_709_551_615);
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"18446744073709551615\"");
        assert_eq!(serde_json::from_str::<TaskId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<TaskId>("\"12a\"").is_err());
    }
}
