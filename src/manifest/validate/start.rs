//! `start`: the word `immediate`, or `{ at: ... }` with an RFC 3339
//! date-time that carries its offset and fits the API's milliseconds.

use crate::diag::{DatetimeFlaw, Expected, Problem, Scope, suggest};
use crate::instant::{self, Instant, Unreadable};
use crate::manifest::field::Field;
use crate::manifest::model::{Scheduled, Start};
use crate::manifest::validate::{Checker, first_line};
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
                        if Instant::parse(&scalar.text).is_ok() {
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
        let written = self.written(node);
        let flaw = match Instant::parse(&text) {
            Ok(at) if !at.is_whole_millisecond() => DatetimeFlaw::Precision,
            Ok(at) if at.as_millisecond() < instant::FIRST_MS => DatetimeFlaw::BeforeEpoch,
            Ok(at) if at.as_millisecond() > instant::LAST_MS => DatetimeFlaw::AfterLast,
            Ok(at) => return Some(Scheduled { at, written: text }),
            Err(Unreadable::NoOffset) => {
                // CI machines run in UTC: a naive time would silently shift.
                self.report(node.span, Problem::NaiveDatetime { found: written });
                return None;
            }
            // jiff would clamp it to `:59`: another instant than written.
            Err(Unreadable::LeapSecond) => DatetimeFlaw::LeapSecond,
            Err(Unreadable::Format) => calendar_flaw(&text).unwrap_or(DatetimeFlaw::Format),
        };
        self.report(
            node.span,
            Problem::Datetime {
                found: written,
                flaw,
            },
        );
        None
    }
}

/// A date that is shaped right (`YYYY-MM-DD` then `T`, `t` or a space)
/// but does not exist: jiff only says it cannot parse it, and "not an RFC
/// 3339 date-time" would send the user looking for a format mistake.
fn calendar_flaw(text: &str) -> Option<DatetimeFlaw> {
    let bytes = text.as_bytes();
    let shaped = bytes.len() > 10
        && bytes.get(4) == Some(&b'-')
        && bytes.get(7) == Some(&b'-')
        && matches!(bytes.get(10), Some(b'T' | b't' | b' '));
    if !shaped {
        return None;
    }
    let number = |range: std::ops::Range<usize>| {
        text.get(range)
            .filter(|digits| digits.bytes().all(|b| b.is_ascii_digit()))?
            .parse::<i16>()
            .ok()
    };
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    if !(1..=12).contains(&month) {
        let month = u8::try_from(month).ok()?;
        return Some(DatetimeFlaw::NoSuchMonth { month });
    }
    let month = i8::try_from(month).ok()?;
    let days = jiff::civil::Date::new(year, month, 1).ok()?.days_in_month();
    (day < 1 || day > i16::from(days)).then_some(DatetimeFlaw::NoSuchDay { year, month, days })
}

#[cfg(test)]
mod tests {
    use crate::manifest::model::Start;
    use crate::manifest::validate::testing::{load, problems, task};

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

    /// Issue 6: a date that does not exist says so, instead of "not an
    /// RFC 3339 date-time".
    #[test]
    fn a_day_or_month_that_does_not_exist_is_named() {
        let message = |at: &str| {
            let text = task(&format!("    start: {{ at: \"{at}\" }}\n"));
            problems(&text, &[("datetime", 10, 18, at.len() + 2)]);
            let loaded = load(&text);
            (
                loaded.diagnostics[0].message(),
                loaded.diagnostics[0].problem.help(),
            )
        };
        assert_eq!(
            message("2030-02-30T09:00:00+08:00"),
            (
                "`start.at` is not a usable date-time: `2030-02-30T09:00:00+08:00` names a day \
                 that does not exist: February 2030 has 28 days"
                    .to_owned(),
                None
            )
        );
        assert!(
            message("2032-02-30T09:00:00Z")
                .0
                .ends_with("February 2032 has 29 days")
        );
        assert!(
            message("2030-04-31 09:00:00+08:00")
                .0
                .ends_with("April 2030 has 30 days")
        );
        assert!(
            message("2030-13-01T09:00:00+08:00")
                .0
                .ends_with("has month `13`: months run from 01 to 12")
        );
        // A date that exists with something else wrong is still a format
        // problem, with the format's help.
        let (text, help) = message("2030-02-28T25:00:00+08:00");
        assert!(text.ends_with("is not an RFC 3339 date-time"), "{text}");
        assert!(help.is_some_and(|help| help.contains("RFC 3339")));
    }

    /// Issue 7: the whole of the API's range is valid, its last
    /// millisecond and its first included, whatever the offset; one
    /// millisecond beyond either end is not.
    #[test]
    fn the_api_range_is_valid_to_its_last_millisecond() {
        for at in [
            "9999-12-31T23:59:59Z",
            "9999-12-31T23:59:59.999Z",
            "9999-12-31T23:59:59+01:00",
            "9999-12-31T23:59:59.999+00:00",
            "1970-01-01T00:00:00Z",
            "1970-01-01T08:00:00+08:00",
        ] {
            let loaded = load(&task(&format!("    start: {{ at: \"{at}\" }}\n")));
            assert_eq!(loaded.diagnostics, [], "{at}");
            let Start::At(scheduled) = &loaded.tasks[0].start else {
                panic!("not scheduled: {at}");
            };
            assert!(crate::instant::in_api_range(scheduled.at.as_millisecond()));
        }
        for (at, end) in [
            (
                "9999-12-31T23:59:59.999-00:01",
                "is after `9999-12-31T23:59:59.999Z`, the last instant the API accepts",
            ),
            (
                "1969-12-31T23:59:59.999Z",
                "is before `1970-01-01T00:00:00Z`, where the API's milliseconds start",
            ),
        ] {
            let text = task(&format!("    start: {{ at: \"{at}\" }}\n"));
            problems(&text, &[("datetime", 10, 18, at.len() + 2)]);
            let loaded = load(&text);
            let message = loaded.diagnostics[0].message();
            assert!(message.ends_with(end), "{message}");
            assert_eq!(loaded.diagnostics[0].problem.help(), None);
        }
    }

    /// Issue 7: `:60` was read as `:59` and sent as another instant.
    #[test]
    fn a_leap_second_is_refused_where_it_is_written() {
        let text = task("    start: { at: 2030-06-30T23:59:60Z }\n");
        problems(&text, &[("datetime", 10, 18, 20)]);
        let loaded = load(&text);
        assert_eq!(
            loaded.diagnostics[0].message(),
            "`start.at` is not a usable date-time: `2030-06-30T23:59:60Z` has `60` seconds: a \
             leap second cannot be scheduled"
        );
        assert!(
            loaded.diagnostics[0]
                .problem
                .help()
                .is_some_and(|help| help.contains("without leap seconds"))
        );
        problems(
            &task("    start: { at: \"2030-01-07T12:00:60+08:00\" }\n"),
            &[("datetime", 10, 18, 27)],
        );
    }

    #[test]
    fn a_start_in_the_past_is_for_plan_to_judge() {
        problems(
            &task("    start: { at: \"2001-01-01T09:00:00+08:00\" }\n"),
            &[],
        );
    }
}
