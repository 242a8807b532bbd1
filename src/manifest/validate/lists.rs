//! Lists of words from a closed set (days, retry reasons): non-empty,
//! exact, no repeats, returned in canonical order.

use crate::diag::{Diagnostic, Expected, Problem, SourceFile, Span, suggest};
use crate::manifest::field::Field;
use crate::manifest::model::Weekday;
use crate::manifest::validate::Checker;
use crate::manifest::yaml::{Node, NodeKind, Style};

impl Checker<'_, '_> {
    /// A non-empty list of distinct words of a closed set, canonical order.
    pub(super) fn words<T: Copy + Ord + std::str::FromStr>(
        &mut self,
        node: &Node<'_>,
        field: Field,
        allowed: &'static [&'static str],
    ) -> Option<Vec<T>> {
        let key = field.key();
        if !matches!(node.kind, NodeKind::Sequence(_)) {
            let fix = as_list::<T>(node, field, self.file);
            self.type_error_with_fix(node, key, Expected::List, fix);
            return None;
        }
        let items = self.list(node, key)?;
        let mut ok = true;
        let mut seen: Vec<(T, Span)> = Vec::with_capacity(items.len());
        for item in items {
            let Some(word) = self.string(item, key) else {
                ok = false;
                continue;
            };
            let Ok(value) = word.parse::<T>() else {
                let found = self.written(item);
                self.report(
                    item.span,
                    Problem::Enum {
                        field: key.to_owned(),
                        suggestion: suggest(word, allowed),
                        found,
                        allowed,
                    },
                );
                ok = false;
                continue;
            };
            if let Some((_, first)) = seen.iter().find(|(seen, _)| *seen == value) {
                let diagnostic = Diagnostic::new(
                    self.id,
                    item.span,
                    Problem::DuplicateItem {
                        field: key.to_owned(),
                        value: word.to_owned(),
                    },
                )
                .with_related(self.id, *first, "first listed here");
                self.out.push(diagnostic);
                ok = false;
                continue;
            }
            seen.push((value, item.span));
        }
        if !ok {
            return None;
        }
        let mut values: Vec<T> = seen.into_iter().map(|(value, _)| value).collect();
        values.sort_unstable();
        Some(values)
    }

    /// The items of a list that must not be empty.
    pub(super) fn list<'n, 'a>(
        &mut self,
        node: &'n Node<'a>,
        field: &str,
    ) -> Option<&'n [Node<'a>]> {
        match &node.kind {
            NodeKind::Sequence(items) if items.is_empty() => {
                let field = field.to_owned();
                self.report(node.span, Problem::Empty { field });
                None
            }
            NodeKind::Sequence(items) => Some(items),
            _ => {
                self.type_error(node, field, Expected::List);
                None
            }
        }
    }

    pub(super) fn call_days(&mut self, node: &Node<'_>) -> Option<Vec<Weekday>> {
        self.words(node, Field::CallDays, Weekday::WORDS)
    }
}

/// `write a list: callDays: [MONDAY]` for a list written as one valid word
/// (or, unquoted, several separated by commas): the brackets are all that
/// is missing. `None` when the scalar is not such words, or came from a
/// `${...}`, whose value is not what the file says.
fn as_list<T: std::str::FromStr>(
    node: &Node<'_>,
    field: Field,
    file: &SourceFile,
) -> Option<String> {
    let scalar = node.as_scalar()?;
    if scalar.substituted || scalar.reported || node.is_null() {
        return None;
    }
    let written = file.slice(node.span);
    let words: Vec<&str> = match scalar.style {
        Style::Plain => scalar.text.split(',').map(str::trim).collect(),
        Style::Quoted => vec![scalar.text.as_ref()],
        Style::Block => return None,
    };
    let valid = !written.contains('\n') && words.iter().all(|word| word.parse::<T>().is_ok());
    // The key as written in its mapping: `reasons`, not `retry.reasons`.
    valid.then(|| format!("write a list: {}: [{written}]", field.leaf()))
}

#[cfg(test)]
mod tests {
    use crate::manifest::validate::testing::{load, problems, task};

    #[test]
    fn words_must_be_exact_and_unique() {
        problems(
            &task("    callDays: [monday, FRIDAY, FRIDAY]\n"),
            &[("enum", 10, 16, 6), ("duplicate", 10, 32, 6)],
        );
        problems(
            &task("    callDays: []\n    retry: { reasons: [], times: 1, intervalMinutes: 1 }\n"),
            &[("empty", 10, 15, 2), ("empty", 11, 23, 2)],
        );
    }

    /// Issue 6: one valid word where a list is expected suggests the list.
    #[test]
    fn a_list_written_as_a_scalar_suggests_the_brackets() {
        let help = |fields: &str, expected: &[(&str, u32, u32, usize)]| {
            let text = task(fields);
            problems(&text, expected);
            let loaded = load(&text);
            loaded
                .diagnostics
                .iter()
                .map(|d| d.problem.help())
                .collect::<Vec<_>>()
        };
        assert_eq!(
            help("    callDays: MONDAY\n", &[("type", 10, 15, 6)]),
            [Some("write a list: callDays: [MONDAY]".to_owned())]
        );
        assert_eq!(
            help(
                "    retry: { reasons: NO_ANSWER, times: 1, intervalMinutes: 5 }\n",
                &[("type", 10, 23, 9)]
            ),
            [Some("write a list: reasons: [NO_ANSWER]".to_owned())]
        );
        assert_eq!(
            help("    callDays: MONDAY, FRIDAY\n", &[("type", 10, 15, 14)]),
            [Some("write a list: callDays: [MONDAY, FRIDAY]".to_owned())]
        );
        assert_eq!(
            help("    callDays: \"SUNDAY\"\n", &[("type", 10, 15, 8)]),
            [Some("write a list: callDays: [\"SUNDAY\"]".to_owned())]
        );
        // Not words of the set, or not a scalar: no list to offer.
        assert_eq!(
            help("    callDays: monday\n", &[("type", 10, 15, 6)]),
            [None]
        );
        assert_eq!(
            help("    callDays: { MONDAY: 1 }\n", &[("type", 10, 15, 13)]),
            [None]
        );
    }
}
