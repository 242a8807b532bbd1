//! Comparing what a manifest asks for with what the account holds.
//!
//! Both sides arrive as [`TaskConfig`] values already normalised by their
//! adapters (day order, `HH:MM:SS`, retry reasons in the API's order, retry
//! off with leftovers collapsed to off), so a task that matches compares
//! equal field by field and is never reported as drift. A field the
//! manifest leaves unset is not managed; a field the account does not report
//! cannot be verified and is listed as such, never guessed.

use jiff::Timestamp;
use jiff::fmt::temporal::Pieces;

use super::model::{FieldChange, FieldValue, Retry, StartConfig, TaskConfig, WindowConfig};

/// The outcome of comparing one task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Fields that differ, in the manifest's field order.
    pub changes: Vec<FieldChange>,
    /// Managed fields the account did not report.
    pub unverified: Vec<String>,
}

impl Comparison {
    /// Whether the task matches on every field that could be compared.
    pub fn matches(&self) -> bool {
        self.changes.is_empty()
    }
}

/// Compares `desired` (the manifest) with `observed` (the account).
pub fn compare(desired: &TaskConfig, observed: &TaskConfig) -> Comparison {
    let mut out = Comparison::default();
    match (&desired.start, &observed.start) {
        (None, _) => {}
        (Some(_), None) => out.unverified.push("start".to_owned()),
        (Some(want), Some(have)) if same_start(want, have) => {}
        (Some(want), Some(have)) => {
            let offset = start_offset(want);
            out.changes.push(FieldChange {
                field: "start".to_owned(),
                account: start_value(have, offset),
                manifest: start_value(want, None),
            });
        }
    }
    let mut field =
        |name: &str, want: Option<FieldValue>, have: Option<FieldValue>| match (want, have) {
            (None, _) => {}
            (Some(_), None) => out.unverified.push(name.to_owned()),
            (Some(want), Some(have)) if want == have => {}
            (Some(want), Some(have)) => out.changes.push(FieldChange {
                field: name.to_owned(),
                account: have,
                manifest: want,
            }),
        };

    field("agentId", text(&desired.agent_id), text(&observed.agent_id));
    field(
        "virtualNumber",
        text(&desired.virtual_number),
        text(&observed.virtual_number),
    );
    field(
        "concurrency",
        desired.concurrency.map(|c| FieldValue::Text(c.to_string())),
        // Only compared when the manifest manages it.
        desired
            .concurrency
            .and(observed.concurrency)
            .map(|c| FieldValue::Text(c.to_string())),
    );
    field(
        "callDays",
        desired.call_days.clone().map(FieldValue::List),
        observed.call_days.clone().map(FieldValue::List),
    );
    field(
        "callWindows",
        desired.call_windows.as_deref().map(windows_value),
        observed.call_windows.as_deref().map(windows_value),
    );
    match (&desired.retry, &observed.retry) {
        (
            Some(Retry::On {
                reasons: want_reasons,
                times: want_times,
                interval_minutes: want_interval,
            }),
            Some(Retry::On {
                reasons: have_reasons,
                times: have_times,
                interval_minutes: have_interval,
            }),
        ) => {
            field(
                "retry.reasons",
                Some(FieldValue::List(want_reasons.clone())),
                Some(FieldValue::List(have_reasons.clone())),
            );
            field(
                "retry.times",
                Some(FieldValue::Text(want_times.to_string())),
                Some(FieldValue::Text(have_times.to_string())),
            );
            field(
                "retry.intervalMinutes",
                Some(FieldValue::Text(want_interval.to_string())),
                Some(FieldValue::Text(have_interval.to_string())),
            );
        }
        (want, have) => field(
            "retry",
            want.as_ref().map(retry_value),
            have.as_ref().map(retry_value),
        ),
    }
    out
}

/// Every field of a configuration as it is displayed, in manifest order:
/// what a `create` entry shows.
pub fn fields(config: &TaskConfig) -> Vec<(&'static str, FieldValue)> {
    let mut out = Vec::new();
    let mut push = |name, value: Option<FieldValue>| {
        if let Some(value) = value {
            out.push((name, value));
        }
    };
    push("agentId", text(&config.agent_id));
    push("virtualNumber", text(&config.virtual_number));
    push("start", config.start.as_ref().map(|s| start_value(s, None)));
    // An unset concurrency is shown, as not sent, so nobody wonders.
    push(
        "concurrency",
        Some(
            config
                .concurrency
                .map_or(FieldValue::Absent, |c| FieldValue::Text(c.to_string())),
        ),
    );
    push("callDays", config.call_days.clone().map(FieldValue::List));
    push(
        "callWindows",
        config.call_windows.as_deref().map(windows_value),
    );
    push("retry", config.retry.as_ref().map(retry_value));
    out
}

fn text(value: &Option<String>) -> Option<FieldValue> {
    value.clone().map(FieldValue::Text)
}

/// A window as displayed and compared: `09:00:00-12:00:00`.
pub fn window_text(window: &WindowConfig) -> String {
    format!("{}-{}", window.start, window.end)
}

fn windows_value(windows: &[WindowConfig]) -> FieldValue {
    FieldValue::List(windows.iter().map(window_text).collect())
}

/// Scheduled starts compare by instant, whatever offset each side wrote.
fn same_start(a: &StartConfig, b: &StartConfig) -> bool {
    match (a, b) {
        (StartConfig::Immediate, StartConfig::Immediate) => true,
        (StartConfig::Scheduled { at_ms: x, .. }, StartConfig::Scheduled { at_ms: y, .. }) => {
            x == y
        }
        _ => false,
    }
}

/// The account's side is shown in the manifest's offset when there is one,
/// so two times that differ read in the same clock.
fn start_value(start: &StartConfig, offset: Option<jiff::tz::Offset>) -> FieldValue {
    match start {
        StartConfig::Immediate => FieldValue::Text("immediate".to_owned()),
        StartConfig::Scheduled { at, at_ms } => {
            let shown = match (offset, Timestamp::from_millisecond(*at_ms)) {
                (Some(offset), Ok(ts)) => ts.display_with_offset(offset).to_string(),
                _ => at.clone(),
            };
            FieldValue::Text(shown)
        }
    }
}

fn start_offset(start: &StartConfig) -> Option<jiff::tz::Offset> {
    match start {
        StartConfig::Immediate => None,
        StartConfig::Scheduled { at, .. } => Pieces::parse(at.as_str())
            .ok()
            .and_then(|p| p.offset())
            .map(|o| o.to_numeric_offset()),
    }
}

fn retry_value(retry: &Retry) -> FieldValue {
    match retry {
        Retry::Off => FieldValue::Text("off".to_owned()),
        Retry::On {
            reasons,
            times,
            interval_minutes,
        } => FieldValue::Text(format!(
            "{} × {times}, every {interval_minutes} min",
            reasons.join(", ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn days(list: &[&str]) -> Option<Vec<String>> {
        Some(list.iter().map(|d| (*d).to_owned()).collect())
    }

    use crate::plan::model::fixtures::{config, start_ms as at_ms};

    #[test]
    fn equal_configurations_match() {
        assert_eq!(compare(&config(), &config()), Comparison::default());
    }

    #[test]
    fn the_same_instant_in_another_offset_matches() {
        let mut observed = config();
        observed.start = Some(StartConfig::Scheduled {
            at: "2030-12-01T01:00:00Z".to_owned(),
            at_ms: at_ms(),
        });
        assert!(compare(&config(), &observed).matches());
    }

    #[test]
    fn a_different_instant_is_shown_in_the_manifest_offset() {
        let mut observed = config();
        observed.start = Some(StartConfig::Scheduled {
            at: String::new(),
            at_ms: at_ms() + 3_600_000,
        });
        let comparison = compare(&config(), &observed);
        let [change] = comparison.changes.as_slice() else {
            panic!("one change expected: {comparison:?}");
        };
        let FieldValue::Text(account) = &change.account else {
            panic!("text expected")
        };
        assert_eq!(account, "2030-12-01T10:00:00+08:00");
    }

    #[test]
    fn unreported_fields_are_unverified_not_drift() {
        let mut observed = config();
        observed.virtual_number = None;
        observed.concurrency = None;
        let comparison = compare(&config(), &observed);
        assert!(comparison.matches());
        assert_eq!(comparison.unverified, ["virtualNumber", "concurrency"]);
    }

    #[test]
    fn unmanaged_concurrency_is_not_compared() {
        let mut desired = config();
        desired.concurrency = None;
        let mut observed = config();
        observed.concurrency = Some(7);
        assert_eq!(compare(&desired, &observed), Comparison::default());
    }

    #[test]
    fn retry_fields_are_compared_one_by_one() {
        let mut observed = config();
        observed.retry = Some(Retry::On {
            reasons: vec!["USER_BUSY".to_owned()],
            times: 3,
            interval_minutes: 30,
        });
        let names: Vec<_> = compare(&config(), &observed)
            .changes
            .into_iter()
            .map(|c| c.field)
            .collect();
        assert_eq!(names, ["retry.reasons", "retry.times"]);
    }

    #[test]
    fn retry_off_against_on_is_one_change() {
        let mut observed = config();
        observed.retry = Some(Retry::Off);
        let changes = compare(&config(), &observed).changes;
        assert_eq!(changes.len(), 1);
        assert_eq!(changes[0].field, "retry");
        assert_eq!(changes[0].account, FieldValue::Text("off".to_owned()));
    }

    #[test]
    fn list_differences_are_reported() {
        let mut observed = config();
        observed.call_days = days(&["MONDAY", "SATURDAY"]);
        let changes = compare(&config(), &observed).changes;
        assert_eq!(changes[0].field, "callDays");
        assert_eq!(
            changes[0].account,
            FieldValue::List(vec!["MONDAY".to_owned(), "SATURDAY".to_owned()])
        );
    }
}
