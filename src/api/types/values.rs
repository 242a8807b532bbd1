//! The values requests and replies share: when a task starts, its
//! status, and a calling window, each read in every spelling the service
//! uses for it.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
