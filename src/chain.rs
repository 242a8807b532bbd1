//! Walking an error's cause chain (`Error::source`), written once.
//!
//! Errors here are `thiserror` values that keep their cause as a source
//! rather than pasting it into their own message, so whoever shows one
//! walks the chain: one cause per line for people (`Caused by:`), the
//! innermost words for a terse detail, or everything on one line for a
//! reply's message. This module only walks; it never formats for a
//! particular reader beyond the plain one-line join.

use std::error::Error;

/// The causes of `err`, outermost first; `err` itself is not included.
pub fn causes<'a>(err: &'a dyn Error) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    std::iter::successors(err.source(), |&cause| cause.source())
}

/// The innermost cause of `err`, or `err` itself when it has none: the
/// most specific words (e.g. `Connection refused (os error 111)`).
pub fn root_cause<'a>(err: &'a (dyn Error + 'static)) -> &'a (dyn Error + 'static) {
    causes(err).last().unwrap_or(err)
}

/// `err` and each of its causes on one line, joined by `: `.
pub fn one_line(err: &dyn Error) -> String {
    let mut text = err.to_string();
    for cause in causes(err) {
        text.push_str(": ");
        text.push_str(&cause.to_string());
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("{message}")]
    struct Layer {
        message: &'static str,
        #[source]
        cause: Option<Box<Layer>>,
    }

    fn layers(messages: &[&'static str]) -> Layer {
        let mut layer = None;
        for message in messages.iter().rev() {
            layer = Some(Layer {
                message,
                cause: layer.map(Box::new),
            });
        }
        layer.unwrap()
    }

    #[test]
    fn causes_start_below_the_error_and_go_inwards() {
        let err = layers(&["outer", "middle", "inner"]);
        let seen: Vec<String> = causes(&err).map(ToString::to_string).collect();
        assert_eq!(seen, ["middle", "inner"]);
        assert_eq!(causes(&layers(&["alone"])).count(), 0);
    }

    #[test]
    fn the_root_cause_is_the_innermost_or_the_error_itself() {
        assert_eq!(
            root_cause(&layers(&["outer", "inner"])).to_string(),
            "inner"
        );
        assert_eq!(root_cause(&layers(&["alone"])).to_string(), "alone");
    }

    #[test]
    fn one_line_joins_every_layer() {
        assert_eq!(one_line(&layers(&["a", "b", "c"])), "a: b: c");
        assert_eq!(one_line(&layers(&["a"])), "a");
    }
}
