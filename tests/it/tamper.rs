//! A saved plan is a claim, not an authority (issue 7). In CI the plan file
//! is an artifact passed between jobs: whoever can edit it must not be
//! able to change what is applied. Every field of every kind of entry, an
//! added and a removed entry, the digests, the preconditions, the format
//! version, the target, the recorded paths and the seal are edited one at
//! a time; each edited plan is refused before a single request is sent,
//! and the account is left exactly as it was.

use serde_json::{Value, json};

use crate::common::cloud::{
    ACCESS_KEY_ID, Cloud, FIXTURE, FIXTURE_NAMES, SECRET, assert_account, fixture_account,
    fixture_task,
};
use crate::common::harness::{Output, Test, assert_contains, at, workspace};

/// The account the plan is made against: the December task exists
/// unchanged, the winback task exists with other days (drift), the other
/// two are to be created.
fn seeded() -> Vec<aicall::emulator::NewTask> {
    let mut winback = fixture_task(FIXTURE_NAMES[2]);
    winback.config.call_days = vec![aicall::emulator::CallDay::Monday];
    // UpdateAiCallTask needs a TaskCps; the manifest leaves it to the
    // account, which has one.
    winback.config.task_cps = Some(10);
    vec![fixture_task(FIXTURE_NAMES[1]), winback]
}

/// A workspace holding the fixture and `plan.json` made against `cloud`;
/// returns it with the saved plan as JSON.
async fn saved_plan(cloud: &Cloud) -> (Test, Value) {
    let ws = workspace(FIXTURE);
    cloud
        .run(at(&ws).args(["plan", "--out", "plan.json", "tasks.yaml"]))
        .await
        .assert_code(0);
    let text = std::fs::read_to_string(ws.path().join("plan.json")).unwrap();
    (ws, serde_json::from_str(&text).unwrap())
}

/// Writes `plan` as `plan.json` in `ws`, applies it, and asserts it was
/// refused with nothing sent and nothing changed.
async fn assert_refused(cloud: &Cloud, ws: &Test, plan: &Value, what: &str) -> Output {
    std::fs::write(
        ws.path().join("plan.json"),
        serde_json::to_string_pretty(plan).unwrap(),
    )
    .unwrap();
    let before = cloud.stats().requests;
    let tasks = cloud.tasks();
    let output = cloud
        .run(at(ws).args(["apply", "--auto-approve", "--plan", "plan.json"]))
        .await;
    assert_eq!(
        output.code, 1,
        "{what}: refused with exit 1\n{}\n{}",
        output.stdout, output.stderr
    );
    assert!(
        output.stderr.contains("was not applied") || output.stderr.contains("cannot be applied"),
        "{what}: says it was not applied:\n{}",
        output.stderr
    );
    assert_eq!(
        cloud.stats().requests,
        before,
        "{what}: no request was sent\n{}",
        output.stderr
    );
    assert_eq!(cloud.tasks(), tasks, "{what}: the account is untouched");
    output
}

/// Sets the value at a JSON pointer (creating the last key if need be).
fn set(plan: &mut Value, pointer: &str, value: Value) {
    let (parent, key) = pointer.rsplit_once('/').unwrap();
    let parent = plan
        .pointer_mut(parent)
        .unwrap_or_else(|| panic!("{pointer}"));
    match parent {
        Value::Object(map) => {
            map.insert(key.to_owned(), value);
        }
        Value::Array(items) => items[key.parse::<usize>().unwrap()] = value,
        _ => panic!("{pointer} is not in an object or array"),
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn every_edited_field_of_a_saved_plan_is_refused_before_any_request() {
    let cloud = Cloud::start().await;
    cloud.seed(seeded()).await;
    let (ws, plan) = saved_plan(&cloud).await;
    // Entries: 0 create, 1 unchanged (scheduled), 2 update, 3 create.
    assert_eq!(plan["plan"]["tasks"][0]["action"], "create");
    assert_eq!(plan["plan"]["tasks"][1]["action"], "unchanged");
    assert_eq!(
        plan["plan"]["tasks"][2]["action"], "update",
        "{:#}",
        plan["plan"]["tasks"][2]
    );

    let edits: Vec<(&str, Value)> = vec![
        // A create entry, field by field.
        ("/plan/tasks/0/name", json!("someone-elses-campaign")),
        ("/plan/tasks/0/action", json!("unchanged")),
        ("/plan/tasks/0/steps", json!([])),
        ("/plan/tasks/0/source/file", json!("other.yaml")),
        ("/plan/tasks/0/source/line", json!(99)),
        ("/plan/tasks/0/source/column", json!(1)),
        ("/plan/tasks/0/taskId", json!("118700000000000099")),
        ("/plan/tasks/0/status", json!("STOPPED")),
        ("/plan/tasks/0/desired/agentId", json!("118012345678909999")),
        (
            "/plan/tasks/0/desired/virtualNumber",
            json!("0327199999999"),
        ),
        ("/plan/tasks/0/desired/concurrency", json!(9999)),
        ("/plan/tasks/0/desired/callDays", json!(["FUNDAY"])),
        ("/plan/tasks/0/desired/callDays", json!(["SUNDAY"])),
        (
            "/plan/tasks/0/desired/callWindows",
            json!([{ "start": "00:00:00", "end": "23:59:59" }]),
        ),
        ("/plan/tasks/0/desired/retry", json!({ "type": "off" })),
        ("/plan/tasks/0/desired/retry/times", json!(3)),
        ("/plan/tasks/0/desired/retry/intervalMinutes", json!(720)),
        ("/plan/tasks/0/desired/retry/reasons", json!(["NO_ANSWER"])),
        (
            "/plan/tasks/0/desired/start",
            json!({ "type": "scheduled", "at": "2036-01-01T00:00:00Z", "atMs": 2_082_758_400_000_i64 }),
        ),
        ("/plan/tasks/0/account", json!({})),
        ("/plan/tasks/0/changes", json!(["concurrency"])),
        ("/plan/tasks/0/unverified", json!(["agentId"])),
        // An unchanged, scheduled entry.
        ("/plan/tasks/1/taskId", json!("118700000000000777")),
        ("/plan/tasks/1/status", json!("RUNNING")),
        ("/plan/tasks/1/action", json!("create")),
        ("/plan/tasks/1/steps", json!(["create"])),
        (
            "/plan/tasks/1/desired/start/at",
            json!("2033-12-01T09:00:00+08:00"),
        ),
        (
            "/plan/tasks/1/desired/start/atMs",
            json!(1_985_389_200_000_i64),
        ),
        (
            "/plan/tasks/1/desired/start",
            json!({ "type": "scheduled", "at": "2033-12-01T01:00:00Z", "atMs": 1_985_389_200_000_i64 }),
        ),
        // An updated entry.
        ("/plan/tasks/2/account/concurrency", json!(5)),
        ("/plan/tasks/2/changes", json!([])),
        ("/plan/tasks/2/unverified", json!(["agentId"])),
        ("/plan/tasks/2/action", json!("unchanged")),
        // The plan as a whole.
        ("/plan/formatVersion", json!("1.99")),
        ("/plan/formatVersion", json!("3.0")),
        ("/plan/formatVersion", json!("2.999")),
        ("/plan/manifestDigest", json!("sha256:00")),
        ("/plan/summary/create", json!(40)),
        ("/plan/madeAt", json!("2030-01-01T00:00:00Z")),
        ("/plan/target/endpoint", json!("https://evil.example")),
        ("/plan/target/accountFingerprint", json!("0000000000000000")),
        ("/plan/target/accessKey", json!("****0000")),
        (
            "/plan/unmanaged",
            json!([{ "taskId": "118700000000000001", "name": "x" }]),
        ),
        (
            "/taskDigests/someone-elses-campaign",
            json!("0000000000000000"),
        ),
        ("/preconditions", json!([])),
        (
            "/preconditions/0",
            json!({ "type": "noTaskNamed", "name": "renewal-reminder-december-2035" }),
        ),
        ("/seal", json!("hmac-sha256:00")),
        ("/paths", json!(["tasks.yaml", "tasks.yaml"])),
    ];
    for (pointer, value) in edits {
        let mut edited = plan.clone();
        set(&mut edited, pointer, value.clone());
        assert_ne!(edited, plan, "{pointer} = {value} changes the plan");
        assert_refused(&cloud, &ws, &edited, &format!("{pointer} = {value}")).await;
    }

    // An entry added (with its digest, so only the entry itself tells).
    let mut added = plan.clone();
    let mut entry = plan["plan"]["tasks"][0].clone();
    entry["name"] = json!("an-extra-campaign");
    added["plan"]["tasks"].as_array_mut().unwrap().push(entry);
    added["taskDigests"]["an-extra-campaign"] = plan["taskDigests"][FIXTURE_NAMES[0]].clone();
    assert_refused(&cloud, &ws, &added, "an added entry").await;

    // An entry removed, with its digest and precondition.
    let mut removed = plan.clone();
    removed["plan"]["tasks"].as_array_mut().unwrap().remove(3);
    removed["taskDigests"]
        .as_object_mut()
        .unwrap()
        .remove(FIXTURE_NAMES[3]);
    removed["preconditions"].as_array_mut().unwrap().remove(1);
    assert_refused(&cloud, &ws, &removed, "a removed entry").await;

    // Nothing above reached the account; the untouched plan still applies.
    std::fs::write(
        ws.path().join("plan.json"),
        serde_json::to_string_pretty(&plan).unwrap(),
    )
    .unwrap();
    cloud
        .run(at(&ws).args(["apply", "--auto-approve", "--plan", "plan.json"]))
        .await
        .assert_code(0);
    // The two missing tasks created, the scheduled one with other days
    // updated (it has not started: an update is allowed).
    let mut expected = fixture_account();
    expected[2].config.task_cps = Some(10);
    assert_account(&cloud.tasks(), &expected, &[]);
}

/// A forger who edits a value and recomputes every digest and the
/// preconditions (all of which anyone can compute) is still refused: the
/// entry is not what the manifests say, and the seal does not hold.
#[tokio::test(flavor = "multi_thread")]
async fn a_forged_plan_with_recomputed_digests_is_refused_and_says_what_differs() {
    use aicall::plan::model::{DesiredTask, Plan};
    use aicall::plan::saved::{manifest_digest, task_digest};

    let cloud = Cloud::start().await;
    let (ws, mut plan) = saved_plan(&cloud).await;
    set(&mut plan, "/plan/tasks/0/desired/concurrency", json!(500));
    let typed: Plan = serde_json::from_value(plan["plan"].clone()).unwrap();
    let entries: Vec<DesiredTask> = typed.tasks.iter().map(|e| e.desired_task()).collect();
    for task in &entries {
        plan["taskDigests"][&task.name] = json!(task_digest(task));
    }
    plan["plan"]["manifestDigest"] = json!(manifest_digest(&entries));
    let output = assert_refused(&cloud, &ws, &plan, "forged").await;
    assert_contains(
        &output.stderr,
        "the entry for `续费提醒-2035-12` differs: `concurrency` is 500 in the plan but 50 in the \
         manifests",
    );
    assert!(cloud.tasks().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_plan_cannot_make_aicall_read_or_print_other_files() {
    let cloud = Cloud::start().await;
    let (ws, plan) = saved_plan(&cloud).await;
    std::fs::write(ws.path().join("../aicall-outside.yaml"), "root:x:0:0").ok();
    for path in [
        "/etc/passwd",
        "../aicall-outside.yaml",
        "-",
        "manifests/../../x",
    ] {
        let mut edited = plan.clone();
        edited["paths"] = json!([path]);
        let output = assert_refused(&cloud, &ws, &edited, path).await;
        assert_contains(&output.stderr, &format!("the manifest path `{path}`"));
        assert!(!output.stderr.contains("root:"), "{}", output.stderr);
    }
    // Without an endpoint of its own, apply would start the embedded
    // emulator on the plan's state file: not one outside this directory.
    let mut local = plan.clone();
    local["plan"]["target"]["endpoint"] = json!("local:/etc/aicall-state.json");
    std::fs::write(
        ws.path().join("plan.json"),
        serde_json::to_string_pretty(&local).unwrap(),
    )
    .unwrap();
    let output = at(&ws)
        .args(["apply", "--auto-approve", "--plan", "plan.json"])
        .run();
    output.assert_code(1);
    assert_contains(&output.stderr, "`/etc/aicall-state.json`");
    assert!(!std::path::Path::new("/etc/aicall-state.json").exists());
}

/// The endpoint recorded in the plan is used unless `--endpoint` is given;
/// another endpoint is refused before any request reaches either.
#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_goes_where_it_was_made_and_nowhere_else() {
    let cloud = Cloud::start().await;
    let other = Cloud::start().await;
    let (ws, _) = saved_plan(&cloud).await;

    let elsewhere = other
        .run(at(&ws).args(["apply", "--auto-approve", "--plan", "plan.json"]))
        .await;
    elsewhere.assert_code(1);
    assert_contains(
        &elsewhere.stderr,
        "the plan was made against http://127.0.0.1:",
    );
    assert_eq!(other.stats().requests, 0);
    assert_eq!(cloud.stats().requests, 1, "only the plan's own read");

    // No endpoint given: the plan's own, not the cloud's default.
    let output = crate::common::cloud::run(
        at(&ws)
            .args(["apply", "--auto-approve", "--plan", "plan.json"])
            .env("ALIBABA_CLOUD_ACCESS_KEY_ID", ACCESS_KEY_ID)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET),
    )
    .await;
    output.assert_code(0);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
}

/// `plan --out` records manifest paths relative to the working directory
/// and refuses paths outside it, so the plan names nothing else.
#[tokio::test(flavor = "multi_thread")]
async fn a_saved_plan_records_relative_paths_inside_the_working_directory() {
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    let absolute = ws.path().join("tasks.yaml");
    cloud
        .run(at(&ws).args(["plan", "--out", "plan.json"]).arg(&absolute))
        .await
        .assert_code(0);
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("plan.json")).unwrap())
            .unwrap();
    assert_eq!(plan["paths"], json!(["tasks.yaml"]));

    let outside = Test::new().write("elsewhere.yaml", FIXTURE);
    let output = cloud
        .run(
            at(&ws)
                .args(["plan", "--out", "other.json"])
                .arg(outside.path().join("elsewhere.yaml")),
        )
        .await;
    output.assert_code(2);
    assert_contains(
        &output.stderr,
        "`--out` needs manifests inside the working directory",
    );
    assert!(!ws.path().join("other.json").exists());
    assert_eq!(cloud.stats().requests, 1, "refused before any request");
}
