//! Pacing, retries and the run's deadline under quotas, throttling and
//! faults (issue 10).
//!
//! Runs that must last many seconds of quota (a thousand requests at 20 a
//! second, ten plans under a fault mix) drive the library in-process on
//! tokio's paused clock: the client, the account reader and the executor
//! the binary uses, configured as the binary configures them, against the
//! in-process emulator, whose quotas count in the same virtual time. They
//! take a fraction of a second and never depend on how fast the machine
//! is. What needs no waiting runs the real binary.

use std::collections::BTreeMap;

use aicall::account::{self, AccountWriter, ReadOptions};
use aicall::api::{Client, ClientConfig, CreateTask, Credentials, Endpoint, PageQuery, UpdateTask};
use aicall::apply::{self, Cancellation, Job, Work};
use aicall::emulator::{Config, Emulator, Faults, NewTask, Operation, Quotas};
use futures_util::StreamExt as _;

use crate::common::api::{emulator, simple_request};
use crate::common::cloud::{Cloud, base, plain_manifest};
use crate::common::harness::{Test, assert_contains, isolated_command, send_signal, workspace};

/// The fault mix: every 3rd request throttled, every 4th a 503,
/// every 5th create's reply dropped after it committed.
fn fault_mix() -> Faults {
    Faults {
        throttle_every: Some(3),
        unavailable_every: Some(4),
        drop_create_reply_every: Some(5),
        ..Faults::default()
    }
}

/// A client configured as `plan` and `apply` configure theirs by default.
fn default_client(emulator: &Emulator) -> Client {
    let endpoint = Endpoint::parse(&emulator.endpoint()).unwrap();
    let credentials = Credentials::new(
        emulator.access_key_id(),
        emulator.access_key_secret().clone(),
        "the emulator's demo pair",
    );
    let mut config = ClientConfig::new(endpoint, credentials);
    config.timeout = Some(std::time::Duration::from_secs(15 * 60));
    Client::new(config).unwrap()
}

fn names(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}-{i:04}")).collect()
}

/// Creates `names` the way `apply` does: read the account, then the
/// executor at parallelism 4 for what is missing. The report's success.
async fn apply_names(client: &Client, names: &[String]) -> bool {
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let state = account::read(client, &refs, read_options()).await.unwrap();
    let existing: Vec<&str> = state.observed.iter().map(|t| t.name.as_str()).collect();
    let jobs: Vec<Job<CreateTask, UpdateTask>> = names
        .iter()
        .filter(|name| !existing.contains(&name.as_str()))
        .map(|name| Job {
            name: name.clone(),
            work: Work::Create {
                request: simple_request(name),
                then_stop: false,
            },
        })
        .collect();
    let writer = AccountWriter {
        client: client.clone(),
        page_size: 50,
    };
    let report = apply::execute(&writer, jobs, 4, &Cancellation::new(), &|_| {}).await;
    report.success()
}

fn read_options() -> ReadOptions {
    ReadOptions {
        page_size: 50,
        parallelism: 8,
        list_unmanaged: false,
    }
}

#[track_caller]
fn assert_each_once(emulator: &Emulator, names: &[String]) {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for task in emulator.tasks() {
        *counts.entry(task.config.name).or_default() += 1;
    }
    for name in names {
        assert_eq!(counts.get(name), Some(&1), "`{name}` in {counts:?}");
    }
    assert_eq!(counts.len(), names.len(), "stray tasks: {counts:?}");
}

/// A throttled create was refused before it took effect: it is sent
/// again, and the task is created exactly once.
#[tokio::test(start_paused = true)]
async fn a_throttled_create_is_resent_and_created_exactly_once() {
    let emulator = emulator(Config {
        quotas: Quotas {
            every: None,
            per_operation: [(Operation::Create, 1)].into_iter().collect(),
        },
        ..Config::default()
    })
    .await;
    let client = default_client(&emulator);
    let names = names("once", 3);
    let requests: Vec<CreateTask> = names.iter().map(|name| simple_request(name)).collect();
    let created =
        futures_util::future::join_all(requests.iter().map(|r| client.create_task(r))).await;
    assert!(created.iter().all(Result::is_ok), "{created:?}");
    let server = emulator.stats();
    assert!(server.over_quota >= 2, "{server:?}");
    assert_eq!(server.action("CreateAiCallTask"), 3 + server.over_quota);
    assert_each_once(&emulator, &names);
    let stats = client.stats();
    assert_eq!(stats.throttled, server.over_quota);
    assert_eq!(stats.outcome_unknown, 0);
}

/// A thousand requests against a quota of 20 a second, eight in flight:
/// the pacer adapts, and a throttle is never followed by more than the
/// parallelism's worth of them in a row (those already on the wire).
#[tokio::test(start_paused = true)]
async fn a_thousand_requests_at_quota_20_never_throttle_more_than_the_parallelism_in_a_row() {
    const PARALLELISM: usize = 8;
    let emulator = emulator(Config {
        quotas: Quotas {
            every: Some(20),
            ..Quotas::default()
        },
        ..Config::default()
    })
    .await;
    let client = default_client(&emulator).limited(PARALLELISM);
    let ids = emulator
        .seed((0..10).map(|i| NewTask::example(format!("t{i}"))).collect())
        .await
        .unwrap();
    let ids: Vec<aicall::api::TaskId> = ids
        .iter()
        .map(|id| aicall::api::TaskId::new(id.to_string()).unwrap())
        .collect();
    // Pages and details interleaved, as a plan sends them.
    let results: Vec<bool> = futures_util::stream::iter(0..1000)
        .map(|i| {
            let client = &client;
            let id = &ids[i % ids.len()];
            async move {
                if i % 2 == 0 {
                    client.query_task_page(&PageQuery::default()).await.is_ok()
                } else {
                    client.task_detail(id).await.is_ok()
                }
            }
        })
        .buffer_unordered(PARALLELISM * 4)
        .collect()
        .await;
    assert!(results.iter().all(|ok| *ok));
    let stats = client.stats();
    let server = emulator.stats();
    assert_eq!(stats.requests, 1000 + stats.throttled);
    assert_eq!(stats.throttled, server.over_quota);
    assert!(
        stats.longest_throttle_run <= PARALLELISM as u64,
        "{stats:?}"
    );
    assert!(stats.throttled <= 100, "more than 10% throttled: {stats:?}");
}

/// The report: under the fault mix a plan over 200 existing
/// tasks failed 8 runs in 10. Throttles use up no attempts and reads are
/// retried for their time budget, so it succeeds every time.
#[tokio::test(start_paused = true)]
async fn under_the_fault_mix_a_plan_over_200_tasks_succeeds_10_times_in_10() {
    let names = names("existing", 200);
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    for run in 0..10 {
        let emulator = emulator(Config {
            faults: fault_mix(),
            ..Config::default()
        })
        .await;
        emulator
            .seed(names.iter().map(NewTask::example).collect())
            .await
            .unwrap();
        let client = default_client(&emulator);
        let state = account::read(&client, &refs, read_options())
            .await
            .unwrap_or_else(|err| panic!("run {run}: {err}"));
        assert_eq!(state.observed.len(), 200, "run {run}");
        let server = emulator.stats();
        assert!(server.throttled > 0 && server.unavailable > 0, "{server:?}");
        emulator.shutdown().await.unwrap();
    }
}

/// Under the fault mix, apply from an empty account converges in one run:
/// lost replies are settled by look-up, never by sending again.
#[tokio::test(start_paused = true)]
async fn under_the_fault_mix_apply_converges_in_one_run() {
    let emulator = emulator(Config {
        faults: fault_mix(),
        ..Config::default()
    })
    .await;
    let client = default_client(&emulator);
    let names = names("new", 100);
    assert!(apply_names(&client, &names).await);
    assert_each_once(&emulator, &names);
    let server = emulator.stats();
    assert!(server.dropped_replies >= 10, "{server:?}");
    // A second run finds everything and creates nothing.
    let before = emulator.stats().action("CreateAiCallTask");
    assert!(apply_names(&client, &names).await);
    assert_eq!(emulator.stats().action("CreateAiCallTask"), before);
}

/// The same, with the real binary on a small manifest.
#[tokio::test(flavor = "multi_thread")]
async fn under_the_fault_mix_the_binary_applies_exactly_once() {
    let names: Vec<String> = (1..=8).map(|n| format!("mix-{n:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let cloud = Cloud::with(|config| config.faults = fault_mix()).await;
    let output = cloud
        .run(workspace(&plain_manifest(&refs)).args(["apply", "--auto-approve", "tasks.yaml"]))
        .await;
    output.assert_code(0);
    assert_contains(&output.stdout, "Apply complete: 8 created.");
    assert_contains(&output.stdout, "the look-up found it");
    let expected: Vec<NewTask> = refs.iter().map(|n| base(n)).collect();
    crate::common::cloud::assert_account(&cloud.tasks(), &expected, &[]);
}

// ---------------------------------------------------------------------------
// A page size the service accepts.

/// The real maximum PageSize is documented nowhere. Against a service that
/// caps it at 20, the default of 50 used to fail every plan; now the plan
/// falls back, says so once, and goes on.
#[tokio::test(flavor = "multi_thread")]
async fn a_service_capping_page_size_at_20_still_gets_a_plan() {
    for (cap, pages) in [(20, 3), (10, 5)] {
        let cloud = Cloud::with(|config| config.max_page_size = cap).await;
        // 45 tasks: 3 pages of 20 or 5 of 10, fewer than the 5 look-ups
        // the manifest's names would cost, so every page is listed.
        let names: Vec<String> = (0..5).map(|i| format!("task-{i:03}")).collect();
        let mut tasks: Vec<NewTask> = (0..40).map(|i| base(&format!("other-{i:02}"))).collect();
        tasks.extend(names.iter().map(|n| base(n)));
        cloud.seed(tasks).await;
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let output = cloud
            .run(workspace(&plain_manifest(&refs)).args(["plan", "tasks.yaml"]))
            .await;
        output.assert_code(0);
        assert_contains(&output.stdout, "Plan: 0 to create");
        let note = format!(
            "note: the service refused 50 tasks a page; reading {cap} a page instead \
             (`--page-size {cap}` starts there)\n"
        );
        assert_eq!(output.stderr, note, "said once, and nothing else");
        // Refused once (twice for 10: at 50, then at 20), then 45 rows.
        let refused = if cap == 20 { 1 } else { 2 };
        let stats = cloud.stats();
        assert_eq!(stats.code("InvalidParameter"), refused, "{stats:?}");
        assert_eq!(
            stats.action("QueryAiCallTaskPage"),
            refused + pages,
            "{stats:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// A run that ends.

/// `aicall emulator` as a child process, which a test can freeze (SIGSTOP)
/// as a server that stops answering would. Thawed and killed on drop.
struct Frozen {
    child: std::process::Child,
    /// Its `HOME`, empty.
    _home: tempfile::TempDir,
    /// Kept open: the emulator's stdout stays quiet after its banner.
    _stdout: std::io::BufReader<std::process::ChildStdout>,
    endpoint: String,
    stderr: Option<crate::common::cloud::StderrLines>,
}

impl Frozen {
    fn start(args: &[&str]) -> Frozen {
        use std::io::BufRead as _;
        let home = tempfile::tempdir().unwrap();
        let mut child = isolated_command(home.path())
            .args(["emulator", "--listen", "127.0.0.1:0"])
            .args(args)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let mut stdout = std::io::BufReader::new(child.stdout.take().unwrap());
        let mut banner = String::new();
        stdout.read_line(&mut banner).unwrap();
        let endpoint = banner
            .trim()
            .strip_prefix("listening on ")
            .unwrap_or_else(|| panic!("unexpected banner {banner:?}"))
            .to_owned();
        let stderr = Some(crate::common::cloud::StderrLines::new(&mut child));
        Frozen {
            child,
            _home: home,
            _stdout: stdout,
            endpoint,
            stderr,
        }
    }

    fn signal(&self, signal: &str) {
        let status = send_signal(self.child.id(), signal);
        assert!(status.success());
    }

    fn freeze(&self) {
        self.signal("-STOP");
    }

    fn thaw(&self) {
        self.signal("-CONT");
    }

    /// `test` pointed at this emulator with its demo pair.
    fn point(&self, test: Test) -> Test {
        test.env("AICALL_ENDPOINT", &self.endpoint)
            .env(
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                aicall::emulator::DEMO_ACCESS_KEY_ID,
            )
            .env(
                "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
                aicall::emulator::DEMO_ACCESS_KEY_SECRET,
            )
    }
}

impl Drop for Frozen {
    fn drop(&mut self) {
        self.thaw();
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Against a server that stops answering, a plan ends at its deadline
/// (it used to wait about 61 s per batch, with no bound at all).
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_frozen_server_ends_the_plan_at_its_deadline() {
    let server = Frozen::start(&[]);
    server.freeze();
    let output =
        crate::common::cloud::run(server.point(workspace(&plain_manifest(&["a", "b"])).args([
            "plan",
            "--timeout",
            "1s",
            "tasks.yaml",
        ])))
        .await;
    output.assert_code(1);
    assert_contains(
        &output.stderr,
        "error: `QueryAiCallTaskPage` got no reply before the run's deadline (1s) passed",
    );
    assert_contains(&output.stderr, "raise `--timeout`");
    assert!(output.stdout.is_empty(), "{}", output.stdout);
}

/// Frozen in the middle of an apply: the create in flight at the deadline
/// cannot be settled by look-up (the server still does not answer), so it
/// is reported unknown; nothing more is sent; exit 1. Once the server is
/// back, a re-run settles everything exactly once.
#[cfg(unix)]
#[tokio::test(flavor = "multi_thread")]
async fn a_server_frozen_mid_apply_ends_the_run_at_its_deadline_with_the_create_unknown() {
    let mut server = Frozen::start(&[]);
    let names: Vec<String> = (0..10).map(|i| format!("frozen-{i:02}")).collect();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();
    let ws = workspace(&plain_manifest(&refs));
    let args = [
        "apply",
        "--auto-approve",
        "--parallelism",
        "1",
        "--timeout",
        "2s",
        "tasks.yaml",
    ];
    let run = {
        let test = server.point(Test::new().current_dir(ws.path()).args(args));
        tokio::task::spawn_blocking(move || test.run())
    };
    let mut stderr = server.stderr.take().unwrap();
    tokio::task::spawn_blocking(move || {
        stderr.wait_for("CreateAiCallTask 200 OK");
        stderr
    })
    .await
    .unwrap();
    server.freeze();
    let output = run.await.unwrap();
    crate::common::cloud::assert_no_secret(&output);
    output.assert_code(1);
    let lines = |prefix: &str| {
        output
            .stdout
            .lines()
            .filter(|l| l.starts_with(prefix))
            .count()
    };
    let (created, unknown, failed) = (lines("+ created"), lines("? unknown"), lines("! failed"));
    assert!(created >= 1, "{}", output.stdout);
    assert_eq!(unknown, 1, "{}", output.stdout);
    assert_eq!(created + unknown + failed, 10, "{}", output.stdout);
    assert_contains(
        &output.stdout,
        "the run's deadline (2s) passed while its reply was awaited",
    );
    assert_contains(
        &output.stdout,
        "was not sent: the run's deadline (2s) passed",
    );

    server.thaw();
    let again = crate::common::cloud::run(server.point(Test::new().current_dir(ws.path()).args([
        "apply",
        "--auto-approve",
        "tasks.yaml",
    ])))
    .await;
    again.assert_code(0);
    assert_contains(&again.stdout, "Apply complete:");
    // Every task once: a duplicate name would make the plan fail.
    let plan = crate::common::cloud::run(
        server.point(
            Test::new()
                .current_dir(ws.path())
                .args(["plan", "tasks.yaml"]),
        ),
    )
    .await;
    plan.assert_code(0);
    assert_contains(
        &plan.stdout,
        "Plan: 0 to create, 0 to update, 0 to stop, 0 to start, 0 to rename, 10 unchanged",
    );
}

/// The create in flight at the deadline is settled by looking its name up
/// when the server still answers look-ups: here its reply is held back
/// while the task is in the account.
#[tokio::test(flavor = "multi_thread")]
async fn a_create_in_flight_at_the_deadline_is_settled_by_look_up() {
    let cloud = Cloud::start().await;
    let held = cloud.hold_first_create();
    let output = cloud
        .run(workspace(&plain_manifest(&["held", "later"])).args([
            "apply",
            "--auto-approve",
            "--parallelism",
            "1",
            "--timeout",
            "1s",
            "tasks.yaml",
        ]))
        .await;
    held.release();
    output.assert_code(1);
    assert_contains(
        &output.stdout,
        "+ created held (task 118700000000000001; the reply was lost, the look-up found it)",
    );
    assert_contains(
        &output.stdout,
        "! failed later: create failed: `CreateAiCallTask` for `later` was not sent: the run's deadline (1s) passed",
    );
    assert_contains(&output.stdout, "Apply incomplete: 1 created, 1 failed.");
    assert_eq!(cloud.creates_received(), 1);
}
