//! A fluent helper for running the real `aicall` binary, shaped like
//! casey/just's `tests/test.rs`: a test reads top to bottom like a terminal
//! session.
//!
//! ```ignore
//! let output = Test::new()
//!     .write("tasks.yaml", "version: 1\n...")
//!     .env("AGENT_ID", "118012345678901234")
//!     .args(["validate", "tasks.yaml"])
//!     .run();
//! aicall_snapshot!(output);
//! ```
//!
//! Every test gets a fresh temporary directory, which is also the working
//! directory (unless `.current_dir` says otherwise) and `HOME`. The binary
//! does not inherit the developer's environment: it starts from an empty
//! one (so no `ALIBABA_CLOUD_*`, `ALICLOUD_*`, `AICALL_*`, `NO_COLOR` or
//! profile of the person running the tests leaks in), plus `PATH` and
//! whatever `.env` adds.
//!
//! [`aicall_snapshot!`] snapshots exit code, stdout and stderr together,
//! with volatile parts replaced: the temporary directory by `[TEMP]`,
//! loopback ports by `[PORT]`, durations by `[TIME]`.

#![allow(clippy::unwrap_used, dead_code)]

use std::ffi::OsString;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// The repository root, for tests that run on committed files.
pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The binary, with nothing of the developer's environment: an empty one
/// but `HOME` (set to `home`) and, when set, `PATH`, `SYSTEMROOT` and
/// `LLVM_PROFILE_FILE`. Every way the tests start it starts here.
pub fn isolated_command(home: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_aicall"));
    command.env_clear().env("HOME", home);
    for key in ["PATH", "SYSTEMROOT", "LLVM_PROFILE_FILE"] {
        if let Some(value) = std::env::var_os(key) {
            command.env(key, value);
        }
    }
    command
}

/// One run of the binary, being described.
pub struct Test {
    dir: tempfile::TempDir,
    current_dir: PathBuf,
    args: Vec<OsString>,
    env: Vec<(OsString, OsString)>,
    stdin: Option<Vec<u8>>,
}

impl Default for Test {
    fn default() -> Self {
        Test::new()
    }
}

impl Test {
    /// A run in a fresh temporary directory, with no arguments yet.
    pub fn new() -> Test {
        let dir = tempfile::Builder::new()
            .prefix("aicall-test-")
            .tempdir()
            .unwrap();
        let current_dir = dir.path().to_path_buf();
        Test {
            dir,
            current_dir,
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
        }
    }

    /// The temporary directory.
    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// Adds one argument.
    pub fn arg(mut self, arg: impl Into<OsString>) -> Test {
        self.args.push(arg.into());
        self
    }

    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Test
    where
        I: IntoIterator<Item = S>,
        S: Into<OsString>,
    {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    /// Sets an environment variable for the binary.
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Runs in `dir`: relative paths are taken from the temporary directory.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Test {
        self.current_dir = self.dir.path().join(dir);
        self
    }

    /// Writes `text` to `path` below the temporary directory (parents
    /// created). Leading indentation common to all lines is removed, so
    /// tests can indent manifests with the code.
    pub fn write(self, path: impl AsRef<Path>, text: impl AsRef<str>) -> Test {
        self.write_bytes(path, unindent(text.as_ref()).as_bytes())
    }

    /// Writes raw bytes to `path` below the temporary directory.
    pub fn write_bytes(self, path: impl AsRef<Path>, bytes: &[u8]) -> Test {
        let path = self.dir.path().join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        std::fs::write(path, bytes).unwrap();
        self
    }

    /// Creates an empty directory below the temporary directory.
    pub fn mkdir(self, path: impl AsRef<Path>) -> Test {
        std::fs::create_dir_all(self.dir.path().join(path)).unwrap();
        self
    }

    /// Feeds `text` on standard input (otherwise stdin is empty).
    pub fn stdin(mut self, text: impl Into<Vec<u8>>) -> Test {
        self.stdin = Some(text.into());
        self
    }

    /// Runs the binary and waits for it.
    pub fn run(&self) -> Output {
        let child = self.spawn();
        self.finish(child)
    }

    /// Runs the binary, killing it if it has not ended within `limit`:
    /// for inputs that used to hang it (issue 7), so that a regression is
    /// a failure with the output so far, not a test run that never ends.
    /// The limit is generous; a run that ends in time costs nothing more.
    #[track_caller]
    pub fn run_within(&self, limit: Duration) -> Output {
        let child = self.spawn();
        let pid = child.id();
        let (done, finished) = mpsc::channel();
        std::thread::scope(|scope| {
            scope.spawn(|| {
                let _ = done.send(self.finish(child));
            });
            match finished.recv_timeout(limit) {
                Ok(output) => output,
                Err(_) => {
                    kill(pid);
                    let output = finished.recv().unwrap();
                    panic!(
                        "the binary did not end within {limit:?}: killed\n{}",
                        output.snapshot()
                    );
                }
            }
        })
    }

    fn spawn(&self) -> Child {
        let mut command = isolated_command(self.dir.path());
        command
            .args(&self.args)
            .current_dir(&self.current_dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command.spawn().unwrap()
    }

    fn finish(&self, mut child: Child) -> Output {
        let mut stdin = child.stdin.take().unwrap();
        if let Some(bytes) = &self.stdin {
            // The binary may exit before reading; a closed pipe is fine.
            let _ = stdin.write_all(bytes);
        }
        drop(stdin);
        let output = child.wait_with_output().unwrap();
        Output {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            temp: self.dir.path().to_path_buf(),
        }
    }
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Output {
    /// The exit code (-1 when killed by a signal).
    pub code: i32,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    temp: PathBuf,
}

impl Output {
    /// Exit code, stdout and stderr in one text, the temporary directory
    /// replaced by `[TEMP]`: what `aicall_snapshot!` records.
    pub fn snapshot(&self) -> String {
        self.filtered(&format!(
            "exit: {}\n----- stdout -----\n{}----- stderr -----\n{}",
            self.code, self.stdout, self.stderr
        ))
    }

    /// `text` with the temporary directory replaced by `[TEMP]`.
    pub fn filtered(&self, text: &str) -> String {
        let mut text = text.to_owned();
        for temp in [
            std::fs::canonicalize(&self.temp).unwrap_or_else(|_| self.temp.clone()),
            self.temp.clone(),
        ] {
            text = text.replace(&*temp.to_string_lossy(), "[TEMP]");
        }
        text
    }

    /// Panics with the whole output unless the exit code is `code`.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Output {
        assert_eq!(self.code, code, "unexpected exit code\n{}", self.snapshot());
        self
    }
}

/// Regex filters for the volatile parts of output, for insta.
pub fn filters() -> Vec<(&'static str, &'static str)> {
    vec![
        (r"\b127\.0\.0\.1:\d+", "127.0.0.1:[PORT]"),
        (r"\blocalhost:\d+", "localhost:[PORT]"),
        (r"\b\d+(\.\d+)?(ns|µs|us|ms|s)\b", "[TIME]"),
        (r"aicall-test-[A-Za-z0-9]+", "[TEMP]"),
    ]
}

/// Snapshots an [`Output`]: exit code, stdout and stderr, filtered.
///
/// `aicall_snapshot!(output)` names the snapshot after the test,
/// `aicall_snapshot!(output, @"...")` keeps it inline, and
/// `aicall_snapshot!("name", output)` names it explicitly.
#[macro_export]
macro_rules! aicall_snapshot {
    ($output:expr) => {
        insta::with_settings!({ filters => $crate::common::harness::filters() }, {
            insta::assert_snapshot!($output.snapshot());
        })
    };
    ($output:expr, @$snapshot:literal) => {
        insta::with_settings!({ filters => $crate::common::harness::filters() }, {
            insta::assert_snapshot!($output.snapshot(), @$snapshot);
        })
    };
    ($name:expr, $output:expr) => {
        insta::with_settings!({ filters => $crate::common::harness::filters() }, {
            insta::assert_snapshot!($name, $output.snapshot());
        })
    };
}

/// Removes the indentation common to all non-blank lines, and a leading
/// line break, so `"\n    a: 1\n    b: 2\n"` becomes `"a: 1\nb: 2\n"`.
pub fn unindent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0);
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        out.push_str(line.get(indent..).unwrap_or(line.trim_start_matches(' ')));
    }
    out
}

/// Panics unless `text` contains `needle`, showing `text`.
#[track_caller]
pub fn assert_contains(text: &str, needle: &str) {
    assert!(text.contains(needle), "{needle:?} is missing from:\n{text}");
}

/// A test with `manifest` in `tasks.yaml` (unindented, as [`Test::write`]
/// does). Its directory outlives single runs: keep it, and start each run
/// in it with [`at`].
pub fn workspace(manifest: &str) -> Test {
    Test::new().write("tasks.yaml", manifest)
}

/// A run in `workspace`'s directory.
pub fn at(workspace: &Test) -> Test {
    Test::new().current_dir(workspace.path())
}

/// Sends `signal` (`-INT`, `-TERM`, `-STOP`…) to the process `pid` with
/// `kill`; the caller asserts it was delivered.
pub fn send_signal(pid: u32, signal: &str) -> ExitStatus {
    Command::new("kill")
        .args([signal, &pid.to_string()])
        .status()
        .unwrap()
}

/// [`manifest`]'s text: valid, one task named `NAME`.
const VALID: &str = r#"
    version: 1
    defaults:
      agentId: "118012345678901234"
      virtualNumber: "0327121220001"
      callDays: [MONDAY]
      callWindows: [{ start: "09:00", end: "12:00" }]
      start: immediate
    tasks:
      - name: NAME
"#;

/// A valid manifest with one task named `name` (written as given: quote
/// it in the argument when it needs quotes).
pub fn manifest(name: &str) -> String {
    unindent(VALID).replace("NAME", name)
}

/// Ends the process `pid` at once, whatever comes of it (the watchdog of
/// [`Test::run_within`]).
pub fn kill(pid: u32) {
    #[cfg(unix)]
    let _ = Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
    #[cfg(windows)]
    let _ = Command::new("taskkill")
        .args(["/F", "/PID", &pid.to_string()])
        .status();
}
