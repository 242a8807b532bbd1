//! What is sent: the settings Create and Update share, and the three
//! requests built on them.

use super::{CallWindow, StartType, TaskId, TaskStatus};

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
    /// `CallableTime` (SDK 5.4.3 only, undocumented): the instance's callable
    /// windows, in `CallTime`'s format; sent only when not empty.
    pub callable_times: Vec<CallWindow>,
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
            callable_times: Vec::new(),
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
