//! Diagnostics: what is wrong, and exactly where.
//!
//! A [`Diagnostic`] pairs a location (a file of [`Sources`] and a [`Span`]
//! in it) with a [`Problem`]: a value holding the facts (the key, the value
//! as written, the allowed range), from which the stable code, the message,
//! the underline label and the help line are derived. Validation collects
//! diagnostics instead of stopping at the first; rendering them is the job of
//! `render::diagnostics`. Nothing here prints.
//!
//! Positions follow what editors show: lines and columns are 1-based, and a
//! column counts characters (a Chinese character is one column, although it
//! is three bytes and two cells wide). Byte offsets are kept as well, for
//! slicing the source.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The manifest is invalid (exit 1).
    Error,
    /// Valid, but probably not what was meant.
    Warning,
}

impl Severity {
    /// `error` or `warning`.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// A stretch of one source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Span {
    /// Byte offset of the first byte.
    pub offset: usize,
    /// Length in bytes (0 for a point, e.g. the end of the file).
    pub len: usize,
    /// 1-based line of the first byte.
    pub line: u32,
    /// 1-based character column of the first byte.
    pub column: u32,
}

impl Span {
    /// The byte range in the source.
    pub fn range(&self) -> std::ops::Range<usize> {
        self.offset..self.offset.saturating_add(self.len)
    }

    /// The byte just past the end.
    pub fn end(&self) -> usize {
        self.offset.saturating_add(self.len)
    }
}

/// Index of a file in [`Sources`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FileId(pub usize);

/// One source file: its name as the user gave it, and its text.
#[derive(Debug, Clone)]
pub struct SourceFile {
    path: PathBuf,
    text: String,
    line_starts: Vec<usize>,
}

impl SourceFile {
    /// A file named `path` (shown as is) holding `text`.
    pub fn new(path: PathBuf, text: String) -> SourceFile {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        SourceFile {
            path,
            text,
            line_starts,
        }
    }

    /// The path as the user gave it (or `<stdin>`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The whole text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// How many lines the file has (a final line without `\n` counts).
    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The text of 1-based line `line`, without its line break.
    pub fn line(&self, line: u32) -> Option<&str> {
        let index = usize::try_from(line).ok()?.checked_sub(1)?;
        let start = *self.line_starts.get(index)?;
        let end = self
            .line_starts
            .get(index + 1)
            .map_or(self.text.len(), |next| next.saturating_sub(1));
        let line = self.text.get(start..end)?;
        Some(line.strip_suffix('\r').unwrap_or(line))
    }

    /// The span of `len` bytes at byte `offset`, with its line and column.
    ///
    /// Offsets past the end are clamped to the end; an offset inside a
    /// character is moved back to the character's start.
    pub fn span(&self, offset: usize, len: usize) -> Span {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let len = len.min(self.text.len() - offset);
        let index = match self.line_starts.binary_search(&offset) {
            Ok(index) => index,
            Err(index) => index.saturating_sub(1),
        };
        let start = self.line_starts.get(index).copied().unwrap_or(0);
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |prefix| prefix.chars().count());
        Span {
            offset,
            len,
            line: saturating_u32(index + 1),
            column: saturating_u32(column + 1),
        }
    }

    /// The source text a span covers (empty when out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.text.get(span.range()).unwrap_or("")
    }
}

fn saturating_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// Every file read in one run, so diagnostics can quote their lines.
#[derive(Debug, Clone, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// No files yet.
    pub fn new() -> Sources {
        Sources::default()
    }

    /// Adds a file and returns its id.
    pub fn add(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() - 1)
    }

    /// The file with this id.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id.0)
    }

    /// How many files there are.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The files in the order they were read.
    pub fn iter(&self) -> impl Iterator<Item = &SourceFile> {
        self.files.iter()
    }
}

/// A secondary location that explains a diagnostic ("first defined here").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Related {
    /// The file.
    pub file: FileId,
    /// Where in it.
    pub span: Span,
    /// What is there, e.g. "first used here".
    pub message: String,
}

/// One problem found in a manifest, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// How bad it is.
    pub severity: Severity,
    /// The file it is in.
    pub file: FileId,
    /// Where in the file; `None` for a problem with the whole file (it
    /// cannot be read, it holds no manifest).
    pub span: Option<Span>,
    /// What is wrong.
    pub problem: Problem,
    /// Other places that explain it.
    pub related: Vec<Related>,
}

impl Diagnostic {
    /// A diagnostic at `span` of `file`, with the problem's own severity.
    pub fn new(file: FileId, span: Span, problem: Problem) -> Diagnostic {
        Diagnostic {
            severity: problem.severity(),
            file,
            span: Some(span),
            problem,
            related: Vec::new(),
        }
    }

    /// A diagnostic about a whole file.
    pub fn whole_file(file: FileId, problem: Problem) -> Diagnostic {
        Diagnostic {
            severity: problem.severity(),
            file,
            span: None,
            problem,
            related: Vec::new(),
        }
    }

    /// Adds a secondary location.
    pub fn with_related(mut self, file: FileId, span: Span, message: impl Into<String>) -> Self {
        self.related.push(Related {
            file,
            span,
            message: message.into(),
        });
        self
    }

    /// The stable kebab-case code, e.g. `unknown-key`.
    pub fn code(&self) -> &'static str {
        self.problem.code()
    }

    /// The one-line message.
    pub fn message(&self) -> String {
        self.problem.to_string()
    }

    /// Whether it makes the manifests invalid.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

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
            Scope::Task(Some(name)) => write!(f, "in task `{name}`"),
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

/// What is wrong; every variant holds the facts its message is made of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The file is not valid YAML.
    Syntax {
        /// The parser's description.
        message: String,
    },
    /// The file cannot be read.
    Read {
        /// The operating system's description.
        message: String,
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
        reason: String,
    },
    /// A time of day not in `HH:MM` or `HH:MM:SS`.
    TimeFormat {
        /// The field.
        field: String,
        /// The value as written.
        found: String,
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
    /// A task name that is empty.
    EmptyName,
    /// A task name that is unusable or suspicious.
    InvalidName {
        /// The name.
        name: String,
        /// What is wrong with it.
        flaw: NameFlaw,
    },
    /// `${NAME}` with `NAME` unset and no default.
    UnsetVariable {
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
    /// The stable kebab-case code.
    pub fn code(&self) -> &'static str {
        match self {
            Problem::Syntax { .. } => "syntax",
            Problem::Read { .. } => "read",
            Problem::Encoding => "encoding",
            Problem::TooLarge { .. } => "too-large",
            Problem::AliasLimit { .. } => "alias-limit",
            Problem::TooDeep { .. } => "too-deep",
            Problem::RecursiveAlias { .. } => "recursive-alias",
            Problem::Tag { .. } => "tag",
            Problem::DuplicateKey { .. } => "duplicate-key",
            Problem::UnknownKey { .. } => "unknown-key",
            Problem::Type { .. } | Problem::NotManifest { .. } => "type",
            Problem::Missing { .. } => "missing",
            Problem::Range { .. } => "range",
            Problem::Enum { .. } => "enum",
            Problem::DuplicateItem { .. } => "duplicate",
            Problem::Empty { .. } => "empty",
            Problem::UnquotedId { .. } => "unquoted-id",
            Problem::PaddedId { .. } => "padded-id",
            Problem::NaiveDatetime { .. } => "naive-datetime",
            Problem::Datetime { .. } => "datetime",
            Problem::TimeFormat { .. } => "time-format",
            Problem::WindowOrder { .. } => "window-order",
            Problem::WindowOverlap { .. } => "window-overlap",
            Problem::DuplicateName { .. } => "duplicate-name",
            Problem::EmptyName => "empty-name",
            Problem::InvalidName { .. } => "invalid-name",
            Problem::UnsetVariable { .. } => "unset-variable",
            Problem::Interpolation { .. } => "interpolation",
            Problem::Version { .. } => "version",
            Problem::NoTasks { .. } => "no-tasks",
            Problem::UpdateLimit { .. } => "update-limit",
        }
    }

    /// Every code, for the documentation test.
    pub const CODES: &'static [&'static str] = &[
        "syntax",
        "read",
        "encoding",
        "too-large",
        "alias-limit",
        "too-deep",
        "recursive-alias",
        "tag",
        "duplicate-key",
        "unknown-key",
        "type",
        "missing",
        "range",
        "enum",
        "duplicate",
        "empty",
        "unquoted-id",
        "padded-id",
        "naive-datetime",
        "datetime",
        "time-format",
        "window-order",
        "window-overlap",
        "duplicate-name",
        "empty-name",
        "invalid-name",
        "unset-variable",
        "interpolation",
        "version",
        "no-tasks",
        "update-limit",
    ];

    /// Errors unless the problem is only suspicious.
    pub fn severity(&self) -> Severity {
        match self {
            Problem::UpdateLimit { .. }
            | Problem::InvalidName {
                flaw: NameFlaw::Padded,
                ..
            } => Severity::Warning,
            _ => Severity::Error,
        }
    }

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
            Problem::UnsetVariable { .. } => "not set in the environment".to_owned(),
            Problem::NaiveDatetime { .. } => "no UTC offset".to_owned(),
            Problem::WindowOverlap { .. } => "overlaps another window".to_owned(),
            Problem::UpdateLimit { .. } => "UpdateAiCallTask accepts at most 120".to_owned(),
            _ => return None,
        })
    }

    /// One concrete fix, when there is one.
    pub fn help(&self) -> Option<String> {
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
                (Scope::Task(_), ["name"]) => {
                    "add `name:`: it is the task's identity in the account".to_owned()
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
                format!("quote it: {field}: \"{written}\"")
            }
            Problem::PaddedId { field, value } => {
                format!("remove the white space: {field}: \"{}\"", value.trim())
            }
            Problem::NaiveDatetime { found } => format!(
                "add the offset the time is meant in, e.g. `{}+08:00` for China Standard Time",
                found.trim()
            ),
            Problem::Datetime { .. } => {
                "write an RFC 3339 date-time with an offset, e.g. `2030-01-07T09:00:00+08:00`"
                    .to_owned()
            }
            Problem::TimeFormat { .. } => {
                "write `HH:MM` or `HH:MM:SS` with two digits each, e.g. `09:00`".to_owned()
            }
            // `HH:MM:SS` strings compare like the times they are.
            Problem::WindowOrder { start, end } if end < start => {
                "a window cannot cross midnight: split it into two windows".to_owned()
            }
            Problem::DuplicateName { .. } => {
                "task names are the identity of tasks in the account: rename one".to_owned()
            }
            Problem::InvalidName {
                flaw: NameFlaw::Padded,
                name,
            } => format!(
                "the API keeps the spaces; if unintended, write `{}`",
                name.trim()
            ),
            Problem::InvalidName {
                flaw: NameFlaw::Control,
                ..
            } => "a block scalar (`|` or `>`) adds a line break: write the name on one line"
                .to_owned(),
            Problem::UnsetVariable { name } => {
                format!("set `{name}` in the environment, or give a default: `${{{name}:-value}}`")
            }
            Problem::Interpolation { .. } => {
                "write `${NAME}` or `${NAME:-default}`, or `$${` for a literal `${`".to_owned()
            }
            Problem::Version { .. } => "this aicall reads `version: 1`".to_owned(),
            Problem::NoTasks { empty_file: false } => {
                "list at least one task under `tasks:`".to_owned()
            }
            Problem::UpdateLimit { .. } => {
                "a task created with more than 120 could never be updated later".to_owned()
            }
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

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Syntax { message } => write!(f, "invalid YAML: {message}"),
            Problem::Read { message } => write!(f, "cannot read the file: {message}"),
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
            Problem::RecursiveAlias { name } => {
                write!(f, "alias `*{name}` refers to a collection that contains it")
            }
            Problem::Tag { tag } => write!(f, "unsupported tag `{tag}`"),
            Problem::DuplicateKey { key } => write!(f, "duplicate key `{key}`"),
            Problem::UnknownKey { key, scope, .. } => write!(f, "unknown key `{key}` {scope}"),
            Problem::Type {
                field,
                expected,
                found,
                ..
            } => write!(f, "`{field}` must be {expected}, found {found}"),
            Problem::NotManifest { found } => write!(
                f,
                "a manifest must be a mapping with `version` and `tasks`, found {found}"
            ),
            Problem::Missing { fields, scope } => {
                let fields = join_or(fields.iter().map(|field| format!("`{field}`")));
                match scope {
                    Scope::TopLevel => write!(f, "the document has no {fields}"),
                    Scope::Task(Some(name)) => write!(f, "task `{name}` has no {fields}"),
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
                "`{field}` must be between {min} and {max}, found {found}"
            ),
            Problem::Enum {
                field,
                found,
                allowed,
                ..
            } => write!(
                f,
                "`{field}` must be {}, found `{found}`",
                join_or(allowed.iter().map(|word| format!("`{word}`")))
            ),
            Problem::DuplicateItem { field, value } => {
                write!(f, "`{field}` lists `{value}` twice")
            }
            Problem::Empty { field } => write!(f, "`{field}` must not be empty"),
            Problem::UnquotedId { field, .. } => {
                write!(f, "`{field}` must be a quoted string, found a number")
            }
            Problem::PaddedId { field, value } => {
                write!(f, "`{field}` has white space around it: `{value}`")
            }
            Problem::NaiveDatetime { found } => write!(
                f,
                "`start.at` must carry a UTC offset, found `{found}` without one"
            ),
            Problem::Datetime { found, reason } => {
                write!(
                    f,
                    "`start.at` is not a usable date-time: `{found}` {reason}"
                )
            }
            Problem::TimeFormat { field, found } => {
                write!(f, "`{field}` must be a time of day, found `{found}`")
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
                write!(f, "task name `{name}` is used by two tasks")
            }
            Problem::EmptyName => f.write_str("task `name` must not be empty"),
            Problem::InvalidName { name, flaw } => match flaw {
                NameFlaw::Control => write!(
                    f,
                    "task name {name:?} contains a line break or control character"
                ),
                NameFlaw::Padded => {
                    write!(f, "task name `{name}` starts or ends with white space")
                }
            },
            Problem::UnsetVariable { name } => {
                write!(f, "environment variable `{name}` is not set")
            }
            Problem::Interpolation { flaw } => match flaw {
                InterpolationFlaw::Unterminated => f.write_str("`${` is never closed with `}`"),
                InterpolationFlaw::BadName { text } => {
                    write!(f, "`${{{text}}}` does not name an environment variable")
                }
                InterpolationFlaw::Nested => {
                    f.write_str("a default value cannot contain another `${`")
                }
            },
            Problem::Version { found } => {
                write!(f, "unsupported manifest `version` `{found}`")
            }
            Problem::NoTasks { empty_file: true } => f.write_str("the file holds no manifest"),
            Problem::NoTasks { empty_file: false } => f.write_str("the document has no tasks"),
            Problem::UpdateLimit { minutes } => write!(
                f,
                "`retry.intervalMinutes` is {minutes}: valid when creating, but above the 120 \
                 that UpdateAiCallTask accepts"
            ),
        }
    }
}

/// Joins items as "`a`, `b`, or `c`" (two items: "`a` or `b`").
pub fn join_or(items: impl IntoIterator<Item = String>) -> String {
    let items: Vec<String> = items.into_iter().collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [a, b] => format!("{a} or {b}"),
        [rest @ .., last] => format!("{}, or {last}", rest.join(", ")),
    }
}

/// The candidate closest to `word`, if it is close enough to be a typo.
///
/// Case is ignored, so `agentid` and `AGENTID` find `agentId`; otherwise
/// the edit distance must stay under 3, as just does, and under half the
/// word, so that short words are not "corrected" into unrelated ones.
pub fn suggest(word: &str, candidates: &[&'static str]) -> Option<&'static str> {
    let folded = fold(word);
    candidates
        .iter()
        .map(|candidate| (strsim::levenshtein(&folded, &fold(candidate)), *candidate))
        .filter(|(distance, candidate)| {
            *distance < 3 && *distance * 2 < candidate.chars().count().max(2)
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// Lowercase without `_` and `-`, so `call_days` meets `callDays`.
fn fold(word: &str) -> String {
    word.chars()
        .filter(|c| *c != '_' && *c != '-')
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_count_characters_and_lines_from_one() {
        let file = SourceFile::new("a.yaml".into(), "a: 1\n- name: 续费提醒 x\n".into());
        let offset = file.text().find('x').unwrap();
        let span = file.span(offset, 1);
        assert_eq!((span.line, span.column), (2, 14));
        assert_eq!(file.line(2), Some("- name: 续费提醒 x"));
        assert_eq!(file.line(3), Some(""));
        assert_eq!(file.line(4), None);
        // Past the end clamps; inside a character moves back.
        assert_eq!(file.span(10_000, 5).offset, file.text().len());
        let inside = file.text().find('续').unwrap() + 1;
        assert_eq!(file.span(inside, 0).offset, inside - 1);
    }

    #[test]
    fn suggestions_ignore_case_and_separators_but_not_distance() {
        let keys = &["agentId", "virtualNumber", "callDays", "concurrency"];
        assert_eq!(suggest("concurency", keys), Some("concurrency"));
        assert_eq!(suggest("agent_id", keys), Some("agentId"));
        assert_eq!(suggest("CALLDAYS", keys), Some("callDays"));
        assert_eq!(suggest("colour", keys), None);
        assert_eq!(suggest("x", &["at"]), None);
    }

    #[test]
    fn lists_join_naturally() {
        let words = |n: usize| (0..n).map(|i| format!("`{i}`"));
        assert_eq!(join_or(words(1)), "`0`");
        assert_eq!(join_or(words(2)), "`0` or `1`");
        assert_eq!(join_or(words(3)), "`0`, `1`, or `2`");
    }

    #[test]
    fn every_code_is_listed_once() {
        let mut codes = Problem::CODES.to_vec();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Problem::CODES.len());
    }
}
