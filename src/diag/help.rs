//! What is shown around a [`Problem`]'s message: the short label under
//! the underline, and at most one concrete fix (the help line). Values in
//! them are shortened, as in messages ([`shorten`]).

use crate::diag::words::{LINE_WIDTH, shorten, shorten_to};
use crate::diag::{DatetimeFlaw, FileKind, LinkFlaw, NameFlaw, Problem, RenameFlaw, Scope};
use crate::manifest::field::Field;
use crate::manifest::model::{Retry, TimeOfDayError, TimePart};

impl Problem {
    /// The short text under the underline, when it adds something.
    pub fn label(&self) -> Option<String> {
        Some(match self {
            Problem::Range {
                min,
                max,
                parameter,
                ..
            } => {
                format!("the API accepts {min} to {max} ({parameter})")
            }
            Problem::UnquotedId { .. } => "unquoted digits are read as a number".to_owned(),
            Problem::DuplicateKey { .. } => "second definition".to_owned(),
            Problem::DuplicateItem { .. } => "repeated here".to_owned(),
            Problem::DuplicateName { .. } => "used again here".to_owned(),
            Problem::Rename {
                flaw: RenameFlaw::ClaimedTwice,
                ..
            } => "claimed again here".to_owned(),
            Problem::LookalikeName { .. } => "looks like another name".to_owned(),
            Problem::UnsetVariable { .. } => "not set in the environment".to_owned(),
            Problem::NaiveDatetime { .. } => "no UTC offset".to_owned(),
            Problem::WindowOverlap { .. } => "overlaps another window".to_owned(),
            Problem::UpdateLimit { .. } => format!(
                "UpdateAiCallTask accepts at most {}",
                Retry::UPDATE_MAX_INTERVAL_MINUTES
            ),
            _ => return None,
        })
    }

    /// One concrete fix, when there is one. Values in it are shortened
    /// ([`shorten`]), and so is a fix written out beforehand (a type
    /// error's), which quotes the value it fixes, whole.
    pub fn help(&self) -> Option<String> {
        self.fix()
            .map(|fix| shorten_to(&fix, LINE_WIDTH).into_owned())
    }

    fn fix(&self) -> Option<String> {
        Some(match self {
            Problem::UnknownKey {
                suggestion: Some(suggestion),
                ..
            } => format!("did you mean `{suggestion}`?"),
            Problem::UnknownKey {
                hint: Some(hint), ..
            } => (*hint).to_owned(),
            Problem::Type { fix: Some(fix), .. } => fix.clone(),
            Problem::Missing { fields, scope } => match (scope, fields.as_slice()) {
                (Scope::Task(_), [field]) if *field == Field::Name.key() => {
                    format!("add `{field}:`: it is the task's identity in the account")
                }
                (Scope::Task(_), [field]) => {
                    format!("set `{field}` in the task or under `defaults`")
                }
                (Scope::Task(_), _) => "set them in the task or under `defaults`".to_owned(),
                (Scope::TopLevel, ["version"]) => "add `version: 1`".to_owned(),
                _ => return None,
            },
            Problem::Enum {
                suggestion: Some(suggestion),
                ..
            } => format!("did you mean `{suggestion}`?"),
            Problem::UnquotedId { field, written } => {
                format!("quote it: {field}: \"{}\"", shorten(written))
            }
            Problem::PaddedId { field, value } => {
                format!(
                    "remove the white space: {field}: \"{}\"",
                    shorten(value.trim())
                )
            }
            Problem::NaiveDatetime { found } => format!(
                "add the offset the time is meant in, e.g. `{}+08:00` for China Standard Time",
                shorten(found.trim())
            ),
            // A day or month that does not exist: the message says which,
            // and the format is right.
            Problem::Datetime {
                flaw: DatetimeFlaw::NoSuchMonth { .. } | DatetimeFlaw::NoSuchDay { .. },
                ..
            } => return None,
            // The format is right and the message names the limit.
            Problem::Datetime {
                flaw: DatetimeFlaw::BeforeEpoch | DatetimeFlaw::AfterLast,
                ..
            } => return None,
            Problem::Datetime {
                flaw: DatetimeFlaw::LeapSecond,
                ..
            } => "the API counts milliseconds without leap seconds: write `59` seconds, or the \
                  next minute"
                .to_owned(),
            Problem::Datetime { .. } => {
                "write an RFC 3339 date-time with an offset, e.g. `2030-01-07T09:00:00+08:00`"
                    .to_owned()
            }
            Problem::TimeFormat {
                flaw: TimeOfDayError::Format,
                ..
            } => "write `HH:MM` or `HH:MM:SS` with two digits each, e.g. `09:00`".to_owned(),
            // `24:00` is the usual way of saying "until the end of the day".
            Problem::TimeFormat {
                flaw:
                    TimeOfDayError::OutOfRange {
                        part: TimePart::Hour,
                        value: 24,
                    },
                ..
            } => "for the end of the day write `23:59:59`".to_owned(),
            // `HH:MM:SS` strings compare like the times they are.
            Problem::WindowOrder { start, end } if end < start => {
                "a window cannot cross midnight: split it into two windows".to_owned()
            }
            Problem::DuplicateName { .. } => {
                "task names are the identity of tasks in the account: rename one".to_owned()
            }
            Problem::Rename { flaw, .. } => match flaw {
                RenameFlaw::Itself => "remove it: a task is not renamed from its own name",
                RenameFlaw::Declared => {
                    "a task cannot be renamed from a name another manifest task keeps: remove \
                     one of the two"
                }
                RenameFlaw::ClaimedTwice => {
                    "one old task can become only one new task: keep the name in one `renamedFrom`"
                }
            }
            .to_owned(),
            Problem::InvalidName {
                flaw: NameFlaw::Padded,
                name,
            } => format!(
                "the API keeps the spaces; if unintended, write `{}`",
                shorten(name.trim())
            ),
            Problem::InvalidName {
                flaw: NameFlaw::Control,
                ..
            } => "a block scalar (`|` or `>`) adds a line break: write the name on one line"
                .to_owned(),
            Problem::LookalikeName { .. } => "write both names the same way, or rename one so \
                                              that they differ visibly"
                .to_owned(),
            Problem::NameTooLong { limit, .. } => format!(
                "shorten it to {limit} characters or fewer: the name travels in the URL of every request \
                 that creates the task or looks it up"
            ),
            Problem::UnsetVariable { name } => {
                let name = shorten(name);
                format!("set `{name}` in the environment, or give a default: `${{{name}:-value}}`")
            }
            Problem::SecretVariable { .. } => {
                "credentials never go in a manifest; aicall reads them from the environment \
                 itself"
                    .to_owned()
            }
            Problem::Interpolation { .. } => {
                "write `${NAME}` or `${NAME:-default}`, or `$${` for a literal `${`".to_owned()
            }
            Problem::Version { .. } => "this aicall reads `version: 1`".to_owned(),
            Problem::NoTasks { empty_file: false } => {
                "list at least one task under `tasks:`".to_owned()
            }
            Problem::UpdateLimit { .. } => format!(
                "a task created with more than {} could never be updated later",
                Retry::UPDATE_MAX_INTERVAL_MINUTES
            ),
            Problem::TabIndentation => "YAML forbids tabs for indentation: use spaces".to_owned(),
            Problem::NotAFile {
                kind: FileKind::Fifo,
            } => "manifests are read from regular files; to read from a pipe, give `-` and \
                  redirect the pipe to standard input"
                .to_owned(),
            Problem::NotAFile { .. } => "manifests are read from regular files: move it out of \
                                         the manifest directory, or rename it"
                .to_owned(),
            Problem::BrokenLink { flaw } => match flaw {
                LinkFlaw::Dangling { .. } => "remove the link, or restore what it points to",
                LinkFlaw::Loop => "remove the link, or point it at a file",
                LinkFlaw::Ancestor { .. } => "remove the link: what it points to is read already",
            }
            .to_owned(),
            Problem::AliasLimit { .. } | Problem::TooDeep { .. } => {
                "manifests this large are not supported; split the file".to_owned()
            }
            Problem::Tag { .. } => {
                "remove the tag; only the YAML core tags (`!!str`, `!!int`, ...) are read"
                    .to_owned()
            }
            _ => return None,
        })
    }
}
