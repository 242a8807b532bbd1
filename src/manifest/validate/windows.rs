//! `callWindows`: times of day, each window starting before it ends, and
//! no two windows overlapping.

use crate::diag::{Diagnostic, Expected, Problem, Scope, Span};
use crate::manifest::field::Field;
use crate::manifest::model::{TimeOfDay, TimeOfDayError, Window};
use crate::manifest::validate::{Checker, Slot, first_line};
use crate::manifest::yaml::{Node, NodeKind, Resolved, shown};

const WINDOW_KEYS: &[&str] = &["start", "end"];

impl Checker<'_, '_> {
    pub(super) fn call_windows(&mut self, node: &Node<'_>) -> Option<Vec<Window>> {
        let items = self.list(node, Field::CallWindows.key())?;
        let mut ok = true;
        let mut windows: Vec<(Window, Span)> = Vec::with_capacity(items.len());
        for item in items {
            match self.window(item) {
                Some(window) => windows.push((window, first_line(item.span, self.file))),
                None => ok = false,
            }
        }
        // Sorted by start, each window must begin at or after the latest
        // end so far; windows may touch (12:00 end, 12:00 start).
        windows.sort_by_key(|(window, _)| *window);
        let mut latest: Option<(Window, Span)> = None;
        for (window, span) in &windows {
            if let Some((other, other_span)) = latest
                && window.start < other.end
            {
                let diagnostic = Diagnostic::new(
                    self.id,
                    *span,
                    Problem::WindowOverlap {
                        window: window.to_string(),
                        other: other.to_string(),
                    },
                )
                .with_related(self.id, other_span, "the other window");
                self.out.push(diagnostic);
                ok = false;
            }
            if latest.is_none_or(|(other, _)| window.end > other.end) {
                latest = Some((*window, *span));
            }
        }
        ok.then(|| windows.into_iter().map(|(window, _)| window).collect())
    }

    fn window(&mut self, node: &Node<'_>) -> Option<Window> {
        let NodeKind::Mapping(entries) = &node.kind else {
            self.type_error(
                node,
                &format!("{}[]", Field::CallWindows),
                Expected::Mapping,
            );
            return None;
        };
        let (mut start, mut end) = (Slot::Absent, Slot::Absent);
        let scope = Scope::Field(Field::CallWindows.key());
        for entry in entries {
            match self.key(entry, WINDOW_KEYS, &scope) {
                Some(key @ "start") => start = Slot::from_option(self.time(&entry.value, key)),
                Some(key @ "end") => end = Slot::from_option(self.time(&entry.value, key)),
                _ => {}
            }
        }
        let at = first_line(node.span, self.file);
        let mut missing = Vec::new();
        let start = self.required(start, "start", &mut missing);
        let end = self.required(end, "end", &mut missing);
        self.missing(missing, &scope, at);
        let (start, end) = (start?, end?);
        if start >= end {
            self.report(
                at,
                Problem::WindowOrder {
                    start: start.to_string(),
                    end: end.to_string(),
                },
            );
            return None;
        }
        Some(Window { start, end })
    }

    /// The window's `start` or `end` (`key`): a time of day.
    fn time(&mut self, node: &Node<'_>, key: &str) -> Option<TimeOfDay> {
        let field = &format!("{}.{key}", Field::CallWindows);
        if let Some(scalar) = node.as_scalar()
            && !scalar.reported
            && scalar.resolve() != Resolved::Str
            && !matches!(scalar.resolve(), Resolved::Null)
        {
            // `9` or `9.30`: a number, but clearly meant as a time.
            self.report(
                node.span,
                Problem::TimeFormat {
                    field: field.to_owned(),
                    found: shown(node, scalar, self.file),
                    flaw: TimeOfDayError::Format,
                },
            );
            return None;
        }
        let text = self.string(node, field)?;
        match text.parse::<TimeOfDay>() {
            Ok(time) => Some(time),
            Err(flaw) => {
                let found = self.written(node);
                self.report(
                    node.span,
                    Problem::TimeFormat {
                        field: field.to_owned(),
                        found,
                        flaw,
                    },
                );
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::manifest::validate::testing::{load, problems, task};

    #[test]
    fn call_windows_are_well_formed_ordered_and_disjoint() {
        problems(
            &task("    callWindows: [{ start: \"9:00\", end: \"12:00\" }]\n"),
            &[("time-format", 10, 28, 6)],
        );
        problems(
            &task("    callWindows: [{ start: \"12:00\", end: \"09:00\" }]\n"),
            &[("window-order", 10, 19, 32)],
        );
        problems(
            &task(
                "    callWindows:\n      - { start: \"08:00\", end: \"18:00\" }\n      - { start: \"09:00\", end: \"10:00\" }\n      - { start: \"17:00\", end: \"19:00\" }\n",
            ),
            &[("window-overlap", 12, 9, 32), ("window-overlap", 13, 9, 32)],
        );
        // Touching windows do not overlap.
        problems(
            &task(
                "    callWindows: [{ start: \"09:00\", end: \"12:00\" }, { start: \"12:00\", end: \"13:00\" }]\n",
            ),
            &[],
        );
    }

    /// Issue 6: a time of day with the right shape but a part beyond the
    /// clock names the part and its range, instead of "two digits each".
    #[test]
    fn a_time_of_day_out_of_range_names_the_part() {
        let text = task(
            "    callWindows:\n      - { start: \"09:00\", end: \"25:00\" }\n      - { start: \"12:61\", end: \"13:00:75\" }\n      - { start: \"9:00\", end: \"24:00\" }\n",
        );
        problems(
            &text,
            &[
                ("time-format", 11, 32, 7),
                ("time-format", 12, 18, 7),
                ("time-format", 12, 32, 10),
                ("time-format", 13, 18, 6),
                ("time-format", 13, 31, 7),
            ],
        );
        let loaded = load(&text);
        let said: Vec<(String, Option<String>)> = loaded
            .diagnostics
            .iter()
            .map(|d| (d.message(), d.problem.help()))
            .collect();
        let said: Vec<(&str, Option<&str>)> = said
            .iter()
            .map(|(message, help)| (message.as_str(), help.as_deref()))
            .collect();
        assert_eq!(
            said,
            [
                (
                    "`callWindows.end` is not a time of day: hour `25` is out of range: 00 to 23",
                    None
                ),
                (
                    "`callWindows.start` is not a time of day: minute `61` is out of range: 00 to 59",
                    None
                ),
                (
                    "`callWindows.end` is not a time of day: second `75` is out of range: 00 to 59",
                    None
                ),
                (
                    "`callWindows.start` must be a time of day, found `9:00`",
                    Some("write `HH:MM` or `HH:MM:SS` with two digits each, e.g. `09:00`")
                ),
                (
                    "`callWindows.end` is not a time of day: hour `24` is out of range: 00 to 23",
                    Some("for the end of the day write `23:59:59`")
                ),
            ]
        );
    }
}
