//! What is wrong: [`Problem`], the facts a message is made of, and
//! everything derived from them: code and severity here, the message in
//! `message.rs`, the label and the help in `help.rs`.

use std::fmt;

use crate::diag::words::shorten;
use crate::diag::{Code, Severity};
use crate::manifest::model::TimeOfDayError;

/// Where an unknown or missing key was looked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    /// The top level of a document.
    TopLevel,
    /// The `defaults` mapping.
    Defaults,
    /// A task, by name when it has a usable one.
    Task(Option<String>),
    /// A nested mapping such as `retry`, `start` or a call window.
    Field(&'static str),
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scope::TopLevel => f.write_str("at the top level"),
            Scope::Defaults => f.write_str("in `defaults`"),
            Scope::Task(Some(name)) => write!(f, "in task `{}`", shorten(name)),
            Scope::Task(None) => f.write_str("in this task"),
            Scope::Field(field) => write!(f, "in `{field}`"),
        }
    }
}

/// What a value was expected to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expected {
    /// A string.
    String,
    /// A decimal integer.
    Integer,
    /// A list.
    List,
    /// A mapping.
    Mapping,
    /// `immediate` or `{ at: ... }`.
    Start,
}

impl fmt::Display for Expected {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Expected::String => "a string",
            Expected::Integer => "a whole number",
            Expected::List => "a list",
            Expected::Mapping => "a mapping",
            Expected::Start => "`immediate` or a mapping with `at`",
        })
    }
}

/// Why a task name is unusable (other than being empty).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameFlaw {
    /// It contains a line break, tab or other control character.
    Control,
    /// It starts or ends with white space (a warning: the API keeps it).
    Padded,
}

/// What is wrong with a name in `renamedFrom`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RenameFlaw {
    /// It is the task's own name.
    Itself,
    /// Another manifest task has that name: it cannot be both.
    Declared,
    /// Another task claims it too: only one task can have been it.
    ClaimedTwice,
}

/// What a path is when it is not a regular file (nor a directory).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A FIFO (named pipe): opening it waits for a writer.
    Fifo,
    /// A Unix domain socket.
    Socket,
    /// A block or character device.
    Device,
    /// Something else that is not a regular file.
    Other,
}

/// Why a symbolic link cannot be followed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkFlaw {
    /// What it points to does not exist.
    Dangling {
        /// The link's target, as stored in the link.
        target: String,
    },
    /// It leads back to itself, directly or through other links.
    Loop,
    /// It points to a directory that contains it (a warning: that
    /// directory's files are read already).
    Ancestor {
        /// The link's target, as stored in the link.
        target: String,
    },
}

/// What two task names that look alike differ by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LookalikeFlaw {
    /// Unicode normalisation: one character or a letter and a combining
    /// mark (NFC and NFD), or a compatibility character.
    Normalisation,
    /// Invisible (format) characters such as a zero-width space.
    Invisible,
    /// White space around the name.
    WhiteSpace,
}

/// Why an `${...}` could not be expanded.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpolationFlaw {
    /// `${` without a closing `}`.
    Unterminated,
    /// The name is not `[A-Za-z_][A-Za-z0-9_]*`.
    BadName {
        /// The text between `${` and `}` (or `:-`).
        text: String,
    },
    /// A `${` inside a default value.
    Nested,
}

/// Why a `start.at` date-time cannot be used (other than a missing offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatetimeFlaw {
    /// Not an RFC 3339 date-time.
    Format,
    /// Finer than the API's milliseconds.
    Precision,
    /// Before the Unix epoch (the API counts milliseconds since it).
    BeforeEpoch,
    /// After `9999-12-31T23:59:59.999Z`, the last instant the API accepts.
    AfterLast,
    /// `60` seconds: a leap second, which the API's milliseconds do not
    /// count (and jiff would silently read as `59`).
    LeapSecond,
    /// A month other than 01 to 12.
    NoSuchMonth {
        /// The month as written.
        month: u8,
    },
    /// A day its month does not have, e.g. February 30.
    NoSuchDay {
        /// The year.
        year: i16,
        /// The month, 1 to 12.
        month: i8,
        /// How many days that month has that year.
        days: i8,
    },
}

/// What is wrong; every variant holds the facts its message is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file is not valid YAML.
    Syntax {
        /// The parser's description.
        message: String,
    },
    /// A tab where YAML wants spaces: in the indentation of a line.
    TabIndentation,
    /// The file cannot be read.
    Read {
        /// The operating system's description.
        message: String,
    },
    /// A path that is not a regular file: never opened.
    NotAFile {
        /// What it is.
        kind: FileKind,
    },
    /// A symbolic link that cannot be followed.
    BrokenLink {
        /// Why.
        flaw: LinkFlaw,
    },
    /// The file is not UTF-8.
    Encoding,
    /// The file is larger than aicall reads.
    TooLarge {
        /// Its size in bytes.
        size: u64,
        /// The limit in bytes.
        limit: u64,
    },
    /// Aliases expand to more nodes than the budget allows.
    AliasLimit {
        /// The budget, in nodes.
        limit: usize,
    },
    /// Collections nest deeper than allowed.
    TooDeep {
        /// The limit.
        limit: usize,
    },
    /// An alias refers to a collection that contains it.
    RecursiveAlias {
        /// The anchor's name.
        name: String,
    },
    /// A tag other than the YAML core ones.
    Tag {
        /// The tag as written.
        tag: String,
    },
    /// A mapping key appears twice.
    DuplicateKey {
        /// The key.
        key: String,
    },
    /// A key that is not allowed here.
    UnknownKey {
        /// The key as written.
        key: String,
        /// Where it was found.
        scope: Scope,
        /// The nearest allowed key, when close.
        suggestion: Option<&'static str>,
        /// A longer hint when the key belongs somewhere else.
        hint: Option<&'static str>,
    },
    /// A value of the wrong type.
    Type {
        /// The field, e.g. `concurrency` or `retry.times`.
        field: String,
        /// What it should be.
        expected: Expected,
        /// What it is, described (e.g. "a string `\"50\"`").
        found: String,
        /// A concrete fix, when there is one.
        fix: Option<String>,
    },
    /// A document that is not a mapping.
    NotManifest {
        /// What it is, described.
        found: String,
    },
    /// A required field is absent.
    Missing {
        /// The fields, in the order of the language reference.
        fields: Vec<&'static str>,
        /// Where it was expected.
        scope: Scope,
    },
    /// A number outside the API's limits.
    Range {
        /// The field.
        field: String,
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
        /// The value as written.
        found: String,
        /// The API parameter the limit comes from.
        parameter: &'static str,
    },
    /// A value that is not one of the allowed words.
    Enum {
        /// The field.
        field: String,
        /// The value as written.
        found: String,
        /// Every allowed word.
        allowed: &'static [&'static str],
        /// The nearest allowed word, when close.
        suggestion: Option<&'static str>,
    },
    /// A list holds the same value twice.
    DuplicateItem {
        /// The list.
        field: String,
        /// The repeated value.
        value: String,
    },
    /// A list that must not be empty is.
    Empty {
        /// The list.
        field: String,
    },
    /// An ID written as unquoted digits.
    UnquotedId {
        /// `agentId` or `virtualNumber`.
        field: &'static str,
        /// The digits exactly as written.
        written: String,
    },
    /// An ID with leading or trailing white space.
    PaddedId {
        /// `agentId` or `virtualNumber`.
        field: &'static str,
        /// The value.
        value: String,
    },
    /// A date-time without an offset.
    NaiveDatetime {
        /// The value as written.
        found: String,
    },
    /// A date-time that cannot be read or used.
    Datetime {
        /// The value as written.
        found: String,
        /// Why it was rejected.
        flaw: DatetimeFlaw,
    },
    /// A time of day not in `HH:MM` or `HH:MM:SS`, or beyond the clock.
    TimeFormat {
        /// The field.
        field: String,
        /// The value as written.
        found: String,
        /// What is wrong with it.
        flaw: TimeOfDayError,
    },
    /// A call window that ends before it starts.
    WindowOrder {
        /// The start, `HH:MM:SS`.
        start: String,
        /// The end, `HH:MM:SS`.
        end: String,
    },
    /// Two call windows overlap.
    WindowOverlap {
        /// This window.
        window: String,
        /// The one it overlaps.
        other: String,
    },
    /// Two tasks share a name.
    DuplicateName {
        /// The name.
        name: String,
    },
    /// A name in `renamedFrom` that cannot be an old name of this task.
    Rename {
        /// The old name as written.
        old: String,
        /// What is wrong with it.
        flaw: RenameFlaw,
    },
    /// A task name that is empty.
    EmptyName,
    /// A task name that is unusable or suspicious.
    InvalidName {
        /// The name.
        name: String,
        /// What is wrong with it.
        flaw: NameFlaw,
    },
    /// A task name that looks like another one without being it.
    LookalikeName {
        /// This name.
        name: String,
        /// The name it looks like, written earlier.
        other: String,
        /// What they differ by.
        flaw: LookalikeFlaw,
    },
    /// A task name longer than aicall accepts.
    NameTooLong {
        /// The name.
        name: String,
        /// Its length, in characters.
        length: usize,
        /// The limit, in characters.
        limit: usize,
    },
    /// `${NAME}` with `NAME` unset and no default.
    UnsetVariable {
        /// The variable.
        name: String,
    },
    /// `${NAME}` of a variable that holds credentials: refused by name,
    /// its value never read, so it can reach no message and no request.
    SecretVariable {
        /// The variable.
        name: String,
    },
    /// A malformed `${...}`.
    Interpolation {
        /// What is malformed.
        flaw: InterpolationFlaw,
    },
    /// An unsupported `version`.
    Version {
        /// The value as written.
        found: String,
    },
    /// A document without tasks, or a file without documents.
    NoTasks {
        /// Whether the whole file is empty (no document at all).
        empty_file: bool,
    },
    /// `retry.intervalMinutes` above what UpdateAiCallTask accepts.
    UpdateLimit {
        /// The value.
        minutes: u16,
    },
}

impl Problem {
    /// The stable code, from the registry.
    pub fn code(&self) -> Code {
        match self {
            Problem::Syntax { .. } | Problem::TabIndentation => Code::Syntax,
            Problem::Read { .. } => Code::Read,
            Problem::NotAFile { .. } => Code::NotAFile,
            Problem::BrokenLink { .. } => Code::BrokenLink,
            Problem::Encoding => Code::Encoding,
            Problem::TooLarge { .. } => Code::TooLarge,
            Problem::AliasLimit { .. } => Code::AliasLimit,
            Problem::TooDeep { .. } => Code::TooDeep,
            Problem::RecursiveAlias { .. } => Code::RecursiveAlias,
            Problem::Tag { .. } => Code::Tag,
            Problem::DuplicateKey { .. } => Code::DuplicateKey,
            Problem::UnknownKey { .. } => Code::UnknownKey,
            Problem::Type { .. } | Problem::NotManifest { .. } => Code::Type,
            Problem::Missing { .. } => Code::Missing,
            Problem::Range { .. } => Code::Range,
            Problem::Enum { .. } => Code::Enum,
            Problem::DuplicateItem { .. } => Code::Duplicate,
            Problem::Empty { .. } => Code::Empty,
            Problem::UnquotedId { .. } => Code::UnquotedId,
            Problem::PaddedId { .. } => Code::PaddedId,
            Problem::NaiveDatetime { .. } => Code::NaiveDatetime,
            Problem::Datetime { .. } => Code::Datetime,
            Problem::TimeFormat { .. } => Code::TimeFormat,
            Problem::WindowOrder { .. } => Code::WindowOrder,
            Problem::WindowOverlap { .. } => Code::WindowOverlap,
            Problem::DuplicateName { .. } => Code::DuplicateName,
            Problem::Rename { .. } => Code::RenamedFrom,
            Problem::EmptyName => Code::EmptyName,
            Problem::InvalidName { .. } => Code::InvalidName,
            Problem::NameTooLong { .. } => Code::NameTooLong,
            Problem::LookalikeName { .. } => Code::LookalikeName,
            Problem::UnsetVariable { .. } => Code::UnsetVariable,
            Problem::SecretVariable { .. } => Code::SecretVariable,
            Problem::Interpolation { .. } => Code::Interpolation,
            Problem::Version { .. } => Code::Version,
            Problem::NoTasks { .. } => Code::NoTasks,
            Problem::UpdateLimit { .. } => Code::UpdateLimit,
        }
    }

    /// The code's usual severity; a padded name is only a warning, since
    /// the API keeps the spaces and the task is valid as written, and so
    /// is a link back to a directory being read, whose files are read
    /// anyway.
    pub fn severity(&self) -> Severity {
        match self {
            Problem::InvalidName {
                flaw: NameFlaw::Padded,
                ..
            }
            | Problem::BrokenLink {
                flaw: LinkFlaw::Ancestor { .. },
            } => Severity::Warning,
            _ => self.code().severity(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_are_ones_the_code_allows() {
        let name = |flaw| Problem::InvalidName {
            name: " a".to_owned(),
            flaw,
        };
        for (problem, severity) in [
            (Problem::EmptyName, Severity::Error),
            (Problem::UpdateLimit { minutes: 121 }, Severity::Warning),
            (name(NameFlaw::Control), Severity::Error),
            (name(NameFlaw::Padded), Severity::Warning),
            (
                Problem::NotAFile {
                    kind: FileKind::Fifo,
                },
                Severity::Error,
            ),
            (
                Problem::BrokenLink {
                    flaw: LinkFlaw::Loop,
                },
                Severity::Error,
            ),
            (
                Problem::BrokenLink {
                    flaw: LinkFlaw::Ancestor {
                        target: "..".to_owned(),
                    },
                },
                Severity::Warning,
            ),
        ] {
            assert_eq!(problem.severity(), severity, "{problem:?}");
            assert!(problem.code().severities().contains(&severity));
        }
    }
}
