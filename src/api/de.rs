//! Tolerant readers for reply fields.
//!
//! A plan must not fail because the service spelled a number as a string
//! or sent `null` for an empty list, so reply fields are read leniently:
//! integers as JSON integers or decimal strings (never through a float,
//! `aiccs-api.md` §1.5), booleans as JSON booleans or `"true"`/`"false"`
//! in any case (§1.4), lists as arrays or `null`.

use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, Visitor};

/// An `i64` from a JSON integer or a string of decimal digits; `null` is `None`.
pub(crate) fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<i64>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("an integer or a string of digits")
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
            i64::try_from(v)
                .map(Some)
                .map_err(|_| E::custom(format!("{v} does not fit in 64 bits")))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
            Err(E::custom(format!("expected an integer, found {v}")))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            let v = v.trim();
            if v.is_empty() {
                return Ok(None);
            }
            v.parse()
                .map(Some)
                .map_err(|_| E::custom(format!("expected an integer, found {v:?}")))
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
    }
    d.deserialize_any(V)
}

/// A `u32` read like [`opt_i64`], refusing values out of range.
pub(crate) fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    opt_i64(d)?
        .map(|v| u32::try_from(v).map_err(|_| de::Error::custom(format!("{v} is out of range"))))
        .transpose()
}

/// A `u64` read like [`opt_i64`], refusing negative values.
pub(crate) fn opt_u64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    opt_i64(d)?
        .map(|v| u64::try_from(v).map_err(|_| de::Error::custom(format!("{v} is negative"))))
        .transpose()
}

/// A `bool` from a JSON boolean or `"true"`/`"false"` in any case.
pub(crate) fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    struct V;
    impl<'de> Visitor<'de> for V {
        type Value = Option<bool>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a boolean")
        }
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            Ok(Some(v))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
            if v.eq_ignore_ascii_case("true") {
                Ok(Some(true))
            } else if v.eq_ignore_ascii_case("false") {
                Ok(Some(false))
            } else {
                Err(E::custom(format!("expected a boolean, found {v:?}")))
            }
        }
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
            d.deserialize_any(V)
        }
    }
    d.deserialize_any(V)
}

/// A list that may be `null` (read as empty).
pub(crate) fn list<'de, D, T>(d: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Ok(Option::<Vec<T>>::deserialize(d)?.unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    struct Row {
        #[serde(default, deserialize_with = "super::opt_i64")]
        n: Option<i64>,
        #[serde(default, deserialize_with = "super::opt_bool")]
        b: Option<bool>,
        #[serde(default, deserialize_with = "super::list")]
        l: Vec<String>,
    }

    fn row(json: &str) -> Result<Row, serde_json::Error> {
        serde_json::from_str(json)
    }

    #[test]
    fn integers_from_numbers_and_digit_strings() {
        assert_eq!(row(r#"{"n":7}"#).unwrap().n, Some(7));
        assert_eq!(
            row(r#"{"n":"1767225600000"}"#).unwrap().n,
            Some(1_767_225_600_000)
        );
        assert_eq!(row(r#"{"n":null}"#).unwrap().n, None);
        assert_eq!(row(r#"{}"#).unwrap().n, None);
        assert!(row(r#"{"n":1.5}"#).is_err());
        assert!(row(r#"{"n":"x"}"#).is_err());
    }

    #[test]
    fn booleans_in_any_case() {
        assert_eq!(row(r#"{"b":"True"}"#).unwrap().b, Some(true));
        assert_eq!(row(r#"{"b":false}"#).unwrap().b, Some(false));
        assert!(row(r#"{"b":"yes"}"#).is_err());
    }

    #[test]
    fn null_list_is_empty() {
        assert_eq!(row(r#"{"l":null}"#).unwrap().l, Vec::<String>::new());
        assert_eq!(row(r#"{"l":["A"]}"#).unwrap().l, ["A"]);
    }
}
