//! Integration tests: the real `aicall` binary, and the real emulator on
//! 127.0.0.1. One module per area.

/// The fluent helper that runs the binary; shared by every area.
mod harness;
/// `aicall validate` and `aicall schema`: fixtures, examples, discovery.
mod validate;
