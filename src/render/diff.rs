//! A field's change shown for people: lists diffed item by item, short
//! values as `old → new`, long ones on two lines with carets under the
//! characters that differ (aligned by display width, so CJK text lines up).

use std::fmt::Write as _;

use similar::{Algorithm, DiffOp, capture_diff_slices};
use unicode_width::UnicodeWidthStr as _;

use crate::diag::words::shorten;
use crate::manifest::field::Field;

use super::style::{Paint, Style};
use super::value::Shown;

/// Width of the field-name column.
pub const FIELD_WIDTH: usize = 22;
/// Text values at least this wide are diffed character by character.
const LONG_TEXT: usize = 24;

/// The lines showing `field` going from `account` to `manifest`.
pub fn field_change(
    out: &mut String,
    field: Field,
    account: &Shown,
    manifest: &Shown,
    style: Style,
) {
    let indent = 4 + FIELD_WIDTH;
    let name = field.key();
    match (account, manifest) {
        (Shown::List(account), Shown::List(manifest)) => {
            let mut first = true;
            let mut emit = |items: &[String], sign: &str, paint: Option<Paint>| {
                list_lines(out, name, &mut first, items, sign, paint, style);
            };
            for op in capture_diff_slices(Algorithm::Myers, account, manifest) {
                let (_, old, new) = op.as_tag_tuple();
                match op {
                    DiffOp::Equal { .. } => emit(&account[old], " ", None),
                    DiffOp::Delete { .. } => emit(&account[old], "-", Some(Paint::Error)),
                    DiffOp::Insert { .. } => emit(&manifest[new], "+", Some(Paint::Add)),
                    DiffOp::Replace { .. } => {
                        emit(&account[old], "-", Some(Paint::Error));
                        emit(&manifest[new], "+", Some(Paint::Add));
                    }
                }
            }
            if account.is_empty() && manifest.is_empty() {
                let _ = writeln!(out, "    {name:<FIELD_WIDTH$}(empty)");
            }
        }
        (account, manifest) => {
            let account = shorten(&account.one_line()).into_owned();
            let manifest = shorten(&manifest.one_line()).into_owned();
            if account.width() >= LONG_TEXT || manifest.width() >= LONG_TEXT {
                let _ = writeln!(
                    out,
                    "    {name:<FIELD_WIDTH$}{} {}",
                    style.paint(Paint::Error, "-"),
                    style.paint(Paint::Error, &account)
                );
                let _ = writeln!(
                    out,
                    "{:indent$}{} {}",
                    "",
                    style.paint(Paint::Add, "+"),
                    style.paint(Paint::Add, &manifest)
                );
                let carets = caret_line(&account, &manifest);
                // Carets help with near-identical values (IDs, numbers);
                // under unrelated texts they are noise.
                let similar = similar::TextDiff::from_chars(account.as_str(), manifest.as_str())
                    .ratio()
                    >= 0.6;
                if similar && !carets.trim().is_empty() {
                    let _ = writeln!(
                        out,
                        "{:indent$}  {}",
                        "",
                        style.paint(Paint::Warning, carets.trim_end())
                    );
                }
            } else {
                let _ = writeln!(
                    out,
                    "    {name:<FIELD_WIDTH$}{} → {}",
                    style.paint(Paint::Error, &account),
                    style.paint(Paint::Add, &manifest)
                );
            }
        }
    }
}

fn list_lines(
    out: &mut String,
    field: &str,
    first: &mut bool,
    items: &[String],
    sign: &str,
    paint: Option<Paint>,
    style: Style,
) {
    for item in items {
        let label = if *first { field } else { "" };
        *first = false;
        let text = format!("{sign} {}", shorten(item));
        let text = match paint {
            Some(paint) => style.paint(paint, &text),
            None => text,
        };
        let _ = writeln!(out, "    {label:<FIELD_WIDTH$}{text}");
    }
}

/// Carets under the characters of `new` that differ from `old`, aligned
/// by display width (CJK characters are two columns wide).
fn caret_line(old: &str, new: &str) -> String {
    let old: Vec<char> = old.chars().collect();
    let new: Vec<char> = new.chars().collect();
    let mut marks = vec![false; new.len()];
    for op in capture_diff_slices(Algorithm::Myers, &old, &new) {
        match op {
            DiffOp::Insert {
                new_index, new_len, ..
            }
            | DiffOp::Replace {
                new_index, new_len, ..
            } => {
                marks[new_index..new_index + new_len]
                    .iter_mut()
                    .for_each(|m| *m = true);
            }
            // A deletion has no character of its own in `new`: mark where it was.
            DiffOp::Delete { new_index, .. } => {
                if let Some(mark) = marks.get_mut(new_index) {
                    *mark = true;
                }
            }
            DiffOp::Equal { .. } => {}
        }
    }
    let mut line = String::new();
    for (ch, marked) in new.iter().zip(marks) {
        let width = unicode_width::UnicodeWidthChar::width(*ch).unwrap_or(0);
        line.push_str(&(if marked { "^" } else { " " }).repeat(width));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carets_mark_changed_characters_by_display_width() {
        assert_eq!(
            caret_line("118012345678901234", "118012345678901299"),
            "                ^^"
        );
        assert_eq!(caret_line("外呼测试", "外呼演示"), "    ^^^^");
    }
}
