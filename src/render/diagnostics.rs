//! Diagnostics for people (source line, underline, help) and for programs
//! (a JSON array).
//!
//! Underlines are drawn by display width: tabs expand to the next multiple
//! of four, and wide characters (Chinese task names) take two cells, so
//! the carets sit under the text they mean on a terminal. The location in
//! the header stays the character column editors use.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use serde::Serialize;
use unicode_width::UnicodeWidthChar as _;

use crate::diag::{Diagnostic, FileId, Severity, Sources, Span};
use crate::render::style::{Paint, Style};

/// "1 file", "2 files": the one pluralising helper, [`crate::diag::count`],
/// also reachable here, where the commands have always taken it from.
pub use crate::diag::count;

const TAB_STOP: usize = 4;

/// Every diagnostic as text, each followed by a blank line.
pub fn render_text(diagnostics: &[Diagnostic], sources: &Sources, style: Style) -> String {
    let mut out = String::new();
    for diagnostic in diagnostics {
        render_one(&mut out, diagnostic, sources, style);
        out.push('\n');
    }
    out
}

/// The closing line, e.g. `error: 3 problems in 1 file`; `None` when there
/// is nothing to say.
pub fn summary(diagnostics: &[Diagnostic], style: Style) -> Option<String> {
    if diagnostics.is_empty() {
        return None;
    }
    let files: BTreeSet<FileId> = diagnostics.iter().map(|d| d.file).collect();
    let severity = if diagnostics.iter().any(Diagnostic::is_error) {
        Severity::Error
    } else {
        Severity::Warning
    };
    Some(format!(
        "{}: {} in {}",
        paint_severity(style, severity),
        count(diagnostics.len(), "problem"),
        count(files.len(), "file")
    ))
}

/// A JSON array of diagnostics, for editors and CI annotations.
///
/// Each element: `file`, `line`, `column` (1-based characters),
/// `end_line`, `end_column`, `severity`, `code`, `message`, and when there
/// are any `label`, `help` and `related` (`file`, `line`, `column`,
/// `message`). A problem with a whole file is at line 1, column 1.
pub fn render_json(diagnostics: &[Diagnostic], sources: &Sources) -> String {
    let items: Vec<JsonDiagnostic<'_>> = diagnostics
        .iter()
        .map(|diagnostic| {
            let (line, column, end_line, end_column) =
                position(sources, diagnostic.file, diagnostic.span);
            JsonDiagnostic {
                file: path(sources, diagnostic.file),
                line,
                column,
                end_line,
                end_column,
                severity: diagnostic.severity.as_str(),
                code: diagnostic.code(),
                message: diagnostic.message(),
                label: diagnostic.problem.label(),
                help: diagnostic.problem.help(),
                related: diagnostic
                    .related
                    .iter()
                    .map(|related| {
                        let (line, column, _, _) =
                            position(sources, related.file, Some(related.span));
                        JsonRelated {
                            file: path(sources, related.file),
                            line,
                            column,
                            message: &related.message,
                        }
                    })
                    .collect(),
            }
        })
        .collect();
    let mut text = serde_json::to_string_pretty(&items).unwrap_or_else(|_| "[]".to_owned());
    text.push('\n');
    text
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    file: String,
    line: u32,
    column: u32,
    end_line: u32,
    end_column: u32,
    severity: &'static str,
    code: &'static str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    label: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    file: String,
    line: u32,
    column: u32,
    message: &'a str,
}

/// The path of `file` as the command line named it.
pub(crate) fn path(sources: &Sources, file: FileId) -> String {
    sources
        .get(file)
        .map_or_else(String::new, |file| file.path().display().to_string())
}

/// Line, column, end line and end column (1-based characters) of `span`
/// in `file`; a problem with the whole file is at 1:1.
pub(crate) fn position(
    sources: &Sources,
    file: FileId,
    span: Option<Span>,
) -> (u32, u32, u32, u32) {
    match (span, sources.get(file)) {
        (Some(span), Some(file)) => {
            let end = file.span(span.end(), 0);
            (span.line, span.column, end.line, end.column)
        }
        (Some(span), None) => (span.line, span.column, span.line, span.column),
        (None, _) => (1, 1, 1, 1),
    }
}

fn paint_severity(style: Style, severity: Severity) -> String {
    style.paint(severity_paint(severity), severity.as_str())
}

fn severity_paint(severity: Severity) -> Paint {
    match severity {
        Severity::Error => Paint::Error,
        Severity::Warning => Paint::Warning,
    }
}

fn render_one(out: &mut String, diagnostic: &Diagnostic, sources: &Sources, style: Style) {
    let paint = severity_paint(diagnostic.severity);
    let header = format!("{}[{}]", diagnostic.severity.as_str(), diagnostic.code());
    let _ = writeln!(
        out,
        "{}{}",
        style.paint(paint, &header),
        style.paint(Paint::Bold, &format!(": {}", diagnostic.message()))
    );
    let lines = std::iter::once(diagnostic.span)
        .chain(diagnostic.related.iter().map(|r| Some(r.span)))
        .flatten()
        .map(|span| span.line);
    let gutter = lines.max().map_or(1, |line| line.to_string().len());
    let pad = " ".repeat(gutter);
    let bar = style.paint(Paint::Dim, "|");

    let file = sources.get(diagnostic.file);
    let name = path(sources, diagnostic.file);
    match diagnostic.span {
        // A problem with the whole file is put at its start, so that every
        // diagnostic reads `file:line:column` for editors and CI.
        None => {
            let _ = writeln!(out, "{pad}{} {name}:1:1", style.paint(Paint::Dim, "-->"));
        }
        Some(span) => {
            let _ = writeln!(
                out,
                "{pad}{} {name}:{}:{}",
                style.paint(Paint::Dim, "-->"),
                span.line,
                span.column
            );
            if let Some(file) = file {
                let label = diagnostic.problem.label();
                snippet(out, file, span, '^', paint, label.as_deref(), gutter, style);
            }
        }
    }
    for related in &diagnostic.related {
        let Some(file) = sources.get(related.file) else {
            continue;
        };
        let _ = writeln!(out, "{pad} {bar}");
        let _ = writeln!(
            out,
            "{pad}{} {}:{}:{}",
            style.paint(Paint::Dim, ":::"),
            file.path().display(),
            related.span.line,
            related.span.column
        );
        snippet(
            out,
            file,
            related.span,
            '-',
            Paint::Help,
            Some(&related.message),
            gutter,
            style,
        );
    }
    if let Some(help) = diagnostic.problem.help() {
        let _ = writeln!(
            out,
            "{pad} {} {}",
            style.paint(Paint::Dim, "="),
            style.paint(Paint::Help, &format!("help: {help}"))
        );
    }
}

/// The source line of `span` with an underline of `mark`s and a label.
#[allow(clippy::too_many_arguments)]
fn snippet(
    out: &mut String,
    file: &crate::diag::SourceFile,
    span: Span,
    mark: char,
    paint: Paint,
    label: Option<&str>,
    gutter: usize,
    style: Style,
) {
    let Some(line) = file.line(span.line) else {
        return;
    };
    let pad = " ".repeat(gutter);
    let bar = style.paint(Paint::Dim, "|");
    let number = style.paint(Paint::Dim, &format!("{:>gutter$}", span.line));

    // Characters before the span, and the span's text on this line.
    let before: String = line
        .chars()
        .take(span.column.saturating_sub(1) as usize)
        .collect();
    let marked: String = {
        let rest = &line[before.len().min(line.len())..];
        let text = file.slice(span);
        let on_line = text.split('\n').next().unwrap_or("");
        rest.chars().take(on_line.chars().count()).collect()
    };
    let expanded = expand_tabs(line, 0);
    let indent = width(&before, 0);
    let length = width(&marked, indent).max(1);

    let _ = writeln!(out, "{pad} {bar}");
    let _ = writeln!(out, "{number} {bar} {}", expanded.trim_end());
    let underline = mark.to_string().repeat(length);
    let underline = match label {
        Some(label) => format!("{underline} {label}"),
        None => underline,
    };
    let _ = writeln!(
        out,
        "{pad} {bar} {}{}",
        " ".repeat(indent),
        style.paint(paint, &underline)
    );
}

/// Display width of `text` starting at display column `start`.
fn width(text: &str, start: usize) -> usize {
    let mut column = start;
    for c in text.chars() {
        column += if c == '\t' {
            TAB_STOP - column % TAB_STOP
        } else {
            c.width().unwrap_or(0)
        };
    }
    column - start
}

fn expand_tabs(text: &str, start: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut column = start;
    for c in text.chars() {
        if c == '\t' {
            let n = TAB_STOP - column % TAB_STOP;
            out.extend(std::iter::repeat_n(' ', n));
            column += n;
        } else {
            out.push(c);
            column += c.width().unwrap_or(0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::{Problem, SourceFile};

    fn one(text: &str, needle: &str, problem: Problem) -> (Sources, Vec<Diagnostic>) {
        let mut sources = Sources::new();
        let id = sources.add(SourceFile::new("m.yaml".into(), text.to_owned()));
        let offset = text.find(needle).unwrap();
        let span = sources.get(id).unwrap().span(offset, needle.len());
        (sources, vec![Diagnostic::new(id, span, problem)])
    }

    #[test]
    fn underlines_wide_characters_by_display_width() {
        let (sources, diagnostics) = one(
            "tasks:\n  - name: 续费提醒\n    concurency: 5\n",
            "concurency",
            Problem::UnknownKey {
                key: "concurency".into(),
                scope: crate::diag::Scope::Task(Some("续费提醒".into())),
                suggestion: Some("concurrency"),
                hint: None,
            },
        );
        let text = render_text(&diagnostics, &sources, Style::plain());
        assert_eq!(
            text,
            "error[unknown-key]: unknown key `concurency` in task `续费提醒`\n \
             --> m.yaml:3:5\n  |\n3 |     concurency: 5\n  |     ^^^^^^^^^^\n  \
             = help: did you mean `concurrency`?\n\n"
        );
        let (sources, diagnostics) = one(
            "- name: 续费提醒\n",
            "续费提醒",
            Problem::DuplicateName {
                name: "续费提醒".into(),
            },
        );
        let text = render_text(&diagnostics, &sources, Style::plain());
        assert!(
            text.contains("1 | - name: 续费提醒\n  |         ^^^^^^^^ used again here"),
            "{text}"
        );
    }

    #[test]
    fn tabs_expand_in_the_line_and_the_underline() {
        let (sources, diagnostics) = one("a: [\t800]\n", "800", Problem::EmptyName);
        let text = render_text(&diagnostics, &sources, Style::plain());
        assert!(text.contains(" --> m.yaml:1:6\n"), "{text}");
        assert!(text.contains("1 | a: [    800]\n  |         ^^^"), "{text}");
    }

    #[test]
    fn summary_counts_problems_and_files() {
        let (_, mut diagnostics) = one("x", "x", Problem::EmptyName);
        assert_eq!(
            summary(&diagnostics, Style::plain()).unwrap(),
            "error: 1 problem in 1 file"
        );
        diagnostics[0].severity = Severity::Warning;
        diagnostics.push(diagnostics[0].clone());
        assert_eq!(
            summary(&diagnostics, Style::plain()).unwrap(),
            "warning: 2 problems in 1 file"
        );
        assert_eq!(summary(&[], Style::plain()), None);
    }

    #[test]
    fn json_has_positions_codes_and_messages() {
        let (sources, diagnostics) = one("a: 1\nb: 续费\n", "续费", Problem::EmptyName);
        let json: serde_json::Value =
            serde_json::from_str(&render_json(&diagnostics, &sources)).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{
                "file": "m.yaml", "line": 2, "column": 4, "end_line": 2, "end_column": 6,
                "severity": "error", "code": "empty-name", "message": "task `name` must not be empty"
            }])
        );
    }
}
