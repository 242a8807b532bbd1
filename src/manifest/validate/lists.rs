//! Lists of words from a closed set (days, retry reasons): non-empty,
//! exact, no repeats, returned in canonical order.

use crate::diag::{Diagnostic, Expected, Problem, Span, suggest};
use crate::manifest::field::Field;
use crate::manifest::model::Weekday;
use crate::manifest::validate::{Checker, unquote};
use crate::manifest::yaml::{Node, NodeKind, shown};

impl Checker<'_, '_> {
    /// A non-empty list of distinct words of a closed set, canonical order.
    pub(super) fn words<T: Copy + Ord + std::str::FromStr>(
        &mut self,
        node: &Node<'_>,
        field: &str,
        allowed: &'static [&'static str],
    ) -> Option<Vec<T>> {
        let items = self.list(node, field)?;
        let mut ok = true;
        let mut seen: Vec<(T, Span)> = Vec::with_capacity(items.len());
        for item in items {
            let Some(word) = self.string(item, field) else {
                ok = false;
                continue;
            };
            let Ok(value) = word.parse::<T>() else {
                let found = match item.as_scalar() {
                    Some(scalar) => unquote(&shown(item, scalar, self.file)),
                    None => word.to_owned(),
                };
                self.report(
                    item.span,
                    Problem::Enum {
                        field: field.to_owned(),
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
                        field: field.to_owned(),
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
        self.words(node, Field::CallDays.key(), Weekday::WORDS)
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::validate::testing::{problems, task};

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
}
