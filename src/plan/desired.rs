//! From the manifests' validated tasks to the plan's desired tasks.
//!
//! Both are in manifest terms; this only normalises to the plan's
//! comparable shape: days and reasons in canonical order, windows sorted,
//! a scheduled start as the instant sent plus the offset it was written in.

use crate::manifest::model::{Retry as SpecRetry, Start as SpecStart, TaskSpec};

use super::model::{DesiredTask, Retry, ScheduledStart, Source, Start, TaskConfig};

/// The plan's view of one validated manifest task.
pub fn desired_task(spec: &TaskSpec) -> DesiredTask {
    DesiredTask {
        name: spec.name.clone(),
        config: TaskConfig {
            agent_id: Some(spec.agent_id.clone()),
            virtual_number: Some(spec.virtual_number.clone()),
            start: Some(match &spec.start {
                SpecStart::Immediate => Start::Immediate,
                SpecStart::At(scheduled) => Start::Scheduled(ScheduledStart {
                    at_ms: scheduled.at.as_millisecond(),
                    offset_seconds: scheduled.at.offset().seconds(),
                }),
            }),
            concurrency: spec.concurrency,
            call_days: Some(spec.call_days.clone()),
            call_windows: Some(spec.call_windows.clone()),
            retry: Some(match &spec.retry {
                None => Retry::Off,
                Some(SpecRetry {
                    reasons,
                    times,
                    interval_minutes,
                }) => Retry::On {
                    reasons: reasons.clone(),
                    times: u32::from(*times),
                    interval_minutes: u32::from(*interval_minutes),
                },
            }),
        },
        status: spec.status,
        renamed_from: spec.renamed_from.clone(),
        source: Source {
            file: spec.origin.file.display().to_string(),
            line: spec.origin.line as usize,
            column: spec.origin.column as usize,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::load_texts;
    use crate::manifest::model::{RetryReason, Weekday};

    #[test]
    fn a_manifest_task_becomes_a_normalised_desired_task() {
        let text = r#"
version: 1
tasks:
  - name: 续费提醒
    agentId: "118012345678901234"
    virtualNumber: "0327121220001"
    start: { at: "2030-12-01T09:00:00+08:00" }
    callDays: [FRIDAY, MONDAY]
    callWindows:
      - { start: "14:00", end: "18:00" }
      - { start: "09:00", end: "12:00:30" }
    retry: { reasons: [NO_ANSWER, USER_BUSY], times: 2, intervalMinutes: 30 }
"#;
        let loaded = load_texts(vec![("m.yaml".into(), text.to_owned())], &|_| None);
        assert!(!loaded.has_errors(), "{:?}", loaded.diagnostics);
        let task = desired_task(&loaded.tasks[0]);
        assert_eq!(task.name, "续费提醒");
        assert_eq!(
            task.config.call_days,
            Some(vec![Weekday::Monday, Weekday::Friday])
        );
        let windows = task.config.call_windows.as_deref().unwrap_or_default();
        assert_eq!(
            (windows[0].start.to_string(), windows[0].end.to_string()),
            ("09:00:00".to_owned(), "12:00:30".to_owned())
        );
        let Some(Start::Scheduled(start)) = task.config.start else {
            panic!("a scheduled start: {:?}", task.config.start);
        };
        assert_eq!(
            start.at_ms,
            "2030-12-01T01:00:00Z"
                .parse::<jiff::Timestamp>()
                .unwrap()
                .as_millisecond()
        );
        assert_eq!(start.rfc3339(), "2030-12-01T09:00:00+08:00");
        assert_eq!(
            task.config.retry,
            Some(Retry::On {
                reasons: vec![RetryReason::UserBusy, RetryReason::NoAnswer],
                times: 2,
                interval_minutes: 30,
            })
        );
        assert_eq!((task.source.line, task.source.column), (4, 11));
    }
}
