//! A local, wire-compatible emulator of the AI call task API.
//!
//! It serves the six operations of aiccs 2019-10-15 over plain HTTP on
//! 127.0.0.1, verifies both signature schemes the official SDK sends (V1
//! HMAC-SHA1 and its default V3 ACS3-HMAC-SHA256) with the same signing
//! code the client uses, and behaves as `aiccs-api.md` §7 ("Emulator
//! conventions") prescribes where the real service is undocumented. Every
//! test, the `--local` mode of plan/apply and `aicall emulator` run it.
//!
//! It owns the server side only: it never calls the API client, and it
//! never prints (the request log goes to a callback the caller supplies).
//!
//! Layout, request path first: `server.rs` (sockets, connections, the
//! order of checks) → `auth.rs` (signatures) → `params.rs` and `call.rs`
//! (parameters) → `store.rs` (tasks, transitions, listing) → `reply.rs`
//! (JSON); `writer.rs` and `state_file.rs` keep the account on disk with
//! group commit; `faults.rs` injects failures deterministically;
//! `quota.rs` throttles each operation over its quota, as the gateway does.
//! Beside the API, on the same port, `identity.rs` routes to STS (`sts.rs`),
//! the ECS metadata service and a credentials URI (`metadata.rs`), whose keys
//! `issued.rs` remembers and expires.

mod auth;
mod call;
mod clock;
mod config;
mod error;
mod faults;
mod identity;
mod issued;
mod metadata;
mod operation;
mod params;
mod quota;
mod received;
mod reply;
mod request_log;
mod server;
mod service_error;
mod state_file;
mod stats;
mod store;
mod sts;
mod task;
mod writer;

pub use clock::Clock;
pub use config::{Config, IdentityConfig, Imds};
pub use error::EmulatorError;
pub use faults::Faults;
pub use identity::CREDENTIALS_URI_PATH;
pub use issued::{Issuance, IssuedCredentials, IssuedKeys};
pub use metadata::CREDENTIALS_URI_ROLE;
pub use operation::Operation;
pub use quota::Quotas;
pub use request_log::{RequestLog, RequestRecord};
pub use server::Emulator;
pub use service_error::ServiceError;
pub use state_file::FORMAT_VERSION as STATE_FORMAT_VERSION;
pub use stats::EmulatorStats;
pub use store::Inconsistency;
pub use task::{
    CallDay, CallWindow, NewTask, RetryReason, StartType, StoredTask, TaskConfig, TaskId,
    TaskStatus,
};

/// The AccessKeyId of the documented demo pair, accepted by default.
///
/// Deliberately unlike a real key (real IDs start with `LTAI`), so it can
/// be published and never mistaken for one.
pub const DEMO_ACCESS_KEY_ID: &str = "aicall-demo-key";

/// The secret of the demo pair. Public on purpose: it guards nothing but a
/// local emulator.
pub const DEMO_ACCESS_KEY_SECRET: &str = "aicall-demo-secret";
