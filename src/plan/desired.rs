//! From the manifests' validated tasks to the plan's desired tasks.
//!
//! Both are in manifest words; this only normalises to the plan's
//! comparable shape (days and reasons in canonical order as strings,
//! windows as `HH:MM:SS`, a scheduled start as an instant plus its written
//! form).

use crate::manifest::model::{Retry as SpecRetry, Start, TaskSpec};

use super::model::{DesiredTask, Retry, Source, StartConfig, TaskConfig, WindowConfig};

/// The plan's view of one validated manifest task.
pub fn desired_task(spec: &TaskSpec) -> DesiredTask {
    DesiredTask {
        name: spec.name.clone(),
        config: TaskConfig {
            agent_id: Some(spec.agent_id.clone()),
            virtual_number: Some(spec.virtual_number.clone()),
            start: Some(match &spec.start {
                Start::Immediate => StartConfig::Immediate,
                Start::At(scheduled) => StartConfig::Scheduled {
                    at: scheduled.written.clone(),
                    at_ms: scheduled.at.as_millisecond(),
                },
            }),
            concurrency: spec.concurrency,
            call_days: Some(
                spec.call_days
                    .iter()
                    .map(|d| d.as_str().to_owned())
                    .collect(),
            ),
            call_windows: Some(
                spec.call_windows
                    .iter()
                    .map(|w| WindowConfig {
                        start: w.start.to_string(),
                        end: w.end.to_string(),
                    })
                    .collect(),
            ),
            retry: Some(match &spec.retry {
                None => Retry::Off,
                Some(SpecRetry {
                    reasons,
                    times,
                    interval_minutes,
                }) => Retry::On {
                    reasons: reasons.iter().map(|r| r.as_str().to_owned()).collect(),
                    times: u32::from(*times),
                    interval_minutes: u32::from(*interval_minutes),
                },
            }),
        },
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
            Some(vec!["MONDAY".to_owned(), "FRIDAY".to_owned()])
        );
        assert_eq!(
            task.config.call_windows.as_deref().map(|w| w[0].clone()),
            Some(WindowConfig {
                start: "09:00:00".to_owned(),
                end: "12:00:30".to_owned()
            })
        );
        assert_eq!(
            task.config.start,
            Some(StartConfig::Scheduled {
                at: "2030-12-01T09:00:00+08:00".to_owned(),
                at_ms: "2030-12-01T01:00:00Z"
                    .parse::<jiff::Timestamp>()
                    .unwrap()
                    .as_millisecond(),
            })
        );
        assert_eq!(
            task.config.retry,
            Some(Retry::On {
                reasons: vec!["USER_BUSY".to_owned(), "NO_ANSWER".to_owned()],
                times: 2,
                interval_minutes: 30,
            })
        );
        assert_eq!((task.source.line, task.source.column), (4, 11));
    }
}
