//! Manifests: discovery, YAML with positions, `${VAR}` interpolation,
//! validation into task specs, and the JSON Schema.
//!
//! The flow is one way: [`load`] finds and reads files, [`yaml`] turns each
//! into positioned documents, [`interpolate`] substitutes variables in
//! values, [`validate`] applies every rule and yields [`model::TaskSpec`]s.
//! Every stage reports problems as [`crate::diag::Diagnostic`]s and goes
//! on, so one run shows every mistake. Nothing here prints or touches the
//! network; plan and apply consume [`Loaded::tasks`]. The other way round,
//! [`write`] turns tasks into manifest text (`aicall export`).

pub mod field;
pub mod interpolate;
pub mod load;
pub mod model;
pub mod schema;
pub mod validate;
pub mod write;
pub mod yaml;

pub use load::{Loaded, ManifestError, load, load_texts};
pub use model::{
    Origin, Retry, RetryReason, Scheduled, Start, TaskSpec, TimeOfDay, TimeOfDayError, TimePart,
    Weekday, Window,
};
