//! Pacing the way the gateway counts: one adaptive budget per API
//! operation (issue 10).
//!
//! Alibaba Cloud's gateway limits each operation per account ("API限速维度:
//! regionId,API,ParentUid", `aiccs-api.md` §8): QueryAiCallTaskPage and
//! QueryAiCallTaskDetail do not share a quota, and neither do creates and
//! starts. So each [`Action`] gets a [`Budget`] of its own, and a throttle
//! slows only the operation that was throttled.
//!
//! No quota is published for these six operations. A budget therefore
//! starts at a rate Alibaba publishes for a sibling aiccs operation of
//! the same kind ([`START_WRITE`], [`START_READ`]), grows while nothing
//! is throttled, and adapts when something is (see `budget.rs`), never
//! going past the ceiling (`--rate-limit`, [`DEFAULT_CEILING`] unless
//! given). A ceiling given on purpose is also where pacing starts: the
//! user is saying what the account allows.
//!
//! This module decides *when* a request may go; whether a failed one is
//! sent again is `retry.rs`'s business.

mod budget;
pub mod header;

use std::num::NonZeroU32;
use std::time::Duration;

use super::action::Action;

pub use budget::{BETA, Budget, BudgetState, DOUBLING, EPOCH, MIN_RATE, SCALE};

/// Where a write starts, requests/s: the 20/s Alibaba publishes for
/// sibling aiccs writes (Start/Stop/TerminateAiOutboundTask,
/// CreateAiOutboundTaskBatch) and the lowest quota it publishes for any.
pub const START_WRITE: f64 = 20.0;
/// Where a read starts, requests/s: half the 100/s published for the
/// sibling read GetAiOutboundTaskDetail (and for `100/1(s)`, the
/// gateway's example quota), a tenth of ListTask's 500/s.
pub const START_READ: f64 = 50.0;
/// The ceiling unless `--rate-limit` says otherwise, requests/s per
/// operation: the highest quota Alibaba publishes for any aiccs operation
/// (ListTask's 500/s). An account allowed more has asked Quota Center
/// for it, and can say so.
pub const DEFAULT_CEILING: NonZeroU32 = NonZeroU32::new(500).expect("500 is not zero");

/// Where each operation's pacing starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StartRate {
    /// At [`START_WRITE`] or [`START_READ`] (never above the ceiling).
    #[default]
    Safe,
    /// At the ceiling itself: it was given on purpose.
    Ceiling,
}

/// Every operation's budget; shared by all clones of a client.
#[derive(Debug)]
pub struct Pacer {
    budgets: [Budget; Action::ALL.len()],
}

impl Pacer {
    /// Budgets of at most `ceiling` requests/s each (unpaced when `None`),
    /// starting as `start` says.
    pub fn new(ceiling: Option<NonZeroU32>, start: StartRate) -> Pacer {
        let ceiling = ceiling.map(|c| f64::from(c.get()));
        Pacer {
            budgets: Action::ALL.map(|action| {
                let safe = if action.is_mutating() {
                    START_WRITE
                } else {
                    START_READ
                };
                let first = match (start, ceiling) {
                    (StartRate::Ceiling, Some(ceiling)) => ceiling,
                    _ => safe,
                };
                Budget::new(first, ceiling)
            }),
        }
    }

    /// Waits until one request of `action` may go.
    pub async fn acquire(&self, action: Action) {
        self.budget(action).acquire().await;
    }

    /// `action` was throttled; the gateway asked to wait `wait`, if at all.
    pub fn throttled(&self, action: Action, wait: Option<Duration>) {
        self.budget(action).throttled(wait);
    }

    /// The gateway said nothing remains of `action`'s quota for `wait`.
    pub fn pause_for(&self, action: Action, wait: Duration) {
        self.budget(action).pause_for(wait);
    }

    /// `action`'s budget now.
    pub fn state(&self, action: Action) -> BudgetState {
        self.budget(action).state()
    }

    fn budget(&self, action: Action) -> &Budget {
        &self.budgets[action.index()]
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use tokio::time::Instant;

    use super::*;

    #[test]
    fn reads_and_writes_start_at_their_safe_rates_under_the_ceiling() {
        let pacer = Pacer::new(Some(DEFAULT_CEILING), StartRate::Safe);
        assert_eq!(
            pacer.state(Action::CreateAiCallTask).rate,
            Some(START_WRITE)
        );
        assert_eq!(
            pacer.state(Action::QueryAiCallTaskDetail).rate,
            Some(START_READ)
        );
        let low = Pacer::new(NonZeroU32::new(5), StartRate::Safe);
        assert_eq!(low.state(Action::QueryAiCallTaskPage).rate, Some(5.0));
        let given = Pacer::new(NonZeroU32::new(300), StartRate::Ceiling);
        assert_eq!(given.state(Action::StartAiCallTask).rate, Some(300.0));
        let unpaced = Pacer::new(None, StartRate::Safe);
        assert_eq!(unpaced.state(Action::StartAiCallTask).rate, None);
    }

    #[tokio::test(start_paused = true)]
    async fn each_operation_has_its_own_budget() {
        let pacer = Pacer::new(NonZeroU32::new(10), StartRate::Ceiling);
        let start = Instant::now();
        for _ in 0..10 {
            pacer.acquire(Action::QueryAiCallTaskPage).await;
        }
        assert_eq!((Instant::now() - start).as_millis(), 900);
        // Details have not been touched: their first request goes now.
        let before = Instant::now();
        pacer.acquire(Action::QueryAiCallTaskDetail).await;
        assert_eq!(Instant::now(), before);

        // A throttle and a pause on pages leave details as they were.
        pacer.throttled(Action::QueryAiCallTaskPage, Some(Duration::from_secs(30)));
        assert_eq!(pacer.state(Action::QueryAiCallTaskPage).cuts, 1);
        assert_eq!(pacer.state(Action::QueryAiCallTaskDetail).cuts, 0);
        assert_eq!(pacer.state(Action::QueryAiCallTaskDetail).rate, Some(10.0));
        let before = Instant::now();
        pacer.acquire(Action::QueryAiCallTaskDetail).await;
        assert_eq!((Instant::now() - before).as_millis(), 100);
    }

    #[tokio::test(start_paused = true)]
    async fn a_backlog_of_one_operation_never_starves_another() {
        let pacer = Arc::new(Pacer::new(NonZeroU32::new(20), StartRate::Ceiling));
        let start = Instant::now();
        // A thousand details queue up: 50 s of work at 20/s.
        let backlog: Vec<_> = (0..1000)
            .map(|_| {
                let pacer = pacer.clone();
                tokio::spawn(async move { pacer.acquire(Action::QueryAiCallTaskDetail).await })
            })
            .collect();
        tokio::task::yield_now().await;
        // Pages, creates and stops still go at their own pace, at once.
        for action in [
            Action::QueryAiCallTaskPage,
            Action::CreateAiCallTask,
            Action::StopAiCallTask,
        ] {
            let first = Instant::now();
            for i in 0..3 {
                pacer.acquire(action).await;
                assert_eq!(
                    (Instant::now() - first).as_millis(),
                    i * 50,
                    "{action}, request {i}"
                );
            }
        }
        assert!((Instant::now() - start) < Duration::from_secs(1));
        for handle in backlog {
            handle.await.unwrap();
        }
        let elapsed = (Instant::now() - start).as_secs_f64();
        assert!((49.0..=51.0).contains(&elapsed), "{elapsed}");
    }
}
