//! `aicall apply` against the emulator: convergence checked field by field
//! against the emulator's store, exactly-once creates under every fault the
//! emulator injects and under `kill -9` and Ctrl-C, saved plans and their
//! staleness, refusal without a terminal, and `--local`.
//!
//! "Exactly once" is checked from the server's side: each task committed
//! by one create, and no create ever refused as a duplicate name (which
//! is what a blind re-send after a lost reply would produce).

use std::io::Read as _;

use aicall::emulator::{Config, Emulator, Faults, NewTask};

use crate::cloud_snapshot;
use crate::common::cloud::{
    Cloud, FIXTURE, FIXTURE_NAMES, StderrLines, assert_account, assert_exactly_once,
    assert_no_secret_in, base, fixture, fixture_account, fixture_task, plain_manifest,
};
use crate::common::harness::{Test, assert_contains, at, send_signal, workspace};

/// Applies [`FIXTURE`] from a fresh directory.
async fn apply_fixture(cloud: &Cloud, args: &[&str]) -> crate::common::harness::Output {
    cloud
        .run(
            fixture(["apply"])
                .args(args.iter().copied())
                .arg("tasks.yaml"),
        )
        .await
}

/// `apply --auto-approve` one create at a time, in `ws`.
fn apply_in(ws: &Test) -> Test {
    at(ws).args([
        "apply",
        "--auto-approve",
        "--parallelism",
        "1",
        "tasks.yaml",
    ])
}

/// The fixture without the tasks named `names`.
fn fixture_without(names: &[&str]) -> Vec<NewTask> {
    fixture_account()
        .into_iter()
        .filter(|t| !names.contains(&t.config.name.as_str()))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn creates_every_task_from_empty() {
    let cloud = Cloud::start().await;
    let output = apply_fixture(&cloud, &["--auto-approve", "--parallelism", "1"]).await;
    output.assert_code(0);
    cloud_snapshot!(output);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_exactly_once(&cloud, 4);
    let stats = cloud.stats();
    for action in [
        "UpdateAiCallTask",
        "StartAiCallTask",
        "StopAiCallTask",
        "QueryAiCallTaskDetail",
    ] {
        assert_eq!(stats.action(action), 0, "{action}: {stats:?}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_second_apply_changes_nothing() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    cloud.run(apply_in(&ws)).await.assert_code(0);
    let account = cloud.tasks();
    assert_eq!(cloud.creates_received(), 4);

    let again = cloud.run(apply_in(&ws)).await;
    again.assert_code(0);
    cloud_snapshot!(again);
    assert_eq!(cloud.creates_received(), 4, "no further create was sent");
    assert_eq!(cloud.tasks(), account);

    let plan = cloud
        .run(at(&ws).args(["plan", "--detailed-exitcode", "tasks.yaml"]))
        .await;
    plan.assert_code(0);
}

/// A running task whose configuration differs is blocked without
/// `--allow-restart` (issue 8): reported, left exactly as it was, and the
/// run exits 1 because the account does not match.
#[tokio::test(flavor = "multi_thread")]
async fn a_running_task_that_differs_is_blocked_and_left_exactly_as_it_was() {
    let cloud = Cloud::start().await;
    let mut renewals = fixture_task(FIXTURE_NAMES[0]);
    renewals.config.task_cps = Some(10);
    renewals.config.call_days.pop();
    renewals.config.miss_call_retry = Some(false);
    renewals.config.call_retry_reasons = None;
    renewals.config.call_retry_times = None;
    renewals.config.call_retry_interval = None;
    cloud.seed(vec![renewals]).await;
    let before = cloud.tasks();
    let ws = workspace(FIXTURE);

    // The others are created; the running one is not touched.
    let output = cloud.run(apply_in(&ws)).await;
    output.assert_code(1);
    assert_contains(
        &output.stdout,
        "Plan: 3 to create, 0 to update, 0 to stop, 0 to start, 0 to rename, 0 unchanged, 0 \
         unmanaged; 1 blocked.",
    );
    assert_contains(
        &output.stdout,
        "Apply incomplete: 3 created, 1 blocked (not applied).",
    );
    assert_account(
        &cloud.tasks(),
        &fixture_without(&[FIXTURE_NAMES[0]]),
        &before,
    );

    // Nothing else it may do: still blocked (exit 1), still not touched,
    // byte for byte.
    let output = cloud.run(apply_in(&ws)).await;
    output.assert_code(1);
    cloud_snapshot!(output);
    let stored = serde_json::to_string(&cloud.tasks()[0]).unwrap();
    assert_eq!(stored, serde_json::to_string(&before[0]).unwrap());
    let stats = cloud.stats();
    assert_eq!(stats.action("UpdateAiCallTask"), 0, "{stats:?}");
    assert_exactly_once(&cloud, 3);
}

#[tokio::test(flavor = "multi_thread")]
async fn unmanaged_tasks_are_counted_listed_and_never_touched() {
    let cloud = Cloud::start().await;
    let mut survey = base("nps-survey-q4-2034");
    survey.config.task_cps = Some(5);
    cloud
        .seed(vec![
            base("payment-plan-follow-up (2034)"),
            base("PAYMENT-PLAN-FOLLOW-UP"),
            survey,
        ])
        .await;
    let before = cloud.tasks();
    let output = apply_fixture(
        &cloud,
        &["--auto-approve", "--show-unmanaged", "--parallelism", "1"],
    )
    .await;
    output.assert_code(0);
    cloud_snapshot!(output);
    assert_account(&cloud.tasks(), &fixture_account(), &before);
    assert_exactly_once(&cloud, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_terminal_apply_refuses_unless_auto_approved() {
    let cloud = Cloud::start().await;
    // Even a `yes` on a pipe is not a person confirming.
    let output = cloud
        .run(fixture(["apply", "tasks.yaml"]).stdin("yes\n"))
        .await;
    output.assert_code(1);
    cloud_snapshot!(output);
    assert_eq!(cloud.creates_received(), 0);
    assert!(cloud.tasks().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn one_refused_create_fails_alone_and_a_rerun_converges() {
    let cloud = Cloud::with(|config| {
        config.faults = Faults {
            refuse_create: Some(2),
            ..Faults::default()
        }
    })
    .await;
    let ws = workspace(FIXTURE);

    // In manifest order, the second create is refused; the others go on.
    let output = cloud.run(apply_in(&ws)).await;
    output.assert_code(1);
    cloud_snapshot!(output);
    assert_contains(&output.stdout, "InvalidParameter");
    assert_account(&cloud.tasks(), &fixture_without(&[FIXTURE_NAMES[1]]), &[]);

    // The fault fires once: a re-run creates just the missing task.
    let output = cloud.run(apply_in(&ws)).await;
    output.assert_code(0);
    assert_contains(&output.stdout, "Plan: 1 to create");
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_exactly_once(&cloud, 4);
}

/// Applies the fixture one create at a time under `faults`, which refuse
/// every third request with no side effect: the listing is request 1, so
/// the 2nd and 4th creates are refused once and sent again. The account
/// must end exactly as the manifests say.
async fn refused_requests_are_retried(faults: Faults) -> aicall::emulator::EmulatorStats {
    let cloud = Cloud::with(|config| config.faults = faults).await;
    let output = apply_fixture(&cloud, &["--auto-approve", "--parallelism", "1"]).await;
    output.assert_code(0);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_exactly_once(&cloud, 4);
    let stats = cloud.stats();
    assert_eq!(stats.action("CreateAiCallTask"), 6, "{stats:?}");
    stats
}

#[tokio::test(flavor = "multi_thread")]
async fn throttled_creates_are_retried_to_an_exact_account() {
    let stats = refused_requests_are_retried(Faults {
        throttle_every: Some(3),
        ..Faults::default()
    })
    .await;
    assert_eq!(stats.throttled, 2, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn unavailable_replies_are_retried_to_an_exact_account() {
    let stats = refused_requests_are_retried(Faults {
        unavailable_every: Some(3),
        ..Faults::default()
    })
    .await;
    assert_eq!(stats.unavailable, 2, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_lost_after_commit_is_settled_by_look_up_not_by_resending() {
    let cloud = Cloud::with(|config| {
        config.faults = Faults {
            drop_create_reply: Some(2),
            ..Faults::default()
        }
    })
    .await;
    let output = apply_fixture(&cloud, &["--auto-approve", "--parallelism", "1"]).await;
    output.assert_code(0);
    cloud_snapshot!(output);
    assert_contains(
        &output.stdout,
        "+ created renewal-reminder-december-2035 (task 118700000000000002; \
             the reply was lost, the look-up found it)",
    );
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_exactly_once(&cloud, 4);
    let stats = cloud.stats();
    assert_eq!(stats.dropped_replies, 1, "{stats:?}");
    assert_eq!(
        stats.action("CreateAiCallTask"),
        4,
        "never re-sent: {stats:?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn every_fault_at_once_at_parallelism_4_converges_exactly() {
    let names: Vec<String> = (1..=8).map(|n| format!("batch-{n:02}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    // About 13 requests in all (the listing, 8 creates, a look-up, the
    // retries), so requests 6 and 12 are throttled and 10 is refused with
    // 503 whatever the interleaving; never the 5 refusals in a row that
    // would exhaust one call's retries.
    let cloud = Cloud::with(|config| {
        config.faults = Faults {
            throttle_every: Some(6),
            unavailable_every: Some(10),
            drop_create_reply: Some(3),
            ..Faults::default()
        }
    })
    .await;
    let output = cloud
        .run(
            workspace(&plain_manifest(&names))
                .args(["apply", "--auto-approve", "--parallelism", "4"])
                .arg("tasks.yaml"),
        )
        .await;
    output.assert_code(0);
    assert_contains(&output.stdout, "the look-up found it");
    assert_contains(&output.stdout, "Apply complete: 8 created.");
    let expected: Vec<NewTask> = names.iter().map(|n| base(n)).collect();
    assert_account(&cloud.tasks(), &expected, &[]);
    assert_exactly_once(&cloud, 8);
    let stats = cloud.stats();
    assert!(stats.throttled > 0 && stats.unavailable > 0, "{stats:?}");
    assert_eq!(stats.dropped_replies, 1, "{stats:?}");
}

/// Runs `apply --parallelism 1` on the fixture in `ws`, holds the reply to
/// its first committed create, and hands the process (and its stderr) to
/// `interrupt` while the reply is held. Returns the exit status, stdout
/// and stderr.
async fn interrupted_apply(
    cloud: &Cloud,
    ws: &Test,
    interrupt: impl FnOnce(&mut std::process::Child, &mut StderrLines) + Send + 'static,
) -> (std::process::ExitStatus, String, String) {
    let held = cloud.hold_first_create();
    let mut child = cloud.spawn(
        ws.path(),
        &[
            "apply",
            "--auto-approve",
            "--parallelism",
            "1",
            "tasks.yaml",
        ],
    );
    let (status, stdout, stderr) = tokio::task::spawn_blocking(move || {
        let mut stderr = StderrLines::new(&mut child);
        held.wait_committed();
        interrupt(&mut child, &mut stderr);
        held.release();
        let mut stdout = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut stdout)
            .unwrap();
        (child.wait().unwrap(), stdout, stderr.all())
    })
    .await
    .unwrap();
    assert_no_secret_in("stdout", &stdout);
    assert_no_secret_in("stderr", &stderr);
    (status, stdout, stderr)
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn kill_9_after_a_committed_create_then_a_rerun_converges_without_duplicates() {
    use std::os::unix::process::ExitStatusExt as _;

    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    // Killed while the first create is committed but unanswered: the
    // worst moment, the account has the task and aicall never learnt it.
    let (status, _, _) = interrupted_apply(&cloud, &ws, |child, _| {
        child.kill().unwrap();
        child.wait().unwrap();
    })
    .await;
    assert_eq!(status.signal(), Some(9), "{status:?}");
    assert_account(&cloud.tasks(), &[fixture_task(FIXTURE_NAMES[0])], &[]);

    let rerun = cloud.run(apply_in(&ws)).await;
    rerun.assert_code(0);
    assert_contains(
        &rerun.stdout,
        "Plan: 3 to create, 0 to update, 0 to stop, 0 to start, 0 to rename, 1 unchanged, 0 \
         unmanaged.",
    );
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_exactly_once(&cloud, 4);
}

#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn ctrl_c_starts_nothing_new_reports_the_rest_skipped_and_a_rerun_converges() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    // SIGINT while the first create is in flight; its reply is let go
    // only once aicall has said it was interrupted, so the outcome is
    // exact: one created, three never started.
    let (status, stdout, stderr) = interrupted_apply(&cloud, &ws, |child, stderr| {
        let sent = send_signal(child.id(), "-INT");
        assert!(sent.success());
        stderr.wait_for("interrupted");
    })
    .await;
    assert_eq!(status.code(), Some(1), "{stdout}\n{stderr}");
    insta::with_settings!({ filters => crate::common::cloud::filters() }, {
        insta::assert_snapshot!(format!(
            "exit: 1\n----- stdout -----\n{stdout}----- stderr -----\n{stderr}"
        ));
    });
    assert_eq!(cloud.creates_received(), 1);
    assert_account(&cloud.tasks(), &[fixture_task(FIXTURE_NAMES[0])], &[]);

    let rerun = cloud.run(apply_in(&ws)).await;
    rerun.assert_code(0);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_exactly_once(&cloud, 4);
}

/// Issue 6: a second Ctrl-C no longer exits from a spawned task; the run
/// stops waiting for what is in flight, says so, prints its summary and
/// ends through the normal path with 130.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_second_ctrl_c_abandons_what_is_in_flight_and_ends_with_130() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    let (status, stdout, stderr) = interrupted_apply(&cloud, &ws, |child, stderr| {
        for expected in ["interrupted", "interrupted again"] {
            let sent = send_signal(child.id(), "-INT");
            assert!(sent.success());
            stderr.wait_for(expected);
        }
    })
    .await;
    assert_eq!(status.code(), Some(130), "{stdout}\n{stderr}");
    assert_contains(
        &stdout,
        &format!(
            "? unknown {}: abandoned in flight (interrupted twice)",
            FIXTURE_NAMES[0]
        ),
    );
    assert_contains(
        &stdout,
        "Apply incomplete: 0 created, 1 abandoned in flight (re-run apply), 3 skipped.",
    );
    assert_contains(&stderr, "interrupted again: no longer waiting");

    // The abandoned create had been committed: the re-run finds it.
    let rerun = cloud.run(apply_in(&ws)).await;
    rerun.assert_code(0);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_exactly_once(&cloud, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_task_made_elsewhere_during_apply_counts_as_converged() {
    // While the first create's reply is held, someone else creates the
    // second task: its create is then refused as a duplicate name, which
    // is convergence, not failure.
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    let held = cloud.hold_first_create();
    let run = tokio::spawn(crate::common::cloud::run(cloud.point(apply_in(&ws))));
    held.committed().await;
    let elsewhere = cloud.seed(vec![fixture_task(FIXTURE_NAMES[1])]).await;
    held.release();
    let output = run.await.unwrap();
    output.assert_code(0);
    assert_contains(
        &output.stdout,
        &format!(
            "= exists renewal-reminder-december-2035 (task {}): it was created elsewhere \
             meanwhile; nothing to do",
            elsewhere[0]
        ),
    );
    assert_contains(
        &output.stdout,
        "Apply complete: 3 created, 1 created elsewhere.",
    );
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_eq!(cloud.stats().code("TaskNameDuplicate"), 1);
}

/// Saves a plan of the workspace's manifests made against `cloud`.
async fn save_plan(cloud: &Cloud, ws: &Test) {
    cloud
        .run(at(ws).args(["plan", "--out", "plan.json", "tasks.yaml"]))
        .await
        .assert_code(0);
}

/// Applies the saved plan in `ws` against `cloud`, which must refuse it
/// and create nothing.
async fn apply_stale_plan(cloud: &Cloud, ws: &Test) -> crate::common::harness::Output {
    let creates = cloud.creates_received();
    let output = cloud
        .run(at(ws).args(["apply", "--auto-approve", "--plan", "plan.json"]))
        .await;
    output.assert_code(1);
    assert_contains(&output.stderr, "is stale and was not applied");
    assert_eq!(cloud.creates_received(), creates, "nothing was sent");
    output
}

#[tokio::test(flavor = "multi_thread")]
async fn a_fresh_saved_plan_applies_once_and_is_stale_afterwards() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    save_plan(&cloud, &ws).await;
    let output = cloud
        .run(at(&ws).args(["apply", "--auto-approve", "--plan", "plan.json"]))
        .await;
    output.assert_code(0);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);

    // Applying it again would assume the tasks are still missing.
    let output = apply_stale_plan(&cloud, &ws).await;
    assert!(
        output
            .stderr
            .contains("the plan assumed no task named `winback-q1-2035` exists, but task"),
        "{}",
        output.stderr
    );
    assert_exactly_once(&cloud, 4);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_refused_when_a_manifest_value_changed() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    save_plan(&cloud, &ws).await;
    let ws = ws.write(
        "tasks.yaml",
        FIXTURE.replace("concurrency: 50", "concurrency: 60"),
    );
    let output = apply_stale_plan(&cloud, &ws).await;
    cloud_snapshot!(output);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_refused_when_a_variable_changed_the_manifests() {
    // The digest is taken after `${VAR}` interpolation: the same file
    // with another value is another plan.
    let cloud = Cloud::start().await;
    let ws = workspace(&FIXTURE.replace("\"118012345678905555\"", "\"${WINBACK_AGENT}\""));
    cloud
        .run(at(&ws).env("WINBACK_AGENT", "118012345678905555").args([
            "plan",
            "--out",
            "plan.json",
            "tasks.yaml",
        ]))
        .await
        .assert_code(0);
    let output = cloud
        .run(at(&ws).env("WINBACK_AGENT", "118012345678906666").args([
            "apply",
            "--auto-approve",
            "--plan",
            "plan.json",
        ]))
        .await;
    output.assert_code(1);
    assert!(
        output
            .stderr
            .contains("the manifests changed since the plan was made: changed `winback-q1-2035`"),
        "{}",
        output.stderr
    );
    assert_eq!(cloud.creates_received(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_refused_when_a_planned_task_now_exists() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    save_plan(&cloud, &ws).await;
    cloud.seed(vec![fixture_task(FIXTURE_NAMES[2])]).await;
    let output = apply_stale_plan(&cloud, &ws).await;
    cloud_snapshot!(output);
    assert_eq!(cloud.tasks().len(), 1, "only the task made meanwhile");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_refused_when_a_task_it_took_as_existing_is_gone() {
    // Creating only the planned tasks would not converge any more.
    let cloud = Cloud::start().await;
    let december = fixture_task(FIXTURE_NAMES[1]);
    let ids = cloud.seed(vec![december.clone()]).await;
    let ws = workspace(FIXTURE);
    save_plan(&cloud, &ws).await;
    cloud
        .rename(ids[0], &december, "renewal-reminder-december-2035 (old)")
        .await;
    let output = apply_stale_plan(&cloud, &ws).await;
    cloud_snapshot!(output);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_refused_against_another_endpoint() {
    let planned = Cloud::start().await;
    let other = Cloud::start().await;
    let ws = workspace(FIXTURE);
    save_plan(&planned, &ws).await;
    let output = apply_stale_plan(&other, &ws).await;
    cloud_snapshot!(output);
    let expected = format!(
        "the plan was made against {}, but this run targets {}",
        planned.endpoint(),
        other.endpoint()
    );
    assert!(output.stderr.contains(&expected), "{}", output.stderr);
    assert!(!output.stderr.contains("AccessKey"), "{}", output.stderr);
    assert!(planned.tasks().is_empty() && other.tasks().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_is_refused_with_another_access_key() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    save_plan(&cloud, &ws).await;
    // The same endpoint, another AccessKey: refused before any request,
    // so the service never even sees the other key.
    let requests = cloud.stats().requests;
    let output = crate::common::cloud::run(
        cloud
            .point(at(&ws).args(["apply", "--auto-approve", "--plan", "plan.json"]))
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", "aicall-it-key-0077"),
    )
    .await;
    output.assert_code(1);
    assert_contains(&output.stderr, "is stale and was not applied");
    assert_eq!(cloud.stats().requests, requests, "no request was sent");
    cloud_snapshot!(output);
    assert!(!output.stderr.contains("targets"), "{}", output.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn local_apply_keeps_its_state_and_a_second_run_changes_nothing() {
    let ws = workspace(FIXTURE);
    let apply = || at(&ws).args(["apply", "--local", "--auto-approve", "tasks.yaml"]);
    let first = crate::common::cloud::run(apply()).await;
    first.assert_code(0);
    assert_contains(&first.stdout, "Apply complete: 4 created.");
    let state = ws.path().join(".aicall/local-state.json");
    assert!(state.is_file(), "{state:?}");

    let second = crate::common::cloud::run(apply()).await;
    second.assert_code(0);
    cloud_snapshot!(second);

    // What the state file holds is exactly the manifests.
    let emulator = Emulator::start(Config {
        state_file: Some(state),
        ..Config::default()
    })
    .await
    .unwrap();
    assert_account(&emulator.tasks(), &fixture_account(), &[]);
    emulator.shutdown().await.unwrap();
}
