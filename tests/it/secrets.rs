//! Issue 7, "Secrets stay secret": a credential never reaches anything
//! aicall prints, whichever way it came in: through `${VAR}` in a
//! manifest, as text that happens to hold a loaded secret, inside an
//! endpoint URL, pasted into the wrong key of a credentials file, or
//! echoed back by the service. Each test failed before its fix.
//!
//! <https://github.com/aicall/aicall/issues/7>

use crate::aicall_snapshot;
use crate::common::cloud::{self, Cloud, SECRET, assert_contains};
use crate::common::harness::Test;

/// A manifest whose every task field is valid but for the `${...}` that
/// try to read credentials: a set one, and an unset one with a default.
const INTERPOLATES_CREDENTIALS: &str = r#"
    version: 1
    tasks:
      - name: renewals
        agentId: "${ALICLOUD_SECRET_KEY:-118012345678901234}"
        virtualNumber: "${ALIBABA_CLOUD_ACCESS_KEY_SECRET}"
        callDays: [MONDAY]
        callWindows: [{ start: "09:00", end: "12:00" }]
        start: immediate
"#;

/// Issue 7: `${VAR}` of a variable the credential chain reads is refused
/// at the `${`, naming the variable and never its value, by `validate`
/// (text and JSON), `plan` (every format) and `apply`, before any request.
/// A default does not make it acceptable, even when the variable is unset.
#[tokio::test(flavor = "multi_thread")]
async fn issue_7_a_manifest_cannot_interpolate_a_credential() {
    let manifest = || {
        Test::new()
            .write("tasks.yaml", INTERPOLATES_CREDENTIALS)
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET)
    };

    let text = manifest().args(["validate", "tasks.yaml"]).run();
    cloud::assert_no_secret(&text);
    text.assert_code(1);
    aicall_snapshot!(text);

    let json = manifest()
        .args(["validate", "--format", "json", "tasks.yaml"])
        .run();
    cloud::assert_no_secret(&json);
    json.assert_code(1);
    let items: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let found: Vec<(&str, &str, u64)> = items
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["code"].as_str().unwrap(),
                item["message"].as_str().unwrap(),
                item["column"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "secret-variable",
                "`ALICLOUD_SECRET_KEY` holds credentials and cannot be interpolated",
                15
            ),
            (
                "secret-variable",
                "`ALIBABA_CLOUD_ACCESS_KEY_SECRET` holds credentials and cannot be interpolated",
                21
            ),
        ]
    );

    let cloud = Cloud::start().await;
    for format in ["text", "json", "markdown"] {
        let plan = cloud
            .run(
                Test::new()
                    .write("tasks.yaml", INTERPOLATES_CREDENTIALS)
                    .args(["plan", "--format", format, "tasks.yaml"]),
            )
            .await;
        plan.assert_code(1);
        assert_contains(&plan.stderr, "error[secret-variable]");
    }
    let apply = cloud
        .run(
            Test::new()
                .write("tasks.yaml", INTERPOLATES_CREDENTIALS)
                .args(["apply", "--auto-approve", "tasks.yaml"]),
        )
        .await;
    apply.assert_code(1);
    assert!(cloud.records().is_empty(), "{:?}", cloud.records());
}
