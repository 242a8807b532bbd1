//! Typed requests and replies of the six operations, in API words.
//!
//! Field docs name the wire parameter or reply field (`TaskCps`,
//! `CallTime`, ...). How a request becomes query parameters lives in
//! `request.rs`; these types only describe values. Reply types are
//! deliberately forgiving (`aiccs-api.md` §3): every field is optional,
//! unknown fields are ignored, numbers may come as strings; the one
//! exception is a page item's `TaskId`, without which a task cannot be
//! addressed at all.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

use super::de::{list, opt_bool, opt_i64, opt_u32, opt_u64};

/// A task ID: the exact decimal digits, e.g. `118700000000000001`.
///
/// IDs are 18–19 digits, above 2^53, so they never go through a float
/// (§1.5). CreateAiCallTask returns one as a JSON number, every other reply
/// as a string; both are accepted wherever an ID is read. A float, a
/// negative number or a string that is not all digits is refused.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TaskId(String);

impl TaskId {
    /// Checks that `digits` is a non-empty string of ASCII digits.
    pub fn new(digits: impl Into<String>) -> Result<TaskId, InvalidTaskId> {
        let digits = digits.into();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidTaskId { found: digits });
        }
        Ok(TaskId(digits))
    }

    /// The digits as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn significant(&self) -> &str {
        let trimmed = self.0.trim_start_matches('0');
        if trimmed.is_empty() { "0" } else { trimmed }
    }
}

/// Orders IDs by numeric value (the emulator lists newest, i.e. highest, first).
impl Ord for TaskId {
    fn cmp(&self, other: &TaskId) -> Ordering {
        let (a, b) = (self.significant(), other.significant());
        a.len()
            .cmp(&b.len())
            .then_with(|| a.cmp(b))
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for TaskId {
    fn partial_cmp(&self, other: &TaskId) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({})", self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TaskId {
    type Err = InvalidTaskId;
    fn from_str(s: &str) -> Result<TaskId, InvalidTaskId> {
        TaskId::new(s)
    }
}

impl From<u64> for TaskId {
    fn from(n: u64) -> TaskId {
        TaskId(n.to_string())
    }
}

/// A value that is not a task ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{found}` is not a task ID: expected decimal digits")]
pub struct InvalidTaskId {
    /// What was found instead.
    pub found: String,
}

impl Serialize for TaskId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TaskId, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TaskId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a task ID (an integer, or a string of digits)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TaskId, E> {
                Ok(TaskId::from(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TaskId, E> {
                u64::try_from(v)
                    .map(TaskId::from)
                    .map_err(|_| E::custom(format!("a task ID cannot be negative, found {v}")))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<TaskId, E> {
                Ok(TaskId(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TaskId, E> {
                // serde_json hands over a float for `1.5`, `1e18` and integers
                // beyond u64: none of them can be an exact ID.
                Err(E::custom(format!(
                    "a task ID must be an integer, found the non-integer {v}"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TaskId, E> {
                TaskId::new(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

/// `StartType` (§3.1): when a task starts calling.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StartType {
    /// `IMMEDIATE`: calls start as soon as callees are imported.
    Immediate,
    /// `SCHEDULE`: the task starts by itself at `TaskStartTime`.
    Schedule,
    /// A value this client does not know, as the service sent it.
    Other(String),
}

impl StartType {
    /// The wire spelling.
    pub fn as_str(&self) -> &str {
        match self {
            StartType::Immediate => "IMMEDIATE",
            StartType::Schedule => "SCHEDULE",
            StartType::Other(other) => other,
        }
    }
}

impl fmt::Display for StartType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for StartType {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<StartType, D::Error> {
        let raw = String::deserialize(d)?;
        Ok(match raw.as_str() {
            "IMMEDIATE" => StartType::Immediate,
            "SCHEDULE" => StartType::Schedule,
            _ => StartType::Other(raw),
        })
    }
}

/// A task's status (§3.7): an integer in page items, a string in the
/// `Status` filter of QueryAiCallTaskPage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    /// `0` / `INIT`: not started.
    Init,
    /// `1` / `RUNNING`.
    Running,
    /// `2` / `STOPPED`.
    Stopped,
    /// `3` / `FAILED`: the start failed (see `StartFailedReason`).
    Failed,
    /// A code this client does not know.
    Other(i64),
}

impl TaskStatus {
    /// The integer of page items.
    pub fn code(self) -> i64 {
        match self {
            TaskStatus::Init => 0,
            TaskStatus::Running => 1,
            TaskStatus::Stopped => 2,
            TaskStatus::Failed => 3,
            TaskStatus::Other(code) => code,
        }
    }

    /// The status for an integer of page items.
    pub fn from_code(code: i64) -> TaskStatus {
        match code {
            0 => TaskStatus::Init,
            1 => TaskStatus::Running,
            2 => TaskStatus::Stopped,
            3 => TaskStatus::Failed,
            other => TaskStatus::Other(other),
        }
    }

    /// The string of the `Status` filter (`INIT`, `RUNNING`, ...); the
    /// decimal code for a status this client does not know.
    pub fn filter_value(self) -> String {
        match self {
            TaskStatus::Init => "INIT".to_owned(),
            TaskStatus::Running => "RUNNING".to_owned(),
            TaskStatus::Stopped => "STOPPED".to_owned(),
            TaskStatus::Failed => "FAILED".to_owned(),
            TaskStatus::Other(code) => code.to_string(),
        }
    }
}

impl fmt::Display for TaskStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.filter_value())
    }
}

impl<'de> Deserialize<'de> for TaskStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TaskStatus, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TaskStatus;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a task status (0–3 or INIT, RUNNING, STOPPED, FAILED)")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TaskStatus, E> {
                Ok(TaskStatus::from_code(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TaskStatus, E> {
                i64::try_from(v)
                    .map(TaskStatus::from_code)
                    .map_err(|_| E::custom(format!("status {v} is out of range")))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TaskStatus, E> {
                Ok(match v {
                    "INIT" => TaskStatus::Init,
                    "RUNNING" => TaskStatus::Running,
                    "STOPPED" => TaskStatus::Stopped,
                    "FAILED" => TaskStatus::Failed,
                    _ => v
                        .parse()
                        .map(TaskStatus::from_code)
                        .map_err(|_| E::custom(format!("unknown task status {v:?}")))?,
                })
            }
        }
        d.deserialize_any(V)
    }
}

/// One calling window (`CallTime` element, §1.4; `CallTimes` in detail,
/// §3.4): calls are dispatched only between `start` and `end`.
///
/// Requests send it as the JSON string `{"startTime":"HH:mm:ss","endTime":"HH:mm:ss"}`;
/// the detail reply returns an object with `StartTime`/`EndTime`. Both, and
/// an element that is a JSON string holding such an object, are read.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CallWindow {
    /// `startTime`, `HH:mm:ss`.
    pub start: String,
    /// `endTime`, `HH:mm:ss`.
    pub end: String,
}

impl CallWindow {
    /// A window from `start` to `end`, both `HH:mm:ss`.
    pub fn new(start: impl Into<String>, end: impl Into<String>) -> CallWindow {
        CallWindow {
            start: start.into(),
            end: end.into(),
        }
    }

    fn from_value(value: serde_json::Value) -> Result<CallWindow, String> {
        match value {
            serde_json::Value::String(text) => serde_json::from_str(&text)
                .map_err(|err| format!("a CallTime string is not JSON: {err}"))
                .and_then(CallWindow::from_value),
            serde_json::Value::Object(map) => {
                let field = |name: &str| {
                    map.iter()
                        .find(|(key, _)| key.eq_ignore_ascii_case(name))
                        .and_then(|(_, value)| value.as_str())
                        .map(str::to_owned)
                        .ok_or_else(|| format!("a call window has no `{name}` string"))
                };
                Ok(CallWindow::new(field("StartTime")?, field("EndTime")?))
            }
            other => Err(format!("expected a call window object, found {other}")),
        }
    }
}

impl<'de> Deserialize<'de> for CallWindow {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<CallWindow, D::Error> {
        CallWindow::from_value(serde_json::Value::deserialize(d)?).map_err(de::Error::custom)
    }
}

/// The settings Create and Update share: everything but `AgentId` and
/// `ApplicationCode` (create only) and `TaskId` (update only), §3.2.
///
/// Unset optionals are not sent (§1.4). On update the whole set is sent:
/// UpdateAiCallTask is a full replacement, so a field left unset is cleared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSettings {
    /// `TaskName`: unique in the account, exact and case-sensitive.
    pub task_name: String,
    /// `VirtualNumber`: the outbound number (detail calls it `CallerNumber`).
    pub virtual_number: Option<String>,
    /// `StartType`.
    pub start_type: StartType,
    /// `TaskStartTime`, epoch milliseconds; required with `SCHEDULE`.
    pub task_start_time: Option<i64>,
    /// `CallDay`: `MONDAY` … `SUNDAY`.
    pub call_days: Vec<String>,
    /// `CallTime`: the calling windows.
    pub call_times: Vec<CallWindow>,
    /// `MissCallRetry`: redial unanswered calls.
    pub miss_call_retry: Option<bool>,
    /// `CallRetryReason`: `NO_ANSWER`, `USER_BUSY`, ...; not sent when empty.
    pub call_retry_reasons: Vec<String>,
    /// `CallRetryTimes` (at most 3).
    pub call_retry_times: Option<u32>,
    /// `CallRetryInterval`, minutes (at most 720 on create, 120 on update, §3.8).
    pub call_retry_interval: Option<u32>,
    /// `TaskCps`: concurrency (1–500); optional on create, required on update.
    pub task_cps: Option<u32>,
    /// `CallExpireType`: 0 never, 1 after `CallExpireMinutes`, 2 at `CallExpireDate`.
    pub call_expire_type: Option<i64>,
    /// `CallExpireMinutes`.
    pub call_expire_minutes: Option<i64>,
    /// `CallExpireDate`, `YYYY-MM-DD HH:mm:ss`.
    pub call_expire_date: Option<String>,
    /// `Source`: 0 created via agent, 1 via engine.
    pub source: Option<i64>,
    /// `PhoneType`: 0 Alibaba Cloud number, 1 the customer's own line.
    pub phone_type: Option<i64>,
    /// `LinePhoneNum`.
    pub line_phone_num: Option<String>,
    /// `LineEncoding`.
    pub line_encoding: Option<String>,
}

impl TaskSettings {
    /// Settings with the required fields; every optional one unset.
    pub fn new(
        task_name: impl Into<String>,
        start_type: StartType,
        call_days: Vec<String>,
        call_times: Vec<CallWindow>,
    ) -> TaskSettings {
        TaskSettings {
            task_name: task_name.into(),
            virtual_number: None,
            start_type,
            task_start_time: None,
            call_days,
            call_times,
            miss_call_retry: None,
            call_retry_reasons: Vec::new(),
            call_retry_times: None,
            call_retry_interval: None,
            task_cps: None,
            call_expire_type: None,
            call_expire_minutes: None,
            call_expire_date: None,
            source: None,
            phone_type: None,
            line_phone_num: None,
            line_encoding: None,
        }
    }
}

/// A CreateAiCallTask request (§3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateTask {
    /// `AgentId`: a published agent's code (required by the docs, §3.8 item 4).
    pub agent_id: Option<String>,
    /// `ApplicationCode`: an LLM application, with `Source` 1.
    pub application_code: Option<String>,
    /// Everything else.
    pub settings: TaskSettings,
}

/// An UpdateAiCallTask request (§3.2): a full replacement of the settings.
/// `AgentId` cannot be changed and is never sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdateTask {
    /// `TaskId`.
    pub task_id: TaskId,
    /// The complete new settings.
    pub settings: TaskSettings,
}

/// A QueryAiCallTaskPage request (§3.3). Unset fields are not sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageQuery {
    /// `PageNo`, from 1.
    pub page_no: Option<u32>,
    /// `PageSize`.
    pub page_size: Option<u32>,
    /// `Status` filter (sent as a string).
    pub status: Option<TaskStatus>,
    /// `TaskName` filter: a case-insensitive substring match, not exact.
    pub task_name: Option<String>,
    /// `AgentName` filter: a substring match.
    pub agent_name: Option<String>,
    /// `TaskId` filter.
    pub task_id: Option<TaskId>,
    /// `ApplicationCode` filter.
    pub application_code: Option<String>,
    /// `Source` filter: 0 agent, 1 engine.
    pub source: Option<i64>,
}

/// A QueryAiCallTaskPage reply's `Data` (§3.3).
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskPage {
    /// `PageNo`.
    #[serde(default, deserialize_with = "opt_u32")]
    pub page_no: Option<u32>,
    /// `PageSize`.
    #[serde(default, deserialize_with = "opt_u32")]
    pub page_size: Option<u32>,
    /// `Total`: matching tasks across all pages.
    #[serde(default, deserialize_with = "opt_u64")]
    pub total: Option<u64>,
    /// `List`.
    #[serde(default, deserialize_with = "list")]
    pub list: Vec<TaskSummary>,
}

/// One task of a page (§3.3).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskSummary {
    /// `TaskId` (required: a task without one cannot be addressed).
    pub task_id: TaskId,
    /// `TaskName`.
    #[serde(default)]
    pub task_name: Option<String>,
    /// `Status`.
    #[serde(default)]
    pub status: Option<TaskStatus>,
    /// `AgentId`.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// `AgentName`.
    #[serde(default)]
    pub agent_name: Option<String>,
    /// `ApplicationCode`.
    #[serde(default)]
    pub application_code: Option<String>,
    /// `ApplicationName`.
    #[serde(default)]
    pub application_name: Option<String>,
    /// `CreateTime`, epoch ms.
    #[serde(default, deserialize_with = "opt_i64")]
    pub create_time: Option<i64>,
    /// `StartTime`, epoch ms: the scheduled start.
    #[serde(default, deserialize_with = "opt_i64")]
    pub start_time: Option<i64>,
    /// `RealStartTime`, epoch ms.
    #[serde(default, deserialize_with = "opt_i64")]
    pub real_start_time: Option<i64>,
    /// `ConcurrentCount` (= `TaskCps`).
    #[serde(default, deserialize_with = "opt_i64")]
    pub concurrent_count: Option<i64>,
    /// `StartFailedReason`.
    #[serde(default)]
    pub start_failed_reason: Option<String>,
    /// `TotalCount`: callees.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_count: Option<i64>,
    /// `TotalCallCount`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub total_call_count: Option<i64>,
    /// `DayCallCount`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub day_call_count: Option<i64>,
    /// `DayImportCount`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub day_import_count: Option<i64>,
    /// `CallingCount`: calls in progress.
    #[serde(default, deserialize_with = "opt_i64")]
    pub calling_count: Option<i64>,
    /// `SucceedCount`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub succeed_count: Option<i64>,
    /// `FailedCount`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub failed_count: Option<i64>,
    /// `CompleteRate`, e.g. `70%`.
    #[serde(default)]
    pub complete_rate: Option<String>,
    /// `DayConnectRate`.
    #[serde(default)]
    pub day_connect_rate: Option<String>,
    /// `HistoryConnectRate`.
    #[serde(default)]
    pub history_connect_rate: Option<String>,
    /// `CallExpireType`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub call_expire_type: Option<i64>,
    /// `CallExpireMinutes`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub call_expire_minutes: Option<i64>,
    /// `CallExpireDate`.
    #[serde(default)]
    pub call_expire_date: Option<String>,
}

/// A QueryAiCallTaskDetail reply's `Data` (§3.4): one task's configuration.
///
/// It has no status (ask QueryAiCallTaskPage with `TaskId`), and some
/// names differ from the request's: `CallerNumber` is `VirtualNumber`,
/// `ConcurrentCount` is `TaskCps`, `Retry*` are `CallRetry*`/`MissCallRetry`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub struct TaskDetail {
    /// `TaskId`.
    #[serde(default)]
    pub task_id: Option<TaskId>,
    /// `TaskName`.
    #[serde(default)]
    pub task_name: Option<String>,
    /// `AgentId`.
    #[serde(default)]
    pub agent_id: Option<String>,
    /// `AgentName`.
    #[serde(default)]
    pub agent_name: Option<String>,
    /// `ApplicationCode`.
    #[serde(default)]
    pub application_code: Option<String>,
    /// `ApplicationName`.
    #[serde(default)]
    pub application_name: Option<String>,
    /// `StartType`.
    #[serde(default)]
    pub start_type: Option<StartType>,
    /// `StartTime`, epoch ms: the preset start (`TaskStartTime`).
    #[serde(default, deserialize_with = "opt_i64")]
    pub start_time: Option<i64>,
    /// `RealStartTime`, epoch ms.
    #[serde(default, deserialize_with = "opt_i64")]
    pub real_start_time: Option<i64>,
    /// `ConcurrentCount` (= `TaskCps`).
    #[serde(default, deserialize_with = "opt_u32")]
    pub concurrent_count: Option<u32>,
    /// `CallerNumber` (= `VirtualNumber`).
    #[serde(default)]
    pub caller_number: Option<String>,
    /// `CallDays` (= `CallDay`).
    #[serde(default, deserialize_with = "list")]
    pub call_days: Vec<String>,
    /// `CallTimes` (= `CallTime`).
    #[serde(default, deserialize_with = "list")]
    pub call_times: Vec<CallWindow>,
    /// `CallableTimes`: the outbound instance's callable windows.
    #[serde(default, deserialize_with = "list")]
    pub callable_times: Vec<CallWindow>,
    /// `RetryEnable` (= `MissCallRetry`).
    #[serde(default, deserialize_with = "opt_bool")]
    pub retry_enable: Option<bool>,
    /// `RetryCount` (= `CallRetryTimes`).
    #[serde(default, deserialize_with = "opt_u32")]
    pub retry_count: Option<u32>,
    /// `RetryInterval`, minutes (= `CallRetryInterval`).
    #[serde(default, deserialize_with = "opt_u32")]
    pub retry_interval: Option<u32>,
    /// `RetryReasons` (= `CallRetryReason`).
    #[serde(default, deserialize_with = "list")]
    pub retry_reasons: Vec<String>,
    /// `CallExpireType`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub call_expire_type: Option<i64>,
    /// `CallExpireMinutes`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub call_expire_minutes: Option<i64>,
    /// `CallExpireDate`.
    #[serde(default)]
    pub call_expire_date: Option<String>,
    /// `LinePhoneNum`.
    #[serde(default)]
    pub line_phone_num: Option<String>,
    /// `LineEncoding`.
    #[serde(default)]
    pub line_encoding: Option<String>,
    /// `PhoneType`.
    #[serde(default, deserialize_with = "opt_i64")]
    pub phone_type: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_id_from_a_number_above_2_pow_53_keeps_every_digit() {
        let id: TaskId = serde_json::from_str("1187654321098765432").unwrap();
        assert_eq!(id.as_str(), "1187654321098765432");
        // 2^53 + 1 is the first integer a float cannot hold.
        let id: TaskId = serde_json::from_str("9007199254740993").unwrap();
        assert_eq!(id.as_str(), "9007199254740993");
        let id: TaskId = serde_json::from_str("18446744073709551615").unwrap();
        assert_eq!(id.as_str(), "18446744073709551615");
    }

    #[test]
    fn task_id_from_a_string() {
        let id: TaskId = serde_json::from_str(r#""118700000000000001""#).unwrap();
        assert_eq!(id, TaskId::new("118700000000000001").unwrap());
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            r#""118700000000000001""#
        );
    }

    #[test]
    fn task_id_refuses_floats_negatives_and_non_digits() {
        for bad in [
            "1.5",
            "1e18",
            "118700000000000001.0",
            "-1",
            r#""12a""#,
            r#""""#,
            r#"" 1""#,
        ] {
            assert!(
                serde_json::from_str::<TaskId>(bad).is_err(),
                "{bad} was accepted"
            );
        }
        // Beyond u64 serde_json falls back to a float: refused, not rounded.
        let err = serde_json::from_str::<TaskId>("99999999999999999999").unwrap_err();
        assert!(err.to_string().contains("must be an integer"), "{err}");
    }

    #[test]
    fn task_ids_order_numerically() {
        let small = TaskId::new("999").unwrap();
        let big = TaskId::new("1000").unwrap();
        assert!(small < big);
        assert!(TaskId::new("0999").unwrap() < big);
    }

    #[test]
    fn status_reads_integers_and_strings() {
        let s: TaskStatus = serde_json::from_str("2").unwrap();
        assert_eq!(s, TaskStatus::Stopped);
        let s: TaskStatus = serde_json::from_str(r#""RUNNING""#).unwrap();
        assert_eq!(s, TaskStatus::Running);
        let s: TaskStatus = serde_json::from_str("7").unwrap();
        assert_eq!(s, TaskStatus::Other(7));
        assert_eq!(TaskStatus::Failed.filter_value(), "FAILED");
    }

    #[test]
    fn call_windows_read_every_spelling() {
        let expected = CallWindow::new("09:00:00", "12:00:00");
        for json in [
            r#"{"StartTime":"09:00:00","EndTime":"12:00:00"}"#,
            r#"{"startTime":"09:00:00","endTime":"12:00:00"}"#,
            r#""{\"startTime\":\"09:00:00\",\"endTime\":\"12:00:00\"}""#,
        ] {
            assert_eq!(serde_json::from_str::<CallWindow>(json).unwrap(), expected);
        }
        assert!(serde_json::from_str::<CallWindow>(r#"{"StartTime":"09:00:00"}"#).is_err());
    }

    #[test]
    fn detail_reads_the_contract_fields_and_ignores_unknown_ones() {
        let detail: TaskDetail = serde_json::from_str(
            r#"{"TaskId":"1187000000000000001","TaskName":"外呼","AgentId":"1180123456789012345",
                "StartType":"SCHEDULE","StartTime":1767225600000,"ConcurrentCount":10,
                "CallerNumber":"0327121220001","CallDays":["MONDAY","FRIDAY"],
                "CallTimes":[{"StartTime":"09:00:00","EndTime":"12:00:00"}],
                "RetryEnable":true,"RetryCount":2,"RetryInterval":30,
                "RetryReasons":["NO_ANSWER"],"Brand":"new","CallableTimes":null}"#,
        )
        .unwrap();
        assert_eq!(
            detail.task_id,
            Some(TaskId::new("1187000000000000001").unwrap())
        );
        assert_eq!(detail.start_type, Some(StartType::Schedule));
        assert_eq!(detail.start_time, Some(1_767_225_600_000));
        assert_eq!(detail.concurrent_count, Some(10));
        assert_eq!(detail.caller_number.as_deref(), Some("0327121220001"));
        assert_eq!(detail.call_days, ["MONDAY", "FRIDAY"]);
        assert_eq!(detail.call_times, [CallWindow::new("09:00:00", "12:00:00")]);
        assert_eq!(detail.retry_enable, Some(true));
        assert_eq!(detail.retry_reasons, ["NO_ANSWER"]);
        assert!(detail.callable_times.is_empty());
    }

    #[test]
    fn page_items_need_a_task_id() {
        let page: TaskPage = serde_json::from_str(
            r#"{"PageNo":1,"PageSize":20,"Total":1,
                "List":[{"TaskId":"118700000000000001","TaskName":"a","Status":1}]}"#,
        )
        .unwrap();
        assert_eq!(page.total, Some(1));
        assert_eq!(page.list[0].status, Some(TaskStatus::Running));
        assert!(serde_json::from_str::<TaskPage>(r#"{"List":[{"TaskName":"a"}]}"#).is_err());
    }
}
