//! Building a plan from the manifests' tasks and the account's, with no I/O.
//!
//! Identity is the exact task name (case-sensitive, no trimming): the API's
//! own name filter is a fuzzy, case-insensitive substring match
//! (`aiccs-api.md` §3.3), so whoever reads the account must hand over only
//! the tasks whose name matches a manifest name (or an old name a manifest
//! lists in `renamedFrom`) exactly. What is done with each task found is
//! decided by [`super::decide`].

use std::collections::HashMap;

use jiff::Timestamp;

use crate::diag::Code;

use super::decide;
use super::diff::Comparison;
use super::model::{
    Action, DeclaredStatus, DesiredTask, FORMAT_VERSION, ObservedTask, Plan, Source, Start,
    Summary, Target, TaskEntry, UnmanagedTask, shown_time,
};
use super::saved::manifest_digest;

/// What a plan is built from.
#[derive(Debug, Clone)]
pub struct Inputs<'a> {
    /// The manifests' tasks, in manifest order, names unique.
    pub desired: &'a [DesiredTask],
    /// Every account task whose exact name is one of the desired names or
    /// of their old names.
    pub observed: &'a [ObservedTask],
    /// How many account tasks no manifest names.
    pub unmanaged_count: u64,
    /// The account's unmanaged tasks, when they are to be listed.
    pub unmanaged: Option<Vec<UnmanagedTask>>,
    /// Where the plan is made against.
    pub target: Target,
    /// The current time: scheduled starts must lie after it.
    pub now: Timestamp,
    /// Whether a running task may be stopped, updated and started again.
    pub allow_restart: bool,
    /// The `--target` patterns `desired` was selected by; empty: every
    /// manifest task. A targeted plan counts no unmanaged task
    /// (`super::target`).
    pub targets: Vec<String>,
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
        location: Source,
    },
    /// A renamed task's name and old names are carried by more than one
    /// account task: which one is meant cannot be told.
    #[error("task `{name}` is renamed from {}, but the account holds {}: only one may exist", crate::diag::backticked(old_names), found.iter().map(|(n, id)| format!("`{n}` (task {id})")).collect::<Vec<_>>().join(" and "))]
    RenameConflict {
        /// The task.
        name: String,
        /// Its old names.
        old_names: Vec<String>,
        /// The account tasks found, name and ID.
        found: Vec<(String, String)>,
        /// Where the task is declared.
        location: Source,
    },
    /// A task to create is declared stopped but starts at once: creating it
    /// would start calling before it could be stopped.
    #[error(
        "task `{name}` is declared `stopped` but starts `immediate`: creating it would start calling at once"
    )]
    StoppedImmediate {
        /// The task.
        name: String,
        /// Where the task is declared.
        location: Source,
    },
}

impl PlanError {
    /// The error's code, from the same registry as manifest diagnostics.
    pub fn code(&self) -> Code {
        match self {
            PlanError::DuplicateName { .. } => Code::DuplicateInAccount,
            PlanError::StartInPast { .. } => Code::StartInPast,
            PlanError::RenameConflict { .. } => Code::RenameConflict,
            PlanError::StoppedImmediate { .. } => Code::StoppedImmediate,
        }
    }

    /// Where in the manifests the problem is, when it is in one place.
    pub fn location(&self) -> Option<&Source> {
        match self {
            PlanError::DuplicateName { .. } => None,
            PlanError::StartInPast { location, .. }
            | PlanError::RenameConflict { location, .. }
            | PlanError::StoppedImmediate { location, .. } => Some(location),
        }
    }
}

/// Builds the plan, or every reason it cannot be built.
pub fn build(inputs: Inputs<'_>) -> Result<Plan, Vec<PlanError>> {
    let mut by_name: HashMap<&str, Vec<&ObservedTask>> = HashMap::new();
    for task in inputs.observed {
        by_name.entry(task.name.as_str()).or_default().push(task);
    }
    let named = |name: &str| -> &[&ObservedTask] {
        by_name.get(name).map(Vec::as_slice).unwrap_or_default()
    };

    let mut errors = Vec::new();
    let mut entries = Vec::with_capacity(inputs.desired.len());
    for desired in inputs.desired {
        let found = named(&desired.name);
        let old: Vec<&ObservedTask> = desired
            .renamed_from
            .iter()
            .flat_map(|old| named(old).iter().copied())
            .collect();
        let existing = match (found, old.as_slice()) {
            ([], []) => None,
            ([one], []) | ([], [one]) => Some(*one),
            ([_, _, ..], _) => {
                let mut task_ids: Vec<String> = found.iter().map(|t| t.task_id.clone()).collect();
                task_ids.sort();
                errors.push(PlanError::DuplicateName {
                    name: desired.name.clone(),
                    task_ids,
                });
                continue;
            }
            _ => {
                errors.push(PlanError::RenameConflict {
                    name: desired.name.clone(),
                    old_names: desired.renamed_from.clone(),
                    found: found
                        .iter()
                        .chain(&old)
                        .map(|t| (t.name.clone(), t.task_id.clone()))
                        .collect(),
                    location: desired.source.clone(),
                });
                continue;
            }
        };
        match existing {
            None => {
                if let Some(error) = create_error(desired, inputs.now) {
                    errors.push(error);
                }
                entries.push(TaskEntry {
                    name: desired.name.clone(),
                    action: Action::Create,
                    steps: decide::create(desired),
                    blocked: Vec::new(),
                    source: desired.source.clone(),
                    task_id: None,
                    status: None,
                    renamed_from: None,
                    old_names: desired.renamed_from.clone(),
                    declared_status: desired.status,
                    desired: desired.config.clone(),
                    account: None,
                    changes: Vec::new(),
                    unverified: Vec::new(),
                });
            }
            Some(observed) => {
                let decision =
                    decide::existing(desired, observed, inputs.now, inputs.allow_restart);
                entries.push(existing_entry(desired, observed, decision));
            }
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    Ok(Plan {
        format_version: FORMAT_VERSION.to_owned(),
        made_at: shown_time(inputs.now),
        target: inputs.target,
        manifest_digest: manifest_digest(inputs.desired),
        allow_restart: inputs.allow_restart,
        summary: Summary::of(
            &entries,
            if inputs.targets.is_empty() {
                inputs.unmanaged_count
            } else {
                0
            },
        ),
        targets: inputs.targets,
        tasks: entries,
        unmanaged: inputs.unmanaged,
    })
}

/// Why `desired` cannot be created now, if it cannot.
fn create_error(desired: &DesiredTask, now: Timestamp) -> Option<PlanError> {
    match &desired.config.start {
        Some(Start::Scheduled(start)) if start.at_ms <= now.as_millisecond() => {
            Some(PlanError::StartInPast {
                name: desired.name.clone(),
                at: start.rfc3339(),
                now: shown_time(now),
                location: desired.source.clone(),
            })
        }
        Some(Start::Immediate) if desired.status == Some(DeclaredStatus::Stopped) => {
            Some(PlanError::StoppedImmediate {
                name: desired.name.clone(),
                location: desired.source.clone(),
            })
        }
        _ => None,
    }
}

/// The entry of an existing task. Its account configuration is kept when
/// it differs or is acted on, so the plan shows (and a saved plan can
/// prove) what it saw.
pub fn existing_entry(
    desired: &DesiredTask,
    observed: &ObservedTask,
    decision: decide::Decision,
) -> TaskEntry {
    let renamed_from = (observed.name != desired.name).then(|| observed.name.clone());
    let Comparison {
        changes,
        unverified,
    } = decision.comparison;
    let keep_account = !changes.is_empty() || !decision.steps.is_empty() || renamed_from.is_some();
    TaskEntry {
        name: desired.name.clone(),
        action: decision.action,
        steps: decision.steps,
        blocked: decision.blocked,
        source: desired.source.clone(),
        task_id: Some(observed.task_id.clone()),
        status: observed.status,
        renamed_from,
        old_names: desired.renamed_from.clone(),
        declared_status: desired.status,
        desired: desired.config.clone(),
        account: keep_account.then(|| observed.config.clone()),
        changes,
        unverified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::field::Field;
    use crate::plan::model::{ScheduledStart, Step, TaskStatus};
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
                unchanged: 1,
                unmanaged: 39,
                ..Summary::default()
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
    fn a_differing_stopped_task_is_updated() {
        let desired = [desired("a", 5)];
        let mut existing = observed(&desired[0], "118700000000000001");
        existing.config.concurrency = Some(10);
        existing.status = Some(TaskStatus::Stopped);
        let plan = build(inputs(&desired, &[existing.clone()], 0)).expect("plan");
        assert_eq!(
            plan.summary,
            Summary {
                update: 1,
                ..Summary::default()
            }
        );
        assert!(plan.summary.has_changes());
        assert_eq!(plan.tasks[0].steps, [Step::Update]);
        assert_eq!(plan.tasks[0].changes, [Field::Concurrency]);
        assert_eq!(plan.tasks[0].account.as_ref(), Some(&existing.config));
    }

    #[test]
    fn a_differing_running_task_is_blocked_without_allow_restart() {
        let desired = [desired("a", 5)];
        let mut existing = observed(&desired[0], "118700000000000001");
        existing.config.concurrency = Some(10);
        let plan = build(inputs(&desired, std::slice::from_ref(&existing), 0)).expect("plan");
        assert_eq!(plan.tasks[0].action, Action::Blocked);
        assert_eq!((plan.summary.blocked, plan.summary.update), (1, 0));
        assert!(plan.summary.has_changes(), "blocked entries are reported");
        let mut allowed = inputs(&desired, std::slice::from_ref(&existing), 0);
        allowed.allow_restart = true;
        let plan = build(allowed).expect("plan");
        assert_eq!(plan.tasks[0].action, Action::Restart);
        assert_eq!((plan.summary.update, plan.summary.restart), (1, 1));
        assert!(plan.allow_restart);
    }

    #[test]
    fn a_task_found_under_an_old_name_is_renamed_in_place() {
        let mut new = desired("new", 5);
        new.renamed_from = vec!["old".to_owned(), "older".to_owned()];
        let mut account = observed(&new, "118700000000000001");
        account.name = "older".to_owned();
        account.status = Some(TaskStatus::Stopped);
        let plan = build(inputs(&[new.clone()], &[account.clone()], 0)).expect("plan");
        let entry = &plan.tasks[0];
        assert_eq!(
            (entry.action, &entry.steps),
            (Action::Rename, &vec![Step::Update])
        );
        assert_eq!(entry.renamed_from.as_deref(), Some("older"));
        assert_eq!(plan.summary.rename, 1);

        // Both names present, or two old names present: ambiguous.
        let mut same_name = observed(&new, "118700000000000002");
        same_name.name = "new".to_owned();
        let errors =
            build(inputs(&[new.clone()], &[account.clone(), same_name], 0)).expect_err("conflict");
        assert_eq!(errors[0].code(), Code::RenameConflict);
        assert_eq!(
            errors[0].to_string(),
            "task `new` is renamed from `old`, `older`, but the account holds `new` (task \
             118700000000000002) and `older` (task 118700000000000001): only one may exist"
        );
        let mut old = account.clone();
        old.name = "old".to_owned();
        old.task_id = "118700000000000003".to_owned();
        assert_eq!(
            build(inputs(&[new], &[account, old], 0)).expect_err("two old")[0].code(),
            Code::RenameConflict
        );
    }

    #[test]
    fn a_task_declared_stopped_is_created_stopped_only_when_scheduled() {
        let mut task = desired("quiet", 5);
        task.status = Some(DeclaredStatus::Stopped);
        let errors = build(inputs(std::slice::from_ref(&task), &[], 0)).expect_err("immediate");
        assert_eq!(errors[0].code(), Code::StoppedImmediate);
        task.config.start = Some(crate::testing::scheduled());
        let plan = build(inputs(&[task], &[], 0)).expect("scheduled");
        assert_eq!(plan.tasks[0].steps, [Step::Create, Step::Stop]);
        assert_eq!(plan.summary.create, 1);
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
