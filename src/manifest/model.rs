//! The validated desired state: one [`TaskSpec`] per task of the manifests.
//!
//! Manifest words only. How these map onto CreateAiCallTask parameters
//! (`TaskCps`, `CallTime`, ...) is the API layer's business; the mapping
//! table for people is in `docs/manifest.md`.

use std::fmt;
use std::ops::RangeInclusive;
use std::path::PathBuf;
use std::str::FromStr;

/// One task as the manifests describe it, defaults merged and every value
/// checked against the API's limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskSpec {
    /// The task name: its identity in the account (exact match).
    pub name: String,
    /// The agent that makes the calls.
    pub agent_id: String,
    /// The number calls come from.
    pub virtual_number: String,
    /// When the task starts.
    pub start: Start,
    /// Calls in flight at once; `None` = not managed (not sent, not compared).
    pub concurrency: Option<u32>,
    /// Days calls may be made: unique, Monday first.
    pub call_days: Vec<Weekday>,
    /// Times of day calls may be made: sorted by start, not overlapping.
    pub call_windows: Vec<Window>,
    /// Redial policy; `None` = no redial.
    pub retry: Option<Retry>,
    /// The status to keep the task in; `None` = not managed (a task stopped
    /// in the console in an emergency stays stopped).
    pub status: Option<DeclaredStatus>,
    /// Names the task had before, most recent first: when no task has
    /// `name` but one has an old name, it is renamed in place.
    pub renamed_from: Vec<String>,
    /// Where the task is written.
    pub origin: Origin,
}

impl TaskSpec {
    /// The longest task name aicall accepts, in characters (Unicode scalar
    /// values, as Alibaba Cloud's documentation counts them: `续` is one).
    ///
    /// The API documents no maximum (`aiccs-api.md` §3.1 says only "unique
    /// within the account"), but issue 7 found what happens without one: a
    /// name of 1 MiB made the HTTP client refuse the URL before sending
    /// ("not a valid Uri": it takes at most 64 KiB), and apply never
    /// converged. Every parameter travels in the query string (§1.2), and
    /// the name does on every request that carries it: the create, and the
    /// look-up by name (`QueryAiCallTaskPage` with `TaskName`) that plan
    /// and apply make. Percent-encoded, a character takes up to 12 bytes
    /// (4 UTF-8 bytes, each `%XX`), so 128 characters stay under 1.6 KB,
    /// far inside the 8 KB request line that gateways and proxies commonly
    /// allow. Sibling limits: Alibaba Cloud names its resources with 2 to
    /// 128 characters in most products (ECS instances, RAM users), while
    /// the sibling `UpdateAiOutboundTask` allows only 1 to 15; 128 is the
    /// generous one of the two, so no name the service may accept is
    /// refused for a guess. 128 Chinese characters are 256 terminal
    /// columns, which output shows whole ([`crate::diag::words::SHOWN_WIDTH`]).
    pub const MAX_NAME_CHARS: usize = 128;

    /// The calls in flight at once the API accepts (`TaskCps`).
    pub const CONCURRENCY: RangeInclusive<u32> = 1..=500;
}

/// When a task starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Start {
    /// As soon as it is created.
    Immediate,
    /// At a fixed instant.
    At(Scheduled),
}

/// A scheduled start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scheduled {
    /// The instant, in the offset it was written in; within the API's
    /// range ([`crate::instant::in_api_range`]).
    pub at: crate::instant::Instant,
    /// The date-time as written (after interpolation), for messages.
    pub written: String,
}

/// A redial policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retry {
    /// Call outcomes that trigger a redial: unique, in the API's order (§3.7).
    pub reasons: Vec<RetryReason>,
    /// Redials per number, 1–3.
    pub times: u8,
    /// Minutes between redials, 1–720.
    pub interval_minutes: u16,
}

impl Retry {
    /// The redials per number the API accepts (`CallRetryTimes`).
    pub const TIMES: RangeInclusive<u8> = 1..=3;

    /// The minutes between redials CreateAiCallTask accepts
    /// (`CallRetryInterval`).
    pub const INTERVAL_MINUTES: RangeInclusive<u16> = 1..=720;

    /// The most minutes between redials UpdateAiCallTask accepts
    /// (`aiccs-api.md` §3.8): a task created with more cannot be updated.
    pub const UPDATE_MAX_INTERVAL_MINUTES: u16 = 120;
}

/// A time window of a day during which calls are made: `start` < `end`.
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    serde::Serialize,
    serde::Deserialize,
    schemars::JsonSchema,
)]
pub struct Window {
    /// First second of the window.
    pub start: TimeOfDay,
    /// End of the window.
    pub end: TimeOfDay,
}

impl fmt::Display for Window {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start, self.end)
    }
}

/// A time of day, in seconds since midnight (0 to 86 399). Written and
/// serialised `HH:MM:SS`; read from `HH:MM` or `HH:MM:SS` by its
/// [`FromStr`], the one reader of a time of day (manifests and the
/// account's `CallTime` alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct TimeOfDay(u32);

/// Why a text is not a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TimeOfDayError {
    /// Not `HH:MM` or `HH:MM:SS` with two digits each.
    #[error("not `HH:MM` or `HH:MM:SS` with two digits each")]
    Format,
    /// The shape is right, but one part is beyond the clock.
    #[error("{part} `{value:02}` is out of range: 00 to {max}", max = .part.max())]
    OutOfRange {
        /// The part that is out of range.
        part: TimePart,
        /// Its value (two digits as written, so `{value:02}` shows it).
        value: u32,
    },
}

/// A part of a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimePart {
    /// `HH`.
    Hour,
    /// `MM`.
    Minute,
    /// `SS`.
    Second,
}

impl TimePart {
    /// The largest value the part takes, as written: `23` or `59`.
    pub fn max(self) -> &'static str {
        match self {
            TimePart::Hour => "23",
            TimePart::Minute | TimePart::Second => "59",
        }
    }
}

impl fmt::Display for TimePart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TimePart::Hour => "hour",
            TimePart::Minute => "minute",
            TimePart::Second => "second",
        })
    }
}

impl serde::Serialize for TimeOfDay {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for TimeOfDay {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<TimeOfDay, D::Error> {
        let text = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        text.parse().map_err(|_: TimeOfDayError| {
            serde::de::Error::invalid_value(serde::de::Unexpected::Str(&text), &"a time `HH:MM:SS`")
        })
    }
}

impl schemars::JsonSchema for TimeOfDay {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TimeOfDay".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "A time of day, `HH:MM:SS` (24-hour clock).",
            "type": "string",
            "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$"
        })
    }
}

impl TimeOfDay {
    /// The time `hours:minutes:seconds`, if it exists on a clock.
    pub fn new(hours: u32, minutes: u32, seconds: u32) -> Option<TimeOfDay> {
        TimeOfDay::on_clock(hours, minutes, seconds).ok()
    }

    /// The time `hours:minutes:seconds`, or the first part beyond the clock.
    fn on_clock(hours: u32, minutes: u32, seconds: u32) -> Result<TimeOfDay, TimeOfDayError> {
        for (part, value, limit) in [
            (TimePart::Hour, hours, 24),
            (TimePart::Minute, minutes, 60),
            (TimePart::Second, seconds, 60),
        ] {
            if value >= limit {
                return Err(TimeOfDayError::OutOfRange { part, value });
            }
        }
        Ok(TimeOfDay(hours * 3600 + minutes * 60 + seconds))
    }

    /// Seconds since midnight.
    pub fn seconds(self) -> u32 {
        self.0
    }
}

impl fmt::Display for TimeOfDay {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (h, m, s) = (self.0 / 3600, self.0 / 60 % 60, self.0 % 60);
        write!(f, "{h:02}:{m:02}:{s:02}")
    }
}

impl FromStr for TimeOfDay {
    type Err = TimeOfDayError;

    /// `HH:MM` or `HH:MM:SS`, two digits each; the error names the part
    /// that is out of range when the shape is right.
    fn from_str(text: &str) -> Result<TimeOfDay, TimeOfDayError> {
        let mut values = [0; 3];
        let mut count = 0;
        for part in text.split(':') {
            let digits = part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit());
            let slot = values.get_mut(count).ok_or(TimeOfDayError::Format)?;
            *slot = part
                .parse()
                .ok()
                .filter(|_| digits)
                .ok_or(TimeOfDayError::Format)?;
            count += 1;
        }
        if count < 2 {
            return Err(TimeOfDayError::Format);
        }
        let [hours, minutes, seconds] = values;
        TimeOfDay::on_clock(hours, minutes, seconds)
    }
}

/// Where a task is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// The file, as the user named it (or as found below a directory).
    pub file: PathBuf,
    /// The document in the file, from 1.
    pub document: usize,
    /// 1-based line of the task's `name` value.
    pub line: u32,
    /// 1-based character column of the task's `name` value.
    pub column: u32,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file.display(), self.line, self.column)
    }
}

/// Declares a closed set of upper-case words (days, retry reasons) with
/// `as_str`, `FromStr`, `ALL` and a JSON Schema enum.
macro_rules! words {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident = $word:literal, )+ }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
                 serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
        pub enum $name {
            $( $(#[$vmeta])* #[serde(rename = $word)] $variant, )+
        }

        impl $name {
            /// Every value, in canonical order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// Every value as written in manifests and on the wire.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            /// The word as written in manifests and on the wire.
            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl FromStr for $name {
            type Err = ();

            /// Exact, case-sensitive, as the API compares them.
            fn from_str(word: &str) -> Result<$name, ()> {
                match word {
                    $($word => Ok($name::$variant),)+
                    _ => Err(()),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

words! {
    /// A day of the week on which calls are made (`CallDay`).
    pub enum Weekday {
        /// Monday.
        Monday = "MONDAY",
        /// Tuesday.
        Tuesday = "TUESDAY",
        /// Wednesday.
        Wednesday = "WEDNESDAY",
        /// Thursday.
        Thursday = "THURSDAY",
        /// Friday.
        Friday = "FRIDAY",
        /// Saturday.
        Saturday = "SATURDAY",
        /// Sunday.
        Sunday = "SUNDAY",
    }
}

words! {
    /// A call outcome that triggers a redial (`CallRetryReason`, §3.7 order).
    pub enum RetryReason {
        /// The callee rejected the call.
        CallRejected = "CALL_REJECTED",
        /// The line was busy.
        UserBusy = "USER_BUSY",
        /// The number is suspended.
        Suspend = "SUSPEND",
        /// The number does not exist.
        InvalidNumber = "INVALID_NUMBER",
        /// The phone was off.
        PoweredOff = "POWERED_OFF",
        /// The network was busy.
        NetworkBusy = "NETWORK_BUSY",
        /// Nobody answered.
        NoAnswer = "NO_ANSWER",
    }
}

words! {
    /// The status a manifest declares for a task (`status`).
    pub enum DeclaredStatus {
        /// Calling: started if stopped, never started early.
        Running = "running",
        /// Not calling: stopped if running or waiting to start.
        Stopped = "stopped",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_of_day_take_two_digit_fields_and_print_seconds() {
        assert_eq!(
            "09:00".parse::<TimeOfDay>().unwrap().to_string(),
            "09:00:00"
        );
        assert_eq!("23:59:59".parse::<TimeOfDay>().unwrap().seconds(), 86_399);
        for bad in [
            "9:00",
            "24:00",
            "12:60",
            "12:00:60",
            "12",
            "12:00:00:00",
            "ab:cd",
            "+1:00",
        ] {
            assert!(bad.parse::<TimeOfDay>().is_err(), "{bad}");
        }
    }

    #[test]
    fn a_time_of_day_out_of_range_names_its_part() {
        let error = |text: &str| text.parse::<TimeOfDay>().unwrap_err();
        let out_of_range = |part, value| TimeOfDayError::OutOfRange { part, value };
        assert_eq!(error("25:00"), out_of_range(TimePart::Hour, 25));
        assert_eq!(error("12:60"), out_of_range(TimePart::Minute, 60));
        assert_eq!(error("12:00:75"), out_of_range(TimePart::Second, 75));
        assert_eq!(
            error("25:00").to_string(),
            "hour `25` is out of range: 00 to 23"
        );
        assert_eq!(
            error("07:99").to_string(),
            "minute `99` is out of range: 00 to 59"
        );
        // A malformed shape is a format error, even with a large number.
        for bad in ["9:00", "12", "12:00:00:00", "ab:cd", "+1:00", "99:9", ""] {
            assert_eq!(error(bad), TimeOfDayError::Format, "{bad}");
        }
        assert_eq!(
            "00:00:00".parse::<TimeOfDay>().map(TimeOfDay::seconds),
            Ok(0)
        );
    }

    #[test]
    fn words_round_trip_in_canonical_order() {
        for day in Weekday::ALL {
            assert_eq!(day.as_str().parse::<Weekday>(), Ok(*day));
        }
        assert!("monday".parse::<Weekday>().is_err());
        assert_eq!(RetryReason::ALL.first(), Some(&RetryReason::CallRejected));
        assert_eq!(RetryReason::WORDS.last(), Some(&"NO_ANSWER"));
        assert!(Weekday::Monday < Weekday::Sunday);
    }
}
