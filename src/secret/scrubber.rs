//! Masking known credential values in text before it is shown.
//!
//! Two rules keep the mask from mangling ordinary text (issue 7: a
//! one-character secret once turned `10s` into `10****`):
//!
//! - **whole occurrences only**: a value is replaced where it stands as a
//!   token of its own, not where it is the middle of a longer word or
//!   number. Letters and digits continue a token; anything else ends one,
//!   and so does a percent-escape (`%3D` in `SecurityToken%3DCAIS...`), so
//!   the encoded forms inside an echoed query are found too;
//! - **long values only**: a value shorter than [`MIN_SCRUBBED_LEN`]
//!   characters is never used, since it cannot be a real credential and
//!   would match everywhere.

use std::borrow::Cow;
use std::fmt;

/// The fewest characters a value needs to be scrubbed. Real AccessKey
/// secrets have 30, IDs 24 and STS tokens hundreds.
pub const MIN_SCRUBBED_LEN: usize = 8;

/// Values to mask, each with what replaces it.
///
/// `Debug` shows how many values it holds, never the values.
#[derive(Clone, Default)]
pub struct Scrubber {
    /// Longest needle first, so that a value is masked before any shorter
    /// one found inside it.
    rules: Vec<Rule>,
}

#[derive(Clone)]
struct Rule {
    needle: String,
    replacement: String,
}

impl Scrubber {
    /// A scrubber that masks nothing.
    pub const fn new() -> Scrubber {
        Scrubber { rules: Vec::new() }
    }

    /// Masks whole occurrences of `value` with `replacement` from now on.
    /// Ignored when `value` is shorter than [`MIN_SCRUBBED_LEN`] or known.
    pub fn add(&mut self, value: &str, replacement: &str) {
        if value.chars().count() < MIN_SCRUBBED_LEN
            || self.rules.iter().any(|rule| rule.needle == value)
        {
            return;
        }
        let at = self
            .rules
            .iter()
            .position(|rule| rule.needle.len() < value.len())
            .unwrap_or(self.rules.len());
        self.rules.insert(
            at,
            Rule {
                needle: value.to_owned(),
                replacement: replacement.to_owned(),
            },
        );
    }

    /// Adds every value of `other`.
    pub fn extend(&mut self, other: &Scrubber) {
        for rule in &other.rules {
            self.add(&rule.needle, &rule.replacement);
        }
    }

    /// Whether it masks nothing.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// `text` with every whole occurrence of a value replaced; borrowed
    /// when there was nothing to replace.
    pub fn scrub<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let mut out = Cow::Borrowed(text);
        for rule in &self.rules {
            if let Some(replaced) = replace_whole(&out, &rule.needle, &rule.replacement) {
                out = Cow::Owned(replaced);
            }
        }
        out
    }
}

impl fmt::Debug for Scrubber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Scrubber({} values)", self.rules.len())
    }
}

/// `text` with the whole occurrences of `needle` replaced, or `None` when
/// there is none.
fn replace_whole(text: &str, needle: &str, replacement: &str) -> Option<String> {
    let mut out = String::new();
    let mut copied = 0;
    let mut from = 0;
    while let Some(found) = text[from..].find(needle) {
        let start = from + found;
        let end = start + needle.len();
        if is_whole(text, start, end) {
            out.push_str(&text[copied..start]);
            out.push_str(replacement);
            copied = end;
            from = end;
        } else {
            // The next match may overlap this one: step one character.
            from = start + text[start..].chars().next().map_or(1, char::len_utf8);
        }
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// Whether `text[start..end]` is not the middle of a longer token.
fn is_whole(text: &str, start: usize, end: usize) -> bool {
    let continues = |outside: Option<char>, inside: Option<char>| {
        outside.is_some_and(|c| c.is_ascii_alphanumeric())
            && inside.is_some_and(|c| c.is_ascii_alphanumeric())
    };
    let before = &text[..start];
    let opens = !continues(before.chars().next_back(), text[start..].chars().next())
        || ends_with_percent_escape(before);
    let closes = !continues(text[end..].chars().next(), text[..end].chars().next_back());
    opens && closes
}

/// Whether `text` ends with `%XX`, two hexadecimal digits.
fn ends_with_percent_escape(text: &str) -> bool {
    match text.as_bytes() {
        [.., b'%', high, low] => high.is_ascii_hexdigit() && low.is_ascii_hexdigit(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrubber(values: &[&str]) -> Scrubber {
        let mut scrubber = Scrubber::new();
        for value in values {
            scrubber.add(value, "****");
        }
        scrubber
    }

    #[test]
    fn whole_occurrences_are_masked() {
        let s = scrubber(&["Xq7pL2mN9vR4"]);
        assert_eq!(s.scrub("key Xq7pL2mN9vR4& rejected"), "key ****& rejected");
        assert_eq!(s.scrub("Xq7pL2mN9vR4"), "****");
        assert_eq!(s.scrub("`Xq7pL2mN9vR4`, Xq7pL2mN9vR4."), "`****`, ****.");
        assert_eq!(s.scrub("密钥Xq7pL2mN9vR4是"), "密钥****是");
        assert_eq!(s.scrub("a-Xq7pL2mN9vR4_b"), "a-****_b");
    }

    #[test]
    fn a_value_inside_a_longer_word_or_number_is_left_alone() {
        let s = scrubber(&["12345678", "abcdefgh"]);
        assert_eq!(s.scrub("ID 1234567890"), "ID 1234567890");
        assert_eq!(s.scrub("x abcdefghij 012345678"), "x abcdefghij 012345678");
        assert_eq!(s.scrub("x 12345678 y"), "x **** y");
        // An overlapping later match is still found.
        let s = scrubber(&["aaaaaaaa"]);
        assert_eq!(s.scrub("aaaaaaaaa"), "aaaaaaaaa");
        assert_eq!(s.scrub("baaaaaaaa aaaaaaaa"), "baaaaaaaa ****");
    }

    #[test]
    fn percent_escapes_end_a_token() {
        let s = scrubber(&["CAIS%252Btoken"]);
        assert_eq!(
            s.scrub("SecurityToken%3DCAIS%252Btoken%26Timestamp"),
            "SecurityToken%3D****%26Timestamp"
        );
        // `3D` without its `%` is just two characters of a word.
        assert_eq!(s.scrub("x3DCAIS%252Btoken"), "x3DCAIS%252Btoken");
    }

    #[test]
    fn short_values_are_never_used() {
        let s = scrubber(&["s", "1234567"]);
        assert!(s.is_empty());
        assert_eq!(s.scrub("10s, 1234567"), "10s, 1234567");
        assert!(matches!(s.scrub("10s"), Cow::Borrowed(_)));
    }

    #[test]
    fn the_longest_value_is_masked_first() {
        let mut s = Scrubber::new();
        s.add("TESTexample", "****mple");
        s.add("TESTexampleKey", "****eKey");
        assert_eq!(s.scrub("id TESTexampleKey"), "id ****eKey");
        let mut all = Scrubber::new();
        all.extend(&s);
        all.extend(&s);
        assert_eq!(format!("{all:?}"), "Scrubber(2 values)");
    }
}
