//! The `aiccs` 2019-10-15 API: signing, wire types and the HTTP client.
//!
//! Nothing here prints: results and errors are values for the caller.
pub mod sign;
