//! Running the real binary and measuring it, shared by the benchmarks that
//! time whole commands (`scale`, `export`).

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

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
pub fn run_binary(dir: &Path, args: &[&str], env: &[(&str, String)]) -> Run {
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
