//! What `plan` (and apply's plan) says while it reads the account: a
//! progress line for the terminal, and the note about a refused page size.
//!
//! Counts come in as plain numbers: the reader that counts them lives in
//! `crate::account`, which this module must not know.

use super::style::{Paint, Style};

/// The indicatif template of the reading spinner; `{msg}` is [`reading`].
pub const READING_TEMPLATE: &str = "{spinner} {msg}";

/// How far reading the account has come.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Reading {
    /// Pages of the listing read, of how many expected.
    pub pages: (u64, u64),
    /// Names looked up, of how many (`(0, 0)` when listing).
    pub lookups: (u64, u64),
    /// Details read, of how many tasks found so far.
    pub details: (u64, u64),
}

/// `reading the account: 37/200 pages, 120/180 details`.
pub fn reading(progress: &Reading) -> String {
    let (pages, expected) = progress.pages;
    let (looked_up, lookups) = progress.lookups;
    let (details, found) = progress.details;
    let mut text = format!(
        "reading the account: {pages}/{expected} {}",
        plural(expected, "page")
    );
    if lookups > 0 {
        text.push_str(&format!(
            ", {looked_up}/{lookups} {} looked up",
            plural(lookups, "name")
        ));
    }
    text.push_str(&format!(", {details}/{found} {}", plural(found, "detail")));
    text
}

/// Said once when the service refused the page size asked for.
pub fn page_size_reduced(asked: u32, used: u32, style: Style) -> String {
    format!(
        "{} the service refused {asked} tasks a page; reading {used} a page instead \
         (`--page-size {used}` starts there)\n",
        style.paint(Paint::Warning, "note:")
    )
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        word.to_owned()
    } else {
        format!("{word}s")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn listing_and_looking_up_read_alike() {
        let listing = Reading {
            pages: (37, 200),
            lookups: (0, 0),
            details: (120, 180),
        };
        assert_eq!(
            reading(&listing),
            "reading the account: 37/200 pages, 120/180 details"
        );
        let lookups = Reading {
            pages: (1, 1),
            lookups: (3, 10),
            details: (1, 1),
        };
        assert_eq!(
            reading(&lookups),
            "reading the account: 1/1 page, 3/10 names looked up, 1/1 detail"
        );
    }

    #[test]
    fn the_page_size_note_says_what_to_pass() {
        assert_eq!(
            page_size_reduced(50, 20, Style::plain()),
            "note: the service refused 50 tasks a page; reading 20 a page instead \
             (`--page-size 20` starts there)\n"
        );
    }
}
