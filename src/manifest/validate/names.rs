//! Task names across every file given: exact duplicates (an error, since
//! names are the identity of tasks in the account, §3.1), and names that
//! differ as written but look the same (a warning, issue 7).
//!
//! The API compares names exactly (emulator convention, `aiccs-api.md` §7:
//! "exact and case-sensitive, no trimming"), so `café` written precomposed
//! (NFC) and decomposed (NFD), or `renewals` with a zero-width space in it,
//! are two tasks in the account that look like one in the console, in a
//! plan and in a review. Such names are compared by their [`lookalike_key`]:
//! NFC, without format characters, without surrounding white space.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization as _;

use crate::diag::words::is_format;
use crate::diag::{Diagnostic, FileId, LookalikeFlaw, Problem, RenameFlaw, Span};
use crate::manifest::validate::Found;

/// Reports names used twice (errors) and names that look like an earlier
/// one without being it (warnings), each with the earlier place.
pub fn check_names(found: &[(FileId, Found)], out: &mut Vec<Diagnostic>) {
    let mut first: HashMap<&str, (FileId, Span)> = HashMap::with_capacity(found.len());
    let mut looks: HashMap<String, (&str, FileId, Span)> = HashMap::with_capacity(found.len());
    for (id, task) in found {
        let Some((name, span)) = &task.name else {
            continue;
        };
        if let Some((first_id, first_span)) = first.get(name.as_str()) {
            out.push(
                Diagnostic::new(*id, *span, Problem::DuplicateName { name: name.clone() })
                    .with_related(*first_id, *first_span, "first used here"),
            );
            continue;
        }
        first.insert(name, (*id, *span));
        let key = lookalike_key(name);
        match looks.get(&key) {
            Some((other, other_id, other_span)) => out.push(
                Diagnostic::new(
                    *id,
                    *span,
                    Problem::LookalikeName {
                        name: name.clone(),
                        other: (*other).to_owned(),
                        flaw: lookalike_flaw(name, other),
                    },
                )
                .with_related(*other_id, *other_span, "the name it looks like"),
            ),
            None => {
                looks.insert(key, (name, *id, *span));
            }
        }
    }
}

/// Checks the old names of `found` tasks (`renamedFrom`) across every
/// manifest: an old name is the name of one task only, and of no task the
/// manifests declare — a task is renamed from a name nobody keeps.
pub fn check_renames(found: &[(FileId, Found)], out: &mut Vec<Diagnostic>) {
    let declared: HashMap<&str, (FileId, Span)> = found
        .iter()
        .filter_map(|(id, task)| {
            task.name
                .as_ref()
                .map(|(name, span)| (name.as_str(), (*id, *span)))
        })
        .collect();
    let mut claimed: HashMap<&str, (FileId, Span)> = HashMap::new();
    for (id, task) in found {
        for (old, span) in &task.renamed_from {
            let (flaw, related, note) = if let Some(at) = declared.get(old.as_str()) {
                (RenameFlaw::Declared, *at, "declared here")
            } else if let Some(at) = claimed.get(old.as_str()) {
                (RenameFlaw::ClaimedTwice, *at, "first claimed here")
            } else {
                claimed.insert(old, (*id, *span));
                continue;
            };
            out.push(
                Diagnostic::new(
                    *id,
                    *span,
                    Problem::Rename {
                        old: old.clone(),
                        flaw,
                    },
                )
                .with_related(related.0, related.1, note),
            );
        }
    }
}

/// A name as people see it: NFC, without format characters (`Cf`: the
/// zero-width space, joiner and non-joiner, the BOM, bidirectional marks),
/// without white space around it. Two names with one key look the same.
///
/// Format characters go first: one between a letter and a combining mark
/// would otherwise keep them from composing.
pub fn lookalike_key(name: &str) -> String {
    let visible: String = name.chars().filter(|c| !is_format(*c)).collect();
    visible.nfc().collect::<String>().trim().to_owned()
}

/// What two look-alike names differ by, the most telling first.
fn lookalike_flaw(name: &str, other: &str) -> LookalikeFlaw {
    let nfc = |text: &str| text.nfc().collect::<String>();
    let visible = |text: &str| text.chars().filter(|c| !is_format(*c)).collect::<String>();
    if nfc(name) == nfc(other) {
        LookalikeFlaw::Normalisation
    } else if nfc(&visible(name)) == nfc(&visible(other)) {
        LookalikeFlaw::Invisible
    } else {
        LookalikeFlaw::WhiteSpace
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::validate::testing::{HEAD, load, problems};

    #[test]
    fn keys_ignore_normalisation_invisible_characters_and_padding() {
        let key = lookalike_key("café");
        for name in [
            "cafe\u{301}",
            "ca\u{200b}fé",
            "\u{feff}café",
            "café ",
            " café\u{3000}",
            "cafe\u{200d}\u{301}",
        ] {
            assert_eq!(lookalike_key(name), key, "{name:?}");
        }
        assert_ne!(lookalike_key("Café"), key);
        assert_ne!(lookalike_key("cafe"), key);
        assert_eq!(
            lookalike_flaw("cafe\u{301}", "café"),
            LookalikeFlaw::Normalisation
        );
        assert_eq!(
            lookalike_flaw("ca\u{200b}fe\u{301}", "café"),
            LookalikeFlaw::Invisible
        );
        assert_eq!(lookalike_flaw("café ", "café"), LookalikeFlaw::WhiteSpace);
    }

    /// Issue 7: the later name is warned about, at its place, with the
    /// earlier one as the related place; exact duplicates stay errors.
    #[test]
    fn look_alike_names_are_warnings_naming_both_places() {
        let text = format!(
            "{HEAD}  - name: \"caf\\u00e9\"\n  - name: \"cafe\\u0301\"\n  - name: \"re\\u200bnewals\"\n  - name: renewals\n  - name: renewals\n"
        );
        problems(
            &text,
            &[
                ("lookalike-name", 10, 11, 12),
                ("lookalike-name", 12, 11, 8),
                ("duplicate-name", 13, 11, 8),
            ],
        );
        let loaded = load(&text);
        assert!(!loaded.diagnostics[0].is_error());
        let related = &loaded.diagnostics[0].related[0];
        assert_eq!((related.span.line, related.span.column), (9, 11));
        assert_eq!(
            loaded.diagnostics[0].message(),
            "task name `cafe<U+0301>` looks like `café`: they differ only in Unicode \
             normalisation, so the account would hold two tasks that look like one"
        );
        assert_eq!(
            loaded.diagnostics[1].message(),
            "task name `renewals` looks like `re<U+200B>newals`: they differ only in \
             invisible characters, so the account would hold two tasks that look like one"
        );
        let related = &loaded.diagnostics[2].related[0];
        assert_eq!((related.span.line, related.span.column), (12, 11));
    }
}
