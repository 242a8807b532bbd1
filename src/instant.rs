//! An instant as the API counts it (`TaskStartTime`, `aiccs-api.md` §3.1):
//! milliseconds since the Unix epoch, from [`FIRST_MS`] to [`LAST_MS`]
//! (`9999-12-31T23:59:59.999Z`), written as an RFC 3339 date-time with its
//! UTC offset.
//!
//! Why not `jiff::Timestamp`: its range stops at
//! `9999-12-30T22:00:00.999999999Z`, so that any timestamp plus any offset
//! (up to ±25:59:59) is still a civil date-time of year 9999. The API goes
//! to the last millisecond of 9999, and issue 7 found `9999-12-31T23:59:59Z`
//! refused as "not an RFC 3339 date-time" and `9999-12-31T23:59:59+01:00`
//! told it had no offset. An [`Instant`] is a civil date-time (whose range
//! does reach 9999-12-31) in a fixed offset, and the milliseconds are
//! counted from the civil difference to the epoch, never through a
//! `Timestamp`.
//!
//! Leap seconds: jiff reads `23:59:60` and silently clamps it to `:59`.
//! The API's milliseconds have no leap seconds, so a written `60` is
//! refused ([`Unreadable::LeapSecond`]), never sent as another instant.
//!
//! Used by validation (reading `start.at`) and by the plan (showing
//! `atMs` in the manifest's offset, and reading a saved plan's `at`);
//! nothing here does I/O.

use std::fmt;

use jiff::SignedDuration;
use jiff::civil::DateTime;
use jiff::fmt::temporal::Pieces;
use jiff::tz::Offset;

/// The first instant the API counts: the Unix epoch.
pub const FIRST_MS: i64 = 0;

/// The last instant the API accepts: `9999-12-31T23:59:59.999Z`.
pub const LAST_MS: i64 = 253_402_300_799_999;

/// The Unix epoch as a civil date-time in UTC.
const EPOCH: DateTime = DateTime::constant(1970, 1, 1, 0, 0, 0, 0);

/// A civil date-time in a fixed UTC offset: one instant, and the clock it
/// is read on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Instant {
    datetime: DateTime,
    offset: Offset,
}

/// Why a text is not an [`Instant`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unreadable {
    /// Not an RFC 3339 date-time (nor any date-time jiff reads).
    Format,
    /// A date-time without a UTC offset.
    NoOffset,
    /// A date-time with `60` seconds.
    LeapSecond,
}

impl Instant {
    /// Reads an RFC 3339 date-time with its offset (`Z` or `±HH:MM`; jiff's
    /// Temporal grammar, so a space for the `T` and a trailing
    /// `[time zone]` annotation are read too).
    pub fn parse(text: &str) -> Result<Instant, Unreadable> {
        let pieces = Pieces::parse(text).map_err(|_| Unreadable::Format)?;
        let (Some(time), Some(offset)) = (pieces.time(), pieces.offset()) else {
            return Err(if pieces.offset().is_none() {
                Unreadable::NoOffset
            } else {
                Unreadable::Format
            });
        };
        if written_seconds(text) == Some(60) {
            return Err(Unreadable::LeapSecond);
        }
        Ok(Instant {
            datetime: pieces.date().to_datetime(time),
            offset: offset.to_numeric_offset(),
        })
    }

    /// The instant `ms` milliseconds after the epoch, on the clock of
    /// `offset`; `None` when that clock would read beyond year 9999 or
    /// before year -9999.
    pub fn from_millisecond(ms: i64, offset: Offset) -> Option<Instant> {
        let local = ms.checked_add(i64::from(offset.seconds()) * 1000)?;
        let datetime = EPOCH.checked_add(SignedDuration::from_millis(local)).ok()?;
        Some(Instant { datetime, offset })
    }

    /// Whole milliseconds since the epoch (finer fractions are dropped:
    /// see [`Instant::is_whole_millisecond`]).
    pub fn as_millisecond(&self) -> i64 {
        let local = self.datetime.duration_since(EPOCH);
        let utc = local - SignedDuration::from_secs(i64::from(self.offset.seconds()));
        // Fractions below a millisecond round towards the past.
        let millis = utc.as_nanos().div_euclid(1_000_000);
        i64::try_from(millis).unwrap_or(if millis < 0 { i64::MIN } else { i64::MAX })
    }

    /// Whether it falls on a whole millisecond, as the API counts.
    pub fn is_whole_millisecond(&self) -> bool {
        self.datetime.subsec_nanosecond() % 1_000_000 == 0
    }

    /// The offset it was written in.
    pub fn offset(&self) -> Offset {
        self.offset
    }
}

/// Whether the API accepts `ms` as a `TaskStartTime`.
pub fn in_api_range(ms: i64) -> bool {
    (FIRST_MS..=LAST_MS).contains(&ms)
}

/// RFC 3339: `Z` for UTC, else `±HH:MM` (and `:SS` for an offset with
/// seconds); fractions of a second only when there are any.
impl fmt::Display for Instant {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.datetime)?;
        if self.offset == Offset::UTC {
            return f.write_str("Z");
        }
        let total = self.offset.seconds();
        let sign = if total < 0 { '-' } else { '+' };
        let total = total.unsigned_abs();
        let (hours, minutes, seconds) = (total / 3600, total / 60 % 60, total % 60);
        write!(f, "{sign}{hours:02}:{minutes:02}")?;
        if seconds != 0 {
            write!(f, ":{seconds:02}")?;
        }
        Ok(())
    }
}

/// The seconds of the time of day as written, when they can be found: the
/// two digits after the hour and minute, `:`-separated (`T23:59:60Z`) or
/// not (`T235960Z`). jiff has already clamped a `60` by the time it hands
/// the time over.
fn written_seconds(text: &str) -> Option<u32> {
    let (_, time) = text.split_once(['T', 't', ' '])?;
    let digits: String = time
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':')
        .filter(char::is_ascii_digit)
        .collect();
    digits.get(4..6)?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(text: &str) -> i64 {
        Instant::parse(text).unwrap().as_millisecond()
    }

    #[test]
    fn the_edges_of_the_api_range_are_read_and_written() {
        assert_eq!(ms("9999-12-31T23:59:59.999Z"), LAST_MS);
        assert_eq!(ms("9999-12-31T23:59:59Z"), LAST_MS - 999);
        assert_eq!(ms("9999-12-31T23:59:59.999+00:00"), LAST_MS);
        assert_eq!(ms("9999-12-31T23:59:59+01:00"), LAST_MS - 999 - 3_600_000);
        assert_eq!(ms("9999-12-31T23:59:59.999-00:01"), LAST_MS + 60_000);
        assert_eq!(ms("1970-01-01T00:00:00Z"), FIRST_MS);
        assert_eq!(ms("1970-01-01T08:00:00+08:00"), FIRST_MS);
        assert_eq!(ms("1970-01-01T00:59:59.999+01:00"), -1);
        assert!(in_api_range(LAST_MS) && in_api_range(FIRST_MS));
        assert!(!in_api_range(LAST_MS + 1) && !in_api_range(FIRST_MS - 1));

        let last = Instant::from_millisecond(LAST_MS, Offset::UTC).unwrap();
        assert_eq!(last.to_string(), "9999-12-31T23:59:59.999Z");
        let plus_one = Offset::from_hours(1).unwrap();
        let shown = Instant::from_millisecond(LAST_MS - 999 - 3_600_000, plus_one).unwrap();
        assert_eq!(shown.to_string(), "9999-12-31T23:59:59+01:00");
        // The last instant on a clock east of UTC is in year 10000.
        assert_eq!(Instant::from_millisecond(LAST_MS, plus_one), None);
        assert_eq!(
            Instant::from_millisecond(FIRST_MS, Offset::UTC)
                .unwrap()
                .to_string(),
            "1970-01-01T00:00:00Z"
        );
    }

    #[test]
    fn what_is_written_round_trips() {
        for text in [
            "2030-12-01T09:00:00+08:00",
            "2030-12-01T01:00:00.5Z",
            "2030-12-01T09:00:00-05:30",
            "9999-12-31T23:59:59.999Z",
        ] {
            let instant = Instant::parse(text).unwrap();
            assert_eq!(instant.to_string(), text);
            let again = Instant::from_millisecond(instant.as_millisecond(), instant.offset());
            assert_eq!(again, Some(instant));
        }
        assert_eq!(ms("2030-12-01 09:00:00+08:00"), 1_922_317_200_000);
        assert_eq!(
            ms("2030-12-01T09:00:00+08:00[Asia/Shanghai]"),
            1_922_317_200_000
        );
    }

    #[test]
    fn leap_seconds_missing_offsets_and_other_texts_are_refused() {
        for text in [
            "2030-06-30T23:59:60Z",
            "2030-01-07T12:00:60+08:00",
            "2030-06-30T23:59:60.5Z",
            "20300630T235960Z",
        ] {
            assert_eq!(Instant::parse(text), Err(Unreadable::LeapSecond), "{text}");
        }
        assert_eq!(ms("2030-06-30T23:59:59Z") % 60_000, 59_000);
        assert_eq!(
            Instant::parse("2030-01-01T09:00:00"),
            Err(Unreadable::NoOffset)
        );
        assert_eq!(Instant::parse("2030-01-01"), Err(Unreadable::NoOffset));
        for text in [
            "tomorrow",
            "2030-01-01T25:00:00Z",
            "10000-01-01T00:00:00Z",
            "",
        ] {
            assert_eq!(Instant::parse(text), Err(Unreadable::Format), "{text}");
        }
        assert!(
            !Instant::parse("2030-01-01T09:00:00.0001Z")
                .unwrap()
                .is_whole_millisecond()
        );
    }
}
