//! Why no usable credentials could be had: while resolving (a file, a
//! profile, a variable) or while obtaining them (STS, the metadata service,
//! a credentials URI). Facts, never values: files, profiles, variables,
//! endpoints and codes are named; secrets, tokens and the text of a value
//! that may be one are not.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

use crate::api::error::EndpointError;
use crate::api::file_value::FileValue;
use crate::env;

/// The code of a request refused because its STS token expired.
pub const EXPIRED_TOKEN: &str = "InvalidSecurityToken.Expired";

/// One place the credential chain looked at, and why it found nothing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Lookup {
    /// e.g. `environment`, or a file path in backticks.
    pub place: String,
    /// e.g. `no such file`.
    pub outcome: String,
}

impl Lookup {
    pub(crate) fn new(place: impl Into<String>, outcome: impl Into<String>) -> Lookup {
        Lookup {
            place: place.into(),
            outcome: outcome.into(),
        }
    }

    /// What was found in the file at `path`, named in backticks.
    pub(crate) fn file(path: &Path, outcome: impl Into<String>) -> Lookup {
        Lookup::new(format!("`{}`", path.display()), outcome)
    }
}

impl fmt::Display for Lookup {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.place, self.outcome)
    }
}

/// "mode `X`, which aicall does not support", or for a value not shown,
/// "a mode aicall does not know (an unrecognised value of N characters)".
fn unsupported(what: &str, value: &FileValue) -> String {
    match value {
        FileValue::Word(_) => format!("{what} {value}, which aicall does not support"),
        FileValue::Unrecognised { .. } => format!("a {what} aicall does not know ({value})"),
    }
}

/// `a`, `a` and `b`, `a`, `b` and `c`, each in backticks.
fn listed(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}

fn reply_facts(code: &str, http_status: &Option<u16>, request_id: &Option<Box<str>>) -> String {
    // A reply without a `Code` is named by its status already.
    let http_status = http_status.filter(|s| code != format!("HTTP {s}"));
    match (http_status, request_id) {
        (Some(status), Some(id)) => format!(" (HTTP {status}, request ID `{id}`)"),
        (Some(status), None) => format!(" (HTTP {status})"),
        (None, Some(id)) => format!(" (request ID `{id}`)"),
        (None, None) => String::new(),
    }
}

/// Why no usable credentials were found, or could not be obtained.
#[derive(Debug, thiserror::Error)]
pub enum CredentialsError {
    /// One variable of a pair is set without its partner.
    #[error("`{set}` is set but `{missing}` is not: set both, or unset `{set}`")]
    IncompleteEnvironment {
        /// The variable that is set.
        set: &'static str,
        /// Its partner that is not.
        missing: &'static str,
    },

    /// Some of the three OIDC variables are set, not all.
    #[error(
        "OIDC credentials need `{}`, `{}` and `{}`: {} {} set but {} {}",
        env::ALIBABA_CLOUD_ROLE_ARN, env::ALIBABA_CLOUD_OIDC_PROVIDER_ARN,
        env::ALIBABA_CLOUD_OIDC_TOKEN_FILE, listed(set), if set.len() == 1 { "is" } else { "are" },
        listed(missing), if missing.len() == 1 { "is not" } else { "are not" }
    )]
    IncompleteOidcEnvironment {
        /// The variables that are set.
        set: Vec<&'static str>,
        /// Those that are not.
        missing: Vec<&'static str>,
    },

    /// A credentials file exists but cannot be read.
    #[error("cannot read `{}`", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: io::Error,
    },

    /// `config.json` is not valid JSON.
    #[error("`{}` is not valid JSON (line {line}, column {column})", path.display())]
    ConfigSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
        /// 1-based column of the problem.
        column: usize,
    },

    /// The INI credentials file cannot be parsed.
    #[error("`{}` is not a valid INI file (line {line})", path.display())]
    IniSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line of the problem.
        line: usize,
    },

    /// A profile or section lacks a key it needs.
    #[error("profile `{profile}` in `{}` has no `{key}`", path.display())]
    MissingKey {
        /// The file.
        path: PathBuf,
        /// The profile or section.
        profile: String,
        /// The missing key.
        key: &'static str,
    },

    /// A profile's key holds a value of the wrong kind.
    #[error("profile `{profile}` in `{}` has a `{key}` that is not {expected}", path.display())]
    InvalidKey {
        /// The file.
        path: PathBuf,
        /// The profile or section.
        profile: String,
        /// The key.
        key: &'static str,
        /// What it must be, e.g. `a whole number of seconds`.
        expected: &'static str,
    },

    /// A CLI profile of a mode aicall does not support.
    #[error("profile `{profile}` in `{}` uses {}", path.display(), unsupported("mode", mode))]
    UnsupportedMode {
        /// The file.
        path: PathBuf,
        /// The profile.
        profile: String,
        /// Its `mode`, shown only if it is a documented one.
        mode: FileValue,
    },

    /// An INI section of a type aicall does not support.
    #[error("section `[{profile}]` of `{}` has {}", path.display(), unsupported("type", kind))]
    UnsupportedType {
        /// The file.
        path: PathBuf,
        /// The section.
        profile: String,
        /// Its `type`, shown only if it is a documented one.
        kind: FileValue,
    },

    /// A variable names a credentials file that does not exist.
    #[error("`{variable}` names `{}`, which does not exist", path.display())]
    FileMissing {
        /// `ALIBABA_CLOUD_CREDENTIALS_FILE` or `ALIBABA_CLOUD_CONFIG_FILE`.
        variable: &'static str,
        /// The file.
        path: PathBuf,
    },

    /// A `source_profile` the file does not have.
    #[error("profile `{profile}` in `{}` names the source profile {source_profile}, which the file does not have", path.display())]
    NoSourceProfile {
        /// The file.
        path: PathBuf,
        /// The profile whose source is missing.
        profile: String,
        /// The missing profile's name, shown only if it looks like one.
        source_profile: FileValue,
    },

    /// `ChainableRamRoleArn` profiles whose sources lead back to one of them.
    #[error("the profiles in `{}` form a cycle of source profiles: {}", path.display(), chain.join(" → "))]
    ProfileCycle {
        /// The file.
        path: PathBuf,
        /// The profiles, from the one asked for back to the repeated one.
        chain: Vec<String>,
    },

    /// A profile or section asks for the ECS instance role while the
    /// metadata service is disabled.
    #[error(
        "{origin} uses the ECS instance role, but `{}=true` disables the metadata service",
        env::ALIBABA_CLOUD_ECS_METADATA_DISABLED
    )]
    MetadataDisabled {
        /// The profile or section, e.g. ``profile `ecs` in `…` ``.
        origin: String,
    },

    /// Nothing anywhere.
    #[error("no credentials found; looked at:{}", looked.iter().map(|l| format!("\n  - {l}")).collect::<String>())]
    NotFound {
        /// Every place looked at, in order.
        looked: Vec<Lookup>,
    },

    /// An STS endpoint, credentials URI or metadata address that the
    /// endpoint policy refuses (https, or http to loopback only).
    #[error("cannot use the {what} from {setting}")]
    Location {
        /// e.g. `STS endpoint`, `credentials URI`.
        what: &'static str,
        /// Where it was set, e.g. `` `ALIBABA_CLOUD_STS_ENDPOINT` ``.
        setting: String,
        /// Why.
        #[source]
        reason: EndpointError,
    },

    /// The OIDC token file cannot be read, or is empty.
    #[error("cannot read the OIDC token from `{}`{}", path.display(), if source.is_none() { ": the file is empty" } else { "" })]
    TokenFile {
        /// The file.
        path: PathBuf,
        /// Why, when it could not be read at all.
        #[source]
        source: Option<io::Error>,
    },

    /// A service that hands out credentials refused. (Boxed texts: this
    /// enum rides in every `Result` of a command, within clippy's bound.)
    #[error("{service} refused {request}: `{code}`{}{}", if message.is_empty() { String::new() } else { format!(": {message}") }, reply_facts(code, http_status, request_id))]
    Refused {
        /// e.g. ``STS (`https://sts.aliyuncs.com`)``.
        service: Box<str>,
        /// e.g. ``AssumeRole of role `acs:ram::…:role/x` ``.
        request: Box<str>,
        /// The reply's `Code` (or `HTTP 404` when it had none).
        code: String,
        /// The reply's `Message`, credentials scrubbed.
        message: Box<str>,
        /// The HTTP status.
        http_status: Option<u16>,
        /// The reply's `RequestId`.
        request_id: Option<Box<str>>,
    },

    /// A service that hands out credentials could not be reached, or gave
    /// no complete reply.
    #[error("cannot reach {service} for {request}: {detail}")]
    Unreachable {
        /// The service and its address.
        service: String,
        /// What was asked.
        request: String,
        /// What failed, without the URL.
        detail: String,
        /// Whether trying again may help (a refused connection, a timeout).
        transient: bool,
    },

    /// A reply that holds no usable credentials.
    #[error("{service} answered {request} with a reply aicall cannot use: {detail}")]
    BadReply {
        /// The service and its address.
        service: String,
        /// What was asked.
        request: String,
        /// What is wrong with it (never its values).
        detail: String,
    },

    /// The HTTP client for credentials could not be built.
    #[error("cannot set up the HTTP client for credentials: {detail}")]
    Setup {
        /// What failed.
        detail: String,
    },
}

/// What to do when the metadata service fails.
const ECS_HINT: &str = "the ECS instance role needs an ECS instance with a RAM role attached; \
                        elsewhere, unset ALIBABA_CLOUD_ECS_METADATA (or use a profile of another \
                        mode)";

/// Whether `service` is the metadata service (`metadata.rs` names it so).
fn is_metadata(service: &str) -> bool {
    service.starts_with("the ECS metadata service")
}

impl CredentialsError {
    /// What the user can do about it.
    pub fn hint(&self) -> Option<&str> {
        Some(match self {
            CredentialsError::UnsupportedMode { .. } => {
                "aicall reads the modes `AK`, `StsToken`, `RamRoleArn`, `ChainableRamRoleArn`, \
                 `OIDC`, `EcsRamRole` and `CredentialsURI`; for another (`CloudSSO`, `OAuth`, \
                 `External`, ...), obtain STS credentials with the aliyun CLI and export \
                 ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and \
                 ALIBABA_CLOUD_SECURITY_TOKEN, or create a supported profile with `aliyun \
                 configure --mode RamRoleArn --profile NAME`"
            }
            CredentialsError::UnsupportedType { .. } => {
                "aicall reads the types `access_key`, `ram_role_arn`, `oidc_role_arn` and \
                 `ecs_ram_role`; for another, obtain STS credentials and export \
                 ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET and \
                 ALIBABA_CLOUD_SECURITY_TOKEN"
            }
            CredentialsError::NotFound { .. } => {
                "export ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, run \
                 `aliyun configure`, or configure a role (OIDC, RamRoleArn, the ECS instance \
                 role); docs/credentials.md lists every place aicall looks"
            }
            CredentialsError::ConfigSyntax { .. } | CredentialsError::IniSyntax { .. } => {
                "fix the file, or point aicall elsewhere (ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true \
                 skips config.json; ALIBABA_CLOUD_CREDENTIALS_FILE chooses the INI file)"
            }
            CredentialsError::ProfileCycle { .. } => {
                "a `ChainableRamRoleArn` profile's `source_profile` must lead to a profile with \
                 a key of its own (`AK`, `StsToken`, `EcsRamRole`, ...)"
            }
            CredentialsError::Location { .. } => {
                "use `https://`, or plain `http://` only to a loopback address (127.0.0.1, ::1, \
                 localhost)"
            }
            CredentialsError::Refused { code, .. } if code.starts_with("EntityNotExist") => {
                "check the role's ARN: the role must exist in the account the ARN names"
            }
            CredentialsError::Refused { code, .. } if code.starts_with("AuthenticationFail") => {
                "the OIDC token was refused: check that it is fresh and that the role trusts the \
                 OIDC provider (its audience and subject conditions)"
            }
            CredentialsError::Refused { code, .. } if code.contains("NoPermission") => {
                "the identity assuming the role may not: allow `sts:AssumeRole` for it, and let \
                 the role's trust policy name it"
            }
            CredentialsError::Refused { service, .. } if is_metadata(service) => ECS_HINT,
            CredentialsError::Unreachable { service, .. } if is_metadata(service) => ECS_HINT,
            CredentialsError::Unreachable { .. } => {
                "check the network, the STS endpoint (ALIBABA_CLOUD_STS_ENDPOINT, \
                 ALIBABA_CLOUD_STS_REGION) and any HTTPS_PROXY setting"
            }
            _ => return None,
        })
    }

    /// Whether asking again later may succeed: a connection that failed, a
    /// timeout, throttling or a 5xx. Nothing was signed with credentials
    /// that do not exist yet, so a request waiting for them is not sent.
    pub fn is_transient(&self) -> bool {
        match self {
            CredentialsError::Unreachable { transient, .. } => *transient,
            CredentialsError::Refused {
                code, http_status, ..
            } => {
                code.starts_with("Throttling")
                    || code == "ServiceUnavailable"
                    || http_status.is_some_and(|s| s >= 500 || s == 429)
            }
            _ => false,
        }
    }

    /// Whether a service refused the credentials that signed the request
    /// because their STS token expired (role chaining).
    pub(crate) fn is_expired_token(&self) -> bool {
        matches!(self, CredentialsError::Refused { code, .. } if code == EXPIRED_TOKEN)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partial_oidc_environment_names_what_is_missing() {
        let err = CredentialsError::IncompleteOidcEnvironment {
            set: vec![env::ALIBABA_CLOUD_ROLE_ARN],
            missing: vec![
                env::ALIBABA_CLOUD_OIDC_PROVIDER_ARN,
                env::ALIBABA_CLOUD_OIDC_TOKEN_FILE,
            ],
        };
        assert_eq!(
            err.to_string(),
            "OIDC credentials need `ALIBABA_CLOUD_ROLE_ARN`, `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` \
             and `ALIBABA_CLOUD_OIDC_TOKEN_FILE`: `ALIBABA_CLOUD_ROLE_ARN` is set but \
             `ALIBABA_CLOUD_OIDC_PROVIDER_ARN` and `ALIBABA_CLOUD_OIDC_TOKEN_FILE` are not"
        );
    }

    #[test]
    fn refusals_keep_code_status_and_request_id() {
        let err = CredentialsError::Refused {
            service: "STS (`https://sts.aliyuncs.com`)".into(),
            request: "`AssumeRole` of role `acs:ram::1:role/x`".into(),
            code: "EntityNotExist.Role".to_owned(),
            message: "The role not exists".into(),
            http_status: Some(404),
            request_id: Some("R-1".into()),
        };
        assert_eq!(
            err.to_string(),
            "STS (`https://sts.aliyuncs.com`) refused `AssumeRole` of role `acs:ram::1:role/x`: \
             `EntityNotExist.Role`: The role not exists (HTTP 404, request ID `R-1`)"
        );
        assert!(err.hint().unwrap().contains("ARN"));
        assert!(!err.is_transient());
    }
}
