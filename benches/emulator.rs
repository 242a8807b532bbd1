//! How many requests per second the emulator sustains over loopback.
//!
//! `cargo bench --bench emulator` (release build). Each scenario runs N
//! concurrent clients that sign every request with V1 (`api::sign`, a
//! fresh nonce and timestamp each) on keep-alive connections, for a fixed
//! number of requests, and prints requests per second with latency
//! percentiles. Client and server share the machine, so the figures are a
//! floor for the server alone.
//!
//! Scenarios:
//! - QueryAiCallTaskPage, 10,000 stored tasks: first page of 50, and a
//!   name filter that scans every task;
//! - CreateAiCallTask in memory;
//! - CreateAiCallTask with a state file already holding 10,000 tasks, 1,000
//!   creates at 8 in flight: group commit shares each rewrite of the file.
//!
//! `AICALL_BENCH_SCALE=0.1` shrinks every count, for a quick look.
#![allow(clippy::unwrap_used)]

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use aicall::api::sign;
use aicall::emulator::{Config, Emulator, NewTask};

const CLIENTS: usize = 8;
const STORED: usize = 10_000;

struct Signer {
    http: reqwest::Client,
    endpoint: String,
    id: String,
    secret: String,
}

impl Signer {
    async fn call(&self, action: &str, params: &[(&str, &str)]) -> (u16, String) {
        let timestamp = jiff::Timestamp::now()
            .strftime("%Y-%m-%dT%H:%M:%SZ")
            .to_string();
        let nonce = uuid::Uuid::new_v4().to_string();
        let mut pairs: Vec<(&str, &str)> = vec![
            ("Action", action),
            ("Format", "json"),
            ("Version", "2019-10-15"),
            ("Timestamp", &timestamp),
            ("SignatureNonce", &nonce),
            ("SignatureMethod", sign::V1_METHOD),
            ("SignatureVersion", sign::V1_VERSION),
            ("AccessKeyId", &self.id),
        ];
        pairs.extend_from_slice(params);
        let string_to_sign = sign::v1_string_to_sign("POST", pairs.iter().copied());
        let signature = sign::v1_signature(&self.secret, &string_to_sign);
        pairs.push(("Signature", &signature));
        let query = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&pairs)
            .finish();
        let response = self
            .http
            .post(format!("{}/?{query}", self.endpoint))
            .send()
            .await
            .unwrap();
        let status = response.status().as_u16();
        (status, response.text().await.unwrap())
    }
}

struct Figures {
    requests: u64,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Figures {
    fn print(&self, name: &str) {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let at = |q: f64| sorted[((sorted.len() as f64 - 1.0) * q) as usize];
        println!(
            "{name:<58} {:>8.0} req/s  p50 {:>6.2} ms  p99 {:>6.2} ms  ({} requests in {:.2} s)",
            self.requests as f64 / self.elapsed.as_secs_f64(),
            at(0.50).as_secs_f64() * 1e3,
            at(0.99).as_secs_f64() * 1e3,
            self.requests,
            self.elapsed.as_secs_f64(),
        );
    }
}

/// Runs `total` requests from `CLIENTS` concurrent workers; `request(i)`
/// makes the i-th, which must succeed.
async fn drive<F, Fut>(total: u64, request: F) -> Figures
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = (u16, String)> + Send,
{
    let request = Arc::new(request);
    let next = Arc::new(AtomicU64::new(0));
    let started = Instant::now();
    let mut workers = Vec::new();
    for _ in 0..CLIENTS {
        let request = request.clone();
        let next = next.clone();
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return latencies;
                }
                let sent = Instant::now();
                let (status, body) = request(i).await;
                latencies.push(sent.elapsed());
                assert!(
                    status == 200 && body.contains("\"Success\":true"),
                    "{status} {body}"
                );
            }
        }));
    }
    let mut latencies = Vec::new();
    for worker in workers {
        latencies.extend(worker.await.unwrap());
    }
    Figures {
        requests: total,
        elapsed: started.elapsed(),
        latencies,
    }
}

async fn start(config: Config, stored: usize) -> (Emulator, Arc<Signer>) {
    let emulator = Emulator::start(config).await.unwrap();
    if stored > 0 {
        let tasks = (0..stored)
            .map(|i| NewTask::example(format!("stored task {i:05}")))
            .collect();
        emulator.seed(tasks).await.unwrap();
    }
    let _ = rustls::crypto::ring::default_provider().install_default();
    let signer = Arc::new(Signer {
        http: reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(CLIENTS)
            .build()
            .unwrap(),
        endpoint: emulator.endpoint(),
        id: emulator.access_key_id().to_owned(),
        secret: emulator.access_key_secret().expose().to_owned(),
    });
    (emulator, signer)
}

fn create_params(name: &str) -> [(&str, &str); 7] {
    [
        ("TaskName", name),
        ("AgentId", "1180123456789012345"),
        ("VirtualNumber", "0327121220001"),
        ("StartType", "IMMEDIATE"),
        ("CallDay", r#"["MONDAY","FRIDAY"]"#),
        (
            "CallTime",
            r#"["{\"startTime\":\"09:00:00\",\"endTime\":\"12:00:00\"}"]"#,
        ),
        ("TaskCps", "10"),
    ]
}

async fn creates(signer: Arc<Signer>, total: u64, prefix: &'static str) -> Figures {
    drive(total, move |i| {
        let signer = signer.clone();
        async move {
            let name = format!("{prefix} {i}");
            signer.call("CreateAiCallTask", &create_params(&name)).await
        }
    })
    .await
}

fn main() {
    let scale: f64 = std::env::var("AICALL_BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let count = |n: u64| ((n as f64 * scale) as u64).max(CLIENTS as u64);
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        println!(
            "emulator benchmark: {CLIENTS} concurrent V1-signed clients over loopback, {} cores",
            std::thread::available_parallelism().map_or(0, |n| n.get())
        );

        let (emulator, signer) = start(Config::default(), STORED).await;
        let page = {
            let signer = signer.clone();
            drive(count(20_000), move |_| {
                let signer = signer.clone();
                async move {
                    signer
                        .call("QueryAiCallTaskPage", &[("PageSize", "50")])
                        .await
                }
            })
            .await
        };
        page.print("QueryAiCallTaskPage, 10,000 tasks, PageSize 50");
        let filtered = {
            let signer = signer.clone();
            drive(count(10_000), move |_| {
                let signer = signer.clone();
                async move {
                    signer
                        .call(
                            "QueryAiCallTaskPage",
                            &[("PageSize", "50"), ("TaskName", "TASK 0999")],
                        )
                        .await
                }
            })
            .await
        };
        filtered.print("QueryAiCallTaskPage, 10,000 tasks, fuzzy TaskName filter");
        emulator.shutdown().await.unwrap();

        let (emulator, signer) = start(Config::default(), 0).await;
        creates(signer, count(10_000), "memory")
            .await
            .print("CreateAiCallTask, in memory");
        emulator.shutdown().await.unwrap();

        let dir = tempfile::tempdir().unwrap();
        let state = dir.path().join("state.json");
        let config = Config {
            state_file: Some(state.clone()),
            ..Config::default()
        };
        let (emulator, signer) = start(config, STORED).await;
        let before = std::fs::metadata(&state).unwrap().len();
        creates(signer, count(1_000), "durable")
            .await
            .print("CreateAiCallTask, state file of 10,000 tasks (fsync each)");
        emulator.shutdown().await.unwrap();
        println!(
            "  state file: {:.1} MiB before, {:.1} MiB after",
            before as f64 / 1048576.0,
            std::fs::metadata(&state).unwrap().len() as f64 / 1048576.0
        );
    });
}
