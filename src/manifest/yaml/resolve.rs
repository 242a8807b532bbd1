//! The YAML 1.2 core schema: what a plain scalar means.

/// What a plain scalar means under the YAML 1.2 core schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resolved {
    /// `null`, `~` or nothing.
    Null,
    /// `true` or `false`.
    Bool,
    /// An integer, decimal, octal (`0o`) or hexadecimal (`0x`).
    Int,
    /// A floating-point number, `.inf` or `.nan`.
    Float,
    /// Anything else.
    Str,
}

/// The YAML 1.2 core schema's reading of a plain scalar.
pub fn resolve_plain(text: &str) -> Resolved {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" | "false" | "False" | "FALSE" => return Resolved::Bool,
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float,
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let digits = |s: &str, radix: u32| !s.is_empty() && s.chars().all(|c| c.is_digit(radix));
    if digits(unsigned, 10)
        || text.strip_prefix("0o").is_some_and(|s| digits(s, 8))
        || text.strip_prefix("0x").is_some_and(|s| digits(s, 16))
    {
        return Resolved::Int;
    }
    if matches!(unsigned, ".inf" | ".Inf" | ".INF") || is_float(unsigned) {
        return Resolved::Float;
    }
    Resolved::Str
}

/// `(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, sign already removed.
fn is_float(text: &str) -> bool {
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(i) => (&text[..i], Some(&text[i + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = match fraction {
        Some(fraction) => {
            all_digits(whole) && all_digits(fraction) && !(whole.is_empty() && fraction.is_empty())
        }
        None => !whole.is_empty() && all_digits(whole),
    };
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && all_digits(e)
    });
    mantissa_ok && exponent_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn core_schema_types_plain_scalars_only() {
        for (text, resolved) in [
            ("", Resolved::Null),
            ("~", Resolved::Null),
            ("True", Resolved::Bool),
            ("yes", Resolved::Str),
            ("0327121220001", Resolved::Int),
            ("-12", Resolved::Int),
            ("0x1F", Resolved::Int),
            ("1.5", Resolved::Float),
            ("1e3", Resolved::Float),
            (".inf", Resolved::Float),
            ("09:00", Resolved::Str),
            ("1.2.3", Resolved::Str),
            (".", Resolved::Str),
            ("2030-01-01T09:00:00+08:00", Resolved::Str),
        ] {
            assert_eq!(resolve_plain(text), resolved, "{text:?}");
        }
    }
}
