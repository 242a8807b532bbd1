//! Building a plan from the manifests' tasks and the account's, with no I/O.
//!
//! Identity is the exact task name (case-sensitive, no trimming): the API's
//! own name filter is a fuzzy, case-insensitive substring match
//! (`aiccs-api.md` §3.3), so whoever reads the account must hand over only
//! the tasks whose name matches a manifest name exactly.

use std::collections::HashMap;

use jiff::Timestamp;

use super::diff;
use super::model::{
    Action, DesiredTask, FORMAT_VERSION, ObservedTask, Plan, StartConfig, Summary, Target,
    TaskEntry, UnmanagedTask,
};
use super::saved::manifest_digest;

/// What a plan is built from.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// The manifests' tasks, in manifest order, names unique.
    pub desired: &'a [DesiredTask],
    /// Every account task whose exact name is one of the desired names.
    pub observed: &'a [ObservedTask],
    /// How many account tasks no manifest names.
    pub unmanaged_count: u64,
    /// The account's unmanaged tasks, when they are to be listed.
    pub unmanaged: Option<Vec<UnmanagedTask>>,
    /// Where the plan is made against.
    pub target: Target,
    /// The current time: scheduled starts must lie after it.
    pub now: Timestamp,
}

/// Why no plan can be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// Two or more account tasks carry one name, so identity is ambiguous.
    #[error("the account holds {} tasks named `{name}` (IDs {}): names must identify one task", task_ids.len(), task_ids.join(", "))]
    DuplicateName {
        /// The name.
        name: String,
        /// The IDs of the tasks that carry it.
        task_ids: Vec<String>,
    },
    /// A task to be created would start in the past, which the API refuses.
    #[error("task `{name}` would start at {at}, which is already past (now {now})")]
    StartInPast {
        /// The task.
        name: String,
        /// Its start, as the manifest wrote it.
        at: String,
        /// The current time, RFC 3339 UTC.
        now: String,
        /// Where the task is declared.
        location: super::model::Source,
    },
}

/// Builds the plan, or every reason it cannot be built.
pub fn build(inputs: Inputs<'_>) -> Result<Plan, Vec<PlanError>> {
    let mut by_name: HashMap<&str, Vec<&ObservedTask>> = HashMap::new();
    for task in inputs.observed {
        by_name.entry(task.name.as_str()).or_default().push(task);
    }

    let mut errors = Vec::new();
    let mut summary = Summary::default();
    let mut entries = Vec::with_capacity(inputs.desired.len());
    for desired in inputs.desired {
        let found = by_name
            .get(desired.name.as_str())
            .map(Vec::as_slice)
            .unwrap_or_default();
        match found {
            [] => {
                if let Some(StartConfig::Scheduled { at, at_ms }) = &desired.config.start
                    && *at_ms <= inputs.now.as_millisecond()
                {
                    errors.push(PlanError::StartInPast {
                        name: desired.name.clone(),
                        at: at.clone(),
                        now: inputs.now.to_string(),
                        location: desired.source.clone(),
                    });
                }
                summary.create += 1;
                entries.push(entry(desired, Action::Create, None, Default::default()));
            }
            [observed] => {
                let comparison = diff::compare(&desired.config, &observed.config);
                let action = if comparison.matches() {
                    summary.unchanged += 1;
                    Action::Unchanged
                } else {
                    summary.drifted += 1;
                    Action::Drift
                };
                entries.push(entry(desired, action, Some(observed), comparison));
            }
            several => {
                let mut task_ids: Vec<String> = several.iter().map(|t| t.task_id.clone()).collect();
                task_ids.sort();
                errors.push(PlanError::DuplicateName {
                    name: desired.name.clone(),
                    task_ids,
                });
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    summary.unmanaged = inputs.unmanaged_count;
    Ok(Plan {
        format_version: FORMAT_VERSION.to_owned(),
        made_at: inputs.now.to_string(),
        target: inputs.target,
        manifest_digest: manifest_digest(inputs.desired),
        summary,
        tasks: entries,
        unmanaged: inputs.unmanaged,
    })
}

fn entry(
    desired: &DesiredTask,
    action: Action,
    observed: Option<&ObservedTask>,
    comparison: diff::Comparison,
) -> TaskEntry {
    TaskEntry {
        name: desired.name.clone(),
        action,
        source: desired.source.clone(),
        task_id: observed.map(|o| o.task_id.clone()),
        status: observed.and_then(|o| o.status.clone()),
        desired: desired.config.clone(),
        changes: comparison.changes,
        unverified: comparison.unverified,
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::plan::model::{Retry, Source, TaskConfig, WindowConfig};

    pub(crate) fn desired(name: &str, line: usize) -> DesiredTask {
        DesiredTask {
            name: name.to_owned(),
            config: TaskConfig {
                agent_id: Some("118012345678901234".to_owned()),
                virtual_number: Some("0327121220001".to_owned()),
                start: Some(StartConfig::Immediate),
                concurrency: Some(50),
                call_days: Some(vec!["MONDAY".to_owned(), "TUESDAY".to_owned()]),
                call_windows: Some(vec![WindowConfig {
                    start: "09:00:00".to_owned(),
                    end: "12:00:00".to_owned(),
                }]),
                retry: Some(Retry::Off),
            },
            source: Source {
                file: "campaigns/renewals.yaml".to_owned(),
                line,
                column: 11,
            },
        }
    }

    pub(crate) fn observed(task: &DesiredTask, id: &str) -> ObservedTask {
        ObservedTask {
            task_id: id.to_owned(),
            name: task.name.clone(),
            status: Some("RUNNING".to_owned()),
            config: task.config.clone(),
        }
    }

    pub(crate) fn target() -> Target {
        Target {
            endpoint: "http://127.0.0.1:4000".to_owned(),
            access_key: "aica****-key".to_owned(),
            account_fingerprint: "0123456789abcdef".to_owned(),
        }
    }

    pub(crate) fn now() -> Timestamp {
        "2026-11-24T08:00:00Z".parse().expect("valid timestamp")
    }

    fn inputs<'a>(
        desired: &'a [DesiredTask],
        observed: &'a [ObservedTask],
        unmanaged_count: u64,
    ) -> Inputs<'a> {
        Inputs {
            desired,
            observed,
            unmanaged_count,
            unmanaged: None,
            target: target(),
            now: now(),
        }
    }

    #[test]
    fn missing_tasks_are_created_and_matching_ones_unchanged() {
        let desired = [desired("a", 5), desired("b", 9)];
        let observed = [observed(&desired[1], "118700000000000002")];
        let plan = build(inputs(&desired, &observed, 39)).expect("plan");
        assert_eq!(
            plan.summary,
            Summary {
                create: 1,
                drifted: 0,
                unchanged: 1,
                unmanaged: 39
            }
        );
        assert_eq!(plan.tasks[0].action, Action::Create);
        assert_eq!(plan.tasks[1].action, Action::Unchanged);
        assert_eq!(plan.tasks[1].task_id.as_deref(), Some("118700000000000002"));
        assert!(plan.summary.has_changes());
    }

    #[test]
    fn a_differing_task_is_drift_not_an_action() {
        let desired = [desired("a", 5)];
        let mut existing = observed(&desired[0], "118700000000000001");
        existing.config.concurrency = Some(10);
        let plan = build(inputs(&desired, &[existing], 0)).expect("plan");
        assert_eq!(
            plan.summary,
            Summary {
                create: 0,
                drifted: 1,
                unchanged: 0,
                unmanaged: 0
            }
        );
        assert!(!plan.summary.has_changes());
        assert_eq!(plan.tasks[0].changes[0].field, "concurrency");
    }

    #[test]
    fn two_account_tasks_with_one_name_are_an_error_naming_both_ids() {
        let desired = [desired("a", 5)];
        let observed = [
            observed(&desired[0], "118700000000000009"),
            observed(&desired[0], "118700000000000003"),
        ];
        let errors = build(inputs(&desired, &observed, 2)).expect_err("ambiguous");
        assert_eq!(
            errors[0].to_string(),
            "the account holds 2 tasks named `a` (IDs 118700000000000003, 118700000000000009): \
             names must identify one task"
        );
    }

    #[test]
    fn a_create_scheduled_in_the_past_is_an_error() {
        let mut task = desired("late", 7);
        task.config.start = Some(StartConfig::Scheduled {
            at: "2026-11-01T09:00:00+08:00".to_owned(),
            at_ms: "2026-11-01T01:00:00Z"
                .parse::<Timestamp>()
                .expect("ts")
                .as_millisecond(),
        });
        let errors = build(inputs(&[task], &[], 0)).expect_err("past");
        assert_eq!(
            errors[0].to_string(),
            "task `late` would start at 2026-11-01T09:00:00+08:00, which is already past \
             (now 2026-11-24T08:00:00Z)"
        );
    }

    #[test]
    fn an_existing_task_scheduled_in_the_past_is_fine() {
        let mut task = desired("ran", 7);
        task.config.start = Some(StartConfig::Scheduled {
            at: "2026-11-01T09:00:00+08:00".to_owned(),
            at_ms: 1_793_494_800_000,
        });
        let existing = observed(&task, "118700000000000001");
        let plan = build(inputs(&[task], &[existing], 1)).expect("plan");
        assert_eq!(plan.summary.unchanged, 1);
    }
}
