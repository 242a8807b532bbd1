//! What to do with one existing task, as a table: the lifecycle of
//! `../docs/plan-and-apply.md`, written once. The builder uses it to plan,
//! and the saved-plan check uses it to prove an entry's verdict is the one
//! its own facts give.
//!
//! The rule above all others: a call task dials real people. Nothing here
//! starts a task unless its manifest says `status: running` or the task is
//! one aicall stops itself a moment earlier to update it (and only with
//! `--allow-restart`); nothing moves a start, and nothing is done when in
//! doubt — the entry is blocked, with the reason, and nothing is sent.
//!
//! | account status | config differs | plan |
//! |---|---|---|
//! | INIT, STOPPED, FAILED | yes | update (status unchanged) |
//! | RUNNING | yes | stop → update → start with `--allow-restart`; else blocked |
//! | any | `agentId` | blocked: the API cannot change a task's agent |
//! | any | needs `retry.intervalMinutes` > 120 | blocked: UpdateAiCallTask allows 120 |
//! | started (not INIT) | `start` | blocked: a start that happened is history |
//!
//! | declared | account status | plan |
//! |---|---|---|
//! | `stopped` | RUNNING, INIT | stop |
//! | `running` | STOPPED, FAILED | start |
//! | `running` | INIT | nothing: it starts by itself at its time |

use jiff::Timestamp;

use crate::manifest::field::Field;
use crate::manifest::model::Retry as SpecRetry;

use super::diff::{Comparison, compare};
use super::model::{
    Action, BlockReason, DeclaredStatus, DesiredTask, ObservedTask, Retry, Start, Step, TaskStatus,
};

/// What the plan does with one existing task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// The kind of entry.
    pub action: Action,
    /// The steps, in order; empty when blocked or unchanged.
    pub steps: Vec<Step>,
    /// Why nothing is done, when blocked.
    pub blocked: Vec<BlockReason>,
    /// The configuration's differences.
    pub comparison: Comparison,
}

/// Decides what to do with `existing`, the account's task that `desired`
/// names (by its name or, for a rename, by an old one), at `now`.
pub fn existing(
    desired: &DesiredTask,
    existing: &ObservedTask,
    now: Timestamp,
    allow_restart: bool,
) -> Decision {
    let comparison = compare(&desired.config, &existing.config);
    let rename = existing.name != desired.name;
    let update = rename || !comparison.changes.is_empty();
    let mut blocked = Vec::new();
    if update {
        if comparison.changes.contains(&Field::AgentId) {
            blocked.push(BlockReason::AgentChanged);
        }
        if let Some(Retry::On {
            interval_minutes, ..
        }) = desired.config.retry
            && interval_minutes > u32::from(SpecRetry::UPDATE_MAX_INTERVAL_MINUTES)
        {
            blocked.push(BlockReason::RetryIntervalOverUpdateLimit {
                minutes: interval_minutes,
            });
        }
        if comparison.changes.contains(&Field::Start) && existing.status != Some(TaskStatus::Init) {
            blocked.push(BlockReason::StartAlreadyHappened);
        } else if let Some(Start::Scheduled(start)) = desired.config.start
            && start.at_ms <= now.as_millisecond()
        {
            blocked.push(BlockReason::StartPassed);
        }
        if desired.config.concurrency.is_none() && existing.config.concurrency.is_none() {
            blocked.push(BlockReason::ConcurrencyUnknown);
        }
    }

    let status = match existing.status {
        Some(TaskStatus::Other(_)) | None => None,
        known => known,
    };
    let declared = desired.status;
    let steps = match status {
        None if update || declared.is_some() => {
            blocked.push(BlockReason::StatusUnknown);
            Vec::new()
        }
        None => Vec::new(),
        Some(status) => {
            let stop = declared == Some(DeclaredStatus::Stopped)
                && matches!(status, TaskStatus::Running | TaskStatus::Init);
            let start = declared == Some(DeclaredStatus::Running)
                && matches!(status, TaskStatus::Stopped | TaskStatus::Failed);
            match (update, status) {
                (true, _) if stop => vec![Step::Stop, Step::Update],
                (true, TaskStatus::Running) if allow_restart => {
                    vec![Step::Stop, Step::Update, Step::Start]
                }
                (true, TaskStatus::Running) => {
                    blocked.push(BlockReason::RestartNotAllowed);
                    Vec::new()
                }
                (true, _) if start => vec![Step::Update, Step::Start],
                (true, _) => vec![Step::Update],
                (false, _) if stop => vec![Step::Stop],
                (false, _) if start => vec![Step::Start],
                (false, _) => Vec::new(),
            }
        }
    };
    let steps = if blocked.is_empty() {
        steps
    } else {
        Vec::new()
    };
    let action = if !blocked.is_empty() {
        Action::Blocked
    } else if rename {
        Action::Rename
    } else if steps == [Step::Stop, Step::Update, Step::Start] {
        Action::Restart
    } else if steps.contains(&Step::Update) {
        Action::Update
    } else if steps == [Step::Stop] {
        Action::Stop
    } else if steps == [Step::Start] {
        Action::Start
    } else {
        Action::Unchanged
    };
    Decision {
        action,
        steps,
        blocked,
        comparison,
    }
}

/// The steps of a task to create: created, then stopped when it is declared
/// stopped (the caller has made sure its start is scheduled, so it cannot
/// call anyone in between).
pub fn create(desired: &DesiredTask) -> Vec<Step> {
    match desired.status {
        Some(DeclaredStatus::Stopped) => vec![Step::Create, Step::Stop],
        _ => vec![Step::Create],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::ScheduledStart;
    use crate::testing::{desired, now, observed};

    fn decide(
        status: Option<TaskStatus>,
        declared: Option<DeclaredStatus>,
        edit: impl FnOnce(&mut DesiredTask),
        allow_restart: bool,
    ) -> Decision {
        let mut task = desired("t", 1);
        let mut account = observed(&task, "118700000000000001");
        account.status = status;
        task.status = declared;
        edit(&mut task);
        existing(&task, &account, now(), allow_restart)
    }

    fn differ(task: &mut DesiredTask) {
        task.config.concurrency = Some(99);
    }

    fn same(_: &mut DesiredTask) {}

    use DeclaredStatus::{Running as Run, Stopped as Stop};
    use TaskStatus::{Failed, Init, Running, Stopped};

    #[test]
    fn the_configuration_table() {
        for status in [Init, Stopped, Failed] {
            let d = decide(Some(status), None, differ, false);
            assert_eq!((d.action, d.steps), (Action::Update, vec![Step::Update]));
        }
        let d = decide(Some(Running), None, differ, true);
        assert_eq!(
            (d.action, d.steps),
            (Action::Restart, vec![Step::Stop, Step::Update, Step::Start])
        );
        let d = decide(Some(Running), None, differ, false);
        assert_eq!(
            (d.action, d.steps, d.blocked),
            (
                Action::Blocked,
                vec![],
                vec![BlockReason::RestartNotAllowed]
            )
        );
        let d = decide(
            Some(Stopped),
            None,
            |t| t.config.agent_id = Some("118012345678909999".to_owned()),
            true,
        );
        assert_eq!(d.blocked, [BlockReason::AgentChanged]);
        let d = decide(
            Some(Stopped),
            None,
            |t| {
                t.config.retry = Some(Retry::On {
                    reasons: vec![],
                    times: 1,
                    interval_minutes: 121,
                })
            },
            true,
        );
        assert_eq!(
            d.blocked,
            [BlockReason::RetryIntervalOverUpdateLimit { minutes: 121 }]
        );
        let later = |t: &mut DesiredTask| {
            t.config.start = Some(Start::Scheduled(ScheduledStart {
                at_ms: now().as_millisecond() + 86_400_000,
                offset_seconds: 0,
            }))
        };
        assert_eq!(
            decide(Some(Stopped), None, later, true).blocked,
            [BlockReason::StartAlreadyHappened]
        );
        assert_eq!(
            decide(Some(Init), None, later, true).steps,
            [Step::Update],
            "a start not yet reached may move"
        );
    }

    #[test]
    fn the_declared_status_table() {
        let steps = |status, declared| decide(Some(status), Some(declared), same, false);
        assert_eq!(
            (steps(Running, Stop).action, steps(Running, Stop).steps),
            (Action::Stop, vec![Step::Stop])
        );
        assert_eq!(steps(Init, Stop).steps, [Step::Stop]);
        assert_eq!(steps(Stopped, Run).steps, [Step::Start]);
        assert_eq!(steps(Failed, Run).steps, [Step::Start]);
        assert_eq!(
            steps(Init, Run).action,
            Action::Unchanged,
            "a task waiting for its time is never started early"
        );
        assert_eq!(steps(Running, Run).action, Action::Unchanged);
        assert_eq!(steps(Stopped, Stop).action, Action::Unchanged);
        assert_eq!(steps(Failed, Stop).action, Action::Unchanged);
    }

    #[test]
    fn declared_status_and_an_update_combine_without_a_restart() {
        let d = decide(Some(Running), Some(Stop), differ, false);
        assert_eq!(
            (d.action, d.steps),
            (Action::Update, vec![Step::Stop, Step::Update])
        );
        let d = decide(Some(Stopped), Some(Run), differ, false);
        assert_eq!(d.steps, [Step::Update, Step::Start]);
        let d = decide(Some(Init), Some(Run), differ, false);
        assert_eq!(d.steps, [Step::Update], "never an early start");
    }

    #[test]
    fn an_unknown_status_blocks_whatever_depends_on_it() {
        assert_eq!(
            decide(None, None, differ, true).blocked,
            [BlockReason::StatusUnknown]
        );
        assert_eq!(
            decide(Some(TaskStatus::Other(7)), Some(Run), same, true).blocked,
            [BlockReason::StatusUnknown]
        );
        assert_eq!(decide(None, None, same, true).action, Action::Unchanged);
    }

    #[test]
    fn an_update_needs_a_concurrency_and_a_future_start() {
        let d = decide(
            Some(Stopped),
            None,
            |t| {
                t.config.concurrency = None;
                t.config.virtual_number = Some("0327199999999".to_owned());
            },
            true,
        );
        assert_eq!(d.action, Action::Update, "the account's is sent");
        let mut task = desired("t", 1);
        let mut account = observed(&task, "118700000000000001");
        account.status = Some(Stopped);
        account.config.concurrency = None;
        task.config.concurrency = None;
        task.config.virtual_number = Some("0327199999999".to_owned());
        assert_eq!(
            existing(&task, &account, now(), true).blocked,
            [BlockReason::ConcurrencyUnknown]
        );
        let passed = |t: &mut DesiredTask| {
            t.config.start = Some(Start::Scheduled(ScheduledStart {
                at_ms: now().as_millisecond() - 1,
                offset_seconds: 0,
            }));
            t.config.concurrency = Some(99);
        };
        let mut task = desired("t", 1);
        passed(&mut task);
        let mut account = observed(&task, "118700000000000001");
        account.status = Some(Running);
        account.config.concurrency = Some(50);
        assert_eq!(
            existing(&task, &account, now(), true).blocked,
            [BlockReason::StartPassed]
        );
    }

    #[test]
    fn a_rename_is_an_update_of_the_name() {
        let task = desired("new", 1);
        let mut account = observed(&task, "118700000000000001");
        account.name = "old".to_owned();
        account.status = Some(Stopped);
        let d = existing(&task, &account, now(), false);
        assert_eq!((d.action, d.steps), (Action::Rename, vec![Step::Update]));
        account.status = Some(Running);
        assert_eq!(
            existing(&task, &account, now(), false).blocked,
            [BlockReason::RestartNotAllowed]
        );
        assert_eq!(
            existing(&task, &account, now(), true).steps,
            [Step::Stop, Step::Update, Step::Start]
        );
    }

    #[test]
    fn a_task_declared_stopped_is_created_then_stopped() {
        let mut task = desired("t", 1);
        assert_eq!(create(&task), [Step::Create]);
        task.status = Some(Stop);
        assert_eq!(create(&task), [Step::Create, Step::Stop]);
    }
}
