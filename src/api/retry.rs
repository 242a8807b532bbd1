//! Which failures are sent again, and after how long.
//!
//! Three kinds of failure (`aiccs-api.md` §4.3):
//! - *definite*: the service did not execute the request — throttling
//!   (`Throttling*`, HTTP 429), `ServiceUnavailable`/503, a reused nonce
//!   (`SignatureNonceUsed`, sent again with a new one), a connection that
//!   failed before the request went out. Retried for every operation,
//!   creates included;
//! - *ambiguous*: the request went out and may have taken effect — a
//!   timeout or closed connection after sending, another 5xx, an
//!   `InternalError`, an unreadable success reply to a write. Queries,
//!   updates (full replacements), starts and stops are retried; a create is
//!   never re-sent, it becomes [`ApiError::OutcomeUnknown`];
//! - *final*: everything else.
//!
//! A throttle is a signal to slow down (`pacing/`), not a failed attempt:
//! it uses up none of a call's attempts. Writes are bounded by attempts
//! that failed otherwise and by total time; reads, always safe to send
//! again, by time alone (`ClientConfig::read_retry_budget`). Waits use
//! exponential backoff with full jitter; `x-acs-retry-after`
//! (milliseconds) replaces the computed wait when the service sends it.

use std::time::Duration;

use super::action::Action;
use super::error::ApiError;
use super::reply::is_throttling;

/// The longest `x-acs-retry-after` honoured, as in the SDK (§4.3).
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(120);

/// How often and how long to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// A write's attempts that may fail other than by throttling, the
    /// first included; 1 turns every retry off, reads' and throttles'
    /// included.
    pub max_attempts: u32,
    /// The backoff ceiling of the first retry; it doubles with each retry.
    pub base_delay: Duration,
    /// The largest backoff ceiling.
    pub max_delay: Duration,
    /// No retry of a write starts later than this after its first attempt.
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    /// 5 attempts, waits up to 0.2 s, 0.4 s, 0.8 s, 1.6 s (capped at 10 s),
    /// and nothing retried past 60 s.
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 5,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(10),
            max_elapsed: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 1,
            ..RetryPolicy::default()
        }
    }

    /// The wait after failed attempt number `attempt` (1-based), with full
    /// jitter: `unit` (uniform in `[0, 1)`) times
    /// `min(max_delay, base_delay · 2^(attempt-1))`.
    pub fn backoff(&self, attempt: u32, unit: f64) -> Duration {
        let exponent = attempt.saturating_sub(1).min(30);
        let ceiling = self
            .base_delay
            .saturating_mul(1u32 << exponent)
            .min(self.max_delay);
        ceiling.mul_f64(unit.clamp(0.0, 1.0))
    }
}

/// What to do after a failed attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The request was not executed: send it again.
    Retry {
        /// The service throttled us: every caller should back off.
        throttled: bool,
    },
    /// The request may have been executed.
    Ambiguous,
    /// Final: report it.
    Fail,
}

/// Classifies a failed attempt of `action` (see the module docs).
pub fn classify(action: Action, error: &ApiError) -> Verdict {
    match error {
        ApiError::Service {
            http_status, code, ..
        } => {
            if is_throttling(code) || *http_status == 429 {
                Verdict::Retry { throttled: true }
            } else if code == "ServiceUnavailable"
                || *http_status == 503
                || code == "SignatureNonceUsed"
            {
                Verdict::Retry { throttled: false }
            } else if *http_status >= 500 || code == "InternalError" || code == "UnknownError" {
                Verdict::Ambiguous
            } else {
                Verdict::Fail
            }
        }
        ApiError::Decode { http_status, .. } => match *http_status {
            429 => Verdict::Retry { throttled: true },
            503 => Verdict::Retry { throttled: false },
            500..=599 => Verdict::Ambiguous,
            // A success status with a body we cannot read: a write may well
            // have happened; a query is simply broken, and retrying will
            // not mend it.
            200..=299 if action.is_mutating() => Verdict::Ambiguous,
            _ => Verdict::Fail,
        },
        ApiError::Transport { .. } => Verdict::Retry { throttled: false },
        // Nothing was sent: a refresh that may succeed later is tried again.
        ApiError::Credentials { cause, .. } if cause.is_transient() => {
            Verdict::Retry { throttled: false }
        }
        ApiError::ReplyLost { .. } => Verdict::Ambiguous,
        ApiError::NotApplied { .. }
        | ApiError::NotSent { .. }
        | ApiError::OutcomeUnknown { .. }
        | ApiError::RetriesExhausted { .. }
        | ApiError::DeadlineExceeded { .. }
        | ApiError::Setup { .. }
        | ApiError::Credentials { .. } => Verdict::Fail,
    }
}

/// The wait the service asked for in `x-acs-retry-after` (milliseconds,
/// a positive integer), capped at [`MAX_RETRY_AFTER`].
pub fn parse_retry_after(value: &str) -> Option<Duration> {
    let millis: u64 = value.trim().parse().ok().filter(|ms| *ms > 0)?;
    Some(Duration::from_millis(millis).min(MAX_RETRY_AFTER))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(status: u16, code: &str) -> ApiError {
        ApiError::Service {
            action: Action::CreateAiCallTask,
            http_status: status,
            code: code.to_owned(),
            message: String::new(),
            server_string_to_sign: None,
            request_id: None,
            access_denied_detail: None,
            hint: None,
        }
    }

    fn decode(status: u16) -> ApiError {
        ApiError::Decode {
            action: Action::CreateAiCallTask,
            http_status: status,
            detail: String::new(),
            request_id: None,
        }
    }

    #[test]
    fn backoff_doubles_up_to_the_cap_and_jitters_down_to_zero() {
        let policy = RetryPolicy {
            max_attempts: 10,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(1000),
            max_elapsed: Duration::from_secs(60),
        };
        let ceilings: Vec<u128> = (1..=6)
            .map(|attempt| policy.backoff(attempt, 1.0).as_millis())
            .collect();
        assert_eq!(ceilings, [100, 200, 400, 800, 1000, 1000]);
        assert_eq!(policy.backoff(3, 0.0), Duration::ZERO);
        assert_eq!(policy.backoff(3, 0.5), Duration::from_millis(200));
        assert_eq!(policy.backoff(u32::MAX, 1.0), Duration::from_millis(1000));
        for unit in [0.0, 0.3, 0.99] {
            assert!(policy.backoff(4, unit) <= Duration::from_millis(800));
        }
    }

    #[test]
    fn definite_failures_are_retried_for_every_action() {
        for action in Action::ALL {
            assert_eq!(
                classify(action, &service(400, "Throttling.User")),
                Verdict::Retry { throttled: true }
            );
            assert_eq!(
                classify(action, &service(400, "Throttling.Api")),
                Verdict::Retry { throttled: true }
            );
            assert_eq!(
                classify(action, &service(429, "TooManyRequests")),
                Verdict::Retry { throttled: true }
            );
            assert_eq!(
                classify(action, &service(503, "ServiceUnavailable")),
                Verdict::Retry { throttled: false }
            );
            assert_eq!(
                classify(action, &service(400, "SignatureNonceUsed")),
                Verdict::Retry { throttled: false }
            );
            assert_eq!(
                classify(action, &decode(503)),
                Verdict::Retry { throttled: false }
            );
            let transport = ApiError::Transport {
                action,
                endpoint: String::new(),
                detail: String::new(),
            };
            assert_eq!(
                classify(action, &transport),
                Verdict::Retry { throttled: false }
            );
        }
    }

    #[test]
    fn failures_after_sending_are_ambiguous() {
        let action = Action::CreateAiCallTask;
        assert_eq!(
            classify(action, &service(500, "InternalError")),
            Verdict::Ambiguous
        );
        assert_eq!(
            classify(action, &service(200, "InternalError")),
            Verdict::Ambiguous
        );
        assert_eq!(
            classify(action, &service(504, "GatewayTimeout")),
            Verdict::Ambiguous
        );
        assert_eq!(classify(action, &decode(502)), Verdict::Ambiguous);
        assert_eq!(classify(action, &decode(200)), Verdict::Ambiguous);
        let lost = ApiError::ReplyLost {
            action,
            endpoint: String::new(),
            detail: String::new(),
        };
        assert_eq!(classify(action, &lost), Verdict::Ambiguous);
        // An unreadable query reply is not worth repeating.
        assert_eq!(
            classify(Action::QueryAiCallTaskPage, &decode(200)),
            Verdict::Fail
        );
    }

    #[test]
    fn everything_else_is_final() {
        for code in [
            "SignatureDoesNotMatch",
            "InvalidTimeStamp.Expired",
            "TaskNameDuplicate",
            "InvalidParameter",
            "Forbidden.RAM",
        ] {
            assert_eq!(
                classify(Action::QueryAiCallTaskPage, &service(400, code)),
                Verdict::Fail,
                "{code}"
            );
        }
    }

    #[test]
    fn retry_after_is_milliseconds_and_capped() {
        assert_eq!(parse_retry_after("1500"), Some(Duration::from_millis(1500)));
        assert_eq!(parse_retry_after("999999999"), Some(MAX_RETRY_AFTER));
        assert_eq!(parse_retry_after("0"), None);
        assert_eq!(parse_retry_after("soon"), None);
    }
}
