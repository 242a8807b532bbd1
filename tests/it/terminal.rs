//! `apply` on a real terminal (a pseudo-terminal): the confirmation prompt,
//! `yes` proceeding, anything else cancelling with nothing created; and
//! `plan`'s progress while it reads the account, shown only there.
//!
//! The test waits for the prompt text before answering, so nothing depends
//! on timing.

use std::io::{Read as _, Write as _};
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

use portable_pty::{CommandBuilder, PtySize, native_pty_system};

use crate::common::harness::{Test, repo_root};

const PROMPT: &str = "Only `yes` is accepted:";

/// Runs `aicall args` on a terminal in `dir`, answers the prompt with
/// `answer` (when there is one to answer), and returns the exit code and
/// everything the terminal showed.
fn on_terminal(dir: &Path, args: &[&str], answer: &str) -> (u32, String) {
    on_terminal_answering(dir, args, Some(answer))
}

fn on_terminal_answering(dir: &Path, args: &[&str], answer: Option<&str>) -> (u32, String) {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: 50,
            cols: 200,
            pixel_width: 0,
            pixel_height: 0,
        })
        .unwrap();
    let mut command = CommandBuilder::new(env!("CARGO_BIN_EXE_aicall"));
    command.args(args);
    command.cwd(dir);
    command.env_clear();
    command.env("HOME", dir);
    command.env("NO_COLOR", "1");
    // As a real terminal would: without TERM, indicatif draws nothing.
    command.env("TERM", "xterm-256color");
    if let Some(path) = std::env::var_os("PATH") {
        command.env("PATH", path);
    }
    let mut child = pty.slave.spawn_command(command).unwrap();
    drop(pty.slave);

    let mut reader = pty.master.try_clone_reader().unwrap();
    let (chunks, received) = mpsc::channel::<Vec<u8>>();
    let pump = std::thread::spawn(move || {
        let mut buffer = [0u8; 4096];
        // Ends with EOF or EIO once the child has exited.
        while let Ok(n @ 1..) = reader.read(&mut buffer) {
            if chunks.send(buffer[..n].to_vec()).is_err() {
                break;
            }
        }
    });

    let mut shown = Vec::new();
    while answer.is_some() && !String::from_utf8_lossy(&shown).contains(PROMPT) {
        match received.recv_timeout(Duration::from_secs(60)) {
            Ok(chunk) => shown.extend(chunk),
            Err(_) => panic!(
                "no prompt within 60 s; the terminal showed:\n{}",
                String::from_utf8_lossy(&shown)
            ),
        }
    }
    let mut writer = pty.master.take_writer().unwrap();
    if let Some(answer) = answer {
        writer.write_all(format!("{answer}\r").as_bytes()).unwrap();
        writer.flush().unwrap();
    }

    let status = child.wait().unwrap();
    drop(writer);
    drop(pty.master);
    while let Ok(chunk) = received.recv_timeout(Duration::from_secs(5)) {
        shown.extend(chunk);
    }
    let _ = pump.join();
    (
        status.exit_code(),
        String::from_utf8_lossy(&shown).replace("\r\n", "\n"),
    )
}

fn with_examples() -> Test {
    let test = Test::new();
    for entry in std::fs::read_dir(repo_root().join("examples")).unwrap() {
        let path = entry.unwrap().path();
        // The manifests only; `examples/ci/` holds CI files.
        if path.is_dir() {
            continue;
        }
        std::fs::copy(&path, test.path().join(path.file_name().unwrap())).unwrap();
    }
    test
}

/// The plan's closing line for the examples in `dir` (no terminal).
fn to_create(dir: &Path) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_aicall"))
        .args(["plan", "--local", "."])
        .current_dir(dir)
        .env_clear()
        .env("HOME", dir)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .lines()
        .find(|l| l.starts_with("Plan:"))
        .unwrap()
        .to_owned()
}

#[test]
fn yes_on_a_terminal_creates_the_tasks() {
    let test = with_examples();
    let (code, shown) = on_terminal(test.path(), &["apply", "--local", "."], "yes");
    assert_eq!(code, 0, "{shown}");
    assert!(
        shown.contains("Create 9 tasks? Only `yes` is accepted: yes"),
        "{shown}"
    );
    assert!(shown.contains("Apply complete: 9 created."), "{shown}");
    assert!(to_create(test.path()).starts_with("Plan: 0 to create"));
}

#[test]
fn anything_but_yes_cancels_and_creates_nothing() {
    let test = with_examples();
    for answer in ["no", "y", "YES", ""] {
        let (code, shown) = on_terminal(test.path(), &["apply", "--local", "."], answer);
        assert_eq!(code, 1, "{answer:?}: {shown}");
        assert!(
            shown.contains("Apply cancelled: nothing was changed."),
            "{shown}"
        );
    }
    assert!(to_create(test.path()).starts_with("Plan: 9 to create"));
}

/// Issue 10: reading the account shows how far it has come, on a terminal.
#[test]
fn plan_shows_its_progress_on_a_terminal() {
    let test = with_examples();
    let (code, shown) = on_terminal_answering(test.path(), &["plan", "--local", "."], None);
    assert_eq!(code, 0, "{shown}");
    assert!(shown.contains("reading the account: 1/1 page, "), "{shown}");
    assert!(shown.contains("Plan: 9 to create"), "{shown}");
}
