//! Why no plan could be made, in the diagnostics' shape: header with the
//! code, location, help; then a closing count.

use std::fmt::Write as _;

use crate::plan::build::PlanError;

use super::style::{Paint, Style};
use super::text::{location, plural};

/// Every plan error, then the closing line.
pub fn render(errors: &[PlanError], style: Style) -> String {
    let mut out = String::new();
    for error in errors {
        let help = match error {
            PlanError::DuplicateName { .. } => {
                "rename all but one of them in the console; aicall cannot tell which one the manifest means"
            }
            PlanError::StartInPast { .. } => {
                "move `start.at` into the future, or use `start: immediate`"
            }
        };
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
        let _ = writeln!(out, "  {} {help}\n", style.paint(Paint::Help, "= help:"));
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
