//! Building a plan from the manifests' tasks and the account's, with no I/O.
//!
//! Identity is the exact task name (case-sensitive, no trimming): the API's
//! own name filter is a fuzzy, case-insensitive substring match
//! (`aiccs-api.md` §3.3), so whoever reads the account must hand over only
//! the tasks whose name matches a manifest name exactly.

use std::collections::HashMap;

use jiff::Timestamp;

use crate::diag::Code;

use super::diff;
use super::model::{
    Action, DesiredTask, FORMAT_VERSION, ObservedTask, Plan, Start, Step, Summary, Target,
    TaskEntry, UnmanagedTask, shown_time,
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
        /// Its start, in the manifest's offset.
        at: String,
        /// The current time, RFC 3339 UTC to the second.
        now: String,
        /// Where the task is declared.
        location: super::model::Source,
    },
}

impl PlanError {
    /// The error's code, from the same registry as manifest diagnostics.
    pub fn code(&self) -> Code {
        match self {
            PlanError::DuplicateName { .. } => Code::DuplicateInAccount,
            PlanError::StartInPast { .. } => Code::StartInPast,
        }
    }

    /// Where in the manifests the problem is, when it is in one place.
    pub fn location(&self) -> Option<&super::model::Source> {
        match self {
            PlanError::DuplicateName { .. } => None,
            PlanError::StartInPast { location, .. } => Some(location),
        }
    }
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
                if let Some(Start::Scheduled(start)) = &desired.config.start
                    && start.at_ms <= inputs.now.as_millisecond()
                {
                    errors.push(PlanError::StartInPast {
                        name: desired.name.clone(),
                        at: start.rfc3339(),
                        now: shown_time(inputs.now),
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
        made_at: shown_time(inputs.now),
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
    let steps = match action {
        Action::Create => vec![Step::Create],
        Action::Drift | Action::Unchanged => Vec::new(),
    };
    TaskEntry {
        name: desired.name.clone(),
        action,
        steps,
        source: desired.source.clone(),
        task_id: observed.map(|o| o.task_id.clone()),
        status: observed.and_then(|o| o.status),
        desired: desired.config.clone(),
        account: observed
            .filter(|_| !comparison.changes.is_empty())
            .map(|o| o.config.clone()),
        changes: comparison.changes,
        unverified: comparison.unverified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::field::Field;
    use crate::plan::model::ScheduledStart;
    use crate::testing::{desired, inputs, observed};

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
        assert_eq!(plan.tasks[0].steps, [Step::Create]);
        assert_eq!(plan.tasks[1].action, Action::Unchanged);
        assert!(plan.tasks[1].steps.is_empty());
        assert_eq!(plan.tasks[1].task_id.as_deref(), Some("118700000000000002"));
        assert_eq!(plan.tasks[1].account, None);
        assert!(plan.summary.has_changes());
    }

    #[test]
    fn a_differing_task_is_drift_not_an_action() {
        let desired = [desired("a", 5)];
        let mut existing = observed(&desired[0], "118700000000000001");
        existing.config.concurrency = Some(10);
        let plan = build(inputs(&desired, &[existing.clone()], 0)).expect("plan");
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
        assert!(plan.tasks[0].steps.is_empty());
        assert_eq!(plan.tasks[0].changes, [Field::Concurrency]);
        assert_eq!(plan.tasks[0].account.as_ref(), Some(&existing.config));
    }

    #[test]
    fn two_account_tasks_with_one_name_are_an_error_naming_both_ids() {
        let desired = [desired("a", 5)];
        let observed = [
            observed(&desired[0], "118700000000000009"),
            observed(&desired[0], "118700000000000003"),
        ];
        let errors = build(inputs(&desired, &observed, 2)).expect_err("ambiguous");
        assert_eq!(errors[0].code(), Code::DuplicateInAccount);
        assert_eq!(
            errors[0].to_string(),
            "the account holds 2 tasks named `a` (IDs 118700000000000003, 118700000000000009): \
             names must identify one task"
        );
    }

    fn starting_at(name: &str, at: &str, offset_hours: i32) -> DesiredTask {
        let mut task = desired(name, 7);
        task.config.start = Some(Start::Scheduled(ScheduledStart {
            at_ms: at.parse::<Timestamp>().expect("ts").as_millisecond(),
            offset_seconds: offset_hours * 3600,
        }));
        task
    }

    #[test]
    fn a_create_scheduled_in_the_past_is_an_error() {
        let task = starting_at("late", "2026-11-01T01:00:00Z", 8);
        let mut inputs = inputs(std::slice::from_ref(&task), &[], 0);
        inputs.now = "2026-11-24T08:00:00.123456789Z".parse().expect("ts");
        let errors = build(inputs).expect_err("past");
        assert_eq!(errors[0].code(), Code::StartInPast);
        assert_eq!(
            errors[0].to_string(),
            "task `late` would start at 2026-11-01T09:00:00+08:00, which is already past \
             (now 2026-11-24T08:00:00Z)"
        );
    }

    #[test]
    fn an_existing_task_scheduled_in_the_past_is_fine() {
        let task = starting_at("ran", "2026-11-01T01:00:00Z", 8);
        let existing = observed(&task, "118700000000000001");
        let plan = build(inputs(&[task], &[existing], 1)).expect("plan");
        assert_eq!(plan.summary.unchanged, 1);
    }

    #[test]
    fn the_plan_is_stamped_to_the_second() {
        let mut inputs = inputs(&[], &[], 0);
        inputs.now = "2026-11-24T08:00:00.987654321Z".parse().expect("ts");
        assert_eq!(build(inputs).expect("plan").made_at, "2026-11-24T08:00:00Z");
    }
}
