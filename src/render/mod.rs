//! Everything a person or a program reads: diagnostics, plans, apply's
//! progress and summary, errors.
//!
//! Renderers turn values into text. They never call the API, never print
//! and never decide colour themselves: they receive a [`style::Style`] and
//! return strings, which the commands write.
pub mod apply;
pub mod apply_json;
pub mod diagnostics;
pub mod diff;
pub mod entry;
pub mod error;
pub mod export;
pub mod github;
pub mod json;
pub mod markdown;
pub mod outcome;
pub mod plan_errors;
pub mod progress;
pub mod style;
pub mod summary;
pub mod text;
pub mod value;
pub mod words;

#[cfg(test)]
pub(crate) mod tests {
    //! Snapshots of one representative plan in every format
    //! ([`crate::testing::sample_plan`]).
    use crate::testing::sample_plan;

    use super::style::Style;
    use super::text::TextOptions;

    #[test]
    fn text_default() {
        let plan = sample_plan();
        insta::assert_snapshot!(super::text::render_plan(
            &plan,
            TextOptions::default(),
            Style::plain()
        ));
    }

    #[test]
    fn text_verbose_with_unmanaged() {
        let plan = sample_plan();
        insta::assert_snapshot!(super::text::render_plan(
            &plan,
            TextOptions {
                verbose: true,
                show_unmanaged: true
            },
            Style::plain()
        ));
    }

    #[test]
    fn json() {
        insta::assert_snapshot!(super::json::render_plan(&sample_plan()));
    }

    #[test]
    fn markdown() {
        insta::assert_snapshot!(super::markdown::render_plan(
            &sample_plan(),
            &["campaigns".to_owned()]
        ));
    }
}
