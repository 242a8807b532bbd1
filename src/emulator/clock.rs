//! The emulator's notion of now: the system clock plus an offset a test can
//! move forward, so a SCHEDULE task's start can be reached without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

/// A shared, adjustable clock. Clones share one offset.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    offset_ms: Arc<AtomicI64>,
}

impl Clock {
    /// The system clock, no offset.
    pub fn system() -> Clock {
        Clock::default()
    }

    /// Now, as the emulator sees it.
    pub fn now(&self) -> jiff::Timestamp {
        let offset = jiff::SignedDuration::from_millis(self.offset_ms.load(Ordering::Relaxed));
        jiff::Timestamp::now()
            .checked_add(offset)
            .unwrap_or_else(|_| jiff::Timestamp::now())
    }

    /// Now in epoch milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.now().as_millisecond()
    }

    /// Moves the clock forward (signed requests must then carry timestamps
    /// from [`Clock::now`], or they fall outside the 15-minute window).
    pub fn advance(&self, by: Duration) {
        let ms = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(ms, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clones_share_the_offset() {
        let clock = Clock::system();
        let other = clock.clone();
        let before = other.now_ms();
        clock.advance(Duration::from_secs(3_600));
        let after = other.now_ms();
        assert!(after - before >= 3_600_000, "{before} -> {after}");
    }
}
