//! Where credentials will come from, as configured: the chain's answer,
//! plain data, before anything is fetched.
//!
//! A [`Source`] names every address it will contact
//! ([`Source::network_sources`]), so what a run will connect to can be
//! checked before it connects anywhere: a static key contacts nothing, and
//! the ECS metadata service is in a source only when the configuration
//! asked for the instance role.

use std::path::PathBuf;

use reqwest::Url;

use crate::secret::Secret;

use super::super::endpoint::Endpoint;
use super::{CredentialSource, Credentials};

/// The ECS metadata service's address (§9): link-local, plain HTTP.
pub const ECS_METADATA_ADDRESS: &str = "http://100.100.100.200";

/// Where credentials will come from.
#[derive(Debug, Clone)]
pub enum Source {
    /// Credentials as given: a long-term AccessKey, or STS credentials that
    /// cannot be refreshed.
    Static {
        /// The credentials.
        credentials: Credentials,
        /// Where `GetCallerIdentity` goes for a saved plan's identity, for
        /// STS credentials (their key changes every session); `None` for a
        /// long-term key, which needs no STS.
        sts: Option<Endpoint>,
    },
    /// STS AssumeRole, signed by the credentials of `signer` (a long-term
    /// key, or temporary credentials: role chaining).
    AssumeRole {
        /// The role and session.
        role: RoleRequest,
        /// Whose credentials sign the request.
        signer: Box<Source>,
        /// The STS endpoint.
        sts: Endpoint,
        /// How credentials from it are described (how they are obtained,
        /// and where that was configured).
        origin: CredentialSource,
    },
    /// STS AssumeRoleWithOIDC (unsigned), with the token read from
    /// `token_file` at every refresh (it is rotated).
    Oidc {
        /// The role and session.
        role: RoleRequest,
        /// The OIDC identity provider's ARN.
        provider_arn: String,
        /// The token's file.
        token_file: PathBuf,
        /// The STS endpoint.
        sts: Endpoint,
        /// How credentials from it are described (how they are obtained,
        /// and where that was configured).
        origin: CredentialSource,
    },
    /// The ECS instance's RAM role, from the metadata service.
    Ecs {
        /// The role; `None` asks the service which role the instance has.
        role_name: Option<String>,
        /// The metadata service.
        metadata: MetadataEndpoint,
        /// Only IMDSv2 (with a token): no fallback to v1.
        imdsv1_disabled: bool,
        /// Where `GetCallerIdentity` goes for a saved plan's identity.
        sts: Endpoint,
        /// How credentials from it are described (how they are obtained,
        /// and where that was configured).
        origin: CredentialSource,
    },
    /// A URL that answers a GET with credentials, as the metadata service does.
    Uri {
        /// The URL (a secret: it is never shown).
        uri: SecretUrl,
        /// Where `GetCallerIdentity` goes for a saved plan's identity.
        sts: Endpoint,
        /// How credentials from it are described (how they are obtained,
        /// and where that was configured).
        origin: CredentialSource,
    },
}

/// A URL that is a secret (a credentials URI hands out credentials to
/// whoever reads it): `Debug` shows its origin only.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretUrl(Url);

impl SecretUrl {
    pub(crate) fn new(url: Url) -> SecretUrl {
        SecretUrl(url)
    }

    /// The whole URL, to send the request to. Never show it.
    pub(crate) fn expose(&self) -> &Url {
        &self.0
    }

    /// `scheme://host[:port]`, which may be shown.
    pub fn origin(&self) -> String {
        self.0.origin().ascii_serialization()
    }
}

impl std::fmt::Debug for SecretUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretUrl({}/***)", self.origin())
    }
}

/// What AssumeRole and AssumeRoleWithOIDC ask for (§9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleRequest {
    /// `RoleArn`.
    pub role_arn: String,
    /// `RoleSessionName`.
    pub session_name: String,
    /// `DurationSeconds`.
    pub duration_seconds: u32,
    /// `Policy`, JSON text.
    pub policy: Option<String>,
    /// `ExternalId` (AssumeRole only).
    pub external_id: Option<String>,
}

impl RoleRequest {
    /// The duration STS gives when none is asked for (§9).
    pub const DEFAULT_DURATION_SECONDS: u32 = 3600;
}

/// The metadata service's address: [`ECS_METADATA_ADDRESS`], or for tests
/// a loopback address (`AICALL_TEST_ECS_METADATA_ENDPOINT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataEndpoint {
    url: Url,
}

impl MetadataEndpoint {
    /// The real service.
    pub fn ecs() -> MetadataEndpoint {
        MetadataEndpoint {
            url: Url::parse(ECS_METADATA_ADDRESS).expect("the metadata address is a URL"),
        }
    }

    /// A loopback `http://` address (for tests); `None` for anything else.
    pub fn loopback(text: &str) -> Option<MetadataEndpoint> {
        let endpoint = Endpoint::parse(text.trim()).ok()?;
        (endpoint.is_plain_http() && endpoint.is_loopback()).then(|| MetadataEndpoint {
            url: endpoint.url().clone(),
        })
    }

    /// The URL of `path` on the service.
    pub fn join(&self, path: &str) -> Url {
        self.url.join(path).unwrap_or_else(|_| self.url.clone())
    }

    /// `http://HOST[:PORT]`.
    pub fn origin(&self) -> String {
        self.url.as_str().trim_end_matches('/').to_owned()
    }
}

impl Source {
    /// Every address obtaining credentials from this source may contact, in
    /// the order it would, signers first. Empty for a long-term key.
    pub fn network_sources(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect_network_sources(&mut out);
        out
    }

    fn collect_network_sources(&self, out: &mut Vec<String>) {
        match self {
            Source::Static { sts, .. } => out.extend(sts.iter().map(ToString::to_string)),
            Source::AssumeRole { signer, sts, .. } => {
                signer.collect_network_sources(out);
                out.push(sts.to_string());
            }
            Source::Oidc { sts, .. } => out.push(sts.to_string()),
            Source::Ecs { metadata, sts, .. } => {
                out.push(metadata.origin());
                out.push(sts.to_string());
            }
            Source::Uri { uri, sts, .. } => {
                // The URL's path and query may hold a secret: only its origin.
                out.push(uri.origin());
                out.push(sts.to_string());
            }
        }
    }

    /// Whether this source asks the ECS metadata service.
    pub fn uses_ecs_metadata(&self) -> bool {
        match self {
            Source::Ecs { .. } => true,
            Source::AssumeRole { signer, .. } => signer.uses_ecs_metadata(),
            _ => false,
        }
    }

    /// How credentials from it are described in messages: where static
    /// ones were found, or how temporary ones are obtained and where that
    /// was configured.
    pub fn origin(&self) -> &CredentialSource {
        match self {
            Source::Static { credentials, .. } => &credentials.source,
            Source::AssumeRole { origin, .. }
            | Source::Oidc { origin, .. }
            | Source::Ecs { origin, .. }
            | Source::Uri { origin, .. } => origin,
        }
    }

    /// The long-term secret at the root of this source, if it has one: the
    /// AccessKey secret of a static key without a token, or of the key a
    /// role is assumed with. Temporary credentials have none that lasts.
    pub(crate) fn long_term_secret(&self) -> Option<&Secret> {
        match self {
            Source::Static { credentials, .. } if credentials.security_token.is_none() => {
                Some(&credentials.access_key_secret)
            }
            Source::AssumeRole { signer, .. } => signer.long_term_secret(),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sts() -> Endpoint {
        Endpoint::parse("https://sts.aliyuncs.com").unwrap()
    }

    fn key(token: Option<&str>) -> Source {
        let mut credentials = Credentials::new("TESTkey000000001", Secret::new("s3cr3t-x"), "t");
        credentials.security_token = token.map(Secret::new);
        Source::Static {
            sts: credentials.security_token.is_some().then(sts),
            credentials,
        }
    }

    #[test]
    fn a_long_term_key_contacts_nothing_and_static_sts_only_sts() {
        assert!(key(None).network_sources().is_empty());
        assert_eq!(
            key(Some("CAIS-token")).network_sources(),
            ["https://sts.aliyuncs.com"]
        );
    }

    #[test]
    fn roles_list_their_signers_first_and_only_ecs_asks_the_metadata_service() {
        let role = RoleRequest {
            role_arn: "acs:ram::1:role/a".to_owned(),
            session_name: "s".to_owned(),
            duration_seconds: 900,
            policy: None,
            external_id: None,
        };
        let origin = CredentialSource::Given {
            description: "t".to_owned(),
        };
        let ecs = Source::Ecs {
            role_name: None,
            metadata: MetadataEndpoint::ecs(),
            imdsv1_disabled: false,
            sts: sts(),
            origin: origin.clone(),
        };
        let chained = Source::AssumeRole {
            role: role.clone(),
            signer: Box::new(ecs),
            sts: Endpoint::parse("http://127.0.0.1:9").unwrap(),
            origin: origin.clone(),
        };
        assert_eq!(
            chained.network_sources(),
            [
                "http://100.100.100.200",
                "https://sts.aliyuncs.com",
                "http://127.0.0.1:9"
            ]
        );
        assert!(chained.uses_ecs_metadata());
        let from_key = Source::AssumeRole {
            role,
            signer: Box::new(key(None)),
            sts: sts(),
            origin,
        };
        assert!(!from_key.uses_ecs_metadata());
        assert_eq!(from_key.long_term_secret().unwrap().expose(), "s3cr3t-x");
        assert!(key(Some("CAIS-token")).long_term_secret().is_none());
    }

    #[test]
    fn a_secret_url_shows_only_its_origin() {
        let url = SecretUrl::new(Url::parse("https://creds.example.com/v1?token=hunter2").unwrap());
        assert_eq!(
            format!("{url:?}"),
            "SecretUrl(https://creds.example.com/***)"
        );
    }

    #[test]
    fn the_metadata_override_is_loopback_http_only() {
        assert!(MetadataEndpoint::loopback("http://127.0.0.1:8080").is_some());
        for refused in [
            "http://100.100.100.200",
            "https://127.0.0.1:8080",
            "http://example.com",
            "127.0.0.1:80",
        ] {
            assert!(MetadataEndpoint::loopback(refused).is_none(), "{refused}");
        }
        assert_eq!(
            MetadataEndpoint::ecs().join("/latest/api/token").as_str(),
            "http://100.100.100.200/latest/api/token"
        );
    }
}
