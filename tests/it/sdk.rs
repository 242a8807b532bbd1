//! The official Python SDK (`alibabacloud-aiccs20191015`, pinned in
//! `tests/sdk/requirements.txt`) against the emulator, in both signature
//! modes: if the real client cannot tell the emulator from the service,
//! `tests/sdk/scenario.py` passes.
//!
//! The venv (`target/sdk-venv`) is created by `tests/sdk/setup.sh`, which
//! `.ci/run` calls and which these tests call too (it does nothing when the
//! venv is up to date), so `cargo test` works on a fresh machine. Without
//! Python or PyPI the tests fail; set `AICALL_SKIP_SDK_TESTS=1` to skip
//! them explicitly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;
use std::time::Duration;

use aicall::emulator::{Config, Emulator};

use crate::common::harness::{kill, repo_root};

/// Hard bound on one scenario run; a normal run takes a second or two.
const RUN_TIMEOUT: Duration = Duration::from_secs(60);

fn skipped() -> bool {
    std::env::var(aicall::env::AICALL_SKIP_SDK_TESTS).is_ok_and(|v| v == "1")
}

/// Runs `tests/sdk/setup.sh` once per test process; returns the venv's
/// python, or panics with the script's output.
fn python() -> PathBuf {
    static SETUP: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let result = SETUP.get_or_init(|| {
        let output = Command::new("bash")
            .arg(repo_root().join("tests/sdk/setup.sh"))
            .current_dir(repo_root())
            .stdin(Stdio::null())
            .output()
            .map_err(|err| format!("cannot run bash tests/sdk/setup.sh: {err}"))?;
        if !output.status.success() {
            return Err(format!(
                "tests/sdk/setup.sh failed ({}); install python3 with venv and pip, \
                 or set {}=1 to skip these tests\n{}{}",
                output.status,
                aicall::env::AICALL_SKIP_SDK_TESTS,
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            ));
        }
        Ok(repo_root().join("target/sdk-venv/bin/python"))
    });
    match result {
        Ok(python) => python.clone(),
        Err(message) => panic!("{message}"),
    }
}

/// Runs the scenario with `mode` against `emulator`, killing it after
/// [`RUN_TIMEOUT`].
fn run_scenario(python: &Path, emulator: &Emulator, mode: &str) -> Output {
    let mut command = Command::new(python);
    command
        .arg(repo_root().join("tests/sdk/scenario.py"))
        .current_dir(repo_root())
        .env("AICALL_SDK_ENDPOINT", emulator.addr().to_string())
        .env("AICALL_SDK_ACCESS_KEY_ID", emulator.access_key_id())
        .env(
            "AICALL_SDK_ACCESS_KEY_SECRET",
            emulator.access_key_secret().expose(),
        )
        .env("AICALL_SDK_SIGNATURE", mode)
        .env("NO_PROXY", "127.0.0.1,localhost")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    // Loopback only: no proxy may see these requests.
    for proxy in [
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "http_proxy",
        "https_proxy",
        "all_proxy",
    ] {
        command.env_remove(proxy);
    }
    let child = command.spawn().unwrap();
    let pid = child.id();
    let (done, finished) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = done.send(child.wait_with_output());
    });
    match finished.recv_timeout(RUN_TIMEOUT) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            kill(pid);
            panic!("the {mode} scenario did not finish within {RUN_TIMEOUT:?}");
        }
    }
}

fn scenario_passes(mode: &str) {
    if skipped() {
        eprintln!(
            "{} is set: SDK {mode} scenario skipped",
            aicall::env::AICALL_SKIP_SDK_TESTS
        );
        return;
    }
    let python = python();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let emulator = runtime
        .block_on(Emulator::start(Config::default()))
        .unwrap();
    let output = run_scenario(&python, &emulator, mode);
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains(&format!("[{mode}] scenario passed")),
        "SDK {mode} scenario failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    // Every request reached the emulator through the signature check.
    let stats = emulator.stats();
    assert!(stats.action("CreateAiCallTask") >= 3, "{stats:?}");
    assert_eq!(stats.code("SignatureDoesNotMatch"), 1, "{stats:?}");
    runtime.block_on(emulator.shutdown()).unwrap();
}

/// The SDK's default: V3, `ACS3-HMAC-SHA256` (`aiccs-api.md` §2.1, §2.4).
#[test]
fn official_sdk_v3_scenario() {
    scenario_passes("v3");
}

/// `signature_algorithm="v2"`: V1, RPC-style HMAC-SHA1 (§2.2).
#[test]
fn official_sdk_v1_scenario() {
    scenario_passes("v1");
}
