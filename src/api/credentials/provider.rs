//! What the client asks for the credentials of each attempt: a
//! [`CredentialProvider`], built from a resolved [`Source`].
//!
//! Static credentials are handed out as they are. Temporary ones are
//! obtained when first asked for and kept fresh by `refresh.rs`; a role is
//! assumed with the credentials of its own provider, so a chain of roles
//! refreshes each link when it is due. Every credential, the static ones
//! at once and the temporary ones as they arrive (OIDC tokens and IMDSv2
//! tokens included), is shown to an [`Observer`] before it is used: the
//! commands register them with the output scrubber.
//!
//! A provider also says who it is for saved plans ([`Identity`]), with a
//! value that stays the same across sessions while temporary AccessKey IDs
//! and secrets change with each.

use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use futures_util::future::BoxFuture;

use crate::secret::{Scrubber, Secret};

use super::super::endpoint::Endpoint;
use super::error::CredentialsError;
use super::fetch::Fetched;
use super::metadata::Metadata;
use super::refresh::{Clock, Fetch, Refreshing};
use super::source::{RoleRequest, Source};
use super::sts::Sts;
use super::uri::Uri;
use super::{CredentialSource, Credentials, add_secret};

/// Receives what masks every credential obtained, before it is used.
pub type Observer = Arc<dyn Fn(&Scrubber) + Send + Sync>;

/// Who a provider's credentials act as, stably across sessions: what a
/// saved plan's account fingerprint and seal are made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The fingerprint's input: the AccessKey ID of a long-term key (as
    /// before issue 12); for roles, the role's ARN; for credentials whose
    /// role is not configured (STS credentials from the environment, the
    /// ECS instance role, a credentials URI), the caller's ARN from STS
    /// `GetCallerIdentity`, an assumed role's session left out.
    pub principal: String,
    /// The seal's key: the long-term AccessKey secret where there is one
    /// (a static key, or the key a role is assumed with); otherwise a
    /// value derived from `principal`, which is public.
    pub seal_key: Secret,
    /// Whether `seal_key` is a secret. When it is not, a seal still finds
    /// accidental edits, but anyone could forge one; `apply --plan` checks
    /// a plan against the manifests and the account either way.
    pub seal_is_secret: bool,
}

impl Identity {
    fn public(principal: String) -> Identity {
        Identity {
            seal_key: Secret::new(format!("aicall public seal of {principal}")),
            principal,
            seal_is_secret: false,
        }
    }
}

/// Where a provider's identity comes from.
enum Who {
    /// A long-term key: its ID and secret, as before issue 12.
    Key { id: String, secret: Secret },
    /// A configured role, with the long-term secret it is assumed with.
    Role { arn: String, secret: Option<Secret> },
    /// Ask STS at this endpoint.
    Caller(Endpoint),
}

/// The credentials to sign with, now and for as long as the run lasts.
/// Cheap to clone; clones share the credentials and their refreshes.
#[derive(Clone)]
pub struct CredentialProvider {
    inner: Arc<Inner>,
}

struct Inner {
    kind: Kind,
    source: CredentialSource,
    who: Who,
    network: Vec<String>,
}

enum Kind {
    Static(Arc<Credentials>),
    Refreshing(Refreshing),
}

impl CredentialProvider {
    /// The provider of `source`; `observer` sees every credential first.
    /// Builds the HTTP clients the source needs, and contacts nothing yet.
    pub fn new(
        source: &Source,
        observer: Observer,
    ) -> Result<CredentialProvider, CredentialsError> {
        CredentialProvider::with_clock(source, observer, Arc::new(jiff::Timestamp::now))
    }

    /// Credentials given as they are (the emulator's pair, tests).
    pub fn fixed(credentials: Credentials) -> CredentialProvider {
        let who = Who::Key {
            id: credentials.access_key_id.clone(),
            secret: credentials.access_key_secret.clone(),
        };
        CredentialProvider {
            inner: Arc::new(Inner {
                source: credentials.source.clone(),
                kind: Kind::Static(Arc::new(credentials)),
                who,
                network: Vec::new(),
            }),
        }
    }

    pub(crate) fn with_clock(
        source: &Source,
        observer: Observer,
        clock: Clock,
    ) -> Result<CredentialProvider, CredentialsError> {
        let (kind, who) = match source {
            Source::Static { credentials, sts } => {
                // A role's signing key too: its provider is built here.
                observer(&credentials.scrubber());
                let who = match sts {
                    Some(sts) if credentials.security_token.is_some() => Who::Caller(sts.clone()),
                    _ => Who::Key {
                        id: credentials.access_key_id.clone(),
                        secret: credentials.access_key_secret.clone(),
                    },
                };
                (Kind::Static(Arc::new(credentials.clone())), who)
            }
            Source::AssumeRole {
                role,
                signer,
                sts,
                origin,
            } => {
                let fetch = AssumeRole {
                    sts: Sts::new(sts)?,
                    signer: CredentialProvider::with_clock(
                        signer,
                        observer.clone(),
                        clock.clone(),
                    )?,
                    role: role.clone(),
                    origin: origin.clone(),
                };
                let who = Who::Role {
                    arn: role.role_arn.clone(),
                    secret: source.long_term_secret().cloned(),
                };
                (refreshing(fetch, &observer, &clock), who)
            }
            Source::Oidc {
                role,
                provider_arn,
                token_file,
                sts,
                origin,
            } => {
                let fetch = Oidc {
                    sts: Sts::new(sts)?,
                    role: role.clone(),
                    provider_arn: provider_arn.clone(),
                    token_file: token_file.clone(),
                    origin: origin.clone(),
                    observer: observer.clone(),
                };
                let who = Who::Role {
                    arn: role.role_arn.clone(),
                    secret: None,
                };
                (refreshing(fetch, &observer, &clock), who)
            }
            Source::Ecs {
                role_name,
                metadata,
                imdsv1_disabled,
                sts,
                origin,
            } => {
                let fetch = Ecs {
                    metadata: Metadata::new(metadata, *imdsv1_disabled)?,
                    role_name: role_name.clone(),
                    origin: origin.clone(),
                    observer: observer.clone(),
                };
                (
                    refreshing(fetch, &observer, &clock),
                    Who::Caller(sts.clone()),
                )
            }
            Source::Uri { uri, sts, origin } => {
                let fetch = FromUri {
                    uri: Uri::new(uri)?,
                    origin: origin.clone(),
                };
                (
                    refreshing(fetch, &observer, &clock),
                    Who::Caller(sts.clone()),
                )
            }
        };
        Ok(CredentialProvider {
            inner: Arc::new(Inner {
                kind,
                source: source.origin().clone(),
                who,
                network: source.network_sources(),
            }),
        })
    }

    /// The credentials to sign with now.
    pub async fn current(&self) -> Result<Arc<Credentials>, CredentialsError> {
        match &self.inner.kind {
            Kind::Static(credentials) => Ok(credentials.clone()),
            Kind::Refreshing(refreshing) => refreshing.current().await,
        }
    }

    /// After a request signed with `stale` was refused as expired: fresh
    /// credentials to sign it again with, or `None` when these cannot be
    /// refreshed (they were given as they are).
    pub async fn refresh_after_expired(
        &self,
        stale: &Arc<Credentials>,
    ) -> Result<Option<Arc<Credentials>>, CredentialsError> {
        match &self.inner.kind {
            Kind::Static(_) => Ok(None),
            Kind::Refreshing(refreshing) => refreshing.refresh_after_expired(stale).await.map(Some),
        }
    }

    /// How credentials from here are described.
    pub fn source(&self) -> &CredentialSource {
        &self.inner.source
    }

    /// Whether aicall obtains these credentials itself and refreshes them.
    pub fn is_refreshable(&self) -> bool {
        matches!(self.inner.kind, Kind::Refreshing(_))
    }

    /// Every address obtaining credentials may contact (empty for a static
    /// key): see [`Source::network_sources`].
    pub fn network_sources(&self) -> &[String] {
        &self.inner.network
    }

    /// How many times credentials were fetched (0 for static ones).
    pub fn fetches(&self) -> u64 {
        match &self.inner.kind {
            Kind::Static(_) => 0,
            Kind::Refreshing(refreshing) => refreshing.fetches(),
        }
    }

    /// Who these credentials act as, for saved plans (see [`Identity`]).
    /// Asks STS `GetCallerIdentity` when the configuration does not say.
    pub async fn identity(&self) -> Result<Identity, CredentialsError> {
        match &self.inner.who {
            Who::Key { id, secret } => Ok(Identity {
                principal: id.clone(),
                seal_key: secret.clone(),
                seal_is_secret: true,
            }),
            Who::Role {
                arn,
                secret: Some(secret),
            } => Ok(Identity {
                principal: arn.clone(),
                seal_key: secret.clone(),
                seal_is_secret: true,
            }),
            Who::Role { arn, secret: None } => Ok(Identity::public(arn.clone())),
            Who::Caller(endpoint) => {
                let sts = Sts::new(endpoint)?;
                let credentials = self.current().await?;
                let caller = match sts.caller_identity(&credentials).await {
                    Err(err) if err.is_expired_token() => {
                        match self.refresh_after_expired(&credentials).await? {
                            Some(fresh) => sts.caller_identity(&fresh).await?,
                            None => return Err(err),
                        }
                    }
                    other => other?,
                };
                Ok(Identity::public(caller.principal()))
            }
        }
    }
}

impl From<Credentials> for CredentialProvider {
    fn from(credentials: Credentials) -> CredentialProvider {
        CredentialProvider::fixed(credentials)
    }
}

impl fmt::Debug for CredentialProvider {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CredentialProvider")
            .field("source", &self.inner.source.to_string())
            .field("refreshable", &self.is_refreshable())
            .finish_non_exhaustive()
    }
}

fn refreshing(fetch: impl Fetch + 'static, observer: &Observer, clock: &Clock) -> Kind {
    Kind::Refreshing(Refreshing::new(
        Box::new(fetch),
        observer.clone(),
        clock.clone(),
    ))
}

/// AssumeRole, signed by another provider's credentials.
struct AssumeRole {
    sts: Sts,
    signer: CredentialProvider,
    role: RoleRequest,
    origin: CredentialSource,
}

impl Fetch for AssumeRole {
    fn fetch(&self) -> BoxFuture<'_, Result<Fetched, CredentialsError>> {
        Box::pin(async move {
            let signer = self.signer.current().await?;
            match self
                .sts
                .assume_role(&signer, &self.role, self.origin.clone())
                .await
            {
                // The signer's own temporary credentials expired by the
                // service's clock (role chaining): refresh them, once.
                Err(err) if err.is_expired_token() => {
                    match self.signer.refresh_after_expired(&signer).await? {
                        Some(fresh) => {
                            self.sts
                                .assume_role(&fresh, &self.role, self.origin.clone())
                                .await
                        }
                        None => Err(err),
                    }
                }
                other => other,
            }
        })
    }
}

/// AssumeRoleWithOIDC, with the token file read afresh every time: it is
/// rotated while a run lasts (ACK RRSA, CI).
struct Oidc {
    sts: Sts,
    role: RoleRequest,
    provider_arn: String,
    token_file: PathBuf,
    origin: CredentialSource,
    observer: Observer,
}

impl Fetch for Oidc {
    fn fetch(&self) -> BoxFuture<'_, Result<Fetched, CredentialsError>> {
        Box::pin(async move {
            let text = tokio::fs::read_to_string(&self.token_file)
                .await
                .map_err(|source| CredentialsError::TokenFile {
                    path: self.token_file.clone(),
                    source: Some(source),
                })?;
            let token = Secret::new(text.trim());
            if token.is_empty() {
                return Err(CredentialsError::TokenFile {
                    path: self.token_file.clone(),
                    source: None,
                });
            }
            let mut scrubber = Scrubber::new();
            add_secret(&mut scrubber, &token);
            (self.observer)(&scrubber);
            self.sts
                .assume_role_with_oidc(&self.role, &self.provider_arn, &token, self.origin.clone())
                .await
        })
    }
}

/// The ECS instance role, from the metadata service.
struct Ecs {
    metadata: Metadata,
    role_name: Option<String>,
    origin: CredentialSource,
    observer: Observer,
}

impl Fetch for Ecs {
    fn fetch(&self) -> BoxFuture<'_, Result<Fetched, CredentialsError>> {
        Box::pin(async move {
            self.metadata
                .credentials(
                    self.role_name.as_deref(),
                    self.origin.clone(),
                    &self.observer,
                )
                .await
        })
    }
}

/// A credentials URI.
struct FromUri {
    uri: Uri,
    origin: CredentialSource,
}

impl Fetch for FromUri {
    fn fetch(&self) -> BoxFuture<'_, Result<Fetched, CredentialsError>> {
        Box::pin(async move { self.uri.credentials(self.origin.clone()).await })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_static_key_is_its_own_identity_as_before() {
        let provider = CredentialProvider::fixed(Credentials::new(
            "TESTkey000000001",
            Secret::new("the-secret"),
            "t",
        ));
        let identity = provider.identity().await.unwrap();
        assert_eq!(identity.principal, "TESTkey000000001");
        assert_eq!(identity.seal_key.expose(), "the-secret");
        assert!(identity.seal_is_secret);
        assert!(!provider.is_refreshable());
        assert!(provider.network_sources().is_empty());
        let current = provider.current().await.unwrap();
        assert!(
            provider
                .refresh_after_expired(&current)
                .await
                .unwrap()
                .is_none()
        );
    }

    #[test]
    fn a_public_seal_key_is_derived_from_the_principal_and_says_so() {
        let identity = Identity::public("acs:ram::1:role/x".to_owned());
        assert!(!identity.seal_is_secret);
        assert_ne!(identity.seal_key.expose(), "acs:ram::1:role/x");
        assert_eq!(format!("{:?}", identity.seal_key), "Secret(****)");
    }
}
