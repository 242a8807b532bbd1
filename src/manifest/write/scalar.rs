//! Scalars as the writer emits them: every string comes back exactly as it
//! was from any YAML 1.2 reader, this project's included.
//!
//! A string is written plain only when it is plainly safe: it starts with a
//! letter, holds only letters, digits, `-`, `_`, `.`, `/`, `+`, `(`, `)`
//! and single inner spaces, and no YAML reader (1.2's core schema, nor 1.1's `yes`/`on`)
//! would take it for anything but a string. Everything else is written in
//! double quotes, the one YAML style that can escape any character: `"`,
//! `\`, line breaks, tabs and every character outside YAML's printable set
//! are escaped, printable text (Chinese, emoji) is kept as it is. `${` is
//! written `$${` in either style, because the manifest reader expands
//! `${VAR}` in every string value (`docs/manifest.md`, Interpolation).

use std::fmt::Write as _;

use crate::manifest::yaml::{Resolved, resolve_plain};

/// `text` as a YAML scalar that reads back as exactly `text`: plain when
/// plainly safe, double-quoted otherwise.
pub fn string(text: &str) -> String {
    if is_plain_safe(text) {
        text.to_owned()
    } else {
        quoted(text)
    }
}

/// `text` in double quotes, escaped, `${` written `$${`. IDs, numbers
/// and times are always written this way.
pub fn quoted(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\r' => out.push_str("\\r"),
            '\u{85}' => out.push_str("\\N"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            '$' if chars.peek() == Some(&'{') => out.push_str("$$"),
            c if is_printable(c) => out.push(c),
            c if u32::from(c) <= 0xFF => {
                let _ = write!(out, "\\x{:02X}", u32::from(c));
            }
            c if u32::from(c) <= 0xFFFF => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08X}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

/// Whether `text` reads back as itself written plain, in any YAML reader.
fn is_plain_safe(text: &str) -> bool {
    let mut chars = text.chars();
    let Some(first) = chars.next() else {
        return false;
    };
    first.is_alphabetic()
        && !text.ends_with(' ')
        && !text.contains("  ")
        && text.chars().all(|c| {
            c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | '/' | '+' | '(' | ')' | ' ')
        })
        && resolve_plain(text) == Resolved::Str
        && !is_yaml11_word(text)
}

/// YAML 1.1's booleans and nulls: strings in 1.2, but not to every reader.
fn is_yaml11_word(text: &str) -> bool {
    ["y", "n", "yes", "no", "on", "off", "true", "false", "null"]
        .iter()
        .any(|word| text.eq_ignore_ascii_case(word))
}

/// YAML's printable set (`c-printable`), minus the byte order mark, which
/// a reader may drop.
fn is_printable(c: char) -> bool {
    matches!(u32::from(c),
        0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFEFE | 0xFF00..=0xFFFD | 0x10000..=0x10FFFF)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The names the issue lists, and their neighbours.
    pub(crate) const AWKWARD: &[&str] = &[
        "yes",
        "Yes",
        "no",
        "on",
        "off",
        "y",
        "null",
        "Null",
        "~",
        "true",
        "123",
        "0123",
        "1e3",
        "1_000",
        "0x1F",
        ".5",
        "+1",
        "-1",
        ".inf",
        "12:30",
        "2035-12-01",
        "- a",
        "-a",
        "a: b",
        "a:b",
        "#x",
        "a #x",
        " leading",
        "trailing ",
        "  ",
        "double  space",
        "\"quoted\"",
        "'single'",
        "back\\slash",
        "\\n literally",
        "emoji 📞☎️",
        "续费提醒-2035-12",
        "外呼 测试*~(1)",
        "${HOME}",
        "$${HOME}",
        "a$${b}",
        "$",
        "cost $5 {x}",
        "[list]",
        "{map}",
        "a, b",
        "&anchor",
        "*alias",
        "!tag",
        "%directive",
        "@at",
        "`tick`",
        "|block",
        ">folded",
        "?key",
        "<<",
        "=",
        "nbsp\u{a0}inside",
        "zero\u{200b}width",
        "bom\u{feff}",
        "line\u{2028}sep",
        "next\u{85}line",
        "tab\there",
        "new\nline",
        "cr\rhere",
        "bell\u{7}",
        "del\u{7f}",
        "c1\u{9b}",
        "private\u{e000}",
        "nonchar\u{fffe}",
        "astral 𝄞",
        "plain-name_1.2",
        "renewal reminder december",
        "survey/2035 (north)+1",
    ];

    fn saphyr(yaml: &str) -> String {
        #[derive(serde::Deserialize)]
        struct Doc {
            name: String,
        }
        let doc: Doc = serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("{yaml}: {e}"));
        doc.name
    }

    #[test]
    fn every_awkward_name_reads_back_exactly_in_serde_saphyr() {
        for name in AWKWARD {
            // serde-saphyr does not expand `${...}`: it sees the escape.
            let written = string(name);
            let expected = name.replace("${", "$${");
            assert_eq!(saphyr(&format!("name: {written}\n")), expected, "{written}");
        }
    }

    #[test]
    fn plain_only_when_plainly_safe() {
        for name in [
            "续费提醒-2035-12",
            "plain-name_1.2",
            "renewal reminder december",
        ] {
            assert_eq!(string(name), *name);
        }
        for name in ["yes", "123", "1e3", "- a", "a: b", "#x", " a", "a ", "${X}"] {
            assert!(string(name).starts_with('"'), "{name}");
        }
        assert_eq!(quoted("a\"b\\c\nd\u{7}"), r#""a\"b\\c\nd\x07""#);
        assert_eq!(quoted("${A}$${B}$"), r#""$${A}$$${B}$""#);
        assert_eq!(quoted("\u{feff}\u{2028}"), r#""\uFEFF\L""#);
    }
}
