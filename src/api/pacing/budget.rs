//! One operation's budget: an adaptive, evenly spaced request rate.
//!
//! The rate follows the AWS SDKs' "adaptive" retry mode (botocore
//! `retries/adaptive.py`, smithy-rs `client_rate_limiter.rs`): a throttle
//! cuts it to `BETA` times what was being sent, and it grows back along
//! the cubic curve of TCP CUBIC, `SCALE · (t − K)³ + W_max`, which climbs
//! quickly back towards the rate that was throttled, lingers there, then
//! probes beyond it. Four things differ, each for a reason of this API:
//!
//! - **A steeper curve.** botocore's scale, 0.4, suits the few requests a
//!   second of an AWS client: back to 100/s it takes K = ∛(100 · 0.3 / 0.4)
//!   = 4.2 s, most of a plan. [`SCALE`] is ten times that: back in 2 s at
//!   100/s, 1.1 s at 20/s, still several of the gateway's one-second
//!   windows.
//! - **A safe start, then slow start.** The AWS SDKs send unpaced until
//!   the first throttle. This API publishes no quota at all (`aiccs-api.md`
//!   §8), so a budget starts at a rate known to be allowed somewhere and
//!   doubles it every [`DOUBLING`] while nothing is throttled, as TCP's
//!   slow start does, until the first throttle hands over to the curve.
//! - **One cut per window.** The gateway counts requests per rolling
//!   second. Throttles that arrive within [`EPOCH`] of a cut are that same
//!   excess draining out of the window (requests already sent at the old
//!   rate), not news about the new rate, so they do not cut again.
//! - **Growth only while used.** As botocore does, the rate never grows
//!   past twice what is actually sent in the last second: an operation
//!   held back by parallelism or idle must not bank a rate it never tried.
//!   It never shrinks for that reason either.
//!
//! Requests are spaced evenly, `1/rate` apart (a burst of one): a rolling
//! one-second window then holds at most `rate` of them. The gateway's own
//! word on when to go on (`TimeLeft` in `x-ratelimit-user-api`, or
//! `x-acs-retry-after`) pauses the operation until then, whatever its rate.
//!
//! Waiters are served first come, first served (a fair lock held by the
//! one at the head while it waits for its slot), so a rate cut or a pause
//! reaches the very next request, and no request is overtaken.
//!
//! Time is tokio's, so tests run on a paused clock.

use std::collections::VecDeque;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

/// The factor a throttle cuts the rate by (botocore, smithy-rs).
pub const BETA: f64 = 0.7;
/// The cubic curve's scale, in requests/s per s³: ten times botocore's
/// (see the module docs).
pub const SCALE: f64 = 4.0;
/// While nothing has been throttled yet, the rate doubles this often.
pub const DOUBLING: Duration = Duration::from_secs(1);
/// After a cut, throttles for this long are the same excess: the
/// gateway's window (`100/1(s)`, §8).
pub const EPOCH: Duration = Duration::from_secs(1);
/// The lowest rate a budget is ever cut to, requests/s (botocore's too).
pub const MIN_RATE: f64 = 0.5;
/// The window over which the rate actually sent is measured.
const MEASURE_WINDOW: Duration = Duration::from_secs(1);
/// Below this much history the rate sent is not estimated.
const MIN_MEASURE_SPAN: Duration = Duration::from_millis(100);

/// One operation's pacing; shared by every caller of that operation.
#[derive(Debug)]
pub struct Budget {
    /// Requests/s to start at.
    start: f64,
    /// Requests/s never exceeded; `None` leaves the operation unpaced
    /// (pauses the gateway asks for are still honoured).
    ceiling: Option<f64>,
    /// Held by the caller at the head of the queue while it waits.
    queue: tokio::sync::Mutex<()>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    rate: f64,
    curve: Curve,
    first_send: Option<Instant>,
    last_send: Option<Instant>,
    paused_until: Option<Instant>,
    last_cut: Option<Instant>,
    /// Sends of the last [`MEASURE_WINDOW`].
    recent: VecDeque<Instant>,
    throttled: u64,
    cuts: u64,
}

#[derive(Debug, Clone, Copy)]
enum Curve {
    /// No throttle yet: doubling from the start rate.
    SlowStart,
    /// After a cut at `since` from `w_max`.
    Cubic { since: Instant, w_max: f64, k: f64 },
}

/// What a budget is doing, for counters and tests.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BudgetState {
    /// The current rate, requests/s; `None` when unpaced.
    pub rate: Option<f64>,
    /// Throttles reported.
    pub throttled: u64,
    /// Rate cuts made.
    pub cuts: u64,
}

impl Budget {
    /// A budget starting at `start` requests/s (capped by `ceiling`),
    /// never above `ceiling`; unpaced when `ceiling` is `None`.
    pub fn new(start: f64, ceiling: Option<f64>) -> Budget {
        let start = match ceiling {
            Some(ceiling) => start.min(ceiling).max(MIN_RATE),
            None => start,
        };
        Budget {
            start,
            ceiling,
            queue: tokio::sync::Mutex::new(()),
            state: Mutex::new(State {
                rate: start,
                curve: Curve::SlowStart,
                first_send: None,
                last_send: None,
                paused_until: None,
                last_cut: None,
                recent: VecDeque::new(),
                throttled: 0,
                cuts: 0,
            }),
        }
    }

    /// Waits until this caller may send one request, and counts it sent.
    /// Callers are let through in the order they asked.
    pub async fn acquire(&self) {
        let _head = self.queue.lock().await;
        loop {
            let next = self.lock().next_start(self, Instant::now());
            match next {
                // Recomputed after every wait: a cut or a pause may have
                // come in meanwhile.
                Some(at) => sleep_until(at).await,
                None => break,
            }
        }
        self.lock().sent(Instant::now());
    }

    /// The gateway throttled a request of this operation; it said to wait
    /// `wait` (`TimeLeft`, `x-acs-retry-after`) if it said anything.
    pub fn throttled(&self, wait: Option<Duration>) {
        let now = Instant::now();
        let mut state = self.lock();
        state.throttled += 1;
        if let Some(wait) = wait {
            state.pause_until(now + wait);
        }
        if self.ceiling.is_none() || state.last_cut.is_some_and(|cut| now - cut < EPOCH) {
            return;
        }
        let current = state.refresh(self, now);
        let sent = state.measured(now);
        let w_max = if sent > 0.0 {
            current.min(sent)
        } else {
            current
        }
        .max(MIN_RATE);
        state.rate = (BETA * w_max).max(MIN_RATE);
        state.curve = Curve::Cubic {
            since: now,
            w_max,
            k: (w_max * (1.0 - BETA) / SCALE).cbrt(),
        };
        state.last_cut = Some(now);
        state.cuts += 1;
    }

    /// The gateway said to send nothing more of this operation for `wait`
    /// (a success whose `x-ratelimit-user-api` says `Remain:0`).
    pub fn pause_for(&self, wait: Duration) {
        self.lock().pause_until(Instant::now() + wait);
    }

    /// When the current pause ends, if one is in force.
    pub fn paused_until(&self) -> Option<Instant> {
        self.lock().paused_until.filter(|&at| at > Instant::now())
    }

    /// The rate now and what has happened so far.
    pub fn state(&self) -> BudgetState {
        let mut state = self.lock();
        let rate = self.ceiling.map(|_| state.refresh(self, Instant::now()));
        BudgetState {
            rate,
            throttled: state.throttled,
            cuts: state.cuts,
        }
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // Every field is consistent after each statement: a panic elsewhere
        // cannot leave the state half-written.
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl State {
    /// When the next request may start, or `None` if it may start now.
    fn next_start(&mut self, budget: &Budget, now: Instant) -> Option<Instant> {
        let mut at = self.paused_until.filter(|&until| until > now);
        if budget.ceiling.is_some()
            && let Some(last) = self.last_send
        {
            let rate = self.refresh(budget, now);
            let slot = last + Duration::from_secs_f64(1.0 / rate);
            if slot > now {
                at = Some(at.map_or(slot, |pause| pause.max(slot)));
            }
        }
        at
    }

    fn sent(&mut self, now: Instant) {
        self.first_send.get_or_insert(now);
        self.last_send = Some(now);
        self.recent.push_back(now);
        self.prune(now);
    }

    fn pause_until(&mut self, until: Instant) {
        // Extends, never shortens, a pause already in force.
        self.paused_until = Some(self.paused_until.map_or(until, |at| at.max(until)));
    }

    /// The rate at `now`, from the curve, capped by use and the ceiling.
    fn refresh(&mut self, budget: &Budget, now: Instant) -> f64 {
        let Some(ceiling) = budget.ceiling else {
            return f64::INFINITY;
        };
        let curve = match self.curve {
            Curve::SlowStart => {
                let since = self.first_send.map_or(Duration::ZERO, |first| now - first);
                budget.start * 2f64.powf(since.as_secs_f64() / DOUBLING.as_secs_f64())
            }
            Curve::Cubic { since, w_max, k } => {
                let t = (now - since).as_secs_f64();
                SCALE * (t - k).powi(3) + w_max
            }
        };
        let used = 2.0 * self.measured(now);
        self.rate = curve.min(self.rate.max(used)).clamp(MIN_RATE, ceiling);
        self.rate
    }

    /// Requests sent per second over the last [`MEASURE_WINDOW`] (over
    /// the time since the first send, while that is shorter); 0 when too
    /// little has been sent to tell.
    fn measured(&mut self, now: Instant) -> f64 {
        self.prune(now);
        let Some(first) = self.first_send else {
            return 0.0;
        };
        let span = (now - first).min(MEASURE_WINDOW);
        if span < MIN_MEASURE_SPAN {
            return 0.0;
        }
        self.recent.len() as f64 / span.as_secs_f64()
    }

    fn prune(&mut self, now: Instant) {
        while self
            .recent
            .front()
            .is_some_and(|&sent| now - sent >= MEASURE_WINDOW)
        {
            self.recent.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn millis_since(start: Instant) -> u128 {
        (Instant::now() - start).as_millis()
    }

    /// `n` requests one after another; the milliseconds at which each went.
    async fn sequential(budget: &Budget, n: usize, start: Instant) -> Vec<u128> {
        let mut times = Vec::new();
        for _ in 0..n {
            budget.acquire().await;
            times.push(millis_since(start));
        }
        times
    }

    /// Keeps `budget` busy for `duration`: requests back to back.
    async fn busy_for(budget: &Budget, duration: Duration) -> u64 {
        let end = Instant::now() + duration;
        let mut sent = 0;
        while Instant::now() < end {
            budget.acquire().await;
            sent += 1;
        }
        sent
    }

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_evenly_at_the_start_rate() {
        let budget = Budget::new(10.0, Some(10.0));
        let start = Instant::now();
        assert_eq!(sequential(&budget, 5, start).await, [0, 100, 200, 300, 400]);
    }

    #[tokio::test(start_paused = true)]
    async fn the_rate_grows_while_nothing_is_throttled() {
        let budget = Budget::new(20.0, Some(500.0));
        let first_second = busy_for(&budget, Duration::from_secs(1)).await;
        let rate_after_one = budget.state().rate.unwrap();
        let next_second = busy_for(&budget, Duration::from_secs(1)).await;
        let rate_after_two = budget.state().rate.unwrap();
        // Slow start: about double each second.
        assert!((20..=32).contains(&first_second), "{first_second}");
        assert!(next_second > first_second * 3 / 2, "{next_second}");
        assert!((35.0..=45.0).contains(&rate_after_one), "{rate_after_one}");
        assert!((70.0..=90.0).contains(&rate_after_two), "{rate_after_two}");
        // ... up to the ceiling and never beyond.
        busy_for(&budget, Duration::from_secs(6)).await;
        assert_eq!(budget.state().rate, Some(500.0));
        let at_ceiling = busy_for(&budget, Duration::from_secs(1)).await;
        assert!((499..=501).contains(&at_ceiling), "{at_ceiling}");
    }

    #[tokio::test(start_paused = true)]
    async fn an_idle_operation_does_not_bank_a_rate_it_never_used() {
        let budget = Budget::new(20.0, Some(500.0));
        budget.acquire().await;
        tokio::time::sleep(Duration::from_secs(10)).await;
        // Ten seconds of slow start would be 20 · 2¹⁰; it sent one request.
        assert_eq!(budget.state().rate, Some(20.0));
    }

    #[tokio::test(start_paused = true)]
    async fn a_throttle_cuts_the_rate_then_it_grows_back_along_the_cubic() {
        let budget = Budget::new(100.0, Some(100.0));
        busy_for(&budget, Duration::from_secs(2)).await;
        assert_eq!(budget.state().rate, Some(100.0));
        budget.throttled(None);
        let cut = budget.state().rate.unwrap();
        assert!((69.0..=71.0).contains(&cut), "cut to BETA × 100: {cut}");
        assert_eq!(budget.state().cuts, 1);
        // K = ∛(100 · 0.3 / 4) ≈ 2 s back to 100; concave, so most of the
        // way back within the first second.
        busy_for(&budget, Duration::from_millis(500)).await;
        let after_half = budget.state().rate.unwrap();
        assert!((85.0..=90.0).contains(&after_half), "{after_half}");
        busy_for(&budget, Duration::from_millis(500)).await;
        let after_one = budget.state().rate.unwrap();
        assert!((95.0..=98.0).contains(&after_one), "{after_one}");
        busy_for(&budget, Duration::from_secs(2)).await;
        let back = budget.state().rate.unwrap();
        assert!(back > 99.0, "{back}");
    }

    #[tokio::test(start_paused = true)]
    async fn throttles_within_a_window_of_a_cut_cut_once() {
        let budget = Budget::new(100.0, Some(100.0));
        busy_for(&budget, Duration::from_secs(2)).await;
        for _ in 0..8 {
            budget.throttled(None);
        }
        let state = budget.state();
        assert_eq!((state.throttled, state.cuts), (8, 1));
        tokio::time::sleep(EPOCH).await;
        budget.throttled(None);
        assert_eq!(budget.state().cuts, 2);
    }

    #[tokio::test(start_paused = true)]
    async fn cuts_stop_at_the_minimum_rate() {
        let budget = Budget::new(20.0, Some(20.0));
        budget.acquire().await;
        for _ in 0..40 {
            budget.throttled(None);
            tokio::time::sleep(EPOCH).await;
        }
        assert_eq!(budget.state().rate, Some(MIN_RATE));
    }

    #[tokio::test(start_paused = true)]
    async fn time_left_holds_the_next_request_even_when_unpaced() {
        for ceiling in [None, Some(1000.0)] {
            let budget = Budget::new(1000.0, ceiling);
            let start = Instant::now();
            budget.acquire().await;
            budget.throttled(Some(Duration::from_millis(734)));
            assert_eq!(
                budget.paused_until(),
                Some(start + Duration::from_millis(734))
            );
            budget.acquire().await;
            assert_eq!(millis_since(start), 734, "{ceiling:?}");
            assert_eq!(budget.paused_until(), None);
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_reaches_callers_already_waiting_and_never_shortens() {
        let budget = Arc::new(Budget::new(1.0, Some(1.0)));
        budget.acquire().await;
        let start = Instant::now();
        let waiter = {
            let budget = budget.clone();
            tokio::spawn(async move {
                budget.acquire().await;
                Instant::now()
            })
        };
        // The waiter is asleep until its slot at 1 s; then a pause of 5 s.
        tokio::task::yield_now().await;
        budget.pause_for(Duration::from_secs(5));
        budget.pause_for(Duration::from_secs(2));
        let at = waiter.await.unwrap();
        assert_eq!((at - start).as_millis(), 5000);
    }

    #[tokio::test(start_paused = true)]
    async fn waiters_go_in_the_order_they_came() {
        let budget = Arc::new(Budget::new(10.0, Some(10.0)));
        let order = Arc::new(Mutex::new(Vec::new()));
        let mut handles = Vec::new();
        for i in 0..20 {
            let (budget, order) = (budget.clone(), order.clone());
            handles.push(tokio::spawn(async move {
                budget.acquire().await;
                order.lock().unwrap().push(i);
            }));
            // Each one queues before the next is spawned.
            tokio::task::yield_now().await;
        }
        for handle in handles {
            handle.await.unwrap();
        }
        assert_eq!(*order.lock().unwrap(), (0..20).collect::<Vec<_>>());
    }

    #[tokio::test(start_paused = true)]
    async fn an_unpaced_budget_never_waits() {
        let budget = Budget::new(20.0, None);
        let start = Instant::now();
        for _ in 0..1000 {
            budget.acquire().await;
        }
        assert_eq!(Instant::now(), start);
        budget.throttled(None);
        assert_eq!(budget.state().rate, None);
    }
}
