//! `start`: the word `immediate`, or `{ at: ... }` with an RFC 3339
//! date-time that carries its offset and fits the API's milliseconds.

use crate::diag::{Expected, Problem, Scope, suggest};
use crate::manifest::field::Field;
use crate::manifest::model::{Scheduled, Start};
use crate::manifest::validate::{Checker, first_line, unquote};
use crate::manifest::yaml::{Node, NodeKind, Resolved, describe, shown};

const START_KEYS: &[&str] = &["at"];
const START_WORDS: &[&str] = &["immediate"];

impl Checker<'_, '_> {
    pub(super) fn start(&mut self, node: &Node<'_>) -> Option<Start> {
        match &node.kind {
            NodeKind::Mapping(entries) => {
                let mut at = None;
                for entry in entries {
                    if self.key(entry, START_KEYS, &Scope::Field(Field::Start.key())) == Some("at")
                    {
                        at = Some(&entry.value);
                    }
                }
                match at {
                    Some(value) => self.at(value).map(Start::At),
                    None => {
                        self.report(
                            first_line(node.span, self.file),
                            Problem::Missing {
                                fields: vec!["at"],
                                scope: Scope::Field(Field::Start.key()),
                            },
                        );
                        None
                    }
                }
            }
            NodeKind::Scalar(scalar) if scalar.reported => None,
            NodeKind::Scalar(scalar) if scalar.resolve() == Resolved::Str => {
                if scalar.text == "immediate" {
                    return Some(Start::Immediate);
                }
                let written = shown(node, scalar, self.file);
                let fix = match suggest(&scalar.text, START_WORDS) {
                    Some(word) => format!("did you mean `{word}`?"),
                    None => format!(
                        "for a scheduled start write `start: {{ at: \"{}\" }}`",
                        if scalar.text.parse::<jiff::Timestamp>().is_ok() {
                            written.trim_matches(['"', '\''])
                        } else {
                            "2030-01-07T09:00:00+08:00"
                        }
                    ),
                };
                self.report(
                    node.span,
                    Problem::Type {
                        field: Field::Start.key().to_owned(),
                        expected: Expected::Start,
                        found: describe(node, self.file),
                        fix: Some(fix),
                    },
                );
                None
            }
            _ => {
                self.type_error(node, Field::Start.key(), Expected::Start);
                None
            }
        }
    }

    /// `start.at`: RFC 3339 with an explicit offset.
    fn at(&mut self, node: &Node<'_>) -> Option<Scheduled> {
        let text = self.string(node, "start.at")?.trim().to_owned();
        let written = node.as_scalar().map_or_else(
            || text.clone(),
            |scalar| unquote(&shown(node, scalar, self.file)),
        );
        match text.parse::<jiff::Timestamp>() {
            Ok(at) if at.subsec_nanosecond() % 1_000_000 != 0 => {
                self.report(
                    node.span,
                    Problem::Datetime {
                        found: written,
                        reason: "is more precise than the API's milliseconds".to_owned(),
                    },
                );
                None
            }
            Ok(at) if at.as_millisecond() <= 0 => {
                self.report(
                    node.span,
                    Problem::Datetime {
                        found: written,
                        reason: "is not after 1970".to_owned(),
                    },
                );
                None
            }
            Ok(at) => Some(Scheduled { at, written: text }),
            Err(_) if text.parse::<jiff::civil::DateTime>().is_ok() => {
                // CI machines run in UTC: a naive time would silently shift.
                self.report(node.span, Problem::NaiveDatetime { found: written });
                None
            }
            Err(_) => {
                self.report(
                    node.span,
                    Problem::Datetime {
                        found: written,
                        reason: "is not an RFC 3339 date-time".to_owned(),
                    },
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::validate::testing::{problems, task};

    #[test]
    fn start_times_need_an_offset_and_a_real_date() {
        problems(
            &task("    start: { at: \"2030-01-01T09:00:00\" }\n"),
            &[("naive-datetime", 10, 18, 21)],
        );
        problems(
            &task("    start: { at: \"2030-02-30T09:00:00Z\" }\n"),
            &[("datetime", 10, 18, 22)],
        );
        problems(&task("    start: { at: 2030-01-01T09:00:00Z }\n"), &[]);
        problems(&task("    start: later\n"), &[("type", 10, 12, 5)]);
        problems(&task("    start: {}\n"), &[("missing", 10, 12, 2)]);
    }

    #[test]
    fn a_start_in_the_past_is_for_plan_to_judge() {
        problems(
            &task("    start: { at: \"2001-01-01T09:00:00+08:00\" }\n"),
            &[],
        );
    }
}
