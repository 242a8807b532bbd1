//! The attempt loop every operation goes through: one signed attempt,
//! judged, then retried, failed, or reported as "outcome unknown".
//!
//! Every attempt is a new signed request with a fresh `SignatureNonce` and
//! `Timestamp` (`aiccs-api.md` §2.2), paced by the client-wide gate. What is
//! retried, and what becomes "outcome unknown", is decided in `retry.rs`;
//! how a reply is judged, in `reply.rs`. This file only applies those
//! verdicts and keeps count.

use std::time::Duration;

use serde_json::Value;
use tokio::time::Instant;

use crate::chain;

use super::action::Action;
use super::client::Client;
use super::credentials::Credentials;
use super::error::ApiError;
use super::reply;
use super::request::{self, API_VERSION, Params};
use super::retry::{self, Verdict};

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
        let started = Instant::now();
        let mut ambiguous_earlier = false;
        let mut attempt: u32 = 0;
        loop {
            attempt += 1;
            self.gate().acquire().await;
            let (error, retry_after) = match self.send_signed(action, params).await {
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
                self.counters().throttled();
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
            self.counters().retried();
            if throttled {
                // Everyone waits, not just us; our next `acquire` does too.
                self.gate().pause_for(delay);
            } else {
                tokio::time::sleep(delay).await;
            }
        }
    }

    /// One attempt signed with `credentials`. A failure comes with the
    /// `x-acs-retry-after` wait, when the reply had one.
    pub(super) async fn send_once(
        &self,
        action: Action,
        params: &Params,
        credentials: &Credentials,
    ) -> Result<Value, (ApiError, Option<Duration>)> {
        let timestamp = request::format_timestamp(jiff::Timestamp::now());
        let nonce = uuid::Uuid::new_v4().to_string();
        let query = request::signed_query(action, params, credentials, &timestamp, &nonce);
        let url = format!("{}?{query}", self.config().endpoint.url());
        self.counters().sent(action);
        let response = self
            .http()
            .post(url)
            .header("x-acs-action", action.as_str())
            .header("x-acs-version", API_VERSION)
            // As the SDK sends it (§1.2); hyper would otherwise send no
            // length at all for an empty POST, which some proxies refuse.
            .header(reqwest::header::CONTENT_LENGTH, "0")
            .body(Vec::new())
            .send()
            .await
            .map_err(|err| (self.transport_error(action, err, credentials), None))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("x-acs-retry-after")
            .and_then(|value| value.to_str().ok())
            .and_then(retry::parse_retry_after);
        let body = response
            .bytes()
            .await
            .map_err(|err| (self.transport_error(action, err, credentials), None))?;
        reply::judge(action, status, &body, credentials).map_err(|err| (err, retry_after))
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
