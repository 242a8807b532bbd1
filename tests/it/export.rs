//! `aicall export` against the emulator (issue 9): an account adopted
//! round-trips — export, `validate` exits 0, `plan --detailed-exitcode`
//! exits 0 — for a varied account and for random ones; `--unmanaged`
//! adopts exactly what the manifests leave out; what cannot be declared
//! is written commented out and named; `--out` never replaces a file
//! unasked, nor ever a manifest.

use aicall::emulator::{CallDay, NewTask, RetryReason, StartType, TaskStatus};
use proptest::prelude::*;

use crate::cloud_snapshot;
use crate::common::cloud::{
    Cloud, FIXTURE, MARCH_2035_MS, fixture_account, renaming_proxy, window,
};
use crate::common::harness::{Output, Test, assert_contains, at, workspace};

/// Names that a careless writer would get back as something else, or not
/// at all: YAML 1.1 and 1.2 words and numbers, indicators, quotes,
/// padding, `${`, emoji, Chinese.
const AWKWARD: &[&str] = &[
    "yes",
    "No",
    "null",
    "~",
    "true",
    "123",
    "0123",
    "1e3",
    "0x1F",
    ".inf",
    "12:30",
    "- a",
    "a: b",
    "#x",
    "a #x",
    " leading",
    "trailing ",
    "\"quoted\"",
    "'single'",
    "back\\slash",
    "${HOME}",
    "[x]",
    "&a *b !c",
    "emoji 📞☎️",
    "续费提醒-2035-12",
    "外呼 测试*~(1)",
];

const AGENTS: [&str; 3] = [
    "118012345678901234",
    "118012345678905555",
    "1180123456789012345",
];

/// 2024-06-01T00:00:00Z: long past (`date -u -d 2024-06-01 +%s`).
const PAST_MS: i64 = 1_717_200_000_000;

/// Task `i` of a varied account: both start kinds (and a start already
/// past), one to seven days, windows with and without seconds, retry on,
/// off and unreported, concurrency set and unset.
fn varied(i: usize, name: String) -> NewTask {
    let mut task = NewTask::example(name);
    task.agent_id = AGENTS[i % 3].to_owned();
    let config = &mut task.config;
    config.virtual_number = if i.is_multiple_of(4) {
        "02161230000"
    } else {
        "0327121220001"
    }
    .to_owned();
    match i % 3 {
        0 => {}
        1 => {
            config.start_type = StartType::Schedule;
            config.task_start_time = Some(MARCH_2035_MS + i as i64 * 3_600_000);
        }
        _ => {
            // Started by itself already: its start is in the past.
            config.start_type = StartType::Schedule;
            config.task_start_time = Some(PAST_MS + 86_400_000 * i as i64);
        }
    }
    config.call_days = CallDay::ALL
        .iter()
        .cycle()
        .skip(i % 7)
        .take(i % 7 + 1)
        .copied()
        .collect();
    config.call_days.sort();
    config.call_times = match i % 4 {
        0 => vec![window("09:00:00", "12:00:00")],
        1 => vec![
            window("09:00:00", "12:00:00"),
            window("14:00:00", "18:00:00"),
        ],
        2 => vec![
            window("08:15:30", "11:59:59"),
            window("13:00:00", "20:45:10"),
        ],
        _ => vec![
            window("07:00:00", "08:00:00"),
            window("08:00:00", "09:30:00"),
            window("19:00:01", "23:59:59"),
        ],
    };
    config.task_cps = (!i.is_multiple_of(5)).then_some(1 + (i as i64 * 37) % 500);
    match i % 3 {
        0 => config.miss_call_retry = None,
        1 => config.miss_call_retry = Some(false),
        _ => {
            config.miss_call_retry = Some(true);
            let reasons: Vec<RetryReason> = RetryReason::ALL
                .iter()
                .copied()
                .skip(i % 7)
                .take(1 + i % 3)
                .collect();
            config.call_retry_reasons = Some(reasons);
            config.call_retry_times = Some(1 + i as i64 % 3);
            config.call_retry_interval = Some([5, 30, 120, 240][i % 4]);
        }
    }
    task
}

/// 56 varied tasks, the awkward names among them, in every status.
async fn varied_account(cloud: &Cloud) -> usize {
    let names = AWKWARD
        .iter()
        .map(|n| (*n).to_owned())
        .chain((0..30).map(|i| format!("campaign-{i:02}")));
    let tasks: Vec<NewTask> = names.enumerate().map(|(i, n)| varied(i, n)).collect();
    let count = tasks.len();
    let ids = cloud.seed(tasks).await;
    for (i, id) in ids.iter().enumerate() {
        let status = TaskStatus::ALL[i % 4];
        cloud.set_status(*id, status).await;
    }
    count
}

fn export(ws: &Test, args: &[&str]) -> Test {
    at(ws).arg("export").args(args.iter().copied())
}

/// `validate FILE` exits 0, and `plan --detailed-exitcode PATHS` exits 0
/// with `unchanged` unchanged tasks and `unmanaged` unmanaged.
async fn assert_round_trip(
    cloud: &Cloud,
    ws: &Test,
    paths: &[&str],
    unchanged: usize,
    unmanaged: usize,
) {
    for path in paths {
        let validate = cloud.run(at(ws).args(["validate", path])).await;
        validate.assert_code(0);
    }
    let plan = cloud
        .run(
            at(ws)
                .args(["plan", "--detailed-exitcode"])
                .args(paths.iter().copied()),
        )
        .await;
    plan.assert_code(0);
    let summary = format!("{unchanged} unchanged, {unmanaged} unmanaged.");
    assert!(
        plan.stdout.contains(&summary),
        "{summary}\n{}",
        plan.snapshot()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_varied_account_round_trips_through_export_validate_and_plan() {
    let cloud = Cloud::start().await;
    let count = varied_account(&cloud).await;
    assert!(count >= 50);
    let ws = workspace("");
    std::fs::remove_file(ws.path().join("tasks.yaml")).unwrap();

    let output = cloud.run(export(&ws, &["--out", "adopted.yaml"])).await;
    output.assert_code(0);
    assert_eq!(output.stdout, "");
    assert_eq!(
        output.stderr,
        format!("Exported {count} tasks in 3 documents to adopted.yaml.\n")
    );
    assert_round_trip(&cloud, &ws, &["adopted.yaml"], count, 0).await;

    // Declaring status changes nothing either; FAILED stays unmanaged.
    let output = cloud
        .run(export(
            &ws,
            &[
                "--with-status",
                "--utc-offset",
                "+08:00",
                "--out",
                "status.yaml",
            ],
        ))
        .await;
    output.assert_code(0);
    let failed = output.stderr.matches("its start failed (FAILED)").count();
    assert_eq!(failed, count / 4, "{}", output.stderr);
    assert_round_trip(&cloud, &ws, &["status.yaml"], count, 0).await;
    let text = std::fs::read_to_string(ws.path().join("status.yaml")).unwrap();
    assert!(text.contains("+08:00\" }"), "{text}");
    assert!(text.contains("status: running") && text.contains("status: stopped"));

    // An export reads every page, then each task's detail, and writes
    // nothing to the account.
    let stats = cloud.stats();
    for action in [
        "CreateAiCallTask",
        "UpdateAiCallTask",
        "StartAiCallTask",
        "StopAiCallTask",
    ] {
        assert_eq!(stats.action(action), 0, "{action}");
    }
    cloud.assert_no_parameter_refused();
}

#[tokio::test(flavor = "multi_thread")]
async fn unmanaged_adopts_what_the_manifests_leave_out() {
    let cloud = Cloud::start().await;
    cloud.seed(fixture_account()).await;
    let extra: Vec<NewTask> = ["adopt-me", "yes", "续费提醒-旧"]
        .iter()
        .enumerate()
        .map(|(i, n)| varied(i, (*n).to_owned()))
        .collect();
    cloud.seed(extra).await;
    let ws = workspace(FIXTURE).mkdir("manifests");
    std::fs::rename(
        ws.path().join("tasks.yaml"),
        ws.path().join("manifests/tasks.yaml"),
    )
    .unwrap();

    let before = cloud.run(at(&ws).args(["plan", "manifests/"])).await;
    before.assert_code(0);
    assert!(
        before.stdout.contains("4 unchanged, 3 unmanaged."),
        "{}",
        before.stdout
    );

    let output = cloud
        .run(export(
            &ws,
            &[
                "--unmanaged",
                "manifests/",
                "--out",
                "manifests/adopted.yaml",
            ],
        ))
        .await;
    output.assert_code(0);
    assert_eq!(
        output.stderr,
        "Exported 3 tasks in 3 documents to manifests/adopted.yaml.\n"
    );
    assert_round_trip(&cloud, &ws, &["manifests/"], 7, 0).await;

    // Run again, everything is managed: nothing to export, nothing written,
    // and the adopted file is a manifest it refuses to replace.
    let again = cloud.run(export(&ws, &["--unmanaged", "manifests/"])).await;
    again.assert_code(0);
    assert_eq!(
        (again.stdout.as_str(), again.stderr.as_str()),
        ("", "No task to export: nothing was written.\n")
    );
    let refused = cloud
        .run(export(
            &ws,
            &[
                "--unmanaged",
                "manifests",
                "--force",
                "--out",
                "manifests/adopted.yaml",
            ],
        ))
        .await;
    refused.assert_code(2);
    assert!(
        refused.stderr.contains("never edits a manifest in place"),
        "{}",
        refused.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn names_a_manifest_renames_from_are_not_adopted() {
    let cloud = Cloud::start().await;
    cloud
        .seed(vec![
            varied(0, "old-name".to_owned()),
            varied(1, "other".to_owned()),
        ])
        .await;
    let ws = workspace(
        r#"
        version: 1
        tasks:
          - name: new-name
            renamedFrom: old-name
            agentId: "1"
            virtualNumber: "2"
            start: immediate
            callDays: [MONDAY]
            callWindows: [{ start: "09:00", end: "10:00" }]
        "#,
    );
    let output = cloud.run(export(&ws, &["--unmanaged", "tasks.yaml"])).await;
    output.assert_code(0);
    assert!(
        output.stdout.contains("- name: other\n"),
        "{}",
        output.stdout
    );
    assert!(!output.stdout.contains("old-name"), "{}", output.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn name_and_status_select_tasks() {
    let cloud = Cloud::start().await;
    let names = [
        "renewal-a",
        "renewal-b",
        "Renewal-c",
        "survey/2035",
        "other",
    ];
    let ids = cloud
        .seed(
            names
                .iter()
                .enumerate()
                .map(|(i, n)| varied(i * 3, (*n).to_owned()))
                .collect(),
        )
        .await;
    cloud.set_status(ids[1], TaskStatus::Stopped).await;
    let ws = workspace("");
    let names_of = |output: &Output| -> Vec<String> {
        output
            .stdout
            .lines()
            .filter_map(|l| l.strip_prefix("  - name: "))
            .map(str::to_owned)
            .collect()
    };
    let output = cloud
        .run(export(&ws, &["--name", "renewal-*", "--name", "*/2035"]))
        .await;
    output.assert_code(0);
    assert_eq!(names_of(&output), ["renewal-a", "renewal-b", "survey/2035"]);
    let output = cloud
        .run(export(&ws, &["--name", "renewal-*", "--status", "running"]))
        .await;
    assert_eq!(names_of(&output), ["renewal-a"]);
    let output = cloud.run(export(&ws, &["--name", "[oops"])).await;
    output.assert_code(2);
    cloud_snapshot!("bad_pattern", output);
}

#[tokio::test(flavor = "multi_thread")]
async fn out_refuses_an_existing_file_unless_forced() {
    let cloud = Cloud::start().await;
    cloud.seed(fixture_account()).await;
    let ws = workspace(FIXTURE);
    std::fs::write(ws.path().join("taken.yaml"), "keep me\n").unwrap();
    let refused = cloud.run(export(&ws, &["--out", "taken.yaml"])).await;
    refused.assert_code(2);
    assert_eq!(
        std::fs::read_to_string(ws.path().join("taken.yaml")).unwrap(),
        "keep me\n"
    );
    cloud_snapshot!("out_exists", refused);
    let forced = cloud
        .run(export(&ws, &["--out", "taken.yaml", "--force"]))
        .await;
    forced.assert_code(0);
    let text = std::fs::read_to_string(ws.path().join("taken.yaml")).unwrap();
    assert!(
        text.starts_with("# yaml-language-server: $schema="),
        "{text}"
    );
    // No temporary file is left beside it.
    let left: Vec<_> = std::fs::read_dir(ws.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_fixture_account_exported() {
    let cloud = Cloud::start().await;
    let ids = cloud.seed(fixture_account()).await;
    cloud.set_status(ids[3], TaskStatus::Stopped).await;
    let output = cloud
        .run(Test::new().args(["export", "--with-status", "--utc-offset", "+08:00"]))
        .await;
    cloud_snapshot!(output);
}

/// What the manifest language cannot say: a name with a line break, a
/// redial of 0 times, overlapping windows, a concurrency beyond 500,
/// settings no field expresses, a failed start (with `--with-status`).
#[tokio::test(flavor = "multi_thread")]
async fn what_cannot_be_declared_is_written_commented_out_and_named() {
    let cloud = Cloud::start().await;
    let mut line_break = varied(0, "two\nlines".to_owned());
    line_break.agent_id = "118099999999999999".to_owned();
    let mut no_times = varied(2, "redial-zero-times".to_owned());
    no_times.config.call_retry_times = Some(0);
    let mut overlap = varied(1, "overlapping-windows".to_owned());
    overlap.config.call_times = vec![
        window("09:00:00", "12:00:00"),
        window("11:00:00", "13:00:00"),
    ];
    let mut expiring = varied(3, "expires-after-30-minutes".to_owned());
    expiring.config.call_expire_type = Some(1);
    expiring.config.call_expire_minutes = Some(30);
    let mut cps = varied(4, "concurrency-beyond-500".to_owned());
    cps.config.task_cps = Some(900);
    let fine = varied(5, "fine".to_owned());
    let failed = varied(6, "failed-start".to_owned());
    let ids = cloud
        .seed(vec![
            line_break, no_times, overlap, expiring, cps, fine, failed,
        ])
        .await;
    cloud.set_status(ids[6], TaskStatus::Failed).await;
    let ws = workspace("");
    let output = cloud
        .run(export(&ws, &["--with-status", "--out", "adopted.yaml"]))
        .await;
    output.assert_code(0);
    let text = std::fs::read_to_string(ws.path().join("adopted.yaml")).unwrap();
    cloud_snapshot!("gaps_stderr", output);
    insta::assert_snapshot!("gaps_file", text);
    // The declared tasks plan unchanged; the commented ones stay unmanaged.
    assert_round_trip(&cloud, &ws, &["adopted.yaml"], 4, 3).await;
}

/// Two account tasks with one name (the emulator refuses them, a proxy
/// renames one in every reply): no manifest can name either.
#[tokio::test(flavor = "multi_thread")]
async fn two_tasks_sharing_a_name_are_written_commented_out() {
    let cloud = Cloud::start().await;
    cloud
        .seed(vec![
            varied(0, "twin".to_owned()),
            varied(1, "twin (2)".to_owned()),
            varied(2, "single".to_owned()),
        ])
        .await;
    let proxy = renaming_proxy(&cloud, "twin (2)", "twin").await;
    let ws = workspace("");
    let output = cloud
        .run(export(
            &ws,
            &["--endpoint", &proxy, "--out", "adopted.yaml"],
        ))
        .await;
    output.assert_code(0);
    assert_contains(
        &output.stderr,
        "warning: task `twin` (118700000000000001) is written commented out: 2 account tasks carry this name, so no manifest name identifies one\n\
         warning: task `twin` (118700000000000002) is written commented out: 2 account tasks carry this name",
    );
    assert_contains(
        &output.stderr,
        "Exported 1 task in 1 document to adopted.yaml; 2 more written commented out.",
    );
    let validate = cloud.run(at(&ws).args(["validate", "adopted.yaml"])).await;
    validate.assert_code(0);
}

fn account_task() -> impl Strategy<Value = (usize, String, usize, Option<i64>, usize, usize)> {
    (
        0usize..60,
        prop_oneof![
            "[a-z][a-z0-9-]{0,10}",
            "[ -~]{1,10}",
            "\\PC{1,6}",
            prop::sample::select(AWKWARD.to_vec()).prop_map(str::to_owned),
        ],
        0usize..4,
        prop::option::of(1i64..=500),
        1usize..=7,
        0usize..4,
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// Random small accounts make the same round trip.
    #[test]
    fn random_accounts_round_trip(
        tasks in prop::collection::vec(account_task(), 1..6),
        with_status in any::<bool>(),
    ) {
        let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().unwrap();
        runtime.block_on(async {
            let cloud = Cloud::start().await;
                    let mut seen = std::collections::HashSet::new();
            let mut seeded = Vec::new();
            let mut statuses = Vec::new();
            for (shape, name, status, cps, days, reasons) in tasks {
                if !seen.insert(name.clone()) {
                    continue;
                }
                let mut task = varied(shape, name);
                task.config.task_cps = cps;
                task.config.call_days = CallDay::ALL[..days].to_vec();
                if task.config.miss_call_retry == Some(true) {
                    task.config.call_retry_reasons = Some(RetryReason::ALL[..=reasons].to_vec());
                }
                seeded.push(task);
                statuses.push(TaskStatus::ALL[status]);
            }
            let count = seeded.len();
            let ids = cloud.seed(seeded).await;
            for (id, status) in ids.into_iter().zip(statuses) {
                cloud.set_status(id, status).await;
            }
            let ws = workspace("");
            std::fs::remove_file(ws.path().join("tasks.yaml")).unwrap();
            let mut args = vec!["--out", "adopted.yaml"];
            if with_status {
                args.push("--with-status");
            }
            let output = cloud.run(export(&ws, &args)).await;
            output.assert_code(0);
            assert_round_trip(&cloud, &ws, &["adopted.yaml"], count, 0).await;
        });
    }
}
