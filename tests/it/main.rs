//! Integration tests: the real `aicall` binary, and the real emulator on
//! 127.0.0.1. One module per area.

/// The API client against the emulator: round trips, paging, retries, faults.
mod client;
/// The emulator over raw signed HTTP, and the `aicall emulator` binary.
mod emulator;
/// The official Python SDK against the emulator, both signature modes.
mod sdk;
