//! Why no plan could be made, in the diagnostics' shape: header with the
//! code, location, help; then a closing count.

use std::fmt::Write as _;

use crate::plan::build::PlanError;

use super::style::{Paint, Style};
use super::text::location;
use crate::diag::plural;

/// Every plan error, then the closing line.
pub fn render(errors: &[PlanError], style: Style) -> String {
    let mut out = String::new();
    for error in errors {
        let _ = writeln!(
            out,
            "{}: {error}",
            style.paint(Paint::Error, &format!("error[{}]", error.code()))
        );
        if let Some(place) = error.location() {
            let _ = writeln!(
                out,
                "  {} {}",
                style.paint(Paint::Dim, "-->"),
                location(place)
            );
        }
        if let Some(help) = error.code().help() {
            let _ = writeln!(out, "  {} {help}", style.paint(Paint::Help, "= help:"));
        }
        out.push('\n');
    }
    let _ = writeln!(
        out,
        "{}: no plan: {} {} in the account or the manifests",
        style.paint(Paint::Error, "error"),
        errors.len(),
        plural(errors.len(), "problem", "problems")
    );
    out
}
