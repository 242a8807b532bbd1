//! The emulator over real HTTP on 127.0.0.1: requests are built and signed
//! byte by byte with `aicall::api::sign` ([`crate::common::raw`], never
//! with the API client), so these tests judge the wire contract itself —
//! `aiccs-api.md` §2 (signatures), §3 (operations) and §7 (conventions).
//! One fresh emulator per test; faults make failures deterministic, and no
//! test sleeps.

use std::path::Path;
use std::time::Duration;

use aicall::emulator::{
    Clock, Config, Emulator, Faults, NewTask, Operation, Quotas, StartType, TaskId, TaskStatus,
};
use aicall::secret::Secret;
use serde_json::Value;

use crate::common::harness::send_signal;
use crate::common::raw::{CALL_DAY, CALL_TIME, Raw, Reply, form, http_client, owned};

async fn start() -> (Emulator, Raw) {
    start_with(Config::default()).await
}

async fn start_with(config: Config) -> (Emulator, Raw) {
    let emulator = Emulator::start(config).await.unwrap();
    let raw = Raw::new(&emulator);
    (emulator, raw)
}

fn names(page: &Value) -> Vec<String> {
    page["List"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["TaskName"].as_str().unwrap().to_owned())
        .collect()
}

fn snapshot_filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            r"[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}",
            "[REQUEST-ID]",
        ),
        (
            r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
            "[NONCE]",
        ),
        (
            r"\d{4}-\d\d-\d\dT\d\d(:|%253A)\d\d(:|%253A)\d\dZ",
            "[TIMESTAMP]",
        ),
        (r"127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"ACS3-HMAC-SHA256\n[0-9a-f]{64}", "ACS3-HMAC-SHA256 [HASH]"),
        (r"server time is \d+", "server time is [NOW]"),
    ]
}

// ---------------------------------------------------------------------------
// Gateway errors (§7 table): code, HTTP status, body shape.

#[tokio::test]
async fn every_gateway_error_has_its_code_status_and_shape() {
    let (emulator, raw) = start().await;
    let mut lines = Vec::new();
    let mut check = |what: &str, reply: &Reply, status: u16, code: &str| {
        reply.gateway(status, code);
        lines.push(format!(
            "{what}\n  {} {}\n  {}",
            reply.status,
            reply.code(),
            reply.json["Message"].as_str().unwrap_or_default()
        ));
    };

    let mut wrong_path = raw.v1("QueryAiCallTaskPage", &[]);
    wrong_path.path = "/v1/tasks".into();
    let reply = raw.send(wrong_path).await;
    check("path other than /", &reply, 404, "InvalidAction.NotFound");

    let reply = raw.call("DeleteAiCallTask", &[]).await;
    check("unknown action", &reply, 404, "InvalidAction.NotFound");

    let reply = raw
        .send(raw.v1_replacing("QueryAiCallTaskPage", "Version", "2020-01-01"))
        .await;
    check("wrong version", &reply, 400, "InvalidVersion");

    let mut unsigned = raw.v1("QueryAiCallTaskPage", &[]);
    unsigned.query = unsigned
        .query
        .split('&')
        .filter(|p| !p.starts_with("Signature="))
        .collect::<Vec<_>>()
        .join("&");
    let reply = raw.send(unsigned).await;
    check("no signature", &reply, 400, "IncompleteSignature");

    let mut malformed = raw.v3("QueryAiCallTaskPage", &[]);
    *malformed.header_mut("authorization") = "ACS3-HMAC-SHA256 Credential=aicall-demo-key".into();
    let reply = raw.send(malformed).await;
    check(
        "malformed Authorization",
        &reply,
        400,
        "IncompleteSignature",
    );

    let mut headers = raw.v3_headers("QueryAiCallTaskPage", b"");
    headers.retain(|(n, _)| n != "x-acs-signature-nonce");
    let reply = raw.send(raw.v3_signed(&[], headers)).await;
    check("V3 header missing", &reply, 400, "IncompleteSignature");

    let reply = raw
        .send(raw.v1_replacing("QueryAiCallTaskPage", "AccessKeyId", "LTAI-not-ours"))
        .await;
    check("unknown key", &reply, 400, "InvalidAccessKeyId.NotFound");

    let reply = raw
        .send(raw.v1_replacing("QueryAiCallTaskPage", "Timestamp", "2025-01-01 00:00:00"))
        .await;
    check("timestamp format", &reply, 400, "InvalidTimeStamp.Format");

    let reply = raw
        .send(raw.v1_replacing("QueryAiCallTaskPage", "Timestamp", "2020-01-01T00:00:00Z"))
        .await;
    check("stale timestamp", &reply, 400, "InvalidTimeStamp.Expired");

    let wrong = Raw {
        secret: "not-the-secret".into(),
        ..Raw::new(&emulator)
    };
    let reply = wrong
        .call("StartAiCallTask", &[("TaskId", "118700000000000001")])
        .await;
    check("wrong secret (V1)", &reply, 400, "SignatureDoesNotMatch");
    let reply = wrong.send(wrong.v3("QueryAiCallTaskPage", &[])).await;
    check("wrong secret (V3)", &reply, 400, "SignatureDoesNotMatch");

    let replayed = raw.v1("QueryAiCallTaskPage", &[]);
    raw.send(replayed.clone()).await.ok();
    let reply = raw.send(replayed).await;
    check("replayed nonce", &reply, 400, "SignatureNonceUsed");

    let reply = raw.create("", &[]).await;
    check("invalid parameter", &reply, 400, "InvalidParameter");

    let reply = raw.call("QueryAiCallTaskDetail", &[]).await;
    check("missing parameter", &reply, 400, "MissingTaskId");

    let mut get = raw.v1("QueryAiCallTaskPage", &[]);
    get.method = "DELETE".into();
    let reply = raw.send(get).await;
    check("unsupported method", &reply, 400, "UnsupportedHTTPMethod");

    insta::with_settings!({ filters => snapshot_filters() }, {
        insta::assert_snapshot!(lines.join("\n"));
    });
}

#[tokio::test]
async fn business_failures_are_http_200_with_success_false() {
    let (_emulator, raw) = start().await;
    let id = raw.create_ok("任务", &[]).await;
    raw.create("任务", &[]).await.business("TaskNameDuplicate");
    let reply = raw
        .call("StartAiCallTask", &[("TaskId", "118799999999999999")])
        .await;
    reply.business("TaskNotFound");
    raw.call("StartAiCallTask", &[("TaskId", &id)])
        .await
        .business("InvalidTaskStatus");
    // The existing task's ID is not echoed (§7).
    let dup = raw.create("任务", &[]).await;
    assert!(!dup.text.contains(&id), "{}", dup.text);
}

// ---------------------------------------------------------------------------
// Signatures (§2.2–§2.5).

#[tokio::test]
async fn v1_with_get_with_post_query_and_with_form_body() {
    let (_emulator, raw) = start().await;
    let mut pairs = raw.v1_common("QueryAiCallTaskPage");
    pairs.push(("TaskName".into(), "外呼 测试*~(1)".into()));
    raw.send(raw.v1_signed("GET", pairs, false)).await.ok();

    raw.send(raw.v1("QueryAiCallTaskPage", &[("PageSize", "5")]))
        .await
        .ok();

    let mut pairs = raw.v1_common("CreateAiCallTask");
    pairs.extend(owned(&[
        ("TaskName", "form body + space"),
        ("AgentId", "1"),
        ("VirtualNumber", "2"),
        ("StartType", "IMMEDIATE"),
        ("CallDay", CALL_DAY),
        ("CallTime", CALL_TIME),
    ]));
    let reply = raw.send(raw.v1_signed("POST", pairs, true)).await;
    reply.ok();
    let page = raw.page(&[]).await;
    assert_eq!(names(&page), ["form body + space"]);
}

#[tokio::test]
async fn v1_method_is_part_of_the_signature() {
    let (_emulator, raw) = start().await;
    let mut signed_for_get = raw.v1_signed("GET", raw.v1_common("QueryAiCallTaskPage"), false);
    signed_for_get.method = "POST".into();
    raw.send(signed_for_get)
        .await
        .gateway(400, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn v1_wrong_signature_method_is_refused() {
    let (_emulator, raw) = start().await;
    raw.send(raw.v1_replacing("QueryAiCallTaskPage", "SignatureMethod", "HMAC-SHA256"))
        .await
        .gateway(400, "InvalidSignatureMethod");
}

#[tokio::test]
async fn v3_without_and_with_sts() {
    let (_emulator, raw) = start().await;
    let reply = raw
        .send(raw.v3(
            "QueryAiCallTaskPage",
            &[("TaskName", "外呼 测试*~"), ("PageNo", "1")],
        ))
        .await;
    reply.ok();

    let mut headers = raw.v3_headers("QueryAiCallTaskPage", b"");
    headers.push(("x-acs-accesskey-id".into(), raw.id.clone()));
    headers.push((
        "x-acs-security-token".into(),
        "CAIS+token/with=chars".into(),
    ));
    raw.send(raw.v3_signed(&[], headers)).await.ok();

    // A token sent but left out of SignedHeaders.
    let headers = raw.v3_headers("QueryAiCallTaskPage", b"");
    let mut prepared = raw.v3_signed(&[], headers);
    prepared
        .headers
        .push(("x-acs-security-token".into(), "CAIS+token".into()));
    raw.send(prepared).await.gateway(400, "IncompleteSignature");
}

#[tokio::test]
async fn a_required_sts_token_must_match() {
    let (_emulator, raw) = start_with(Config {
        security_token: Some(Secret::new("CAIS+expected")),
        ..Config::default()
    })
    .await;
    let mut pairs = raw.v1_common("QueryAiCallTaskPage");
    pairs.push(("SecurityToken".into(), "CAIS+expected".into()));
    raw.send(raw.v1_signed("POST", pairs, false)).await.ok();

    raw.call("QueryAiCallTaskPage", &[])
        .await
        .gateway(400, "InvalidSecurityToken.MismatchWithAccessKey");
    let mut headers = raw.v3_headers("QueryAiCallTaskPage", b"");
    headers.push(("x-acs-security-token".into(), "CAIS+other".into()));
    raw.send(raw.v3_signed(&[], headers))
        .await
        .gateway(400, "InvalidSecurityToken.MismatchWithAccessKey");
}

#[tokio::test]
async fn v3_checks_the_body_hash_and_covers_a_form_body() {
    let (_emulator, raw) = start().await;
    let body = form(&owned(&[
        ("TaskName", "v3 form"),
        ("AgentId", "1"),
        ("VirtualNumber", "2"),
        ("StartType", "IMMEDIATE"),
        ("CallDay", CALL_DAY),
        ("CallTime", CALL_TIME),
    ]))
    .into_bytes();
    let mut headers = raw.v3_headers("CreateAiCallTask", &body);
    headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let mut prepared = raw.v3_signed(&[], headers);
    prepared.body = body.clone();
    raw.send(prepared).await.ok();

    let mut headers = raw.v3_headers("CreateAiCallTask", b"something else");
    headers.push((
        "content-type".into(),
        "application/x-www-form-urlencoded".into(),
    ));
    let mut tampered = raw.v3_signed(&[], headers);
    tampered.body = body;
    raw.send(tampered)
        .await
        .gateway(400, "SignatureDoesNotMatch");
}

#[tokio::test]
async fn v3_signature_covers_query_and_headers() {
    let (_emulator, raw) = start().await;
    let mut changed_query = raw.v3("QueryAiCallTaskPage", &[("PageNo", "1")]);
    changed_query.query = "PageNo=2".into();
    raw.send(changed_query)
        .await
        .gateway(400, "SignatureDoesNotMatch");

    let mut changed_header = raw.v3("QueryAiCallTaskPage", &[]);
    *changed_header.header_mut("user-agent") = "someone-else".into();
    let reply = raw.send(changed_header).await;
    reply.gateway(400, "SignatureDoesNotMatch");
    assert!(
        reply.json["Message"]
            .as_str()
            .unwrap()
            .contains("server string to sign is:ACS3-HMAC-SHA256\n")
    );
}

#[tokio::test]
async fn timestamps_within_900_seconds_pass_and_beyond_fail() {
    let (emulator, raw) = start().await;
    let at = |offset: i64| {
        let t = emulator
            .clock()
            .now()
            .checked_add(jiff::SignedDuration::from_secs(offset))
            .unwrap();
        t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
    };
    // A second of margin on the passing side: the clock moves on while
    // the request travels.
    for (offset, expected) in [
        (-899, "OK"),
        (899, "OK"),
        (-902, "InvalidTimeStamp.Expired"),
        (902, "InvalidTimeStamp.Expired"),
    ] {
        let mut pairs = raw.v1_common("QueryAiCallTaskPage");
        pairs.retain(|(n, _)| n != "Timestamp");
        pairs.push(("Timestamp".into(), at(offset)));
        let reply = raw.send(raw.v1_signed("POST", pairs, false)).await;
        assert_eq!(reply.code(), expected, "offset {offset}: {}", reply.text);
    }
    let mut headers = raw.v3_headers("QueryAiCallTaskPage", b"");
    headers.retain(|(n, _)| n != "x-acs-date");
    headers.push(("x-acs-date".into(), at(-1000)));
    raw.send(raw.v3_signed(&[], headers))
        .await
        .gateway(400, "InvalidTimeStamp.Expired");
}

#[tokio::test]
async fn nonces_are_remembered_across_schemes_but_not_burnt_by_forgeries() {
    let (emulator, raw) = start().await;
    let forged = Raw {
        secret: "wrong".into(),
        ..Raw::new(&emulator)
    };
    let mut pairs = raw.v1_common("QueryAiCallTaskPage");
    pairs.retain(|(n, _)| n != "SignatureNonce");
    pairs.push(("SignatureNonce".into(), "shared-nonce".into()));
    forged
        .send(forged.v1_signed("POST", pairs.clone(), false))
        .await
        .gateway(400, "SignatureDoesNotMatch");
    raw.send(raw.v1_signed("POST", pairs, false)).await.ok();

    let mut headers = raw.v3_headers("QueryAiCallTaskPage", b"");
    headers
        .iter_mut()
        .find(|(n, _)| n == "x-acs-signature-nonce")
        .unwrap()
        .1 = "shared-nonce".into();
    raw.send(raw.v3_signed(&[], headers))
        .await
        .gateway(400, "SignatureNonceUsed");
}

// ---------------------------------------------------------------------------
// Operations (§3, §7).

#[tokio::test]
async fn create_data_is_a_bare_number_above_2_pow_53_and_ids_count_up() {
    let (_emulator, raw) = start().await;
    let first = raw.create("a", &[]).await;
    assert!(
        first.text.contains(r#""Data":118700000000000001}"#),
        "{}",
        first.text
    );
    let second = raw.create("b", &[]).await;
    assert!(
        second.text.contains(r#""Data":118700000000000002}"#),
        "{}",
        second.text
    );
    // Elsewhere the ID is a string, and it round-trips exactly.
    let detail = raw
        .call("QueryAiCallTaskDetail", &[("TaskId", "118700000000000002")])
        .await;
    assert!(
        detail.text.contains(r#""TaskId":"118700000000000002""#),
        "{}",
        detail.text
    );
    let page = raw.call("QueryAiCallTaskPage", &[]).await;
    assert!(
        page.text.contains(r#""TaskId":"118700000000000002""#),
        "{}",
        page.text
    );
}

#[tokio::test]
async fn detail_returns_exactly_what_was_created_in_canonical_order() {
    let (_emulator, raw) = start().await;
    let id = raw
        .create_ok(
            "续费提醒-2026-12",
            &[
                ("MissCallRetry", "True"),
                ("CallRetryReason", r#"["NO_ANSWER","USER_BUSY"]"#),
                ("CallRetryTimes", "2"),
                ("CallRetryInterval", "30"),
                ("TaskCps", "10"),
                ("CallExpireType", "2"),
                ("CallExpireDate", "2026-12-31 23:59:59"),
                ("PhoneType", "0"),
            ],
        )
        .await;
    let mut detail = raw.detail(&id).await;
    let started = detail
        .as_object_mut()
        .unwrap()
        .remove("RealStartTime")
        .unwrap();
    assert!(started.as_i64().unwrap() > 1_700_000_000_000, "{started}");
    insta::assert_json_snapshot!(detail, @r#"
    {
      "AgentId": "1180123456789012345",
      "CallDays": [
        "MONDAY",
        "FRIDAY"
      ],
      "CallExpireDate": "2026-12-31 23:59:59",
      "CallExpireType": 2,
      "CallTimes": [
        {
          "EndTime": "12:00:00",
          "StartTime": "09:00:00"
        },
        {
          "EndTime": "18:00:00",
          "StartTime": "14:00:00"
        }
      ],
      "CallerNumber": "0327121220001",
      "ConcurrentCount": 10,
      "PhoneType": 0,
      "RetryCount": 2,
      "RetryEnable": true,
      "RetryInterval": 30,
      "RetryReasons": [
        "USER_BUSY",
        "NO_ANSWER"
      ],
      "StartType": "IMMEDIATE",
      "TaskId": "118700000000000001",
      "TaskName": "续费提醒-2026-12"
    }
    "#);
}

#[tokio::test]
async fn update_is_a_full_replacement_with_its_own_limits() {
    let (_emulator, raw) = start().await;
    let id = raw
        .create_ok(
            "t",
            &[
                ("CallRetryTimes", "3"),
                ("MissCallRetry", "true"),
                ("CallRetryInterval", "720"),
            ],
        )
        .await;
    let update = |extra: &[(&'static str, &'static str)]| {
        let mut params = vec![
            ("TaskId", id.as_str()),
            ("TaskName", "t2"),
            ("VirtualNumber", "0327121220002"),
            ("StartType", "IMMEDIATE"),
            ("CallDay", r#"["SUNDAY"]"#),
            (
                "CallTime",
                r#"["{\"startTime\":\"10:00:00\",\"endTime\":\"11:00:00\"}"]"#,
            ),
            ("TaskCps", "7"),
        ];
        params.extend_from_slice(extra);
        params
    };
    let running = raw.call("UpdateAiCallTask", &update(&[])).await;
    running.business("InvalidTaskStatus");

    raw.call("StopAiCallTask", &[("TaskId", &id)]).await.ok();
    let too_long = raw
        .call("UpdateAiCallTask", &update(&[("CallRetryInterval", "121")]))
        .await;
    too_long.gateway(400, "InvalidParameter");
    let with_agent = raw
        .call("UpdateAiCallTask", &update(&[("AgentId", "1")]))
        .await;
    with_agent.gateway(400, "InvalidParameter");
    let reply = raw
        .call("UpdateAiCallTask", &update(&[("CallRetryInterval", "120")]))
        .await;
    assert_eq!(reply.ok(), &Value::Bool(true));

    let detail = raw.detail(&id).await;
    assert_eq!(detail["TaskName"], "t2");
    assert_eq!(detail["CallerNumber"], "0327121220002");
    assert_eq!(detail["CallDays"], serde_json::json!(["SUNDAY"]));
    assert_eq!(detail["ConcurrentCount"], 7);
    assert_eq!(detail["RetryInterval"], 120);
    // Left out, so cleared.
    assert!(detail.get("RetryCount").is_none(), "{detail}");
    assert!(detail.get("RetryEnable").is_none(), "{detail}");
    // The status is unchanged by an update.
    let page = raw.page(&[("TaskId", &id)]).await;
    assert_eq!(page["List"][0]["Status"], 2);
}

#[tokio::test]
async fn limits_on_both_sides_over_http() {
    let (_emulator, raw) = start().await;
    let cases: &[(&str, &str, bool)] = &[
        ("CallRetryTimes", "3", true),
        ("CallRetryTimes", "4", false),
        ("CallRetryInterval", "720", true),
        ("CallRetryInterval", "721", false),
        ("TaskCps", "500", true),
        ("TaskCps", "501", false),
        ("TaskCps", "1", true),
        ("TaskCps", "0", false),
        ("TaskCps", "+5", false),
        ("CallDay", r#"["monday"]"#, false),
        ("CallDay", r#"["MONDAY","MONDAY"]"#, false),
        (
            "CallTime",
            r#"[{"startTime":"09:00:00","endTime":"12:00:00"}]"#,
            false,
        ),
        ("CallRetryReason", "[]", true),
        ("CallRetryReason", r#"["NO_ANSWER","NO_ANSWER"]"#, false),
    ];
    for (i, (name, value, ok)) in cases.iter().enumerate() {
        let task = format!("limit {i}");
        let reply = raw.create(&task, &[(name, value)]).await;
        if *ok {
            reply.ok();
        } else {
            reply.gateway(400, "InvalidParameter");
        }
    }
    raw.create("no start", &[("StartType", "SCHEDULE")])
        .await
        .gateway(400, "MissingTaskStartTime");
    raw.create(
        "past start",
        &[("StartType", "SCHEDULE"), ("TaskStartTime", "1000")],
    )
    .await
    .gateway(400, "InvalidParameter");
}

#[tokio::test]
async fn status_transitions_and_the_scheduled_start() {
    let (emulator, raw) = start().await;
    let status = |page: &Value| page["List"][0]["Status"].as_u64().unwrap();
    let immediate = raw.create_ok("now", &[]).await;
    assert_eq!(status(&raw.page(&[("TaskId", &immediate)]).await), 1);
    raw.call("StartAiCallTask", &[("TaskId", &immediate)])
        .await
        .business("InvalidTaskStatus");
    assert_eq!(
        raw.call("StopAiCallTask", &[("TaskId", &immediate)])
            .await
            .ok(),
        &Value::Bool(true)
    );
    assert_eq!(status(&raw.page(&[("TaskId", &immediate)]).await), 2);
    raw.call("StopAiCallTask", &[("TaskId", &immediate)])
        .await
        .business("InvalidTaskStatus");
    raw.call("StartAiCallTask", &[("TaskId", &immediate)])
        .await
        .ok();
    assert_eq!(status(&raw.page(&[("TaskId", &immediate)]).await), 1);

    let start_at = (emulator.clock().now_ms() + 3_600_000).to_string();
    let scheduled = raw
        .create_ok(
            "later",
            &[("StartType", "SCHEDULE"), ("TaskStartTime", &start_at)],
        )
        .await;
    let page = raw.page(&[("TaskId", &scheduled)]).await;
    assert_eq!(status(&page), 0);
    assert!(page["List"][0].get("RealStartTime").is_none());
    assert_eq!(
        page["List"][0]["StartTime"].as_i64().unwrap().to_string(),
        start_at
    );

    // An hour later it runs by itself.
    emulator.clock().advance(Duration::from_secs(3_601));
    let page = raw.page(&[("TaskId", &scheduled)]).await;
    assert_eq!(status(&page), 1);
    assert_eq!(
        page["List"][0]["RealStartTime"]
            .as_i64()
            .unwrap()
            .to_string(),
        start_at
    );
    let running = raw.page(&[("Status", "RUNNING")]).await;
    assert_eq!(running["Total"], 2);
    assert_eq!(
        emulator
            .tasks()
            .iter()
            .map(|t| t.status)
            .collect::<Vec<_>>(),
        [TaskStatus::Running, TaskStatus::Running]
    );
}

#[tokio::test]
async fn failed_tasks_can_be_started_but_not_stopped() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let mut task = serde_json::to_value(aicall::emulator::StoredTask {
        id: TaskId::FIRST,
        agent_id: "1".into(),
        application_code: None,
        config: NewTask::example("failed").config,
        status: TaskStatus::Failed,
        create_time: 1,
        real_start_time: None,
    })
    .unwrap();
    task["status"] = "FAILED".into();
    let state = format!(
        "{{\"format_version\":1,\"next_task_id\":\"118700000000000002\",\"tasks\":[{task}]}}"
    );
    std::fs::write(&path, state).unwrap();
    let (_emulator, raw) = start_with(Config {
        state_file: Some(path),
        ..Config::default()
    })
    .await;
    let id = TaskId::FIRST.to_string();
    assert_eq!(
        raw.page(&[("Status", "FAILED")]).await["List"][0]["Status"],
        3
    );
    raw.call("StopAiCallTask", &[("TaskId", &id)])
        .await
        .business("InvalidTaskStatus");
    raw.call("StartAiCallTask", &[("TaskId", &id)]).await.ok();
}

// ---------------------------------------------------------------------------
// Listing (§3.3, §7).

#[tokio::test]
async fn listing_order_paging_total_and_past_the_end() {
    let (emulator, raw) = start().await;
    emulator
        .seed(
            (1..=45)
                .map(|i| NewTask::example(format!("task-{i:02}")))
                .collect(),
        )
        .await
        .unwrap();
    let first = raw.page(&[]).await;
    assert_eq!(
        (
            first["PageNo"].clone(),
            first["PageSize"].clone(),
            first["Total"].clone()
        ),
        (1.into(), 20.into(), 45.into())
    );
    assert_eq!(names(&first)[..3], ["task-45", "task-44", "task-43"]);

    let third = raw.page(&[("PageNo", "3"), ("PageSize", "20")]).await;
    assert_eq!(
        names(&third),
        ["task-05", "task-04", "task-03", "task-02", "task-01"]
    );

    let past = raw.page(&[("PageNo", "4")]).await;
    assert_eq!(past["List"], serde_json::json!([]));
    assert_eq!(past["Total"], 45);

    raw.page(&[("PageSize", "100")]).await;
    let too_big = raw
        .call("QueryAiCallTaskPage", &[("PageSize", "101")])
        .await;
    too_big.gateway(400, "InvalidParameter");
    raw.call("QueryAiCallTaskPage", &[("PageNo", "0")])
        .await
        .gateway(400, "InvalidParameter");

    // Collecting every page gives every task once.
    let mut all = Vec::new();
    for page_no in 1..=5 {
        all.extend(names(
            &raw.page(&[("PageNo", &page_no.to_string()), ("PageSize", "10")])
                .await,
        ));
    }
    assert_eq!(all.len(), 45);
    all.dedup();
    assert_eq!(all.len(), 45);
}

#[tokio::test]
async fn max_page_size_is_configurable() {
    let (_emulator, raw) = start_with(Config {
        max_page_size: 50,
        ..Config::default()
    })
    .await;
    raw.page(&[("PageSize", "50")]).await;
    raw.call("QueryAiCallTaskPage", &[("PageSize", "51")])
        .await
        .gateway(400, "InvalidParameter");
}

#[tokio::test]
async fn name_filter_is_fuzzy_and_status_filter_is_a_string() {
    let (_emulator, raw) = start().await;
    for name in ["Renewal June", "renewal-july", "Welcome", "续费提醒"] {
        raw.create_ok(name, &[]).await;
    }
    let page = raw.page(&[("TaskName", "RENEWAL")]).await;
    assert_eq!(names(&page), ["renewal-july", "Renewal June"]);
    assert_eq!(page["Total"], 2);
    assert_eq!(
        names(&raw.page(&[("TaskName", "提醒")]).await),
        ["续费提醒"]
    );
    assert_eq!(
        names(&raw.page(&[("TaskName", "l J")]).await),
        ["Renewal June"]
    );

    raw.call("StopAiCallTask", &[("TaskId", "118700000000000003")])
        .await
        .ok();
    let stopped = raw.page(&[("Status", "STOPPED")]).await;
    assert_eq!(names(&stopped), ["Welcome"]);
    assert_eq!(stopped["List"][0]["Status"], 2);
    raw.call("QueryAiCallTaskPage", &[("Status", "2")])
        .await
        .gateway(400, "InvalidParameter");
}

// ---------------------------------------------------------------------------
// Persistence and concurrency.

fn dir_entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[tokio::test]
async fn state_survives_a_restart_and_is_written_atomically() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let config = || Config {
        state_file: Some(path.clone()),
        ..Config::default()
    };
    let (emulator, raw) = start_with(config()).await;
    // Written at startup, before any change.
    assert!(path.exists());
    let id = raw
        .create_ok("persisted 任务", &[("CallRetryTimes", "1")])
        .await;
    raw.call("StopAiCallTask", &[("TaskId", &id)]).await.ok();
    // Answered means durable: the file already holds the change.
    let on_disk = std::fs::read_to_string(&path).unwrap();
    assert!(
        on_disk.contains("persisted 任务") && on_disk.contains("\"STOPPED\""),
        "{on_disk}"
    );
    emulator.shutdown().await.unwrap();
    assert_eq!(dir_entries(dir.path()), ["state.json"]);

    let (emulator, raw) = start_with(config()).await;
    let page = raw.page(&[]).await;
    assert_eq!(names(&page), ["persisted 任务"]);
    assert_eq!(page["List"][0]["Status"], 2);
    assert_eq!(raw.detail(&id).await["RetryCount"], 1);
    // IDs continue where they stopped.
    assert_eq!(raw.create_ok("next", &[]).await, "118700000000000002");
    emulator.shutdown().await.unwrap();
    assert_eq!(dir_entries(dir.path()), ["state.json"]);
}

#[tokio::test]
async fn a_corrupt_state_file_is_a_startup_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    std::fs::write(&path, "{\"format_version\":1,\"next_task_id\":").unwrap();
    let err = Emulator::start(Config {
        state_file: Some(path.clone()),
        ..Config::default()
    })
    .await
    .unwrap_err();
    assert!(
        err.to_string().contains(&path.display().to_string()),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"format_version\":1,\"next_task_id\":"
    );
}

#[tokio::test]
async fn concurrent_creates_with_one_name_exactly_one_wins() {
    let dir = tempfile::tempdir().unwrap();
    let (emulator, raw) = start_with(Config {
        state_file: Some(dir.path().join("state.json")),
        ..Config::default()
    })
    .await;
    let raw = std::sync::Arc::new(raw);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let raw = raw.clone();
        tasks.spawn(async move { raw.create("the one", &[]).await });
    }
    let mut codes = Vec::new();
    while let Some(reply) = tasks.join_next().await {
        codes.push(reply.unwrap().code().to_owned());
    }
    codes.sort();
    assert_eq!(codes.iter().filter(|c| *c == "OK").count(), 1, "{codes:?}");
    assert_eq!(
        codes.iter().filter(|c| *c == "TaskNameDuplicate").count(),
        15,
        "{codes:?}"
    );
    assert_eq!(emulator.tasks().len(), 1);
}

#[tokio::test]
async fn concurrent_distinct_creates_all_land_on_disk() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (emulator, raw) = start_with(Config {
        state_file: Some(path.clone()),
        ..Config::default()
    })
    .await;
    let raw = std::sync::Arc::new(raw);
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..40 {
        let raw = raw.clone();
        tasks.spawn(async move { raw.create(&format!("t{i}"), &[]).await.ok().clone() });
    }
    while let Some(reply) = tasks.join_next().await {
        reply.unwrap();
    }
    emulator.shutdown().await.unwrap();
    let state: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    assert_eq!(state["tasks"].as_array().unwrap().len(), 40);
    assert_eq!(state["next_task_id"], "118700000000000041");
}

// ---------------------------------------------------------------------------
// Fault injection.

#[tokio::test]
async fn throttling_every_nth_request_has_no_side_effect() {
    let (emulator, raw) = start_with(Config {
        faults: Faults {
            throttle_every: Some(2),
            ..Faults::default()
        },
        throttle_retry_after: Some(Duration::from_millis(250)),
        ..Config::default()
    })
    .await;
    raw.create("a", &[]).await.ok();
    let second = raw.create_request("b", &[("AgentId", "1"), ("VirtualNumber", "2")]);
    let throttled = raw.send(second.clone()).await;
    throttled.gateway(400, "Throttling.User");
    assert_eq!(throttled.headers["x-acs-retry-after"], "250");
    assert_eq!(
        emulator.tasks().len(),
        1,
        "a throttled create creates nothing"
    );
    // The very same request (same nonce) goes through: it left no trace.
    raw.send(second).await.ok();
    assert_eq!(emulator.stats().throttled, 1);
    assert_eq!(emulator.stats().action("CreateAiCallTask"), 3);
}

#[tokio::test]
async fn unavailable_every_nth_request_has_no_side_effect() {
    let (emulator, raw) = start_with(Config {
        faults: Faults {
            unavailable_every: Some(3),
            ..Faults::default()
        },
        ..Config::default()
    })
    .await;
    raw.create("a", &[]).await.ok();
    raw.create("b", &[]).await.ok();
    let reply = raw.create("c", &[]).await;
    reply.gateway(503, "ServiceUnavailable");
    assert!(reply.headers.get("x-acs-retry-after").is_none());
    assert_eq!(emulator.tasks().len(), 2);
    assert_eq!(emulator.stats().unavailable, 1);
}

/// Issue 10 (`aiccs-api.md` §8): over its operation's quota, a request is
/// answered `Throttling.User` with the gateway's header, before any side
/// effect but after its nonce is spent; waiting `TimeLeft` is enough.
#[tokio::test(start_paused = true)]
async fn over_quota_is_throttled_with_the_gateways_header_and_no_side_effect() {
    let (emulator, raw) = start_with(Config {
        quotas: Quotas {
            every: Some(2),
            per_operation: [(Operation::Create, 1)].into_iter().collect(),
        },
        ..Config::default()
    })
    .await;
    raw.create("a", &[]).await.ok();
    let second = raw.create_request("b", &[("AgentId", "1"), ("VirtualNumber", "2")]);
    let throttled = raw.send(second.clone()).await;
    throttled.gateway(400, "Throttling.User");
    assert!(
        throttled.json["Message"]
            .as_str()
            .unwrap()
            .contains("`CreateAiCallTask` allows 1 requests a second"),
        "{}",
        throttled.text
    );
    let header = throttled.headers["x-ratelimit-user-api"].to_str().unwrap();
    let fields: Vec<&str> = header.split(',').collect();
    assert_eq!(&fields[..2], ["Limit:1", "Remain:0"], "{header}");
    let left: u64 = fields[2]
        .strip_prefix("TimeLeft:")
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1000).contains(&left), "{header}");
    assert!(fields[3].starts_with("Reset:"), "{header}");
    assert_eq!(
        emulator.tasks().len(),
        1,
        "an over-quota create creates nothing"
    );
    // Its nonce was spent, unlike an injected fault's.
    raw.send(second).await.gateway(400, "SignatureNonceUsed");

    // Pages count against a quota of their own.
    raw.page(&[]).await;
    raw.page(&[]).await;
    let third = raw.call("QueryAiCallTaskPage", &[]).await;
    third.gateway(400, "Throttling.User");

    // Waiting the time left is enough.
    tokio::time::advance(std::time::Duration::from_millis(left)).await;
    raw.create("b", &[]).await.ok();
    let stats = emulator.stats();
    assert_eq!((stats.throttled, stats.over_quota), (2, 2), "{stats:?}");
    assert_eq!(stats.throttled("CreateAiCallTask"), 1);
    assert_eq!(emulator.tasks().len(), 2);
}

#[tokio::test]
async fn the_nth_create_commits_then_drops_the_connection() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.json");
    let (emulator, raw) = start_with(Config {
        state_file: Some(path.clone()),
        faults: Faults {
            drop_create_reply: Some(2),
            ..Faults::default()
        },
        ..Config::default()
    })
    .await;
    raw.create("first", &[]).await.ok();
    let lost = raw
        .try_send(raw.v1(
            "CreateAiCallTask",
            &[
                ("TaskName", "second"),
                ("AgentId", "1"),
                ("VirtualNumber", "2"),
                ("StartType", "IMMEDIATE"),
                ("CallDay", CALL_DAY),
                ("CallTime", CALL_TIME),
            ],
        ))
        .await;
    let err = lost.expect_err("the reply must be dropped");
    assert!(!err.is_timeout(), "{err:?}");
    // Committed, and durable, although unanswered.
    assert_eq!(emulator.tasks().len(), 2);
    assert!(std::fs::read_to_string(&path).unwrap().contains("second"));
    assert_eq!(emulator.stats().dropped_replies, 1);
    // Only once: the third create is answered.
    raw.create("third", &[]).await.ok();
    raw.create("second", &[])
        .await
        .business("TaskNameDuplicate");
}

#[tokio::test]
async fn added_latency_still_answers() {
    let (emulator, raw) = start_with(Config {
        faults: Faults {
            latency: Duration::from_millis(1),
            ..Faults::default()
        },
        ..Config::default()
    })
    .await;
    raw.page(&[]).await;
    assert_eq!(emulator.stats().code("OK"), 1);
}

// ---------------------------------------------------------------------------
// Embedding.

#[tokio::test]
async fn embedding_interface() {
    let emulator = Emulator::start(Config::default()).await.unwrap();
    assert!(emulator.addr().ip().is_loopback());
    assert_ne!(emulator.addr().port(), 0);
    assert_eq!(
        emulator.endpoint(),
        format!("http://127.0.0.1:{}", emulator.addr().port())
    );
    assert_eq!(
        emulator.access_key_id(),
        aicall::emulator::DEMO_ACCESS_KEY_ID
    );
    assert_eq!(
        emulator.access_key_secret().expose(),
        aicall::emulator::DEMO_ACCESS_KEY_SECRET
    );
    assert!(!emulator.access_key_id().starts_with("LTAI"));
    assert!(!format!("{emulator:?}").contains(aicall::emulator::DEMO_ACCESS_KEY_SECRET));
    let ids = emulator.seed(vec![NewTask::example("x")]).await.unwrap();
    assert_eq!(ids, [TaskId::FIRST]);
    assert!(emulator.seed(vec![NewTask::example("x")]).await.is_err());
    assert_eq!(emulator.tasks()[0].config.start_type, StartType::Immediate);
    emulator.shutdown().await.unwrap();
}

// ---------------------------------------------------------------------------
// The binary.

mod binary {
    use std::io::{BufRead as _, BufReader};
    use std::process::{Command, Stdio};

    use super::*;

    /// Kills the emulator if a test fails before stopping it.
    struct Running(std::process::Child);

    impl Drop for Running {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    #[tokio::test]
    async fn first_three_stdout_lines_then_graceful_stop_on_sigterm() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let mut child = Running(
            Command::new(env!("CARGO_BIN_EXE_aicall"))
                .args(["emulator", "--listen", "127.0.0.1:0", "--state"])
                .arg(&state)
                .env_remove(aicall::env::AICALL_EMULATOR_ACCESS_KEY_SECRET)
                .env_remove(aicall::env::AICALL_EMULATOR_ACCESS_KEY_ID)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
        let mut stderr_pipe = child.0.stderr.take().unwrap();
        let mut banner = String::new();
        for _ in 0..3 {
            stdout.read_line(&mut banner).unwrap();
        }
        insta::with_settings!({ filters => snapshot_filters() }, {
            insta::assert_snapshot!(banner, @r"
            listening on http://127.0.0.1:[PORT]
            access key id: aicall-demo-key
            access key secret: aicall-demo-secret
            ");
        });

        let addr: std::net::SocketAddr = banner.lines().next().unwrap()
            ["listening on http://".len()..]
            .parse()
            .unwrap();
        let raw = Raw {
            http: http_client(),
            addr,
            id: "aicall-demo-key".into(),
            secret: "aicall-demo-secret".into(),
            clock: Clock::system(),
        };
        raw.create_ok("from the binary", &[]).await;

        let status = send_signal(child.0.id(), "-TERM");
        assert!(status.success());
        let exit = child.0.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut stderr_pipe, &mut stderr).unwrap();
        assert!(exit.success(), "{exit:?}\n{stderr}");
        assert!(stderr.ends_with("shutting down\n"), "{stderr}");
        // One line per request, never a secret or a signature.
        assert!(stderr.contains("POST CreateAiCallTask 200 OK "), "{stderr}");
        assert!(
            !stderr.contains("aicall-demo-secret") && !stderr.contains("Signature"),
            "{stderr}"
        );
        assert!(
            std::fs::read_to_string(&state)
                .unwrap()
                .contains("from the binary")
        );
    }

    #[test]
    fn a_secret_from_the_environment_is_never_printed() {
        let mut child = Running(
            Command::new(env!("CARGO_BIN_EXE_aicall"))
                .args(["emulator", "--access-key-id", "my-id"])
                .env(
                    aicall::env::AICALL_EMULATOR_ACCESS_KEY_SECRET,
                    "my-very-secret",
                )
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap(),
        );
        let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
        let mut banner = String::new();
        for _ in 0..3 {
            stdout.read_line(&mut banner).unwrap();
        }
        drop(child);
        insta::with_settings!({ filters => snapshot_filters() }, {
            insta::assert_snapshot!(banner, @r"
            listening on http://127.0.0.1:[PORT]
            access key id: my-id
            access key secret: **** (from AICALL_EMULATOR_ACCESS_KEY_SECRET)
            ");
        });
    }

    /// Starts `aicall emulator --listen ADDR`, reads its banner (it is
    /// serving by then), kills it, and returns the banner and stderr.
    fn banner_and_stderr(listen: &str, secret: Option<&str>) -> (String, String) {
        let mut command = Command::new(env!("CARGO_BIN_EXE_aicall"));
        command
            .args(["emulator", "--listen", listen])
            .env_remove(aicall::env::AICALL_EMULATOR_ACCESS_KEY_SECRET)
            .env_remove(aicall::env::AICALL_EMULATOR_ACCESS_KEY_ID)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        if let Some(secret) = secret {
            command.env(aicall::env::AICALL_EMULATOR_ACCESS_KEY_SECRET, secret);
        }
        let mut child = Running(command.spawn().unwrap());
        let mut stdout = BufReader::new(child.0.stdout.take().unwrap());
        let mut stderr_pipe = child.0.stderr.take().unwrap();
        let mut banner = String::new();
        for _ in 0..3 {
            stdout.read_line(&mut banner).unwrap();
        }
        child.0.kill().unwrap();
        child.0.wait().unwrap();
        let mut stderr = String::new();
        std::io::Read::read_to_string(&mut stderr_pipe, &mut stderr).unwrap();
        (banner, stderr)
    }

    #[test]
    fn listening_beyond_loopback_warns_before_serving() {
        // 0.0.0.0 binds every interface; nothing is sent anywhere.
        let (banner, stderr) = banner_and_stderr("0.0.0.0:0", None);
        assert!(
            banner.starts_with("listening on http://0.0.0.0:"),
            "{banner}"
        );
        insta::assert_snapshot!(stderr, @"warning: `--listen 0.0.0.0:0` is not a loopback address: anyone who can reach it can use the emulator with the demo key pair, which is public; listen on `127.0.0.1` unless other machines need the emulator");

        let (_, stderr) = banner_and_stderr("0.0.0.0:0", Some("my-very-secret"));
        insta::assert_snapshot!(stderr, @"warning: `--listen 0.0.0.0:0` is not a loopback address: anyone who can reach it can reach the emulator, guarded only by the secret from `AICALL_EMULATOR_ACCESS_KEY_SECRET`; listen on `127.0.0.1` unless other machines need the emulator");

        let (_, stderr) = banner_and_stderr("127.0.0.1:0", None);
        assert_eq!(stderr, "");
    }

    #[test]
    fn a_corrupt_state_file_fails_to_start_with_its_name() {
        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("broken.json");
        std::fs::write(&state, "not json").unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_aicall"))
            .args(["emulator", "--state"])
            .arg(&state)
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(1));
        assert!(output.stdout.is_empty());
        let stderr = String::from_utf8(output.stderr)
            .unwrap()
            .replace(&dir.path().display().to_string(), "[DIR]");
        insta::assert_snapshot!(stderr, @r"
        error: the state file [DIR]/broken.json is corrupt; fix or move it away (it is never overwritten)
          Caused by: expected ident at line 1 column 2
        ");
    }
}
