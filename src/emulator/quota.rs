//! Quotas as the gateway counts them (`aiccs-api.md` §8): per operation,
//! at most N requests in any rolling second; over quota, `400
//! Throttling.User` with `x-ratelimit-user-api`, before any side effect.
//!
//! A request counts once it is admitted; a throttled one does not, so a
//! client that waits the `TimeLeft` it is told always gets in next. Time is
//! tokio's, so tests on a paused clock see quotas in virtual time.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use super::operation::Operation;

/// The window a quota counts over: `N/1(s)`.
const WINDOW: Duration = Duration::from_secs(1);

/// Requests per rolling second allowed, per operation. `Default`: none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Quotas {
    /// The quota of every operation not listed in `per_operation`.
    pub every: Option<u32>,
    /// Quotas of single operations (`--quota-for ACTION=N`).
    pub per_operation: BTreeMap<Operation, u32>,
}

impl Quotas {
    /// `op`'s quota, if it has one.
    pub fn of(&self, op: Operation) -> Option<u32> {
        self.per_operation.get(&op).copied().or(self.every)
    }
}

/// A request over quota: what the header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct OverQuota {
    /// The quota.
    pub limit: u32,
    /// Until the oldest admitted request leaves the window.
    pub time_left: Duration,
}

/// The requests admitted in the last second, per operation.
#[derive(Debug, Default)]
pub(crate) struct Windows {
    admitted: Mutex<BTreeMap<Operation, VecDeque<Instant>>>,
}

impl Windows {
    /// Admits one request of `op` under `quotas` at `now`, or says how long
    /// until it would be.
    pub fn admit(&self, quotas: &Quotas, op: Operation, now: Instant) -> Result<(), OverQuota> {
        let Some(limit) = quotas.of(op) else {
            return Ok(());
        };
        let mut admitted = self.admitted.lock().unwrap_or_else(PoisonError::into_inner);
        let window = admitted.entry(op).or_default();
        while window.front().is_some_and(|&at| now - at >= WINDOW) {
            window.pop_front();
        }
        if window.len() < limit as usize {
            window.push_back(now);
            return Ok(());
        }
        let oldest = window.front().copied().unwrap_or(now);
        // Rounded up to the millisecond: waiting exactly this long is enough.
        let left = WINDOW.saturating_sub(now - oldest);
        let millis = left.as_micros().div_ceil(1000).max(1);
        Err(OverQuota {
            limit,
            time_left: Duration::from_millis(u64::try_from(millis).unwrap_or(u64::MAX)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quotas(every: u32) -> Quotas {
        Quotas {
            every: Some(every),
            per_operation: BTreeMap::from([(Operation::Create, 2)]),
        }
    }

    #[tokio::test(start_paused = true)]
    async fn at_most_n_in_any_rolling_second_per_operation() {
        let windows = Windows::default();
        let quotas = quotas(3);
        let start = Instant::now();
        for _ in 0..3 {
            assert!(windows.admit(&quotas, Operation::Page, start).is_ok());
        }
        let over = windows
            .admit(&quotas, Operation::Page, start + Duration::from_millis(400))
            .unwrap_err();
        assert_eq!(
            over,
            OverQuota {
                limit: 3,
                time_left: Duration::from_millis(600)
            }
        );
        // Another operation has a quota of its own.
        assert!(windows.admit(&quotas, Operation::Detail, start).is_ok());
        // Waiting the time left is enough.
        let later = start + Duration::from_millis(1000);
        assert!(windows.admit(&quotas, Operation::Page, later).is_ok());
    }

    #[tokio::test(start_paused = true)]
    async fn a_quota_for_one_operation_overrides_every() {
        let windows = Windows::default();
        let quotas = quotas(100);
        let now = Instant::now();
        assert!(windows.admit(&quotas, Operation::Create, now).is_ok());
        assert!(windows.admit(&quotas, Operation::Create, now).is_ok());
        assert!(windows.admit(&quotas, Operation::Create, now).is_err());
        let none = Quotas::default();
        for _ in 0..10_000 {
            assert!(windows.admit(&none, Operation::Create, now).is_ok());
        }
    }
}
