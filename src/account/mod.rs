//! The account: the only place where the API meets the plan.
//!
//! [`read`] finds out which manifest tasks exist and how they are set up
//! ([`read_every`]: every task, for `aicall export`),
//! [`mapping`] translates between wire types and plan values in both
//! directions, and [`writer`] is what the executor drives to change the
//! account. `api` below knows only the wire; `plan` above knows only its
//! own values; this layer is where the two meet.

pub mod jobs;
pub mod mapping;
pub mod read;
pub mod writer;

pub use jobs::jobs;
pub use read::{
    AccountState, ReadEvent, ReadOptions, ReadProgress, read, read_every, read_reporting,
};
pub use writer::AccountWriter;
