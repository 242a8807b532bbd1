//! The HTTP client: who it is, where it goes, and what it has sent.
//!
//! A [`Client`] is cheap to clone (an `Arc` inside) and meant to be shared
//! by many tokio tasks: they share one connection pool, one rate limit and
//! one throttling pause. This file builds it (TLS, timeouts, no redirects)
//! and keeps its counters. Its methods live beside it: one per API action
//! in `operations.rs`, every page of a listing in `paging.rs`, and the
//! attempt loop all of them go through in `send.rs`.

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::chain;

use super::action::Action;
use super::credentials::CredentialProvider;
use super::endpoint::Endpoint;
use super::error::ApiError;
use super::rate_limit::RateGate;
use super::retry::RetryPolicy;

/// Everything a [`Client`] needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Where requests go.
    pub endpoint: Endpoint,
    /// Who signs them: asked for the credentials of every attempt, so
    /// temporary ones are refreshed while the client lives (issue 12).
    pub credentials: CredentialProvider,
    /// Limit for establishing a connection (TCP and TLS).
    pub connect_timeout: Duration,
    /// Limit for one attempt, from sending to the last byte of the reply.
    pub request_timeout: Duration,
    /// Retries of definite failures and of ambiguous ones where safe.
    pub retry: RetryPolicy,
    /// Requests per second across all callers; `None` for no limit.
    pub rate_limit: Option<NonZeroU32>,
    /// Appended to the User-Agent (`ALIBABA_CLOUD_USER_AGENT`, as tea-openapi does).
    pub user_agent_suffix: Option<String>,
}

impl ClientConfig {
    /// Connect timeout of the official SDK (§4.3).
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Read timeout of the official SDK (§4.3).
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
    /// Requests per second by default: the API's limits are undocumented
    /// (§4.3), so stay well below what sibling APIs allow.
    pub const DEFAULT_RATE_LIMIT: NonZeroU32 = NonZeroU32::new(20).expect("20 is not zero");

    /// The defaults: SDK timeouts, [`RetryPolicy::default`], 20 requests/s.
    pub fn new(endpoint: Endpoint, credentials: impl Into<CredentialProvider>) -> ClientConfig {
        ClientConfig {
            endpoint,
            credentials: credentials.into(),
            connect_timeout: ClientConfig::DEFAULT_CONNECT_TIMEOUT,
            request_timeout: ClientConfig::DEFAULT_REQUEST_TIMEOUT,
            retry: RetryPolicy::default(),
            rate_limit: Some(ClientConfig::DEFAULT_RATE_LIMIT),
            user_agent_suffix: None,
        }
    }
}

/// Counters since the client was built, for benchmarks and summaries.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientStats {
    /// HTTP requests sent (every attempt counts).
    pub requests: u64,
    /// Requests sent, by action.
    pub by_action: BTreeMap<Action, u64>,
    /// Attempts after the first, over all calls.
    pub retries: u64,
    /// Throttling replies received.
    pub throttled: u64,
    /// Calls that ended with an unknown outcome.
    pub outcome_unknown: u64,
}

/// An aiccs API client. Clone it freely: clones share everything.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    gate: RateGate,
    counters: Counters,
}

/// What the client has done, counted as it happens; [`Client::stats`]
/// reads it.
#[derive(Default)]
pub(super) struct Counters {
    by_action: [AtomicU64; Action::ALL.len()],
    retries: AtomicU64,
    throttled: AtomicU64,
    outcome_unknown: AtomicU64,
}

impl Counters {
    /// One request of `action` went out.
    pub(super) fn sent(&self, action: Action) {
        self.by_action[action.index()].fetch_add(1, Ordering::Relaxed);
    }

    /// A call is about to make another attempt.
    pub(super) fn retried(&self) {
        self.retries.fetch_add(1, Ordering::Relaxed);
    }

    /// A reply said to slow down.
    pub(super) fn throttled(&self) {
        self.throttled.fetch_add(1, Ordering::Relaxed);
    }

    /// A call ended not knowing whether it took effect.
    pub(super) fn outcome_unknown(&self) {
        self.outcome_unknown.fetch_add(1, Ordering::Relaxed);
    }
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.config.endpoint.to_string())
            .field("credentials", self.inner.config.credentials.source())
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Builds a client: TLS with the ring provider and the platform's
    /// certificate verifier (system roots), no redirects (a redirect would
    /// carry the signed query elsewhere), no proxy for loopback.
    pub fn new(config: ClientConfig) -> Result<Client, ApiError> {
        let mut user_agent = format!(
            "aicall/{} ({}; {})",
            env!("CARGO_PKG_VERSION"),
            std::env::consts::OS,
            std::env::consts::ARCH
        );
        if let Some(suffix) = config.user_agent_suffix.as_deref().map(str::trim)
            && !suffix.is_empty()
        {
            user_agent.push(' ');
            user_agent.push_str(suffix);
        }
        let mut builder = reqwest::Client::builder()
            .tls_backend_preconfigured(tls_config(config.endpoint.is_plain_http())?)
            .connect_timeout(config.connect_timeout)
            .timeout(config.request_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(user_agent);
        if config.endpoint.is_loopback() {
            builder = builder.no_proxy();
        }
        let http = builder.build().map_err(|err| ApiError::Setup {
            detail: chain::root_cause(&err).to_string(),
        })?;
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                gate: RateGate::new(config.rate_limit),
                config,
                counters: Counters::default(),
            }),
        })
    }

    /// The endpoint requests go to.
    pub fn endpoint(&self) -> &Endpoint {
        &self.inner.config.endpoint
    }

    /// What requests are signed with.
    pub fn credentials(&self) -> &CredentialProvider {
        &self.inner.config.credentials
    }

    /// Counters since the client was built.
    pub fn stats(&self) -> ClientStats {
        let counters = &self.inner.counters;
        let by_action: BTreeMap<Action, u64> = Action::ALL
            .into_iter()
            .map(|action| {
                let sent = counters.by_action[action.index()].load(Ordering::Relaxed);
                (action, sent)
            })
            .filter(|(_, sent)| *sent > 0)
            .collect();
        ClientStats {
            requests: by_action.values().sum(),
            by_action,
            retries: counters.retries.load(Ordering::Relaxed),
            throttled: counters.throttled.load(Ordering::Relaxed),
            outcome_unknown: counters.outcome_unknown.load(Ordering::Relaxed),
        }
    }

    /// Timeouts, retry policy, endpoint and credentials.
    pub(super) fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The connection pool every clone shares.
    pub(super) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// The pacing every attempt of every clone waits on.
    pub(super) fn gate(&self) -> &RateGate {
        &self.inner.gate
    }

    /// Where operations and attempts are counted.
    pub(super) fn counters(&self) -> &Counters {
        &self.inner.counters
    }
}

/// TLS: rustls with the ring provider, chosen explicitly (reqwest is built
/// without a default provider); certificates verified against the
/// platform's roots. Plain-http loopback endpoints never use TLS, so they
/// get an empty root store and need no system certificates.
pub(super) fn tls_config(plain_http: bool) -> Result<rustls::ClientConfig, ApiError> {
    let setup = |detail: String| ApiError::Setup { detail };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|err| setup(err.to_string()))?;
    let mut config = if plain_http {
        builder
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth()
    } else {
        let verifier = rustls_platform_verifier::Verifier::new(provider)
            .map_err(|err| setup(format!("cannot load the system's CA certificates: {err}")))?;
        builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth()
    };
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::Credentials;
    use crate::api::test_server::{SECRET, Server, Step};
    use crate::api::types::PageQuery;
    use crate::secret::Secret;

    #[test]
    fn an_https_client_builds_with_the_system_roots() {
        let credentials = Credentials::new("id", Secret::new(SECRET), "test");
        let client = Client::new(ClientConfig::new(Endpoint::default(), credentials)).unwrap();
        assert_eq!(client.endpoint().to_string(), "https://aiccs.aliyuncs.com");
    }

    #[tokio::test]
    async fn redirects_are_not_followed() {
        let server = Server::script(vec![Step::Reply {
            status: 302,
            headers: vec![("location", "http://127.0.0.1:1/".to_owned())],
            body: String::new(),
        }])
        .await;
        let client = server.client(|_| {});
        let err = client
            .query_task_page(&PageQuery::default())
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                ApiError::Decode {
                    http_status: 302,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(server.seen().len(), 1);
    }
}
