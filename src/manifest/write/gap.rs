//! What an exported task's manifest cannot say: either the task cannot be
//! declared at all (it is written commented out), or it is declared and
//! something about it is worth a comment.
//!
//! The same words serve the comment in the file and the line on stderr.

use std::fmt;

use crate::diag::plural;
use crate::manifest::field::Field;
use crate::manifest::model::TaskSpec;

/// One thing the manifest language cannot say about an account task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gap {
    /// The task's name is empty.
    EmptyName,
    /// The name holds a line break, a tab or another control character,
    /// which validation refuses (`invalid-name`).
    ControlInName,
    /// Several account tasks carry the name, so no manifest can name one
    /// (`duplicate-in-account`).
    DuplicateName {
        /// How many tasks carry it.
        count: usize,
    },
    /// The account does not report a field a manifest task requires.
    NotReported {
        /// The field.
        field: Field,
    },
    /// The account reports a field in a form the manifest language cannot
    /// express (a word aicall does not know, a malformed time, a start
    /// before 1970).
    Unexpressible {
        /// The field.
        field: Field,
    },
    /// A number outside the range a manifest accepts.
    OutOfRange {
        /// The field.
        field: Field,
        /// The account's value.
        value: i64,
        /// The least a manifest accepts.
        min: i64,
        /// The most a manifest accepts.
        max: i64,
    },
    /// An ID that is empty or has white space around it (`padded-id`).
    PaddedId {
        /// `agentId` or `virtualNumber`.
        field: Field,
    },
    /// Two call windows overlap (`window-overlap`).
    OverlappingWindows,
    /// Redial is on with no reasons; `retry.reasons` must list one.
    RetryWithoutReasons,
    /// Settings the account holds that no manifest field expresses; an
    /// update by aicall sends them as the account holds them, so they stay.
    Unexpressed {
        /// API parameter and value, for each.
        settings: Vec<(String, String)>,
    },
    /// `concurrency` outside 1–500 is left unmanaged.
    ConcurrencyUnmanaged {
        /// The account's value.
        value: i64,
    },
    /// The task's start failed: its `status` is left unmanaged.
    StatusFailed,
    /// A status code aicall does not know: `status` is left unmanaged.
    StatusUnknown {
        /// The code.
        code: i64,
    },
    /// The listing did not report the status: `status` is left unmanaged.
    StatusNotReported,
}

impl fmt::Display for Gap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Gap::EmptyName => f.write_str("its name is empty, which no manifest can declare"),
            Gap::ControlInName => f.write_str(
                "its name holds a line break, tab or other control character, which a manifest name cannot",
            ),
            Gap::DuplicateName { count } => write!(
                f,
                "{count} account tasks carry this name, so no manifest name identifies one"
            ),
            Gap::NotReported { field } => write!(
                f,
                "the account does not report `{field}`, which a manifest task requires"
            ),
            Gap::Unexpressible { field } => write!(
                f,
                "the account reports `{field}` in a form the manifest language cannot express"
            ),
            Gap::OutOfRange {
                field,
                value,
                min,
                max,
            } => write!(
                f,
                "`{field}` is {value} in the account, and a manifest takes {min} to {max}"
            ),
            Gap::PaddedId { field } => write!(
                f,
                "`{field}` is empty or has white space around it in the account, which a manifest cannot declare"
            ),
            Gap::OverlappingWindows => f.write_str(
                "the account's `callWindows` overlap, which a manifest cannot declare",
            ),
            Gap::RetryWithoutReasons => f.write_str(
                "redial is on with no reasons in the account, and `retry.reasons` must list one",
            ),
            Gap::Unexpressed { settings } => {
                let list: Vec<String> = settings
                    .iter()
                    .map(|(name, value)| format!("{name} = {value}"))
                    .collect();
                write!(
                    f,
                    "the account also sets {}, which no manifest field expresses; an update by aicall keeps {} as {}",
                    list.join(", "),
                    plural(settings.len(), "it", "them"),
                    plural(settings.len(), "it is", "they are")
                )
            }
            Gap::ConcurrencyUnmanaged { value } => write!(
                f,
                "`concurrency` is {value} in the account, and a manifest takes {} to {}: left unmanaged",
                TaskSpec::CONCURRENCY.start(),
                TaskSpec::CONCURRENCY.end()
            ),
            Gap::StatusFailed => f.write_str(
                "its start failed (FAILED): `status` is left unmanaged; declare `running` to start it again or `stopped` to keep it off",
            ),
            Gap::StatusUnknown { code } => write!(
                f,
                "the account reports status code {code}, which aicall does not know: `status` is left unmanaged"
            ),
            Gap::StatusNotReported => f.write_str(
                "the account does not report its status: `status` is left unmanaged",
            ),
        }
    }
}
