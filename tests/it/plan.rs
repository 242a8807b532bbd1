//! `aicall plan` against the emulator: the three verdicts (create, drift,
//! unchanged) and unmanaged tasks, the text, JSON and Markdown renderings,
//! `--detailed-exitcode`, and the errors that stop a plan (invalid
//! manifests, a start in the past, one name on two tasks, usage).
//!
//! Saved plans are applied in `apply.rs`; that module also covers what
//! apply does with a plan.

use aicall::emulator::{CallDay, NewTask, RetryReason};

use crate::cloud_snapshot;
use crate::common::cloud::{
    Cloud, FIXTURE, FIXTURE_NAMES, base, fixture, fixture_account, fixture_task, renaming_proxy,
};
use crate::common::harness::{assert_contains, at, workspace};

/// The fixture's `续费提醒-2035-12` as someone changed it in the console:
/// another concurrency, days and retry policy.
fn drifted_renewals() -> NewTask {
    let mut task = fixture_task(FIXTURE_NAMES[0]);
    task.config.task_cps = Some(10);
    task.config.call_days = CallDay::ALL[..5].to_vec();
    task.config.call_retry_reasons = Some(vec![RetryReason::NoAnswer]);
    task.config.call_retry_times = Some(3);
    task.config.call_retry_interval = Some(60);
    task
}

#[tokio::test(flavor = "multi_thread")]
async fn an_empty_account_plans_every_task_as_a_create() {
    let cloud = Cloud::start().await;
    let output = cloud.run(fixture(["plan", "tasks.yaml"])).await;
    cloud_snapshot!(output);
    // A plan reads; it never writes.
    let stats = cloud.stats();
    assert_eq!(stats.action("QueryAiCallTaskPage"), 1, "{stats:?}");
    assert_eq!(stats.requests, 1, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn drift_shows_each_differing_field_account_to_manifest() {
    let cloud = Cloud::start().await;
    // A start moved by an hour shows in the manifest's own offset.
    let mut december = fixture_task(FIXTURE_NAMES[1]);
    december.config.task_start_time = Some(crate::common::cloud::DECEMBER_2035_MS + 3_600_000);
    cloud.seed(vec![drifted_renewals(), december]).await;
    let output = cloud
        .run(fixture(["plan", "--detailed-exitcode", "tasks.yaml"]))
        .await;
    // Two creates are changes; drift is not (apply would not act on it).
    output.assert_code(2);
    cloud_snapshot!(output);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_task_that_matches_after_normalising_is_unchanged_not_drift() {
    // The manifest writes days out of order, `09:00` beside `12:00:00`,
    // and a start in +08:00; the account reports canonical order,
    // `HH:mm:ss` and epoch milliseconds.
    let cloud = Cloud::start().await;
    cloud.seed(fixture_account()).await;
    let output = cloud
        .run(fixture(["plan", "--detailed-exitcode", "-v", "tasks.yaml"]))
        .await;
    output.assert_code(0);
    cloud_snapshot!(output);
}

#[tokio::test(flavor = "multi_thread")]
async fn detailed_exitcode_is_0_without_changes_2_with_and_1_on_error() {
    let cloud = Cloud::start().await;
    let plan = |args: &[&str]| {
        workspace(FIXTURE)
            .write("broken.yaml", "version: 1\ntasks: [{ name: x }]\n")
            .args(args.iter().copied())
    };

    // Changes present.
    let output = cloud
        .run(plan(&["plan", "--detailed-exitcode", "tasks.yaml"]))
        .await;
    assert_eq!(output.code, 2, "{}", output.snapshot());
    // Without the flag, a plan that was made exits 0 whatever it says.
    let output = cloud.run(plan(&["plan", "tasks.yaml"])).await;
    assert_eq!(output.code, 0, "{}", output.snapshot());

    // Only a blocked entry left (a running task that differs): apply
    // would not act on it, but it is something to look at, so 2.
    let mut account = fixture_account();
    account[0] = drifted_renewals();
    cloud.seed(account).await;
    let output = cloud
        .run(plan(&["plan", "--detailed-exitcode", "tasks.yaml"]))
        .await;
    assert_eq!(output.code, 2, "{}", output.snapshot());
    assert_contains(
        &output.stdout,
        "Plan: 0 to create, 0 to update, 0 to stop, 0 to start, 0 to rename, 3 unchanged, 0 \
         unmanaged; 1 blocked.",
    );

    // An error is 1, never mistaken for "no changes".
    let output = cloud
        .run(plan(&["plan", "--detailed-exitcode", "broken.yaml"]))
        .await;
    assert_eq!(output.code, 1, "{}", output.snapshot());
    // So is an API failure: the right key with the wrong secret.
    let wrong = "wrong-secret-5b1e0c";
    let output = crate::common::cloud::run(
        plan(&["plan", "--detailed-exitcode", "tasks.yaml"])
            .env("AICALL_ENDPOINT", cloud.endpoint())
            .env(
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                crate::common::cloud::ACCESS_KEY_ID,
            )
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", wrong),
    )
    .await;
    assert_eq!(output.code, 1, "{}", output.snapshot());
    assert_contains(&output.stderr, "SignatureDoesNotMatch");
    assert!(!output.stderr.contains(wrong), "{}", output.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn unmanaged_tasks_are_counted_and_listed_on_request() {
    let cloud = Cloud::start().await;
    // Fuzzy matches of manifest names (the API's filter is a substring
    // match, §3.3) are still other tasks.
    cloud
        .seed(vec![
            base("payment-plan-follow-up (2034)"),
            base("PAYMENT-PLAN-FOLLOW-UP"),
            base("nps-survey-q4-2034"),
        ])
        .await;
    let counted = cloud.run(fixture(["plan", "tasks.yaml"])).await;
    counted.assert_code(0);
    let summary = "Plan: 4 to create, 0 to update, 0 to stop, 0 to start, 0 to rename, 0 \
                   unchanged, 3 unmanaged.";
    assert_contains(&counted.stdout, summary);
    assert!(!counted.stdout.contains("nps-survey"), "{}", counted.stdout);

    let listed = cloud
        .run(fixture(["plan", "--show-unmanaged", "tasks.yaml"]))
        .await;
    listed.assert_code(0);
    cloud_snapshot!(listed);

    // Listing them takes every page; one task per page says the same.
    let paged = cloud
        .run(fixture([
            "plan",
            "--show-unmanaged",
            "--page-size",
            "1",
            "tasks.yaml",
        ]))
        .await;
    assert_eq!(paged.stdout, listed.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn looking_names_up_finds_exact_names_among_fuzzy_matches() {
    // 8 account tasks, 1 per page: 7 more pages would cost more than 4
    // look-ups, so each manifest name is looked up, and the fuzzy filter
    // returns near-names that must not be mistaken for the task.
    let cloud = Cloud::start().await;
    let mut account = vec![
        base("payment-plan-follow-up (2034)"),
        base("PAYMENT-PLAN-FOLLOW-UP"),
        base("old-winback-q1-2035"),
        base("nps-survey-q4-2034"),
        base("nps-survey-q3-2034"),
        base("nps-survey-q2-2034"),
    ];
    account.push(fixture_task(FIXTURE_NAMES[1]));
    account.push(drifted_renewals());
    cloud.seed(account).await;
    let output = cloud
        .run(fixture(["plan", "--page-size", "1", "tasks.yaml"]))
        .await;
    output.assert_code(0);
    assert_contains(
        &output.stdout,
        "Plan: 2 to create, 0 to update, 0 to stop, 0 to start, 0 to rename, 1 unchanged, 6 \
         unmanaged; 1 blocked.",
    );
    let stats = cloud.stats();
    // The first page, then one page per name, two for the name with two
    // fuzzy matches: 6, where listing would have cost 8.
    assert_eq!(stats.action("QueryAiCallTaskPage"), 6, "{stats:?}");
    // Only the two tasks that really carry manifest names have their
    // detail read.
    assert_eq!(stats.action("QueryAiCallTaskDetail"), 2, "{stats:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn renders_a_realistic_plan_as_text_json_and_markdown() {
    // Creates, a drift, an unchanged task and unmanaged ones, in one plan.
    let cloud = Cloud::start().await;
    let mut winback = fixture_task(FIXTURE_NAMES[2]);
    winback.config.call_days = vec![CallDay::Saturday];
    winback.config.call_retry_times = Some(3);
    winback.agent_id = "118012345678909999".to_owned();
    cloud
        .seed(vec![
            fixture_task(FIXTURE_NAMES[0]),
            winback,
            base("payment-plan-follow-up (2034)"),
            base("nps-survey-q4-2034"),
        ])
        .await;
    for (format, extra) in [
        ("text", &["--show-unmanaged", "-v"][..]),
        ("json", &["--show-unmanaged"][..]),
        ("markdown", &["--show-unmanaged"][..]),
    ] {
        let output = cloud
            .run(
                fixture(["plan", "--format", format])
                    .args(extra.iter().copied())
                    .arg("tasks.yaml"),
            )
            .await;
        output.assert_code(0);
        cloud_snapshot!(format!("realistic_plan_{format}"), output);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_json_plan_is_versioned_and_valid_against_its_schema() {
    let cloud = Cloud::start().await;
    cloud.seed(vec![drifted_renewals()]).await;
    let output = cloud
        .run(fixture(["plan", "--format", "json", "tasks.yaml"]))
        .await;
    output.assert_code(0);
    let plan: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    assert_eq!(plan["formatVersion"], "2.1");
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            crate::common::harness::repo_root().join("schemas/aicall-plan.schema.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&plan)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_create_scheduled_in_the_past_is_an_error_naming_task_time_and_now() {
    let cloud = Cloud::start().await;
    let manifest = FIXTURE.replace("2035-03-02T10:00:00Z", "2020-03-02T10:00:00Z");
    let output = cloud
        .run(workspace(&manifest).args(["plan", "--detailed-exitcode", "tasks.yaml"]))
        .await;
    output.assert_code(1);
    cloud_snapshot!(output);
    assert!(output.stdout.is_empty(), "no plan is printed");

    // apply stops alike, before creating anything.
    let output = cloud
        .run(workspace(&manifest).args(["apply", "--auto-approve", "tasks.yaml"]))
        .await;
    output.assert_code(1);
    assert_contains(&output.stderr, "error[start-in-past]");
    assert_eq!(cloud.creates_received(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn an_existing_task_scheduled_in_the_past_is_fine() {
    // Only a create would be refused; a task that started long ago is
    // just unchanged.
    let cloud = Cloud::start().await;
    let manifest = FIXTURE.replace("2035-03-02T10:00:00Z", "2020-03-02T10:00:00Z");
    let mut winback = fixture_task(FIXTURE_NAMES[2]);
    winback.config.task_start_time = Some(1_583_143_200_000);
    cloud.seed(vec![winback]).await;
    let output = cloud
        .run(workspace(&manifest).args(["plan", "tasks.yaml"]))
        .await;
    output.assert_code(0);
    assert_contains(
        &output.stdout,
        "3 to create, 0 to update, 0 to stop, 0 to start, 0 to rename, 1 unchanged",
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn two_account_tasks_with_one_manifest_name_are_an_error_naming_both() {
    let cloud = Cloud::start().await;
    let winback = fixture_task(FIXTURE_NAMES[2]);
    let mut twin = winback.clone();
    twin.config.name = "winback-q1-2035 (twin)".to_owned();
    cloud.seed(vec![winback, twin]).await;
    let proxy = renaming_proxy(&cloud, "winback-q1-2035 (twin)", "winback-q1-2035").await;

    let output = cloud
        .run(fixture(["plan", "--endpoint", &proxy, "tasks.yaml"]))
        .await;
    output.assert_code(1);
    cloud_snapshot!(output);
    assert_contains(&output.stderr, "118700000000000001, 118700000000000002");

    // apply refuses alike, and creates nothing, not even the other tasks.
    let output = cloud
        .run(fixture([
            "apply",
            "--auto-approve",
            "--endpoint",
            &proxy,
            "tasks.yaml",
        ]))
        .await;
    output.assert_code(1);
    assert_eq!(cloud.creates_received(), 0);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_manifests_stop_before_any_request() {
    let cloud = Cloud::start().await;
    let invalid = FIXTURE.replace("concurrency: 50", "concurrency: 800");
    for (name, args) in [
        ("plan", &["plan", "tasks.yaml"][..]),
        ("apply", &["apply", "--auto-approve", "tasks.yaml"][..]),
    ] {
        let output = cloud
            .run(workspace(&invalid).args(args.iter().copied()))
            .await;
        output.assert_code(1);
        cloud_snapshot!(format!("invalid_manifest_{name}"), output);
    }
    assert_eq!(cloud.stats().requests, 0, "{:?}", cloud.stats());
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_errors_exit_2_before_any_request() {
    let cloud = Cloud::start().await;
    for args in [
        &["plan", "--format", "yaml", "tasks.yaml"][..],
        &["plan", "--out", "plan.json", "-"][..],
        &["apply", "--parallelism", "0", "tasks.yaml"][..],
        &["apply", "--plan", "plan.json", "tasks.yaml"][..],
        &[
            "plan",
            "--local",
            "--endpoint",
            "http://127.0.0.1:9",
            "tasks.yaml",
        ][..],
    ] {
        let output = cloud
            .run(workspace(FIXTURE).args(args.iter().copied()))
            .await;
        assert_eq!(output.code, 2, "{args:?}\n{}", output.snapshot());
        assert!(output.stdout.is_empty(), "{args:?}\n{}", output.snapshot());
    }
    assert_eq!(cloud.stats().requests, 0, "{:?}", cloud.stats());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_holds_no_secret_and_not_the_key_id() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    let output = cloud
        .run(at(&ws).args(["plan", "--out", "plan.json", "tasks.yaml"]))
        .await;
    output.assert_code(0);
    assert_contains(&output.stderr, "Saved the plan to plan.json");
    let dir = ws.path();
    let saved = std::fs::read_to_string(dir.join("plan.json")).unwrap();
    assert!(!saved.contains(crate::common::cloud::SECRET));
    assert!(!saved.contains(crate::common::cloud::ACCESS_KEY_ID));
    assert!(
        saved.contains("\"****0042\""),
        "the masked ID, its last four only: {saved}"
    );
    let saved: serde_json::Value = serde_json::from_str(&saved).unwrap();
    let preconditions: Vec<&str> = saved["preconditions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(preconditions, FIXTURE_NAMES);
}
