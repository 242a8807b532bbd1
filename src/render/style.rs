//! The colour decision, made once and passed down as a value.
//!
//! Renderers receive a [`Style`] and never query the terminal themselves:
//! the decision depends on the `--color` flag, `NO_COLOR` and whether the
//! particular stream is a terminal, all of which only `main` knows.

use anstyle::{AnsiColor, Effects};

use crate::cli::ColorChoice;

/// Whether output to one stream is coloured, and the palette if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    enabled: bool,
}

/// A role a piece of text plays; the palette maps roles to colours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Paint {
    /// Errors and removals.
    Error,
    /// Warnings and drift.
    Warning,
    /// Creations and additions.
    Add,
    /// Locations, gutters and other scaffolding.
    Dim,
    /// Headlines and names.
    Bold,
    /// Hints and notes.
    Help,
}

impl Style {
    /// Decides colour for one stream.
    ///
    /// `auto` colours only a terminal, and only when `NO_COLOR` is unset or
    /// empty (<https://no-color.org>); `always` and `never` are obeyed as is.
    pub fn decide(choice: ColorChoice, stream_is_terminal: bool, no_color: Option<&str>) -> Style {
        let enabled = match choice {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stream_is_terminal && no_color.is_none_or(str::is_empty),
        };
        Style { enabled }
    }

    /// No colour at all: for files, snapshots and pipes.
    pub const fn plain() -> Style {
        Style { enabled: false }
    }

    /// Whether colour is on.
    pub fn enabled(self) -> bool {
        self.enabled
    }

    /// `text` wrapped in the escape codes of `paint`, or as is without colour.
    pub fn paint(self, paint: Paint, text: &str) -> String {
        if !self.enabled {
            return text.to_owned();
        }
        let style = match paint {
            Paint::Error => AnsiColor::Red.on_default().effects(Effects::BOLD),
            Paint::Warning => AnsiColor::Yellow.on_default().effects(Effects::BOLD),
            Paint::Add => AnsiColor::Green.on_default(),
            Paint::Dim => AnsiColor::Blue.on_default(),
            Paint::Bold => anstyle::Style::new().effects(Effects::BOLD),
            Paint::Help => AnsiColor::Cyan.on_default(),
        };
        format!("{style}{text}{style:#}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_colours_terminals_unless_no_color_is_set() {
        assert!(Style::decide(ColorChoice::Auto, true, None).enabled());
        assert!(Style::decide(ColorChoice::Auto, true, Some("")).enabled());
        assert!(!Style::decide(ColorChoice::Auto, true, Some("1")).enabled());
        assert!(!Style::decide(ColorChoice::Auto, false, None).enabled());
        assert!(Style::decide(ColorChoice::Always, false, Some("1")).enabled());
        assert!(!Style::decide(ColorChoice::Never, true, None).enabled());
    }

    #[test]
    fn plain_style_leaves_text_alone() {
        assert_eq!(Style::plain().paint(Paint::Error, "x"), "x");
        assert_ne!(
            Style::decide(ColorChoice::Always, false, None).paint(Paint::Error, "x"),
            "x"
        );
    }
}
