//! What every area of the integration tests shares: the fluent helper that
//! runs the binary ([`harness`]), an emulator in the test process with
//! the binary pointed at it ([`cloud`]), and a raw signed-HTTP client for
//! the emulator ([`raw`]).

/// An emulator in the test process with the binary pointed at it; the
/// fixture manifest and account; account assertions.
pub mod cloud;
/// The fluent helper that runs the binary, and the snapshot macro.
pub mod harness;
/// A raw signed-HTTP client for the emulator: the wire contract itself.
pub mod raw;
