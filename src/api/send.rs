//! The attempt loop every operation goes through: one signed attempt,
//! judged, then retried, failed, or reported as "outcome unknown".
//!
//! Every attempt is a new signed request with a fresh `SignatureNonce` and
//! `Timestamp` (`aiccs-api.md` §2.2), paced by its operation's budget
//! (`pacing/`) and, for a limited clone, given a place on the wire only
//! once paced. What is retried, and what becomes "outcome unknown", is
//! decided in `retry.rs`; how a reply is judged, in `reply.rs`. This file
//! applies those verdicts, tells the pacer what the gateway said, keeps
//! the run's deadline, and keeps count.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::chain;

use super::action::Action;
use super::client::Client;
use super::credentials::Credentials;
use super::error::{ApiError, humantime};
use super::pacing::header;
use super::reply;
use super::request::{self, API_VERSION, Params};
use super::retry::{self, Verdict};

/// What a reply's headers said about waiting.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Waits {
    /// `x-acs-retry-after`.
    retry_after: Option<Duration>,
    /// `TimeLeft` of the rate-limit headers, when they say to wait.
    time_left: Option<Duration>,
}

/// How one attempt went.
enum Attempt {
    /// A reply (or a transport failure) came back.
    Reply(Result<Value, ApiError>, Waits),
    /// The deadline came while the reply was awaited.
    CutOff,
    /// The deadline came before the request could be sent.
    Unsent,
}

/// A call's attempts so far.
#[derive(Default)]
struct Tries {
    /// When the first attempt went out.
    first_sent: Option<Instant>,
    /// Attempts made.
    attempts: u32,
    /// Attempts that failed other than by throttling.
    failures: u32,
    /// Attempts that were throttled.
    throttles: u32,
    /// An earlier attempt of a write was sent and got no answer.
    ambiguous: bool,
}

impl Client {
    /// Sends `action` until it succeeds, fails for good, or must not be
    /// sent again; returns the reply's `Data`.
    pub(super) async fn call(
        &self,
        action: Action,
        params: &Params,
        subject: Option<&str>,
    ) -> Result<Value, ApiError> {
        let policy = self.config().retry;
        let mut tries = Tries::default();
        loop {
            let cutoff = self.cutoff(action);
            let (error, waits) = match self.attempt(action, params, cutoff, &mut tries).await {
                Attempt::Reply(Ok(data), waits) => {
                    self.counters().answered();
                    // A success may say the quota is spent (`Remain:0`).
                    if let Some(wait) = waits.time_left {
                        self.pacer().pause_for(action, wait);
                    }
                    return Ok(data);
                }
                Attempt::Reply(Err(error), waits) => (error, waits),
                Attempt::Unsent => {
                    let error = self.deadline_error(action, subject, false, None);
                    return Err(self.conclude(action, subject, error, tries.ambiguous));
                }
                Attempt::CutOff => return Err(self.cut_off(action, subject, tries.ambiguous)),
            };
            let throttled = match retry::classify(action, &error) {
                Verdict::Fail => {
                    return Err(self.conclude(action, subject, error, tries.ambiguous));
                }
                Verdict::Ambiguous if !action.may_resend_after_lost_reply() => {
                    return Err(self.outcome_unknown(action, subject, error));
                }
                Verdict::Ambiguous => {
                    tries.ambiguous = true;
                    false
                }
                // The SDK treats any reply carrying `x-acs-retry-after` as
                // throttling (§4.3).
                Verdict::Retry { throttled } => throttled || waits.retry_after.is_some(),
            };
            let delay = if throttled {
                tries.throttles += 1;
                let wait = waits.time_left.max(waits.retry_after);
                self.counters().throttled(action);
                self.pacer().throttled(action, wait);
                // The operation's budget now holds every caller for the
                // gateway's wait; without one, this request backs off on
                // its own (full jitter may draw almost nothing).
                match wait {
                    Some(_) => Duration::ZERO,
                    None => policy
                        .backoff(tries.throttles, fastrand::f64())
                        .max(policy.base_delay),
                }
            } else {
                self.counters().answered();
                tries.failures += 1;
                waits
                    .retry_after
                    .unwrap_or_else(|| policy.backoff(tries.failures, fastrand::f64()))
            };
            if policy.max_attempts <= 1 {
                return Err(self.conclude(action, subject, error, tries.ambiguous));
            }
            let elapsed = tries.first_sent.map_or(Duration::ZERO, |at| at.elapsed());
            let out_of_time = if action.is_mutating() {
                tries.failures >= policy.max_attempts || elapsed + delay > policy.max_elapsed
            } else {
                elapsed + delay > self.config().read_retry_budget
            };
            if out_of_time {
                let exhausted = ApiError::RetriesExhausted {
                    action,
                    attempts: tries.attempts,
                    elapsed,
                    last: Box::new(error),
                };
                return Err(self.conclude(action, subject, exhausted, tries.ambiguous));
            }
            if cutoff.is_some_and(|cutoff| Instant::now() + delay >= cutoff) {
                let error = self.deadline_error(action, subject, false, Some(error));
                return Err(self.conclude(action, subject, error, tries.ambiguous));
            }
            self.counters().retried();
            tokio::time::sleep(delay).await;
        }
    }

    /// Paces, takes a place on the wire, sends and awaits one attempt, all
    /// within `cutoff`.
    async fn attempt(
        &self,
        action: Action,
        params: &Params,
        cutoff: Option<Instant>,
        tries: &mut Tries,
    ) -> Attempt {
        let until = |at: Option<Instant>| async move {
            match at {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        let permit = tokio::select! {
            biased;
            () = until(cutoff) => return Attempt::Unsent,
            permit = async {
                self.pacer().acquire(action).await;
                self.in_flight_permit().await
            } => permit,
        };
        tries.attempts += 1;
        tries.first_sent.get_or_insert_with(Instant::now);
        let sent = tokio::select! {
            biased;
            () = until(cutoff) => Attempt::CutOff,
            (result, waits) = self.send_signed(action, params) => Attempt::Reply(result, waits),
        };
        drop(permit);
        sent
    }

    /// One attempt signed with `credentials`, and what its headers said
    /// about waiting.
    pub(super) async fn send_once(
        &self,
        action: Action,
        params: &Params,
        credentials: &Credentials,
    ) -> (Result<Value, ApiError>, Waits) {
        let timestamp = request::format_timestamp(jiff::Timestamp::now());
        let nonce = uuid::Uuid::new_v4().to_string();
        let query = request::signed_query(action, params, credentials, &timestamp, &nonce);
        let url = format!("{}?{query}", self.config().endpoint.url());
        self.counters().sent(action);
        let response = self
            .http()
            .post(url)
            .header("x-acs-version", API_VERSION)
            .header("x-acs-action", action.as_str())
            .header(reqwest::header::CONTENT_LENGTH, "0")
            .body(Vec::new())
            .send()
            .await;
        let response = match response {
            Ok(response) => response,
            Err(err) => {
                return (
                    Err(self.transport_error(action, err, credentials)),
                    Waits::default(),
                );
            }
        };
        let status = response.status().as_u16();
        let text = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|value| value.to_str().ok())
                .map(str::to_owned)
        };
        let retry_after = text("x-acs-retry-after")
            .as_deref()
            .and_then(retry::parse_retry_after);
        let rate_limits = [text(header::USER_API), text(header::USER)];
        let body = match response.bytes().await {
            Ok(body) => body,
            Err(err) => {
                let waits = Waits {
                    retry_after,
                    time_left: None,
                };
                return (Err(self.transport_error(action, err, credentials)), waits);
            }
        };
        let judged = reply::judge(action, status, &body, credentials);
        // `TimeLeft` is a wait on a throttle; on a success only when it
        // says nothing remains (`header.rs`); on other refusals, nothing.
        let rate_limits = rate_limits.each_ref().map(Option::as_deref);
        let time_left = match &judged {
            Err(ApiError::Service { code, .. }) if reply::is_throttling(code) => {
                header::wait(rate_limits, true)
            }
            Ok(_) => header::wait(rate_limits, false),
            Err(_) => None,
        };
        let waits = Waits {
            retry_after,
            time_left,
        };
        (judged, waits)
    }

    /// The deadline came: `sent` says whether a request was on the wire.
    fn deadline_error(
        &self,
        action: Action,
        subject: Option<&str>,
        sent: bool,
        last: Option<ApiError>,
    ) -> ApiError {
        ApiError::DeadlineExceeded {
            action,
            subject: subject.map(str::to_owned),
            timeout: self.config().timeout.unwrap_or_default(),
            sent,
            last: last.map(Box::new),
        }
    }

    /// The deadline came while a reply was awaited. A write may then have
    /// taken effect: its outcome is unknown (a create is never re-sent;
    /// the executor looks it up). A read simply did not finish.
    fn cut_off(&self, action: Action, subject: Option<&str>, ambiguous: bool) -> ApiError {
        if !action.is_mutating() {
            return self.deadline_error(action, subject, true, None);
        }
        self.counters().outcome_unknown();
        let timeout = humantime(self.config().timeout.unwrap_or_default());
        let reason = if ambiguous {
            format!(
                "an earlier attempt got no answer, and the run's deadline ({timeout}) passed \
                 while the next one's reply was awaited; either may have taken effect"
            )
        } else {
            format!(
                "the request was sent, and the run's deadline ({timeout}) passed while its \
                 reply was awaited; it may or may not have taken effect"
            )
        };
        ApiError::OutcomeUnknown {
            action,
            subject: subject.map(str::to_owned),
            reason,
            cause: None,
        }
    }

    /// A connection failure is [`ApiError::Transport`] (nothing was sent);
    /// anything after that is [`ApiError::ReplyLost`].
    fn transport_error(
        &self,
        action: Action,
        err: reqwest::Error,
        credentials: &Credentials,
    ) -> ApiError {
        let config = self.config();
        let endpoint = config.endpoint.to_string();
        // Without the URL: it holds the signature and any STS token.
        let err = err.without_url();
        // Issue 7: a request the client could not even build (a URL too
        // long to be a URI) never left the process. That is definite, not
        // a lost reply: a create must not become "outcome unknown".
        if err.is_builder() {
            return ApiError::NotSent {
                action,
                detail: credentials.scrub(&chain::root_cause(&err).to_string()),
            };
        }
        if err.is_connect() {
            let detail = if err.is_timeout() {
                format!("no connection within {}", seconds(config.connect_timeout))
            } else {
                chain::root_cause(&err).to_string()
            };
            ApiError::Transport {
                action,
                endpoint,
                detail: credentials.scrub(&detail),
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
                detail: credentials.scrub(&detail),
            }
        }
    }

    fn outcome_unknown(&self, action: Action, subject: Option<&str>, error: ApiError) -> ApiError {
        self.counters().outcome_unknown();
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
        self.counters().outcome_unknown();
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

fn seconds(duration: Duration) -> String {
    format!("{}s", duration.as_secs_f64())
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::sync::Arc;

    use serde_json::json;
    use tokio::net::TcpListener;

    use super::*;
    use crate::api::test_server::{
        SECRET, Server, Step, TOKEN, assert_no_secret, assert_signed, create_request, gateway, id,
        ok, reply, shown,
    };
    use crate::api::types::PageQuery;
    use crate::api::{ClientConfig, Endpoint, RetryPolicy, sign};

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
        // A write: reads are bounded by time instead (issue 10, below).
        let server = Server::start(|_, _| gateway(503, "ServiceUnavailable")).await;
        let client = server.client(|c| c.retry.max_attempts = 3);
        let err = client.stop_task(&id("1")).await.unwrap_err();
        let ApiError::RetriesExhausted { attempts, last, .. } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(*attempts, 3);
        assert_eq!(last.code(), Some("ServiceUnavailable"));
        assert_eq!(server.seen().len(), 3);
        assert!(!err.is_outcome_unknown());
    }

    /// Issue 10: reads are always safe to send again, so they are bounded
    /// by a time budget, not by a small number of attempts.
    #[tokio::test]
    async fn reads_are_retried_for_their_time_budget_not_an_attempt_count() {
        let server = Server::start(|_, _| gateway(503, "ServiceUnavailable")).await;
        let client = server.client(|c| {
            c.retry.max_attempts = 3;
            c.read_retry_budget = Duration::from_millis(150);
        });
        let err = client
            .query_task_page(&PageQuery::default())
            .await
            .unwrap_err();
        let ApiError::RetriesExhausted {
            attempts, elapsed, ..
        } = &err
        else {
            panic!("{err:?}")
        };
        assert!(*attempts > 3, "{attempts}");
        // No retry starts after the budget; the last one may end after it.
        assert!(*elapsed < Duration::from_secs(2), "{elapsed:?}");
        assert_eq!(server.seen().len() as u32, *attempts);
    }

    /// Issue 10: a throttle is a signal to slow down, not a failed attempt.
    #[tokio::test]
    async fn throttles_use_up_no_attempts() {
        let mut steps: Vec<Step> = (0..6).map(|_| gateway(400, "Throttling.User")).collect();
        steps.push(ok(json!(118700000000000001u64)));
        let server = Server::script(steps).await;
        let client = server.client(|c| c.retry.max_attempts = 2);
        let created = client.create_task(&create_request("x")).await.unwrap();
        assert_eq!(created, id("118700000000000001"));
        let stats = client.stats();
        assert_eq!((stats.requests, stats.throttled), (7, 6));
        assert_eq!(stats.longest_throttle_run, 6);
        assert_eq!(stats.throttled_by_action[&Action::CreateAiCallTask], 6);
    }

    /// Issue 10: the run's deadline cuts a create in flight (its outcome
    /// is then unknown, never re-sent), sends nothing after it, and lets
    /// only a settling clone's reads run a little longer.
    #[tokio::test(start_paused = true)]
    async fn the_deadline_cuts_what_is_in_flight_and_sends_nothing_after_it() {
        let page = ok(json!({"PageNo":1,"PageSize":20,"Total":0,"List":[]}));
        let server = Server::script(vec![Step::Hang, page]).await;
        let client = server.client(|c| c.timeout = Some(Duration::from_secs(2)));
        let started = Instant::now();
        let err = client.create_task(&create_request("x")).await.unwrap_err();
        assert_eq!(started.elapsed(), Duration::from_secs(2));
        assert!(err.is_outcome_unknown(), "{err:?}");
        assert!(
            err.to_string()
                .contains("the run's deadline (2s) passed while its reply was awaited"),
            "{err}"
        );

        let err = client.create_task(&create_request("y")).await.unwrap_err();
        assert!(
            matches!(err, ApiError::DeadlineExceeded { sent: false, .. }),
            "{err:?}"
        );
        assert_eq!(
            err.to_string(),
            "`CreateAiCallTask` for `y` was not sent: the run's deadline (2s) passed"
        );
        assert!(err.hint().unwrap().contains("--timeout"));
        let err = client
            .query_task_page(&PageQuery::default())
            .await
            .unwrap_err();
        assert!(matches!(err, ApiError::DeadlineExceeded { .. }), "{err:?}");
        assert_eq!(server.seen().len(), 1, "nothing sent after the deadline");

        // Settling look-ups get half the timeout (at most 10 s) more.
        let settling = client.settling();
        settling
            .query_task_page(&PageQuery::default())
            .await
            .unwrap();
        assert!(settling.create_task(&create_request("z")).await.is_err());
        tokio::time::sleep(Duration::from_secs(1)).await;
        let err = settling
            .query_task_page(&PageQuery::default())
            .await
            .unwrap_err();
        assert!(matches!(err, ApiError::DeadlineExceeded { .. }), "{err:?}");
        assert_eq!(server.seen().len(), 2);
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

    /// Issue 7: a 1 MiB value makes a URL the client refuses to send; the
    /// create failed for certain, it is not "outcome unknown".
    #[tokio::test]
    async fn a_request_that_cannot_be_built_is_a_definite_failure() {
        let server = Server::script(vec![ok(json!(118700000000000001u64))]).await;
        let client = server.client(|_| {});
        let err = client
            .create_task(&create_request(&"续".repeat(1 << 20)))
            .await
            .unwrap_err();
        assert!(matches!(err, ApiError::NotSent { .. }), "{err:?}");
        assert!(!err.is_outcome_unknown());
        assert!(
            err.to_string()
                .starts_with("`CreateAiCallTask` was not sent: the request could not be built"),
            "{err}"
        );
        assert!(err.to_string().len() < 200, "{err}");
        assert_eq!(
            retry::classify(Action::CreateAiCallTask, &err),
            Verdict::Fail
        );
        assert!(server.seen().is_empty());
        assert_eq!(client.stats().outcome_unknown, 0);
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
            client.credentials().source()
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
}
