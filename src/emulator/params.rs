//! Request parameters: the decoded query merged with any form body, and
//! typed reads that fail with the exact error §7 names.
//!
//! Value rules of `aiccs-api.md` §1.4 and §7: integers are plain decimal
//! (no sign `+`, no spaces, no exponent), booleans are `true`/`false` in any
//! case (the Python SDK sends `True`), arrays are one parameter holding a
//! compact JSON array, and an unset optional parameter is simply absent.

use std::collections::HashSet;

use super::service_error::ServiceError;
use super::task::{CallDay, CallWindow, RetryReason, TaskId};

/// The parameters of one request, in the order received.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    pairs: Vec<(String, String)>,
}

impl Params {
    /// Form-decodes a query string or `application/x-www-form-urlencoded`
    /// body (`+` is a space, `%XX` a byte) and appends its pairs.
    pub(crate) fn extend_form(&mut self, encoded: &[u8]) {
        self.pairs.extend(
            form_urlencoded::parse(encoded)
                .map(|(name, value)| (name.into_owned(), value.into_owned())),
        );
    }

    /// Every pair, in the order received.
    pub(crate) fn pairs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.pairs.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Refuses a name given twice (in the query and the body, or twice in
    /// one): the signature would not say which one was meant.
    pub(crate) fn reject_repeats(&self) -> Result<(), ServiceError> {
        let mut seen = HashSet::with_capacity(self.pairs.len());
        for (name, value) in &self.pairs {
            if !seen.insert(name.as_str()) {
                return Err(ServiceError::invalid(
                    name,
                    value,
                    "each parameter may be given only once",
                ));
            }
        }
        Ok(())
    }

    /// The value of `name`, if given.
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of a required parameter (`Missing{name}` when absent).
    pub(crate) fn required(&self, name: &'static str) -> Result<&str, ServiceError> {
        self.get(name).ok_or(ServiceError::Missing { name })
    }

    /// A required string that must not be empty.
    pub(crate) fn required_text(&self, name: &'static str) -> Result<String, ServiceError> {
        let value = self.required(name)?;
        if value.is_empty() {
            return Err(ServiceError::invalid(name, value, "a non-empty string"));
        }
        Ok(value.to_owned())
    }

    /// An optional string; an empty value counts as unset.
    pub(crate) fn text(&self, name: &str) -> Option<String> {
        self.get(name).filter(|v| !v.is_empty()).map(str::to_owned)
    }

    /// An optional integer within `min..=max`.
    pub(crate) fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, ServiceError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        match parse_plain_int(value) {
            Some(n) if (min..=max).contains(&n) => Ok(Some(n)),
            _ if max == i64::MAX => Err(ServiceError::invalid(
                name,
                value,
                format!("an integer of at least {min}"),
            )),
            _ => Err(ServiceError::invalid(
                name,
                value,
                format!("an integer from {min} to {max}"),
            )),
        }
    }

    /// An optional boolean, any case (`True` from the Python SDK, §1.4).
    pub(crate) fn boolean(&self, name: &str) -> Result<Option<bool>, ServiceError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        if value.eq_ignore_ascii_case("true") {
            Ok(Some(true))
        } else if value.eq_ignore_ascii_case("false") {
            Ok(Some(false))
        } else {
            Err(ServiceError::invalid(name, value, "`true` or `false`"))
        }
    }

    /// An optional task ID: digits, no leading zero, within `u64`.
    pub(crate) fn task_id(&self, name: &str) -> Result<Option<TaskId>, ServiceError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        parse_task_id(value)
            .map(Some)
            .ok_or_else(|| ServiceError::invalid(name, value, "a task ID (decimal digits)"))
    }

    /// An optional one-of-a-set value, compared exactly.
    pub(crate) fn choice<T: Copy>(
        &self,
        name: &str,
        all: &[T],
        spell: fn(T) -> &'static str,
    ) -> Result<Option<T>, ServiceError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        match all.iter().find(|t| spell(**t) == value) {
            Some(t) => Ok(Some(*t)),
            None => Err(ServiceError::invalid(name, value, one_of(all, spell))),
        }
    }

    /// An optional JSON array of strings (the SDK's `json` shrink style,
    /// §1.4), elements checked against a set and for repeats, returned in
    /// canonical (`Ord`) order.
    fn enum_array<T: Copy + Ord>(
        &self,
        name: &str,
        all: &[T],
        spell: fn(T) -> &'static str,
    ) -> Result<Option<Vec<T>>, ServiceError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let mut out = Vec::new();
        for element in json_string_array(name, value)? {
            let Some(t) = all.iter().find(|t| spell(**t) == element) else {
                return Err(ServiceError::invalid(
                    name,
                    value,
                    format!("elements among {}, found `{element}`", one_of(all, spell)),
                ));
            };
            if out.contains(t) {
                return Err(ServiceError::invalid(
                    name,
                    value,
                    format!("no repeated element, found `{element}` twice"),
                ));
            }
            out.push(*t);
        }
        out.sort();
        Ok(Some(out))
    }

    /// `CallDay`: a non-empty JSON array of exact-case day names.
    pub(crate) fn call_days(&self) -> Result<Vec<CallDay>, ServiceError> {
        self.required("CallDay")?;
        let days = self
            .enum_array("CallDay", &CallDay::ALL, CallDay::name)?
            .unwrap_or_default();
        if days.is_empty() {
            return Err(ServiceError::invalid(
                "CallDay",
                self.get("CallDay").unwrap_or_default(),
                "at least one day",
            ));
        }
        Ok(days)
    }

    /// `CallRetryReason`: a JSON array of reasons, possibly empty.
    pub(crate) fn retry_reasons(&self) -> Result<Option<Vec<RetryReason>>, ServiceError> {
        self.enum_array("CallRetryReason", &RetryReason::ALL, RetryReason::name)
    }

    /// A window array (`CallTime`, `CallableTime`): a JSON array whose
    /// elements are JSON *strings* each holding exactly
    /// `{"startTime":"HH:mm:ss","endTime":"HH:mm:ss"}` (§1.4, §7), sorted
    /// by start, without repeats.
    pub(crate) fn windows(&self, name: &str) -> Result<Option<Vec<CallWindow>>, ServiceError> {
        let Some(value) = self.get(name) else {
            return Ok(None);
        };
        let invalid = |expected: String| ServiceError::invalid(name, value, expected);
        let elements: Vec<serde_json::Value> = serde_json::from_str(value)
            .map_err(|_| invalid("a JSON array of JSON strings".to_owned()))?;
        let mut windows = Vec::with_capacity(elements.len());
        for element in elements {
            let serde_json::Value::String(text) = element else {
                return Err(invalid(format!(
                    "elements that are JSON strings holding {WINDOW_SHAPE}, found `{element}`"
                )));
            };
            let window = parse_window(&text).ok_or_else(|| {
                invalid(format!(
                    "elements of the form {WINDOW_SHAPE}, found `{text}`"
                ))
            })?;
            if window.end <= window.start {
                return Err(invalid(format!(
                    "windows that end after they start, found `{}`–`{}`",
                    window.start, window.end
                )));
            }
            if windows.contains(&window) {
                return Err(invalid(format!(
                    "no repeated window, found `{}`–`{}` twice",
                    window.start, window.end
                )));
            }
            windows.push(window);
        }
        windows.sort();
        Ok(Some(windows))
    }

    /// `CallTime`: required and non-empty.
    pub(crate) fn call_times(&self) -> Result<Vec<CallWindow>, ServiceError> {
        self.required("CallTime")?;
        let windows = self.windows("CallTime")?.unwrap_or_default();
        if windows.is_empty() {
            return Err(ServiceError::invalid(
                "CallTime",
                self.get("CallTime").unwrap_or_default(),
                "at least one window",
            ));
        }
        Ok(windows)
    }

    /// `CallExpireDate`: `YYYY-MM-DD HH:mm:ss`, a real date.
    pub(crate) fn expire_date(&self) -> Result<Option<String>, ServiceError> {
        let Some(value) = self.get("CallExpireDate") else {
            return Ok(None);
        };
        let well_formed = value.len() == 19
            && value.as_bytes()[10] == b' '
            && jiff::civil::DateTime::strptime("%Y-%m-%d %H:%M:%S", value).is_ok();
        if !well_formed {
            return Err(ServiceError::invalid(
                "CallExpireDate",
                value,
                "a date and time written YYYY-MM-DD HH:mm:ss",
            ));
        }
        Ok(Some(value.to_owned()))
    }
}

const WINDOW_SHAPE: &str = r#"{"startTime":"HH:mm:ss","endTime":"HH:mm:ss"}"#;

/// A plain decimal integer: an optional `-`, then digits only.
pub(crate) fn parse_plain_int(text: &str) -> Option<i64> {
    let digits = text.strip_prefix('-').unwrap_or(text);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

/// A task ID: decimal digits without a leading zero, within `u64`.
pub(crate) fn parse_task_id(text: &str) -> Option<TaskId> {
    let well_formed =
        !text.is_empty() && !text.starts_with('0') && text.bytes().all(|b| b.is_ascii_digit());
    if !well_formed {
        return None;
    }
    text.parse().ok().map(TaskId)
}

fn json_string_array(name: &str, value: &str) -> Result<Vec<String>, ServiceError> {
    serde_json::from_str(value).map_err(|_| {
        ServiceError::invalid(name, value, "a JSON array of strings, e.g. [\"A\",\"B\"]")
    })
}

/// One `CallTime` element: a JSON object with exactly the two keys, each
/// a `HH:mm:ss` string.
fn parse_window(text: &str) -> Option<CallWindow> {
    let object: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).ok()?;
    if object.len() != 2 {
        return None;
    }
    let time = |key: &str| -> Option<String> {
        let value = object.get(key)?.as_str()?;
        is_clock_time(value).then(|| value.to_owned())
    };
    Some(CallWindow {
        start: time("startTime")?,
        end: time("endTime")?,
    })
}

/// `HH:mm:ss`, two digits each, a real time of day.
fn is_clock_time(text: &str) -> bool {
    let b = text.as_bytes();
    let two = |i: usize, max: u8| -> bool {
        b[i].is_ascii_digit()
            && b[i + 1].is_ascii_digit()
            && (b[i] - b'0') * 10 + (b[i + 1] - b'0') <= max
    };
    b.len() == 8 && b[2] == b':' && b[5] == b':' && two(0, 23) && two(3, 59) && two(6, 59)
}

/// "`A`, `B`, or `C`", for messages.
fn one_of<T: Copy>(all: &[T], spell: fn(T) -> &'static str) -> String {
    let names: Vec<String> = all.iter().map(|t| format!("`{}`", spell(*t))).collect();
    match names.split_last() {
        Some((last, [])) => last.clone(),
        Some((last, [first])) => format!("{first} or {last}"),
        Some((last, rest)) => format!("{}, or {last}", rest.join(", ")),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> Params {
        Params {
            pairs: pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn form_decoding_turns_plus_into_space() {
        let mut p = Params::default();
        p.extend_form(b"TaskName=%E5%A4%96%E5%91%BC+a%2Bb&x=1");
        assert_eq!(p.get("TaskName"), Some("外呼 a+b"));
        assert_eq!(p.get("x"), Some("1"));
    }

    #[test]
    fn integers_are_plain_decimal_only() {
        assert_eq!(parse_plain_int("10"), Some(10));
        assert_eq!(parse_plain_int("-3"), Some(-3));
        for bad in [
            "",
            "+1",
            " 1",
            "1 ",
            "1.0",
            "1e3",
            "0x10",
            "-",
            "99999999999999999999",
        ] {
            assert_eq!(parse_plain_int(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn int_range_is_inclusive_on_both_ends() {
        let p = params(&[("A", "0"), ("B", "3"), ("C", "4"), ("D", "-1")]);
        assert_eq!(p.int("A", 0, 3).unwrap(), Some(0));
        assert_eq!(p.int("B", 0, 3).unwrap(), Some(3));
        assert!(p.int("C", 0, 3).is_err());
        assert!(p.int("D", 0, 3).is_err());
        assert_eq!(p.int("E", 0, 3).unwrap(), None);
    }

    #[test]
    fn booleans_ignore_case() {
        let p = params(&[("a", "True"), ("b", "FALSE"), ("c", "yes")]);
        assert_eq!(p.boolean("a").unwrap(), Some(true));
        assert_eq!(p.boolean("b").unwrap(), Some(false));
        let err = p.boolean("c").unwrap_err();
        assert_eq!(err.code(), "InvalidParameter");
    }

    #[test]
    fn task_ids_are_digits_without_leading_zero() {
        assert_eq!(
            parse_task_id("118700000000000001"),
            Some(TaskId(118_700_000_000_000_001))
        );
        for bad in ["", "0", "012", "12a", "-1", "18446744073709551616"] {
            assert_eq!(parse_task_id(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn call_days_sorted_exact_case_no_repeats() {
        let ok = params(&[("CallDay", r#"["FRIDAY","MONDAY"]"#)]);
        assert_eq!(ok.call_days().unwrap(), [CallDay::Monday, CallDay::Friday]);
        for bad in [
            r#"["monday"]"#,
            r#"["MONDAY","MONDAY"]"#,
            "[]",
            "MONDAY",
            r#"[1]"#,
        ] {
            let err = params(&[("CallDay", bad)]).call_days().unwrap_err();
            assert_eq!(err.code(), "InvalidParameter", "{bad}");
        }
        assert_eq!(
            Params::default().call_days().unwrap_err().code(),
            "MissingCallDay"
        );
    }

    #[test]
    fn retry_reasons_may_be_empty() {
        let p = params(&[("CallRetryReason", "[]")]);
        assert_eq!(p.retry_reasons().unwrap(), Some(vec![]));
    }

    #[test]
    fn call_time_elements_are_json_strings_of_exactly_two_keys() {
        let ok = params(&[(
            "CallTime",
            r#"["{\"startTime\":\"14:00:00\",\"endTime\":\"18:00:00\"}","{\"startTime\": \"09:00:00\", \"endTime\": \"12:00:00\"}"]"#,
        )]);
        let windows = ok.call_times().unwrap();
        assert_eq!(windows[0].start, "09:00:00");
        assert_eq!(windows[1].end, "18:00:00");

        for bad in [
            // plain objects instead of strings
            r#"[{"startTime":"09:00:00","endTime":"12:00:00"}]"#,
            // extra key
            r#"["{\"startTime\":\"09:00:00\",\"endTime\":\"12:00:00\",\"x\":1}"]"#,
            // short time
            r#"["{\"startTime\":\"9:00:00\",\"endTime\":\"12:00:00\"}"]"#,
            // impossible time
            r#"["{\"startTime\":\"09:00:00\",\"endTime\":\"24:00:00\"}"]"#,
            // end not after start
            r#"["{\"startTime\":\"12:00:00\",\"endTime\":\"12:00:00\"}"]"#,
            // repeated window
            r#"["{\"startTime\":\"09:00:00\",\"endTime\":\"12:00:00\"}","{\"startTime\":\"09:00:00\",\"endTime\":\"12:00:00\"}"]"#,
            "[]",
        ] {
            let err = params(&[("CallTime", bad)]).call_times().unwrap_err();
            assert_eq!(err.code(), "InvalidParameter", "{bad}");
        }
    }

    #[test]
    fn expire_date_must_be_a_real_date() {
        let ok = params(&[("CallExpireDate", "2026-02-28 23:59:59")]);
        assert_eq!(
            ok.expire_date().unwrap().as_deref(),
            Some("2026-02-28 23:59:59")
        );
        for bad in [
            "2026-02-30 00:00:00",
            "2026-02-28T23:59:59",
            "2026-2-28 23:59:59",
        ] {
            assert!(
                params(&[("CallExpireDate", bad)]).expire_date().is_err(),
                "{bad}"
            );
        }
    }

    #[test]
    fn repeated_parameters_are_refused() {
        let p = params(&[("A", "1"), ("A", "2")]);
        assert_eq!(p.reject_repeats().unwrap_err().code(), "InvalidParameter");
    }

    #[test]
    fn messages_list_the_allowed_values() {
        let p = params(&[("StartType", "NOW")]);
        let err = p
            .choice(
                "StartType",
                &super::super::task::StartType::ALL,
                super::super::task::StartType::name,
            )
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "the value `NOW` of `StartType` is invalid: `IMMEDIATE` or `SCHEDULE`"
        );
    }
}
