//! The `aiccs` 2019-10-15 API: signing, wire types, credentials and the
//! HTTP client.
//!
//! This module owns everything between a typed request and the wire: which
//! parameters go on the query string and how they are spelled
//! (`aiccs-api.md` §1), the V1 signature (§2.2), how a reply is judged
//! (§3.5, §4), which failures are retried and which may have taken effect
//! (§4.3), where credentials come from (§5), and where requests may go.
//!
//! Nothing here prints, and nothing here knows about manifests: API words
//! (`TaskCps`, `CallTime`) live here, manifest words live in `manifest`, and
//! the mapping between them lives in `plan`. Results and errors are values
//! for the caller; errors carry facts (code, request ID, action) and a hint.
//!
//! Layout, outermost first: `client.rs` (operations, paging) → `retry.rs`
//! (what to retry, backoff) and `rate_limit.rs` (client-wide pacing and the
//! global pause on throttling) → `request.rs` (parameters, the signed query)
//! and `reply.rs` (envelopes) → `types.rs` (typed requests and replies);
//! `credentials.rs` and `endpoint.rs` decide who we are and where we go.

pub mod action;
pub mod client;
pub mod credentials;
pub mod endpoint;
pub mod error;
pub mod mapping;
mod operations;
mod paging;
pub mod rate_limit;
pub mod reply;
pub mod request;
pub mod retry;
mod send;
pub mod sign;
pub mod types;

mod de;
#[cfg(test)]
mod test_server;

pub use action::Action;
pub use client::{Client, ClientConfig, ClientStats};
pub use credentials::{CredentialSource, Credentials, load_credentials};
pub use endpoint::Endpoint;
pub use error::{ApiError, CredentialsError, EndpointError};
pub use rate_limit::RateGate;
pub use retry::RetryPolicy;
pub use types::{
    CallWindow, CreateTask, PageQuery, StartType, TaskDetail, TaskId, TaskPage, TaskSettings,
    TaskStatus, TaskSummary, UpdateTask,
};
