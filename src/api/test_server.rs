//! A scripted HTTP server on 127.0.0.1:0 for the client's unit tests:
//! each connection gets one reply (or none) chosen by a closure, so lost
//! replies, timeouts and shifting pages are deterministic. Plus the
//! requests, credentials and checks the tests of `client.rs`, `send.rs`
//! and `paging.rs` share.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::json;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};

use crate::api::types::{CallWindow, CreateTask, StartType, TaskId, TaskSettings};
use crate::api::{ApiError, Client, ClientConfig, Credentials, Endpoint, RetryPolicy, sign};
use crate::chain;
use crate::secret::Secret;

pub(super) const SECRET: &str = "test/secret+with=chars";
pub(super) const TOKEN: &str = "CAIS+sts/token=";

/// One request as the server saw it.
#[derive(Debug, Clone)]
pub(super) struct Seen {
    pub(super) method: String,
    pub(super) path: String,
    pub(super) params: Vec<(String, String)>,
    pub(super) headers: Vec<(String, String)>,
}

impl Seen {
    pub(super) fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    pub(super) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// What the server does with one request.
pub(super) enum Step {
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

pub(super) fn reply(status: u16, body: serde_json::Value) -> Step {
    Step::Reply {
        status,
        headers: Vec::new(),
        body: body.to_string(),
    }
}

pub(super) fn ok(data: serde_json::Value) -> Step {
    reply(
        200,
        json!({"RequestId":"req-ok","Code":"OK","Success":true,"Message":"成功","Data":data}),
    )
}

pub(super) fn gateway(status: u16, code: &str) -> Step {
    reply(
        status,
        json!({"RequestId":"req-err","HostId":"aiccs.aliyuncs.com","Code":code,"Message":"m"}),
    )
}

type Handler = dyn Fn(usize, &Seen) -> Step + Send + Sync;

pub(super) struct Server {
    pub(super) addr: SocketAddr,
    pub(super) seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Serves `handler(n, request)` for the n-th request (from 0).
    pub(super) async fn start(
        handler: impl Fn(usize, &Seen) -> Step + Send + Sync + 'static,
    ) -> Server {
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
    pub(super) async fn script(steps: Vec<Step>) -> Server {
        let steps = Mutex::new(steps.into_iter().map(Some).collect::<Vec<_>>());
        Server::start(move |n, _| {
            steps.lock().unwrap()[n]
                .take()
                .expect("more requests than scripted steps")
        })
        .await
    }

    pub(super) fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }

    pub(super) fn client(&self, tweak: impl FnOnce(&mut ClientConfig)) -> Client {
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

pub(super) fn create_request(name: &str) -> CreateTask {
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

pub(super) fn id(digits: &str) -> TaskId {
    TaskId::new(digits).unwrap()
}

/// Everything an error shows a person or a log.
pub(super) fn shown(err: &ApiError) -> String {
    let mut text = format!("{err}\n{err:?}\n{:?}", err.hint());
    for cause in chain::causes(err) {
        text.push_str(&format!("\n{cause}"));
    }
    text
}

pub(super) fn assert_no_secret(text: &str) {
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

/// Recomputes the V1 signature the way a server would (§2.5 step 2).
pub(super) fn assert_signed(seen: &Seen) {
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
