//! Natural language for messages: counts of things ("3 tasks"), lists
//! joined with "or", "did you mean" suggestions, long values shortened
//! for display, and invisible characters written out.
//!
//! Every renderer takes its plurals from here, so "1 problem" and
//! "2 problems" are decided in one place.

use std::borrow::Cow;

use unicode_general_category::{GeneralCategory, get_general_category};
use unicode_normalization::UnicodeNormalization as _;
use unicode_normalization::char::is_combining_mark;
use unicode_width::{UnicodeWidthChar as _, UnicodeWidthStr as _};

/// The widest a value is shown, in terminal columns: wider ones are
/// shortened ([`shorten`]). Twice the longest task name
/// ([`crate::manifest::model::TaskSpec::MAX_NAME_CHARS`]), so that every
/// valid name is shown whole, even in Chinese (two columns a character).
pub const SHOWN_WIDTH: usize = 256;

/// The widest a line of words and values is shown (a help, an error
/// from the API): room for the words and a value or two shown whole.
pub const LINE_WIDTH: usize = 4 * SHOWN_WIDTH;

/// `text` as it is shown in a message or a plan: whole when it is at most
/// [`SHOWN_WIDTH`] columns wide, else its start and its end joined by `…`
/// within that width.
///
/// Issue 7: a 1 MiB task name was printed whole in every line that named
/// it, 4 MB of output a run. Both ends are kept because names that share
/// a long prefix differ at the end (`…-2030-11`, `…-2030-12`). Programs
/// get values whole (JSON plans), and so does the source line under a
/// diagnostic, which the underline needs.
pub fn shorten(text: &str) -> Cow<'_, str> {
    shorten_to(text, SHOWN_WIDTH)
}

/// [`shorten`] to at most `width` columns (at least the `…`).
pub fn shorten_to(text: &str, width: usize) -> Cow<'_, str> {
    if text.width() <= width {
        return Cow::Borrowed(text);
    }
    let budget = width.saturating_sub(1);
    let tail_budget = budget / 2;
    let head_budget = budget - tail_budget;
    let mut head_width = 0;
    let head_end = text
        .char_indices()
        .find(|(_, c)| {
            head_width += c.width().unwrap_or(0);
            head_width > head_budget
        })
        .map_or(text.len(), |(at, _)| at);
    let mut tail_width = 0;
    let tail_start = text
        .char_indices()
        .rev()
        .find(|(_, c)| {
            tail_width += c.width().unwrap_or(0);
            tail_width > tail_budget
        })
        .map_or(0, |(at, c)| at + c.len_utf8())
        .max(head_end);
    Cow::Owned(format!("{}…{}", &text[..head_end], &text[tail_start..]))
}

/// A format character (general category `Cf`: the zero-width space,
/// joiner and non-joiner, the BOM, bidirectional marks): invisible, yet
/// part of a text.
pub fn is_format(c: char) -> bool {
    get_general_category(c) == GeneralCategory::Format
}

/// `text` with what cannot be seen written out as `<U+200B>`: format
/// characters, combining marks, white space other than a plain space, and
/// characters that NFC would replace. Two names that look alike then read
/// differently in a message (`café` and `cafe<U+0301>`). Shortened like any
/// value.
pub fn reveal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let unstable = || c.to_string().nfc().ne(std::iter::once(c));
        if is_format(c) || is_combining_mark(c) || (c.is_whitespace() && c != ' ') || unstable() {
            out.push_str(&format!("<U+{:04X}>", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    shorten(&out).into_owned()
}

/// `one` when `n` is 1, `many` otherwise: `plural(n, "it", "them")`.
pub fn plural<'a>(n: usize, one: &'a str, many: &'a str) -> &'a str {
    if n == 1 { one } else { many }
}

/// `n` and a regular noun: "1 task", "0 tasks", "3 tasks".
pub fn count(n: usize, noun: &str) -> String {
    format!("{n} {noun}{}", plural(n, "", "s"))
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

/// Each item in backticks, joined by commas: "`a`, `b`, `c`".
pub fn backticked(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|item| format!("`{item}`")).collect();
    quoted.join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_take_the_plural_unless_there_is_exactly_one() {
        assert_eq!(count(1, "task"), "1 task");
        assert_eq!(count(0, "task"), "0 tasks");
        assert_eq!(count(3, "file"), "3 files");
        assert_eq!(plural(1, "it", "them"), "it");
        assert_eq!(plural(2, "it", "them"), "them");
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

    /// Issue 7: long values are shortened to a bounded width, keeping
    /// both ends; anything that fits is left alone.
    #[test]
    fn long_values_keep_both_ends_within_the_width() {
        assert_eq!(shorten_to("renewals", 8), "renewals");
        assert_eq!(shorten_to("renewals-2030-12", 9), "rene…0-12");
        assert_eq!(shorten_to("续费提醒-2030-12", 9), "续费…0-12");
        assert_eq!(shorten_to("续费提醒-2030-12", 8), "续费…-12");
        assert!(shorten_to("续费提醒-2030-12", 9).width() <= 9);
        assert_eq!(shorten_to("abc", 1), "…");
        let long = "a".repeat(1 << 20);
        let shown = shorten(&long);
        assert_eq!(shown.width(), SHOWN_WIDTH);
        assert!(shown.starts_with('a') && shown.ends_with('a'));
        assert_eq!(shorten(&"续".repeat(128)), "续".repeat(128));
    }

    #[test]
    fn invisible_characters_are_written_out() {
        assert_eq!(reveal("café"), "café");
        assert_eq!(reveal("cafe\u{301}"), "cafe<U+0301>");
        assert_eq!(
            reveal("re\u{200b}newals\u{feff}"),
            "re<U+200B>newals<U+FEFF>"
        );
        assert_eq!(reveal("a b\u{3000}"), "a b<U+3000>");
        // A CJK compatibility ideograph, which NFC replaces.
        assert_eq!(reveal("\u{f900}续费"), "<U+F900>续费");
    }

    #[test]
    fn lists_join_naturally() {
        let words = |n: usize| (0..n).map(|i| format!("`{i}`"));
        assert_eq!(join_or(words(1)), "`0`");
        assert_eq!(join_or(words(2)), "`0` or `1`");
        assert_eq!(join_or(words(3)), "`0`, `1`, or `2`");
    }
}
