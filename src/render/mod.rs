//! Everything a person or a program reads: diagnostics, plans, summaries.
//!
//! Renderers turn values into text. They never call the API and never
//! decide colour themselves: they receive a [`style::Style`].
pub mod diagnostics;
pub mod style;
