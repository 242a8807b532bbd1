//! Plans: what `apply` would change, as data.
//!
//! Building a plan does no I/O: it takes the manifests' tasks and the
//! account's tasks (read elsewhere, by [`crate::account`]) and compares them
//! by exact name. Rendering lives in [`crate::render`]; executing in
//! [`crate::apply`].

pub mod adopt;
pub mod build;
pub mod check;
pub mod decide;
pub mod desired;
pub mod diff;
pub mod model;
pub mod saved;
pub mod target;
