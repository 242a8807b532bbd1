//! The task ID: exact decimal digits, never a float (§1.5).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize, Serializer};

/// A task ID: the exact decimal digits, e.g. `118700000000000001`.
///
/// IDs are 18–19 digits, above 2^53, so they never go through a float
/// (§1.5). CreateAiCallTask returns one as a JSON number, every other reply
/// as a string; both are accepted wherever an ID is read. A float, a
/// negative number or a string that is not all digits is refused.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct TaskId(String);

impl TaskId {
    /// Checks that `digits` is a non-empty string of ASCII digits.
    pub fn new(digits: impl Into<String>) -> Result<TaskId, InvalidTaskId> {
        let digits = digits.into();
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(InvalidTaskId { found: digits });
        }
        Ok(TaskId(digits))
    }

    /// The digits as sent on the wire.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    fn significant(&self) -> &str {
        let trimmed = self.0.trim_start_matches('0');
        if trimmed.is_empty() { "0" } else { trimmed }
    }
}

/// Orders IDs by numeric value (the emulator lists newest, i.e. highest, first).
impl Ord for TaskId {
    fn cmp(&self, other: &TaskId) -> Ordering {
        let (a, b) = (self.significant(), other.significant());
        a.len()
            .cmp(&b.len())
            .then_with(|| a.cmp(b))
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for TaskId {
    fn partial_cmp(&self, other: &TaskId) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Debug for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "TaskId({})", self.0)
    }
}

impl fmt::Display for TaskId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TaskId {
    type Err = InvalidTaskId;
    fn from_str(s: &str) -> Result<TaskId, InvalidTaskId> {
        TaskId::new(s)
    }
}

impl From<u64> for TaskId {
    fn from(n: u64) -> TaskId {
        TaskId(n.to_string())
    }
}

/// A value that is not a task ID.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{found}` is not a task ID: expected decimal digits")]
pub struct InvalidTaskId {
    /// What was found instead.
    pub found: String,
}

impl Serialize for TaskId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for TaskId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<TaskId, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TaskId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a task ID (an integer, or a string of digits)")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<TaskId, E> {
                Ok(TaskId::from(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<TaskId, E> {
                u64::try_from(v)
                    .map(TaskId::from)
                    .map_err(|_| E::custom(format!("a task ID cannot be negative, found {v}")))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<TaskId, E> {
                Ok(TaskId(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<TaskId, E> {
                // serde_json hands over a float for `1.5`, `1e18` and integers
                // beyond u64: none of them can be an exact ID.
                Err(E::custom(format!(
                    "a task ID must be an integer, found the non-integer {v}"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<TaskId, E> {
                TaskId::new(v).map_err(E::custom)
            }
        }
        d.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_id_from_a_number_above_2_pow_53_keeps_every_digit() {
        let id: TaskId = serde_json::from_str("1187654321098765432").unwrap();
        assert_eq!(id.as_str(), "1187654321098765432");
        // 2^53 + 1 is the first integer a float cannot hold.
        let id: TaskId = serde_json::from_str("9007199254740993").unwrap();
        assert_eq!(id.as_str(), "9007199254740993");
        let id: TaskId = serde_json::from_str("18446744073709551615").unwrap();
        assert_eq!(id.as_str(), "18446744073709551615");
    }

    #[test]
    fn task_id_from_a_string() {
        let id: TaskId = serde_json::from_str(r#""118700000000000001""#).unwrap();
        assert_eq!(id, TaskId::new("118700000000000001").unwrap());
        assert_eq!(
            serde_json::to_string(&id).unwrap(),
            r#""118700000000000001""#
        );
    }

    #[test]
    fn task_id_refuses_floats_negatives_and_non_digits() {
        for bad in [
            "1.5",
            "1e18",
            "118700000000000001.0",
            "-1",
            r#""12a""#,
            r#""""#,
            r#"" 1""#,
        ] {
            assert!(
                serde_json::from_str::<TaskId>(bad).is_err(),
                "{bad} was accepted"
            );
        }
        // Beyond u64 serde_json falls back to a float: refused, not rounded.
        let err = serde_json::from_str::<TaskId>("99999999999999999999").unwrap_err();
        assert!(err.to_string().contains("must be an integer"), "{err}");
    }

    #[test]
    fn task_ids_order_numerically() {
        let small = TaskId::new("999").unwrap();
        let big = TaskId::new("1000").unwrap();
        assert!(small < big);
        assert!(TaskId::new("0999").unwrap() < big);
    }
}
