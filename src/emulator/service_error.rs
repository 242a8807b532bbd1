//! Every way the emulated service says no, with the code and HTTP status
//! `aiccs-api.md` §7 assigns to it.
//!
//! Gateway errors (signature, parameters, injected faults) are HTTP 4xx/5xx;
//! business failures (`TaskNameDuplicate`, `TaskNotFound`,
//! `InvalidTaskStatus`) are HTTP 200 with `Success:false` (§4.2). The
//! `Display` text is the reply's `Message`.

use std::borrow::Cow;

use hyper::StatusCode;

use super::task::{TaskId, TaskStatus};

/// A request the emulated service refuses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ServiceError {
    /// A path other than `/`.
    #[error("the path `{path}` does not exist: every action is served at `/`")]
    PathNotFound {
        /// The path asked for.
        path: String,
    },

    /// No `Action`, or one this API version does not have.
    #[error("the action `{action}` does not exist in aiccs 2019-10-15")]
    ActionNotFound {
        /// The action asked for (empty when none was given).
        action: String,
    },

    /// `Version` other than `2019-10-15`.
    #[error("the version `{version}` is not supported: use `2019-10-15`")]
    InvalidVersion {
        /// The version given (empty when none was).
        version: String,
    },

    /// An HTTP method other than GET and POST.
    #[error("the HTTP method `{method}` is not supported: use GET or POST")]
    UnsupportedMethod {
        /// The method used.
        method: String,
    },

    /// No signature, a malformed `Authorization`, or a required part of the
    /// signature missing or unsigned.
    #[error("the signature is incomplete: {problem}")]
    IncompleteSignature {
        /// What is missing or malformed.
        problem: String,
    },

    /// `SignatureMethod` or `SignatureVersion` not the V1 values.
    #[error("`{name}` must be `{expected}`, found `{found}`")]
    InvalidSignatureMethod {
        /// `SignatureMethod` or `SignatureVersion`.
        name: &'static str,
        /// What was sent.
        found: String,
        /// What V1 requires.
        expected: &'static str,
    },

    /// An AccessKeyId the emulator does not know.
    #[error("the AccessKeyId `{access_key_id}` is not found")]
    AccessKeyNotFound {
        /// The ID given.
        access_key_id: String,
    },

    /// An STS token other than the one the emulator was told to require.
    #[error("the security token does not match the one issued for this AccessKeyId")]
    SecurityTokenMismatch,

    /// Temporary credentials the emulator issued, past their expiration
    /// (or their request allowance, for tests): refused before anything
    /// is done (§9).
    #[error("the security token has expired")]
    SecurityTokenExpired,

    /// A refusal of STS or the metadata service, with its own code (§9).
    #[error("{message}")]
    Identity {
        /// e.g. `EntityNotExist.Role`.
        code: &'static str,
        /// The HTTP status.
        status: u16,
        /// The reply's `Message`.
        message: String,
    },

    /// A timestamp not written `yyyy-MM-ddTHH:mm:ssZ`.
    #[error("the timestamp `{value}` is not in the format yyyy-MM-ddTHH:mm:ssZ (UTC)")]
    TimestampFormat {
        /// The value given.
        value: String,
    },

    /// A timestamp more than 900 s away from the server clock.
    #[error(
        "the timestamp `{value}` is more than 15 minutes away from the server time `{server_time}`"
    )]
    TimestampExpired {
        /// The value given.
        value: String,
        /// The server's clock, same format.
        server_time: String,
    },

    /// The recomputed signature differs from the one sent.
    #[error(
        "Specified signature is not matched with our calculation. server string to sign is:{string_to_sign}"
    )]
    SignatureMismatch {
        /// The server's string-to-sign, to compare with the client's.
        string_to_sign: String,
    },

    /// `x-acs-content-sha256` is not the SHA-256 of the body received.
    #[error(
        "x-acs-content-sha256 `{declared}` does not match the body, whose SHA-256 is `{computed}`"
    )]
    BodyHashMismatch {
        /// The header's value.
        declared: String,
        /// Hex SHA-256 of the body.
        computed: String,
    },

    /// A nonce seen before (remembered for the server's lifetime).
    #[error("the signature nonce `{nonce}` has already been used")]
    NonceUsed {
        /// The replayed nonce.
        nonce: String,
    },

    /// A required parameter is absent.
    #[error("{name} is mandatory for this action")]
    Missing {
        /// The parameter's name; the code is `Missing{name}`.
        name: &'static str,
    },

    /// A parameter whose value is wrong: type, format, enum, range, repeats.
    #[error("the value `{value}` of `{name}` is invalid: {expected}")]
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// The value as received.
        value: String,
        /// What would have been accepted.
        expected: String,
    },

    /// Fault injection: every Nth request is throttled.
    #[error("Request was denied due to user flow control (emulator fault injection)")]
    Throttled,

    /// More requests of one operation in the last second than its quota
    /// (`--quota`, `--quota-for`, §8).
    #[error(
        "Request was denied due to user flow control: `{action}` allows {limit} requests a second"
    )]
    OverQuota {
        /// The operation.
        action: &'static str,
        /// Its quota.
        limit: u32,
        /// Until the window frees up.
        time_left: std::time::Duration,
    },

    /// Fault injection: every Nth request fails with 503.
    #[error(
        "The request has failed due to a temporary failure of the server (emulator fault injection)"
    )]
    Unavailable,

    /// The state file could not be written, so the change is not durable.
    #[error("the emulator could not write its state file: {reason}")]
    StateNotWritten {
        /// The I/O error, as text.
        reason: String,
    },

    /// Create (or an update's rename) with a name another task has.
    #[error("a task named `{name}` already exists")]
    NameTaken {
        /// The name.
        name: String,
    },

    /// A well-formed TaskId that no task has.
    #[error("the task `{task_id}` does not exist")]
    TaskNotFound {
        /// The ID.
        task_id: TaskId,
    },

    /// An operation the task's status does not allow.
    #[error("the task `{task_id}` is {status}, which does not allow {action}")]
    InvalidTaskStatus {
        /// The task.
        task_id: TaskId,
        /// Its status when asked.
        status: TaskStatus,
        /// The refused action.
        action: &'static str,
    },
}

impl ServiceError {
    /// The reply's `Code`.
    pub fn code(&self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            ServiceError::PathNotFound { .. } | ServiceError::ActionNotFound { .. } => {
                "InvalidAction.NotFound"
            }
            ServiceError::InvalidVersion { .. } => "InvalidVersion",
            ServiceError::UnsupportedMethod { .. } => "UnsupportedHTTPMethod",
            ServiceError::IncompleteSignature { .. } => "IncompleteSignature",
            ServiceError::InvalidSignatureMethod { .. } => "InvalidSignatureMethod",
            ServiceError::AccessKeyNotFound { .. } => "InvalidAccessKeyId.NotFound",
            ServiceError::SecurityTokenMismatch => "InvalidSecurityToken.MismatchWithAccessKey",
            ServiceError::SecurityTokenExpired => "InvalidSecurityToken.Expired",
            ServiceError::Identity { code, .. } => code,
            ServiceError::TimestampFormat { .. } => "InvalidTimeStamp.Format",
            ServiceError::TimestampExpired { .. } => "InvalidTimeStamp.Expired",
            ServiceError::SignatureMismatch { .. } | ServiceError::BodyHashMismatch { .. } => {
                "SignatureDoesNotMatch"
            }
            ServiceError::NonceUsed { .. } => "SignatureNonceUsed",
            ServiceError::Missing { name } => return Cow::Owned(format!("Missing{name}")),
            ServiceError::InvalidParameter { .. } => "InvalidParameter",
            ServiceError::Throttled | ServiceError::OverQuota { .. } => "Throttling.User",
            ServiceError::Unavailable => "ServiceUnavailable",
            ServiceError::StateNotWritten { .. } => "InternalError",
            ServiceError::NameTaken { .. } => "TaskNameDuplicate",
            ServiceError::TaskNotFound { .. } => "TaskNotFound",
            ServiceError::InvalidTaskStatus { .. } => "InvalidTaskStatus",
        })
    }

    /// The HTTP status: 200 for business failures, §7's status otherwise.
    pub fn status(&self) -> StatusCode {
        match self {
            ServiceError::PathNotFound { .. } | ServiceError::ActionNotFound { .. } => {
                StatusCode::NOT_FOUND
            }
            ServiceError::Unavailable => StatusCode::SERVICE_UNAVAILABLE,
            ServiceError::Identity { status, .. } => {
                StatusCode::from_u16(*status).unwrap_or(StatusCode::BAD_REQUEST)
            }
            ServiceError::StateNotWritten { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            ServiceError::NameTaken { .. }
            | ServiceError::TaskNotFound { .. }
            | ServiceError::InvalidTaskStatus { .. } => StatusCode::OK,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// Whether this is a business failure (HTTP 200, `Success:false`)
    /// rather than a gateway error.
    pub fn is_business(&self) -> bool {
        self.status() == StatusCode::OK
    }

    /// Shorthand for [`ServiceError::InvalidParameter`].
    pub(crate) fn invalid(
        name: impl Into<String>,
        value: impl Into<String>,
        expected: impl Into<String>,
    ) -> ServiceError {
        ServiceError::InvalidParameter {
            name: name.into(),
            value: value.into(),
            expected: expected.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_and_statuses_follow_section_7() {
        let cases = [
            (
                ServiceError::ActionNotFound { action: "X".into() },
                "InvalidAction.NotFound",
                404,
            ),
            (
                ServiceError::InvalidVersion {
                    version: "1".into(),
                },
                "InvalidVersion",
                400,
            ),
            (
                ServiceError::Missing { name: "TaskName" },
                "MissingTaskName",
                400,
            ),
            (ServiceError::Throttled, "Throttling.User", 400),
            (ServiceError::Unavailable, "ServiceUnavailable", 503),
            (
                ServiceError::NameTaken { name: "n".into() },
                "TaskNameDuplicate",
                200,
            ),
        ];
        for (error, code, status) in cases {
            assert_eq!(error.code(), code);
            assert_eq!(error.status().as_u16(), status, "{code}");
        }
        assert!(
            ServiceError::TaskNotFound {
                task_id: TaskId::FIRST
            }
            .is_business()
        );
        assert!(!ServiceError::Throttled.is_business());
    }
}
