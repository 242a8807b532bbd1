//! The registry of diagnostic codes: every stable code aicall reports, with
//! the stage that reports it, its severities and its one-line meaning.
//!
//! [`Code`] is the single source. [`super::Problem::code`] maps each
//! validation problem onto it, the plan's errors take their codes from it,
//! and the table of codes in `docs/manifest.md` must list exactly
//! [`Code::ALL`] in order, with the same words (a test in
//! `tests/it/validate.rs` compares them), so neither the code nor the
//! documentation can drift. Codes are part of the interface: scripts match
//! on them, so a code is never renamed, only added.

use std::fmt;

use crate::diag::Severity;

/// Which command finds a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stage {
    /// `validate`, offline (and `plan` and `apply`, which validate first).
    Validate,
    /// `plan` and `apply`, once the account has been read.
    Plan,
}

impl Stage {
    /// `validate` or `plan`, as the documentation's headings name them.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Validate => "validate",
            Stage::Plan => "plan",
        }
    }
}

/// Declares [`Code`] and its table: code, stage, severities (the usual one
/// first), meaning, and for the plan's codes the fixed help line.
macro_rules! codes {
    ($(
        $(#[$meta:meta])*
        $variant:ident = $code:literal, $stage:ident, [$($severity:ident),+], $meaning:literal
        $(, help $help:literal)?;
    )+) => {
        /// A stable diagnostic code, e.g. `unknown-key`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $( $(#[$meta])* $variant, )+
        }

        impl Code {
            /// Every code, in the order of the documentation's table.
            pub const ALL: &'static [Code] = &[$(Code::$variant),+];

            /// The kebab-case code as printed: `error[unknown-key]`.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $code),+ }
            }

            /// The command that reports it.
            pub const fn stage(self) -> Stage {
                match self { $(Code::$variant => Stage::$stage),+ }
            }

            /// The severities its diagnostics can have, the usual one first.
            pub const fn severities(self) -> &'static [Severity] {
                match self { $(Code::$variant => &[$(Severity::$severity),+]),+ }
            }

            /// What it means, in one line (Markdown, as in the docs' table).
            pub const fn meaning(self) -> &'static str {
                match self { $(Code::$variant => $meaning),+ }
            }

            /// The help line, for a code whose fix does not depend on the
            /// facts (the plan's); `None` where [`super::Problem::help`]
            /// words the fix from the facts.
            pub const fn help(self) -> Option<&'static str> {
                match self { $(Code::$variant => codes!(@help $($help)?)),+ }
            }
        }
    };
    (@help $help:literal) => { Some($help) };
    (@help) => { None };
}

codes! {
    /// Not valid YAML.
    Syntax = "syntax", Validate, [Error],
        "not valid YAML (the document is skipped, later ones are read)";
    /// The file cannot be read.
    Read = "read", Validate, [Error], "the file cannot be read";
    /// A path that is not a regular file, never opened (issue 7: a FIFO
    /// hung every command).
    NotAFile = "not-a-file", Validate, [Error],
        "a FIFO, socket or device where a manifest was expected (never opened)";
    /// A symbolic link that cannot be followed.
    BrokenLink = "broken-link", Validate, [Error, Warning],
        "a symbolic link that leads nowhere or in a loop (error), or back to a directory \
         being read (warning)";
    /// The file is not UTF-8.
    Encoding = "encoding", Validate, [Error],
        "the file is not UTF-8 (points at the first bad byte)";
    /// The file is too large to read.
    TooLarge = "too-large", Validate, [Error], "the file is larger than 8 MiB";
    /// Aliases expand beyond the budget.
    AliasLimit = "alias-limit", Validate, [Error], "aliases expand to more than 250 000 nodes";
    /// Collections nest too deep.
    TooDeep = "too-deep", Validate, [Error],
        "collections (aliases included) nest deeper than 64 levels";
    /// An alias inside the collection it refers to.
    RecursiveAlias = "recursive-alias", Validate, [Error],
        "an alias refers to a collection that contains it";
    /// A tag beyond the core schema.
    Tag = "tag", Validate, [Error], "a tag beyond the YAML core schema";
    /// A key written twice.
    DuplicateKey = "duplicate-key", Validate, [Error], "a key written twice in one mapping";
    /// A key not allowed where it is.
    UnknownKey = "unknown-key", Validate, [Error],
        "a key not allowed there (with \"did you mean\")";
    /// A value of the wrong type.
    Type = "type", Validate, [Error],
        "a value of the wrong type (string, whole number, list, mapping)";
    /// A required field is absent.
    Missing = "missing", Validate, [Error],
        "a required field is absent after `defaults` are merged";
    /// A number outside the API's limits.
    Range = "range", Validate, [Error], "a number outside the API's limits";
    /// A word that is not one of the allowed ones.
    Enum = "enum", Validate, [Error], "a day or retry reason that does not exist";
    /// A list repeats a value.
    Duplicate = "duplicate", Validate, [Error], "a list repeats a value";
    /// An empty list or ID.
    Empty = "empty", Validate, [Error], "a list or ID that must not be empty is";
    /// An ID written as a number.
    UnquotedId = "unquoted-id", Validate, [Error],
        "`agentId`/`virtualNumber` written as unquoted digits";
    /// An ID with white space around it.
    PaddedId = "padded-id", Validate, [Error],
        "`agentId`/`virtualNumber` with white space around it";
    /// A date-time without an offset.
    NaiveDatetime = "naive-datetime", Validate, [Error], "`start.at` without a UTC offset";
    /// A date-time that cannot be read or used.
    Datetime = "datetime", Validate, [Error], "`start.at` not a usable RFC 3339 date-time";
    /// A time of day that cannot be read.
    TimeFormat = "time-format", Validate, [Error],
        "a call window time not `HH:MM`/`HH:MM:SS`, or with a part out of range";
    /// A window that ends before it starts.
    WindowOrder = "window-order", Validate, [Error],
        "a call window that does not end after it starts";
    /// Two windows overlap.
    WindowOverlap = "window-overlap", Validate, [Error], "two call windows overlap";
    /// Two tasks of the manifests share a name.
    DuplicateName = "duplicate-name", Validate, [Error],
        "two tasks share a name (across all files)";
    /// Two task names that look alike but are not the same (issue 7).
    LookalikeName = "lookalike-name", Validate, [Warning],
        "two task names that differ only in Unicode normalisation, invisible characters or \
         surrounding white space";
    /// An empty task name.
    EmptyName = "empty-name", Validate, [Error], "a task name that is empty";
    /// An unusable or suspicious task name.
    InvalidName = "invalid-name", Validate, [Error, Warning],
        "a name with a line break or control character (error), or with surrounding \
         spaces (warning: the API keeps them)";
    /// A task name too long to travel in a request's URL (issue 7).
    NameTooLong = "name-too-long", Validate, [Error], "a task name longer than 128 characters";
    /// An unset variable without a default.
    UnsetVariable = "unset-variable", Validate, [Error],
        "`${NAME}` with `NAME` unset and no default";
    /// `${NAME}` of a variable that holds credentials (issue 7).
    SecretVariable = "secret-variable", Validate, [Error],
        "`${NAME}` of a variable that holds credentials, even with a default";
    /// A malformed `${...}`.
    Interpolation = "interpolation", Validate, [Error], "a malformed `${...}`";
    /// An unsupported manifest version.
    Version = "version", Validate, [Error], "a `version` other than `1`";
    /// No tasks.
    NoTasks = "no-tasks", Validate, [Error],
        "a document without tasks, or a file without any manifest";
    /// A `renamedFrom` name that cannot be an old name of the task.
    RenamedFrom = "renamed-from", Validate, [Error],
        "a `renamedFrom` name that is the task's own, another task's, or claimed by two tasks";
    /// A redial interval that UpdateAiCallTask would refuse.
    UpdateLimit = "update-limit", Validate, [Warning],
        "`retry.intervalMinutes` above the 120 UpdateAiCallTask accepts";
    /// Two account tasks carry one manifest name: which one it means is
    /// ambiguous.
    DuplicateInAccount = "duplicate-in-account", Plan, [Error],
        "two account tasks carry one manifest name",
        help "rename all but one of them in the console; aicall cannot tell which one the \
              manifest means";
    /// A task to create would start in the past, which the API refuses.
    StartInPast = "start-in-past", Plan, [Error],
        "a task to create would start in the past",
        help "move `start.at` into the future, or use `start: immediate`";
    /// A renamed task's new and old names both exist, or its old names
    /// are carried by several tasks: which one to rename is ambiguous.
    RenameConflict = "rename-conflict", Plan, [Error],
        "a task's name and an old name of it both exist in the account, or its old names match several tasks",
        help "rename or retire the other task in the console, or remove the old name from `renamedFrom`";
    /// A task to create is declared stopped but starts at once.
    StoppedImmediate = "stopped-immediate", Plan, [Error],
        "a task to create is declared `stopped` but would start calling as soon as it is created",
        help "give it a scheduled start (`start: { at: ... }`) to create it stopped, or remove `status: stopped`";
}

impl Code {
    /// The usual severity; `invalid-name` and `broken-link` have another.
    pub fn severity(self) -> Severity {
        self.severities()
            .first()
            .copied()
            .unwrap_or(Severity::Error)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_is_listed_once() {
        let mut codes: Vec<&str> = Code::ALL.iter().map(|code| code.as_str()).collect();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), Code::ALL.len());
    }

    #[test]
    fn the_plan_codes_come_after_the_validation_codes() {
        let stages: Vec<Stage> = Code::ALL.iter().map(|code| code.stage()).collect();
        assert!(stages.is_sorted(), "{stages:?}");
        assert_eq!(
            Code::DuplicateInAccount.as_str(),
            "duplicate-in-account",
            "the plan's codes are printed as they always were"
        );
        assert_eq!(Code::StartInPast.stage(), Stage::Plan);
        for code in Code::ALL {
            assert_eq!(code.help().is_some(), code.stage() == Stage::Plan, "{code}");
        }
    }
}
