//! Issue 12, "Credentials without long-lived keys": every source and mode
//! of the chain against the emulator's STS, metadata service and
//! credentials URI, with the real binary; refreshes in the middle of a
//! run; static STS credentials that expire; saved plans across sessions;
//! no connection anywhere when nothing is configured; and, in process, a
//! rotated OIDC token file.
//!
//! Every run checks that no secret leaked: the test pair's, and the
//! secret, token and whole AccessKey ID of every key the emulator issued
//! (`Cloud::run_unpointed`).

use std::io::{BufRead as _, BufReader, Write as _};
use std::sync::{Arc, Mutex};

use aicall::emulator::{IdentityConfig, Imds, RequestRecord};

use crate::cloud_snapshot;
use crate::common::cloud::{
    self, ACCESS_KEY_ID, Cloud, FIXTURE, SECRET, assert_account, assert_exactly_once, fixture,
    fixture_account, plain_manifest,
};
use crate::common::harness::{Test, assert_contains, at, workspace};

const ROLE: &str = "acs:ram::1234567890123456:role/deployer";
const OIDC_PROVIDER: &str = "acs:ram::1234567890123456:oidc-provider/ci";
/// Distinctive, so a leak is found by a plain search.
const OIDC_TOKEN: &str = "eyJhbGciOiJSUzI1NiJ9.it-oidc-token-1f6c0d.c2ln";

/// `config.json` with `current` and `profiles`.
fn config(current: &str, profiles: &[String]) -> String {
    format!(
        r#"{{"current":"{current}","profiles":[{}]}}"#,
        profiles.join(",")
    )
}

/// An `AK` profile of the test pair.
fn ak_profile(name: &str) -> String {
    format!(
        r#"{{"name":"{name}","mode":"AK","access_key_id":"{ACCESS_KEY_ID}","access_key_secret":"{SECRET}"}}"#
    )
}

/// A `RamRoleArn` profile assuming `role` with the test pair.
fn role_profile(name: &str, role: &str) -> String {
    format!(
        r#"{{"name":"{name}","mode":"RamRoleArn","access_key_id":"{ACCESS_KEY_ID}","access_key_secret":"{SECRET}","ram_role_arn":"{role}","ram_session_name":"it-{name}"}}"#
    )
}

/// A `ChainableRamRoleArn` profile assuming `role` with `source`'s credentials.
fn chained_profile(name: &str, source: &str, role: &str) -> String {
    format!(
        r#"{{"name":"{name}","mode":"ChainableRamRoleArn","source_profile":"{source}","ram_role_arn":"acs:ram::1234567890123456:role/{role}"}}"#
    )
}

/// `test` with a `config.json` whose current profile `deploy` assumes
/// [`ROLE`] with the test pair.
fn with_deploy_role(test: Test) -> Test {
    test.write(
        ".aliyun/config.json",
        config("deploy", &[role_profile("deploy", ROLE)]),
    )
}

/// `test` pointed at the emulator and its STS, with STS credentials the
/// emulator issued for `role` given as they are (the GitHub Actions flow).
fn with_issued_keys(cloud: &Cloud, test: Test, role: &str) -> Test {
    let keys = cloud.issue_credentials(role);
    cloud
        .point_sts(test)
        .env("ALIBABA_CLOUD_ACCESS_KEY_ID", &keys.access_key_id)
        .env(
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            keys.access_key_secret.expose(),
        )
        .env("ALIBABA_CLOUD_SECURITY_TOKEN", keys.security_token.expose())
}

/// An emulator that loses the reply to the second create, and whose keys
/// issued so far all expire the moment that create has committed: its
/// look-up is refused.
async fn expiring_when_a_reply_is_lost() -> Cloud {
    let cloud = Cloud::with(|c| c.faults.drop_create_reply = Some(2)).await;
    let issued = cloud.issued();
    cloud.on_record(move |record: &RequestRecord| {
        if record.action == Some("CreateAiCallTask") && record.status.is_none() {
            issued.expire_all();
        }
    });
    cloud
}

/// The OIDC variables ACK RRSA injects, with the token in `test`'s
/// directory.
fn with_oidc_environment(test: Test) -> Test {
    let test = test.write("oidc-token", OIDC_TOKEN);
    let token_file = test.path().join("oidc-token");
    test.env("ALIBABA_CLOUD_ROLE_ARN", ROLE)
        .env("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER)
        .env("ALIBABA_CLOUD_OIDC_TOKEN_FILE", token_file)
}

/// The emulator's request records of `action`, as `status code` pairs.
fn calls(cloud: &Cloud, action: &str) -> Vec<String> {
    cloud
        .records()
        .iter()
        .filter(|r| r.action == Some(action))
        .map(|r| format!("{} {}", r.status.unwrap_or(0), r.code))
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_12_oidc_from_the_environment_creates_everything() {
    let cloud = Cloud::start().await;
    let output = cloud
        .run_unpointed(cloud.point_sts(with_oidc_environment(fixture([
            "apply",
            "--auto-approve",
            "tasks.yaml",
        ]))))
        .await;
    output.assert_code(0);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    let issued = cloud.issued().issuances();
    assert_eq!(issued.len(), 1, "{issued:?}");
    assert_eq!(issued[0].how, "AssumeRoleWithOIDC");
    assert_eq!(issued[0].role_arn, ROLE);
    assert!(issued[0].used_oidc_token(OIDC_TOKEN));
    assert_eq!(issued[0].signed_by, None, "AssumeRoleWithOIDC is unsigned");
    for text in [&output.stdout, &output.stderr] {
        assert!(!text.contains(OIDC_TOKEN), "{text}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_12_a_ram_role_profile_and_a_chain_of_three_roles() {
    let cloud = Cloud::start().await;
    let output = cloud
        .run_unpointed(cloud.point_sts(with_deploy_role(fixture(["plan", "tasks.yaml"]))))
        .await;
    output.assert_code(0);
    let issued = cloud.issued().issuances();
    assert_eq!(issued.len(), 1);
    assert_eq!(
        (issued[0].how, issued[0].session_name.as_str()),
        ("AssumeRole", "it-deploy")
    );
    assert_eq!(issued[0].signed_by.as_deref(), Some(ACCESS_KEY_ID));

    let cloud = Cloud::start().await;
    let profiles = [
        ak_profile("base"),
        chained_profile("first", "base", "one"),
        chained_profile("second", "first", "two"),
        chained_profile("third", "second", "three"),
    ];
    let output = cloud
        .run_unpointed(
            cloud.point_sts(
                fixture(["apply", "--auto-approve", "tasks.yaml"])
                    .write(".aliyun/config.json", config("third", &profiles)),
            ),
        )
        .await;
    output.assert_code(0);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    // Each role assumed with the credentials of the one before it.
    let issued = cloud.issued().issuances();
    let chain: Vec<(&str, Option<&str>)> = issued
        .iter()
        .map(|i| {
            (
                i.role_arn.rsplit('/').next().unwrap(),
                i.signed_by.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        chain,
        [
            ("one", Some(ACCESS_KEY_ID)),
            ("two", Some(issued[0].access_key_id.as_str())),
            ("three", Some(issued[1].access_key_id.as_str())),
        ]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_12_a_cycle_of_source_profiles_is_an_error_before_any_request() {
    let cloud = Cloud::start().await;
    let profiles = [
        chained_profile("a", "b", "one"),
        chained_profile("b", "c", "two"),
        chained_profile("c", "a", "three"),
    ];
    let output = cloud
        .run_unpointed(cloud.point_sts(
            fixture(["plan", "tasks.yaml"]).write(".aliyun/config.json", config("a", &profiles)),
        ))
        .await;
    output.assert_code(1);
    cloud_snapshot!(output);
    assert!(cloud.records().is_empty(), "{:?}", cloud.records());
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_12_ini_role_sections() {
    let cloud = Cloud::start().await;
    let ini = format!(
        "[default]\ntype = ram_role_arn\naccess_key_id = {ACCESS_KEY_ID}\n\
         access_key_secret = {SECRET}\nrole_arn = {ROLE}\nrole_session_name = it-ini\n\n\
         [oidc]\ntype = oidc_role_arn\nrole_arn = {ROLE}\noidc_provider_arn = {OIDC_PROVIDER}\n\
         oidc_token_file_path = TOKEN_FILE\n"
    );
    for profile in ["default", "oidc"] {
        let test =
            fixture(["plan", "--profile", profile, "tasks.yaml"]).write("oidc-token", OIDC_TOKEN);
        let token_file = test.path().join("oidc-token");
        let test = test.write(
            ".alibabacloud/credentials.ini",
            ini.replace("TOKEN_FILE", &token_file.display().to_string()),
        );
        cloud
            .run_unpointed(cloud.point_sts(test))
            .await
            .assert_code(0);
    }
    let how: Vec<&str> = cloud.issued().issuances().iter().map(|i| i.how).collect();
    assert_eq!(how, ["AssumeRole", "AssumeRoleWithOIDC"]);
}

/// The instance role with IMDSv2 (a token first), an instance that gives
/// no tokens (v1, the fallback), and that fallback refused when v1 is
/// disabled; the role's name asked of the service when not configured.
#[tokio::test(flavor = "multi_thread")]
async fn issue_12_the_ecs_instance_role_with_and_without_imds_v1() {
    let ecs = |cloud: &Cloud, test: Test| {
        cloud
            .point_sts(test)
            .env("ALIBABA_CLOUD_ECS_METADATA", IdentityConfig::INSTANCE_ROLE)
            .env("AICALL_TEST_ECS_METADATA_ENDPOINT", cloud.endpoint())
    };
    for imds in [Imds::Both, Imds::V2Only] {
        let cloud = Cloud::with(|c| c.identity.imds = imds).await;
        let output = cloud
            .run_unpointed(ecs(
                &cloud,
                fixture(["apply", "--auto-approve", "tasks.yaml"]),
            ))
            .await;
        output.assert_code(0);
        assert_account(&cloud.tasks(), &fixture_account(), &[]);
        assert_eq!(calls(&cloud, "MetadataToken"), ["200 OK"], "{imds:?}");
        assert_eq!(calls(&cloud, "MetadataCredentials"), ["200 Success"]);
    }

    let cloud = Cloud::with(|c| c.identity.imds = Imds::V1Only).await;
    let output = cloud
        .run_unpointed(ecs(&cloud, fixture(["plan", "tasks.yaml"])))
        .await;
    output.assert_code(0);
    assert_eq!(calls(&cloud, "MetadataToken"), ["404 HTTP 404"]);
    assert_eq!(calls(&cloud, "MetadataCredentials"), ["200 Success"]);

    let cloud = Cloud::with(|c| c.identity.imds = Imds::V1Only).await;
    let output = cloud
        .run_unpointed(
            ecs(&cloud, fixture(["plan", "tasks.yaml"]))
                .env("ALIBABA_CLOUD_IMDSV1_DISABLED", "true"),
        )
        .await;
    output.assert_code(1);
    cloud_snapshot!("imdsv1_disabled", output);
    assert!(calls(&cloud, "MetadataCredentials").is_empty());

    // A profile of mode EcsRamRole without a role name: asked of the service.
    let cloud = Cloud::start().await;
    let profile = r#"{"name":"ecs","mode":"EcsRamRole"}"#.to_owned();
    let output = cloud
        .run_unpointed(
            cloud
                .point_sts(
                    fixture(["plan", "tasks.yaml"])
                        .write(".aliyun/config.json", config("ecs", &[profile])),
                )
                .env("AICALL_TEST_ECS_METADATA_ENDPOINT", cloud.endpoint()),
        )
        .await;
    output.assert_code(0);
    assert_eq!(calls(&cloud, "MetadataRoleName"), ["200 OK"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn issue_12_a_credentials_uri_from_the_environment_or_a_profile() {
    let cloud = Cloud::start().await;
    let uri = format!(
        "{}{}",
        cloud.endpoint(),
        aicall::emulator::CREDENTIALS_URI_PATH
    );
    let output = cloud
        .run_unpointed(
            cloud
                .point_sts(fixture(["apply", "--auto-approve", "tasks.yaml"]))
                .env("ALIBABA_CLOUD_CREDENTIALS_URI", &uri),
        )
        .await;
    output.assert_code(0);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    let profile = format!(r#"{{"name":"uri","mode":"CredentialsURI","credentials_uri":"{uri}"}}"#);
    let output = cloud
        .run_unpointed(cloud.point_sts(
            fixture(["plan", "tasks.yaml"]).write(".aliyun/config.json", config("uri", &[profile])),
        ))
        .await;
    output.assert_code(0);
    assert_eq!(calls(&cloud, "CredentialsUri").len(), 2);
}

/// What STS refuses, and the modes aicall cannot use, are errors that say
/// what to do, never a silent step to another source.
#[tokio::test(flavor = "multi_thread")]
async fn issue_12_refusals_and_unsupported_modes_say_what_to_do() {
    let cloud = Cloud::start().await;
    let other_account = role_profile("deploy", "acs:ram::9999999999999999:role/deployer");
    let output = cloud
        .run_unpointed(
            cloud.point_sts(
                fixture(["plan", "tasks.yaml"])
                    .write(".aliyun/config.json", config("deploy", &[other_account])),
            ),
        )
        .await;
    output.assert_code(1);
    cloud_snapshot!("entity_not_exist", output);

    let invalid_token = cloud
        .run_unpointed(
            cloud.point_sts(
                with_oidc_environment(fixture(["plan", "tasks.yaml"]))
                    .write("oidc-token", "invalid-token"),
            ),
        )
        .await;
    invalid_token.assert_code(1);
    assert_contains(
        &invalid_token.stderr,
        "`AuthenticationFail.OIDCToken.Invalid`",
    );
    assert_contains(&invalid_token.stderr, "the role trusts the OIDC provider");

    let sso = r#"{"name":"sso","mode":"CloudSSO"}"#.to_owned();
    let output = cloud
        .run_unpointed(cloud.point_sts(
            fixture(["plan", "tasks.yaml"]).write(".aliyun/config.json", config("sso", &[sso])),
        ))
        .await;
    output.assert_code(1);
    cloud_snapshot!("unsupported_mode", output);
    assert!(calls(&cloud, "CreateAiCallTask").is_empty());
}

/// The run that motivated the issue: several hundred creates whose
/// credentials expire again and again while they are in flight, by the
/// emulator's clock (1-second keys, refreshed ahead of time) and by its
/// request allowance (every key refused after 40 requests, whatever the
/// clock). Every request refused as expired is re-signed and sent once
/// more: no failure, no duplicate, every task exactly once.
#[tokio::test(flavor = "multi_thread")]
async fn issue_12_hundreds_of_creates_while_the_credentials_keep_expiring() {
    const TASKS: usize = 300;
    let cloud = Cloud::with(|c| {
        c.identity.lifetime = Some(std::time::Duration::from_secs(1));
        c.identity.requests_per_key = Some(40);
    })
    .await;
    let names: Vec<String> = (0..TASKS).map(|i| format!("expiring-{i:03}")).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let output = cloud
        .run_unpointed(
            cloud.point_sts(with_deploy_role(workspace(&plain_manifest(&names)).args([
                "apply",
                "--auto-approve",
                "--parallelism",
                "8",
                "--rate-limit",
                "400",
                "tasks.yaml",
            ]))),
        )
        .await;
    output.assert_code(0);
    assert_contains(&output.stdout, &format!("{TASKS} created"));
    let tasks = cloud.tasks();
    assert_eq!(tasks.len(), TASKS);
    assert_exactly_once(&cloud, TASKS);
    let stats = cloud.stats();
    let expired = stats.code("InvalidSecurityToken.Expired");
    assert!(expired > 0, "the re-sign path was not exercised: {stats:?}");
    let refreshes = cloud.issued().issuances().len();
    assert!(
        refreshes > TASKS / 40,
        "{refreshes} keys for {TASKS} creates"
    );
    // Every refusal was followed by a re-signed request: the refused ones
    // come on top of one create per task.
    assert_eq!(
        stats.action("CreateAiCallTask") as usize,
        TASKS
            + calls(&cloud, "CreateAiCallTask")
                .iter()
                .filter(|c| c.contains("InvalidSecurityToken.Expired"))
                .count()
    );
}

/// STS credentials given as they are (the GitHub Actions flow) cannot be
/// refreshed: when they expire mid-run, what is left fails with a hint
/// that says what to change, a create whose reply was lost is left
/// "unknown", and a re-run with fresh credentials settles it by look-up:
/// nothing twice.
#[tokio::test(flavor = "multi_thread")]
async fn issue_12_static_sts_credentials_that_expire_mid_run() {
    let cloud = expiring_when_a_reply_is_lost().await;
    let ws = workspace(FIXTURE);
    let args = [
        "apply",
        "--auto-approve",
        "--parallelism",
        "1",
        "tasks.yaml",
    ];
    let first = cloud
        .run_unpointed(with_issued_keys(&cloud, at(&ws).args(args), "github-ci"))
        .await;
    first.assert_code(1);
    // The key is a new one every run: only its mask is stable.
    let mut filters = cloud::filters();
    filters.push((r"AccessKey \*\*\*\*\w{4}", "AccessKey ****[STS]"));
    insta::with_settings!({ filters => filters }, {
        insta::assert_snapshot!(first.snapshot());
    });
    assert_eq!(cloud.tasks().len(), 2);

    let rerun = cloud
        .run_unpointed(with_issued_keys(&cloud, at(&ws).args(args), "github-ci"))
        .await;
    rerun.assert_code(0);
    assert_contains(&rerun.stdout, "2 unchanged");
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_eq!(cloud.creates_committed(), 4);
}

/// Credentials aicall obtains itself: the same lost reply and the same
/// expiry, and the look-up is simply re-signed with fresh credentials, so
/// the create is settled in the same run.
#[tokio::test(flavor = "multi_thread")]
async fn issue_12_a_lost_reply_is_settled_by_look_up_under_fresh_credentials() {
    let cloud = expiring_when_a_reply_is_lost().await;
    let output = cloud
        .run_unpointed(cloud.point_sts(with_deploy_role(fixture([
            "apply",
            "--auto-approve",
            "--parallelism",
            "1",
            "tasks.yaml",
        ]))))
        .await;
    output.assert_code(0);
    assert_contains(&output.stdout, "the reply was lost, the look-up found it");
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_eq!(cloud.creates_committed(), 4);
    assert_eq!(cloud.issued().issuances().len(), 2);
}

/// A saved plan made with one session's temporary credentials is applied
/// with another's: its fingerprint and seal come from the role (and, for
/// RamRoleArn, from the key that assumes it), not from keys that change
/// every session. Another role is another account's plan.
#[tokio::test(flavor = "multi_thread")]
async fn issue_12_saved_plans_hold_across_sessions_of_one_role() {
    let cloud = Cloud::start().await;
    let profiles = config(
        "deploy",
        &[
            role_profile("deploy", ROLE),
            role_profile("other", "acs:ram::1234567890123456:role/other"),
        ],
    );
    let ws = workspace(FIXTURE).write(".aliyun/config.json", &profiles);
    let in_ws = |args: &[&str]| {
        cloud.point_sts(at(&ws).args(args.iter().copied())).env(
            "ALIBABA_CLOUD_CONFIG_FILE",
            ws.path().join(".aliyun/config.json"),
        )
    };
    cloud
        .run_unpointed(in_ws(&["plan", "--out", "plan.json", "tasks.yaml"]))
        .await
        .assert_code(0);
    let saved = std::fs::read_to_string(ws.path().join("plan.json")).unwrap();
    assert!(cloud.issued().leaked_in(&saved).is_none());
    let refused = cloud
        .run_unpointed(in_ws(&[
            "apply",
            "--auto-approve",
            "--profile",
            "other",
            "--plan",
            "plan.json",
        ]))
        .await;
    refused.assert_code(1);
    assert_contains(&refused.stderr, "the plan was made with AccessKey");
    cloud
        .run_unpointed(in_ws(&["apply", "--auto-approve", "--plan", "plan.json"]))
        .await
        .assert_code(0);
    assert_account(&cloud.tasks(), &fixture_account(), &[]);
    assert_eq!(
        cloud.issued().issuances().len(),
        3,
        "three sessions, three keys"
    );

    // STS credentials given as they are: the identity is the role STS
    // names (GetCallerIdentity), whatever the session.
    let cloud = Cloud::start().await;
    let ws = workspace(FIXTURE);
    let with_keys = |args: &[&str], role: &str| {
        with_issued_keys(&cloud, at(&ws).args(args.iter().copied()), role)
    };
    cloud
        .run_unpointed(with_keys(
            &["plan", "--out", "plan.json", "tasks.yaml"],
            "github-ci",
        ))
        .await
        .assert_code(0);
    let apply = ["apply", "--auto-approve", "--plan", "plan.json"];
    let refused = cloud.run_unpointed(with_keys(&apply, "someone-else")).await;
    refused.assert_code(1);
    assert_contains(&refused.stderr, "the plan was made with AccessKey");
    cloud
        .run_unpointed(with_keys(&apply, "github-ci"))
        .await
        .assert_code(0);
    assert_eq!(calls(&cloud, "GetCallerIdentity").len(), 3);
}

/// A proxy that records the first line of every connection (`CONNECT
/// host:443 HTTP/1.1` for HTTPS) and refuses it: aicall's HTTP clients
/// send every non-loopback connection through `HTTPS_PROXY`, so it sees
/// each one aicall attempts, with no network needed.
fn recording_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut line = String::new();
            let _ = BufReader::new(&stream).read_line(&mut line);
            log.lock().unwrap().push(line.trim().to_owned());
            let _ = stream.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
        }
    });
    (address, seen)
}

/// With nothing configured, aicall says where it looked and contacts
/// nothing: no STS, no metadata address (the chain only asks it when told
/// to; `api::credentials::chain` tests that), no API. Observed through a
/// recording proxy; the control run shows the proxy does see what aicall
/// would contact.
#[tokio::test(flavor = "multi_thread")]
async fn issue_12_no_source_configured_no_connection_attempted() {
    let (proxy, seen) = recording_proxy();
    let cloud = Cloud::start().await;
    let behind_proxy = |test: Test| {
        test.env("HTTPS_PROXY", &proxy)
            .env("HTTP_PROXY", &proxy)
            .env("ALL_PROXY", &proxy)
    };
    let output = cloud::run(behind_proxy(fixture(["plan", "tasks.yaml"]))).await;
    output.assert_code(1);
    cloud_snapshot!(output);
    // The default endpoint too: no request is made without credentials.
    let with_emulator = cloud::run(behind_proxy(
        fixture(["apply", "--auto-approve", "tasks.yaml"]).env("AICALL_ENDPOINT", cloud.endpoint()),
    ))
    .await;
    with_emulator.assert_code(1);
    assert!(
        seen.lock().unwrap().is_empty(),
        "{:?}",
        seen.lock().unwrap()
    );
    assert!(cloud.records().is_empty(), "{:?}", cloud.records());

    // Control: OIDC configured, STS at its default address, is seen.
    let control = cloud::run(behind_proxy(with_oidc_environment(fixture([
        "plan",
        "tasks.yaml",
    ]))))
    .await;
    control.assert_code(1);
    assert_eq!(
        *seen.lock().unwrap(),
        ["CONNECT sts.aliyuncs.com:443 HTTP/1.1"],
        "{}",
        control.stderr
    );
}

/// In process, step by step: a token file rotated between two refreshes
/// is read again for the second; the first refresh's token is not reused.
#[tokio::test]
async fn issue_12_an_oidc_token_file_rotated_between_refreshes_is_read_again() {
    use aicall::api::{Client, ClientConfig, CredentialProvider, Endpoint, PageQuery};

    let emulator = aicall::emulator::Emulator::start(aicall::emulator::Config::default())
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let token_file = dir.path().join("token");
    std::fs::write(&token_file, format!("{OIDC_TOKEN}-first\n")).unwrap();
    let vars = [
        ("ALIBABA_CLOUD_ROLE_ARN", ROLE.to_owned()),
        ("ALIBABA_CLOUD_OIDC_PROVIDER_ARN", OIDC_PROVIDER.to_owned()),
        (
            "ALIBABA_CLOUD_OIDC_TOKEN_FILE",
            token_file.display().to_string(),
        ),
        ("ALIBABA_CLOUD_STS_ENDPOINT", emulator.endpoint()),
    ];
    let env = |name: &str| {
        vars.iter()
            .find(|(n, _)| *n == name)
            .map(|(_, v)| v.clone())
    };
    let source = aicall::api::credentials::resolve(None, &env, None).unwrap();
    let provider = CredentialProvider::new(&source, Arc::new(|_| {})).unwrap();
    let endpoint = Endpoint::parse(&emulator.endpoint()).unwrap();
    let client = Client::new(ClientConfig::new(endpoint, provider.clone())).unwrap();

    client.query_task_page(&PageQuery::default()).await.unwrap();
    std::fs::write(&token_file, format!("{OIDC_TOKEN}-rotated\n")).unwrap();
    emulator.issued_keys().expire_all();
    // Refused as expired, refreshed with the rotated token, sent again.
    client.query_task_page(&PageQuery::default()).await.unwrap();

    let issued = emulator.issued_keys().issuances();
    assert_eq!(issued.len(), 2, "{issued:?}");
    assert!(issued[0].used_oidc_token(&format!("{OIDC_TOKEN}-first")));
    assert!(issued[1].used_oidc_token(&format!("{OIDC_TOKEN}-rotated")));
    assert_eq!(provider.fetches(), 2);
    assert_eq!(emulator.stats().code("InvalidSecurityToken.Expired"), 1);
}

/// The emulator's STS over raw signed HTTP (`aiccs-api.md` §9): a key it
/// issues is accepted, with its own token only, until it expires by the
/// emulator's clock; what it refuses, it refuses with STS's codes.
#[tokio::test]
async fn issue_12_the_emulators_sts_over_raw_http() {
    use crate::common::raw::{Prepared, Raw, Reply, owned};

    let emulator = aicall::emulator::Emulator::start(aicall::emulator::Config::default())
        .await
        .unwrap();
    let raw = Raw::new(&emulator);
    let sts = |raw: &Raw, action: &str, params: &[(&str, &str)]| -> Prepared {
        let mut pairs = raw.v1_common(action);
        pairs.retain(|(name, _)| name != "Version");
        pairs.push(("Version".to_owned(), "2015-04-01".to_owned()));
        pairs.extend(owned(params));
        raw.v1_signed("POST", pairs, true)
    };
    let code = |reply: &Reply| reply.code().to_owned();

    let reply = raw
        .send(sts(
            &raw,
            "AssumeRole",
            &[
                ("RoleArn", ROLE),
                ("RoleSessionName", "raw-session"),
                ("DurationSeconds", "900"),
            ],
        ))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(
        reply.json["AssumedRoleUser"]["Arn"],
        format!("{ROLE}/raw-session")
    );
    let credentials = &reply.json["Credentials"];
    let token = credentials["SecurityToken"].as_str().unwrap().to_owned();
    let expiration: jiff::Timestamp = credentials["Expiration"].as_str().unwrap().parse().unwrap();
    let lifetime = expiration.as_second() - emulator.clock().now().as_second();
    assert!((900..=901).contains(&lifetime), "{lifetime}");

    let mut as_role = Raw::new(&emulator);
    as_role.id = credentials["AccessKeyId"].as_str().unwrap().to_owned();
    as_role.secret = credentials["AccessKeySecret"].as_str().unwrap().to_owned();
    let page = as_role
        .send(as_role.v1("QueryAiCallTaskPage", &[("SecurityToken", &token)]))
        .await;
    assert_eq!(page.status, 200, "{}", page.text);
    let without_token = as_role.send(as_role.v1("QueryAiCallTaskPage", &[])).await;
    assert_eq!(
        code(&without_token),
        "InvalidSecurityToken.MismatchWithAccessKey"
    );
    let who = as_role
        .send(sts(
            &as_role,
            "GetCallerIdentity",
            &[("SecurityToken", &token)],
        ))
        .await;
    assert_eq!(
        who.json["Arn"], "acs:ram::1234567890123456:assumed-role/deployer/raw-session",
        "{}",
        who.text
    );

    // Past its Expiration by the emulator's clock (the requests' own
    // timestamps follow that clock, so only the key is late).
    emulator
        .clock()
        .advance(std::time::Duration::from_secs(901));
    let expired = as_role
        .send(as_role.v1("QueryAiCallTaskPage", &[("SecurityToken", &token)]))
        .await;
    assert_eq!(
        (expired.status, code(&expired)),
        (400, "InvalidSecurityToken.Expired".to_owned())
    );

    for (params, status, expected) in [
        (
            vec![
                ("RoleArn", ROLE),
                ("RoleSessionName", "s1"),
                ("DurationSeconds", "899"),
            ],
            400,
            "InvalidParameter.DurationSeconds",
        ),
        (
            vec![("RoleArn", ROLE), ("RoleSessionName", "a")],
            400,
            "InvalidParameter.RoleSessionName",
        ),
        (
            vec![("RoleArn", "acs:ram::42:role/x"), ("RoleSessionName", "s1")],
            404,
            "EntityNotExist.Role",
        ),
        (vec![("RoleSessionName", "s1")], 400, "MissingRoleArn"),
    ] {
        let reply = raw.send(sts(&raw, "AssumeRole", &params)).await;
        assert_eq!(
            (reply.status, code(&reply)),
            (status, expected.to_owned()),
            "{}",
            reply.text
        );
        assert_eq!(reply.json["HostId"], "sts.aliyuncs.com");
    }
}
