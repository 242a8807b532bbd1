//! Helpers for the validation tests: a valid document header, and an
//! assertion of exact codes and positions.

use crate::manifest::load::{Loaded, load_texts};

/// The header of a valid document; tests append tasks or override.
pub(super) const HEAD: &str = "version: 1
defaults:
  agentId: \"118012345678901234\"
  virtualNumber: \"0327121220001\"
  callDays: [MONDAY]
  callWindows: [{ start: \"09:00\", end: \"12:00\" }]
  start: immediate
tasks:
";

fn env(name: &str) -> Option<String> {
    match name {
        "CPS" => Some("40".to_owned()),
        "AGENT" => Some("0011".to_owned()),
        _ => None,
    }
}

pub(super) fn load(text: &str) -> Loaded {
    load_texts(vec![("t.yaml".into(), text.to_owned())], &env)
}

/// Asserts the exact diagnostics: code, line, column, length.
#[track_caller]
pub(super) fn problems(text: &str, expected: &[(&str, u32, u32, usize)]) {
    let loaded = load(text);
    let actual: Vec<(&str, u32, u32, usize)> = loaded
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.span.unwrap_or_default();
            (d.code(), span.line, span.column, span.len)
        })
        .collect();
    assert_eq!(actual, expected, "{:#?}", loaded.diagnostics);
}

pub(super) fn task(fields: &str) -> String {
    format!("{HEAD}  - name: t\n{fields}")
}
