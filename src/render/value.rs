//! A field's typed value as people read it: one text, or a list diffed
//! item by item. Every rendering (text, Markdown) shows values through
//! here, so a start, a window or a retry policy reads the same everywhere.

use jiff::tz::Offset;

use crate::diag::words::shorten;

use crate::manifest::field::Field;
use crate::plan::model::{Retry, Start, TaskConfig};

/// A value shaped for display and diffing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Shown {
    /// The field is not set.
    Absent,
    /// A single value.
    Text(String),
    /// A list of values, in canonical order.
    List(Vec<String>),
}

impl Shown {
    /// The value on one line, shortened when it is wider than
    /// [`crate::diag::words::SHOWN_WIDTH`] (issue 7: a value of a megabyte is not shown whole).
    pub fn one_line(&self) -> String {
        match self {
            Shown::Absent => "(not set)".to_owned(),
            Shown::Text(text) => shorten(text).into_owned(),
            Shown::List(items) => shorten(&items.join(", ")).into_owned(),
        }
    }
}

/// `field`'s value in `config`, `None` when the field is not set there.
/// A scheduled start is shown in `offset` when one is given (so the
/// account's start reads in the manifest's clock), else in its own.
pub fn shown(config: &TaskConfig, field: Field, offset: Option<Offset>) -> Option<Shown> {
    let retry_on = || match &config.retry {
        Some(Retry::On {
            reasons,
            times,
            interval_minutes,
        }) => Some((reasons, times, interval_minutes)),
        _ => None,
    };
    Some(match field {
        // Not part of a configuration: shown by the entry itself.
        Field::Name | Field::Status | Field::RenamedFrom => return None,
        Field::AgentId => Shown::Text(config.agent_id.clone()?),
        Field::VirtualNumber => Shown::Text(config.virtual_number.clone()?),
        Field::Start => Shown::Text(start(config.start.as_ref()?, offset)),
        Field::Concurrency => Shown::Text(config.concurrency?.to_string()),
        Field::CallDays => Shown::List(
            config
                .call_days
                .as_ref()?
                .iter()
                .map(|d| d.as_str().to_owned())
                .collect(),
        ),
        Field::CallWindows => Shown::List(
            config
                .call_windows
                .as_ref()?
                .iter()
                .map(ToString::to_string)
                .collect(),
        ),
        Field::Retry => Shown::Text(retry(config.retry.as_ref()?)),
        Field::RetryReasons => Shown::List(
            retry_on()?
                .0
                .iter()
                .map(|r| r.as_str().to_owned())
                .collect(),
        ),
        Field::RetryTimes => Shown::Text(retry_on()?.1.to_string()),
        Field::RetryIntervalMinutes => Shown::Text(retry_on()?.2.to_string()),
    })
}

/// Every field a create sends, in the reference's order. An unset
/// concurrency is listed as absent, so nobody wonders.
pub fn create_fields(config: &TaskConfig) -> Vec<(Field, Shown)> {
    Field::CONFIG
        .iter()
        .copied()
        .filter_map(|field| match shown(config, field, None) {
            Some(value) => Some((field, value)),
            None if field == Field::Concurrency => Some((field, Shown::Absent)),
            None => None,
        })
        .collect()
}

/// The offset a configuration's scheduled start is written in.
pub fn start_offset(config: &TaskConfig) -> Option<Offset> {
    match config.start {
        Some(Start::Scheduled(start)) => Some(start.offset()),
        _ => None,
    }
}

fn start(start: &Start, offset: Option<Offset>) -> String {
    match start {
        Start::Immediate => "immediate".to_owned(),
        Start::Scheduled(at) => at.rfc3339_in(offset.unwrap_or_else(|| at.offset())),
    }
}

fn retry(retry: &Retry) -> String {
    match retry {
        Retry::Off => "off".to_owned(),
        Retry::On {
            reasons,
            times,
            interval_minutes,
        } => {
            let reasons: Vec<&str> = reasons.iter().map(|r| r.as_str()).collect();
            format!(
                "{} × {times}, every {interval_minutes} min",
                reasons.join(", ")
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::model::ScheduledStart;
    use crate::testing::{config, start_ms};

    #[test]
    fn values_read_as_the_manifest_writes_them() {
        let config = config();
        let text = |field| shown(&config, field, None).map(|v| v.one_line());
        assert_eq!(
            text(Field::Start).as_deref(),
            Some("2030-12-01T09:00:00+08:00")
        );
        assert_eq!(
            text(Field::CallWindows).as_deref(),
            Some("09:00:00-12:00:00, 14:00:00-18:00:00")
        );
        assert_eq!(
            text(Field::Retry).as_deref(),
            Some("USER_BUSY, NO_ANSWER × 2, every 30 min")
        );
        assert_eq!(text(Field::RetryTimes).as_deref(), Some("2"));
    }

    #[test]
    fn the_accounts_start_is_shown_in_the_manifests_clock() {
        let mut account = config();
        account.start = Some(Start::Scheduled(ScheduledStart {
            at_ms: start_ms() + 3_600_000,
            offset_seconds: 0,
        }));
        let offset = start_offset(&config());
        assert_eq!(
            shown(&account, Field::Start, offset),
            Some(Shown::Text("2030-12-01T10:00:00+08:00".to_owned()))
        );
        assert_eq!(
            shown(&account, Field::Start, None),
            Some(Shown::Text("2030-12-01T02:00:00Z".to_owned()))
        );
    }
}
