//! Running the real binary and measuring it, shared by the benchmarks that
//! time whole commands (`scale`, `export`): the settings both run at, the
//! emulator they run against, and the figures they print.

use std::ffi::OsStr;
use std::fmt::Debug;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aicall::emulator::{Config, Emulator, Faults, Quotas};

/// Added to every request the emulator answers.
pub const LATENCY: Duration = Duration::from_millis(20);
/// Tasks in the account.
pub const ACCOUNT: usize = 10_000;
/// `--page-size`: the emulator's largest.
pub const PAGE_SIZE: u32 = 100;
/// `--parallelism` and `--read-parallelism`.
pub const PARALLELISM: u32 = 8;
/// `--rate-limit`: high enough that pacing is not the limit.
pub const RATE_LIMIT: &str = "10000";

/// How many times each scenario runs: `AICALL_BENCH_RUNS`, default 3, at
/// least 1.
pub fn runs() -> usize {
    std::env::var("AICALL_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1)
}

/// The runtime the emulator and the scenarios run on.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap()
}

/// An emulator in this process adding `latency` to every request, with
/// `quotas`.
pub async fn start_emulator(latency: Duration, quotas: Quotas) -> Emulator {
    Emulator::start(Config {
        faults: Faults {
            latency,
            ..Faults::default()
        },
        quotas,
        ..Config::default()
    })
    .await
    .unwrap()
}

/// The environment that points the binary at `emulator`: its endpoint and
/// its access key.
pub fn connection(emulator: &Emulator) -> Vec<(&'static str, String)> {
    vec![
        ("AICALL_ENDPOINT", emulator.endpoint()),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_ID",
            emulator.access_key_id().to_owned(),
        ),
        (
            "ALIBABA_CLOUD_ACCESS_KEY_SECRET",
            emulator.access_key_secret().expose().to_owned(),
        ),
    ]
}

/// Best and median wall time, and the highest peak memory, of `runs`
/// (sorted by wall time on the way).
pub fn summarise(runs: &mut [Run]) -> (Duration, Duration, Option<u64>) {
    runs.sort_by_key(|r| r.wall);
    let best = runs[0].wall;
    let median = runs[runs.len() / 2].wall;
    let peak = runs.iter().filter_map(|r| r.peak_kib).max();
    (best, median, peak)
}

/// What the median run by wall time saw: `runs` pairs each run's wall
/// time with, e.g., the emulator's counts (sorted on the way).
pub fn median_by_wall<T>(runs: &mut [(Duration, T)]) -> &T {
    runs.sort_by_key(|(wall, _)| *wall);
    &runs[runs.len() / 2].1
}

/// The round-trip floor: within a phase, ⌈requests ÷ parallelism⌉ round
/// trips of `latency` each; phases (first page; remaining pages or
/// look-ups; details; creates) can only start once the one before has
/// answered, so they add up. One phase of all requests is the issue's
/// floor, a lower bound.
pub fn rounds(phases: &[u64], parallelism: u32, latency: Duration) -> Duration {
    let rounds: u64 = phases
        .iter()
        .map(|n| n.div_ceil(u64::from(parallelism)))
        .sum();
    latency * u32::try_from(rounds).unwrap_or(u32::MAX)
}

/// One run of the binary: wall time, peak resident memory, its output.
pub struct Run {
    pub wall: Duration,
    pub peak_kib: Option<u64>,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `aicall args...` in `dir` with `env` added, and measures it; panics
/// with its stderr unless it exits 0. Peak memory is the child's VmHWM,
/// read from /proc while it runs (Linux only: `None` elsewhere).
pub fn run_binary<A: AsRef<OsStr> + Debug>(dir: &Path, args: &[A], env: &[(&str, String)]) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aicall"));
    command
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (key, value) in env {
        command.env(key, value);
    }
    let started = Instant::now();
    let child = command.spawn().unwrap();
    let pid = child.id();
    let watcher = std::thread::spawn(move || {
        let mut peak = None;
        let status = format!("/proc/{pid}/status");
        while let Ok(text) = std::fs::read_to_string(&status) {
            if let Some(kib) = text
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
            {
                peak = Some(kib);
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        peak
    });
    let output = child.wait_with_output().unwrap();
    let wall = started.elapsed();
    let peak_kib = watcher.join().unwrap();
    assert!(
        output.status.code() == Some(0),
        "aicall {args:?} failed: {}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
    Run {
        wall,
        peak_kib,
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// `12.3 MiB`, or `n/a` where memory could not be read.
pub fn mib(kib: Option<u64>) -> String {
    kib.map_or_else(
        || "n/a".to_owned(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}
