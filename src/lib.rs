//! aicall: declarative Alibaba Cloud AI call tasks.
//!
//! Teams keep outbound call campaigns ("AI call tasks", product `aiccs`,
//! API version 2019-10-15) as YAML manifests; aicall validates them offline,
//! plans against the tasks that exist in the account (keyed by task name)
//! and creates what is missing, exactly once.
//!
//! Data flows one way, manifest → plan → apply, and the API client and the
//! emulator face each other across the wire. The module list below is the
//! map of the program:

/// Walking an error's cause chain: its causes, the root cause, one line.
pub mod chain;
/// Command-line interface definitions (clap); raw arguments only.
pub mod cli;
/// One handler per subcommand.
pub mod commands;
/// Diagnostics: a problem in a manifest, with its exact location.
pub mod diag;
/// Every environment variable aicall reads.
pub mod env;
/// The error a command hands back to `main`.
pub mod error;
/// Exit statuses.
pub mod exit;
/// An instant as the API counts it: epoch milliseconds to the end of 9999,
/// written as RFC 3339 with its offset.
pub mod instant;
/// Secrets that mask themselves in `Debug` and `Display`.
pub mod secret;
/// Raw arguments turned into the validated settings commands receive.
pub mod settings;
#[cfg(test)]
pub(crate) mod testing;

/// The account: reading it, the wire ⇄ plan mapping, and the writer the
/// executor drives. The only place where `api` meets `plan`.
pub mod account;
/// The `aiccs` API, a leaf: signing, wire types, credentials, the client.
pub mod api;
/// The executor: each task's steps, concurrently, exactly once; events.
pub mod apply;
/// The local, wire-compatible emulator of the API: `aicall emulator`,
/// every test, and the `--local` mode.
pub mod emulator;
/// Manifests: discovery, YAML with positions, interpolation, validation.
pub mod manifest;
/// Plans: comparing manifests with the account, as data.
pub mod plan;
/// Rendering for people and programs.
pub mod render;

pub use commands::run;
pub use error::Error;
pub use exit::ExitStatus;
