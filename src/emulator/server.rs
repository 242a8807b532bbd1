//! The running emulator: a socket, one task per connection, and the path
//! of a request from bytes to reply.
//!
//! Connections are served with hyper directly rather than through a
//! framework, because one fault needs it: "commit, then drop the reply"
//! must close the connection with nothing written, so the client sees a
//! transport error after sending. A service error does exactly that here.
//!
//! Order of checks for each request, as on the real gateway: path,
//! method, Action, Version, injected faults (no side effect), signature
//! (`auth.rs`), the operation's quota (`quota.rs`: the nonce is spent, no
//! other side effect), then parameters (`call.rs`), then the store; a
//! change is answered only once it is durable (`writer.rs`).

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming as Body;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Method, Request, Response};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;

use crate::secret::Secret;

use super::auth::Auth;
use super::call::Call;
use super::clock::Clock;
use super::config::Config;
use super::error::EmulatorError;
use super::faults::Faults;
use super::identity::{Identity, Side};
use super::issued::{Issuance, IssuedCredentials, IssuedKeys};
use super::operation::Operation;
use super::quota::{OverQuota, Quotas, Windows};
use super::received::Received;
use super::reply::Reply;
use super::request_log::{RequestLog, RequestRecord};
use super::service_error::ServiceError;
use super::state_file::StateFile;
use super::stats::EmulatorStats;
use super::store::{Outcome, Store};
use super::task::{NewTask, StoredTask, TaskId, TaskStatus};
use super::writer::Writer;

/// A running emulator. Dropping it stops the server without waiting;
/// [`Emulator::shutdown`] stops it gracefully and flushes the state file.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    shared: Arc<Shared>,
    access_key_id: String,
    access_key_secret: Secret,
    shutdown: watch::Sender<bool>,
    server: Option<JoinHandle<()>>,
}

/// What every connection's requests share.
#[derive(Debug)]
struct Shared {
    auth: Auth,
    identity: Identity,
    store: Arc<Store>,
    writer: Option<Writer>,
    faults: Faults,
    quotas: Quotas,
    windows: Windows,
    throttle_retry_after: Option<Duration>,
    clock: Clock,
    max_page_size: u32,
    requests: AtomicU64,
    /// Writes received so far, by operation (for the Nth-write faults).
    writes: [AtomicU64; Operation::ALL.len()],
    stats: Mutex<EmulatorStats>,
    log: Option<RequestLog>,
}

/// The error that makes hyper close a connection without replying.
#[derive(Debug, thiserror::Error)]
#[error("reply dropped on purpose (fault injection)")]
struct ReplyDropped;

impl Emulator {
    /// Loads the state file (if any), binds, and starts serving. When this
    /// returns the socket is listening: a client may connect at once.
    pub async fn start(config: Config) -> Result<Emulator, EmulatorError> {
        let state_file = config.state_file.clone().map(StateFile::new);
        let store = Arc::new(load_store(state_file.as_ref()).await?);
        let listener =
            TcpListener::bind(config.listen)
                .await
                .map_err(|source| EmulatorError::Bind {
                    addr: config.listen,
                    source,
                })?;
        let addr = listener
            .local_addr()
            .map_err(|source| EmulatorError::Bind {
                addr: config.listen,
                source,
            })?;
        let writer = state_file.map(|file| Writer::spawn(store.clone(), file, store.version()));
        let shared = Arc::new(Shared {
            auth: Auth::new(
                config.access_key_id.clone(),
                config.access_key_secret.clone(),
                config.security_token,
                Arc::new(IssuedKeys::default()),
            ),
            identity: Identity::new(config.identity),
            store,
            writer,
            faults: config.faults,
            quotas: config.quotas,
            windows: Windows::default(),
            throttle_retry_after: config.throttle_retry_after,
            clock: config.clock,
            max_page_size: config.max_page_size,
            requests: AtomicU64::new(0),
            writes: Default::default(),
            stats: Mutex::new(EmulatorStats::default()),
            log: config.request_log,
        });
        let (shutdown, shutdown_rx) = watch::channel(false);
        let server = tokio::spawn(accept(listener, shared.clone(), shutdown_rx));
        Ok(Emulator {
            addr,
            shared,
            access_key_id: config.access_key_id,
            access_key_secret: config.access_key_secret,
            shutdown,
            server: Some(server),
        })
    }

    /// The address it listens on (the real port when 0 was asked for).
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://ADDR:PORT`, the endpoint to point a client at.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The AccessKeyId it accepts.
    pub fn access_key_id(&self) -> &str {
        &self.access_key_id
    }

    /// The secret it accepts.
    pub fn access_key_secret(&self) -> &Secret {
        &self.access_key_secret
    }

    /// Its clock (shared with [`Config::clock`]).
    pub fn clock(&self) -> &Clock {
        &self.shared.clock
    }

    /// The temporary keys its STS, metadata service and credentials URI
    /// issued (§9); a test may expire them at once.
    pub fn issued_keys(&self) -> Arc<IssuedKeys> {
        self.shared.auth.issued().clone()
    }

    /// Issues temporary credentials of role `role` directly, as AssumeRole
    /// would: for tests of STS credentials given as they are.
    pub fn issue_credentials(&self, role: &str) -> IssuedCredentials {
        let identity = &self.shared.identity;
        identity.issue(
            self.shared.auth.issued(),
            self.shared.clock.now_ms(),
            Duration::from_secs(3600),
            Issuance::new("Direct", identity.role_arn(role), "direct".to_owned()),
        )
    }

    /// Every task, in ID order, as seen now (a scheduled start that has
    /// passed shows as RUNNING).
    pub fn tasks(&self) -> Vec<StoredTask> {
        self.shared.store.tasks_at(self.shared.clock.now_ms())
    }

    /// Counters since start.
    pub fn stats(&self) -> EmulatorStats {
        self.shared.lock_stats().clone()
    }

    /// Creates `tasks` directly in the store, as IMMEDIATE creates would
    /// (all or none; a name that exists or repeats refuses the lot), and
    /// waits until they are durable: one state file write for the lot.
    /// For filling an account of thousands of tasks in benchmarks.
    pub async fn seed(&self, tasks: Vec<NewTask>) -> Result<Vec<TaskId>, EmulatorError> {
        let (ids, version) = self
            .shared
            .store
            .seed(tasks, self.shared.clock.now_ms())
            .map_err(|err| match err {
                ServiceError::NameTaken { name } => EmulatorError::SeedNameTaken { name },
                _ => EmulatorError::WriterGone,
            })?;
        self.durable(version).await?;
        Ok(ids)
    }

    /// Puts task `task_id` in `status` directly, as the service does by
    /// itself (a failed start) or someone in the console would, and waits
    /// until it is durable. For tests.
    pub async fn set_status(
        &self,
        task_id: TaskId,
        status: TaskStatus,
    ) -> Result<(), EmulatorError> {
        let version = self
            .shared
            .store
            .set_status(task_id, status, self.shared.clock.now_ms())
            .map_err(|_| EmulatorError::WriterGone)?;
        self.durable(version).await
    }

    /// Waits until the state file holds `version` (at once without one).
    async fn durable(&self, version: u64) -> Result<(), EmulatorError> {
        if let Some(writer) = &self.shared.writer {
            writer.mark_dirty();
            writer
                .wait_durable(version)
                .await
                .map_err(|_| EmulatorError::WriterGone)?;
        }
        Ok(())
    }

    /// Stops accepting, lets requests in progress finish, closes idle
    /// connections, then writes whatever the state file lacks.
    pub async fn shutdown(mut self) -> Result<(), EmulatorError> {
        let _ = self.shutdown.send(true);
        if let Some(server) = self.server.take() {
            // The accept loop returns only after every connection ended.
            let _ = server.await;
        }
        match &self.shared.writer {
            Some(writer) => writer.finish().await,
            None => Ok(()),
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.shutdown.send(true);
    }
}

/// Reads the account, or starts an empty one. A missing state file is
/// written at once, so an unwritable location fails at startup rather than
/// at the first create.
async fn load_store(file: Option<&StateFile>) -> Result<Store, EmulatorError> {
    let Some(file) = file else {
        return Store::new(TaskId::FIRST, Vec::new()).map_err(|_| EmulatorError::WriterGone);
    };
    let loading = file.clone();
    let loaded = tokio::task::spawn_blocking(move || loading.load())
        .await
        .map_err(|_| EmulatorError::WriterGone)??;
    let exists = loaded.is_some();
    let (next_id, tasks) = loaded.map_or((TaskId::FIRST, Vec::new()), |l| (l.next_id, l.tasks));
    let store = Store::new(next_id, tasks).map_err(|source| EmulatorError::StateInconsistent {
        path: file.path().to_owned(),
        source,
    })?;
    if !exists {
        let snapshot = store.snapshot();
        let writing = file.clone();
        tokio::task::spawn_blocking(move || writing.write(&snapshot))
            .await
            .map_err(|_| EmulatorError::WriterGone)??;
    }
    Ok(store)
}

/// Accepts until shutdown, then waits for every connection to finish.
async fn accept(listener: TcpListener, shared: Arc<Shared>, mut shutdown: watch::Receiver<bool>) {
    // Each connection holds a sender; `recv` returns `None` once all are gone.
    let (alive, mut all_closed) = mpsc::channel::<()>(1);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    tokio::spawn(serve(stream, shared.clone(), shutdown.clone(), alive.clone()));
                }
                // Out of file descriptors and the like: back off briefly
                // instead of spinning.
                Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
            },
            _ = shutdown.changed() => break,
        }
    }
    drop(listener);
    drop(alive);
    let _ = all_closed.recv().await;
}

async fn serve(
    stream: TcpStream,
    shared: Arc<Shared>,
    mut shutdown: watch::Receiver<bool>,
    _alive: mpsc::Sender<()>,
) {
    let _ = stream.set_nodelay(true);
    let service = service_fn(move |request| handle(shared.clone(), request));
    let connection = hyper::server::conn::http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => {}
        _ = shutdown.changed() => {
            connection.as_mut().graceful_shutdown();
            let _ = connection.await;
        }
    }
}

async fn handle(
    shared: Arc<Shared>,
    request: Request<Body>,
) -> Result<Response<Full<Bytes>>, ReplyDropped> {
    let started = Instant::now();
    let request_id = uuid::Uuid::new_v4().to_string().to_uppercase();
    let method = request.method().to_string();
    let n = shared.requests.fetch_add(1, Ordering::Relaxed) + 1;
    if !shared.faults.latency.is_zero() {
        tokio::time::sleep(shared.faults.latency).await;
    }

    let mut operation = None;
    let mut label = None;
    let mut drop_reply = false;
    let reply = match Received::read(request).await {
        Err(error) => Reply::failure(&request_id, &error),
        // STS, the metadata service and the credentials URI (§9).
        Ok(received) if let Some(side) = Side::of(&received) => {
            let (named, reply) =
                shared
                    .identity
                    .serve(side, &received, &shared.auth, &shared.clock, &request_id);
            label = named;
            reply
        }
        Ok(received) => match shared
            .respond(&received, n, &mut operation, &mut drop_reply)
            .await
        {
            Ok(outcome) => Reply::success(&request_id, &outcome),
            Err(error) => {
                let mut reply = Reply::failure(&request_id, &error);
                match error {
                    ServiceError::Throttled => reply.retry_after = shared.throttle_retry_after,
                    ServiceError::OverQuota {
                        limit, time_left, ..
                    } => {
                        let left = time_left.as_millis();
                        let reset = i128::from(shared.clock.now_ms()) + left as i128;
                        reply.rate_limit = Some(format!(
                            "Limit:{limit},Remain:0,TimeLeft:{left},Reset:{reset}"
                        ));
                    }
                    _ => {}
                }
                reply
            }
        },
    };
    let action = label.or(operation.map(Operation::action));
    shared.count(action, &reply, drop_reply);

    if let Some(log) = &shared.log {
        log.record(&RequestRecord {
            method,
            action,
            status: (!drop_reply).then_some(reply.status.as_u16()),
            code: if drop_reply {
                "reply dropped (fault injection)".to_owned()
            } else {
                reply.code.clone().into_owned()
            },
            duration: started.elapsed(),
        });
    }
    if drop_reply {
        return Err(ReplyDropped);
    }
    Ok(response(reply, &request_id))
}

fn response(reply: Reply, request_id: &str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(reply.body)));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    if let Ok(value) = HeaderValue::from_str(request_id) {
        headers.insert("x-acs-request-id", value);
    }
    if let Some(value) = reply
        .rate_limit
        .as_deref()
        .and_then(|v| HeaderValue::from_str(v).ok())
    {
        headers.insert("x-ratelimit-user-api", value);
    }
    if let Some(after) = reply.retry_after {
        headers.insert(
            "x-acs-retry-after",
            HeaderValue::from(after.as_millis().max(1) as u64),
        );
    }
    response
}

impl Shared {
    fn lock_stats(&self) -> std::sync::MutexGuard<'_, EmulatorStats> {
        self.stats
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn count(&self, action: Option<&'static str>, reply: &Reply, dropped: bool) {
        let code = reply.code.as_ref();
        let mut stats = self.lock_stats();
        stats.requests += 1;
        if let Some(action) = action {
            *stats.by_action.entry(action.to_owned()).or_default() += 1;
        }
        *stats.by_code.entry(code.to_owned()).or_default() += 1;
        match code {
            "Throttling.User" => {
                stats.throttled += 1;
                if reply.rate_limit.is_some() {
                    stats.over_quota += 1;
                }
                if let Some(action) = action {
                    *stats
                        .throttled_by_action
                        .entry(action.to_owned())
                        .or_default() += 1;
                }
            }
            "ServiceUnavailable" => stats.unavailable += 1,
            _ => {}
        }
        if dropped {
            stats.dropped_replies += 1;
        }
    }

    /// Everything between receiving request number `n` and its outcome.
    /// Sets `operation` as soon as the action is known, and `drop_reply`
    /// when this is the create whose reply is to be lost.
    async fn respond(
        &self,
        received: &Received,
        n: u64,
        operation: &mut Option<Operation>,
        drop_reply: &mut bool,
    ) -> Result<Outcome, ServiceError> {
        let Received { parts, params, .. } = received;
        if parts.uri.path() != "/" {
            return Err(ServiceError::PathNotFound {
                path: parts.uri.path().to_owned(),
            });
        }
        if parts.method != Method::GET && parts.method != Method::POST {
            return Err(ServiceError::UnsupportedMethod {
                method: parts.method.to_string(),
            });
        }
        let incoming = received.incoming();
        let (scheme, op) = Auth::operation(&incoming)?;
        *operation = Some(op);
        // Before the signature: an injected fault must not consume the
        // nonce, so it leaves no trace at all.
        if let Some(fault) = self.faults.for_request(n) {
            return Err(fault);
        }
        self.auth.verify(scheme, &incoming, self.clock.now())?;
        // After the signature, as on the gateway: the nonce is spent.
        self.windows
            .admit(&self.quotas, op, tokio::time::Instant::now())
            .map_err(|OverQuota { limit, time_left }| ServiceError::OverQuota {
                action: op.action(),
                limit,
                time_left,
            })?;
        params.reject_repeats()?;

        let now_ms = self.clock.now_ms();
        let call = Call::parse(op, params, now_ms, self.max_page_size)?;
        if op.is_write() {
            let number = self.writes[op as usize].fetch_add(1, Ordering::Relaxed) + 1;
            if self.faults.refuses(op, number) {
                let (name, value) = match op {
                    Operation::Create => ("TaskName", params.get("TaskName").unwrap_or_default()),
                    _ => ("TaskId", params.get("TaskId").unwrap_or_default()),
                };
                return Err(ServiceError::invalid(
                    name,
                    value,
                    format!(
                        "anything but this: the emulator was told to refuse this {} (fault injection)",
                        op.action()
                    ),
                ));
            }
            *drop_reply = self.faults.drops(op, number);
        }
        let (result, version) = self.store.execute(call, now_ms);
        if let Some(writer) = &self.writer {
            if result.is_ok() && op.is_write() {
                writer.mark_dirty();
            }
            // Also for reads and refusals: nothing is answered that a
            // crash could take back.
            writer.wait_durable(version).await?;
        }
        result
    }
}
