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
            detail: root_cause(&err),
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
    /// short. `filter`'s `PageNo` and `PageSize` are ignored.
    pub async fn list_tasks(
        &self,
        filter: &PageQuery,
        page_size: u32,
        parallelism: usize,
    ) -> Result<Vec<TaskSummary>, ApiError> {
        let page_size = page_size.max(1);
        let mut listing = Listing::new(page_size);
        let first = self.page(filter, 1, page_size).await?;
        listing.add(first);
        let mut next_page = 2;
        if let (false, Some(total)) = (listing.short_page_seen, listing.total) {
            let last = u32::try_from(total.div_ceil(u64::from(page_size))).unwrap_or(u32::MAX);
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
            let delay = retry_after.unwrap_or_else(|| policy.backoff(attempt, fastrand::f64()));
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
                root_cause(&err)
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
                root_cause(&err)
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

/// The innermost cause of an error: the most specific words (e.g.
/// `Connection refused (os error 111)`).
fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

fn seconds(duration: Duration) -> String {
    format!("{}s", duration.as_secs_f64())
}
