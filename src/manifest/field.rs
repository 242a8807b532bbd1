//! The one table of a task's field names, in the order of the manifest
//! reference (`docs/manifest.md`).
//!
//! Validation takes its known keys and "did you mean" candidates from
//! here, the plan names differing fields with these values, and every
//! renderer prints [`Field::key`]: a field is spelled in exactly one place.
//! The API parameter each field maps to is listed for people
//! ([`Field::api`]); the mapping itself lives in `crate::account`.

use std::fmt;
use std::ops::RangeInclusive;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::manifest::model::{Retry, TaskSpec};

/// Declares [`Field`] with its key, API words and one-line description.
macro_rules! fields {
    ($( $(#[$meta:meta])* $variant:ident = $key:literal, $api:literal; )+) => {
        /// A field of a task, named as the manifest names it. Nested fields
        /// are written with their parent: `retry.times`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash,
                 Serialize, Deserialize, JsonSchema)]
        pub enum Field {
            $( $(#[$meta])* #[serde(rename = $key)] $variant, )+
        }

        impl Field {
            /// Every field, in the manifest reference's order.
            pub const ALL: &'static [Field] = &[$(Field::$variant),+];

            /// The field's key as written in a manifest (`agentId`,
            /// `retry.intervalMinutes`).
            pub const fn key(self) -> &'static str {
                match self { $(Field::$variant => $key),+ }
            }

            /// The API parameters the field maps to, for people.
            pub const fn api(self) -> &'static str {
                match self { $(Field::$variant => $api),+ }
            }

            /// The field whose key is `key`.
            pub fn from_key(key: &str) -> Option<Field> {
                match key {
                    $($key => Some(Field::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

fields! {
    /// The task's name: its identity in the account.
    Name = "name", "TaskName";
    /// The published voice agent that makes the calls.
    AgentId = "agentId", "AgentId";
    /// The number calls come from.
    VirtualNumber = "virtualNumber", "VirtualNumber";
    /// When the task starts.
    Start = "start", "StartType, TaskStartTime";
    /// Calls in flight at once.
    Concurrency = "concurrency", "TaskCps";
    /// Days calls are made on.
    CallDays = "callDays", "CallDay";
    /// Times of day calls are made in.
    CallWindows = "callWindows", "CallTime";
    /// The redial policy as a whole (on or off).
    Retry = "retry", "MissCallRetry";
    /// Call outcomes that trigger a redial.
    RetryReasons = "retry.reasons", "CallRetryReason";
    /// Redials per number.
    RetryTimes = "retry.times", "CallRetryTimes";
    /// Minutes between redials.
    RetryIntervalMinutes = "retry.intervalMinutes", "CallRetryInterval";
    /// The status aicall keeps the task in: running or stopped.
    Status = "status", "StartAiCallTask, StopAiCallTask";
    /// Names the task had before: renamed in place instead of created anew.
    RenamedFrom = "renamedFrom", "TaskName (UpdateAiCallTask)";
}

impl Field {
    /// The fields a task may set, in the reference's order.
    pub const TASK: &'static [Field] = &[
        Field::Name,
        Field::AgentId,
        Field::VirtualNumber,
        Field::Start,
        Field::Concurrency,
        Field::CallDays,
        Field::CallWindows,
        Field::Retry,
        Field::Status,
        Field::RenamedFrom,
    ];

    /// The fields `defaults` may set: a task's, except its name and the
    /// names it had (each task has its own).
    pub const DEFAULTS: &'static [Field] = &[
        Field::AgentId,
        Field::VirtualNumber,
        Field::Start,
        Field::Concurrency,
        Field::CallDays,
        Field::CallWindows,
        Field::Retry,
        Field::Status,
    ];

    /// The fields that make up a task's configuration (what
    /// CreateAiCallTask and UpdateAiCallTask send), compared by the plan.
    pub const CONFIG: &'static [Field] = &[
        Field::AgentId,
        Field::VirtualNumber,
        Field::Start,
        Field::Concurrency,
        Field::CallDays,
        Field::CallWindows,
        Field::Retry,
    ];

    /// The fields inside `retry`.
    pub const RETRY: &'static [Field] = &[
        Field::RetryReasons,
        Field::RetryTimes,
        Field::RetryIntervalMinutes,
    ];

    /// The key inside its parent mapping: `times` for `retry.times`.
    pub fn leaf(self) -> &'static str {
        let key = self.key();
        key.rsplit_once('.').map_or(key, |(_, leaf)| leaf)
    }

    /// The whole numbers a number field takes, from the limits in
    /// [`crate::manifest::model`]; `None` for the fields that are not numbers.
    pub fn range(self) -> Option<RangeInclusive<i64>> {
        fn widen<T: Copy + Into<i64>>(range: &RangeInclusive<T>) -> RangeInclusive<i64> {
            (*range.start()).into()..=(*range.end()).into()
        }
        match self {
            Field::Concurrency => Some(widen(&TaskSpec::CONCURRENCY)),
            Field::RetryTimes => Some(widen(&Retry::TIMES)),
            Field::RetryIntervalMinutes => Some(widen(&Retry::INTERVAL_MINUTES)),
            _ => None,
        }
    }

    /// The keys of `fields` as they are written inside their mapping.
    pub fn leaves(fields: &[Field]) -> Vec<&'static str> {
        fields.iter().map(|f| f.leaf()).collect()
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_round_trip_and_serialise_as_written() {
        for field in Field::ALL {
            assert_eq!(Field::from_key(field.key()), Some(*field));
            let json = serde_json::to_string(field).expect("serialises");
            assert_eq!(json, format!("\"{}\"", field.key()));
        }
        assert_eq!(Field::RetryIntervalMinutes.leaf(), "intervalMinutes");
        assert_eq!(Field::AgentId.leaf(), "agentId");
    }

    #[test]
    fn the_lists_are_in_reference_order() {
        let mut sorted = Field::TASK.to_vec();
        sorted.sort();
        assert_eq!(sorted, Field::TASK);
        assert_eq!(&Field::TASK[1..Field::TASK.len() - 1], Field::DEFAULTS);
        assert_eq!(&Field::TASK[1..8], Field::CONFIG);
    }
}
