//! The HTTP client: who it is, where it goes, and what it has sent.
//!
//! A [`Client`] is cheap to clone (an `Arc` inside) and meant to be shared
//! by many tokio tasks: they share one connection pool, one budget per
//! operation (`pacing/`), the run's deadline and the page size the service
//! accepts. This file builds it (TLS, timeouts, no redirects) and keeps
//! its counters. Its methods live beside it: one per API action in
//! `operations.rs`, every page of a listing in `paging.rs`, and the
//! attempt loop all of them go through in `send.rs`.

use std::collections::BTreeMap;
use std::fmt;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::time::Instant;

use crate::chain;

use super::action::Action;
use super::credentials::CredentialProvider;
use super::endpoint::Endpoint;
use super::error::ApiError;
use super::pacing::{DEFAULT_CEILING, Pacer, StartRate};
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
    /// Retries of writes: attempts and time (throttles use up neither
    /// attempts nor, for reads, anything but time).
    pub retry: RetryPolicy,
    /// How long a read (a page, a detail) keeps being retried after its
    /// first attempt: reads are always safe to send again.
    pub read_retry_budget: Duration,
    /// The most requests per second of any one operation; `None` leaves
    /// requests unpaced (the gateway's own waits are still honoured).
    pub rate_limit: Option<NonZeroU32>,
    /// Where each operation's pacing starts.
    pub start_rate: StartRate,
    /// The whole run's time, from when the client is built (or its
    /// deadline restarted); `None` for no deadline.
    pub timeout: Option<Duration>,
    /// Appended to the User-Agent (`ALIBABA_CLOUD_USER_AGENT`, as tea-openapi does).
    pub user_agent_suffix: Option<String>,
}

impl ClientConfig {
    /// Connect timeout of the official SDK (§4.3).
    pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
    /// Read timeout of the official SDK (§4.3).
    pub const DEFAULT_REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
    /// The per-operation ceiling by default ([`DEFAULT_CEILING`]).
    pub const DEFAULT_RATE_LIMIT: NonZeroU32 = DEFAULT_CEILING;
    /// How long a read is retried by default: five minutes, more than two
    /// of the longest waits the SDK honours (`x-acs-retry-after`, at most
    /// 120 s), so one slow read delays a plan rather than ending it.
    pub const DEFAULT_READ_RETRY_BUDGET: Duration = Duration::from_secs(300);
    /// After the deadline, look-ups that settle what was in flight may run
    /// this much longer (or half the timeout, if that is shorter).
    pub const MAX_SETTLE: Duration = Duration::from_secs(10);

    /// The defaults: SDK timeouts, [`RetryPolicy::default`], reads retried
    /// for five minutes, safe start rates under a ceiling of 500/s per
    /// operation, no deadline.
    pub fn new(endpoint: Endpoint, credentials: impl Into<CredentialProvider>) -> ClientConfig {
        ClientConfig {
            endpoint,
            credentials: credentials.into(),
            connect_timeout: ClientConfig::DEFAULT_CONNECT_TIMEOUT,
            request_timeout: ClientConfig::DEFAULT_REQUEST_TIMEOUT,
            retry: RetryPolicy::default(),
            read_retry_budget: ClientConfig::DEFAULT_READ_RETRY_BUDGET,
            rate_limit: Some(ClientConfig::DEFAULT_RATE_LIMIT),
            start_rate: StartRate::Safe,
            timeout: None,
            user_agent_suffix: None,
        }
    }

    /// How long settling look-ups may run past the deadline.
    pub fn settle_time(&self) -> Duration {
        self.timeout.map_or(ClientConfig::MAX_SETTLE, |timeout| {
            (timeout / 2).min(ClientConfig::MAX_SETTLE)
        })
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
    /// Throttling replies received, by action.
    pub throttled_by_action: BTreeMap<Action, u64>,
    /// The most throttling replies received in a row (in the order
    /// replies came back, over every action).
    pub longest_throttle_run: u64,
    /// Calls that ended with an unknown outcome.
    pub outcome_unknown: u64,
}

/// An aiccs API client. Clone it freely: clones share everything, except
/// what [`Client::limited`] and [`Client::settling`] give a clone of its own.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
    /// Requests of this clone on the wire at once, when limited.
    in_flight: Option<Arc<Semaphore>>,
    /// Whether this clone's reads may settle what the deadline cut off.
    settling: bool,
}

struct Inner {
    http: reqwest::Client,
    config: ClientConfig,
    pacer: Pacer,
    /// When the run must end, if it must.
    deadline: Mutex<Option<Instant>>,
    /// The largest PageSize the service has accepted after refusing a
    /// larger one; 0 until it refuses one.
    page_size_cap: AtomicU32,
    counters: Counters,
}

/// What the client has done, counted as it happens; [`Client::stats`]
/// reads it.
#[derive(Default)]
pub(super) struct Counters {
    by_action: [AtomicU64; Action::ALL.len()],
    retries: AtomicU64,
    throttled: [AtomicU64; Action::ALL.len()],
    throttle_run: AtomicU64,
    longest_throttle_run: AtomicU64,
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

    /// A reply to `action` said to slow down.
    pub(super) fn throttled(&self, action: Action) {
        self.throttled[action.index()].fetch_add(1, Ordering::Relaxed);
        let run = self.throttle_run.fetch_add(1, Ordering::Relaxed) + 1;
        self.longest_throttle_run.fetch_max(run, Ordering::Relaxed);
    }

    /// A reply came back that was not a throttle: the run is broken.
    pub(super) fn answered(&self) {
        self.throttle_run.store(0, Ordering::Relaxed);
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
        let deadline = config.timeout.map(|timeout| Instant::now() + timeout);
        Ok(Client {
            inner: Arc::new(Inner {
                http,
                pacer: Pacer::new(config.rate_limit, config.start_rate),
                deadline: Mutex::new(deadline),
                page_size_cap: AtomicU32::new(0),
                config,
                counters: Counters::default(),
            }),
            in_flight: None,
            settling: false,
        })
    }

    /// A clone that has at most `requests` of its own requests on the
    /// wire at once. The limit is taken after pacing, just before sending,
    /// so a backlog of one operation waiting for its budget holds no place
    /// another operation could use.
    pub fn limited(&self, requests: usize) -> Client {
        Client {
            in_flight: Some(Arc::new(Semaphore::new(requests.max(1)))),
            ..self.clone()
        }
    }

    /// A clone whose reads may go on for [`ClientConfig::settle_time`]
    /// after the deadline: the look-ups that settle what the deadline cut
    /// off in flight. Writes still stop at the deadline.
    pub fn settling(&self) -> Client {
        Client {
            settling: true,
            ..self.clone()
        }
    }

    /// Starts the run's deadline again from now (after a confirmation
    /// prompt: time spent answering it is not the API's).
    pub fn restart_deadline(&self) {
        if let Some(timeout) = self.inner.config.timeout {
            *self.lock_deadline() = Some(Instant::now() + timeout);
        }
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
        let by_action = nonzero(&counters.by_action);
        let throttled_by_action = nonzero(&counters.throttled);
        ClientStats {
            requests: by_action.values().sum(),
            by_action,
            retries: counters.retries.load(Ordering::Relaxed),
            throttled: throttled_by_action.values().sum(),
            throttled_by_action,
            longest_throttle_run: counters.longest_throttle_run.load(Ordering::Relaxed),
            outcome_unknown: counters.outcome_unknown.load(Ordering::Relaxed),
        }
    }

    /// The pacing of every operation.
    pub fn pacer(&self) -> &Pacer {
        &self.inner.pacer
    }

    /// The largest PageSize the service accepted after refusing a larger
    /// one, once it has (see `paging.rs`).
    pub fn page_size_cap(&self) -> Option<u32> {
        match self.inner.page_size_cap.load(Ordering::Relaxed) {
            0 => None,
            cap => Some(cap),
        }
    }

    /// `asked`, or less if the service has refused as much.
    pub(super) fn page_size_for(&self, asked: u32) -> u32 {
        self.page_size_cap().map_or(asked, |cap| asked.min(cap))
    }

    /// The service accepts no more than `cap` rows a page.
    pub(super) fn learn_page_size_cap(&self, cap: u32) {
        let cap = cap.max(1);
        let _ =
            self.inner
                .page_size_cap
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |now| {
                    (now == 0 || cap < now).then_some(cap)
                });
    }

    /// Timeouts, retry policy, endpoint and credentials.
    pub(super) fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    /// The connection pool every clone shares.
    pub(super) fn http(&self) -> &reqwest::Client {
        &self.inner.http
    }

    /// Waits for a place on the wire, when this clone is limited.
    pub(super) async fn in_flight_permit(&self) -> Option<SemaphorePermit<'_>> {
        match &self.in_flight {
            // The semaphore is never closed.
            Some(permits) => permits.acquire().await.ok(),
            None => None,
        }
    }

    /// Until when a request of `action` may be sent or awaited: the
    /// deadline, or for a settling clone's reads a little longer.
    pub(super) fn cutoff(&self, action: Action) -> Option<Instant> {
        let deadline = (*self.lock_deadline())?;
        Some(if self.settling && !action.is_mutating() {
            deadline + self.inner.config.settle_time()
        } else {
            deadline
        })
    }

    fn lock_deadline(&self) -> std::sync::MutexGuard<'_, Option<Instant>> {
        self.inner
            .deadline
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Where operations and attempts are counted.
    pub(super) fn counters(&self) -> &Counters {
        &self.inner.counters
    }
}

/// The actions whose count in `counts` is not zero, with their counts.
fn nonzero(counts: &[AtomicU64; Action::ALL.len()]) -> BTreeMap<Action, u64> {
    Action::ALL
        .into_iter()
        .map(|action| (action, counts[action.index()].load(Ordering::Relaxed)))
        .filter(|(_, count)| *count > 0)
        .collect()
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
