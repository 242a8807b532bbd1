//! What is read back: a page of tasks, a page item, and a task's detail.
//!
//! Deliberately forgiving (`aiccs-api.md` §3): every field is optional,
//! unknown fields are ignored, numbers may come as strings; the one
//! exception is a page item's `TaskId`, without which a task cannot be
//! addressed at all.

use serde::Deserialize;

use crate::api::de::{list, opt_bool, opt_i64, opt_u32, opt_u64};

use super::{CallWindow, StartType, TaskId, TaskStatus};

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
