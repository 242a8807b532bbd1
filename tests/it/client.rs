//! The API client against the project's emulator, over real HTTP with real
//! signatures: one fresh in-memory emulator per test on 127.0.0.1:0.
//!
//! What belongs here: every operation's round trip with exact field
//! equality, IDs above 2^53, Chinese names, paging, exact-name lookup over
//! the fuzzy filter, typed service errors with hints, retries of injected
//! faults, and "outcome unknown" when a create's reply is dropped. Edge
//! cases of the transport itself (timeouts, half-closed connections) are
//! unit tests in `src/api/send.rs` and `src/api/paging.rs`, against a
//! scripted server.

use std::collections::HashSet;
use std::time::Duration;

use aicall::api::{
    ApiError, CallWindow, Client, ClientConfig, CreateTask, CredentialProvider, Credentials,
    Endpoint, PageQuery, RetryPolicy, StartType, TaskId, TaskSettings, TaskStatus, UpdateTask,
};
use aicall::emulator::{Config, Emulator, Faults, NewTask};
use aicall::secret::Secret;

use crate::common::api::{emulator, simple_request};

/// 2030-01-01T00:00:00Z in epoch milliseconds: a SCHEDULE start that stays
/// in the future for years.
const START_2030: i64 = 1_893_456_000_000;

/// A client for `emu` with its own key pair, fast retries and no rate limit.
fn client_for(emu: &Emulator, tweak: impl FnOnce(&mut ClientConfig)) -> Client {
    let endpoint = Endpoint::parse(&emu.endpoint()).expect("the emulator's endpoint is loopback");
    let credentials = Credentials::new(
        emu.access_key_id(),
        emu.access_key_secret().clone(),
        "the emulator's demo pair",
    );
    let mut config = ClientConfig::new(endpoint, credentials);
    config.rate_limit = None;
    config.retry = RetryPolicy {
        max_attempts: 6,
        base_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(10),
        max_elapsed: Duration::from_secs(30),
    };
    tweak(&mut config);
    Client::new(config).expect("the client builds")
}

fn full_request(name: &str) -> CreateTask {
    let mut settings = TaskSettings::new(
        name,
        StartType::Schedule,
        vec!["FRIDAY".to_owned(), "MONDAY".to_owned()],
        vec![
            CallWindow::new("14:00:00", "18:00:00"),
            CallWindow::new("09:00:00", "12:00:00"),
        ],
    );
    settings.virtual_number = Some("0327121220001".to_owned());
    settings.task_start_time = Some(START_2030);
    settings.miss_call_retry = Some(true);
    settings.call_retry_reasons = vec!["USER_BUSY".to_owned(), "NO_ANSWER".to_owned()];
    settings.call_retry_times = Some(2);
    settings.call_retry_interval = Some(30);
    settings.task_cps = Some(10);
    CreateTask {
        agent_id: Some("1180123456789012345".to_owned()),
        application_code: None,
        settings,
    }
}

async fn status_of(client: &Client, id: &TaskId) -> Option<TaskStatus> {
    client
        .task_summary(id)
        .await
        .expect("the page query succeeds")
        .and_then(|task| task.status)
}

#[tokio::test]
async fn every_operation_round_trips_exactly() {
    let emu = emulator(Config::default()).await;
    let client = client_for(&emu, |_| {});
    let name = "续费提醒 2026-12 (第一批)";

    let id = client.create_task(&full_request(name)).await.unwrap();

    let found = client.find_tasks_named(name, 50).await.unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].task_id, id);
    assert_eq!(found[0].status, Some(TaskStatus::Init));
    assert_eq!(found[0].concurrent_count, Some(10));
    assert_eq!(found[0].start_time, Some(START_2030));

    let detail = client.task_detail(&id).await.unwrap();
    assert_eq!(detail.task_id.as_ref(), Some(&id));
    assert_eq!(detail.task_name.as_deref(), Some(name));
    assert_eq!(detail.agent_id.as_deref(), Some("1180123456789012345"));
    assert_eq!(detail.start_type, Some(StartType::Schedule));
    assert_eq!(detail.start_time, Some(START_2030));
    assert_eq!(detail.concurrent_count, Some(10));
    assert_eq!(detail.caller_number.as_deref(), Some("0327121220001"));
    // Arrays come back in canonical order (§7), whatever order was sent.
    assert_eq!(detail.call_days, ["MONDAY", "FRIDAY"]);
    assert_eq!(
        detail.call_times,
        [
            CallWindow::new("09:00:00", "12:00:00"),
            CallWindow::new("14:00:00", "18:00:00"),
        ]
    );
    assert_eq!(detail.retry_enable, Some(true));
    assert_eq!(detail.retry_count, Some(2));
    assert_eq!(detail.retry_interval, Some(30));
    assert_eq!(detail.retry_reasons, ["USER_BUSY", "NO_ANSWER"]);

    // Update is a full replacement: what is left out is cleared.
    let mut settings = TaskSettings::new(
        "续费提醒 2026-12 (改)",
        StartType::Immediate,
        vec!["SUNDAY".to_owned()],
        vec![CallWindow::new("10:00:00", "11:00:00")],
    );
    settings.virtual_number = Some("0327121220002".to_owned());
    settings.task_cps = Some(25);
    client
        .update_task(&UpdateTask {
            task_id: id.clone(),
            settings,
        })
        .await
        .unwrap();
    let detail = client.task_detail(&id).await.unwrap();
    assert_eq!(detail.task_name.as_deref(), Some("续费提醒 2026-12 (改)"));
    assert_eq!(detail.start_type, Some(StartType::Immediate));
    assert_eq!(detail.start_time, None);
    assert_eq!(detail.concurrent_count, Some(25));
    assert_eq!(detail.caller_number.as_deref(), Some("0327121220002"));
    assert_eq!(detail.call_days, ["SUNDAY"]);
    assert_eq!(detail.call_times, [CallWindow::new("10:00:00", "11:00:00")]);
    assert_eq!(detail.retry_enable, None);
    assert!(detail.retry_reasons.is_empty());
    assert_eq!(detail.agent_id.as_deref(), Some("1180123456789012345"));

    client.start_task(&id).await.unwrap();
    assert_eq!(status_of(&client, &id).await, Some(TaskStatus::Running));
    client.stop_task(&id).await.unwrap();
    assert_eq!(status_of(&client, &id).await, Some(TaskStatus::Stopped));

    // Stopping a stopped task is refused, typed, with a hint.
    let err = client.stop_task(&id).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidTaskStatus"));
    assert!(err.hint().unwrap().contains("running"), "{:?}", err.hint());
    assert!(!err.is_outcome_unknown());

    let stats = client.stats();
    assert_eq!(
        (stats.retries, stats.throttled, stats.outcome_unknown),
        (0, 0, 0)
    );
    emu.shutdown().await.unwrap();
}

#[tokio::test]
async fn task_ids_above_2_pow_53_keep_every_digit() {
    let emu = emulator(Config::default()).await;
    let client = client_for(&emu, |_| {});
    let id = client.create_task(&simple_request("big id")).await.unwrap();
    let digits = id.as_str();
    assert!((18..=19).contains(&digits.len()), "{digits}");
    let value: u64 = digits.parse().unwrap();
    assert!(value > 1 << 53);
    // The emulator's own record of the ID is the same number.
    assert_eq!(emu.tasks()[0].id.0, value);
    let detail = client.task_detail(&id).await.unwrap();
    assert_eq!(detail.task_id, Some(id.clone()));
    let listed = client.list_all_tasks(20, 2).await.unwrap();
    assert_eq!(listed[0].task_id, id);
}

#[tokio::test]
async fn paging_reads_every_task_once_in_the_fewest_requests() {
    let emu = emulator(Config::default()).await;
    let names: Vec<String> = (0..250).map(|i| format!("任务-{i:03}")).collect();
    emu.seed(names.iter().map(NewTask::example).collect())
        .await
        .unwrap();

    for (page_size, parallelism) in [(100, 4), (7, 8), (50, 1)] {
        let client = client_for(&emu, |_| {});
        let listed = client.list_all_tasks(page_size, parallelism).await.unwrap();
        let listed_names: HashSet<&str> = listed
            .iter()
            .map(|t| t.task_name.as_deref().unwrap())
            .collect();
        assert_eq!(listed.len(), 250);
        assert_eq!(listed_names.len(), 250);
        // Newest first, as the service lists them.
        assert!(listed.windows(2).all(|w| w[0].task_id > w[1].task_id));
        let expected_requests = 250u64.div_ceil(u64::from(page_size));
        assert_eq!(
            client.stats().requests,
            expected_requests,
            "page size {page_size}"
        );
    }
}

#[tokio::test]
async fn a_page_size_above_the_emulators_cap_is_refused_not_clamped() {
    let emu = emulator(Config {
        max_page_size: 100,
        ..Config::default()
    })
    .await;
    let client = client_for(&emu, |_| {});
    let err = client
        .query_task_page(&PageQuery {
            page_size: Some(101),
            ..PageQuery::default()
        })
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("InvalidParameter"));
    assert!(
        matches!(
            err,
            ApiError::Service {
                http_status: 400,
                ..
            }
        ),
        "{err:?}"
    );
    // The emulator refuses; a listing then asks again at a size it takes
    // (issue 10), instead of failing as it did before.
    assert!(client.list_all_tasks(101, 2).await.is_ok());
    assert_eq!(client.page_size_cap(), Some(20));
}

#[tokio::test]
async fn exact_name_lookup_over_the_fuzzy_filter() {
    let emu = emulator(Config::default()).await;
    let client = client_for(&emu, |_| {});
    let mut ids = Vec::new();
    for name in ["a", "A", "ab"] {
        ids.push(client.create_task(&simple_request(name)).await.unwrap());
    }
    // The service's filter is a case-insensitive substring match...
    let fuzzy = client
        .query_task_page(&PageQuery {
            task_name: Some("a".to_owned()),
            ..PageQuery::default()
        })
        .await
        .unwrap();
    assert_eq!(fuzzy.total, Some(3));
    // ...the client's lookup is exact and case-sensitive.
    for (name, id) in ["a", "A", "ab"].into_iter().zip(&ids) {
        let found = client.find_tasks_named(name, 1).await.unwrap();
        assert_eq!(found.len(), 1, "{name}");
        assert_eq!(&found[0].task_id, id);
    }
    assert!(client.find_tasks_named("b", 1).await.unwrap().is_empty());
    assert!(client.find_tasks_named("a ", 1).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_duplicate_name_is_a_typed_error() {
    let emu = emulator(Config::default()).await;
    let client = client_for(&emu, |_| {});
    client.create_task(&simple_request("外呼")).await.unwrap();
    let err = client
        .create_task(&simple_request("外呼"))
        .await
        .unwrap_err();
    let ApiError::Service {
        code,
        http_status,
        request_id,
        hint,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!((code.as_str(), *http_status), ("TaskNameDuplicate", 200));
    assert!(request_id.is_some());
    assert!(hint.as_deref().unwrap().contains("unique"));
    assert_eq!(emu.tasks().len(), 1);
}

#[tokio::test]
async fn a_wrong_secret_is_signature_does_not_match_with_a_hint() {
    let emu = emulator(Config::default()).await;
    let client = client_for(&emu, |config| {
        config.credentials = Credentials::new(
            emu.access_key_id(),
            Secret::new("not-the-secret"),
            "a test pair with the wrong secret",
        )
        .into();
    });
    let err = client
        .query_task_page(&PageQuery::default())
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    let hint = err.hint().unwrap();
    assert!(hint.contains("AccessKey secret"), "{hint}");
    assert!(hint.contains("a test pair with the wrong secret"), "{hint}");
    assert!(!format!("{err:?}").contains("not-the-secret"));
    // Not retried: a signature does not get better.
    assert_eq!(emu.stats().requests, 1);
}

#[tokio::test]
async fn a_wrong_secret_from_the_environment_names_the_secrets_variable() {
    let emu = emulator(Config::default()).await;
    let id = emu.access_key_id().to_owned();
    let env = move |name: &str| match name {
        "ALIBABA_CLOUD_ACCESS_KEY_ID" => Some(id.clone()),
        "ALIBABA_CLOUD_ACCESS_KEY_SECRET" => Some("not-the-secret".to_owned()),
        _ => None,
    };
    let source = aicall::api::credentials::resolve(None, &env, None).unwrap();
    let provider = CredentialProvider::new(&source, std::sync::Arc::new(|_| {})).unwrap();
    let client = client_for(&emu, |config| config.credentials = provider);
    let err = client.stop_task(&TaskId::from(1)).await.unwrap_err();
    assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
    let hint = err.hint().unwrap();
    assert!(
        hint.contains("from environment (`ALIBABA_CLOUD_ACCESS_KEY_SECRET`)"),
        "{hint}"
    );
    assert!(!hint.contains("ALIBABA_CLOUD_ACCESS_KEY_ID"), "{hint}");
    // The emulator echoes its string-to-sign as the gateway does (§2.5):
    // kept for `-v`, never part of the message.
    let message = err.to_string();
    assert!(!message.contains("string to sign"), "{message}");
    assert!(!message.contains("POST&%2F&"), "{message}");
    let server = err.server_string_to_sign().unwrap();
    assert!(server.starts_with("POST&%2F&AccessKeyId%3D"), "{server}");
    assert!(!format!("{err:?}").contains("not-the-secret"));
}

#[tokio::test]
async fn an_unknown_key_names_the_credential_source() {
    let emu = emulator(Config::default()).await;
    let client = client_for(&emu, |config| {
        config.credentials = Credentials::new(
            "TESTunknownKey9876",
            Secret::new("x"),
            "environment (`ALIBABA_CLOUD_ACCESS_KEY_ID`)",
        )
        .into();
    });
    let err = client.list_all_tasks(50, 2).await.unwrap_err();
    assert_eq!(err.code(), Some("InvalidAccessKeyId.NotFound"));
    let hint = err.hint().unwrap();
    assert!(
        hint.contains("ALIBABA_CLOUD_ACCESS_KEY_ID") && hint.contains("****9876"),
        "{hint}"
    );
}

#[tokio::test]
async fn sts_credentials_are_signed_and_accepted() {
    let token = Secret::new("CAIS+sts/token=");
    let emu = emulator(Config {
        security_token: Some(token.clone()),
        ..Config::default()
    })
    .await;
    let client = client_for(&emu, |config| {
        let mut credentials = Credentials::new(
            emu.access_key_id(),
            emu.access_key_secret().clone(),
            "the emulator's pair, with a token",
        );
        credentials.security_token = Some(token);
        config.credentials = credentials.into();
    });
    client.create_task(&simple_request("sts")).await.unwrap();
    let without_token = client_for(&emu, |_| {});
    assert!(without_token.list_all_tasks(50, 1).await.is_err());
}

#[tokio::test]
async fn throttling_and_unavailable_faults_are_retried_to_success() {
    let emu = emulator(Config {
        faults: Faults {
            throttle_every: Some(3),
            unavailable_every: Some(4),
            ..Faults::default()
        },
        ..Config::default()
    })
    .await;
    let client = client_for(&emu, |_| {});
    for i in 0..10 {
        client
            .create_task(&simple_request(&format!("t{i}")))
            .await
            .unwrap();
    }
    let listed = client.list_all_tasks(3, 2).await.unwrap();
    assert_eq!(listed.len(), 10);
    // Faults had no side effect, and retries did not duplicate anything.
    assert_eq!(emu.tasks().len(), 10);
    let stats = client.stats();
    let faults = emu.stats();
    assert!(faults.throttled > 0 && faults.unavailable > 0);
    assert_eq!(stats.throttled, faults.throttled);
    assert_eq!(stats.retries, faults.throttled + faults.unavailable);
}

#[tokio::test]
async fn a_dropped_create_reply_is_outcome_unknown_and_never_resent() {
    let emu = emulator(Config {
        faults: Faults {
            drop_create_reply: Some(1),
            ..Faults::default()
        },
        ..Config::default()
    })
    .await;
    let client = client_for(&emu, |_| {});
    let err = client
        .create_task(&simple_request("只创建一次"))
        .await
        .unwrap_err();
    assert!(err.is_outcome_unknown(), "{err:?}");
    assert!(err.to_string().contains("`只创建一次`"), "{err}");
    // Committed once, sent once.
    assert_eq!(emu.tasks().len(), 1);
    assert_eq!(emu.stats().action("CreateAiCallTask"), 1);
    assert_eq!(client.stats().outcome_unknown, 1);
    // The way out: look the task up by its exact name.
    let found = client.find_tasks_named("只创建一次", 50).await.unwrap();
    assert_eq!(found.len(), 1);
}

#[tokio::test]
async fn concurrent_callers_share_one_client() {
    let emu = emulator(Config::default()).await;
    let client = client_for(&emu, |config| {
        config.rate_limit = std::num::NonZeroU32::new(1000);
    });
    let mut handles = Vec::new();
    for i in 0..24 {
        let client = client.clone();
        handles.push(tokio::spawn(async move {
            client.create_task(&simple_request(&format!("c{i}"))).await
        }));
    }
    let mut ids = HashSet::new();
    for handle in handles {
        ids.insert(handle.await.unwrap().unwrap());
    }
    assert_eq!(ids.len(), 24);
    assert_eq!(client.stats().requests, 24);
}
