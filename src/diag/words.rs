//! Natural language for messages: counts of things ("3 tasks"), lists
//! joined with "or", and "did you mean" suggestions.
//!
//! Every renderer takes its plurals from here, so "1 problem" and
//! "2 problems" are decided in one place.

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

    #[test]
    fn lists_join_naturally() {
        let words = |n: usize| (0..n).map(|i| format!("`{i}`"));
        assert_eq!(join_or(words(1)), "`0`");
        assert_eq!(join_or(words(2)), "`0` or `1`");
        assert_eq!(join_or(words(3)), "`0`, `1`, or `2`");
    }
}
