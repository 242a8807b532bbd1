//! Walking an error's chain of causes, written once.

use std::error::Error;

/// The causes of `err`, outermost first, `err` itself excluded.
pub fn causes<'a>(
    err: &'a (dyn Error + 'static),
) -> impl Iterator<Item = &'a (dyn Error + 'static)> {
    let mut next = err.source();
    std::iter::from_fn(move || {
        let cause = next?;
        next = cause.source();
        Some(cause)
    })
}

/// The innermost cause of `err` (itself when it has none), as text.
pub fn root_cause(err: &(dyn Error + 'static)) -> String {
    causes(err).last().unwrap_or(err).to_string()
}
