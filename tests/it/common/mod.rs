//! What every area of the integration tests shares: the fluent helper that
//! runs the binary ([`harness`]) and an emulator in the test process with
//! the binary pointed at it ([`cloud`]).

/// An emulator in the test process with the binary pointed at it; the
/// fixture manifest and account; account assertions.
pub mod cloud;
/// The fluent helper that runs the binary, and the snapshot macro.
pub mod harness;
