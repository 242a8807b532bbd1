//! Integration tests: the real `aicall` binary, and the real emulator on
//! 127.0.0.1. One module per area.

// The whole crate is test code: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used)]

/// `aicall apply` against the emulator: convergence, exactly once, saved plans.
mod apply;
/// The layers of `src/`, checked on the source: who may use whom.
mod architecture;
/// The CI kit: GitHub annotations, the job summary, apply's JSON lines,
/// `--target`, completions, `--version`.
mod ci;
/// The API client against the emulator: round trips, paging, retries, faults.
mod client;
/// Shared by every area: the binary's harness and the in-process emulator.
mod common;
/// Converging existing tasks: update, restart, rename, declared status.
mod converge;
/// Issue 12: every credentials source and mode, refreshes, expiry, and no
/// connection when nothing is configured.
mod credentials;
/// The emulator over raw signed HTTP, and the `aicall emulator` binary.
mod emulator;
/// `aicall export`: adopted accounts round-trip through validate and plan.
mod export;
/// Issue 7's inputs that hung or wedged a run, or were read wrongly: files
/// that are not regular, broken links, long names and values, date edges,
/// leap seconds, look-alike names.
mod inputs;
/// Pacing, retries and the deadline under quotas and faults (issue 10).
mod pacing;
/// `aicall plan` against the emulator: verdicts, formats, exit codes.
mod plan;
/// Regression tests named after the issue they pin.
mod regression;
/// The request budget of plan and apply (the timings are benchmarks).
mod scale;
/// The official Python SDK against the emulator, both signature modes.
mod sdk;
/// Issue 7: credentials never reach output, whichever way they came in.
mod secrets;
/// Saved plans edited field by field: each refused before any request.
mod tamper;
/// `apply` on a pseudo-terminal: the confirmation prompt.
mod terminal;
/// `aicall validate` and `aicall schema`: fixtures, examples, discovery.
mod validate;
