//! Fixtures for the unit tests, in one place: configurations, desired and
//! observed tasks, a target, a fixed clock and a representative plan.
//! Compiled only for tests.

use jiff::Timestamp;

use crate::manifest::load_texts;
use crate::manifest::model::{RetryReason, TaskSpec, TimeOfDay, Weekday, Window};
use crate::plan::build::{Inputs, build};
use crate::plan::model::{
    DesiredTask, ObservedTask, Plan, Retry, ScheduledStart, Source, Start, Target, TaskConfig,
    TaskStatus, UnmanagedTask,
};

/// 2030-12-01T09:00:00+08:00 in milliseconds.
pub(crate) fn start_ms() -> i64 {
    "2030-12-01T01:00:00Z"
        .parse::<Timestamp>()
        .expect("timestamp")
        .as_millisecond()
}

/// A start at 2030-12-01T09:00:00+08:00.
pub(crate) fn scheduled() -> Start {
    Start::Scheduled(ScheduledStart {
        at_ms: start_ms(),
        offset_seconds: 8 * 3600,
    })
}

/// `HH:MM:SS`, for fixtures.
pub(crate) fn time(text: &str) -> TimeOfDay {
    text.parse().expect("a time of day")
}

/// A window from `start` to `end`.
pub(crate) fn window(start: &str, end: &str) -> Window {
    Window {
        start: time(start),
        end: time(end),
    }
}

/// A fully set configuration: scheduled start, two windows, retry on.
pub(crate) fn config() -> TaskConfig {
    TaskConfig {
        agent_id: Some("118012345678901234".to_owned()),
        virtual_number: Some("0327121220001".to_owned()),
        start: Some(scheduled()),
        concurrency: Some(50),
        call_days: Some(vec![Weekday::Monday, Weekday::Friday]),
        call_windows: Some(vec![
            window("09:00:00", "12:00:00"),
            window("14:00:00", "18:00:00"),
        ]),
        retry: Some(Retry::On {
            reasons: vec![RetryReason::UserBusy, RetryReason::NoAnswer],
            times: 2,
            interval_minutes: 30,
        }),
    }
}

/// A desired task starting at once, declared at `line`.
pub(crate) fn desired(name: &str, line: usize) -> DesiredTask {
    DesiredTask {
        name: name.to_owned(),
        config: TaskConfig {
            agent_id: Some("118012345678901234".to_owned()),
            virtual_number: Some("0327121220001".to_owned()),
            start: Some(Start::Immediate),
            concurrency: Some(50),
            call_days: Some(vec![Weekday::Monday, Weekday::Tuesday]),
            call_windows: Some(vec![window("09:00:00", "12:00:00")]),
            retry: Some(Retry::Off),
        },
        status: None,
        renamed_from: Vec::new(),
        source: Source {
            file: "campaigns/renewals.yaml".to_owned(),
            line,
            column: 11,
        },
    }
}

/// The account's copy of `task`, running, with ID `id`.
pub(crate) fn observed(task: &DesiredTask, id: &str) -> ObservedTask {
    ObservedTask {
        task_id: id.to_owned(),
        name: task.name.clone(),
        status: Some(TaskStatus::Running),
        config: task.config.clone(),
    }
}

/// A loopback target.
pub(crate) fn target() -> Target {
    Target {
        endpoint: "http://127.0.0.1:4000".to_owned(),
        access_key: "aica****-key".to_owned(),
        account_fingerprint: "0123456789abcdef".to_owned(),
    }
}

/// The fixed "now" of the unit tests.
pub(crate) fn now() -> Timestamp {
    "2026-11-24T08:00:00Z".parse().expect("valid timestamp")
}

/// Inputs for [`build`] with the fixed target and clock.
pub(crate) fn inputs<'a>(
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
        allow_restart: false,
        targets: Vec::new(),
    }
}

/// One representative plan with every kind of entry: creates (one Chinese
/// name, one scheduled with retry, no concurrency and declared stopped), a
/// blocked task (its agent changed, with list, long and retry diffs), an
/// update, an update with restart, a rename, a stop, a start, unchanged
/// tasks (one with an unreported field), and an unmanaged task.
pub(crate) fn sample_plan() -> Plan {
    use crate::plan::model::DeclaredStatus;

    let immediate = desired("续费提醒-2026-12", 9);
    let mut scheduled_task = desired("renewal-reminder-december", 16);
    scheduled_task.config.start = Some(scheduled());
    scheduled_task.config.retry = Some(Retry::On {
        reasons: vec![RetryReason::UserBusy, RetryReason::NoAnswer],
        times: 2,
        interval_minutes: 30,
    });
    scheduled_task.config.concurrency = None;
    scheduled_task.status = Some(DeclaredStatus::Stopped);
    let drifted = desired("winback-q1", 24);
    let same_a = desired("onboarding-day-1", 30);
    let same_b = desired("onboarding-day-7", 36);
    let update = desired("onboarding-day-3", 42);
    let restart = desired("onboarding-day-5", 48);
    let mut rename = desired("survey-2026", 54);
    rename.renamed_from = vec!["survey-2025".to_owned()];
    let mut stop = desired("collections-paused", 60);
    stop.status = Some(DeclaredStatus::Stopped);
    let mut start = desired("collections-resumed", 66);
    start.status = Some(DeclaredStatus::Running);

    let mut drifted_now = observed(&drifted, "118700000000000012");
    drifted_now.config.call_days = Some(vec![Weekday::Monday, Weekday::Saturday]);
    drifted_now.config.agent_id = Some("118012345678909999".to_owned());
    drifted_now.config.concurrency = Some(80);
    drifted_now.config.retry = Some(Retry::On {
        reasons: vec![RetryReason::NoAnswer],
        times: 1,
        interval_minutes: 60,
    });
    let mut same_b_now = observed(&same_b, "118700000000000031");
    same_b_now.config.virtual_number = None;
    let mut update_now = observed(&update, "118700000000000040");
    update_now.status = Some(TaskStatus::Stopped);
    update_now.config.concurrency = Some(10);
    let mut restart_now = observed(&restart, "118700000000000041");
    restart_now.config.call_windows = Some(vec![window("08:00:00", "12:00:00")]);
    let mut rename_now = observed(&rename, "118700000000000042");
    rename_now.name = "survey-2025".to_owned();
    rename_now.status = Some(TaskStatus::Stopped);
    let stop_now = observed(&stop, "118700000000000043");
    let mut start_now = observed(&start, "118700000000000044");
    start_now.status = Some(TaskStatus::Stopped);
    let observed = [
        drifted_now,
        observed(&same_a, "118700000000000030"),
        same_b_now,
        update_now,
        restart_now,
        rename_now,
        stop_now,
        start_now,
    ];
    let desired = [
        immediate,
        scheduled_task,
        drifted,
        update,
        restart,
        rename,
        stop,
        start,
        same_a,
        same_b,
    ];
    let mut inputs = inputs(&desired, &observed, 1);
    inputs.allow_restart = true;
    inputs.unmanaged = Some(vec![UnmanagedTask {
        task_id: "118700000000000001".to_owned(),
        name: "legacy | 老任务".to_owned(),
        status: Some(TaskStatus::Stopped),
    }]);
    build(inputs).expect("sample plan builds")
}

/// A step error that is not the service's: the connection was reset.
pub(crate) fn step_error(detail: &str) -> crate::apply::StepError {
    crate::api::ApiError::ReplyLost {
        action: crate::api::Action::CreateAiCallTask,
        endpoint: "http://127.0.0.1:4000".to_owned(),
        detail: detail.to_owned(),
    }
    .into()
}

/// The tasks of manifest `text` (no `${VAR}` set), which must hold no
/// error: what `export` writes is read back with this.
#[track_caller]
pub(crate) fn load_valid(text: &str) -> Vec<TaskSpec> {
    let loaded = load_texts(vec![("export.yaml".into(), text.to_owned())], &|_| None);
    let errors: Vec<String> = loaded
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| d.message())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}\n{text}");
    loaded.tasks
}
