//! An emulator in the test process with the real binary pointed at it, for
//! the plan and apply suites: what the account holds, what reached it, and
//! the fixture both suites converge to.
//!
//! Every run goes through [`run`] (or [`Cloud::run`]), which asserts that no
//! secret appears in anything the binary printed. The emulator keeps
//! serving while the binary runs because the binary is waited for on a
//! blocking thread: tests using this module are
//! `#[tokio::test(flavor = "multi_thread")]`.

use std::io::{BufRead as _, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};

use aicall::emulator::{
    CallDay, CallWindow, Config, Emulator, EmulatorStats, NewTask, RequestLog, RequestRecord,
    RetryReason, StartType, StoredTask, TaskId,
};
use aicall::secret::Secret;

use crate::common::harness::{Output, Test, isolated_command, workspace};

/// The AccessKey ID the emulator accepts; shown masked as `****0042`.
pub const ACCESS_KEY_ID: &str = "aicall-it-key-0042";

/// The secret the emulator accepts. Distinctive, so a leak is found by a
/// plain search of everything the binary prints.
pub const SECRET: &str = "it-secret-9f2c7e41d8b3a605";

/// A record hook: called with every request record, on the emulator's
/// thread, before the reply goes out.
type Hook = Arc<dyn Fn(&RequestRecord) + Send + Sync>;

/// One emulator on 127.0.0.1:0, memory only.
pub struct Cloud {
    emulator: Emulator,
    log: Arc<Log>,
}

#[derive(Default)]
struct Log {
    records: Mutex<Vec<RequestRecord>>,
    hook: Mutex<Option<Hook>>,
}

impl Cloud {
    /// An emulator with the test key pair and no faults.
    pub async fn start() -> Cloud {
        Cloud::with(|_| {}).await
    }

    /// An emulator with the test key pair, then `tweak` applied (faults,
    /// another key ID, a fixed address).
    pub async fn with(tweak: impl FnOnce(&mut Config)) -> Cloud {
        let log = Arc::new(Log::default());
        let sink = log.clone();
        let mut config = Config {
            access_key_id: ACCESS_KEY_ID.to_owned(),
            access_key_secret: Secret::new(SECRET),
            request_log: Some(RequestLog::new(move |record| {
                sink.records.lock().unwrap().push(record.clone());
                let hook = sink.hook.lock().unwrap().clone();
                if let Some(hook) = hook {
                    hook(record);
                }
            })),
            ..Config::default()
        };
        tweak(&mut config);
        let emulator = Emulator::start(config).await.expect("the emulator starts");
        Cloud { emulator, log }
    }

    /// The endpoint and the key pair, as environment variables: the way a
    /// user points aicall at an account.
    fn connection_env(&self) -> [(&'static str, String); 3] {
        [
            ("AICALL_ENDPOINT", self.emulator.endpoint()),
            (
                "ALIBABA_CLOUD_ACCESS_KEY_ID",
                self.emulator.access_key_id().to_owned(),
            ),
            ("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET.to_owned()),
        ]
    }

    /// `test` with the endpoint and the key pair in its environment, the
    /// way a user points aicall at an account.
    pub fn point(&self, test: Test) -> Test {
        self.connection_env()
            .into_iter()
            .fold(test, |test, (key, value)| test.env(key, value))
    }

    /// Runs `test` against this emulator and checks that no secret leaked.
    pub async fn run(&self, test: Test) -> Output {
        run(self.point(test)).await
    }

    /// Starts the binary in `dir` without waiting for it, stdout and stderr
    /// piped: for the tests that interrupt or kill it.
    pub fn spawn(&self, dir: &Path, args: &[&str]) -> Child {
        // As the harness does: nothing of the developer's environment.
        let mut command = isolated_command(dir);
        command
            .args(args)
            .current_dir(dir)
            .envs(self.connection_env())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        command.spawn().expect("the binary starts")
    }

    /// Holds the reply to the first create that commits: the task is in
    /// the account, the client does not know yet. See [`Held`].
    pub fn hold_first_create(&self) -> Held {
        self.hold_first("CreateAiCallTask")
    }

    /// Holds the reply to the first successful request of `action`: it took
    /// effect, the client does not know yet. See [`Held`].
    pub fn hold_first(&self, action: &'static str) -> Held {
        let (committed_tx, committed) = mpsc::channel::<()>();
        let (release, release_rx) = mpsc::channel::<()>();
        let release_rx = Mutex::new(release_rx);
        let fired = std::sync::atomic::AtomicBool::new(false);
        let hook: Hook = Arc::new(move |record: &RequestRecord| {
            let is_commit =
                record.action == Some(action) && record.status == Some(200) && record.code == "OK";
            if is_commit && !fired.swap(true, std::sync::atomic::Ordering::SeqCst) {
                let _ = committed_tx.send(());
                // Blocks this request until the test lets go (or drops
                // `Held`, which disconnects the channel). In place: the
                // runtime hands this worker's other tasks to another
                // thread, so the emulator goes on serving everything else
                // (the look-up that settles the held create included).
                tokio::task::block_in_place(|| {
                    let _ = release_rx.lock().unwrap().recv();
                });
            }
        });
        *self.log.hook.lock().unwrap() = Some(hook);
        Held {
            committed: Arc::new(Mutex::new(committed)),
            release,
        }
    }

    /// Every task, in ID order.
    pub fn tasks(&self) -> Vec<StoredTask> {
        self.emulator.tasks()
    }

    /// The emulator's counters.
    pub fn stats(&self) -> EmulatorStats {
        self.emulator.stats()
    }

    /// Every request record so far.
    pub fn records(&self) -> Vec<RequestRecord> {
        self.log.records.lock().unwrap().clone()
    }

    /// CreateAiCallTask requests the emulator executed (replied to or
    /// dropped on purpose after committing).
    pub fn creates_committed(&self) -> usize {
        self.records()
            .iter()
            .filter(|r| {
                r.action == Some("CreateAiCallTask")
                    && (r.status.is_none() || (r.status == Some(200) && r.code == "OK"))
            })
            .count()
    }

    /// CreateAiCallTask requests received, whatever became of them.
    pub fn creates_received(&self) -> u64 {
        self.stats().action("CreateAiCallTask")
    }

    /// Puts task `id` in `status`, as the service does by itself (a failed
    /// start) or someone in the console would.
    pub async fn set_status(&self, id: TaskId, status: aicall::emulator::TaskStatus) {
        self.emulator
            .set_status(id, status)
            .await
            .expect("the status is set");
    }

    /// The emulator's clock, which tests move forward.
    pub fn clock(&self) -> &aicall::emulator::Clock {
        self.emulator.clock()
    }

    /// Asserts no request was refused for a parameter: what aicall sends
    /// is always what the API accepts.
    #[track_caller]
    pub fn assert_no_parameter_refused(&self) {
        let stats = self.stats();
        let refused: Vec<(&String, &u64)> = stats
            .by_code
            .iter()
            .filter(|(code, _)| *code == "InvalidParameter" || code.starts_with("Missing"))
            .collect();
        assert!(refused.is_empty(), "refused for a parameter: {refused:?}");
    }

    /// Puts `tasks` straight into the account.
    pub async fn seed(&self, tasks: Vec<NewTask>) -> Vec<TaskId> {
        self.emulator
            .seed(tasks)
            .await
            .expect("the seed is accepted")
    }

    /// Renames task `id` through UpdateAiCallTask, as someone in the
    /// console would. Update replaces the whole configuration, so `task`
    /// is what the task holds now (its concurrency is required).
    pub async fn rename(&self, id: TaskId, task: &NewTask, to: &str) {
        use aicall::api::{self, Client, ClientConfig, Credentials, Endpoint, TaskSettings};

        let config = &task.config;
        let mut settings = TaskSettings::new(
            to,
            match config.start_type {
                StartType::Immediate => api::StartType::Immediate,
                StartType::Schedule => api::StartType::Schedule,
            },
            config
                .call_days
                .iter()
                .map(|d| d.name().to_owned())
                .collect(),
            config
                .call_times
                .iter()
                .map(|w| api::CallWindow::new(&w.start, &w.end))
                .collect(),
        );
        settings.virtual_number = Some(config.virtual_number.clone());
        settings.task_start_time = config.task_start_time;
        settings.task_cps = Some(u32::try_from(config.task_cps.expect("a concurrency")).unwrap());
        settings.miss_call_retry = config.miss_call_retry;
        settings.call_retry_reasons = config
            .call_retry_reasons
            .iter()
            .flatten()
            .map(|r| r.name().to_owned())
            .collect();
        settings.call_retry_times = config.call_retry_times.map(|n| u32::try_from(n).unwrap());
        settings.call_retry_interval = config
            .call_retry_interval
            .map(|n| u32::try_from(n).unwrap());
        let client = Client::new(ClientConfig::new(
            Endpoint::parse(&self.endpoint()).unwrap(),
            Credentials::new(ACCESS_KEY_ID, Secret::new(SECRET), "the test pair"),
        ))
        .unwrap();
        client
            .update_task(&api::UpdateTask {
                task_id: api::TaskId::new(id.to_string()).unwrap(),
                settings,
            })
            .await
            .expect("the rename is accepted");
    }

    /// `http://127.0.0.1:PORT`.
    pub fn endpoint(&self) -> String {
        self.emulator.endpoint()
    }

    /// `test` pointed at this emulator for the API and for STS, with no
    /// key in its environment: a role source says who it is (issue 12).
    pub fn point_sts(&self, test: Test) -> Test {
        test.env("AICALL_ENDPOINT", self.emulator.endpoint())
            .env("ALIBABA_CLOUD_STS_ENDPOINT", self.emulator.endpoint())
    }

    /// Runs `test` (pointed with [`Cloud::point_sts`] or by hand) and
    /// checks that nothing leaked: no secret of the test pair, and no
    /// secret, token or whole AccessKey ID of a key the emulator issued.
    pub async fn run_unpointed(&self, test: Test) -> Output {
        let output = run(test).await;
        for (stream, text) in [("stdout", &output.stdout), ("stderr", &output.stderr)] {
            if let Some(leak) = self.issued().leaked_in(text) {
                panic!("{leak} leaked into {stream}:\n{text}");
            }
        }
        output
    }

    /// The keys the emulator issued.
    pub fn issued(&self) -> Arc<aicall::emulator::IssuedKeys> {
        self.emulator.issued_keys()
    }

    /// Temporary credentials of `role`, issued directly.
    pub fn issue_credentials(&self, role: &str) -> aicall::emulator::IssuedCredentials {
        self.emulator.issue_credentials(role)
    }

    /// Calls `hook` with every request record, on the emulator's thread,
    /// before the reply goes out (replaces any hook set before).
    pub fn on_record(&self, hook: impl Fn(&RequestRecord) + Send + Sync + 'static) {
        *self.log.hook.lock().unwrap() = Some(Arc::new(hook));
    }
}

/// Runs `test` on a blocking thread, so that emulators in this process
/// keep serving, and checks that no secret leaked.
pub async fn run(test: Test) -> Output {
    let output = tokio::task::spawn_blocking(move || test.run())
        .await
        .expect("the binary was run");
    assert_no_secret(&output);
    output
}

/// The reply to a committed create, held back by the emulator.
pub struct Held {
    committed: Arc<Mutex<mpsc::Receiver<()>>>,
    release: mpsc::Sender<()>,
}

impl Held {
    /// Blocks until a create has committed (and its reply is held).
    pub fn wait_committed(&self) {
        wait_for_commit(&self.committed);
    }

    /// [`Held::wait_committed`] for async tests.
    pub async fn committed(&self) {
        let committed = self.committed.clone();
        tokio::task::spawn_blocking(move || wait_for_commit(&committed))
            .await
            .unwrap();
    }

    /// Lets the held reply go.
    pub fn release(self) {
        let _ = self.release.send(());
    }
}

/// The limit only turns a broken run into a failure instead of a hang.
fn wait_for_commit(committed: &Mutex<mpsc::Receiver<()>>) {
    committed
        .lock()
        .unwrap()
        .recv_timeout(std::time::Duration::from_secs(60))
        .expect("a create commits");
}

/// A child's stderr, read line by line on a thread of its own, so a test
/// can wait for a line while the child keeps writing.
pub struct StderrLines {
    lines: mpsc::Receiver<String>,
    seen: String,
}

impl StderrLines {
    /// Takes `child`'s piped stderr.
    pub fn new(child: &mut Child) -> StderrLines {
        let stderr = BufReader::new(child.stderr.take().expect("stderr is piped"));
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stderr.lines() {
                let Ok(line) = line else { return };
                if tx.send(line).is_err() {
                    return;
                }
            }
        });
        StderrLines {
            lines,
            seen: String::new(),
        }
    }

    /// Blocks until a line contains `needle`.
    pub fn wait_for(&mut self, needle: &str) {
        loop {
            let Ok(line) = self.lines.recv() else {
                panic!("stderr ended before {needle:?}:\n{}", self.seen);
            };
            self.seen.push_str(&line);
            self.seen.push('\n');
            if line.contains(needle) {
                return;
            }
        }
    }

    /// Everything the child wrote, once it has closed stderr.
    pub fn all(mut self) -> String {
        while let Ok(line) = self.lines.recv() {
            self.seen.push_str(&line);
            self.seen.push('\n');
        }
        self.seen
    }
}

/// A run in a fresh directory holding [`FIXTURE`] in `tasks.yaml`.
pub fn fixture<I, S>(args: I) -> Test
where
    I: IntoIterator<Item = S>,
    S: Into<std::ffi::OsString>,
{
    workspace(FIXTURE).args(args)
}

/// Asserts every task was committed by exactly one create and no create
/// was re-sent for a name that already existed.
#[track_caller]
pub fn assert_exactly_once(cloud: &Cloud, tasks: usize) {
    let stats = cloud.stats();
    assert_eq!(cloud.creates_committed(), tasks, "{stats:?}");
    assert_eq!(stats.code("TaskNameDuplicate"), 0, "{stats:?}");
}

/// Panics if the emulator's secret appears in anything `output` printed.
#[track_caller]
pub fn assert_no_secret(output: &Output) {
    assert_no_secret_in("stdout", &output.stdout);
    assert_no_secret_in("stderr", &output.stderr);
}

/// Panics if a secret (the test pair's or the demo pair's) or the test
/// pair's whole AccessKey ID (issue 7: at most its last four characters)
/// is in `text`.
#[track_caller]
pub fn assert_no_secret_in(stream: &str, text: &str) {
    for secret in [SECRET, aicall::emulator::DEMO_ACCESS_KEY_SECRET] {
        assert!(
            !text.contains(secret),
            "a secret leaked into {stream}:\n{text}"
        );
    }
    assert!(
        !text.contains(ACCESS_KEY_ID),
        "the whole AccessKey ID leaked into {stream}:\n{text}"
    );
}

/// Four tasks covering every managed field and the forms that normalise:
/// days out of order, `09:00` next to `12:00:00`, a start in another
/// offset, retry on and off, concurrency set and left to the service, a
/// Chinese name. [`fixture_account`] is what the account must hold after
/// applying it.
pub const FIXTURE: &str = r#"
    version: 1
    defaults:
      agentId: "118012345678901234"
      virtualNumber: "0327121220001"
      callDays: [FRIDAY, MONDAY, WEDNESDAY]
      callWindows:
        - { start: "14:00", end: "18:00" }
        - { start: "09:00", end: "12:00:00" }
    tasks:
      - name: 续费提醒-2035-12
        start: immediate
        concurrency: 50
        retry: { reasons: [NO_ANSWER, USER_BUSY], times: 2, intervalMinutes: 30 }

      - name: renewal-reminder-december-2035
        start: { at: "2035-12-01T09:00:00+08:00" }
        concurrency: 20

      - name: winback-q1-2035
        agentId: "118012345678905555"
        virtualNumber: "02161230000"
        start: { at: "2035-03-02T10:00:00Z" }
        callDays: [SUNDAY, SATURDAY]
        callWindows: [{ start: "10:00", end: "12:00" }]
        retry: { reasons: [POWERED_OFF], times: 1, intervalMinutes: 120 }

      - name: payment-plan-follow-up
        start: immediate
"#;

/// The names of [`FIXTURE`]'s tasks, in manifest order.
pub const FIXTURE_NAMES: [&str; 4] = [
    "续费提醒-2035-12",
    "renewal-reminder-december-2035",
    "winback-q1-2035",
    "payment-plan-follow-up",
];

/// 2035-12-01T09:00:00+08:00 in epoch milliseconds (computed with
/// `date -u -d 2035-12-01T01:00:00Z +%s`, not with the code under test).
pub const DECEMBER_2035_MS: i64 = 2_080_083_600_000;
/// 2035-03-02T10:00:00Z in epoch milliseconds.
pub const MARCH_2035_MS: i64 = 2_056_442_400_000;

/// What the account holds for [`FIXTURE`], field by field, as the
/// emulator stores it (canonical order, `HH:mm:ss`, epoch milliseconds).
pub fn fixture_account() -> Vec<NewTask> {
    let mut renewals = base("续费提醒-2035-12");
    renewals.config.task_cps = Some(50);
    retry(
        &mut renewals,
        &[RetryReason::UserBusy, RetryReason::NoAnswer],
        2,
        30,
    );

    let mut december = base("renewal-reminder-december-2035");
    december.config.start_type = StartType::Schedule;
    december.config.task_start_time = Some(DECEMBER_2035_MS);
    december.config.task_cps = Some(20);

    let mut winback = base("winback-q1-2035");
    winback.agent_id = "118012345678905555".to_owned();
    winback.config.virtual_number = "02161230000".to_owned();
    winback.config.start_type = StartType::Schedule;
    winback.config.task_start_time = Some(MARCH_2035_MS);
    winback.config.call_days = vec![CallDay::Saturday, CallDay::Sunday];
    winback.config.call_times = vec![window("10:00:00", "12:00:00")];
    retry(&mut winback, &[RetryReason::PoweredOff], 1, 120);

    let follow_up = base("payment-plan-follow-up");
    vec![renewals, december, winback, follow_up]
}

/// One expected task, by name.
pub fn fixture_task(name: &str) -> NewTask {
    fixture_account()
        .into_iter()
        .find(|t| t.config.name == name)
        .unwrap_or_else(|| panic!("no fixture task named {name}"))
}

/// A manifest of `names`, each task with the fixture's defaults and
/// nothing else; [`base`] is what the account holds for each.
pub fn plain_manifest(names: &[&str]) -> String {
    let mut text = r#"
        version: 1
        defaults:
          agentId: "118012345678901234"
          virtualNumber: "0327121220001"
          callDays: [MONDAY, WEDNESDAY, FRIDAY]
          callWindows: [{ start: "09:00", end: "12:00" }, { start: "14:00", end: "18:00" }]
        tasks:
    "#
    .trim_end_matches(' ')
    .to_owned();
    for name in names {
        text.push_str(&format!(
            "          - {{ name: {name}, start: immediate }}\n"
        ));
    }
    text
}

/// The fixture's defaults: IMMEDIATE, no concurrency sent, retry off
/// (sent as `MissCallRetry=false`, nothing else).
pub fn base(name: &str) -> NewTask {
    let mut task = NewTask::example(name);
    task.agent_id = "118012345678901234".to_owned();
    task.config.call_days = vec![CallDay::Monday, CallDay::Wednesday, CallDay::Friday];
    task.config.call_times = vec![
        window("09:00:00", "12:00:00"),
        window("14:00:00", "18:00:00"),
    ];
    task.config.miss_call_retry = Some(false);
    task.config.task_cps = None;
    task
}

fn retry(task: &mut NewTask, reasons: &[RetryReason], times: i64, interval: i64) {
    task.config.miss_call_retry = Some(true);
    task.config.call_retry_reasons = Some(reasons.to_vec());
    task.config.call_retry_times = Some(times);
    task.config.call_retry_interval = Some(interval);
}

/// A call window.
pub fn window(start: &str, end: &str) -> CallWindow {
    CallWindow {
        start: start.to_owned(),
        end: end.to_owned(),
    }
}

/// Asserts the account holds exactly `expected` (one task per name, every
/// field equal) plus `untouched`, byte for byte as they were, and nothing
/// else: no duplicate, no stray task.
#[track_caller]
pub fn assert_account(tasks: &[StoredTask], expected: &[NewTask], untouched: &[StoredTask]) {
    let mut names: Vec<&str> = tasks.iter().map(|t| t.config.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before, "duplicate names in {tasks:#?}");

    for want in expected {
        let found: Vec<&StoredTask> = tasks
            .iter()
            .filter(|t| t.config.name == want.config.name)
            .collect();
        assert_eq!(found.len(), 1, "`{}` in {tasks:#?}", want.config.name);
        let got = NewTask {
            agent_id: found[0].agent_id.clone(),
            application_code: found[0].application_code.clone(),
            config: found[0].config.clone(),
        };
        assert_eq!(&got, want, "the account's `{}`", want.config.name);
    }
    for old in untouched {
        let now = tasks.iter().find(|t| t.id == old.id);
        assert_eq!(now, Some(old), "task {} was touched", old.id);
    }
    assert_eq!(
        tasks.len(),
        expected.len() + untouched.len(),
        "stray tasks in {tasks:#?}"
    );
}

/// Filters for what plans print besides the harness's: the time a plan
/// was made, the `now` an error compares with, the service's request IDs.
pub fn filters() -> Vec<(&'static str, &'static str)> {
    let mut filters = crate::common::harness::filters();
    filters.extend([
        (r#""madeAt": "[^"]+""#, r#""madeAt": "[NOW]""#),
        (r"\(now \d{4}-\d{2}-\d{2}T[0-9:.]+Z\)", "(now [NOW])"),
        (
            r"\b[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}\b",
            "[REQUEST-ID]",
        ),
    ]);
    filters
}

/// [`crate::aicall_snapshot!`] with [`filters`].
#[macro_export]
macro_rules! cloud_snapshot {
    ($output:expr) => {
        insta::with_settings!({ filters => $crate::common::cloud::filters() }, {
            insta::assert_snapshot!($output.snapshot());
        })
    };
    ($name:expr, $output:expr) => {
        insta::with_settings!({ filters => $crate::common::cloud::filters() }, {
            insta::assert_snapshot!($name, $output.snapshot());
        })
    };
}

/// A proxy in front of `cloud` that renames the task `from` to `to` in
/// every reply: an account where two tasks share one name, which neither
/// the service nor the emulator lets anyone create (`aiccs-api.md` §7),
/// but which aicall must still refuse to guess about. Returns its
/// endpoint. Requests pass through unchanged (V1 signatures do not cover
/// the Host header, §2.2).
pub async fn renaming_proxy(cloud: &Cloud, from: &str, to: &str) -> String {
    use http_body_util::{BodyExt as _, Full};
    use hyper::body::Bytes;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

    let upstream = cloud.emulator.addr();
    let (from, to) = (
        format!("\"TaskName\":{}", serde_json::to_string(from).unwrap()),
        format!("\"TaskName\":{}", serde_json::to_string(to).unwrap()),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let (from, to) = (from.clone(), to.clone());
            let service = hyper::service::service_fn(
                move |request: hyper::Request<hyper::body::Incoming>| {
                    let (from, to) = (from.clone(), to.clone());
                    async move {
                        let (parts, body) = request.into_parts();
                        let body = body.collect().await?.to_bytes();
                        // One upstream connection per request, closed after
                        // the reply: the reply is then simply "until EOF".
                        let mut head = format!(
                            "{} {} HTTP/1.1\r\nhost: {upstream}\r\nconnection: close\r\ncontent-length: {}\r\n",
                            parts.method,
                            parts.uri,
                            body.len()
                        );
                        for (name, value) in &parts.headers {
                            if !matches!(name.as_str(), "host" | "connection" | "content-length") {
                                head.push_str(&format!("{name}: {}\r\n", value.to_str().unwrap()));
                            }
                        }
                        head.push_str("\r\n");
                        let mut upstream = tokio::net::TcpStream::connect(upstream).await.unwrap();
                        upstream.write_all(head.as_bytes()).await.unwrap();
                        upstream.write_all(&body).await.unwrap();
                        let mut reply = Vec::new();
                        upstream.read_to_end(&mut reply).await.unwrap();
                        let reply = String::from_utf8(reply).unwrap();
                        let (reply_head, reply_body) = reply.split_once("\r\n\r\n").unwrap();
                        let status: u16 = reply_head.split(' ').nth(1).unwrap().parse().unwrap();
                        let response = hyper::Response::builder()
                            .status(status)
                            .header("content-type", "application/json;charset=utf-8")
                            .body(Full::new(Bytes::from(reply_body.replace(&from, &to))))
                            .unwrap();
                        Ok::<_, hyper::Error>(response)
                    }
                },
            );
            tokio::spawn(
                hyper::server::conn::http1::Builder::new()
                    .serve_connection(hyper_util::rt::TokioIo::new(stream), service),
            );
        }
    });
    endpoint
}
