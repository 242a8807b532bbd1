//! A command's failure as people read it: the message, one `Caused by:`
//! line per cause (uv's style), and a hint when one helps.

use crate::chain;
use crate::error::Error;

use super::style::{Paint, Style};

/// The lines printed on stderr when a command fails. With `verbose`, an
/// API refusal that carried the service's string-to-sign shows it too: it
/// is long and only useful when comparing it with a signature's own.
pub fn report(err: &Error, verbose: bool, style: Style) -> String {
    let mut out = format!("{}: {err}\n", style.paint(Paint::Error, "error"));
    for cause in chain::causes(err) {
        out.push_str(&format!("  Caused by: {cause}\n"));
    }
    if let Some(hint) = err.hint() {
        out.push_str(&format!("  {} {hint}\n", style.paint(Paint::Help, "hint:")));
    }
    if let Some(text) = err.api().and_then(|api| api.server_string_to_sign()) {
        if verbose {
            out.push_str(&format!("  the service's string-to-sign: {text}\n"));
        } else {
            out.push_str(&format!(
                "  {} run again with `-v` to see the service's string-to-sign\n",
                style.paint(Paint::Help, "note:")
            ));
        }
    }
    out
}
