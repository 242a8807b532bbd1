//! The HTTP client: one signed POST per attempt, judged, retried or not,
//! paced by a client-wide gate; plus paging over QueryAiCallTaskPage.
//!
//! A [`Client`] is cheap to clone (an `Arc` inside) and meant to be shared
//! by many tokio tasks: they share one connection pool, one rate limit and
//! one throttling pause. Every attempt is a new signed request with a fresh
//! `SignatureNonce` and `Timestamp` (`aiccs-api.md` §2.2). What is retried,
//! and what becomes "outcome unknown", is decided in `retry.rs`.

use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::chain;

use super::action::Action;
use super::credentials::Credentials;
use super::endpoint::Endpoint;
use super::error::ApiError;
use super::rate_limit::RateGate;
use super::reply;
use super::request::{self, API_VERSION, Params};
use super::retry::{self, RetryPolicy, Verdict};
use super::types::{CreateTask, PageQuery, TaskDetail, TaskId, TaskPage, TaskSummary, UpdateTask};

/// Pages fetched at once by [`Client::find_tasks_named`]: fuzzy matches of
/// one name rarely fill more than a page.
const FIND_PARALLELISM: usize = 4;

/// Everything a [`Client`] needs.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Where requests go.
    pub endpoint: Endpoint,
    /// Who signs them.
    pub credentials: Credentials,
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
    pub fn new(endpoint: Endpoint, credentials: Credentials) -> ClientConfig {
        ClientConfig {
            endpoint,
            credentials,
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

#[derive(Default)]
struct Counters {
    by_action: [AtomicU64; Action::ALL.len()],
    retries: AtomicU64,
    throttled: AtomicU64,
    outcome_unknown: AtomicU64,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("endpoint", &self.inner.config.endpoint.to_string())
            .field("credentials", &self.inner.config.credentials.source)
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
            .tls_backend_preconfigured(tls_config(&config.endpoint)?)
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

    /// The credentials requests are signed with.
    pub fn credentials(&self) -> &Credentials {
        &self.inner.config.credentials
    }

    /// CreateAiCallTask (§3.1): the new task's ID.
    ///
    /// Never sent twice after the request may have reached the service:
    /// a lost reply gives [`ApiError::OutcomeUnknown`].
    pub async fn create_task(&self, request: &CreateTask) -> Result<TaskId, ApiError> {
        let action = Action::CreateAiCallTask;
        let subject = request.settings.task_name.as_str();
        let data = self
            .call(action, &request::create_params(request), Some(subject))
            .await?;
        if data.is_null() {
            // Success without an ID: the task exists, but which one is it?
            self.inner
                .counters
                .outcome_unknown
                .fetch_add(1, Ordering::Relaxed);
            return Err(ApiError::OutcomeUnknown {
                action,
                subject: Some(subject.to_owned()),
                reason: "the service reported success but returned no task ID".to_owned(),
                cause: None,
            });
        }
        serde_json::from_value(data).map_err(|err| ApiError::Decode {
            action,
            http_status: 200,
            detail: format!("`Data` is not a task ID: {err}"),
            request_id: None,
        })
    }

    /// One page of QueryAiCallTaskPage (§3.3), as asked.
    pub async fn query_task_page(&self, query: &PageQuery) -> Result<TaskPage, ApiError> {
        let action = Action::QueryAiCallTaskPage;
        let data = self
            .call(action, &request::page_params(query), None)
            .await?;
        decode_data(action, data)
    }

    /// Every task in the account, newest first as the service lists them.
    pub async fn list_all_tasks(
        &self,
        page_size: u32,
        parallelism: usize,
    ) -> Result<Vec<TaskSummary>, ApiError> {
        self.list_tasks(&PageQuery::default(), page_size, parallelism)
            .await
    }

    /// The tasks named exactly `name` (case-sensitive).
    ///
    /// The service's `TaskName` filter is a case-insensitive substring
    /// match (§3.3), so every page of fuzzy matches is read and the exact
    /// ones kept: looking up `a` also reads `A` and `ab`, and keeps neither.
    pub async fn find_tasks_named(
        &self,
        name: &str,
        page_size: u32,
    ) -> Result<Vec<TaskSummary>, ApiError> {
        let filter = PageQuery {
            task_name: Some(name.to_owned()),
            ..PageQuery::default()
        };
        let mut tasks = self
            .list_tasks(&filter, page_size, FIND_PARALLELISM)
            .await?;
        tasks.retain(|task| task.task_name.as_deref() == Some(name));
        Ok(tasks)
    }

    /// The page item of one task (it carries the status, which the detail
    /// lacks), or `None` if the service lists no such task.
    pub async fn task_summary(&self, id: &TaskId) -> Result<Option<TaskSummary>, ApiError> {
        let page = self
            .query_task_page(&PageQuery {
                task_id: Some(id.clone()),
                ..PageQuery::default()
            })
            .await?;
        Ok(page.list.into_iter().find(|task| &task.task_id == id))
    }

    /// Every task matching `filter`, read page by page.
    ///
    /// The first page gives `Total`; the remaining pages up to
    /// `⌈Total/page_size⌉` are fetched `parallelism` at a time. Tasks
    /// created meanwhile shift later items onto later pages, so tasks are
    /// de-duplicated by ID, and reading goes on one page at a time while
    /// fewer than `Total` distinct tasks are held and no page came back
    /// short. If the service serves smaller pages than asked (its maximum
    /// is undocumented), the size it serves is used instead.
    /// `filter`'s `PageNo` and `PageSize` are ignored.
    pub async fn list_tasks(
        &self,
        filter: &PageQuery,
        page_size: u32,
        parallelism: usize,
    ) -> Result<Vec<TaskSummary>, ApiError> {
        let page_size = page_size.max(1);
        let first = self.page(filter, 1, page_size).await?;
        self.list_tasks_after(filter, first, page_size, parallelism)
            .await
    }

    /// Like [`Client::list_tasks`], continuing from a first page the caller
    /// already fetched (with the same filter and `page_size`), so its
    /// `Total` can decide a strategy without costing a second request.
    pub async fn list_tasks_after(
        &self,
        filter: &PageQuery,
        first: TaskPage,
        page_size: u32,
        parallelism: usize,
    ) -> Result<Vec<TaskSummary>, ApiError> {
        let page_size = page_size.max(1);
        // The real maximum PageSize is undocumented (§3.3). A service that
        // serves fewer rows than asked, without saying so, would make every
        // page look "short"; measure the page size it actually uses.
        let served = u32::try_from(first.list.len()).unwrap_or(u32::MAX);
        let mut effective = first
            .page_size
            .filter(|&size| size > 0 && size < page_size)
            .unwrap_or(page_size);
        if served > 0 && served < effective && first.total.is_some_and(|t| u64::from(served) < t) {
            effective = served;
        }
        let mut listing = Listing::new(effective);
        listing.add(first);
        let mut next_page = 2;
        if let (false, Some(total)) = (listing.short_page_seen, listing.total) {
            let last = u32::try_from(total.div_ceil(u64::from(effective))).unwrap_or(u32::MAX);
            if last >= 2 {
                for page in self
                    .pages(filter, 2..=last, page_size, parallelism.max(1))
                    .await?
                {
                    listing.add(page);
                }
                next_page = last.saturating_add(1);
            }
        }
        while listing.wants_more() {
            let before = listing.tasks.len();
            listing.add(self.page(filter, next_page, page_size).await?);
            // A full page that adds nothing new means the service repeats
            // itself; stop rather than loop forever.
            if listing.tasks.len() == before {
                break;
            }
            next_page = next_page.saturating_add(1);
        }
        Ok(listing.tasks)
    }

    /// QueryAiCallTaskDetail (§3.4).
    pub async fn task_detail(&self, id: &TaskId) -> Result<TaskDetail, ApiError> {
        let action = Action::QueryAiCallTaskDetail;
        let data = self
            .call(action, &request::task_id_params(id), Some(id.as_str()))
            .await?;
        decode_data(action, data)
    }

    /// UpdateAiCallTask (§3.2): replaces the task's settings; succeeds only
    /// on `Success:true` with `Data:true`.
    pub async fn update_task(&self, request: &UpdateTask) -> Result<(), ApiError> {
        self.call(
            Action::UpdateAiCallTask,
            &request::update_params(request),
            Some(request.task_id.as_str()),
        )
        .await
        .map(drop)
    }

    /// StartAiCallTask (§3.5).
    pub async fn start_task(&self, id: &TaskId) -> Result<(), ApiError> {
        self.call(
            Action::StartAiCallTask,
            &request::task_id_params(id),
            Some(id.as_str()),
        )
        .await
        .map(drop)
    }

    /// StopAiCallTask (§3.5).
    pub async fn stop_task(&self, id: &TaskId) -> Result<(), ApiError> {
        self.call(
            Action::StopAiCallTask,
            &request::task_id_params(id),
            Some(id.as_str()),
        )
        .await
        .map(drop)
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

    async fn page(
        &self,
        filter: &PageQuery,
        page_no: u32,
        page_size: u32,
    ) -> Result<TaskPage, ApiError> {
        self.query_task_page(&PageQuery {
            page_no: Some(page_no),
            page_size: Some(page_size),
            ..filter.clone()
        })
        .await
    }

    /// Fetches `numbers`, at most `parallelism` at once, in page order.
    async fn pages(
        &self,
        filter: &PageQuery,
        numbers: std::ops::RangeInclusive<u32>,
        page_size: u32,
        parallelism: usize,
    ) -> Result<Vec<TaskPage>, ApiError> {
        let permits = Arc::new(Semaphore::new(parallelism));
        let mut set = JoinSet::new();
        for page_no in numbers {
            let client = self.clone();
            let filter = filter.clone();
            let permits = permits.clone();
            set.spawn(async move {
                let _permit = permits.acquire_owned().await;
                (page_no, client.page(&filter, page_no, page_size).await)
            });
        }
        let mut pages = BTreeMap::new();
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((page_no, Ok(page))) => {
                    pages.insert(page_no, page);
                }
                // Dropping the set aborts the pages still in flight.
                Ok((_, Err(err))) => return Err(err),
                Err(join_error) => std::panic::resume_unwind(join_error.into_panic()),
            }
        }
        Ok(pages.into_values().collect())
    }

    /// Sends `action` until it succeeds, fails for good, or must not be
    /// sent again; returns the reply's `Data`.
    async fn call(
        &self,
        action: Action,
        params: &Params,
        subject: Option<&str>,
    ) -> Result<Value, ApiError> {
        let policy = self.inner.config.retry;
        let started = Instant::now();
        let mut ambiguous_earlier = false;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            self.inner.gate.acquire().await;
            let (error, retry_after) = match self.send_once(action, params).await {
                Ok(data) => return Ok(data),
                Err(failure) => failure,
            };
            let throttled = match retry::classify(action, &error) {
                Verdict::Fail => {
                    return Err(self.conclude(action, subject, error, ambiguous_earlier));
                }
                Verdict::Ambiguous if !action.may_resend_after_lost_reply() => {
                    return Err(self.outcome_unknown(action, subject, error));
                }
                Verdict::Ambiguous => {
                    ambiguous_earlier = true;
                    false
                }
                // The SDK treats any reply carrying `x-acs-retry-after` as
                // throttling (§4.3).
                Verdict::Retry { throttled } => throttled || retry_after.is_some(),
            };
            if throttled {
                self.inner
                    .counters
                    .throttled
                    .fetch_add(1, Ordering::Relaxed);
            }
            let mut delay = retry_after.unwrap_or_else(|| policy.backoff(attempt, fastrand::f64()));
            if throttled {
                // Full jitter may draw almost nothing; a pause that holds
                // every caller should at least be noticeable.
                delay = delay.max(policy.base_delay);
            }
            let elapsed = started.elapsed();
            if policy.max_attempts <= 1 {
                return Err(self.conclude(action, subject, error, ambiguous_earlier));
            }
            if attempt >= policy.max_attempts || elapsed + delay > policy.max_elapsed {
                let exhausted = ApiError::RetriesExhausted {
                    action,
                    attempts: attempt,
                    elapsed,
                    last: Box::new(error),
                };
                return Err(self.conclude(action, subject, exhausted, ambiguous_earlier));
            }
            self.inner.counters.retries.fetch_add(1, Ordering::Relaxed);
            if throttled {
                // Everyone waits, not just us; our next `acquire` does too.
                self.inner.gate.pause_for(delay);
            } else {
                tokio::time::sleep(delay).await;
            }
        }
    }

    /// One signed attempt. A failure comes with the `x-acs-retry-after`
    /// wait, when the reply had one.
    async fn send_once(
        &self,
        action: Action,
        params: &Params,
    ) -> Result<Value, (ApiError, Option<Duration>)> {
        let inner = &self.inner;
        let timestamp = request::format_timestamp(jiff::Timestamp::now());
        let nonce = uuid::Uuid::new_v4().to_string();
        let query = request::signed_query(
            action,
            params,
            &inner.config.credentials,
            &timestamp,
            &nonce,
        );
        let url = format!("{}?{query}", inner.config.endpoint.url());
        inner.counters.by_action[action.index()].fetch_add(1, Ordering::Relaxed);
        let response = inner
            .http
            .post(url)
            .header("x-acs-action", action.as_str())
            .header("x-acs-version", API_VERSION)
            // As the SDK sends it (§1.2); hyper would otherwise send no
            // length at all for an empty POST, which some proxies refuse.
            .header(reqwest::header::CONTENT_LENGTH, "0")
            .body(Vec::new())
            .send()
            .await
            .map_err(|err| (self.transport_error(action, err), None))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("x-acs-retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(retry::parse_retry_after);
        let body = response
            .bytes()
            .await
            .map_err(|err| (self.transport_error(action, err), None))?;
        reply::judge(action, status, &body, &inner.config.credentials)
            .map_err(|err| (err, retry_after))
    }

    /// A connection failure is [`ApiError::Transport`] (nothing was sent);
    /// anything after that is [`ApiError::ReplyLost`].
    fn transport_error(&self, action: Action, err: reqwest::Error) -> ApiError {
        let config = &self.inner.config;
        let endpoint = config.endpoint.to_string();
        // Without the URL: it holds the signature and any STS token.
        let err = err.without_url();
        if err.is_connect() {
            let detail = if err.is_timeout() {
                format!("no connection within {}", seconds(config.connect_timeout))
            } else {
                chain::root_cause(&err).to_string()
            };
            ApiError::Transport {
                action,
                endpoint,
                detail: config.credentials.scrub(&detail),
            }
        } else {
            let detail = if err.is_timeout() {
                format!(
                    "no complete reply within {}",
                    seconds(config.request_timeout)
                )
            } else {
                chain::root_cause(&err).to_string()
            };
            ApiError::ReplyLost {
                action,
                endpoint,
                detail: config.credentials.scrub(&detail),
            }
        }
    }

    fn outcome_unknown(&self, action: Action, subject: Option<&str>, error: ApiError) -> ApiError {
        self.inner
            .counters
            .outcome_unknown
            .fetch_add(1, Ordering::Relaxed);
        let reason = match &error {
            ApiError::ReplyLost { detail, .. } => {
                format!("the request was sent, then {detail}; it may or may not have taken effect")
            }
            ApiError::Service {
                code, http_status, ..
            } => format!(
                "the service answered `{code}` (HTTP {http_status}) after receiving the request; \
                 it may or may not have taken effect"
            ),
            _ => "the reply could not be read; the request may or may not have taken effect"
                .to_owned(),
        };
        ApiError::OutcomeUnknown {
            action,
            subject: subject.map(str::to_owned),
            reason,
            cause: Some(Box::new(error)),
        }
    }

    /// The final error of a call. After an attempt of a write got no
    /// answer, a later failure cannot tell what the first attempt did: a
    /// retried start refused with `InvalidTaskStatus` most likely means the
    /// first one started the task. Say so rather than report a plain failure.
    fn conclude(
        &self,
        action: Action,
        subject: Option<&str>,
        error: ApiError,
        ambiguous_earlier: bool,
    ) -> ApiError {
        if !(ambiguous_earlier && action.is_mutating()) {
            return error;
        }
        self.inner
            .counters
            .outcome_unknown
            .fetch_add(1, Ordering::Relaxed);
        let reason = if error.code() == Some("InvalidTaskStatus") {
            "an earlier attempt was sent but got no answer, and the retry was refused with \
             `InvalidTaskStatus`: the earlier attempt probably took effect"
                .to_owned()
        } else {
            "an earlier attempt was sent but got no answer, and the retries failed".to_owned()
        };
        ApiError::OutcomeUnknown {
            action,
            subject: subject.map(str::to_owned),
            reason,
            cause: Some(Box::new(error)),
        }
    }
}

/// Tasks gathered across pages, de-duplicated by ID.
struct Listing {
    page_size: u32,
    tasks: Vec<TaskSummary>,
    seen: HashSet<TaskId>,
    total: Option<u64>,
    short_page_seen: bool,
}

impl Listing {
    fn new(page_size: u32) -> Listing {
        Listing {
            page_size,
            tasks: Vec::new(),
            seen: HashSet::new(),
            total: None,
            short_page_seen: false,
        }
    }

    fn add(&mut self, page: TaskPage) {
        if page.list.len() < self.page_size as usize {
            self.short_page_seen = true;
        }
        // The largest Total seen: tasks are never deleted, only created.
        self.total = self.total.max(page.total);
        for task in page.list {
            if self.seen.insert(task.task_id.clone()) {
                self.tasks.push(task);
            }
        }
    }

    /// Whether another page should be read: none came back short, and
    /// fewer distinct tasks than `Total` are held (or `Total` is unknown).
    fn wants_more(&self) -> bool {
        !self.short_page_seen
            && self
                .total
                .is_none_or(|total| (self.tasks.len() as u64) < total)
    }
}

fn decode_data<T: serde::de::DeserializeOwned>(action: Action, data: Value) -> Result<T, ApiError> {
    if data.is_null() {
        return Err(ApiError::Decode {
            action,
            http_status: 200,
            detail: "the reply has no `Data`".to_owned(),
            request_id: None,
        });
    }
    serde_json::from_value(data).map_err(|err| ApiError::Decode {
        action,
        http_status: 200,
        detail: format!("`Data` does not have the documented shape: {err}"),
        request_id: None,
    })
}

/// TLS for `endpoint`: rustls with the ring provider, chosen explicitly
/// (reqwest is built without a default provider); certificates verified
/// against the platform's roots. Plain-http loopback endpoints never use
/// TLS, so they get an empty root store and need no system certificates.
fn tls_config(endpoint: &Endpoint) -> Result<rustls::ClientConfig, ApiError> {
    let setup = |detail: String| ApiError::Setup { detail };
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|err| setup(err.to_string()))?;
    let mut config = if endpoint.is_plain_http() {
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

fn seconds(duration: Duration) -> String {
    format!("{}s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    //! Transport behaviour against a scripted HTTP server on 127.0.0.1:0:
    //! each connection gets one reply (or none) chosen by a closure, so
    //! lost replies, timeouts and shifting pages are deterministic.

    use std::net::SocketAddr;
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;

    use serde_json::json;
    use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
    use tokio::net::{TcpListener, TcpStream};

    use super::*;
    use crate::api::sign;
    use crate::api::types::{CallWindow, StartType, TaskSettings};
    use crate::secret::Secret;

    const SECRET: &str = "test/secret+with=chars";
    const TOKEN: &str = "CAIS+sts/token=";

    /// One request as the server saw it.
    #[derive(Debug, Clone)]
    struct Seen {
        method: String,
        path: String,
        params: Vec<(String, String)>,
        headers: Vec<(String, String)>,
    }

    impl Seen {
        fn param(&self, name: &str) -> Option<&str> {
            self.params
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }

        fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        }
    }

    /// What the server does with one request.
    enum Step {
        Reply {
            status: u16,
            headers: Vec<(&'static str, String)>,
            body: String,
        },
        /// Read the request, then close the connection unanswered.
        Close,
        /// Read the request and never answer.
        Hang,
    }

    fn reply(status: u16, body: serde_json::Value) -> Step {
        Step::Reply {
            status,
            headers: Vec::new(),
            body: body.to_string(),
        }
    }

    fn ok(data: serde_json::Value) -> Step {
        reply(
            200,
            json!({"RequestId":"req-ok","Code":"OK","Success":true,"Message":"成功","Data":data}),
        )
    }

    fn gateway(status: u16, code: &str) -> Step {
        reply(
            status,
            json!({"RequestId":"req-err","HostId":"aiccs.aliyuncs.com","Code":code,"Message":"m"}),
        )
    }

    type Handler = dyn Fn(usize, &Seen) -> Step + Send + Sync;

    struct Server {
        addr: SocketAddr,
        seen: Arc<Mutex<Vec<Seen>>>,
    }

    impl Server {
        /// Serves `handler(n, request)` for the n-th request (from 0).
        async fn start(handler: impl Fn(usize, &Seen) -> Step + Send + Sync + 'static) -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            let addr = listener.local_addr().unwrap();
            let seen = Arc::new(Mutex::new(Vec::new()));
            let handler: Arc<Handler> = Arc::new(handler);
            let count = Arc::new(AtomicUsize::new(0));
            let log = seen.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((socket, _)) = listener.accept().await else {
                        return;
                    };
                    let (handler, count, log) = (handler.clone(), count.clone(), log.clone());
                    tokio::spawn(async move {
                        serve_one(socket, &*handler, &count, &log).await;
                    });
                }
            });
            Server { addr, seen }
        }

        /// Answers the scripted steps in order.
        async fn script(steps: Vec<Step>) -> Server {
            let steps = Mutex::new(steps.into_iter().map(Some).collect::<Vec<_>>());
            Server::start(move |n, _| {
                steps.lock().unwrap()[n]
                    .take()
                    .expect("more requests than scripted steps")
            })
            .await
        }

        fn seen(&self) -> Vec<Seen> {
            self.seen.lock().unwrap().clone()
        }

        fn client(&self, tweak: impl FnOnce(&mut ClientConfig)) -> Client {
            let endpoint = Endpoint::parse(&format!("http://{}", self.addr)).unwrap();
            let mut credentials = Credentials::new("testid", Secret::new(SECRET), "the test pair");
            credentials.security_token = Some(Secret::new(TOKEN));
            let mut config = ClientConfig::new(endpoint, credentials);
            config.retry = RetryPolicy {
                max_attempts: 4,
                base_delay: Duration::from_millis(1),
                max_delay: Duration::from_millis(5),
                max_elapsed: Duration::from_secs(30),
            };
            config.rate_limit = None;
            config.request_timeout = Duration::from_secs(5);
            tweak(&mut config);
            Client::new(config).unwrap()
        }
    }

    async fn serve_one(
        mut socket: TcpStream,
        handler: &Handler,
        count: &AtomicUsize,
        log: &Mutex<Vec<Seen>>,
    ) {
        let mut head = Vec::new();
        let mut buf = [0u8; 4096];
        while !head.windows(4).any(|w| w == b"\r\n\r\n") {
            match socket.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(n) => head.extend_from_slice(&buf[..n]),
            }
        }
        let text = String::from_utf8_lossy(&head).into_owned();
        let mut lines = text.split("\r\n");
        let mut request_line = lines.next().unwrap().split(' ');
        let method = request_line.next().unwrap().to_owned();
        let target = request_line.next().unwrap();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let seen = Seen {
            method,
            path: path.to_owned(),
            params: form_urlencoded::parse(query.as_bytes())
                .into_owned()
                .collect(),
            headers: lines
                .take_while(|l| !l.is_empty())
                .filter_map(|l| l.split_once(':'))
                .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
                .collect(),
        };
        let n = count.fetch_add(1, Ordering::SeqCst);
        let step = handler(n, &seen);
        log.lock().unwrap().push(seen);
        match step {
            Step::Reply {
                status,
                headers,
                body,
            } => {
                let mut out = format!(
                    "HTTP/1.1 {status} X\r\ncontent-type: application/json;charset=utf-8\r\n\
                     content-length: {}\r\nconnection: close\r\n",
                    body.len()
                );
                for (name, value) in headers {
                    out.push_str(&format!("{name}: {value}\r\n"));
                }
                out.push_str("\r\n");
                out.push_str(&body);
                let _ = socket.write_all(out.as_bytes()).await;
                let _ = socket.shutdown().await;
            }
            Step::Close => drop(socket),
            Step::Hang => {
                // Keep the connection open until the client gives up.
                let _ = socket.read(&mut buf).await;
            }
        }
    }

    fn create_request(name: &str) -> CreateTask {
        CreateTask {
            agent_id: Some("1180123456789012345".to_owned()),
            application_code: None,
            settings: TaskSettings::new(
                name,
                StartType::Immediate,
                vec!["MONDAY".to_owned()],
                vec![CallWindow::new("09:00:00", "12:00:00")],
            ),
        }
    }

    fn id(digits: &str) -> TaskId {
        TaskId::new(digits).unwrap()
    }

    /// Everything an error shows a person or a log.
    fn shown(err: &ApiError) -> String {
        let mut text = format!("{err}\n{err:?}\n{:?}", err.hint());
        for cause in chain::causes(err) {
            text.push_str(&format!("\n{cause}"));
        }
        text
    }

    fn assert_no_secret(text: &str) {
        for secret in [SECRET, TOKEN] {
            for form in [
                secret.to_owned(),
                sign::percent_encode(secret),
                crate::api::request::form_encode(secret),
            ] {
                assert!(!text.contains(&form), "`{form}` leaked into:\n{text}");
            }
        }
    }

    #[test]
    fn an_https_client_builds_with_the_system_roots() {
        let credentials = Credentials::new("id", Secret::new(SECRET), "test");
        let client = Client::new(ClientConfig::new(Endpoint::default(), credentials)).unwrap();
        assert_eq!(client.endpoint().to_string(), "https://aiccs.aliyuncs.com");
    }

    #[tokio::test]
    async fn a_request_is_a_signed_post_with_an_empty_body() {
        let server = Server::script(vec![ok(json!(true))]).await;
        let client = server.client(|_| {});
        client.start_task(&id("1187654321098765432")).await.unwrap();
        let seen = &server.seen()[0];
        assert_eq!((seen.method.as_str(), seen.path.as_str()), ("POST", "/"));
        assert_eq!(seen.header("content-length"), Some("0"));
        assert_eq!(seen.header("x-acs-action"), Some("StartAiCallTask"));
        assert_eq!(seen.header("x-acs-version"), Some("2019-10-15"));
        assert!(seen.header("user-agent").unwrap().starts_with("aicall/"));
        assert_eq!(seen.param("TaskId"), Some("1187654321098765432"));
        assert_eq!(seen.param("SecurityToken"), Some(TOKEN));
        assert_eq!(seen.param("Format"), Some("json"));
        let timestamp = seen.param("Timestamp").unwrap();
        assert!(
            timestamp.ends_with('Z') && timestamp.len() == 20,
            "{timestamp}"
        );
        assert_signed(seen);
    }

    /// Recomputes the V1 signature the way a server would (§2.5 step 2).
    fn assert_signed(seen: &Seen) {
        let unsigned: Vec<(&str, &str)> = seen
            .params
            .iter()
            .filter(|(n, _)| n != "Signature")
            .map(|(n, v)| (n.as_str(), v.as_str()))
            .collect();
        let expected = sign::v1_signature(
            SECRET,
            &sign::v1_string_to_sign(&seen.method, unsigned.iter().copied()),
        );
        assert_eq!(seen.param("Signature"), Some(expected.as_str()));
    }

    #[tokio::test]
    async fn unavailable_and_throttled_replies_are_retried_with_fresh_nonces() {
        let server = Server::script(vec![
            gateway(503, "ServiceUnavailable"),
            gateway(400, "Throttling.User"),
            gateway(400, "SignatureNonceUsed"),
            ok(json!(118700000000000001u64)),
        ])
        .await;
        let client = server.client(|_| {});
        // A create may be retried: none of these replies executed it.
        let created = client.create_task(&create_request("外呼 a")).await.unwrap();
        assert_eq!(created, id("118700000000000001"));
        let seen = server.seen();
        assert_eq!(seen.len(), 4);
        let nonces: HashSet<&str> = seen
            .iter()
            .map(|s| s.param("SignatureNonce").unwrap())
            .collect();
        assert_eq!(nonces.len(), 4, "a nonce was reused");
        seen.iter().for_each(assert_signed);
        let stats = client.stats();
        assert_eq!(stats.requests, 4);
        assert_eq!(stats.by_action[&Action::CreateAiCallTask], 4);
        assert_eq!((stats.retries, stats.throttled), (3, 1));
    }

    #[tokio::test]
    async fn retry_after_is_waited_for() {
        let server = Server::script(vec![
            Step::Reply {
                status: 400,
                headers: vec![("x-acs-retry-after", "150".to_owned())],
                body: json!({"Code":"Throttling.User","Message":"slow down"}).to_string(),
            },
            ok(json!({"PageNo":1,"PageSize":20,"Total":0,"List":[]})),
        ])
        .await;
        let client = server.client(|_| {});
        let started = Instant::now();
        client.query_task_page(&PageQuery::default()).await.unwrap();
        assert!(started.elapsed() >= Duration::from_millis(150));
        assert_eq!(client.stats().throttled, 1);
    }

    #[tokio::test]
    async fn create_is_never_resent_after_its_connection_drops() {
        let server = Server::script(vec![Step::Close]).await;
        let client = server.client(|_| {});
        let err = client
            .create_task(&create_request("续费提醒"))
            .await
            .unwrap_err();
        assert!(err.is_outcome_unknown(), "{err:?}");
        assert_eq!(server.seen().len(), 1, "the create was sent again");
        let ApiError::OutcomeUnknown { subject, cause, .. } = &err else {
            unreachable!()
        };
        assert_eq!(subject.as_deref(), Some("续费提醒"));
        assert!(matches!(cause.as_deref(), Some(ApiError::ReplyLost { .. })));
        assert!(err.to_string().starts_with(
            "the outcome of `CreateAiCallTask` for `续费提醒` is unknown: the request was sent, then"
        ));
        assert!(err.hint().unwrap().contains("exact name"));
        assert_eq!(client.stats().outcome_unknown, 1);
    }

    #[tokio::test]
    async fn create_after_an_internal_error_is_outcome_unknown() {
        for step in [gateway(500, "InternalError"), gateway(502, "BadGateway")] {
            let server = Server::script(vec![step]).await;
            let client = server.client(|_| {});
            let err = client.create_task(&create_request("x")).await.unwrap_err();
            assert!(err.is_outcome_unknown(), "{err:?}");
            assert_eq!(server.seen().len(), 1);
        }
    }

    #[tokio::test]
    async fn create_timing_out_after_sending_is_outcome_unknown() {
        let server = Server::script(vec![Step::Hang]).await;
        let client = server.client(|c| c.request_timeout = Duration::from_millis(200));
        let err = client.create_task(&create_request("x")).await.unwrap_err();
        assert!(err.is_outcome_unknown(), "{err:?}");
        assert!(
            err.to_string().contains("no complete reply within 0.2s"),
            "{err}"
        );
        assert_eq!(server.seen().len(), 1);
    }

    #[tokio::test]
    async fn queries_are_retried_after_lost_replies() {
        let server = Server::script(vec![
            Step::Close,
            gateway(500, "InternalError"),
            ok(json!({"TaskId":"118700000000000001","TaskName":"a"})),
        ])
        .await;
        let client = server.client(|_| {});
        let detail = client.task_detail(&id("118700000000000001")).await.unwrap();
        assert_eq!(detail.task_name.as_deref(), Some("a"));
        assert_eq!(server.seen().len(), 3);
    }

    #[tokio::test]
    async fn a_start_retried_after_a_lost_reply_then_refused_is_reported_honestly() {
        let server = Server::script(vec![
            Step::Close,
            reply(
                200,
                json!({"RequestId":"r2","Code":"InvalidTaskStatus","Success":false,"Message":"running"}),
            ),
        ])
        .await;
        let client = server.client(|_| {});
        let err = client
            .start_task(&id("118700000000000001"))
            .await
            .unwrap_err();
        assert!(err.is_outcome_unknown(), "{err:?}");
        assert_eq!(err.code(), Some("InvalidTaskStatus"));
        assert!(err.to_string().contains("probably took effect"), "{err}");
    }

    #[tokio::test]
    async fn final_failures_are_not_retried() {
        let server = Server::script(vec![gateway(400, "SignatureDoesNotMatch")]).await;
        let client = server.client(|_| {});
        let err = client.stop_task(&id("1")).await.unwrap_err();
        assert_eq!(err.code(), Some("SignatureDoesNotMatch"));
        assert!(err.hint().unwrap().contains("AccessKey secret"));
        assert_eq!(server.seen().len(), 1);
    }

    #[tokio::test]
    async fn retries_stop_at_the_attempt_bound() {
        let server = Server::start(|_, _| gateway(503, "ServiceUnavailable")).await;
        let client = server.client(|c| c.retry.max_attempts = 3);
        let err = client
            .query_task_page(&PageQuery::default())
            .await
            .unwrap_err();
        let ApiError::RetriesExhausted { attempts, last, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*attempts, 3);
        assert_eq!(last.code(), Some("ServiceUnavailable"));
        assert_eq!(server.seen().len(), 3);
        assert!(!err.is_outcome_unknown());
    }

    #[tokio::test]
    async fn retries_stop_at_the_time_bound() {
        let server = Server::start(|_, _| gateway(503, "ServiceUnavailable")).await;
        let client = server.client(|c| {
            c.retry = RetryPolicy {
                max_attempts: 100,
                base_delay: Duration::from_millis(40),
                max_delay: Duration::from_millis(40),
                max_elapsed: Duration::from_millis(100),
            }
        });
        let started = Instant::now();
        let err = client.stop_task(&id("1")).await.unwrap_err();
        assert!(matches!(err, ApiError::RetriesExhausted { .. }), "{err:?}");
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(server.seen().len() < 100);
    }

    #[tokio::test]
    async fn a_refused_connection_is_definite_even_for_a_create() {
        let addr = {
            let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
            listener.local_addr().unwrap()
        };
        let server = Server {
            addr,
            seen: Arc::default(),
        };
        let client = server.client(|c| c.retry.max_attempts = 2);
        let err = client.create_task(&create_request("x")).await.unwrap_err();
        assert!(!err.is_outcome_unknown(), "{err:?}");
        let ApiError::RetriesExhausted { last, attempts, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*attempts, 2);
        assert!(matches!(**last, ApiError::Transport { .. }), "{last:?}");
        assert!(last.to_string().starts_with(&format!(
            "cannot reach `http://{addr}` for `CreateAiCallTask`: "
        )));
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

    #[tokio::test]
    async fn secrets_never_appear_in_errors_or_debug_output() {
        let echo = format!(
            "server string to sign is:POST&%2F&SecurityToken%3D{}",
            sign::percent_encode(&sign::percent_encode(TOKEN))
        );
        let server = Server::script(vec![
            reply(400, json!({"Code":"SignatureDoesNotMatch","Message":echo})),
            Step::Close,
            Step::Hang,
            reply(200, json!({"Success":false,"Code":"X","Message":SECRET,"AccessDeniedDetail":{"k":TOKEN}})),
            Step::Reply {
                status: 502,
                headers: Vec::new(),
                body: format!("<html>{SECRET} {TOKEN}</html>"),
            },
        ])
        .await;
        let client = server.client(|c| {
            c.retry = RetryPolicy::none();
            c.request_timeout = Duration::from_millis(200);
        });
        let mut text = format!(
            "{client:?}\n{:?}\n{}",
            client.credentials(),
            client.credentials().source
        );
        text.push_str(&format!(
            "{:?}",
            ClientConfig::new(Endpoint::default(), client.credentials().clone())
        ));
        for _ in 0..5 {
            let err = client.create_task(&create_request("x")).await.unwrap_err();
            text.push_str(&shown(&err));
        }
        assert_no_secret(&text);
        assert!(
            text.contains("****"),
            "the masked value should show where the secret was"
        );
    }

    /// A fake account: `(id, name)` newest first, paged like §7 says.
    fn account_page(tasks: &[(u64, String)], seen: &Seen) -> Step {
        let page_no: usize = seen.param("PageNo").unwrap_or("1").parse().unwrap();
        let page_size: usize = seen.param("PageSize").unwrap_or("20").parse().unwrap();
        let filter = seen.param("TaskName").map(str::to_lowercase);
        let matching: Vec<_> = tasks
            .iter()
            .filter(|(_, name)| {
                filter
                    .as_ref()
                    .is_none_or(|f| name.to_lowercase().contains(f))
            })
            .collect();
        let list: Vec<_> = matching
            .iter()
            .skip((page_no - 1) * page_size)
            .take(page_size)
            .map(|(id, name)| json!({"TaskId": id.to_string(), "TaskName": name, "Status": 1}))
            .collect();
        ok(json!({"PageNo":page_no,"PageSize":page_size,"Total":matching.len(),"List":list}))
    }

    fn numbered(count: u64) -> Vec<(u64, String)> {
        (0..count)
            .rev()
            .map(|i| (118_700_000_000_000_001 + i, format!("task-{i}")))
            .collect()
    }

    #[tokio::test]
    async fn listing_reads_each_page_once() {
        for (count, expected_requests) in [(0, 1), (7, 1), (10, 1), (95, 10), (100, 10)] {
            let tasks = numbered(count);
            let server = Server::start(move |_, seen| account_page(&tasks, seen)).await;
            let client = server.client(|_| {});
            let listed = client.list_all_tasks(10, 4).await.unwrap();
            assert_eq!(listed.len() as u64, count);
            assert_eq!(server.seen().len(), expected_requests, "{count} tasks");
            let ids: HashSet<_> = listed.iter().map(|t| t.task_id.clone()).collect();
            assert_eq!(ids.len() as u64, count);
        }
    }

    #[tokio::test]
    async fn listing_adapts_to_a_service_serving_smaller_pages_than_asked() {
        let tasks = numbered(23);
        let server = Server::start(move |_, seen| {
            // Serves at most 4 rows a page but echoes the PageSize asked.
            let mut clamped = seen.clone();
            let asked = seen.param("PageSize").unwrap().to_owned();
            clamped.params.retain(|(n, _)| n != "PageSize");
            clamped.params.push(("PageSize".to_owned(), "4".to_owned()));
            let Step::Reply { body, .. } = account_page(&tasks, &clamped) else {
                unreachable!()
            };
            ok(serde_json::from_str::<Value>(&body).unwrap()["Data"]
                .as_object()
                .map(|data| {
                    let mut data = data.clone();
                    data.insert("PageSize".to_owned(), json!(asked.parse::<u32>().unwrap()));
                    Value::Object(data)
                })
                .unwrap())
        })
        .await;
        let client = server.client(|_| {});
        let listed = client.list_all_tasks(10, 3).await.unwrap();
        assert_eq!(listed.len(), 23);
        assert_eq!(server.seen().len(), 6);
    }

    #[tokio::test]
    async fn listing_survives_tasks_created_while_paging() {
        let tasks = Arc::new(Mutex::new(numbered(50)));
        let original: HashSet<TaskId> = numbered(50)
            .iter()
            .map(|(id, _)| TaskId::from(*id))
            .collect();
        let account = tasks.clone();
        let server = Server::start(move |n, seen| {
            let mut tasks = account.lock().unwrap();
            if n == 1 {
                // Three creates land after page 1 was read: every later
                // page shifts by three.
                for i in 0..3 {
                    tasks.insert(0, (119_000_000_000_000_000 + i, format!("new-{i}")));
                }
            }
            account_page(&tasks, seen)
        })
        .await;
        let client = server.client(|_| {});
        let listed = client.list_all_tasks(10, 3).await.unwrap();
        let ids: Vec<TaskId> = listed.iter().map(|t| t.task_id.clone()).collect();
        let unique: HashSet<TaskId> = ids.iter().cloned().collect();
        assert_eq!(unique.len(), ids.len(), "a task was listed twice");
        assert!(
            original.is_subset(&unique),
            "a task that existed all along was missed"
        );
    }

    #[tokio::test]
    async fn find_by_name_is_exact_over_a_fuzzy_filter() {
        let mut tasks = numbered(30);
        for (i, name) in ["a", "A", "ab", "ba", "b"].into_iter().enumerate() {
            tasks.insert(0, (119_000_000_000_000_000 + i as u64, name.to_owned()));
        }
        let server = Server::start(move |_, seen| account_page(&tasks, seen)).await;
        let client = server.client(|_| {});
        let found = client.find_tasks_named("a", 2).await.unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].task_name.as_deref(), Some("a"));
        // "a" matches a, A, ab, ba and task-*: every page was read.
        assert!(
            server
                .seen()
                .iter()
                .all(|s| s.param("TaskName") == Some("a"))
        );
        assert!(client.find_tasks_named("c", 2).await.unwrap().is_empty());
    }
}
