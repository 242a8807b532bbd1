//! What can go wrong talking to the API, finding credentials, or choosing
//! an endpoint: facts (action, code, request ID), never pre-rendered prose,
//! plus a hint where one helps.
//!
//! No variant holds a secret or a whole AccessKey ID: server text is
//! scrubbed before it is stored (`Credentials::scrub`), transport errors
//! are stored without their URL (which carries the signature and any STS
//! token), and credential errors (`credentials/error.rs`) name files,
//! profiles and variables, never values.

use std::time::Duration;

use super::action::Action;

pub use super::credentials::error::{CredentialsError, Lookup};

/// A failed API call.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// The service refused: a business failure (HTTP 200, `Success:false`,
    /// §4.2) or a gateway error (HTTP 4xx/5xx with a JSON body, §4.3).
    ///
    /// The texts that are rare or derived are `Box<str>`, not `String`:
    /// every `Result` of the client carries this enum, and clippy's
    /// `result_large_err` bound (128 bytes) leaves no room for a seventh
    /// full `String`.
    #[error("`{action}` was refused with `{code}`: {message}{}", reply_facts(*http_status, request_id.as_deref()))]
    Service {
        /// The operation.
        action: Action,
        /// The HTTP status (200 for business failures).
        http_status: u16,
        /// `Code`, e.g. `TaskNameDuplicate`, `SignatureDoesNotMatch`.
        code: String,
        /// `Message`, secrets scrubbed, without any echoed string-to-sign.
        message: String,
        /// The string-to-sign the service computed, when its message echoed
        /// one (`SignatureDoesNotMatch`, §2.5), secrets scrubbed. Kept out of
        /// `message`: it is a long line that only helps when comparing
        /// signatures by hand, so it is shown on request
        /// ([`ApiError::server_string_to_sign`]).
        server_string_to_sign: Option<Box<str>>,
        /// `RequestId`, for Alibaba Cloud support.
        request_id: Option<String>,
        /// `AccessDeniedDetail` of RAM denials, as compact JSON or text.
        access_denied_detail: Option<Box<str>>,
        /// What to do about it, where that is known.
        hint: Option<Box<str>>,
    },

    /// `Success` was true but `Data` was not: the service did not do it
    /// (Update/Start/Stop, §3.5).
    #[error("`{action}` replied Success with Data other than true: the service did not do it{}", reply_facts(200, request_id.as_deref()))]
    NotApplied {
        /// The operation.
        action: Action,
        /// `RequestId`.
        request_id: Option<String>,
        /// `Message`, if any.
        message: Option<String>,
    },

    /// The request may or may not have taken effect: a create whose reply
    /// was lost is never re-sent, and a start/stop retried after a lost
    /// reply that then fails cannot tell which attempt did what.
    #[error("the outcome of `{action}`{} is unknown: {reason}", subject.as_ref().map(|s| format!(" for `{s}`")).unwrap_or_default())]
    OutcomeUnknown {
        /// The operation.
        action: Action,
        /// The task name (create) or ID.
        subject: Option<String>,
        /// Why it is unknown.
        reason: String,
        /// The failure that left it unknown, when it was a reply.
        #[source]
        cause: Option<Box<ApiError>>,
    },

    /// The request never reached the service (connection refused, DNS,
    /// TLS handshake): it certainly did not take effect.
    #[error("cannot reach `{endpoint}` for `{action}`: {detail}")]
    Transport {
        /// The operation.
        action: Action,
        /// The endpoint.
        endpoint: String,
        /// What failed, without the URL.
        detail: String,
    },

    /// The HTTP client refused to build the request (a URL too long to be
    /// a URI, say): it never left the process, so it certainly did not
    /// take effect, and sending it again would fail the same way. Never
    /// "outcome unknown" (issue 7).
    #[error("`{action}` was not sent: the request could not be built ({detail})")]
    NotSent {
        /// The operation.
        action: Action,
        /// Why, without the URL.
        detail: String,
    },

    /// The request was sent, but no reply came (timeout, connection closed).
    #[error("`{action}` got no reply from `{endpoint}`: {detail}")]
    ReplyLost {
        /// The operation.
        action: Action,
        /// The endpoint.
        endpoint: String,
        /// What failed, without the URL.
        detail: String,
    },

    /// The reply is not an API envelope aicall can read.
    #[error("`{action}` returned a reply aicall cannot read: {detail}{}", reply_facts(*http_status, request_id.as_deref()))]
    Decode {
        /// The operation.
        action: Action,
        /// The HTTP status.
        http_status: u16,
        /// What is wrong with it.
        detail: String,
        /// `RequestId`, if it could be read.
        request_id: Option<String>,
    },

    /// Retryable failures went on past the attempt or time bound.
    #[error("`{action}` still failed after {attempts} attempts in {:.1}s", elapsed.as_secs_f64())]
    RetriesExhausted {
        /// The operation.
        action: Action,
        /// Attempts made.
        attempts: u32,
        /// Time from the first attempt to giving up.
        elapsed: Duration,
        /// The last failure.
        #[source]
        last: Box<ApiError>,
    },

    /// The run's deadline (`--timeout`) passed before the call was done.
    /// Nothing is left in doubt by this error itself: a write cut off in
    /// flight is [`ApiError::OutcomeUnknown`] instead.
    #[error("`{action}`{} {} the run's deadline ({}) passed", subject.as_ref().map(|s| format!(" for `{s}`")).unwrap_or_default(), if *sent { "got no reply before" } else { "was not sent:" }, humantime(*timeout))]
    DeadlineExceeded {
        /// The operation.
        action: Action,
        /// The task name (create) or ID.
        subject: Option<String>,
        /// The run's timeout.
        timeout: Duration,
        /// Whether a request was on the wire when the deadline came.
        sent: bool,
        /// The failure before it, if the call was being retried.
        #[source]
        last: Option<Box<ApiError>>,
    },

    /// The HTTP client could not be built (TLS roots, settings).
    #[error("cannot set up the HTTP client: {detail}")]
    Setup {
        /// What failed.
        detail: String,
    },

    /// No credentials to sign an attempt with: refreshing temporary
    /// credentials failed (issue 12). Nothing was sent.
    #[error("cannot get credentials to sign `{action}`")]
    Credentials {
        /// The operation.
        action: Action,
        /// Why.
        #[source]
        cause: Box<CredentialsError>,
    },
}

/// `90s` as `1m30s`, `2s` as `2s`, `0.5s` as `500ms`.
pub(crate) fn humantime(duration: Duration) -> String {
    let secs = duration.as_secs();
    if duration.subsec_millis() != 0 || secs == 0 {
        return format!("{}ms", duration.as_millis());
    }
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    let mut text = String::new();
    for (value, unit) in [(h, "h"), (m, "m"), (s, "s")] {
        if value > 0 {
            text.push_str(&format!("{value}{unit}"));
        }
    }
    text
}

fn reply_facts(http_status: u16, request_id: Option<&str>) -> String {
    match request_id {
        Some(id) => format!(" (HTTP {http_status}, request ID `{id}`)"),
        None => format!(" (HTTP {http_status})"),
    }
}

impl ApiError {
    /// The service's `Code`, if the failure came with one.
    pub fn code(&self) -> Option<&str> {
        match self {
            ApiError::Service { code, .. } => Some(code),
            ApiError::RetriesExhausted { last, .. } => last.code(),
            ApiError::OutcomeUnknown { cause, .. } => cause.as_deref().and_then(ApiError::code),
            ApiError::DeadlineExceeded { last, .. } => last.as_deref().and_then(ApiError::code),
            _ => None,
        }
    }

    /// The `RequestId` of the reply that failed, if any.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            ApiError::Service { request_id, .. }
            | ApiError::NotApplied { request_id, .. }
            | ApiError::Decode { request_id, .. } => request_id.as_deref(),
            ApiError::RetriesExhausted { last, .. } => last.request_id(),
            ApiError::OutcomeUnknown { cause, .. } => {
                cause.as_deref().and_then(ApiError::request_id)
            }
            _ => None,
        }
    }

    /// The string-to-sign the service computed, when a signature mismatch
    /// came with one: compare it with the client's to see which parameter
    /// was signed differently. For verbose output only.
    pub fn server_string_to_sign(&self) -> Option<&str> {
        match self {
            ApiError::Service {
                server_string_to_sign,
                ..
            } => server_string_to_sign.as_deref(),
            ApiError::RetriesExhausted { last, .. } => last.server_string_to_sign(),
            ApiError::OutcomeUnknown { cause, .. } => {
                cause.as_deref().and_then(ApiError::server_string_to_sign)
            }
            _ => None,
        }
    }

    /// Whether the request may have taken effect (see [`ApiError::OutcomeUnknown`]).
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, ApiError::OutcomeUnknown { .. })
    }

    /// What the user can do about it, where that is known.
    pub fn hint(&self) -> Option<&str> {
        match self {
            ApiError::Service { hint, .. } => hint.as_deref(),
            ApiError::RetriesExhausted { last, .. } => last.hint(),
            ApiError::OutcomeUnknown { action, .. } => Some(match action {
                Action::CreateAiCallTask => {
                    "the request was sent but no answer came back, so it was not sent again: \
                     look the task up by its exact name before creating it again (`aicall plan` does)"
                }
                _ => "check the task's current state before trying again",
            }),
            ApiError::Transport { .. } => {
                Some("check the endpoint, the network, and any HTTPS_PROXY setting")
            }
            ApiError::NotSent { .. } => Some(
                "nothing reached the service; every parameter travels in the URL, so a value is \
                 probably too long",
            ),
            ApiError::DeadlineExceeded { .. } => Some(
                "raise `--timeout` (or AICALL_TIMEOUT) if the run needs longer; if the endpoint \
                 stopped answering, check it, then run again: plan and apply read the account \
                 before they act",
            ),
            ApiError::Setup { .. } => Some(
                "HTTPS needs the system's CA certificates (e.g. the `ca-certificates` package)",
            ),
            ApiError::Credentials { cause, .. } => cause.hint(),
            _ => None,
        }
    }

    /// The operation that failed, when the failure belongs to one.
    pub fn action(&self) -> Option<Action> {
        match self {
            ApiError::Service { action, .. }
            | ApiError::NotApplied { action, .. }
            | ApiError::OutcomeUnknown { action, .. }
            | ApiError::Transport { action, .. }
            | ApiError::NotSent { action, .. }
            | ApiError::ReplyLost { action, .. }
            | ApiError::Decode { action, .. }
            | ApiError::RetriesExhausted { action, .. }
            | ApiError::DeadlineExceeded { action, .. }
            | ApiError::Credentials { action, .. } => Some(*action),
            ApiError::Setup { .. } => None,
        }
    }
}

/// An endpoint refused by the endpoint policy.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("cannot use the endpoint `{endpoint}`: {reason}")]
pub struct EndpointError {
    /// The endpoint as given, but with any user name and password, query
    /// and fragment shown as `***` (they may hold credentials).
    pub endpoint: String,
    /// Why it is refused.
    pub reason: String,
}
