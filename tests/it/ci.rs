//! The CI kit (issue 11): GitHub annotations (`--format github`), the job
//! summary (`GITHUB_STEP_SUMMARY`), the pull-request comment's marker,
//! `apply --format json`, `--target` on plan, apply and saved plans, shell
//! completions and `--version`. The 10,000-task comment budget is a unit
//! test of `render::markdown`; the workflows themselves are checked by
//! `.ci/run` (actionlint, the action metadata schema).

use aicall::emulator::Faults;

use crate::cloud_snapshot;
use crate::common::cloud::{
    Cloud, FIXTURE, FIXTURE_NAMES, fixture, fixture_account, fixture_task, plain_manifest,
};
use crate::common::harness::{Test, assert_contains, at, repo_root, workspace};

/// A manifest in a directory whose name holds `,` and `:` (which end a
/// workflow command's property unless escaped), with a `%` in a value and
/// a task name, and a problem whose message has a help line.
fn awkward() -> Test {
    Test::new().write(
        "a,b:c/tasks.yaml",
        r#"
        version: 1
        defaults:
          agentId: "118012345678901234"
          virtualNumber: "0327121220001"
          callDays: [MONDAY]
          callWindows: [{ start: "09:00", end: "12:00" }]
        tasks:
          - name: "100% renewals"
            start: immediate
            concurrency: 80%
            concurency: 5
        "#,
    )
}

#[test]
fn validate_github_escapes_messages_and_paths_in_annotations() {
    let output = awkward()
        .args(["validate", "--format", "github", "a,b:c"])
        .run();
    output.assert_code(1);
    crate::aicall_snapshot!(output);
    // Each annotation is one line, whatever the message holds.
    assert!(
        output
            .stdout
            .lines()
            .all(|l| l.starts_with("::error ") || l.starts_with("aicall: "))
    );
}

#[test]
fn validate_github_prints_every_problem_and_counts_what_github_hides() {
    let mut manifest = plain_manifest(&[]);
    for n in 0..12 {
        manifest.push_str(&format!(
            "          - {{ name: t{n}, start: immediate, concurency: 1 }}\n"
        ));
    }
    let output = workspace(&manifest)
        .args(["validate", "--format", "github", "tasks.yaml"])
        .run();
    output.assert_code(1);
    assert_eq!(output.stdout.matches("::error ").count(), 12);
    assert_contains(
        &output.stdout,
        "aicall: 12 errors; GitHub shows the first 10 of each kind as annotations, so 2 errors \
         appear only in this log, above\n",
    );
    // Valid manifests: no annotation, the verdict.
    let output = workspace(FIXTURE)
        .args(["validate", "--format", "github"])
        .run();
    output.assert_code(0);
    assert_eq!(output.stdout, "4 tasks in 1 file valid\n");
}

#[tokio::test(flavor = "multi_thread")]
async fn plan_github_annotates_plan_errors_and_blocked_tasks() {
    let cloud = Cloud::start().await;
    let past = Test::new().write(
        "tasks.yaml",
        r#"
        version: 1
        defaults: { agentId: "118012345678901234", virtualNumber: "0327121220001",
                    callDays: [MONDAY], callWindows: [{ start: "09:00", end: "12:00" }] }
        tasks:
          - name: late
            start: { at: "2020-01-01T09:00:00+08:00" }
        "#,
    );
    let output = cloud
        .run(past.args(["plan", "--format", "github", "tasks.yaml"]))
        .await;
    output.assert_code(1);
    cloud_snapshot!("plan_github_error", output);

    // A running task whose configuration differs is blocked: a warning at
    // its name, then the plan as plain text for the log.
    let mut running = fixture_task(FIXTURE_NAMES[0]);
    running.config.task_cps = Some(10);
    cloud.seed(vec![running]).await;
    let output = cloud
        .run(fixture(["plan", "--format", "github", "tasks.yaml"]))
        .await;
    output.assert_code(0);
    cloud_snapshot!("plan_github_blocked", output);
}

#[tokio::test(flavor = "multi_thread")]
async fn validate_plan_and_apply_append_to_the_job_summary() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE).write("summary.md", "earlier step\n");
    let summary = ws.path().join("summary.md");
    let with_summary = |test: Test| test.env("GITHUB_STEP_SUMMARY", &summary);
    with_summary(at(&ws).args(["validate"]))
        .run()
        .assert_code(0);
    cloud
        .run(with_summary(at(&ws).args(["plan", "--format", "json"])))
        .await
        .assert_code(0);
    cloud
        .run(with_summary(at(&ws).args(["apply", "--auto-approve"])))
        .await
        .assert_code(0);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(
        text.starts_with("earlier step\n"),
        "appended, never rewritten"
    );
    insta::with_settings!({ filters => crate::common::cloud::filters() }, {
        insta::assert_snapshot!(text);
    });

    // --no-step-summary: nothing is written.
    let before = std::fs::read_to_string(&summary).unwrap();
    with_summary(at(&ws).args(["validate", "--no-step-summary"]))
        .run()
        .assert_code(0);
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), before);
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_manifests_are_a_table_in_the_job_summary_and_no_plan() {
    let ws = awkward();
    let summary = ws.path().join("summary.md");
    let output = at(&ws)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .args(["plan", "--format", "markdown", "a,b:c"])
        .run();
    output.assert_code(1);
    // The comment says why there is no plan, so it never shows an old one.
    assert!(
        output
            .stdout
            .starts_with("<!-- aicall plan: a,b:c -->\n### aicall plan: no plan: 2 problems"),
        "{}",
        output.stdout
    );
    insta::assert_snapshot!(std::fs::read_to_string(&summary).unwrap());
}

/// The file GitHub reads must stay under 1 MiB: what is appended is cut
/// to the room left, and says so.
#[tokio::test(flavor = "multi_thread")]
async fn the_job_summary_stays_under_1_mib() {
    let cloud = Cloud::start().await;
    let names: Vec<String> = (0..60).map(|n| format!("campaign-{n:03}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let earlier = "x".repeat(1024 * 1024 - 6_000) + "\n";
    let ws = workspace(&plain_manifest(&names)).write("summary.md", &earlier);
    let summary = ws.path().join("summary.md");
    let output = cloud
        .run(
            at(&ws)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .args(["plan", "tasks.yaml"]),
        )
        .await;
    output.assert_code(0);
    let text = std::fs::read_to_string(&summary).unwrap();
    assert!(text.len() < 1024 * 1024, "{} bytes", text.len());
    assert!(text.starts_with(&earlier));
    let added = &text[earlier.len()..];
    assert!(
        added.starts_with("### aicall plan: 60 to create"),
        "{added}"
    );
    assert_contains(added, "more tasks not shown: `aicall plan` lists them all.");
    assert_contains(added, "Plan: 60 to create");

    // A full file: nothing is appended, and a warning says why.
    std::fs::write(&summary, "x".repeat(1024 * 1024)).unwrap();
    let output = cloud
        .run(
            at(&ws)
                .env("GITHUB_STEP_SUMMARY", &summary)
                .args(["validate"]),
        )
        .await;
    output.assert_code(0);
    assert_contains(&output.stderr, "was not written: it is full");
    assert_eq!(std::fs::metadata(&summary).unwrap().len(), 1024 * 1024);
}

/// Every line of `apply --format json`, checked against the committed
/// schema: a create refused with the service's code and request ID among
/// the others.
#[tokio::test(flavor = "multi_thread")]
async fn apply_json_lines_follow_their_schema() {
    let cloud = Cloud::with(|config| {
        config.faults = Faults {
            refuse_create: Some(2),
            ..Faults::default()
        }
    })
    .await;
    let output = cloud
        .run(fixture([
            "apply",
            "--format",
            "json",
            "--auto-approve",
            "--parallelism",
            "1",
            "tasks.yaml",
        ]))
        .await;
    output.assert_code(1);
    cloud_snapshot!(output);

    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(repo_root().join("schemas/aicall-apply.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let lines: Vec<serde_json::Value> = output
        .stdout
        .lines()
        .map(|line| serde_json::from_str(line).expect("stdout holds JSON lines only"))
        .collect();
    for line in &lines {
        let errors: Vec<String> = validator.iter_errors(line).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{line}: {errors:#?}");
    }
    assert_eq!(lines[0]["type"], "format");
    assert_eq!(lines[0]["formatVersion"], "1.0");
    let failed = lines
        .iter()
        .find(|l| l["outcome"] == "failed")
        .expect("a failed task");
    assert_eq!(failed["errorCode"], "InvalidParameter");
    assert!(failed["requestId"].is_string(), "{failed}");
    let last = lines.last().unwrap();
    assert_eq!(last["type"], "summary");
    assert_eq!(
        (last["created"].as_u64(), last["failed"].as_u64()),
        (Some(3), Some(1))
    );
    assert_eq!(last["exitCode"], 1);
    // The plan, for people, went to stderr.
    assert_contains(&output.stderr, "Plan: 4 to create");
}

#[tokio::test(flavor = "multi_thread")]
async fn apply_json_needs_auto_approve_and_always_ends_with_a_summary() {
    let output = fixture(["apply", "--format", "json", "tasks.yaml"]).run();
    output.assert_code(2);
    crate::aicall_snapshot!(output);

    let cloud = Cloud::start().await;
    cloud.seed(fixture_account()).await;
    let output = cloud
        .run(fixture([
            "apply",
            "--format",
            "json",
            "--auto-approve",
            "tasks.yaml",
        ]))
        .await;
    output.assert_code(0);
    let last: serde_json::Value =
        serde_json::from_str(output.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["result"], "nothingToDo");

    // Refused before any change: still a summary, `notApplied`.
    let output = cloud
        .run(workspace("version: 1\ntasks: [{ name: x }]\n").args([
            "apply",
            "--format",
            "json",
            "--auto-approve",
            "tasks.yaml",
        ]))
        .await;
    output.assert_code(1);
    let lines: Vec<&str> = output.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", output.stdout);
    assert_contains(lines[1], r#""result":"notApplied","exitCode":1"#);
}

#[tokio::test(flavor = "multi_thread")]
async fn target_plans_only_the_matching_tasks_and_counts_no_unmanaged() {
    let cloud = Cloud::start().await;
    // Another manifest task exists in the account: untargeted it is
    // unchanged, targeted away it is neither planned nor unmanaged.
    cloud.seed(vec![fixture_task(FIXTURE_NAMES[3])]).await;
    let output = cloud
        .run(fixture([
            "plan",
            "--target",
            "renewal-*",
            "--target",
            "续费*",
            "tasks.yaml",
        ]))
        .await;
    output.assert_code(0);
    cloud_snapshot!(output);

    let output = cloud
        .run(fixture(["plan", "--target", "renwal-*", "tasks.yaml"]))
        .await;
    output.assert_code(2);
    assert_contains(
        &output.stderr,
        "error: `--target` matches no manifest task: `renwal-*`",
    );
    let output = cloud
        .run(fixture([
            "plan",
            "--target",
            "x",
            "--show-unmanaged",
            "tasks.yaml",
        ]))
        .await;
    output.assert_code(2);
}

#[tokio::test(flavor = "multi_thread")]
async fn target_applies_only_the_matching_tasks() {
    let cloud = Cloud::start().await;
    let output = cloud
        .run(fixture([
            "apply",
            "--auto-approve",
            "--target",
            "winback-*",
            "tasks.yaml",
        ]))
        .await;
    output.assert_code(0);
    let names: Vec<String> = cloud.tasks().into_iter().map(|t| t.config.name).collect();
    assert_eq!(names, [FIXTURE_NAMES[2]]);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_records_its_targets_and_applies_exactly_them() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    cloud
        .run(at(&ws).args([
            "plan",
            "--target",
            "winback-*",
            "--out",
            "plan.json",
            "tasks.yaml",
        ]))
        .await
        .assert_code(0);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("plan.json")).unwrap())
            .unwrap();
    assert_eq!(saved["plan"]["targets"], serde_json::json!(["winback-*"]));

    // Another selection is refused before any request.
    let output = cloud
        .run(at(&ws).args([
            "apply",
            "--plan",
            "plan.json",
            "--auto-approve",
            "--target",
            "*",
        ]))
        .await;
    output.assert_code(1);
    cloud_snapshot!("saved_plan_other_target", output);
    assert_eq!(cloud.creates_received(), 0);

    // Editing the selection breaks the seal.
    let mut edited = saved.clone();
    edited["plan"]["targets"] = serde_json::json!(["*-2035"]);
    std::fs::write(ws.path().join("edited.json"), edited.to_string()).unwrap();
    let output = cloud
        .run(at(&ws).args(["apply", "--plan", "edited.json", "--auto-approve"]))
        .await;
    output.assert_code(1);
    assert_eq!(cloud.creates_received(), 0);

    // The same selection, given or not: exactly the planned task.
    let output = cloud
        .run(at(&ws).args([
            "apply",
            "--plan",
            "plan.json",
            "--auto-approve",
            "--target",
            "winback-*",
        ]))
        .await;
    output.assert_code(0);
    let names: Vec<String> = cloud.tasks().into_iter().map(|t| t.config.name).collect();
    assert_eq!(names, [FIXTURE_NAMES[2]]);
}

#[test]
fn completions_are_made_for_every_shell_and_bash_parses_them() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = Test::new().args(["completions", shell]).run();
        output.assert_code(0);
        assert_contains(&output.stdout, "aicall");
        assert_contains(&output.stdout, "target");
        if shell == "bash" {
            let script = Test::new().write("aicall.bash", &output.stdout);
            let checked = std::process::Command::new("bash")
                .arg("-n")
                .arg(script.path().join("aicall.bash"))
                .output()
                .expect("bash runs");
            assert!(
                checked.status.success(),
                "{}",
                String::from_utf8_lossy(&checked.stderr)
            );
        }
    }
}

#[test]
fn version_names_the_commit_it_was_built_from() {
    let output = Test::new().arg("--version").run();
    output.assert_code(0);
    let version = output.stdout.trim_end();
    let head = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(repo_root())
        .output()
        .ok()
        .filter(|o| o.status.success() && repo_root().join(".git").exists())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    let package = concat!("aicall ", env!("CARGO_PKG_VERSION"));
    match head {
        Some(commit) => assert_eq!(version, format!("{package} ({commit})")),
        None => assert_eq!(version, package),
    }
}
