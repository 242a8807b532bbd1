//! The one place where plan values meet API words.
//!
//! | manifest / plan | CreateAiCallTask, UpdateAiCallTask | QueryAiCallTaskDetail |
//! |---|---|---|
//! | name | TaskName | TaskName |
//! | agentId | AgentId (create only) | AgentId |
//! | virtualNumber | VirtualNumber | CallerNumber (inferred, `aiccs-api.md` §3.4) |
//! | start: immediate | StartType=IMMEDIATE | StartType |
//! | start.at | StartType=SCHEDULE, TaskStartTime (ms) | StartType, StartTime |
//! | concurrency | TaskCps | ConcurrentCount |
//! | callDays | CallDay | CallDays |
//! | callWindows | CallTime | CallTimes |
//! | retry | MissCallRetry, CallRetryReason, CallRetryTimes, CallRetryInterval | RetryEnable, RetryReasons, RetryCount, RetryInterval |
//!
//! Reading the account normalises what it reports exactly as the manifest
//! side is normalised (day and reason order, window order, times of day),
//! so that a task that matches compares equal. A value the account reports
//! in a form aicall does not understand (an unknown day word, a malformed
//! time) leaves the field unreported: it is then listed as not compared,
//! never guessed.

use std::str::FromStr;

use crate::api::{
    CallWindow, CreateTask, StartType, TaskDetail, TaskId, TaskSettings, TaskStatus as WireStatus,
    TaskSummary, UpdateTask,
};
use crate::manifest::field::Field;
use crate::manifest::model::{RetryReason, TimeOfDay, Weekday, Window};
use crate::plan::adopt::AccountTask;
use crate::plan::model::{ObservedTask, Retry, ScheduledStart, Start, TaskConfig, TaskStatus};

/// The CreateAiCallTask request for a desired task.
pub fn create_request(name: &str, config: &TaskConfig) -> CreateTask {
    CreateTask {
        agent_id: config.agent_id.clone(),
        application_code: None,
        settings: settings(name, config),
    }
}

/// The UpdateAiCallTask request that gives task `task_id` the name `name`
/// and the configuration `desired`. Update is a full replacement (§3.2, §7):
/// every field is sent, and where the manifest leaves a field unmanaged
/// (`concurrency`) the account's value is sent, so it stays as it is. The
/// agent is never sent: the API cannot change it.
pub fn update_request(
    task_id: &TaskId,
    name: &str,
    desired: &TaskConfig,
    account: &TaskConfig,
) -> UpdateTask {
    let mut settings = settings(name, desired);
    settings.task_cps = desired.concurrency.or(account.concurrency);
    UpdateTask {
        task_id: task_id.clone(),
        settings,
    }
}

/// Copies into an update the settings the manifest language does not
/// express (call expiry, the line, the callable windows), as `detail`
/// reports them now. UpdateAiCallTask is a full replacement (§3.2, §7):
/// what it does not carry is cleared, so leaving them out would wipe a
/// task's settings that nobody asked to change.
pub fn keep_unexpressed(update: &mut UpdateTask, detail: &TaskDetail) {
    let settings = &mut update.settings;
    settings.call_expire_type = detail.call_expire_type;
    settings.call_expire_minutes = detail.call_expire_minutes;
    settings.call_expire_date = detail.call_expire_date.clone();
    settings.phone_type = detail.phone_type;
    settings.line_phone_num = detail.line_phone_num.clone();
    settings.line_encoding = detail.line_encoding.clone();
    settings.callable_times = detail.callable_times.clone();
}

fn settings(name: &str, config: &TaskConfig) -> TaskSettings {
    let (start_type, task_start_time) = match &config.start {
        Some(Start::Scheduled(start)) => (StartType::Schedule, Some(start.at_ms)),
        Some(Start::Immediate) | None => (StartType::Immediate, None),
    };
    let mut settings = TaskSettings::new(
        name,
        start_type,
        config
            .call_days
            .iter()
            .flatten()
            .map(|d| d.as_str().to_owned())
            .collect(),
        config
            .call_windows
            .iter()
            .flatten()
            .map(|w| CallWindow::new(w.start.to_string(), w.end.to_string()))
            .collect(),
    );
    settings.task_start_time = task_start_time;
    settings.virtual_number = config.virtual_number.clone();
    settings.task_cps = config.concurrency;
    match &config.retry {
        Some(Retry::On {
            reasons,
            times,
            interval_minutes,
        }) => {
            settings.miss_call_retry = Some(true);
            settings.call_retry_reasons = reasons.iter().map(|r| r.as_str().to_owned()).collect();
            settings.call_retry_times = Some(*times);
            settings.call_retry_interval = Some(*interval_minutes);
        }
        // "No retry" is said explicitly rather than left to a default.
        Some(Retry::Off) | None => settings.miss_call_retry = Some(false),
    }
    settings
}

/// A status as the plan names it.
pub fn status(wire: WireStatus) -> TaskStatus {
    match wire {
        WireStatus::Init => TaskStatus::Init,
        WireStatus::Running => TaskStatus::Running,
        WireStatus::Stopped => TaskStatus::Stopped,
        WireStatus::Failed => TaskStatus::Failed,
        WireStatus::Other(code) => TaskStatus::Other(code),
    }
}

/// What the account reports about a task, in the plan's comparable shape.
pub fn observed_task(
    id: &TaskId,
    name: &str,
    wire_status: Option<WireStatus>,
    detail: &TaskDetail,
) -> ObservedTask {
    ObservedTask {
        task_id: id.to_string(),
        name: name.to_owned(),
        status: wire_status.map(status),
        config: observed_config(detail),
    }
}

/// The configuration a detail reports. Fields it leaves out, or reports in
/// a form aicall does not understand, stay `None` (not compared).
pub fn observed_config(detail: &TaskDetail) -> TaskConfig {
    let start = match (&detail.start_type, detail.start_time) {
        (Some(StartType::Immediate), _) => Some(Start::Immediate),
        (Some(StartType::Schedule), Some(ms)) => Some(Start::Scheduled(ScheduledStart {
            at_ms: ms,
            offset_seconds: 0,
        })),
        _ => None,
    };
    let retry = match detail.retry_enable {
        // Retry off with leftover reasons or counts is still off.
        Some(false) => Some(Retry::Off),
        Some(true) => canonical::<RetryReason>(&detail.retry_reasons).map(|reasons| Retry::On {
            reasons,
            times: detail.retry_count.unwrap_or(0),
            interval_minutes: detail.retry_interval.unwrap_or(0),
        }),
        None => None,
    };
    TaskConfig {
        agent_id: detail.agent_id.clone(),
        virtual_number: detail.caller_number.clone(),
        start,
        concurrency: detail.concurrent_count,
        call_days: if detail.call_days.is_empty() {
            None
        } else {
            canonical::<Weekday>(&detail.call_days)
        },
        call_windows: if detail.call_times.is_empty() {
            None
        } else {
            windows(&detail.call_times)
        },
        retry,
    }
}

/// An account task as `aicall export` reads it: what a plan observes, the
/// fields the detail reports in a form aicall does not understand, and the
/// settings no manifest field expresses.
pub fn account_task(summary: &TaskSummary, detail: &TaskDetail) -> AccountTask {
    let observed = observed_task(
        &summary.task_id,
        summary.task_name.as_deref().unwrap_or_default(),
        summary.status,
        detail,
    );
    let config = &observed.config;
    let mut unreadable = Vec::new();
    if matches!(detail.start_type, Some(StartType::Other(_))) {
        unreadable.push(Field::Start);
    }
    if !detail.call_days.is_empty() && config.call_days.is_none() {
        unreadable.push(Field::CallDays);
    }
    if !detail.call_times.is_empty() && config.call_windows.is_none() {
        unreadable.push(Field::CallWindows);
    }
    if detail.retry_enable == Some(true) && config.retry.is_none() {
        unreadable.push(Field::Retry);
    }
    AccountTask {
        unreadable,
        unexpressed: unexpressed(detail),
        observed,
    }
}

/// The settings of a detail that no manifest field expresses, and that an
/// update therefore does not send (§3.2: CallableTime, CallExpire*,
/// PhoneType, LinePhoneNum, LineEncoding). `0` for the expiry type and the
/// phone type is the service's own default (never expires, an Alibaba
/// Cloud number), not worth a word.
fn unexpressed(detail: &TaskDetail) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut push = |name: &str, value: String| out.push((name.to_owned(), value));
    if !detail.callable_times.is_empty() {
        let windows: Vec<String> = detail
            .callable_times
            .iter()
            .map(|w| format!("{}-{}", w.start, w.end))
            .collect();
        push("CallableTime", windows.join(" "));
    }
    if let Some(kind) = detail.call_expire_type.filter(|&k| k != 0) {
        push("CallExpireType", kind.to_string());
    }
    if let Some(minutes) = detail.call_expire_minutes {
        push("CallExpireMinutes", minutes.to_string());
    }
    if let Some(date) = &detail.call_expire_date {
        push("CallExpireDate", date.clone());
    }
    if let Some(kind) = detail.phone_type.filter(|&k| k != 0) {
        push("PhoneType", kind.to_string());
    }
    if let Some(number) = &detail.line_phone_num {
        push("LinePhoneNum", number.clone());
    }
    if let Some(encoding) = &detail.line_encoding {
        push("LineEncoding", encoding.clone());
    }
    out
}

/// The words as values, sorted into canonical order without repeats; `None`
/// when any word is unknown.
fn canonical<T: FromStr + Ord>(words: &[String]) -> Option<Vec<T>> {
    let mut values = words
        .iter()
        .map(|w| w.parse::<T>().ok())
        .collect::<Option<Vec<T>>>()?;
    values.sort();
    values.dedup();
    Some(values)
}

/// The account's windows, sorted without repeats; `None` when any end is
/// not a time of day (`09:00` and `09:00:00` are one time).
fn windows(reported: &[CallWindow]) -> Option<Vec<Window>> {
    let time = |text: &str| text.trim().parse::<TimeOfDay>().ok();
    let mut windows = reported
        .iter()
        .map(|w| {
            Some(Window {
                start: time(&w.start)?,
                end: time(&w.end)?,
            })
        })
        .collect::<Option<Vec<Window>>>()?;
    windows.sort();
    windows.dedup();
    Some(windows)
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::testing::{config, start_ms};

    #[test]
    fn a_create_request_carries_every_field() {
        let request = create_request("外呼 测试*~(1)", &config());
        assert_eq!(request.agent_id.as_deref(), Some("118012345678901234"));
        let s = &request.settings;
        assert_eq!(s.task_name, "外呼 测试*~(1)");
        assert_eq!(s.start_type, StartType::Schedule);
        assert_eq!(s.task_start_time, Some(start_ms()));
        assert_eq!(s.virtual_number.as_deref(), Some("0327121220001"));
        assert_eq!(s.task_cps, Some(50));
        assert_eq!(s.miss_call_retry, Some(true));
        assert_eq!(s.call_retry_reasons, ["USER_BUSY", "NO_ANSWER"]);
        assert_eq!(s.call_days, ["MONDAY", "FRIDAY"]);
        assert_eq!(
            (s.call_retry_times, s.call_retry_interval),
            (Some(2), Some(30))
        );
        assert_eq!(s.call_times[1], CallWindow::new("14:00:00", "18:00:00"));
    }

    #[test]
    fn no_retry_is_sent_as_false_and_unset_concurrency_not_at_all() {
        let mut config = config();
        config.retry = Some(Retry::Off);
        config.concurrency = None;
        config.start = Some(Start::Immediate);
        let s = create_request("a", &config).settings;
        assert_eq!(s.miss_call_retry, Some(false));
        assert!(s.call_retry_reasons.is_empty());
        assert_eq!((s.task_cps, s.task_start_time), (None, None));
        assert_eq!(s.start_type, StartType::Immediate);
    }

    #[test]
    fn an_update_sends_everything_but_the_agent_and_keeps_unmanaged_values() {
        let mut desired = config();
        desired.concurrency = None;
        let mut account = config();
        account.concurrency = Some(77);
        let id = TaskId::new("118700000000000001").expect("an ID");
        let update = update_request(&id, "新名字", &desired, &account);
        assert_eq!(update.task_id, id);
        let s = &update.settings;
        assert_eq!(s.task_name, "新名字");
        assert_eq!(s.task_cps, Some(77), "the account's concurrency stays");
        assert_eq!(s.call_days, ["MONDAY", "FRIDAY"]);
        assert_eq!(s.miss_call_retry, Some(true));
        desired.concurrency = Some(5);
        assert_eq!(
            update_request(&id, "a", &desired, &account)
                .settings
                .task_cps,
            Some(5)
        );
    }

    #[test]
    fn an_update_keeps_the_settings_no_manifest_field_expresses() {
        let id = TaskId::new("118700000000000001").expect("an ID");
        let mut update = update_request(&id, "a", &config(), &config());
        let detail = TaskDetail {
            call_expire_type: Some(1),
            call_expire_minutes: Some(90),
            line_phone_num: Some("02100000000".to_owned()),
            phone_type: Some(1),
            callable_times: vec![CallWindow::new("08:00:00", "20:00:00")],
            ..TaskDetail::default()
        };
        keep_unexpressed(&mut update, &detail);
        let s = &update.settings;
        assert_eq!(
            (s.call_expire_type, s.call_expire_minutes),
            (Some(1), Some(90))
        );
        assert_eq!(s.line_phone_num.as_deref(), Some("02100000000"));
        assert_eq!(s.phone_type, Some(1));
        assert_eq!(s.callable_times, [CallWindow::new("08:00:00", "20:00:00")]);
    }

    #[test]
    fn a_detail_is_normalised_like_the_manifest() {
        let detail = TaskDetail {
            agent_id: Some("118012345678901234".to_owned()),
            caller_number: Some("0327121220001".to_owned()),
            start_type: Some(StartType::Schedule),
            start_time: Some(start_ms()),
            concurrent_count: Some(50),
            call_days: vec!["FRIDAY".to_owned(), "MONDAY".to_owned()],
            call_times: vec![
                CallWindow::new("14:00", "18:00"),
                CallWindow::new("09:00:00", "12:00:00"),
            ],
            retry_enable: Some(true),
            retry_count: Some(2),
            retry_interval: Some(30),
            retry_reasons: vec!["NO_ANSWER".to_owned(), "USER_BUSY".to_owned()],
            ..TaskDetail::default()
        };
        let observed = observed_config(&detail);
        assert!(
            crate::plan::diff::compare(&config(), &observed).matches(),
            "{observed:#?}"
        );
    }

    #[test]
    fn retry_off_with_leftovers_is_off() {
        let detail = TaskDetail {
            retry_enable: Some(false),
            retry_count: Some(3),
            retry_reasons: vec!["NO_ANSWER".to_owned()],
            ..TaskDetail::default()
        };
        assert_eq!(observed_config(&detail).retry, Some(Retry::Off));
    }

    #[test]
    fn words_and_times_aicall_does_not_know_are_not_compared() {
        let detail = TaskDetail {
            call_days: vec!["MONDAY".to_owned(), "FUNDAY".to_owned()],
            call_times: vec![CallWindow::new("9h", "12:00")],
            retry_enable: Some(true),
            retry_reasons: vec!["BORED".to_owned()],
            ..TaskDetail::default()
        };
        let observed = observed_config(&detail);
        assert_eq!(
            (observed.call_days, observed.call_windows, observed.retry),
            (None, None, None)
        );
    }

    #[test]
    fn unreported_fields_stay_unknown() {
        let observed = observed_config(&TaskDetail::default());
        assert_eq!(
            observed,
            TaskConfig {
                agent_id: None,
                virtual_number: None,
                start: None,
                concurrency: None,
                call_days: None,
                call_windows: None,
                retry: None,
            }
        );
    }

    #[test]
    fn an_account_task_names_what_it_cannot_read_or_express() {
        let summary: TaskSummary =
            serde_json::from_str(r#"{"TaskId":"118700000000000001","TaskName":"t","Status":3}"#)
                .expect("a summary");
        let detail = TaskDetail {
            start_type: Some(StartType::Other("LATER".to_owned())),
            call_days: vec!["FUNDAY".to_owned()],
            call_times: vec![CallWindow::new("9h", "12:00")],
            callable_times: vec![CallWindow::new("08:00:00", "20:00:00")],
            retry_enable: Some(true),
            retry_reasons: vec!["BORED".to_owned()],
            call_expire_type: Some(1),
            call_expire_minutes: Some(30),
            phone_type: Some(0),
            line_encoding: Some("utf-8".to_owned()),
            ..TaskDetail::default()
        };
        let task = account_task(&summary, &detail);
        assert_eq!(task.observed.status, Some(TaskStatus::Failed));
        assert_eq!(
            task.unreadable,
            [
                Field::Start,
                Field::CallDays,
                Field::CallWindows,
                Field::Retry
            ]
        );
        let names: Vec<&str> = task.unexpressed.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(
            names,
            [
                "CallableTime",
                "CallExpireType",
                "CallExpireMinutes",
                "LineEncoding"
            ]
        );
        let plain = account_task(&summary, &TaskDetail::default());
        assert!(plain.unreadable.is_empty() && plain.unexpressed.is_empty());
    }
}
