//! The one-line message of each [`Problem`]: lowercase, no final full
//! stop, names and values in backticks, the value as written.

use std::fmt;

use crate::diag::words::{reveal, shorten};
use crate::diag::{
    DatetimeFlaw, FileKind, InterpolationFlaw, LinkFlaw, LookalikeFlaw, NameFlaw, Problem,
    RenameFlaw, Scope, join_or,
};
use crate::instant::{self, Instant};
use crate::manifest::field::Field;
use crate::manifest::model::{Retry, TimeOfDayError};

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Syntax { message } => write!(f, "invalid YAML: {}", shorten(message)),
            Problem::TabIndentation => f.write_str("invalid YAML: a tab in the indentation"),
            Problem::Read { message } => write!(f, "cannot read the file: {message}"),
            Problem::NotAFile { kind } => write!(
                f,
                "the path is {}, not a regular file: skipped",
                match kind {
                    FileKind::Fifo => "a FIFO (named pipe)",
                    FileKind::Socket => "a socket",
                    FileKind::Device => "a device",
                    FileKind::Other => "neither a file nor a directory",
                }
            ),
            Problem::BrokenLink { flaw } => match flaw {
                LinkFlaw::Dangling { target } => write!(
                    f,
                    "the path is a symbolic link to `{}`, which does not exist: skipped",
                    shorten(target)
                ),
                LinkFlaw::Loop => {
                    f.write_str("the path is a symbolic link that leads back to itself: skipped")
                }
                LinkFlaw::Ancestor { target } => write!(
                    f,
                    "the path is a symbolic link to `{target}`, a directory that contains it: \
                     skipped"
                ),
            },
            Problem::Encoding => f.write_str("the file is not valid UTF-8"),
            Problem::TooLarge { size, limit } => write!(
                f,
                "the file is {size} bytes; aicall reads manifests up to {limit} bytes"
            ),
            Problem::AliasLimit { limit } => write!(
                f,
                "aliases expand to more than {limit} nodes (a \"billion laughs\" file?)"
            ),
            Problem::TooDeep { limit } => {
                write!(f, "collections nest deeper than {limit} levels")
            }
            Problem::RecursiveAlias { name } => write!(
                f,
                "alias `*{}` refers to a collection that contains it",
                shorten(name)
            ),
            Problem::Tag { tag } => write!(f, "unsupported tag `{}`", shorten(tag)),
            Problem::DuplicateKey { key } => write!(f, "duplicate key `{}`", shorten(key)),
            Problem::UnknownKey { key, scope, .. } => {
                write!(f, "unknown key `{}` {scope}", shorten(key))
            }
            Problem::Type {
                field,
                expected,
                found,
                ..
            } => write!(f, "`{field}` must be {expected}, found {}", shorten(found)),
            Problem::NotManifest { found } => write!(
                f,
                "a manifest must be a mapping with `version` and `tasks`, found {}",
                shorten(found)
            ),
            Problem::Missing { fields, scope } => {
                let fields = join_or(fields.iter().map(|field| format!("`{field}`")));
                match scope {
                    Scope::TopLevel => write!(f, "the document has no {fields}"),
                    Scope::Task(Some(name)) => {
                        write!(f, "task `{}` has no {fields}", shorten(name))
                    }
                    Scope::Task(None) => write!(f, "a task has no {fields}"),
                    Scope::Defaults => write!(f, "`defaults` has no {fields}"),
                    Scope::Field(parent) => write!(f, "`{parent}` has no {fields}"),
                }
            }
            Problem::Range {
                field,
                min,
                max,
                found,
                ..
            } => write!(
                f,
                "`{field}` must be between {min} and {max}, found {}",
                shorten(found)
            ),
            Problem::Enum {
                field,
                found,
                allowed,
                ..
            } => write!(
                f,
                "`{field}` must be {}, found `{}`",
                join_or(allowed.iter().map(|word| format!("`{word}`"))),
                shorten(found)
            ),
            Problem::DuplicateItem { field, value } => {
                write!(f, "`{field}` lists `{}` twice", shorten(value))
            }
            Problem::Empty { field } => write!(f, "`{field}` must not be empty"),
            Problem::UnquotedId { field, .. } => {
                write!(f, "`{field}` must be a quoted string, found a number")
            }
            Problem::PaddedId { field, value } => {
                write!(
                    f,
                    "`{field}` has white space around it: `{}`",
                    shorten(value)
                )
            }
            Problem::NaiveDatetime { found } => write!(
                f,
                "`start.at` must carry a UTC offset, found `{}` without one",
                shorten(found)
            ),
            Problem::Datetime { found, flaw } => {
                write!(
                    f,
                    "`start.at` is not a usable date-time: `{}` {}",
                    shorten(found),
                    Reason(*flaw)
                )
            }
            Problem::TimeFormat {
                field,
                found,
                flaw: TimeOfDayError::Format,
            } => write!(
                f,
                "`{field}` must be a time of day, found `{}`",
                shorten(found)
            ),
            Problem::TimeFormat { field, flaw, .. } => {
                write!(f, "`{field}` is not a time of day: {flaw}")
            }
            Problem::WindowOrder { start, end } => {
                write!(
                    f,
                    "call window `{start}-{end}` does not end after it starts"
                )
            }
            Problem::WindowOverlap { window, other } => {
                write!(f, "call window `{window}` overlaps `{other}`")
            }
            Problem::DuplicateName { name } => {
                write!(f, "task name `{}` is used by two tasks", shorten(name))
            }
            Problem::EmptyName => write!(f, "task `{}` must not be empty", Field::Name),
            Problem::Rename { old, flaw } => match flaw {
                RenameFlaw::Itself => write!(
                    f,
                    "`{}` names the task's own name `{old}`",
                    Field::RenamedFrom
                ),
                RenameFlaw::Declared => write!(
                    f,
                    "`{}` names `{old}`, which another task of the manifests is called",
                    Field::RenamedFrom
                ),
                RenameFlaw::ClaimedTwice => write!(
                    f,
                    "`{old}` is claimed by the `{}` of two tasks",
                    Field::RenamedFrom
                ),
            },
            Problem::InvalidName { name, flaw } => match flaw {
                NameFlaw::Control => write!(
                    f,
                    "task name {} contains a line break or control character",
                    shorten(&format!("{name:?}"))
                ),
                NameFlaw::Padded => write!(
                    f,
                    "task name `{}` starts or ends with white space",
                    shorten(name)
                ),
            },
            Problem::LookalikeName { name, other, flaw } => write!(
                f,
                "task name `{}` looks like `{}`: they differ only in {}, so the account would \
                 hold two tasks that look like one",
                reveal(name),
                reveal(other),
                match flaw {
                    LookalikeFlaw::Normalisation => "Unicode normalisation",
                    LookalikeFlaw::Invisible => "invisible characters",
                    LookalikeFlaw::WhiteSpace => "white space around them",
                }
            ),
            Problem::NameTooLong {
                name,
                length,
                limit,
            } => write!(
                f,
                "task name `{}` is {length} characters long; aicall accepts at most {limit}",
                shorten(name)
            ),
            Problem::UnsetVariable { name } => {
                write!(f, "environment variable `{}` is not set", shorten(name))
            }
            Problem::SecretVariable { name } => {
                write!(f, "`{name}` holds credentials and cannot be interpolated")
            }
            Problem::Interpolation { flaw } => match flaw {
                InterpolationFlaw::Unterminated => f.write_str("`${` is never closed with `}`"),
                InterpolationFlaw::BadName { text } => write!(
                    f,
                    "`${{{}}}` does not name an environment variable",
                    shorten(text)
                ),
                InterpolationFlaw::Nested => {
                    f.write_str("a default value cannot contain another `${`")
                }
            },
            Problem::Version { found } => {
                write!(f, "unsupported manifest `version` `{}`", shorten(found))
            }
            Problem::NoTasks { empty_file: true } => f.write_str("the file holds no manifest"),
            Problem::NoTasks { empty_file: false } => f.write_str("the document has no tasks"),
            Problem::UpdateLimit { minutes } => write!(
                f,
                "`{}` is {minutes}: valid when creating, but above the {} that \
                 UpdateAiCallTask accepts",
                Field::RetryIntervalMinutes,
                Retry::UPDATE_MAX_INTERVAL_MINUTES
            ),
        }
    }
}

/// Why a date-time was rejected, as the end of its message.
struct Reason(DatetimeFlaw);

/// English month names, January first.
const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            DatetimeFlaw::Format => f.write_str("is not an RFC 3339 date-time"),
            DatetimeFlaw::Precision => f.write_str("is more precise than the API's milliseconds"),
            DatetimeFlaw::BeforeEpoch => write!(
                f,
                "is before `{}`, where the API's milliseconds start",
                edge(instant::FIRST_MS)
            ),
            DatetimeFlaw::AfterLast => write!(
                f,
                "is after `{}`, the last instant the API accepts",
                edge(instant::LAST_MS)
            ),
            DatetimeFlaw::LeapSecond => {
                f.write_str("has `60` seconds: a leap second cannot be scheduled")
            }
            DatetimeFlaw::NoSuchMonth { month } => {
                write!(f, "has month `{month:02}`: months run from 01 to 12")
            }
            DatetimeFlaw::NoSuchDay { year, month, days } => {
                let name = usize::try_from(month - 1)
                    .ok()
                    .and_then(|index| MONTHS.get(index))
                    .unwrap_or(&"that month");
                write!(
                    f,
                    "names a day that does not exist: {name} {year} has {days} days"
                )
            }
        }
    }
}

/// An edge of the API's range, in UTC.
fn edge(ms: i64) -> String {
    Instant::from_millisecond(ms, jiff::tz::Offset::UTC)
        .map_or_else(|| ms.to_string(), |at| at.to_string())
}
