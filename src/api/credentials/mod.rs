//! Who we are: the credentials every request is signed with, found the way
//! Alibaba Cloud's own tools find them (`aiccs-api.md` §5), and kept fresh
//! while a run lasts (§9, issue 12).
//!
//! Two steps, kept apart on purpose:
//!
//! 1. **Resolving** ([`chain::resolve`]) reads the environment and the
//!    credentials files and says where credentials will come from: a
//!    [`Source`], plain data. It touches no network. The order is the one of
//!    Alibaba Cloud's credentials libraries: static keys from the
//!    environment, OIDC from the environment (ACK RRSA), the aliyun CLI's
//!    `config.json`, the INI credentials file, the ECS instance role (only
//!    when asked for), a credentials URI. Nothing here ever probes the ECS
//!    metadata address on its own: a machine that is not an ECS instance
//!    sends nothing to it.
//! 2. **Providing** ([`CredentialProvider`]) turns the source into
//!    credentials: static ones as they are, temporary ones from STS
//!    (`sts.rs`: AssumeRole, AssumeRoleWithOIDC), the metadata service
//!    (`metadata.rs`) or a credentials URI (`uri.rs`), refreshed before they
//!    expire, one refresh at a time (`refresh.rs`). Every connection these
//!    make goes through `fetch.rs`.
//!
//! A half-configured source (an ID without its secret, a profile of an
//! unsupported mode, two of the three OIDC variables) is an error, never a
//! silent fall-through to the next source: the key you meant would be
//! replaced by another one, possibly of another account. Nothing found is
//! one error listing every place looked at.
//!
//! Secrets are [`Secret`]s from the moment they are read; no error holds a
//! secret, and every credential obtained is handed to an observer (the
//! output scrubber) before it is used.

use std::fmt;
use std::path::PathBuf;

use crate::env;
use crate::secret::{MASK, MIN_SCRUBBED_LEN, Scrubber, Secret};

use super::file_value::FileValue;

pub mod chain;
mod config_file;
mod environment;
pub mod error;
mod fetch;
mod ini;
mod metadata;
mod provider;
mod refresh;
mod source;
mod sts;
mod uri;

pub use chain::{load_from_system, resolve};
pub use error::{CredentialsError, Lookup};
pub use provider::{CredentialProvider, Identity, Observer};
pub use source::{MetadataEndpoint, RoleRequest, Source};

/// An AccessKey pair (and STS token), with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The AccessKey ID. Not secret, but shown only in part ([`Credentials::key_hint`]).
    pub access_key_id: String,
    /// The AccessKey secret.
    pub access_key_secret: Secret,
    /// The STS security token, for temporary credentials.
    pub security_token: Option<Secret>,
    /// Where they were found, for messages.
    pub source: CredentialSource,
}

impl Credentials {
    /// Credentials given directly (the emulator's pair, tests).
    pub fn new(
        access_key_id: impl Into<String>,
        access_key_secret: Secret,
        description: impl Into<String>,
    ) -> Credentials {
        Credentials {
            access_key_id: access_key_id.into(),
            access_key_secret,
            security_token: None,
            source: CredentialSource::Given {
                description: description.into(),
            },
        }
    }

    /// The AccessKey ID reduced to its last four characters (`****abcd`),
    /// for messages that must say which key was used without printing it.
    pub fn key_hint(&self) -> String {
        crate::secret::mask_access_key_id(&self.access_key_id)
    }

    /// What masks these credentials in text: the secret and the token as
    /// `****`, the AccessKey ID as its [`Credentials::key_hint`], each raw
    /// and percent-encoded once and twice (a gateway echoes its
    /// string-to-sign, which holds the encoded token and ID). Whole
    /// occurrences of long enough values only (see [`Scrubber`]).
    pub fn scrubber(&self) -> Scrubber {
        let mut scrubber = Scrubber::new();
        for secret in std::iter::once(&self.access_key_secret).chain(&self.security_token) {
            add_secret(&mut scrubber, secret);
        }
        let hint = self.key_hint();
        for form in encoded_forms(&self.access_key_id) {
            scrubber.add(&form, &hint);
        }
        scrubber
    }

    /// `text` from elsewhere (a server's message, a transport error) with
    /// these credentials masked, before it is kept or shown.
    pub fn scrub(&self, text: &str) -> String {
        self.scrubber().scrub(text).into_owned()
    }
}

/// Masks `secret`, raw and percent-encoded, as `****`.
pub(crate) fn add_secret(scrubber: &mut Scrubber, secret: &Secret) {
    for form in encoded_forms(secret.expose()) {
        scrubber.add(&form, MASK);
    }
}

/// A value as it is, and percent-encoded once and twice; nothing for a
/// value too short to scrub, whose encoded forms may be long enough but
/// would mask the same ordinary text.
fn encoded_forms(raw: &str) -> Vec<String> {
    if raw.chars().count() < MIN_SCRUBBED_LEN {
        return Vec::new();
    }
    let once = super::sign::percent_encode(raw);
    let twice = super::sign::percent_encode(&once);
    vec![raw.to_owned(), once, twice]
}

/// Where credentials were found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// Environment variables; `variable` is the AccessKey ID's (or, for a
    /// source configured by several variables, the first of them).
    Environment {
        /// e.g. `ALIBABA_CLOUD_ACCESS_KEY_ID`.
        variable: &'static str,
    },
    /// A profile of the aliyun CLI's `config.json`.
    CliProfile {
        /// The profile name.
        profile: String,
        /// The file.
        path: PathBuf,
    },
    /// A section of the INI credentials file.
    IniFile {
        /// The section name.
        profile: String,
        /// The file.
        path: PathBuf,
    },
    /// Given by the program (the emulator's pair, tests).
    Given {
        /// What they are, e.g. `the embedded emulator's demo pair`.
        description: String,
    },
    /// Temporary credentials that aicall obtained itself, and refreshes.
    Obtained {
        /// From what.
        how: Obtained,
        /// Where that was configured.
        from: Box<CredentialSource>,
    },
}

/// How temporary credentials were obtained (§9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Obtained {
    /// STS AssumeRole, signed by other credentials.
    AssumeRole {
        /// The role's ARN, shown only if it looks like one.
        role: FileValue,
    },
    /// STS AssumeRoleWithOIDC.
    Oidc {
        /// The role's ARN, shown only if it looks like one.
        role: FileValue,
    },
    /// The ECS instance's RAM role, from the metadata service.
    EcsRole {
        /// The role's name, when configured (else asked of the service).
        role: Option<FileValue>,
    },
    /// A credentials URI.
    CredentialsUri,
}

impl fmt::Display for Obtained {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Obtained::AssumeRole { role } => write!(f, "role {role} assumed through STS"),
            Obtained::Oidc { role } => write!(f, "role {role} assumed with an OIDC token"),
            Obtained::EcsRole { role: Some(role) } => write!(f, "the ECS instance role {role}"),
            Obtained::EcsRole { role: None } => f.write_str("the ECS instance's role"),
            Obtained::CredentialsUri => f.write_str("the credentials URI"),
        }
    }
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Environment { variable } => write!(f, "environment (`{variable}`)"),
            CredentialSource::CliProfile { profile, path } => {
                write!(f, "profile `{profile}` in `{}`", path.display())
            }
            CredentialSource::IniFile { profile, path } => {
                write!(f, "section `[{profile}]` of `{}`", path.display())
            }
            CredentialSource::Given { description } => f.write_str(description),
            CredentialSource::Obtained { how, from } => write!(f, "{how}, per {from}"),
        }
    }
}

impl CredentialSource {
    /// Where the AccessKey secret itself came from, for messages about a
    /// wrong secret. For the environment that is the secret's own variable,
    /// not the ID's one that [`CredentialSource::Environment`] records: a
    /// user told to check `ALIBABA_CLOUD_ACCESS_KEY_ID` would look at the
    /// wrong value. A profile or section holds both, so it is named whole.
    pub fn secret_origin(&self) -> String {
        if let CredentialSource::Environment { variable } = self
            && let Some([_, secret, _]) = ENV_GROUPS.iter().find(|[id, ..]| id == variable)
        {
            return format!("environment (`{secret}`)");
        }
        self.to_string()
    }

    /// Whether aicall obtains these credentials itself, and so can refresh
    /// them.
    pub fn is_refreshable(&self) -> bool {
        matches!(self, CredentialSource::Obtained { .. })
    }

    /// What to do when the service refused these credentials' STS token
    /// (`InvalidSecurityToken.*`, §4.3). Credentials aicall obtains itself
    /// were already refreshed and re-sent once by then; credentials it was
    /// given cannot be refreshed, so the hint says what to change.
    pub fn expired_token_hint(&self) -> String {
        match self {
            CredentialSource::Environment { variable } => {
                let token = ENV_GROUPS
                    .iter()
                    .find(|[id, ..]| id == variable)
                    .map_or(env::ALIBABA_CLOUD_SECURITY_TOKEN, |[_, _, token]| token);
                format!(
                    "the STS credentials from the environment (`{token}`) expired, or are \
                     malformed, and aicall cannot refresh credentials it is given as they are: \
                     issue them for longer than the run takes (for GitHub Actions, raise \
                     `role-session-expiration` of aliyun/configure-aliyun-credentials-action, up \
                     to the role's maximum session duration), or let aicall assume the role \
                     itself and refresh it (`{}`, `{}` and `{}`, or a `RamRoleArn` profile); \
                     then run again: what did not finish is planned again",
                    env::ALIBABA_CLOUD_ROLE_ARN,
                    env::ALIBABA_CLOUD_OIDC_PROVIDER_ARN,
                    env::ALIBABA_CLOUD_OIDC_TOKEN_FILE,
                )
            }
            CredentialSource::Obtained { .. } => format!(
                "the credentials from {self} were refreshed and the request sent again, and \
                 they were still refused: check this machine's clock"
            ),
            _ => format!(
                "the STS token from {self} expired or is malformed, and aicall cannot refresh a \
                 token it is given: obtain a fresh one, or use a `RamRoleArn` profile, whose \
                 credentials aicall refreshes itself"
            ),
        }
    }
}

/// The environment variable triples, in the order they are read (§5.1).
pub(crate) const ENV_GROUPS: [[&str; 3]; 3] = [
    [
        env::ALIBABA_CLOUD_ACCESS_KEY_ID,
        env::ALIBABA_CLOUD_ACCESS_KEY_SECRET,
        env::ALIBABA_CLOUD_SECURITY_TOKEN,
    ],
    [
        env::ALIBABACLOUD_ACCESS_KEY_ID,
        env::ALIBABACLOUD_ACCESS_KEY_SECRET,
        env::ALIBABACLOUD_SECURITY_TOKEN,
    ],
    [
        env::ALICLOUD_ACCESS_KEY_ID,
        env::ALICLOUD_ACCESS_KEY_SECRET,
        env::ALICLOUD_SECURITY_TOKEN,
    ],
];

#[cfg(test)]
mod tests {
    use super::*;

    const TOKEN: &str = "CAIS+token/with=chars";

    #[test]
    fn key_hint_shows_only_the_tail() {
        let creds = Credentials::new("TEST5tAbCdEfGh1234", Secret::new("x"), "test");
        assert_eq!(creds.key_hint(), "****1234");
        assert_eq!(
            Credentials::new("short", Secret::new("x"), "test").key_hint(),
            "****"
        );
    }

    #[test]
    fn scrub_removes_raw_and_encoded_forms() {
        let mut creds =
            Credentials::new("TESTexampleKeyId00abcd", Secret::new("a b/c=d+e"), "test");
        creds.security_token = Some(Secret::new(TOKEN));
        let text = "sts: POST&%2F&AccessKeyId%3DTESTexampleKeyId00abcd%26SecurityToken%3DCAIS%252Btoken%252Fwith%253Dchars \
                    raw CAIS+token/with=chars secret a%20b%2Fc%3Dd%2Be (a b/c=d+e)";
        assert_eq!(
            creds.scrub(text),
            "sts: POST&%2F&AccessKeyId%3D****abcd%26SecurityToken%3D**** raw **** secret **** (****)"
        );
    }

    #[test]
    fn scrub_leaves_short_values_and_longer_words_alone() {
        let creds = Credentials::new("TESTexampleKeyId00abcd", Secret::new("s"), "test");
        let text = "10s later; key TESTexampleKeyId00abcdef is another";
        assert_eq!(creds.scrub(text), text);
        let creds = Credentials::new("short", Secret::new("a b"), "test");
        assert_eq!(creds.scrub("short a%20b a b"), "short a%20b a b");
    }

    #[test]
    fn obtained_sources_say_how_and_where() {
        let source = CredentialSource::Obtained {
            how: Obtained::AssumeRole {
                role: FileValue::arn("acs:ram::1234567890123456:role/deployer"),
            },
            from: Box::new(CredentialSource::CliProfile {
                profile: "ci".to_owned(),
                path: PathBuf::from("/home/me/.aliyun/config.json"),
            }),
        };
        assert_eq!(
            source.to_string(),
            "role `acs:ram::1234567890123456:role/deployer` assumed through STS, per profile \
             `ci` in `/home/me/.aliyun/config.json`"
        );
        assert!(source.is_refreshable());
        assert!(source.expired_token_hint().contains("clock"));
        let env = CredentialSource::Environment {
            variable: env::ALICLOUD_ACCESS_KEY_ID,
        };
        assert!(!env.is_refreshable());
        let hint = env.expired_token_hint();
        assert!(hint.contains("`ALICLOUD_SECURITY_TOKEN`"), "{hint}");
        assert!(hint.contains("role-session-expiration"), "{hint}");
    }
}
