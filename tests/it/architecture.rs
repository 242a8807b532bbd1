//! The layers as `../shared/STYLE.md` draws them, checked on the source
//! itself (issue 6): `api` knows only the wire, `plan` does no I/O,
//! `render` calls no API, the executor emits events and never text, and
//! no source file grows past 600 lines before its tests.
//!
//! The check reads every `use` line and every `crate::` path of each file
//! (its tests included: a test that needs a higher layer belongs higher
//! up), so a forbidden dependency cannot hide in a fully qualified path.

use std::path::{Path, PathBuf};

use crate::common::harness::repo_root;

/// Every `.rs` file below `src/<dir>`.
fn files(dir: &str) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![repo_root().join("src").join(dir)];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out.sort();
    assert!(!out.is_empty(), "no sources below src/{dir}");
    out
}

/// The module paths a file names: `crate::x::y` in `use` lines and in
/// code, with `use crate::{a, b}` groups expanded to their first segment.
fn crate_paths(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.starts_with("//") {
            continue;
        }
        let mut rest = line;
        while let Some(at) = rest.find("crate::") {
            rest = &rest[at + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                let group = group.split('}').next().unwrap_or_default();
                for item in group.split(',') {
                    let first = item.trim().split("::").next().unwrap_or_default();
                    if !first.is_empty() {
                        out.push(first.to_owned());
                    }
                }
            } else {
                let first: String = rest
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                out.push(first);
            }
        }
    }
    out
}

fn relative(path: &Path) -> String {
    path.strip_prefix(repo_root())
        .unwrap()
        .display()
        .to_string()
}

/// Asserts no file below `src/<dir>` names any of `forbidden` modules.
#[track_caller]
fn assert_imports_none(dir: &str, forbidden: &[&str]) {
    let mut found = Vec::new();
    for file in files(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        for module in crate_paths(&text) {
            if forbidden.contains(&module.as_str()) {
                found.push(format!("{} uses crate::{module}", relative(&file)));
            }
        }
    }
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}

/// Asserts no file below `src/<dir>` contains any of `needles` outside
/// comments.
#[track_caller]
fn assert_mentions_none(dir: &str, needles: &[&str]) {
    let mut found = Vec::new();
    for file in files(dir) {
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or_default();
            for needle in needles {
                if code.contains(needle) {
                    found.push(format!("{}:{}: {needle}", relative(&file), number + 1));
                }
            }
        }
    }
    assert!(found.is_empty(), "layering broken:\n{}", found.join("\n"));
}

#[test]
fn api_is_a_leaf_that_knows_only_the_wire() {
    assert_imports_none(
        "api",
        &[
            "manifest", "plan", "render", "commands", "account", "apply", "settings", "cli",
        ],
    );
}

#[test]
fn plan_does_no_io() {
    assert_imports_none(
        "plan",
        &[
            "api", "account", "apply", "render", "commands", "emulator", "settings",
        ],
    );
    assert_mentions_none(
        "plan",
        &[
            "std::fs",
            "std::io",
            "std::net",
            "tokio",
            "reqwest",
            "println!",
            "eprintln!",
            "async fn",
            ".await",
        ],
    );
}

#[test]
fn render_calls_no_api_and_prints_nothing() {
    assert_imports_none("render", &["account", "commands", "emulator", "settings"]);
    assert_mentions_none(
        "render",
        &[
            "Client",
            ".await",
            "async fn",
            "println!",
            "eprintln!",
            "std::io::stdout",
            "std::io::stderr",
            "IsTerminal",
        ],
    );
}

#[test]
fn the_executor_emits_events_never_text() {
    assert_imports_none("apply", &["render", "commands", "manifest", "settings"]);
    assert_mentions_none("apply", &["println!", "eprintln!", "std::io::stdout"]);
}

#[test]
fn manifests_know_nothing_of_plans_or_the_wire() {
    assert_imports_none(
        "manifest",
        &[
            "api", "account", "apply", "plan", "render", "commands", "emulator",
        ],
    );
}

#[test]
fn no_source_file_exceeds_600_lines_before_its_tests() {
    let mut long = Vec::new();
    for file in files("") {
        let text = std::fs::read_to_string(&file).unwrap();
        let before_tests = text
            .lines()
            .take_while(|line| line.trim() != "#[cfg(test)]")
            .count();
        if before_tests > 600 {
            long.push(format!("{}: {before_tests} lines", relative(&file)));
        }
    }
    assert!(long.is_empty(), "split along a seam:\n{}", long.join("\n"));
}

/// The checker itself: a forbidden path is found in every spelling.
#[test]
fn the_path_reader_sees_grouped_and_qualified_paths() {
    let text = "use crate::{manifest::Field, plan};\nlet x = crate::api::Client::new();\n// crate::render in a comment\n";
    assert_eq!(crate_paths(text), ["manifest", "plan", "api"]);
}
