//! Client-wide pacing: a request-rate limit shared by every caller, and a
//! global pause when the service throttles (issue 5).
//!
//! The limit is a GCRA-style schedule with a burst of one: each request
//! reserves the next free slot, `1/rate` after the previous one, so in any
//! one-second window at most `rate` (+1) requests start, however many tasks
//! call at once. The API's QPS limits are not documented (§4.3); the
//! default of 20/s is deliberately conservative.
//!
//! A throttling reply pauses the whole gate, not just the caller that got
//! it: until the pause ends nobody sends, and afterwards slots are handed
//! out one interval apart again rather than all at once. Requests already
//! on the wire cannot be recalled; everything after them waits.
//!
//! Time is tokio's, so tests run on a paused clock.

use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::Duration;

use tokio::time::{Instant, sleep_until};

/// Paces requests; shared by all clones of a client.
#[derive(Debug)]
pub struct RateGate {
    interval: Option<Duration>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    /// The earliest start of the next request (the GCRA's theoretical
    /// arrival time).
    next_slot: Instant,
    /// Nobody sends before this.
    paused_until: Instant,
}

enum Wait {
    Pause(Instant),
    Slot(Instant),
}

impl RateGate {
    /// A gate allowing `per_second` requests a second, or any number when `None`.
    pub fn new(per_second: Option<NonZeroU32>) -> RateGate {
        let now = Instant::now();
        RateGate {
            interval: per_second.map(|rate| Duration::from_secs(1) / rate.get()),
            state: Mutex::new(State {
                next_slot: now,
                paused_until: now,
            }),
        }
    }

    /// Waits until this caller may send one request.
    pub async fn acquire(&self) {
        loop {
            let wait = {
                let mut state = self.lock();
                let now = Instant::now();
                if state.paused_until > now {
                    Wait::Pause(state.paused_until)
                } else if let Some(interval) = self.interval {
                    let slot = state.next_slot.max(now);
                    state.next_slot = slot + interval;
                    if slot <= now {
                        return;
                    }
                    Wait::Slot(slot)
                } else {
                    return;
                }
            };
            match wait {
                Wait::Pause(until) => sleep_until(until).await,
                Wait::Slot(slot) => {
                    sleep_until(slot).await;
                    // A throttling reply may have paused the gate while we
                    // waited for our slot: then queue again behind the pause.
                    if self.lock().paused_until <= Instant::now() {
                        return;
                    }
                }
            }
        }
    }

    /// Stops every caller from sending for `duration` from now (extending,
    /// never shortening, a pause already in force).
    pub fn pause_for(&self, duration: Duration) {
        let until = Instant::now() + duration;
        let mut state = self.lock();
        state.paused_until = state.paused_until.max(until);
        state.next_slot = state.next_slot.max(until);
    }

    /// When the current pause ends, if one is in force.
    pub fn paused_until(&self) -> Option<Instant> {
        let until = self.lock().paused_until;
        (until > Instant::now()).then_some(until)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is two instants, consistent after every statement: a
        // panic elsewhere cannot leave it half-written.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn rate(n: u32) -> Option<NonZeroU32> {
        NonZeroU32::new(n)
    }

    fn millis_since(start: Instant, at: Instant) -> u128 {
        (at - start).as_millis()
    }

    /// Spawns `n` callers at once; the milliseconds from `start` at which
    /// each was let through, sorted.
    async fn acquire_concurrently(gate: &Arc<RateGate>, n: usize, start: Instant) -> Vec<u128> {
        let handles: Vec<_> = (0..n)
            .map(|_| {
                let gate = gate.clone();
                tokio::spawn(async move {
                    gate.acquire().await;
                    Instant::now()
                })
            })
            .collect();
        let mut times = Vec::new();
        for handle in handles {
            times.push(millis_since(start, handle.await.unwrap()));
        }
        times.sort_unstable();
        times
    }

    #[tokio::test(start_paused = true)]
    async fn sequential_requests_are_spaced_by_the_interval() {
        let gate = RateGate::new(rate(10));
        let start = Instant::now();
        let mut times = Vec::new();
        for _ in 0..5 {
            gate.acquire().await;
            times.push(millis_since(start, Instant::now()));
        }
        assert_eq!(times, [0, 100, 200, 300, 400]);
    }

    #[tokio::test(start_paused = true)]
    async fn concurrent_callers_share_one_limit() {
        let gate = Arc::new(RateGate::new(rate(20)));
        let start = Instant::now();
        let times = acquire_concurrently(&gate, 40, start).await;
        let expected: Vec<u128> = (0..40).map(|i| i * 50).collect();
        assert_eq!(times, expected);
        // Any one-second window holds at most 20 starts (+1 at its edge).
        for (i, &t) in times.iter().enumerate() {
            let in_window = times[i..].iter().take_while(|&&u| u < t + 1000).count();
            assert!(
                in_window <= 20,
                "{in_window} starts in the second after {t} ms"
            );
        }
    }

    #[tokio::test(start_paused = true)]
    async fn unlimited_gate_never_waits() {
        let gate = RateGate::new(None);
        let start = Instant::now();
        for _ in 0..100 {
            gate.acquire().await;
        }
        assert_eq!(Instant::now(), start);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_holds_every_caller_then_resumes_spaced() {
        let gate = Arc::new(RateGate::new(rate(10)));
        let start = Instant::now();
        gate.acquire().await;
        gate.pause_for(Duration::from_secs(2));
        assert_eq!(gate.paused_until(), Some(start + Duration::from_secs(2)));
        let times = acquire_concurrently(&gate, 3, start).await;
        assert_eq!(times, [2000, 2100, 2200]);
        assert_eq!(gate.paused_until(), None);
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_reaches_callers_already_waiting_for_a_slot() {
        let gate = Arc::new(RateGate::new(rate(1)));
        gate.acquire().await;
        let start = Instant::now();
        let waiter = {
            let gate = gate.clone();
            tokio::spawn(async move {
                gate.acquire().await;
                Instant::now()
            })
        };
        // Let the waiter reserve its slot at 1 s, then pause for 5 s.
        tokio::task::yield_now().await;
        gate.pause_for(Duration::from_secs(5));
        let at = waiter.await.unwrap();
        assert!(
            millis_since(start, at) >= 5000,
            "{}",
            millis_since(start, at)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_pause_never_shortens() {
        let gate = RateGate::new(None);
        let start = Instant::now();
        gate.pause_for(Duration::from_secs(3));
        gate.pause_for(Duration::from_secs(1));
        gate.acquire().await;
        assert_eq!(millis_since(start, Instant::now()), 3000);
    }
}
