//! What the emulator has seen, for test assertions ("the client retried
//! once after the throttle", "exactly one create reached the server").

use std::collections::BTreeMap;

/// Counters since the emulator started.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EmulatorStats {
    /// Every request received, whatever became of it.
    pub requests: u64,
    /// Requests per known action (`CreateAiCallTask`, …), counted once the
    /// action is known to exist, whether or not the signature was right.
    pub by_action: BTreeMap<String, u64>,
    /// Replies per `Code` (`OK`, `SignatureDoesNotMatch`, …).
    pub by_code: BTreeMap<String, u64>,
    /// Requests answered `Throttling.User`: by fault injection or over quota.
    pub throttled: u64,
    /// Of those, the requests over their operation's quota.
    pub over_quota: u64,
    /// Requests answered `Throttling.User`, per action.
    pub throttled_by_action: BTreeMap<String, u64>,
    /// Requests answered `ServiceUnavailable` by fault injection.
    pub unavailable: u64,
    /// Creates committed whose connection was then closed unanswered.
    pub dropped_replies: u64,
}

impl EmulatorStats {
    /// Requests received for `action`.
    pub fn action(&self, action: &str) -> u64 {
        self.by_action.get(action).copied().unwrap_or(0)
    }

    /// Requests of `action` answered `Throttling.User`.
    pub fn throttled(&self, action: &str) -> u64 {
        self.throttled_by_action.get(action).copied().unwrap_or(0)
    }

    /// Replies that carried `code`.
    pub fn code(&self, code: &str) -> u64 {
        self.by_code.get(code).copied().unwrap_or(0)
    }
}
