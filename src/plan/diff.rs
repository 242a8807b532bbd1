//! Comparing what a manifest asks for with what the account holds.
//!
//! Both sides arrive as [`TaskConfig`] values already normalised by their
//! adapters (day order, window order, retry reasons in the API's order,
//! retry off with leftovers collapsed to off), so a task that matches
//! compares equal field by field and is never reported as drift. A field
//! the manifest leaves unset is not managed; a field the account does not
//! report cannot be verified and is listed as such, never guessed. The
//! result names fields, not values: the values are in the two configs, and
//! showing them is the renderers' business.

use crate::manifest::field::Field;

use super::model::{Retry, Start, TaskConfig};

/// The outcome of comparing one task.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Comparison {
    /// Fields that differ, in the manifest reference's order.
    pub changes: Vec<Field>,
    /// Managed fields the account did not report.
    pub unverified: Vec<Field>,
}

impl Comparison {
    /// Whether the task matches on every field that could be compared.
    pub fn matches(&self) -> bool {
        self.changes.is_empty()
    }

    fn field<T>(
        &mut self,
        field: Field,
        want: Option<&T>,
        have: Option<&T>,
        same: fn(&T, &T) -> bool,
    ) {
        match (want, have) {
            (None, _) => {}
            (Some(_), None) => self.unverified.push(field),
            (Some(want), Some(have)) if same(want, have) => {}
            (Some(_), Some(_)) => self.changes.push(field),
        }
    }
}

/// Compares `desired` (the manifest) with `observed` (the account).
pub fn compare(desired: &TaskConfig, observed: &TaskConfig) -> Comparison {
    let mut out = Comparison::default();
    out.field(
        Field::AgentId,
        desired.agent_id.as_ref(),
        observed.agent_id.as_ref(),
        PartialEq::eq,
    );
    out.field(
        Field::VirtualNumber,
        desired.virtual_number.as_ref(),
        observed.virtual_number.as_ref(),
        PartialEq::eq,
    );
    out.field(
        Field::Start,
        desired.start.as_ref(),
        observed.start.as_ref(),
        same_start,
    );
    out.field(
        Field::Concurrency,
        desired.concurrency.as_ref(),
        observed.concurrency.as_ref(),
        PartialEq::eq,
    );
    out.field(
        Field::CallDays,
        desired.call_days.as_ref(),
        observed.call_days.as_ref(),
        PartialEq::eq,
    );
    out.field(
        Field::CallWindows,
        desired.call_windows.as_ref(),
        observed.call_windows.as_ref(),
        PartialEq::eq,
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
            out.field(
                Field::RetryReasons,
                Some(want_reasons),
                Some(have_reasons),
                PartialEq::eq,
            );
            out.field(
                Field::RetryTimes,
                Some(want_times),
                Some(have_times),
                PartialEq::eq,
            );
            out.field(
                Field::RetryIntervalMinutes,
                Some(want_interval),
                Some(have_interval),
                PartialEq::eq,
            );
        }
        (want, have) => out.field(Field::Retry, want.as_ref(), have.as_ref(), PartialEq::eq),
    }
    out
}

/// Scheduled starts compare by instant, whatever offset each side is
/// shown in.
fn same_start(a: &Start, b: &Start) -> bool {
    match (a, b) {
        (Start::Immediate, Start::Immediate) => true,
        (Start::Scheduled(x), Start::Scheduled(y)) => x.at_ms == y.at_ms,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::model::{RetryReason, Weekday};
    use crate::plan::model::ScheduledStart;
    use crate::testing::{config, start_ms as at_ms};

    #[test]
    fn equal_configurations_match() {
        assert_eq!(compare(&config(), &config()), Comparison::default());
    }

    #[test]
    fn the_same_instant_in_another_offset_matches() {
        let mut observed = config();
        observed.start = Some(Start::Scheduled(ScheduledStart {
            at_ms: at_ms(),
            offset_seconds: 0,
        }));
        assert!(compare(&config(), &observed).matches());
    }

    #[test]
    fn a_different_instant_is_a_change_of_start() {
        let mut observed = config();
        observed.start = Some(Start::Scheduled(ScheduledStart {
            at_ms: at_ms() + 3_600_000,
            offset_seconds: 0,
        }));
        assert_eq!(compare(&config(), &observed).changes, [Field::Start]);
    }

    #[test]
    fn unreported_fields_are_unverified_not_drift() {
        let mut observed = config();
        observed.virtual_number = None;
        observed.concurrency = None;
        let comparison = compare(&config(), &observed);
        assert!(comparison.matches());
        assert_eq!(
            comparison.unverified,
            [Field::VirtualNumber, Field::Concurrency]
        );
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
            reasons: vec![RetryReason::UserBusy],
            times: 3,
            interval_minutes: 30,
        });
        assert_eq!(
            compare(&config(), &observed).changes,
            [Field::RetryReasons, Field::RetryTimes]
        );
    }

    #[test]
    fn retry_off_against_on_is_one_change() {
        let mut observed = config();
        observed.retry = Some(Retry::Off);
        assert_eq!(compare(&config(), &observed).changes, [Field::Retry]);
    }

    #[test]
    fn list_differences_are_reported() {
        let mut observed = config();
        observed.call_days = Some(vec![Weekday::Monday, Weekday::Saturday]);
        assert_eq!(compare(&config(), &observed).changes, [Field::CallDays]);
    }
}
