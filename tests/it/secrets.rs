//! Issue 7, "Secrets stay secret": a credential never reaches anything
//! aicall prints, whichever way it came in: through `${VAR}` in a
//! manifest, as text that happens to hold a loaded secret, inside an
//! endpoint URL, pasted into the wrong key of a credentials file, or
//! echoed back by the service. Each test failed before its fix.

use crate::common::cloud::{self, Cloud, SECRET};
use crate::common::harness::{Test, assert_contains, workspace};
use crate::{aicall_snapshot, cloud_snapshot};

/// An AccessKey secret's shape, 30 letters and digits as the console
/// issues them, yet plainly fake so no secret scanner takes it for one.
/// Not the emulator's, so a leak of it is a leak of its own.
const PASTED: &str = "FAKE0secret0FAKE0secret0FAKE00";

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
    let manifest =
        || workspace(INTERPOLATES_CREDENTIALS).env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", SECRET);

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
            .run(workspace(INTERPOLATES_CREDENTIALS).args([
                "plan",
                "--format",
                format,
                "tasks.yaml",
            ]))
            .await;
        plan.assert_code(1);
        assert_contains(&plan.stderr, "error[secret-variable]");
    }
    let apply = cloud
        .run(workspace(INTERPOLATES_CREDENTIALS).args(["apply", "--auto-approve", "tasks.yaml"]))
        .await;
    apply.assert_code(1);
    assert!(cloud.records().is_empty(), "{:?}", cloud.records());
}

/// Issue 7: whatever text carries a loaded secret, it is masked before it
/// is printed: here the secret was pasted, literally, as a manifest value,
/// and shows as `****` in the plan's text, Markdown and JSON.
#[tokio::test(flavor = "multi_thread")]
async fn issue_7_printed_lines_are_scrubbed_of_the_loaded_secret() {
    let manifest = format!(
        r#"
        version: 1
        tasks:
          - name: renewals
            agentId: "118012345678901234"
            virtualNumber: "{SECRET}"
            callDays: [MONDAY]
            callWindows: [{{ start: "09:00", end: "12:00" }}]
            start: immediate
        "#
    );
    let cloud = Cloud::start().await;
    for format in ["text", "json", "markdown"] {
        // `cloud.run` fails the test if the secret is anywhere in the output.
        let plan = cloud
            .run(workspace(&manifest).args(["plan", "--format", format, "tasks.yaml"]))
            .await;
        plan.assert_code(0);
        assert_contains(&plan.stdout, "****");
    }
}

/// Issue 7: only whole occurrences of a secret long enough to be one are
/// masked. A one-character secret used to turn every `s` of the service's
/// message into `****`, so that even the string-to-sign was no longer
/// recognised and was printed, mangled, in the message.
#[tokio::test(flavor = "multi_thread")]
async fn issue_7_a_short_secret_does_not_mangle_what_is_printed() {
    let cloud = Cloud::start().await;
    let output = cloud::run(
        cloud
            .point(workspace(cloud::FIXTURE))
            .env("ALIBABA_CLOUD_ACCESS_KEY_SECRET", "s")
            .args(["plan", "tasks.yaml"]),
    )
    .await;
    output.assert_code(1);
    assert_contains(
        &output.stderr,
        "was refused with `SignatureDoesNotMatch`: Specified signature is not matched with \
         our calculation. (HTTP 400",
    );
    // The string-to-sign was recognised and kept for `-v`, and the only
    // mask is the one of the AccessKey ID in the hint.
    assert_contains(&output.stderr, "run again with `-v`");
    assert_eq!(
        output.stderr.matches("****").count(),
        output.stderr.matches("ID ****0042").count(),
        "{}",
        output.stderr
    );
}

/// Issue 7: an endpoint holding a user name and password, a query or a
/// fragment is refused, from `--endpoint` or `AICALL_ENDPOINT`, and the
/// message shows it with those parts masked. `--help` does not show the
/// variable's value either.
#[test]
fn issue_7_an_endpoint_with_credentials_or_a_query_is_refused_without_echoing_them() {
    for (endpoint, shown) in [
        (
            "http://aicall-user:hunter2-pass@127.0.0.1:8080",
            "http://***@127.0.0.1:8080",
        ),
        (
            "https://hunter2-pass@aiccs.aliyuncs.com",
            "https://***@aiccs.aliyuncs.com",
        ),
        (
            "https://aiccs.aliyuncs.com/?AccessKeySecret=hunter2-pass",
            "https://aiccs.aliyuncs.com/?***",
        ),
        (
            "https://aiccs.aliyuncs.com/#hunter2-pass",
            "https://aiccs.aliyuncs.com/#***",
        ),
        (
            "aicall-user:hunter2-pass@127.0.0.1:8080",
            "***@127.0.0.1:8080",
        ),
    ] {
        let by_flag = workspace(cloud::FIXTURE)
            .args(["plan", "--endpoint", endpoint, "tasks.yaml"])
            .run();
        let by_env = workspace(cloud::FIXTURE)
            .env("AICALL_ENDPOINT", endpoint)
            .args(["apply", "tasks.yaml"])
            .run();
        for output in [by_flag, by_env] {
            output.assert_code(2);
            assert_contains(
                &output.stderr,
                &format!("error: cannot use the endpoint `{shown}`: "),
            );
            for part in ["hunter2", "aicall-user", "AccessKeySecret"] {
                assert!(
                    !output.stderr.contains(part),
                    "{endpoint}: {}",
                    output.stderr
                );
            }
        }
    }
    let output = workspace(cloud::FIXTURE)
        .args([
            "plan",
            "--endpoint",
            "http://user:hunter2-pass@127.0.0.1:8080",
        ])
        .run();
    aicall_snapshot!(output, @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: cannot use the endpoint `http://***@127.0.0.1:[PORT]`: it holds a user name or password (shown as `***`); credentials never go in the URL
    ");

    let help = Test::new()
        .env("AICALL_ENDPOINT", "http://user:hunter2-pass@127.0.0.1:8080")
        .args(["plan", "--help"])
        .run();
    help.assert_code(0);
    assert_contains(&help.stdout, "[env: AICALL_ENDPOINT]");
    assert!(!help.stdout.contains("hunter2"), "{}", help.stdout);
}

/// Issue 7: a secret pasted into a key of `~/.aliyun/config.json` or of
/// the INI file that messages quote (`mode`, `current`, a profile's
/// `name`, `type`) is described by its length, never echoed.
#[test]
fn issue_7_a_secret_in_the_wrong_place_of_a_credentials_file_is_not_echoed() {
    let profile = |name: &str, mode: &str| {
        format!(
            r#"{{"name":"{name}","mode":"{mode}","access_key_id":"TESTexampleKeyId00abcd","access_key_secret":"{SECRET}"}}"#
        )
    };
    let cases = [
        (
            ".aliyun/config.json",
            format!(
                r#"{{"current":"default","profiles":[{}]}}"#,
                profile("default", PASTED)
            ),
            "uses a mode aicall does not know (an unrecognised value of 30 characters)",
        ),
        (
            ".aliyun/config.json",
            format!(
                r#"{{"current":"{PASTED}","profiles":[{},{}]}}"#,
                profile("default", "AK"),
                profile(&format!("{PASTED}x"), "AK")
            ),
            "no profile named by `current` (an unrecognised value of 30 characters; it has \
             `default` and 1 unrecognised name)",
        ),
        (
            ".alibabacloud/credentials.ini",
            format!(
                "[default]\ntype = {PASTED}\naccess_key_id = TESTexampleKeyId00abcd\n\
                 access_key_secret = {SECRET}\n"
            ),
            "has a type aicall does not know (an unrecognised value of 30 characters)",
        ),
    ];
    for (file, text, said) in cases {
        let output = workspace(cloud::FIXTURE)
            .write(file, &text)
            .env("AICALL_ENDPOINT", "http://127.0.0.1:9")
            .args(["plan", "tasks.yaml"])
            .run();
        output.assert_code(1);
        assert_contains(&output.stderr, said);
        assert!(!output.stderr.contains(PASTED), "{}", output.stderr);
        cloud::assert_no_secret(&output);
    }
}

/// Issue 7: the service's messages that echo the AccessKey ID
/// (`InvalidAccessKeyId.NotFound`, as the real gateway words it) show at
/// most its last four characters, like every other message.
#[tokio::test(flavor = "multi_thread")]
async fn issue_7_service_messages_mask_the_access_key_id() {
    const UNKNOWN: &str = "TESTunknownKey7f3e9abcd";
    let cloud = Cloud::start().await;
    for verbose in [false, true] {
        let mut args = vec!["plan", "tasks.yaml"];
        if verbose {
            args.insert(1, "-v");
        }
        let output = cloud::run(
            cloud
                .point(workspace(cloud::FIXTURE))
                .env("ALIBABA_CLOUD_ACCESS_KEY_ID", UNKNOWN)
                .args(args),
        )
        .await;
        output.assert_code(1);
        assert_contains(&output.stderr, "InvalidAccessKeyId.NotFound");
        assert_contains(&output.stderr, "the AccessKeyId `****abcd` is not found");
        assert!(!output.stderr.contains(UNKNOWN), "{}", output.stderr);
        // (Every run through `cloud::run` also checks that the emulator's
        // own key ID is never printed whole.)
        if !verbose {
            cloud_snapshot!(output);
        }
    }
}

/// Where in `text` a run shaped like a real AccessKey ID stands: the prefix
/// the console gives every ID, then 12 or more letters and digits.
fn real_looking_key_id(text: &str) -> Option<&str> {
    // Spelt in two halves, so this file does not hold what it looks for.
    let prefix = concat!("LT", "AI");
    text.match_indices(prefix).find_map(|(at, _)| {
        let tail = &text[at + prefix.len()..];
        let run = tail.len()
            - tail
                .trim_start_matches(|c: char| c.is_ascii_alphanumeric())
                .len();
        (run >= 12).then(|| &text[at..at + prefix.len() + run])
    })
}

/// Test keys are plainly fake: an ID shaped like a real one trips secret
/// scanners on every clone and teaches readers to paste real ones.
#[test]
fn no_committed_file_holds_a_real_looking_access_key_id() {
    let sample = format!("id {}abcdefgh1234 x", concat!("LT", "AI"));
    assert_eq!(real_looking_key_id(&sample), Some(&sample[3..19]));
    assert_eq!(real_looking_key_id("real IDs start with `LTAI`"), None);
    let root = crate::common::harness::repo_root();
    let mut stack: Vec<_> = [
        "src", "tests", "benches", "examples", "docs", "schemas", ".ci",
    ]
    .iter()
    .map(|dir| root.join(dir))
    .chain([root.join("README.md"), root.join("action.yml")])
    .collect();
    let mut found = Vec::new();
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            stack.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
        } else if let Ok(text) = std::fs::read_to_string(&path)
            && let Some(id) = real_looking_key_id(&text)
        {
            found.push(format!("{}: {id}", path.display()));
        }
    }
    assert!(
        found.is_empty(),
        "replace with a plainly fake ID:\n{}",
        found.join("\n")
    );
}
