//! The `aiccs` 2019-10-15 API: signing, wire types, credentials and the
//! HTTP client.
//!
//! This module owns everything between a typed request and the wire: which
//! parameters go on the query string and how they are spelled
//! (`aiccs-api.md` §1), the V1 signature (§2.2), how a reply is judged
//! (§3.5, §4), which failures are retried and which may have taken effect
//! (§4.3), where credentials come from (§5), and where requests may go.
//!
//! It is a leaf: it knows the wire and nothing else. API words (`TaskCps`,
//! `CallTime`) live here, manifest words live in `manifest`, and the
//! mapping between the wire and a plan lives in `crate::account`, the only
//! place the two meet; nothing here imports `manifest`, `plan`, `render`,
//! `apply`, `commands` or `account`. Nothing here prints either. Results
//! and errors are values for the caller; errors carry facts (code, request
//! ID, action) and a hint.
//!
//! Layout, outermost first:
//! - `client.rs` builds the [`Client`] and counts what it sends; its
//!   methods are split by concern: `operations.rs` has one per API action,
//!   `paging.rs` reads every page of a listing (and finds tasks by exact
//!   name over the service's fuzzy filter);
//! - `send.rs` is the attempt loop every operation goes through; `resign.rs`
//!   picks the credentials each attempt is signed with (and re-signs once
//!   after `InvalidSecurityToken.Expired`); `retry.rs` says what to retry
//!   and how long to wait, `pacing/` gives every operation an adaptive
//!   budget of its own and reads the gateway's rate-limit headers;
//! - `request.rs` turns a typed request into parameters and the signed
//!   query (`sign.rs`), `reply.rs` judges the envelope that comes back;
//! - `types/` holds the typed requests and replies (`de.rs` reads their
//!   forgiving numbers and lists), `action.rs` the six actions;
//! - `credentials/` decides who we are: the chain of sources, STS, the
//!   metadata service, and the provider that keeps temporary credentials
//!   fresh; `endpoint.rs` decides where we go, `error.rs` says what went
//!   wrong, and `file_value.rs` how much of a credentials file's value such
//!   a message may quote.

pub mod action;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod file_value;
mod operations;
pub mod pacing;
mod paging;
pub mod reply;
pub mod request;
mod resign;
pub mod retry;
mod send;
pub mod sign;
pub mod types;

mod de;
#[cfg(test)]
mod test_server;

pub use action::Action;
pub use client::{Client, ClientConfig, ClientStats};
pub use credentials::{
    CredentialProvider, CredentialSource, Credentials, Identity, Observer, Source,
};
pub use endpoint::Endpoint;
pub use error::{ApiError, CredentialsError, EndpointError};
pub use file_value::FileValue;
pub use pacing::{Pacer, StartRate};
pub use retry::RetryPolicy;
pub use types::{
    CallWindow, CreateTask, PageQuery, StartType, TaskDetail, TaskId, TaskPage, TaskSettings,
    TaskStatus, TaskSummary, UpdateTask,
};
