//! GitHub Actions workflow commands (`--format github`, issue 11): each
//! manifest problem, plan error and blocked task as an `::error` or
//! `::warning` line, which GitHub shows as an annotation on the line it
//! names, in the pull request's diff and the run's summary.
//!
//! The shape is `::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=T::MESSAGE`.
//! GitHub decodes `%25`, `%0D` and `%0A` in the message, and `%3A` and
//! `%2C` too in the properties, where a bare `:` or `,` would end the
//! value early; so a path with a comma, or a message of several lines,
//! arrives whole. GitHub shows at most 10 annotations of each kind per step
//! and drops the rest silently: every line is still printed (the log keeps
//! them all), and a closing line says how many GitHub will not show.

use crate::diag::{Diagnostic, Severity, Sources, count};
use crate::plan::build::PlanError;
use crate::plan::model::{Action, Plan};

use super::diagnostics::{path, position};
use super::words;

/// Annotations of one kind GitHub shows per step; it drops the others.
pub const SHOWN_PER_KIND: usize = 10;

/// The kind of an annotation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::error`.
    Error,
    /// `::warning`.
    Warning,
}

/// Where an annotation points, 1-based; `end` is where the marked text
/// ends, when known.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The file, as the command line named it (relative to the working
    /// directory, which on GitHub is the repository's root).
    pub file: String,
    /// Line and column.
    pub start: (u32, u32),
    /// End line and column.
    pub end: Option<(u32, u32)>,
}

/// One workflow command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// Error or warning.
    pub level: Level,
    /// Where, when the problem is in one place.
    pub place: Option<Place>,
    /// The problem's code; GitHub shows `aicall CODE` as the title.
    pub code: String,
    /// The message, lines and all.
    pub message: String,
}

/// Every annotation, one line each, then a closing line: the count of
/// problems, and how many GitHub will not show when there are more than
/// [`SHOWN_PER_KIND`] of a kind. `None` when there are none.
pub fn render(annotations: &[Annotation]) -> String {
    let mut out = String::new();
    for annotation in annotations {
        out.push_str(&command(annotation));
        out.push('\n');
    }
    if let Some(closing) = closing(annotations) {
        out.push_str(&closing);
        out.push('\n');
    }
    out
}

/// One annotation as a workflow command.
pub fn command(annotation: &Annotation) -> String {
    let mut properties = Vec::new();
    if let Some(place) = &annotation.place {
        properties.push(format!("file={}", escape_property(&place.file)));
        properties.push(format!("line={}", place.start.0));
        properties.push(format!("col={}", place.start.1));
        if let Some((line, column)) = place.end {
            properties.push(format!("endLine={line}"));
            properties.push(format!("endColumn={column}"));
        }
    }
    properties.push(format!(
        "title={}",
        escape_property(&format!("aicall {}", annotation.code))
    ));
    let kind = match annotation.level {
        Level::Error => "error",
        Level::Warning => "warning",
    };
    format!(
        "::{kind} {}::{}",
        properties.join(","),
        escape_data(&annotation.message)
    )
}

/// The closing line: `aicall: 2 errors, 1 warning` and, past GitHub's
/// limit, what it will not show.
fn closing(annotations: &[Annotation]) -> Option<String> {
    if annotations.is_empty() {
        return None;
    }
    let errors = annotations
        .iter()
        .filter(|a| a.level == Level::Error)
        .count();
    let warnings = annotations.len() - errors;
    let mut parts = Vec::new();
    if errors > 0 {
        parts.push(count(errors, "error"));
    }
    if warnings > 0 {
        parts.push(count(warnings, "warning"));
    }
    let mut line = format!("aicall: {}", parts.join(" and "));
    let hidden: Vec<String> = [(errors, "error"), (warnings, "warning")]
        .into_iter()
        .filter(|(n, _)| *n > SHOWN_PER_KIND)
        .map(|(n, word)| {
            let more = n - SHOWN_PER_KIND;
            count(more, word)
        })
        .collect();
    if !hidden.is_empty() {
        line.push_str(&format!(
            "; GitHub shows the first {SHOWN_PER_KIND} of each kind as annotations, so {} \
             appear only in this log, above",
            hidden.join(" and ")
        ));
    }
    Some(line)
}

/// A message as a workflow command's data: `%`, CR and LF escaped.
pub fn escape_data(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for ch in text.chars() {
        match ch {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            _ => out.push(ch),
        }
    }
    out
}

/// A property value: as [`escape_data`], and `:` and `,`, which would
/// otherwise end it.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// Manifest diagnostics as annotations: the message, then the underline's
/// label, what else is involved, and the help, one per line.
pub fn diagnostics(diagnostics: &[Diagnostic], sources: &Sources) -> Vec<Annotation> {
    diagnostics
        .iter()
        .map(|diagnostic| {
            let (line, column, end_line, end_column) =
                position(sources, diagnostic.file, diagnostic.span);
            let mut message = diagnostic.message();
            if let Some(label) = diagnostic.problem.label() {
                message.push('\n');
                message.push_str(&label);
            }
            for related in &diagnostic.related {
                let (line, column, _, _) = position(sources, related.file, Some(related.span));
                message.push_str(&format!(
                    "\n{}:{line}:{column}: {}",
                    path(sources, related.file),
                    related.message
                ));
            }
            if let Some(help) = diagnostic.problem.help() {
                message.push_str(&format!("\nhelp: {help}"));
            }
            Annotation {
                level: match diagnostic.severity {
                    Severity::Error => Level::Error,
                    Severity::Warning => Level::Warning,
                },
                place: Some(Place {
                    file: path(sources, diagnostic.file),
                    start: (line, column),
                    end: Some((end_line, end_column)),
                }),
                code: diagnostic.code().to_owned(),
                message,
            }
        })
        .collect()
}

/// Plan errors as annotations, at the task they concern when there is one.
pub fn plan_errors(errors: &[PlanError]) -> Vec<Annotation> {
    errors
        .iter()
        .map(|error| {
            let mut message = error.to_string();
            if let Some(help) = error.code().help() {
                message.push_str(&format!("\nhelp: {help}"));
            }
            Annotation {
                level: Level::Error,
                place: error.location().map(|source| Place {
                    file: source.file.clone(),
                    start: (to_u32(source.line), to_u32(source.column)),
                    end: None,
                }),
                code: error.code().as_str().to_owned(),
                message,
            }
        })
        .collect()
}

/// Each blocked task of `plan` as a warning at its name: nothing is sent
/// for it, and the reason and the way out are worth a look in review.
pub fn blocked(plan: &Plan) -> Vec<Annotation> {
    plan.tasks
        .iter()
        .filter(|entry| entry.action == Action::Blocked)
        .map(|entry| {
            let mut message = format!("task `{}` is blocked: nothing is sent for it", entry.name);
            for reason in &entry.blocked {
                let (why, unblock) = words::block_reason(*reason);
                message.push_str(&format!("\n{why}\nhelp: {unblock}"));
            }
            Annotation {
                level: Level::Warning,
                place: Some(Place {
                    file: entry.source.file.clone(),
                    start: (to_u32(entry.source.line), to_u32(entry.source.column)),
                    end: None,
                }),
                code: "blocked".to_owned(),
                message,
            }
        })
        .collect()
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(file: &str, message: &str) -> Annotation {
        Annotation {
            level: Level::Error,
            place: Some(Place {
                file: file.to_owned(),
                start: (3, 5),
                end: Some((3, 15)),
            }),
            code: "unknown-key".to_owned(),
            message: message.to_owned(),
        }
    }

    /// Issue 11: `%`, line breaks in the message, and `,` and `:` in a
    /// property arrive whole.
    #[test]
    fn messages_and_properties_are_escaped() {
        let line = command(&at(
            "campaigns/a,b:c%d.yaml",
            "100% sure\nsecond line\r\nthird: a, b",
        ));
        assert_eq!(
            line,
            "::error file=campaigns/a%2Cb%3Ac%25d.yaml,line=3,col=5,endLine=3,endColumn=15,\
             title=aicall unknown-key::100%25 sure%0Asecond line%0D%0Athird: a, b"
        );
        let warning = Annotation {
            level: Level::Warning,
            place: None,
            code: "a,b".to_owned(),
            message: "x".to_owned(),
        };
        assert_eq!(command(&warning), "::warning title=aicall a%2Cb::x");
    }

    #[test]
    fn past_ten_of_a_kind_the_closing_line_counts_what_github_hides() {
        assert_eq!(render(&[]), "");
        let one = render(&[at("a.yaml", "x")]);
        assert!(one.ends_with("::x\naicall: 1 error\n"), "{one}");
        let mut many: Vec<Annotation> = (0..12).map(|_| at("a.yaml", "x")).collect();
        many.push(Annotation {
            level: Level::Warning,
            ..at("a.yaml", "w")
        });
        let text = render(&many);
        assert_eq!(text.lines().count(), 14, "every annotation is printed");
        assert!(
            text.ends_with(
                "aicall: 12 errors and 1 warning; GitHub shows the first 10 of each kind as \
                 annotations, so 2 errors appear only in this log, above\n"
            ),
            "{text}"
        );
    }
}
