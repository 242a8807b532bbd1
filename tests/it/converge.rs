//! Converging existing tasks (issue 8): every row of the two lifecycle
//! tables, the restore after a failed update, renames, stale saved plans
//! for each kind of step, `--allow-restart` gating, blocked exit codes, two
//! applies racing, and `kill -9` mid-apply. Each checks the account's final
//! state field by field and that no request was refused for a parameter.
//!
//! The rule above all: a call task dials real people. No test here may see
//! a start the manifest did not ask for.

use aicall::emulator::{Config, Faults, NewTask, TaskStatus};

use crate::common::cloud::{Cloud, MARCH_2035_MS, assert_account, base};
use crate::common::harness::{Output, Test, assert_contains, at, workspace};

/// The manifests' shared part; the account's counterpart is [`account`].
const HEAD: &str = r#"version: 1
defaults:
  agentId: "118012345678901234"
  virtualNumber: "0327121220001"
  start: immediate
  concurrency: 50
  callDays: [MONDAY, WEDNESDAY, FRIDAY]
  callWindows:
    - { start: "09:00", end: "12:00" }
    - { start: "14:00", end: "18:00" }
tasks:
"#;

/// 2035-03-02T10:00:00Z ([`MARCH_2035_MS`]), a start that is far ahead.
const LATER: &str = "2035-03-02T10:00:00Z";

/// A manifest of `tasks` (YAML list items, indented by two).
fn manifest(tasks: &str) -> String {
    format!("{HEAD}{tasks}")
}

/// The account's copy of a task the manifests declare with the defaults:
/// started at once unless `scheduled`.
fn account(name: &str, scheduled: bool) -> NewTask {
    let mut task = base(name);
    task.config.task_cps = Some(50);
    if scheduled {
        task.config.start_type = aicall::emulator::StartType::Schedule;
        task.config.task_start_time = Some(MARCH_2035_MS);
    }
    task
}

/// The same task with another concurrency: a configuration that differs.
fn differing(mut task: NewTask) -> NewTask {
    task.config.task_cps = Some(10);
    task
}

fn apply(ws: &Test, extra: &[&str]) -> Test {
    at(ws)
        .args(["apply", "--auto-approve"])
        .args(extra.iter().copied())
        .arg("tasks.yaml")
}

/// How many write requests of each kind the emulator received.
fn writes(cloud: &Cloud) -> [u64; 4] {
    let stats = cloud.stats();
    [
        "CreateAiCallTask",
        "UpdateAiCallTask",
        "StopAiCallTask",
        "StartAiCallTask",
    ]
    .map(|action| stats.action(action))
}

/// The status of the task named `name`, as the account reports it now.
fn status(cloud: &Cloud, name: &str) -> TaskStatus {
    let now = cloud.clock().now_ms();
    cloud
        .tasks()
        .into_iter()
        .find(|t| t.config.name == name)
        .unwrap_or_else(|| panic!("no task `{name}`"))
        .status_at(now)
}

#[track_caller]
fn assert_stdout(output: &Output, needle: &str) {
    assert_contains(&output.stdout, needle);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_not_running_whose_configuration_differs_is_updated_status_unchanged() {
    let cloud = Cloud::start().await;
    let ids = cloud
        .seed(vec![
            differing(account("waiting", true)),
            differing(account("stopped", false)),
            differing(account("failed", false)),
        ])
        .await;
    cloud.set_status(ids[1], TaskStatus::Stopped).await;
    cloud.set_status(ids[2], TaskStatus::Failed).await;
    let ws = workspace(&manifest(&format!(
        "  - name: waiting\n    start: {{ at: \"{LATER}\" }}\n  - name: stopped\n  - name: failed\n"
    )));

    let output = cloud.run(apply(&ws, &[])).await;
    output.assert_code(0);
    assert_stdout(
        &output,
        "Plan: 0 to create, 3 to update, 0 to stop, 0 to start",
    );
    assert_stdout(&output, "Apply complete: 0 created, 3 changed.");
    assert_account(
        &cloud.tasks(),
        &[
            account("waiting", true),
            account("stopped", false),
            account("failed", false),
        ],
        &[],
    );
    assert_eq!(status(&cloud, "waiting"), TaskStatus::Init);
    assert_eq!(status(&cloud, "stopped"), TaskStatus::Stopped);
    assert_eq!(status(&cloud, "failed"), TaskStatus::Failed);
    assert_eq!(writes(&cloud), [0, 3, 0, 0], "no start, no stop");
    cloud.assert_no_parameter_refused();

    // Converged: a second run does nothing.
    let again = cloud.run(apply(&ws, &[])).await;
    again.assert_code(0);
    assert_stdout(&again, "Nothing to do: the account matches the manifests.");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_running_task_is_restarted_only_with_allow_restart() {
    let cloud = Cloud::start().await;
    cloud.seed(vec![differing(account("live", false))]).await;
    let ws = workspace(&manifest("  - name: live\n"));

    // plan shows it blocked, and that is something to look at (exit 2).
    let plan = cloud
        .run(at(&ws).args(["plan", "--detailed-exitcode", "tasks.yaml"]))
        .await;
    plan.assert_code(2);
    assert_stdout(&plan, "! blocked live");
    assert_stdout(&plan, "apply with `--allow-restart`");
    let allowed = cloud
        .run(at(&ws).args(["plan", "--allow-restart", "tasks.yaml"]))
        .await;
    assert_stdout(&allowed, "~ update with restart live");
    assert_stdout(&allowed, "steps                 stop → update → start");

    // Without the flag nothing is sent for it, and the run fails.
    let blocked = cloud.run(apply(&ws, &[])).await;
    blocked.assert_code(1);
    assert_stdout(
        &blocked,
        "Apply incomplete: 0 created, 1 blocked (not applied).",
    );
    assert_eq!(writes(&cloud), [0, 0, 0, 0]);
    assert_account(&cloud.tasks(), &[differing(account("live", false))], &[]);

    let restarted = cloud.run(apply(&ws, &["--allow-restart"])).await;
    restarted.assert_code(0);
    assert_stdout(&restarted, "· live: stopped");
    assert_stdout(&restarted, "· live: updated");
    assert_stdout(&restarted, "~ updated with restart live");
    assert_eq!(writes(&cloud), [0, 1, 1, 1]);
    assert_eq!(status(&cloud, "live"), TaskStatus::Running);
    assert_account(&cloud.tasks(), &[account("live", false)], &[]);
    cloud.assert_no_parameter_refused();
}

#[tokio::test(flavor = "multi_thread")]
async fn what_the_api_cannot_change_is_blocked_and_nothing_is_sent() {
    let cloud = Cloud::start().await;
    let mut agent = account("agent", true);
    agent.agent_id = "118012345678909999".to_owned();
    let mut interval = differing(account("interval", true));
    interval.config.miss_call_retry = Some(true);
    interval.config.call_retry_reasons = Some(vec![aicall::emulator::RetryReason::NoAnswer]);
    interval.config.call_retry_times = Some(1);
    interval.config.call_retry_interval = Some(300);
    let started = account("started", false);
    cloud
        .seed(vec![agent.clone(), interval.clone(), started.clone()])
        .await;
    let ws = workspace(&manifest(&format!(
        "  - name: agent\n    start: {{ at: \"{LATER}\" }}\n\
         \x20 - name: interval\n    start: {{ at: \"{LATER}\" }}\n    retry: {{ reasons: [NO_ANSWER], times: 1, intervalMinutes: 300 }}\n\
         \x20 - name: started\n    start: {{ at: \"{LATER}\" }}\n"
    )));
    let output = cloud.run(apply(&ws, &["--allow-restart"])).await;
    output.assert_code(1);
    assert_stdout(
        &output,
        "blocked: `agentId` differs: the API cannot change a task's agent",
    );
    assert_stdout(
        &output,
        "blocked: `retry.intervalMinutes` is 300: UpdateAiCallTask accepts at most 120",
    );
    assert_stdout(
        &output,
        "blocked: `start` differs, but the task has already started",
    );
    assert_stdout(&output, "; 3 blocked.");
    assert_eq!(writes(&cloud), [0, 0, 0, 0]);
    assert_account(&cloud.tasks(), &[agent, interval, started], &[]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_declared_status_is_reached_and_a_waiting_task_never_started_early() {
    let cloud = Cloud::start().await;
    let ids = cloud
        .seed(vec![
            account("running-to-stop", false),
            account("waiting-to-stop", true),
            account("stopped-to-run", false),
            account("failed-to-run", false),
            account("waiting-to-run", true),
        ])
        .await;
    cloud.set_status(ids[2], TaskStatus::Stopped).await;
    cloud.set_status(ids[3], TaskStatus::Failed).await;
    let ws = workspace(&manifest(&format!(
        "  - name: running-to-stop\n    status: stopped\n\
         \x20 - name: waiting-to-stop\n    status: stopped\n    start: {{ at: \"{LATER}\" }}\n\
         \x20 - name: stopped-to-run\n    status: running\n\
         \x20 - name: failed-to-run\n    status: running\n\
         \x20 - name: waiting-to-run\n    status: running\n    start: {{ at: \"{LATER}\" }}\n"
    )));
    let output = cloud.run(apply(&ws, &[])).await;
    output.assert_code(0);
    assert_stdout(
        &output,
        "Plan: 0 to create, 0 to update, 2 to stop, 2 to start, 0 to rename, 1 unchanged",
    );
    assert_eq!(status(&cloud, "running-to-stop"), TaskStatus::Stopped);
    assert_eq!(status(&cloud, "waiting-to-stop"), TaskStatus::Stopped);
    assert_eq!(status(&cloud, "stopped-to-run"), TaskStatus::Running);
    assert_eq!(status(&cloud, "failed-to-run"), TaskStatus::Running);
    assert_eq!(
        status(&cloud, "waiting-to-run"),
        TaskStatus::Init,
        "starting it early would call people early"
    );
    assert_eq!(writes(&cloud), [0, 0, 2, 2]);
    cloud.assert_no_parameter_refused();
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_task_declared_stopped_is_created_stopped_or_refused_if_it_would_call_at_once() {
    let cloud = Cloud::start().await;
    let ws = workspace(&manifest(&format!(
        "  - name: quiet\n    status: stopped\n    start: {{ at: \"{LATER}\" }}\n"
    )));
    let output = cloud.run(apply(&ws, &[])).await;
    output.assert_code(0);
    assert_stdout(&output, "steps                 create → stop");
    assert_eq!(status(&cloud, "quiet"), TaskStatus::Stopped);
    assert_eq!(writes(&cloud), [1, 0, 1, 0]);
    assert_account(&cloud.tasks(), &[account("quiet", true)], &[]);

    let at_once = workspace(&manifest("  - name: loud\n    status: stopped\n"));
    let refused = cloud.run(apply(&at_once, &[])).await;
    refused.assert_code(1);
    assert_contains(&refused.stderr, "error[stopped-immediate]");
    assert_contains(&refused.stderr, "creating it would start calling at once");
    assert_eq!(writes(&cloud), [1, 0, 1, 0], "nothing more was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_update_after_a_stop_starts_the_task_again_as_it_was() {
    let cloud = Cloud::with(|config: &mut Config| {
        config.faults = Faults {
            refuse_update: Some(1),
            ..Faults::default()
        };
    })
    .await;
    cloud.seed(vec![differing(account("live", false))]).await;
    let ws = workspace(&manifest("  - name: live\n"));
    let output = cloud.run(apply(&ws, &["--allow-restart"])).await;
    output.assert_code(1);
    assert_stdout(
        &output,
        "the task was started again with its old configuration",
    );
    assert_eq!(status(&cloud, "live"), TaskStatus::Running);
    assert_account(&cloud.tasks(), &[differing(account("live", false))], &[]);
    assert_eq!(writes(&cloud), [0, 1, 1, 1]);
}

#[tokio::test(flavor = "multi_thread")]
async fn when_starting_it_again_fails_too_the_last_lines_name_the_stopped_task() {
    let cloud = Cloud::with(|config: &mut Config| {
        config.faults = Faults {
            refuse_update: Some(1),
            refuse_start: Some(1),
            ..Faults::default()
        };
    })
    .await;
    let ids = cloud.seed(vec![differing(account("live", false))]).await;
    let ws = workspace(&manifest("  - name: live\n"));
    let output = cloud.run(apply(&ws, &["--allow-restart"])).await;
    output.assert_code(1);
    let tail: Vec<&str> = output.stdout.lines().rev().take(2).collect();
    assert!(
        tail[1].contains(&format!("task `live` (task {}) is STOPPED", ids[0])),
        "{}",
        output.stdout
    );
    assert!(tail[0].contains("aicall apply --allow-restart"), "{tail:?}");
    assert_eq!(status(&cloud, "live"), TaskStatus::Stopped);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_is_renamed_in_place_not_created_twice() {
    let cloud = Cloud::start().await;
    let ids = cloud.seed(vec![account("survey-2025", true)]).await;
    let ws = workspace(&manifest(&format!(
        "  - name: survey-2026\n    renamedFrom: survey-2025\n    start: {{ at: \"{LATER}\" }}\n"
    )));
    let output = cloud.run(apply(&ws, &[])).await;
    output.assert_code(0);
    assert_stdout(&output, "» rename survey-2026");
    assert_stdout(&output, "survey-2025 → survey-2026");
    assert_stdout(&output, "» renamed survey-2026");
    let tasks = cloud.tasks();
    assert_eq!(tasks[0].id, ids[0], "the same task, renamed");
    assert_account(&tasks, &[account("survey-2026", true)], &[]);
    assert_eq!(writes(&cloud), [0, 1, 0, 0]);

    // Done: the old name is gone, the new one matches.
    let again = cloud.run(apply(&ws, &[])).await;
    assert_stdout(&again, "Nothing to do");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rename_whose_reply_was_lost_is_settled_without_a_second_task() {
    let cloud = Cloud::with(|config: &mut Config| {
        config.faults = Faults {
            drop_update_reply: Some(1),
            ..Faults::default()
        };
    })
    .await;
    let ids = cloud.seed(vec![account("old-name", true)]).await;
    let ws = workspace(&manifest(&format!(
        "  - name: new-name\n    renamedFrom: [older-name, old-name]\n    start: {{ at: \"{LATER}\" }}\n"
    )));
    let output = cloud.run(apply(&ws, &[])).await;
    output.assert_code(0);
    let tasks = cloud.tasks();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].id, ids[0]);
    assert_account(&tasks, &[account("new-name", true)], &[]);
    assert_eq!(cloud.stats().dropped_replies, 1);
    cloud.assert_no_parameter_refused();
}

#[tokio::test(flavor = "multi_thread")]
async fn both_names_in_the_account_stop_the_plan_naming_both_ids() {
    let cloud = Cloud::start().await;
    let ids = cloud
        .seed(vec![account("new", true), account("old", true)])
        .await;
    let ws = workspace(&manifest(&format!(
        "  - name: new\n    renamedFrom: old\n    start: {{ at: \"{LATER}\" }}\n"
    )));
    let output = cloud.run(apply(&ws, &[])).await;
    output.assert_code(1);
    assert_contains(&output.stderr, "error[rename-conflict]");
    assert_contains(
        &output.stderr,
        &format!("`new` (task {}) and `old` (task {})", ids[0], ids[1]),
    );
    assert_eq!(writes(&cloud), [0, 0, 0, 0]);
}

/// What a saved plan for one kind of step needs, and how the account
/// changes under it.
struct StaleCase {
    what: &'static str,
    tasks: String,
    account: Vec<NewTask>,
    status: Option<TaskStatus>,
    flags: &'static [&'static str],
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_stale_for_every_kind_of_step_when_the_task_changed() {
    let later = format!("    start: {{ at: \"{LATER}\" }}\n");
    let cases = [
        StaleCase {
            what: "update",
            tasks: format!("  - name: t\n{later}"),
            account: vec![differing(account("t", true))],
            status: None,
            flags: &[],
        },
        StaleCase {
            what: "restart",
            tasks: "  - name: t\n".to_owned(),
            account: vec![differing(account("t", false))],
            status: Some(TaskStatus::Running),
            flags: &["--allow-restart"],
        },
        StaleCase {
            what: "stop",
            tasks: "  - name: t\n    status: stopped\n".to_owned(),
            account: vec![account("t", false)],
            status: Some(TaskStatus::Running),
            flags: &[],
        },
        StaleCase {
            what: "start",
            tasks: "  - name: t\n    status: running\n".to_owned(),
            account: vec![account("t", false)],
            status: Some(TaskStatus::Stopped),
            flags: &[],
        },
        StaleCase {
            what: "rename",
            tasks: format!("  - name: t\n    renamedFrom: old\n{later}"),
            account: vec![account("old", true)],
            status: None,
            flags: &[],
        },
    ];
    for case in cases {
        let cloud = Cloud::start().await;
        let ids = cloud.seed(case.account.clone()).await;
        if let Some(TaskStatus::Stopped) = case.status {
            cloud.set_status(ids[0], TaskStatus::Stopped).await;
        }
        let ws = workspace(&manifest(&case.tasks));
        cloud
            .run(
                at(&ws)
                    .args(["plan", "--out", "plan.json"])
                    .args(case.flags.iter().copied())
                    .arg("tasks.yaml"),
            )
            .await
            .assert_code(0);
        // Someone changes the task in the console: its status.
        let changed = match status(&cloud, &case.account[0].config.name) {
            TaskStatus::Running => TaskStatus::Stopped,
            _ => TaskStatus::Running,
        };
        cloud.set_status(ids[0], changed).await;
        let output = cloud
            .run(
                at(&ws)
                    .args(["apply", "--auto-approve", "--plan", "plan.json"])
                    .args(case.flags.iter().copied()),
            )
            .await;
        assert_eq!(output.code, 1, "{}: {}", case.what, output.stderr);
        assert_contains(&output.stderr, "is stale and was not applied");
        assert_contains(&output.stderr, "is no longer what the plan saw");
        assert_eq!(writes(&cloud), [0, 0, 0, 0], "{}: nothing sent", case.what);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_that_restarts_needs_allow_restart_when_applied() {
    let cloud = Cloud::start().await;
    cloud.seed(vec![differing(account("live", false))]).await;
    let ws = workspace(&manifest("  - name: live\n"));
    cloud
        .run(at(&ws).args([
            "plan",
            "--allow-restart",
            "--out",
            "plan.json",
            "tasks.yaml",
        ]))
        .await
        .assert_code(0);
    let requests = cloud.stats().requests;
    let refused = cloud
        .run(at(&ws).args(["apply", "--auto-approve", "--plan", "plan.json"]))
        .await;
    refused.assert_code(1);
    assert_contains(&refused.stderr, "apply it with `--allow-restart`");
    assert_eq!(
        cloud.stats().requests,
        requests,
        "refused before any request"
    );
    let applied = cloud
        .run(at(&ws).args([
            "apply",
            "--auto-approve",
            "--allow-restart",
            "--plan",
            "plan.json",
        ]))
        .await;
    applied.assert_code(0);
    assert_account(&cloud.tasks(), &[account("live", false)], &[]);
    assert_eq!(status(&cloud, "live"), TaskStatus::Running);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_scheduled_task_that_starts_between_plan_and_apply_is_not_restarted() {
    let cloud = Cloud::start().await;
    // Its start a few minutes ahead, within the signature's 15-minute
    // window once the emulator's clock moves past it.
    let start_ms = (cloud.clock().now_ms() / 1000 + 300) * 1000;
    let start = jiff::Timestamp::from_millisecond(start_ms).unwrap();
    let mut task = differing(account("soon", true));
    task.config.task_start_time = Some(start_ms);
    cloud.seed(vec![task.clone()]).await;
    let ws = workspace(&manifest(&format!(
        "  - name: soon\n    start: {{ at: \"{start}\" }}\n"
    )));

    // The plan's read of the task is held; meanwhile its start comes.
    let held = cloud.hold_first("QueryAiCallTaskDetail");
    let run = tokio::spawn(crate::common::cloud::run(cloud.point(apply(&ws, &[]))));
    held.committed().await;
    cloud.clock().advance(std::time::Duration::from_secs(600));
    held.release();
    let output = run.await.unwrap();
    output.assert_code(1);
    assert_stdout(&output, "= left alone soon");
    assert_stdout(&output, "(it is RUNNING now)");
    assert_eq!(writes(&cloud), [0, 0, 0, 0], "never restarted");
    assert_account(&cloud.tasks(), &[task], &[]);
}

#[tokio::test(flavor = "multi_thread")]
async fn two_applies_racing_on_the_same_updates_both_converge() {
    let cloud = Cloud::start().await;
    let names: Vec<String> = (0..6).map(|i| format!("t{i}")).collect();
    let ids = cloud
        .seed(names.iter().map(|n| differing(account(n, false))).collect())
        .await;
    for id in &ids {
        cloud.set_status(*id, TaskStatus::Stopped).await;
    }
    let tasks: String = names.iter().map(|n| format!("  - name: {n}\n")).collect();
    let ws = workspace(&manifest(&tasks));
    let args = [
        "apply",
        "--auto-approve",
        "--parallelism",
        "3",
        "tasks.yaml",
    ];
    let mut first = cloud.spawn(ws.path(), &args);
    let mut second = cloud.spawn(ws.path(), &args);
    let (a, b) =
        tokio::task::spawn_blocking(move || (first.wait().unwrap(), second.wait().unwrap()))
            .await
            .unwrap();
    assert!(a.success() && b.success(), "{a:?} {b:?}");
    let expected: Vec<NewTask> = names.iter().map(|n| account(n, false)).collect();
    assert_account(&cloud.tasks(), &expected, &[]);
    for name in &names {
        assert_eq!(status(&cloud, name), TaskStatus::Stopped);
    }
    assert_eq!(writes(&cloud)[2..], [0, 0], "no stop, no start");
    cloud.assert_no_parameter_refused();
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_in_the_middle_of_a_restart_then_a_rerun_converges() {
    use std::os::unix::process::ExitStatusExt as _;

    let cloud = Cloud::start().await;
    cloud.seed(vec![differing(account("live", false))]).await;
    let ws = workspace(&manifest("  - name: live\n    status: running\n"));
    // Killed while its stop is done but unanswered: the worst moment, the
    // task is stopped and aicall never learnt it.
    let held = cloud.hold_first("StopAiCallTask");
    let mut child = cloud.spawn(
        ws.path(),
        &["apply", "--auto-approve", "--allow-restart", "tasks.yaml"],
    );
    let status_code = tokio::task::spawn_blocking(move || {
        held.wait_committed();
        child.kill().unwrap();
        let status = child.wait().unwrap();
        held.release();
        status
    })
    .await
    .unwrap();
    assert_eq!(status_code.signal(), Some(9));
    assert_eq!(status(&cloud, "live"), TaskStatus::Stopped);

    // The rerun sees a stopped task with the old configuration, declared
    // running: update, then start.
    let rerun = cloud.run(apply(&ws, &["--allow-restart"])).await;
    rerun.assert_code(0);
    assert_stdout(&rerun, "steps                 update → start");
    assert_eq!(status(&cloud, "live"), TaskStatus::Running);
    assert_account(&cloud.tasks(), &[account("live", false)], &[]);
    cloud.assert_no_parameter_refused();
}

/// UpdateAiCallTask is a full replacement: the settings no manifest field
/// expresses (call expiry, the line, callable windows) are sent as the
/// account holds them, so an update never wipes them.
#[tokio::test(flavor = "multi_thread")]
async fn an_update_keeps_what_the_manifest_does_not_express() {
    let cloud = Cloud::start().await;
    let mut task = differing(account("kept", true));
    task.config.call_expire_type = Some(1);
    task.config.call_expire_minutes = Some(90);
    task.config.phone_type = Some(1);
    task.config.line_phone_num = Some("02100000000".to_owned());
    task.config.line_encoding = Some("utf-8".to_owned());
    task.config.callable_times = Some(vec![crate::common::cloud::window("08:00:00", "20:00:00")]);
    cloud.seed(vec![task.clone()]).await;
    let ws = workspace(&manifest(&format!(
        "  - name: kept\n    start: {{ at: \"{LATER}\" }}\n"
    )));
    let output = cloud.run(apply(&ws, &[])).await;
    output.assert_code(0);
    let mut expected = task;
    expected.config.task_cps = Some(50);
    assert_account(&cloud.tasks(), &[expected], &[]);
    cloud.assert_no_parameter_refused();
}
