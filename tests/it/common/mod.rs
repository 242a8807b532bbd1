//! What every area of the integration tests shares: the fluent helper that
//! runs the binary ([`harness`]), the library's client against an
//! in-process emulator ([`api`]), an emulator in the test process with
//! the binary pointed at it ([`cloud`]), and a raw signed-HTTP client for
//! the emulator ([`raw`]).

/// The in-process emulator and a create request, for tests of the API
/// client.
pub mod api;
/// An emulator in the test process with the binary pointed at it; the
/// fixture manifest and account; account assertions.
pub mod cloud;
/// The fluent helper that runs the binary, and the snapshot macro.
pub mod harness;
/// A raw signed-HTTP client for the emulator: the wire contract itself.
pub mod raw;
