//! Scalars: strings, the two IDs, task names and whole numbers, each
//! reported with the value exactly as written.

use crate::diag::{Expected, NameFlaw, Problem, Span};
use crate::manifest::field::Field;
use crate::manifest::model::TaskSpec;
use crate::manifest::validate::{Checker, first_line};
use crate::manifest::yaml::{Node, NodeKind, Resolved, Style, describe, shown};

impl Checker<'_, '_> {
    pub(super) fn type_error(&mut self, node: &Node<'_>, field: &str, expected: Expected) {
        self.type_error_with_fix(node, field, expected, None);
    }

    /// A value of the wrong type, with a concrete fix when there is one.
    pub(super) fn type_error_with_fix(
        &mut self,
        node: &Node<'_>,
        field: &str,
        expected: Expected,
        fix: Option<String>,
    ) {
        if matches!(node.kind, NodeKind::Invalid) || node.as_scalar().is_some_and(|s| s.reported) {
            return;
        }
        let found = describe(node, self.file);
        self.report(
            first_line(node.span, self.file),
            Problem::Type {
                field: field.to_owned(),
                expected,
                found,
                fix,
            },
        );
    }

    /// A scalar that is a string (quoted, block, or plain text).
    pub(super) fn string<'n>(&mut self, node: &'n Node<'_>, field: &str) -> Option<&'n str> {
        match node.as_scalar() {
            Some(scalar) if scalar.reported => None,
            Some(scalar) if scalar.resolve() == Resolved::Str => Some(&scalar.text),
            Some(scalar) => {
                let written = shown(node, scalar, self.file);
                let fix = (scalar.style == Style::Plain && !written.is_empty())
                    .then(|| format!("quote it: {field}: \"{written}\""));
                self.report(
                    node.span,
                    Problem::Type {
                        field: field.to_owned(),
                        expected: Expected::String,
                        found: describe(node, self.file),
                        fix,
                    },
                );
                None
            }
            None => {
                self.type_error(node, field, Expected::String);
                None
            }
        }
    }

    /// `agentId` or `virtualNumber`: a non-empty string without padding.
    pub(super) fn id_field(&mut self, node: &Node<'_>, field: Field) -> Option<String> {
        let field = field.key();
        if let Some(scalar) = node.as_scalar()
            && scalar.style == Style::Plain
            && !scalar.substituted
            && matches!(scalar.resolve(), Resolved::Int | Resolved::Float)
        {
            // YAML would read `0327121220001` as 327121220001 and a long
            // agent ID as a float: the exact digits are what matters.
            let written = self.file.slice(node.span).to_owned();
            self.report(node.span, Problem::UnquotedId { field, written });
            return None;
        }
        let value = self.string(node, field)?;
        if value.is_empty() {
            self.report(
                node.span,
                Problem::Empty {
                    field: field.to_owned(),
                },
            );
            return None;
        }
        if value.trim() != value {
            self.report(
                node.span,
                Problem::PaddedId {
                    field,
                    value: value.to_owned(),
                },
            );
            return None;
        }
        Some(value.to_owned())
    }

    pub(super) fn name(&mut self, node: &Node<'_>) -> Option<(String, Span)> {
        if node.is_null() {
            self.report(node.span, Problem::EmptyName);
            return None;
        }
        let name = self.string(node, Field::Name.key())?;
        if name.is_empty() {
            self.report(node.span, Problem::EmptyName);
            return None;
        }
        if name.chars().any(char::is_control) {
            self.report(
                node.span,
                Problem::InvalidName {
                    name: name.to_owned(),
                    flaw: NameFlaw::Control,
                },
            );
            return None;
        }
        let length = name.chars().count();
        if length > TaskSpec::MAX_NAME_CHARS {
            // Too long to send (issue 7): see `MAX_NAME_CHARS` for why 128.
            self.report(
                node.span,
                Problem::NameTooLong {
                    name: name.to_owned(),
                    length,
                    limit: TaskSpec::MAX_NAME_CHARS,
                },
            );
            return None;
        }
        if name.trim() != name {
            // The API keeps the spaces, so the task is valid as written.
            self.report(
                node.span,
                Problem::InvalidName {
                    name: name.to_owned(),
                    flaw: NameFlaw::Padded,
                },
            );
        }
        Some((name.to_owned(), node.span))
    }

    /// A whole number in the field's range ([`Field::range`]), reported
    /// with the API parameter it maps to.
    pub(super) fn integer(&mut self, node: &Node<'_>, field: Field) -> Option<i64> {
        let (key, parameter) = (field.key(), field.api());
        let (min, max) = field
            .range()
            .map_or((i64::MIN, i64::MAX), |range| (*range.start(), *range.end()));
        let scalar = match node.as_scalar() {
            Some(scalar) if scalar.reported => return None,
            Some(scalar) => scalar,
            None => {
                self.type_error(node, key, Expected::Integer);
                return None;
            }
        };
        let written = shown(node, scalar, self.file);
        let text = scalar.text.trim();
        let decimal = {
            let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
            !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
        };
        let is_number = scalar.substituted || scalar.resolve() == Resolved::Int;
        if !(is_number && decimal) {
            let fix = match scalar.resolve() {
                Resolved::Str if decimal && scalar.style == Style::Quoted => {
                    Some(format!("remove the quotes: {key}: {text}"))
                }
                Resolved::Int => Some(format!("write `{key}` in decimal")),
                _ => None,
            };
            self.report(
                node.span,
                Problem::Type {
                    field: key.to_owned(),
                    expected: Expected::Integer,
                    found: describe(node, self.file),
                    fix,
                },
            );
            return None;
        }
        match text.parse::<i64>() {
            Ok(value) if (min..=max).contains(&value) => Some(value),
            _ => {
                self.report(
                    node.span,
                    Problem::Range {
                        field: key.to_owned(),
                        min,
                        max,
                        found: written,
                        parameter,
                    },
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::validate::testing::{HEAD, load, problems, task};

    #[test]
    fn types_are_checked_with_the_value_as_written() {
        problems(
            &task("    concurrency: \"50\"\n    callDays: MONDAY\n"),
            &[("type", 10, 18, 4), ("type", 11, 15, 6)],
        );
        let loaded = load(&task("    concurrency: 1.50\n"));
        assert_eq!(
            loaded.diagnostics[0].message(),
            "`concurrency` must be a whole number, found a number `1.50`"
        );
    }

    #[test]
    fn numbers_respect_the_api_limits() {
        problems(
            &task(
                "    concurrency: 501\n    retry: { reasons: [NO_ANSWER], times: 0, intervalMinutes: 721 }\n",
            ),
            &[
                ("range", 10, 18, 3),
                ("range", 11, 43, 1),
                ("range", 11, 63, 3),
            ],
        );
        problems(
            &task(
                "    concurrency: 500\n    retry: { reasons: [NO_ANSWER], times: 3, intervalMinutes: 120 }\n",
            ),
            &[],
        );
    }

    #[test]
    fn ids_must_be_quoted_strings_but_substituted_digits_are_fine() {
        problems(&task("    agentId: 0011\n"), &[("unquoted-id", 10, 14, 4)]);
        let loaded = load(&task("    agentId: ${AGENT}\n"));
        assert_eq!(loaded.diagnostics, []);
        assert_eq!(loaded.tasks[0].agent_id, "0011");
        let loaded = load(&task("    agentId: !!str 0011\n"));
        assert_eq!(loaded.tasks[0].agent_id, "0011");
        problems(
            &task("    virtualNumber: \"0327 \"\n"),
            &[("padded-id", 10, 20, 7)],
        );
    }

    #[test]
    fn names_are_non_empty_single_lines_and_unique() {
        problems(
            &format!("{HEAD}  - name: \"\"\n  - name: a\n  - name: a\n"),
            &[("empty-name", 9, 11, 2), ("duplicate-name", 11, 11, 1)],
        );
        problems(
            &format!("{HEAD}  - name: \"a\\tb\"\n"),
            &[("invalid-name", 9, 11, 6)],
        );
        let loaded = load(&format!("{HEAD}  - name: \" a\"\n"));
        assert!(!loaded.has_errors());
        assert_eq!(loaded.diagnostics[0].code(), "invalid-name");
    }

    /// Issue 7: names have a maximum length, in characters, checked
    /// offline; the message shows a long name shortened.
    #[test]
    fn names_are_at_most_128_characters() {
        let named = |name: &str| format!("{HEAD}  - name: {name}\n");
        problems(&named(&"续".repeat(128)), &[]);
        problems(
            &named(&"续".repeat(129)),
            &[("name-too-long", 9, 11, 129 * 3)],
        );
        problems(
            &named(&format!("\"{}\"", "n".repeat(1000))),
            &[("name-too-long", 9, 11, 1002)],
        );
        let loaded = load(&named(&"n".repeat(100_000)));
        let message = loaded.diagnostics[0].message();
        assert!(message.contains('…') && message.len() < 400, "{message}");
        assert!(
            message.ends_with("is 100000 characters long; aicall accepts at most 128"),
            "{message}"
        );
        assert!(loaded.tasks.is_empty());
    }
}
