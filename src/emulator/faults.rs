//! Fault injection, off by default: added latency, throttling and 503s on
//! a fixed rhythm, and for each write (create, update, start, stop) one
//! refused outright or one whose reply is lost after it took effect (for
//! creates also every Nth).
//!
//! Counting requests instead of drawing random numbers makes every fault
//! deterministic, so a test that needs "the third request is throttled"
//! gets exactly that, with no sleeping and no flakiness.

use std::time::Duration;

use super::operation::Operation;
use super::service_error::ServiceError;

/// Which faults to inject. `Default` injects none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Faults {
    /// Added to every request before it is handled.
    pub latency: Duration,
    /// Every Nth request (counting all requests from 1) is answered 400
    /// `Throttling.User` without being executed.
    pub throttle_every: Option<u64>,
    /// Every Nth request is answered 503 `ServiceUnavailable` without being
    /// executed. Throttling wins when both fall on one request.
    pub unavailable_every: Option<u64>,
    /// The Nth `CreateAiCallTask` (counting authenticated ones from 1) is
    /// executed and made durable, then its connection is closed without a
    /// reply: the client cannot know whether the task exists.
    pub drop_create_reply: Option<u64>,
    /// Every Nth `CreateAiCallTask` (counted like `drop_create_reply`) is
    /// executed, then loses its reply the same way.
    pub drop_create_reply_every: Option<u64>,
    /// The Nth `CreateAiCallTask` (counted like `drop_create_reply`) is
    /// refused with 400 `InvalidParameter` without being executed: a
    /// definite failure of one task among others.
    pub refuse_create: Option<u64>,
    /// The Nth `UpdateAiCallTask` is refused with `InvalidParameter`,
    /// without being executed.
    pub refuse_update: Option<u64>,
    /// The Nth `StartAiCallTask` is refused likewise.
    pub refuse_start: Option<u64>,
    /// The Nth `StopAiCallTask` is refused likewise.
    pub refuse_stop: Option<u64>,
    /// The Nth `UpdateAiCallTask` is executed, then its connection closed
    /// without a reply.
    pub drop_update_reply: Option<u64>,
    /// The Nth `StartAiCallTask` is executed, then left unanswered.
    pub drop_start_reply: Option<u64>,
    /// The Nth `StopAiCallTask` is executed, then left unanswered.
    pub drop_stop_reply: Option<u64>,
}

impl Faults {
    /// The injected failure for request number `n` (from 1), if any.
    pub(crate) fn for_request(&self, n: u64) -> Option<ServiceError> {
        if every(self.throttle_every, n) {
            Some(ServiceError::Throttled)
        } else if every(self.unavailable_every, n) {
            Some(ServiceError::Unavailable)
        } else {
            None
        }
    }

    /// Whether write number `n` (from 1) of `operation` is refused
    /// outright. Reads are never refused this way.
    pub(crate) fn refuses(&self, operation: Operation, n: u64) -> bool {
        let nth = match operation {
            Operation::Create => self.refuse_create,
            Operation::Update => self.refuse_update,
            Operation::Start => self.refuse_start,
            Operation::Stop => self.refuse_stop,
            Operation::Page | Operation::Detail => None,
        };
        nth == Some(n)
    }

    /// Whether write number `n` (from 1) of `operation` loses its reply
    /// after it took effect.
    pub(crate) fn drops(&self, operation: Operation, n: u64) -> bool {
        let nth = match operation {
            Operation::Create if every(self.drop_create_reply_every, n) => return true,
            Operation::Create => self.drop_create_reply,
            Operation::Update => self.drop_update_reply,
            Operation::Start => self.drop_start_reply,
            Operation::Stop => self.drop_stop_reply,
            Operation::Page | Operation::Detail => None,
        };
        nth == Some(n)
    }
}

/// `Some(0)` never fires.
fn every(period: Option<u64>, n: u64) -> bool {
    matches!(period, Some(k) if k > 0 && n.is_multiple_of(k))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_nth_request_and_throttling_first() {
        let faults = Faults {
            throttle_every: Some(3),
            unavailable_every: Some(2),
            ..Faults::default()
        };
        let codes: Vec<String> = (1..=6)
            .map(|n| {
                faults
                    .for_request(n)
                    .map_or("-".into(), |e| e.code().into_owned())
            })
            .collect();
        assert_eq!(
            codes,
            [
                "-",
                "ServiceUnavailable",
                "Throttling.User",
                "ServiceUnavailable",
                "-",
                "Throttling.User"
            ]
        );
    }

    #[test]
    fn off_by_default_and_the_drop_fires_once() {
        let none = Faults::default();
        assert!(
            (1..100).all(|n| none.for_request(n).is_none() && !none.drops(Operation::Create, n))
        );
        let drop = Faults {
            drop_create_reply: Some(2),
            ..Faults::default()
        };
        assert_eq!(
            (1..10)
                .filter(|n| drop.drops(Operation::Create, *n))
                .collect::<Vec<_>>(),
            [2]
        );
        let every_fifth = Faults {
            drop_create_reply_every: Some(5),
            ..Faults::default()
        };
        assert_eq!(
            (1..16)
                .filter(|n| every_fifth.drops(Operation::Create, *n))
                .collect::<Vec<_>>(),
            [5, 10, 15]
        );
        let zero = Faults {
            throttle_every: Some(0),
            ..Faults::default()
        };
        assert!(zero.for_request(1).is_none());
    }
}
