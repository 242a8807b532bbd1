//! Diagnostics: what is wrong, and exactly where.
//!
//! A [`Diagnostic`] pairs a location (a file of [`Sources`] and a [`Span`]
//! in it) with a [`Problem`]: a value holding the facts (the key, the value
//! as written, the allowed range), from which the stable code, the message,
//! the underline label and the help line are derived. Validation collects
//! diagnostics instead of stopping at the first; rendering them is the job of
//! `render::diagnostics`. Nothing here prints.
//!
//! The module is split along its seams: [`code`] (the registry of stable
//! codes, validation's and the plan's), [`source`] (files and positions),
//! [`diagnostic`] (a located problem), [`problem`] (the facts, their code
//! and severity), `message` (the one-line message of each problem), `help`
//! (the label under the underline and the help line) and [`words`]
//! (counts, lists, suggestions, shortening). Every item is
//! re-exported here, so callers write `crate::diag::Span`.

pub mod code;
pub mod diagnostic;
mod help;
mod message;
pub mod problem;
pub mod source;
pub mod words;

pub use code::{Code, Stage};
pub use diagnostic::{Diagnostic, Related, Severity};
pub use problem::{
    DatetimeFlaw, Expected, FileKind, InterpolationFlaw, LinkFlaw, LookalikeFlaw, NameFlaw,
    Problem, RenameFlaw, Scope,
};
pub use source::{FileId, SourceFile, Sources, Span};
pub use words::{backticked, count, join_or, plural, suggest};
