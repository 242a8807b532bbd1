//! Issue 7, "no input hangs or wedges a run": inputs that hung aicall,
//! refused a whole directory, never converged, or were read wrongly. Each
//! test failed before its fix; each runs the real binary.
//!
//! Files that are not regular files and broken links (discovery), names
//! too long for a request (offline, and never "outcome unknown"), long
//! values shortened in output, the edges of the API's date range, leap
//! seconds, and names that look alike but differ as written.

use std::time::Duration;

use crate::aicall_snapshot;
use crate::common::cloud::Cloud;
use crate::common::harness::{Output, Test, assert_contains, manifest, workspace};

/// A run that hangs is killed after this and fails. It is generous: the
/// runs below take well under a second.
const WATCHDOG: Duration = Duration::from_secs(60);

/// A manifest whose only task starts at `at`.
fn starting_at(at: &str) -> String {
    manifest("scheduled").replace("start: immediate", &format!("start: {{ at: \"{at}\" }}"))
}

/// The longest line of `text`, in characters.
fn longest_line(text: &str) -> usize {
    text.lines()
        .map(|line| line.chars().count())
        .max()
        .unwrap_or(0)
}

/// The codes of a `--format json` validation, with their files.
fn codes(output: &Output) -> Vec<(String, String)> {
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|item| {
            (
                item["file"].as_str().unwrap().to_owned(),
                item["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------
// No input hangs or wedges a run

/// Issue 7: a FIFO named `*.yaml` in a manifest directory hung validate,
/// plan and apply forever (opening it waits for a writer). It is reported,
/// never opened, and the rest is checked; named on the command line too.
#[cfg(unix)]
#[test]
fn issue_7_a_fifo_is_reported_and_never_opened() {
    let test = Test::new()
        .write("manifests/a.yaml", manifest("a"))
        .mkdir("manifests/sub");
    let made = std::process::Command::new("mkfifo")
        .arg(test.path().join("manifests/sub/pipe.yaml"))
        .status()
        .unwrap();
    assert!(made.success(), "mkfifo failed");

    let output = Test::new()
        .current_dir(test.path())
        .args(["validate", "manifests"])
        .run_within(WATCHDOG);
    aicall_snapshot!(output, @r"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error[not-a-file]: the path is a FIFO (named pipe), not a regular file: skipped
     --> manifests/sub/pipe.yaml:1:1
      = help: manifests are read from regular files; to read from a pipe, give `-` and redirect the pipe to standard input

    error: 1 problem in 1 file
    ");

    for args in [
        vec!["validate", "manifests/sub/pipe.yaml", "manifests/a.yaml"],
        vec!["plan", "--local", "manifests"],
        vec!["apply", "--local", "--auto-approve", "manifests"],
    ] {
        let output = Test::new()
            .current_dir(test.path())
            .args(&args)
            .run_within(WATCHDOG);
        output.assert_code(1);
        assert_contains(&output.stderr, "error[not-a-file]");
        assert!(
            !output.stdout.contains("created"),
            "{args:?}: {}",
            output.stdout
        );
    }
}

/// Issue 7: one dangling or looping symbolic link inside a directory
/// refused the whole directory (exit 2, "cannot list"). Each broken link
/// named like a manifest is an error on that entry, a link back to an
/// enclosing directory a warning, and everything else is still checked
/// (exit 1).
#[cfg(unix)]
#[test]
fn issue_7_a_broken_link_is_one_diagnostic_and_the_rest_is_checked() {
    use std::os::unix::fs::symlink;

    let test = Test::new()
        .write("m/a.yaml", manifest("a"))
        .write("m/sub/b.yaml", manifest("b").replace("MONDAY", "MONDAI"));
    let dir = test.path().join("m");
    symlink("gone.yaml", dir.join("dangling.yaml")).unwrap();
    symlink("self.yaml", dir.join("self.yaml")).unwrap();
    symlink("..", dir.join("sub/up")).unwrap();
    // A broken link that could never be a manifest is no concern of ours.
    symlink("gone.txt", dir.join("notes.txt")).unwrap();

    let output = Test::new()
        .current_dir(test.path())
        .args(["validate", "m"])
        .run_within(WATCHDOG);
    aicall_snapshot!(output, @r"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error[broken-link]: the path is a symbolic link to `gone.yaml`, which does not exist: skipped
     --> m/dangling.yaml:1:1
      = help: remove the link, or restore what it points to

    error[broken-link]: the path is a symbolic link that leads back to itself: skipped
     --> m/self.yaml:1:1
      = help: remove the link, or point it at a file

    error[enum]: `callDays` must be `MONDAY`, `TUESDAY`, `WEDNESDAY`, `THURSDAY`, `FRIDAY`, `SATURDAY`, or `SUNDAY`, found `MONDAI`
     --> m/sub/b.yaml:5:14
      |
    5 |   callDays: [MONDAI]
      |              ^^^^^^
      = help: did you mean `MONDAY`?

    warning[broken-link]: the path is a symbolic link to `..`, a directory that contains it: skipped
     --> m/sub/up:1:1
      = help: remove the link: what it points to is read already

    error: 4 problems in 4 files
    ");

    // Named on the command line, a dangling link is the same diagnostic,
    // not "does not exist".
    let output = Test::new()
        .current_dir(test.path())
        .args([
            "validate",
            "--format",
            "json",
            "m/dangling.yaml",
            "m/a.yaml",
        ])
        .run_within(WATCHDOG);
    output.assert_code(1);
    assert_eq!(
        codes(&output),
        [("m/dangling.yaml".to_owned(), "broken-link".to_owned())]
    );
}

/// The longest task name aicall accepts, in characters.
const NAME_LIMIT: usize = 128;

/// Issue 7: a task name of 1 MiB made the client fail locally ("not a
/// valid Uri"), was reported as "outcome unknown" on every run, never
/// converged, and printed 4 MB. Names have a maximum length, checked
/// offline: `validate` refuses it, and `apply` sends nothing.
#[tokio::test(flavor = "multi_thread")]
async fn issue_7_a_name_longer_than_the_limit_is_refused_offline() {
    let long = "续".repeat(1 << 20);
    let output = workspace(&manifest(&long))
        .args(["validate", "--format", "json", "tasks.yaml"])
        .run();
    output.assert_code(1);
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let item = &json[0];
    assert_eq!(item["code"], "name-too-long");
    assert_eq!((&item["line"], &item["column"]), (&9.into(), &11.into()));
    let message = item["message"].as_str().unwrap();
    assert!(message.chars().count() < 400, "{message}");
    assert!(
        message.ends_with("is 1048576 characters long; aicall accepts at most 128"),
        "{message}"
    );

    // The limit itself is fine; one more is not.
    let at_limit = workspace(&manifest(&"n".repeat(NAME_LIMIT)))
        .args(["validate", "tasks.yaml"])
        .run();
    at_limit.assert_code(0);
    let over = workspace(&manifest(&"n".repeat(NAME_LIMIT + 1)))
        .args(["validate", "tasks.yaml"])
        .run();
    over.assert_code(1);
    assert_contains(&over.stderr, "error[name-too-long]");

    let cloud = Cloud::start().await;
    let apply = cloud
        .run(workspace(&manifest(&long)).args(["apply", "--auto-approve", "tasks.yaml"]))
        .await;
    apply.assert_code(1);
    assert_contains(&apply.stderr, "error[name-too-long]");
    assert!(!apply.stdout.contains("unknown"), "{}", apply.stdout);
    assert_eq!(cloud.stats().requests, 0, "a request was sent");
}

/// Issue 7: a request the client could not even build (here: a value so
/// long that the URL is invalid) never left the process, so it is a
/// definite failure, never "outcome unknown".
#[tokio::test(flavor = "multi_thread")]
async fn issue_7_a_request_that_was_never_sent_is_never_outcome_unknown() {
    let cloud = Cloud::start().await;
    let huge = "7".repeat(1 << 20);
    let text = manifest("huge-number").replace("0327121220001", &huge);
    let apply = cloud
        .run(workspace(&text).args(["apply", "--auto-approve", "tasks.yaml"]))
        .await;
    apply.assert_code(1);
    assert_contains(
        &apply.stdout,
        "! failed huge-number: create failed: `CreateAiCallTask` was not sent",
    );
    assert!(!apply.stdout.contains("unknown"), "{}", apply.stdout);
    assert_contains(&apply.stdout, "Apply incomplete: 0 created, 1 failed.");
    assert_eq!(cloud.creates_received(), 0);
}

/// Issue 7: long values are shortened in output, to a bounded width with
/// an ellipsis, keeping both ends: in the plan (text and Markdown) and in
/// diagnostics' messages (the source line under them stays whole, for the
/// underline).
#[tokio::test(flavor = "multi_thread")]
async fn issue_7_long_values_are_shortened_in_output() {
    let cloud = Cloud::start().await;
    let number = format!("0{}9", "5".repeat(10_000));
    let text = manifest("long-number").replace("0327121220001", &number);
    for format in ["text", "markdown"] {
        let plan = cloud
            .run(workspace(&text).args(["plan", "--format", format, "tasks.yaml"]))
            .await;
        plan.assert_code(0);
        assert!(longest_line(&plan.stdout) < 400, "{}", plan.stdout);
        assert_contains(&plan.stdout, "0555");
        assert_contains(&plan.stdout, "…");
        assert_contains(&plan.stdout, "5559");
    }

    let padded = manifest("padded").replace("\"0327121220001\"", &format!("\" {number}\""));
    let output = workspace(&padded)
        .args(["validate", "--format", "json", "tasks.yaml"])
        .run();
    output.assert_code(1);
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    for key in ["message", "help"] {
        let text = json[0][key].as_str().unwrap();
        assert!(text.chars().count() < 400, "{key}: {text}");
        assert!(text.contains('…'), "{key}: {text}");
    }
}

// ---------------------------------------------------------------------------
// Dates

/// Issue 7: the API counts TaskStartTime up to 253402300799999 ms
/// (`9999-12-31T23:59:59.999Z`); the last second and millisecond were
/// refused as "not an RFC 3339 date-time", and the same instant written
/// in `+01:00` was told it has no offset. The whole range is valid, its
/// edges render, and a plan carrying them is applied as planned.
#[tokio::test(flavor = "multi_thread")]
async fn issue_7_the_whole_range_of_the_api_is_valid() {
    for at in [
        "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59.999Z",
        "9999-12-31T23:59:59+01:00",
        "9999-12-31T23:59:59.999+00:00",
        "1970-01-01T00:00:00Z",
        "1970-01-01T08:00:00+08:00",
    ] {
        let output = workspace(&starting_at(at))
            .args(["validate", "tasks.yaml"])
            .run();
        assert_eq!(output.code, 0, "{at}\n{}", output.snapshot());
    }
    for (at, reason) in [
        (
            "9999-12-31T23:59:59.999-00:01",
            "is after `9999-12-31T23:59:59.999Z`, the last instant the API accepts",
        ),
        (
            "1970-01-01T00:59:59.999+01:00",
            "is before `1970-01-01T00:00:00Z`, where the API's milliseconds start",
        ),
    ] {
        let output = workspace(&starting_at(at))
            .args(["validate", "tasks.yaml"])
            .run();
        output.assert_code(1);
        assert_contains(&output.stderr, &format!("`{at}` {reason}"));
    }

    let cloud = Cloud::start().await;
    let ws = workspace(&starting_at("9999-12-31T23:59:59.999Z"));
    let plan = cloud
        .run(
            Test::new()
                .current_dir(ws.path())
                .args(["plan", "--out", "plan.json", "tasks.yaml"]),
        )
        .await;
    plan.assert_code(0);
    assert_contains(
        &plan.stdout,
        "start                 9999-12-31T23:59:59.999Z",
    );
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(ws.path().join("plan.json")).unwrap())
            .unwrap();
    let start = &saved["plan"]["tasks"][0]["desired"]["start"];
    assert_eq!(start["at"], "9999-12-31T23:59:59.999Z", "{start}");
    assert_eq!(start["atMs"], 253_402_300_799_999_i64, "{start}");

    let apply = cloud
        .run(Test::new().current_dir(ws.path()).args([
            "apply",
            "--auto-approve",
            "--plan",
            "plan.json",
        ]))
        .await;
    apply.assert_code(0);
    let tasks = cloud.tasks();
    assert_eq!(tasks[0].config.task_start_time, Some(253_402_300_799_999));

    // Read back from the account, the edge is unchanged, not drift.
    let again = cloud
        .run(
            Test::new()
                .current_dir(ws.path())
                .args(["plan", "--detailed-exitcode", "tasks.yaml"]),
        )
        .await;
    again.assert_code(0);
}

/// Issue 7: `23:59:60Z` and `12:00:60Z` were accepted and silently sent
/// as `:59`. A leap second is refused, saying so.
#[test]
fn issue_7_a_leap_second_is_refused() {
    let text = starting_at("2030-06-30T23:59:60Z")
        + "  - name: noon\n    start: { at: \"2030-01-07T12:00:60+08:00\" }\n";
    let output = workspace(&text).args(["validate", "tasks.yaml"]).run();
    aicall_snapshot!(output, @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error[datetime]: `start.at` is not a usable date-time: `2030-06-30T23:59:60Z` has `60` seconds: a leap second cannot be scheduled
     --> tasks.yaml:7:16
      |
    7 |   start: { at: "2030-06-30T23:59:60Z" }
      |                ^^^^^^^^^^^^^^^^^^^^^^
      = help: the API counts milliseconds without leap seconds: write `59` seconds, or the next minute

    error[datetime]: `start.at` is not a usable date-time: `2030-01-07T12:00:60+08:00` has `60` seconds: a leap second cannot be scheduled
      --> tasks.yaml:11:18
       |
    11 |     start: { at: "2030-01-07T12:00:60+08:00" }
       |                  ^^^^^^^^^^^^^^^^^^^^^^^^^^^
       = help: the API counts milliseconds without leap seconds: write `59` seconds, or the next minute

    error: 2 problems in 1 file
    "#);
}

// ---------------------------------------------------------------------------
// Names

/// Issue 7: names that differ only by Unicode normalisation (NFC vs NFD)
/// or by invisible characters (a zero-width space, a trailing space) are
/// two campaigns that look like one: a warning names both places. Exact
/// duplicates stay an error.
#[test]
fn issue_7_names_that_look_alike_are_warned_about() {
    let output = Test::new()
        .write(
            "a.yaml",
            manifest("\"caf\\u00e9\"") + "  - name: \"renewals\"\n",
        )
        .write(
            "b.yaml",
            manifest("\"cafe\\u0301\"")
                + "  - name: \"re\\u200bnewals\"\n  - name: \"renewals \"\n",
        )
        .args(["validate", "a.yaml", "b.yaml"])
        .run();
    aicall_snapshot!(output, @r#"
    exit: 0
    ----- stdout -----
    5 tasks in 2 files valid
    ----- stderr -----
    warning[lookalike-name]: task name `cafe<U+0301>` looks like `café`: they differ only in Unicode normalisation, so the account would hold two tasks that look like one
     --> b.yaml:9:11
      |
    9 |   - name: "cafe\u0301"
      |           ^^^^^^^^^^^^ looks like another name
      |
     ::: a.yaml:9:11
      |
    9 |   - name: "caf\u00e9"
      |           ----------- the name it looks like
      = help: write both names the same way, or rename one so that they differ visibly

    warning[lookalike-name]: task name `re<U+200B>newals` looks like `renewals`: they differ only in invisible characters, so the account would hold two tasks that look like one
      --> b.yaml:10:11
       |
    10 |   - name: "re\u200bnewals"
       |           ^^^^^^^^^^^^^^^^ looks like another name
       |
      ::: a.yaml:10:11
       |
    10 |   - name: "renewals"
       |           ---------- the name it looks like
       = help: write both names the same way, or rename one so that they differ visibly

    warning[invalid-name]: task name `renewals ` starts or ends with white space
      --> b.yaml:11:11
       |
    11 |   - name: "renewals "
       |           ^^^^^^^^^^^
       = help: the API keeps the spaces; if unintended, write `renewals`

    warning[lookalike-name]: task name `renewals ` looks like `renewals`: they differ only in white space around them, so the account would hold two tasks that look like one
      --> b.yaml:11:11
       |
    11 |   - name: "renewals "
       |           ^^^^^^^^^^^ looks like another name
       |
      ::: a.yaml:10:11
       |
    10 |   - name: "renewals"
       |           ---------- the name it looks like
       = help: write both names the same way, or rename one so that they differ visibly

    warning: 4 problems in 1 file
    "#);
}
