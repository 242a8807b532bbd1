//! `aicall validate` and `aicall schema` through the real binary: one
//! snapshot per file of `tests/fixtures/invalid/`, the examples, discovery
//! of files, exit codes, JSON output, the committed schema, and a property
//! test that no input makes the loader panic or point outside the file.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

use aicall::diag::{Code, Stage};

use crate::aicall_snapshot;
use crate::common::harness::{Test, manifest, repo_root};

/// Every file of `tests/fixtures/invalid/` exits 1 and names file, line and
/// column; the snapshot pins the whole message.
#[test]
fn invalid_fixtures() {
    insta::glob!("../fixtures/invalid", "*.yaml", |path| {
        let name = path.file_name().unwrap().to_str().unwrap();
        let relative = format!("tests/fixtures/invalid/{name}");
        let output = Test::new()
            .args(["validate", &relative])
            .current_dir(repo_root())
            .run();
        output.assert_code(1);
        let located = format!("--> {relative}:");
        assert!(
            output.stderr.lines().any(|line| {
                line.trim_start()
                    .strip_prefix(&located)
                    .is_some_and(|rest| {
                        let mut parts = rest.split(':');
                        let numeric = |p: Option<&str>| p.is_some_and(|p| p.parse::<u32>().is_ok());
                        numeric(parts.next()) && numeric(parts.next())
                    })
            }),
            "{relative} does not name file:line:column\n{}",
            output.stderr
        );
        aicall_snapshot!(output);
    });
}

/// The same problems for programs: one JSON array on stdout.
#[test]
fn invalid_fixtures_as_json() {
    let output = Test::new()
        .args(["validate", "--format", "json", "tests/fixtures/invalid"])
        .current_dir(repo_root())
        .run();
    output.assert_code(1);
    assert_eq!(output.stderr, "");
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let items = json.as_array().unwrap();
    for item in items {
        for key in ["file", "line", "column", "code", "message", "severity"] {
            assert!(item.get(key).is_some(), "{key} missing in {item}");
        }
    }
    let codes: std::collections::BTreeSet<&str> = items
        .iter()
        .map(|item| item["code"].as_str().unwrap())
        .collect();
    // Every class of mistake `validate` finds has a fixture.
    let validation_codes = Code::ALL
        .iter()
        .filter(|code| code.stage() == Stage::Validate);
    for code in validation_codes.map(|code| code.as_str()) {
        if [
            Code::Read,
            // Git stores neither FIFOs nor (portably) broken links:
            // `inputs.rs` makes them.
            Code::NotAFile,
            Code::BrokenLink,
            Code::TooLarge,
            Code::TooDeep,
            Code::UpdateLimit,
            Code::InvalidName,
            // A warning: fixtures exit 1; `inputs.rs` covers it.
            Code::LookalikeName,
        ]
        .iter()
        .any(|exempt| exempt.as_str() == code)
            && !codes.contains(code)
        {
            continue;
        }
        assert!(codes.contains(code), "no fixture produces `{code}`");
    }
    aicall_snapshot!(output);
}

#[test]
fn examples_are_valid() {
    let output = Test::new()
        .args(["validate", "examples/"])
        .current_dir(repo_root())
        .run();
    output.assert_code(0);
    aicall_snapshot!(output);
}

#[test]
fn directories_mean_every_yaml_below_sorted_hidden_skipped() {
    let output = Test::new()
        .write("b.yaml", manifest("b").replace("MONDAY", "MONDAI"))
        .write("a.yml", manifest("a").replace("09:00", "9:00"))
        .write(
            "sub/c.YAML",
            manifest("c").replace("start: immediate", "start: now"),
        )
        .write(".hidden/x.yaml", "not: [valid")
        .write(".hidden.yaml", "not: [valid")
        .write("notes.txt", "not: [valid")
        .args(["validate", "--format", "json"])
        .run();
    output.assert_code(1);
    let json: serde_json::Value = serde_json::from_str(&output.stdout).unwrap();
    let files: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["file"].as_str().unwrap())
        .collect();
    assert_eq!(files, ["a.yml", "b.yaml", "sub/c.YAML"]);
}

#[test]
fn valid_manifests_say_so_on_stdout() {
    let output = Test::new()
        .write("one.yaml", manifest("one"))
        .write("dir/two.yaml", manifest("two"))
        .args(["validate", "one.yaml", "dir"])
        .run();
    aicall_snapshot!(output, @r"
    exit: 0
    ----- stdout -----
    2 tasks in 2 files valid
    ----- stderr -----
    ");
}

#[test]
fn a_file_named_twice_is_read_once() {
    Test::new()
        .write("dir/one.yaml", manifest("one"))
        .args(["validate", "dir", "dir/one.yaml", "./dir/one.yaml"])
        .run()
        .assert_code(0);
}

#[test]
fn a_path_that_does_not_exist_is_a_usage_error() {
    let output = Test::new()
        .write("one.yaml", manifest("one"))
        .args(["validate", "one.yaml", "nope.yaml"])
        .run();
    aicall_snapshot!(output, @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: `nope.yaml` does not exist
    ");
}

#[test]
fn a_directory_without_manifests_is_a_usage_error() {
    let output = Test::new()
        .write("empty/README.md", "# nothing here\n")
        .write("empty/.hidden.yaml", manifest("hidden"))
        .args(["validate", "empty"])
        .run();
    aicall_snapshot!(output, @r"
    exit: 2
    ----- stdout -----
    ----- stderr -----
    error: no manifests (`*.yaml`, `*.yml`) in `empty`
    ");
}

#[test]
fn no_path_means_the_current_directory() {
    let output = Test::new()
        .write(
            "project/tasks.yaml",
            manifest("x").replace("MONDAY", "monday"),
        )
        .current_dir("project")
        .arg("validate")
        .run();
    output.assert_code(1);
    assert!(
        output.stderr.contains("--> tasks.yaml:5:14"),
        "{}",
        output.stderr
    );
}

#[test]
fn dash_reads_standard_input() {
    let output = Test::new()
        .args(["validate", "-"])
        .stdin(manifest("from-stdin").replace("0327121220001\"", "0327121220001 \""))
        .run();
    aicall_snapshot!(output, @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error[padded-id]: `virtualNumber` has white space around it: `0327121220001 `
     --> <stdin>:4:18
      |
    4 |   virtualNumber: "0327121220001 "
      |                  ^^^^^^^^^^^^^^^^
      = help: remove the white space: virtualNumber: "0327121220001"

    error: 1 problem in 1 file
    "#);
}

#[test]
fn names_must_be_unique_across_files() {
    let output = Test::new()
        .write("a.yaml", manifest("续费提醒"))
        .write("b.yaml", manifest("续费提醒"))
        .args(["validate", "a.yaml", "b.yaml"])
        .run();
    aicall_snapshot!(output, @r"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error[duplicate-name]: task name `续费提醒` is used by two tasks
     --> b.yaml:9:11
      |
    9 |   - name: 续费提醒
      |           ^^^^^^^^ used again here
      |
     ::: a.yaml:9:11
      |
    9 |   - name: 续费提醒
      |           -------- first used here
      = help: task names are the identity of tasks in the account: rename one

    error: 1 problem in 1 file
    ");
}

#[test]
fn interpolated_values_are_checked_and_shown_as_substituted() {
    let text = manifest("${TASK_PREFIX}-x")
        .replace("\"118012345678901234\"", "${AGENT_ID}")
        .replace("[MONDAY]", "[\"${DAY}\"]");
    let output = Test::new()
        .write("m.yaml", text)
        .env("TASK_PREFIX", "renewal")
        .env("AGENT_ID", "118012345678901234")
        .env("DAY", "FUNDAY")
        .args(["validate", "m.yaml"])
        .run();
    aicall_snapshot!(output, @r#"
    exit: 1
    ----- stdout -----
    ----- stderr -----
    error[enum]: `callDays` must be `MONDAY`, `TUESDAY`, `WEDNESDAY`, `THURSDAY`, `FRIDAY`, `SATURDAY`, or `SUNDAY`, found `FUNDAY`
     --> m.yaml:5:14
      |
    5 |   callDays: ["${DAY}"]
      |              ^^^^^^^^
      = help: did you mean `SUNDAY`?

    error: 1 problem in 1 file
    "#);
}

#[test]
fn warnings_alone_keep_the_exit_code_zero() {
    let text = manifest(" padded ").replace(
        "start: immediate",
        "start: immediate\n  retry: { reasons: [NO_ANSWER], times: 1, intervalMinutes: 480 }",
    );
    let output = Test::new()
        .write(
            "m.yaml",
            text.replace("name:  padded ", "name: \" padded \""),
        )
        .args(["validate", "m.yaml"])
        .run();
    aicall_snapshot!(output, @r#"
    exit: 0
    ----- stdout -----
    1 task in 1 file valid
    ----- stderr -----
    warning[update-limit]: `retry.intervalMinutes` is 480: valid when creating, but above the 120 that UpdateAiCallTask accepts
     --> m.yaml:8:61
      |
    8 |   retry: { reasons: [NO_ANSWER], times: 1, intervalMinutes: 480 }
      |                                                             ^^^ UpdateAiCallTask accepts at most 120
      = help: a task created with more than 120 could never be updated later

    warning[invalid-name]: task name ` padded ` starts or ends with white space
      --> m.yaml:10:11
       |
    10 |   - name: " padded "
       |           ^^^^^^^^^^
       = help: the API keeps the spaces; if unintended, write `padded`

    warning: 2 problems in 1 file
    "#);
}

#[test]
fn the_binary_runs_with_home_in_the_temp_dir_and_no_inherited_variables() {
    let days =
        r#"["${HOME}", "${ALIBABA_CLOUD_PROFILE:-NO_PROFILE}", "${AICALL_COLOR:-NO_COLOR}"]"#;
    let output = Test::new()
        .write("m.yaml", manifest("env").replace("[MONDAY]", days))
        .args(["validate", "--format", "json", "m.yaml"])
        .run();
    output.assert_code(1);
    let json: serde_json::Value = serde_json::from_str(&output.filtered(&output.stdout)).unwrap();
    let found: Vec<&str> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|item| {
            item["message"]
                .as_str()
                .unwrap()
                .rsplit("found ")
                .next()
                .unwrap()
        })
        .collect();
    assert_eq!(found, ["`[TEMP]`", "`NO_PROFILE`", "`NO_COLOR`"]);
}

// ---------------------------------------------------------------------------
// The schema

const SCHEMA_PATH: &str = "schemas/aicall-manifest.schema.json";

#[test]
fn committed_schema_is_up_to_date() {
    let committed = std::fs::read_to_string(repo_root().join(SCHEMA_PATH)).unwrap_or_default();
    let generated = aicall::manifest::schema::manifest_schema_text();
    assert!(
        committed == generated,
        "{SCHEMA_PATH} is out of date; regenerate it with\n\n    \
         cargo run -- schema > {SCHEMA_PATH}\n"
    );
    let output = Test::new().arg("schema").run();
    output.assert_code(0);
    assert_eq!(output.stdout, generated);
}

#[test]
fn the_plan_schema_is_the_committed_one() {
    let output = Test::new().args(["schema", "plan"]).run();
    output.assert_code(0);
    assert_eq!(
        output.stdout,
        std::fs::read_to_string(repo_root().join("schemas/aicall-plan.schema.json")).unwrap()
    );
}

fn schema_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(repo_root().join(SCHEMA_PATH)).unwrap())
            .unwrap();
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&schema)
        .unwrap()
}

/// Every document of a YAML file as JSON, read by an independent YAML
/// reader (serde-saphyr), so the check does not trust our own tree.
fn documents(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_multiple::<serde_json::Value>(&text).unwrap()
}

fn files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo_root().join(dir))
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_example_validates_against_the_schema() {
    let validator = schema_validator();
    let examples = files("examples");
    assert!(examples.len() >= 3);
    for path in examples {
        for document in documents(&path) {
            let errors: Vec<String> = validator
                .iter_errors(&document)
                .map(|e| format!("{} at {}", e, e.instance_path()))
                .collect();
            assert!(errors.is_empty(), "{}: {errors:#?}", path.display());
        }
    }
}

#[test]
fn the_schema_rejects_what_validate_rejects() {
    let validator = schema_validator();
    for fixture in [
        "unquoted-id",
        "range",
        "enum",
        "unknown-key",
        "time-format",
        "naive-datetime",
        "duplicate",
        "version",
        "padded-id",
    ] {
        let path = repo_root().join(format!("tests/fixtures/invalid/{fixture}.yaml"));
        let rejected = documents(&path)
            .iter()
            .any(|document| !validator.is_valid(document));
        assert!(rejected, "the schema accepts {fixture}.yaml");
    }
}

// ---------------------------------------------------------------------------
// No input panics the loader; every position it reports is in the file.

fn example_texts() -> Vec<String> {
    files("examples")
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect()
}

fn check_positions(text: &str) {
    let loaded = aicall::manifest::load_texts(vec![("p.yaml".into(), text.to_owned())], &|name| {
        (name == "SET").then(|| "value".to_owned())
    });
    assert!(
        !loaded.tasks.is_empty() || !loaded.diagnostics.is_empty(),
        "neither tasks nor diagnostics for {text:?}"
    );
    let file = loaded.sources.get(aicall::diag::FileId(0)).unwrap();
    let spans = loaded.diagnostics.iter().flat_map(|d| {
        d.span
            .into_iter()
            .chain(d.related.iter().map(|related| related.span))
    });
    for span in spans {
        let line = file.line(span.line);
        assert!(line.is_some(), "line {} outside {text:?}", span.line);
        let width = line.unwrap().chars().count() as u32 + 1;
        assert!(
            span.column >= 1 && span.column <= width,
            "column {} outside line {} of {text:?}",
            span.column,
            span.line
        );
        assert!(text.is_char_boundary(span.offset) && span.end() <= text.len());
    }
    // Rendering must not panic either.
    let _ = aicall::render::diagnostics::render_text(
        &loaded.diagnostics,
        &loaded.sources,
        aicall::render::style::Style::plain(),
    );
}

/// A mutation of a text: delete, insert, duplicate or swap lines.
#[derive(Debug, Clone)]
enum Mutation {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: String },
    DuplicateLine { line: usize },
    SwapLines { a: usize, b: usize },
}

fn apply(text: &str, mutation: &Mutation) -> String {
    let boundary = |at: usize| {
        let mut at = at % (text.len() + 1);
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        at
    };
    match mutation {
        Mutation::Delete { at, len } => {
            let start = boundary(*at);
            let end = boundary(start + len);
            format!("{}{}", &text[..start], &text[end.max(start)..])
        }
        Mutation::Insert { at, text: insert } => {
            let at = boundary(*at);
            format!("{}{insert}{}", &text[..at], &text[at..])
        }
        Mutation::DuplicateLine { line } => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let i = line % lines.len();
                lines.insert(i, lines[i]);
            }
            lines.join("\n")
        }
        Mutation::SwapLines { a, b } => {
            let mut lines: Vec<&str> = text.lines().collect();
            if !lines.is_empty() {
                let (a, b) = (a % lines.len(), b % lines.len());
                lines.swap(a, b);
            }
            lines.join("\n")
        }
    }
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let snippet = prop_oneof![
        Just("&a ".to_owned()),
        Just("*a".to_owned()),
        Just("<<: *a\n".to_owned()),
        Just("${SET}".to_owned()),
        Just("${UNSET".to_owned()),
        Just("\t".to_owned()),
        Just("---\n".to_owned()),
        Just("续费".to_owned()),
        Just("!!str ".to_owned()),
        Just("- ".to_owned()),
        Just(": ".to_owned()),
        "[ -~]{0,8}",
    ];
    prop_oneof![
        (any::<usize>(), 0usize..40).prop_map(|(at, len)| Mutation::Delete { at, len }),
        (any::<usize>(), snippet).prop_map(|(at, text)| Mutation::Insert { at, text }),
        any::<usize>().prop_map(|line| Mutation::DuplicateLine { line }),
        (any::<usize>(), any::<usize>()).prop_map(|(a, b)| Mutation::SwapLines { a, b }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_positions(&String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn yaml_ish_text_never_panics(text in "([a-zA-Z0-9_]{0,6}|[:\\-\\[\\]{},&*!|>'\"#%@` \t]|\n|  |---|\\$\\{|续){0,80}") {
        check_positions(&text);
    }

    #[test]
    fn mutated_examples_never_panic(
        example in any::<prop::sample::Index>(),
        mutations in proptest::collection::vec(mutation(), 1..6),
    ) {
        let examples = example_texts();
        let mut text = examples[example.index(examples.len())].clone();
        for mutation in &mutations {
            text = apply(&text, mutation);
        }
        check_positions(&text);
    }
}

/// Every stable code is documented, and nothing documented is made up: the
/// tables of `docs/manifest.md` list exactly `Code::ALL`, in order, each
/// under its stage's heading, with the registry's severities and meaning.
#[test]
fn every_diagnostic_code_is_documented() {
    let docs = std::fs::read_to_string(repo_root().join("docs/manifest.md")).unwrap();
    let section = docs.split("## Diagnostic codes").nth(1).unwrap();
    let mut stage = String::new();
    let mut documented: Vec<[String; 4]> = Vec::new();
    for line in section.lines().take_while(|line| !line.starts_with("## ")) {
        if let Some(heading) = line.strip_prefix("### ") {
            stage = heading.to_lowercase();
        } else if let Some(row) = line.strip_prefix("| `") {
            let cells: Vec<&str> = row.trim_end_matches(" |").split(" | ").collect();
            let [code, severity, meaning] = cells.as_slice() else {
                panic!("a row of the table of codes is not code | severity | meaning: {line}");
            };
            let code = code.strip_suffix('`').unwrap_or(code);
            documented.push([code, &stage, severity, meaning].map(str::to_owned));
        }
    }
    let registry: Vec<[String; 4]> = Code::ALL
        .iter()
        .map(|code| {
            let severities: Vec<&str> = code.severities().iter().map(|s| s.as_str()).collect();
            [
                code.as_str().to_owned(),
                code.stage().as_str().to_owned(),
                severities.join(" / "),
                code.meaning().to_owned(),
            ]
        })
        .collect();
    let codes = |rows: &[[String; 4]]| rows.iter().map(|row| row[0].clone()).collect::<Vec<_>>();
    assert_eq!(codes(&documented), codes(&registry));
    assert_eq!(documented, registry);
}
