//! The one place where manifest words meet API words.
//!
//! | manifest / plan | CreateAiCallTask | QueryAiCallTaskDetail |
//! |---|---|---|
//! | name | TaskName | TaskName |
//! | agentId | AgentId | AgentId |
//! | virtualNumber | VirtualNumber | CallerNumber (inferred, §3.4) |
//! | start: immediate | StartType=IMMEDIATE | StartType |
//! | start.at | StartType=SCHEDULE, TaskStartTime (ms) | StartType, StartTime |
//! | concurrency | TaskCps | ConcurrentCount |
//! | callDays | CallDay | CallDays |
//! | callWindows | CallTime | CallTimes |
//! | retry | MissCallRetry, CallRetryReason, CallRetryTimes, CallRetryInterval | RetryEnable, RetryReasons, RetryCount, RetryInterval |
//!
//! Reading the account normalises what it reports exactly as the manifest
//! side is normalised (day and reason order, `HH:MM:SS`), so that a task that
//! matches compares equal.

use crate::manifest::model::{RetryReason, Weekday};
use crate::plan::model::{ObservedTask, Retry, StartConfig, TaskConfig, WindowConfig};

use super::types::{
    CallWindow, CreateTask, StartType, TaskDetail, TaskId, TaskSettings, TaskStatus, TaskSummary,
};

/// The CreateAiCallTask request for a desired task.
pub fn create_request(name: &str, config: &TaskConfig) -> CreateTask {
    let (start_type, task_start_time) = match &config.start {
        Some(StartConfig::Scheduled { at_ms, .. }) => (StartType::Schedule, Some(*at_ms)),
        Some(StartConfig::Immediate) | None => (StartType::Immediate, None),
    };
    let mut settings = TaskSettings::new(
        name,
        start_type,
        config.call_days.clone().unwrap_or_default(),
        config
            .call_windows
            .iter()
            .flatten()
            .map(|w| CallWindow::new(w.start.clone(), w.end.clone()))
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
            settings.call_retry_reasons = reasons.clone();
            settings.call_retry_times = Some(*times);
            settings.call_retry_interval = Some(*interval_minutes);
        }
        // "No retry" is said explicitly rather than left to a default.
        Some(Retry::Off) | None => settings.miss_call_retry = Some(false),
    }
    CreateTask {
        agent_id: config.agent_id.clone(),
        application_code: None,
        settings,
    }
}

/// What the account reports about a task, in the plan's comparable shape.
pub fn observed_task(
    id: &TaskId,
    name: &str,
    status: Option<TaskStatus>,
    detail: &TaskDetail,
) -> ObservedTask {
    ObservedTask {
        task_id: id.to_string(),
        name: name.to_owned(),
        status: status.map(|s| s.to_string()),
        config: observed_config(detail),
    }
}

/// The configuration a detail reports. Fields it leaves out stay `None`
/// (not reported, so not compared).
pub fn observed_config(detail: &TaskDetail) -> TaskConfig {
    let start = match (&detail.start_type, detail.start_time) {
        (Some(StartType::Immediate), _) => Some(StartConfig::Immediate),
        (Some(StartType::Schedule), Some(ms)) => Some(StartConfig::Scheduled {
            at: jiff::Timestamp::from_millisecond(ms)
                .map(|ts| ts.to_string())
                .unwrap_or_else(|_| ms.to_string()),
            at_ms: ms,
        }),
        _ => None,
    };
    let retry = match detail.retry_enable {
        // Retry off with leftover reasons or counts is still off.
        Some(false) => Some(Retry::Off),
        Some(true) => Some(Retry::On {
            reasons: canonical(&detail.retry_reasons, RetryReason::WORDS),
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
        call_days: (!detail.call_days.is_empty())
            .then(|| canonical(&detail.call_days, Weekday::WORDS)),
        call_windows: (!detail.call_times.is_empty()).then(|| {
            let mut windows: Vec<WindowConfig> = detail
                .call_times
                .iter()
                .map(|w| WindowConfig {
                    start: clock(&w.start),
                    end: clock(&w.end),
                })
                .collect();
            windows.sort();
            windows.dedup();
            windows
        }),
        retry,
    }
}

/// The exact-name matches among fuzzy page results (§3.3: the API's
/// `TaskName` filter is a case-insensitive substring match).
pub fn exact_matches<'a>(
    name: &'a str,
    items: &'a [TaskSummary],
) -> impl Iterator<Item = &'a TaskSummary> {
    items
        .iter()
        .filter(move |item| item.task_name.as_deref() == Some(name))
}

/// Known values in their canonical order, unknown ones after them as
/// reported; duplicates dropped.
fn canonical(values: &[String], order: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = order
        .iter()
        .filter(|known| values.iter().any(|v| v == *known))
        .map(|known| (*known).to_owned())
        .collect();
    for value in values {
        if !out.contains(value) {
            out.push(value.clone());
        }
    }
    out
}

/// `09:00` and `09:00:00` are one time; the account's side is written
/// `HH:MM:SS` like the manifest's.
fn clock(text: &str) -> String {
    let parts: Vec<&str> = text.trim().split(':').collect();
    match parts.as_slice() {
        [h, m] => format!("{h:0>2}:{m:0>2}:00"),
        [h, m, s] => format!("{h:0>2}:{m:0>2}:{s:0>2}"),
        _ => text.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::plan::model::fixtures::{config, start_ms};

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
        config.start = Some(StartConfig::Immediate);
        let s = create_request("a", &config).settings;
        assert_eq!(s.miss_call_retry, Some(false));
        assert!(s.call_retry_reasons.is_empty());
        assert_eq!((s.task_cps, s.task_start_time), (None, None));
        assert_eq!(s.start_type, StartType::Immediate);
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
        let desired = config();
        assert!(
            crate::plan::diff::compare(&desired, &observed).matches(),
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
}
