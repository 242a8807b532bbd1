//! Regression tests, named after the issue whose fix they pin (ripgrep's
//! `tests/regression.rs`). Each one failed before its fix.

use crate::common::cloud::{Cloud, FIXTURE, fixture, fixture_account};
use crate::common::harness::{assert_contains, workspace};

/// Issue 6: a refused `--endpoint` (or `AICALL_ENDPOINT`) is a usage error,
/// exit 2 like every other bad flag, before any manifest is read or any
/// request is sent.
#[test]
fn issue_6_a_refused_endpoint_is_a_usage_error() {
    for (args, env) in [
        (
            vec!["plan", "--endpoint", "http://example.com", "tasks.yaml"],
            None,
        ),
        (
            vec!["apply", "--endpoint", "ftp://127.0.0.1", "tasks.yaml"],
            None,
        ),
        (vec!["plan", "tasks.yaml"], Some("aiccs.aliyuncs.com")),
    ] {
        let mut test = workspace(FIXTURE).args(args);
        if let Some(endpoint) = env {
            test = test.env("AICALL_ENDPOINT", endpoint);
        }
        let output = test.run();
        output.assert_code(2);
        assert_contains(&output.stderr, "error: cannot use the endpoint `");
        assert!(output.stdout.is_empty(), "{}", output.stdout);
    }
}

/// Issue 6: `plan` closes with its `Plan:` line and never says apply's
/// "Nothing to do"; `apply` still does.
#[tokio::test(flavor = "multi_thread")]
async fn issue_6_plan_closes_with_its_plan_line() {
    let cloud = Cloud::start().await;
    cloud.seed(fixture_account()).await;
    let plan = cloud.run(fixture(["plan", "tasks.yaml"])).await;
    plan.assert_code(0);
    let last = plan.stdout.lines().last().unwrap_or_default();
    assert!(last.starts_with("Plan: 0 to create"), "{}", plan.stdout);
    assert!(!plan.stdout.contains("Nothing to"), "{}", plan.stdout);

    let apply = cloud
        .run(fixture(["apply", "--auto-approve", "tasks.yaml"]))
        .await;
    apply.assert_code(0);
    assert_contains(
        &apply.stdout,
        "Nothing to do: the account matches the manifests.",
    );
}

/// Issue 6: times shown to people have second precision: the plan's stamp
/// and the "now" of a start in the past carry no fraction of a second.
#[tokio::test(flavor = "multi_thread")]
async fn issue_6_times_are_shown_to_the_second() {
    let cloud = Cloud::start().await;
    let json = cloud
        .run(fixture(["plan", "--format", "json", "tasks.yaml"]))
        .await;
    json.assert_code(0);
    let plan: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let made_at = plan["madeAt"].as_str().unwrap();
    assert_eq!(made_at.len(), "2026-12-01T20:25:13Z".len(), "{made_at}");
    assert!(
        made_at.ends_with('Z') && !made_at.contains('.'),
        "{made_at}"
    );

    let past = FIXTURE.replace("2035-03-02T10:00:00Z", "2020-03-02T10:00:00Z");
    let output = cloud
        .run(workspace(&past).args(["plan", "tasks.yaml"]))
        .await;
    output.assert_code(1);
    let line = output
        .stderr
        .lines()
        .find(|l| l.contains("error[start-in-past]"))
        .unwrap();
    let now = line.rsplit("(now ").next().unwrap().trim_end_matches(')');
    assert_eq!(now.len(), "2026-12-01T20:25:13Z".len(), "{line}");
    assert!(!now.contains('.'), "{line}");
}

/// Issue 6: a refused signature names the secret's variable, and the
/// service's whole string-to-sign is shown only with `-v`.
#[tokio::test(flavor = "multi_thread")]
async fn issue_6_the_string_to_sign_is_shown_only_with_v() {
    let cloud = Cloud::start().await;
    for verbose in [false, true] {
        let mut args = vec!["plan", "tasks.yaml"];
        if verbose {
            args.insert(1, "-v");
        }
        let test = cloud
            .point(workspace(FIXTURE).args(args))
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "not-the-secret-at-all");
        let output = crate::common::cloud::run(test).await;
        output.assert_code(1);
        assert_contains(&output.stderr, "SignatureDoesNotMatch");
        assert_contains(&output.stderr, "`ALIBABA_CLOUD_ACCESS_KEY_SECRET`");
        let shown = output.stderr.contains("POST&%2F&AccessKeyId%3D");
        assert_eq!(shown, verbose, "{}", output.stderr);
        if !verbose {
            assert_contains(&output.stderr, "run again with `-v`");
        }
        assert!(!output.stderr.contains("not-the-secret-at-all"));
    }
}
