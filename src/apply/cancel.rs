//! How a run is told to stop: first start nothing new, then stop waiting.

use tokio_util::sync::CancellationToken;

/// The two levels of an interrupted apply. The first Ctrl-C cancels
/// [`Cancellation::stop`]: no step starts any more, those in flight finish
/// and are reported. A second cancels [`Cancellation::abandon`]: the
/// executor stops waiting for what is in flight and reports it as
/// abandoned, so the command still ends through its normal path (the
/// summary is printed and the session closed) and a re-run settles it.
#[derive(Debug, Clone, Default)]
pub struct Cancellation {
    /// Start nothing new.
    pub stop: CancellationToken,
    /// Stop waiting for what is in flight.
    pub abandon: CancellationToken,
}

impl Cancellation {
    /// A run that nobody has interrupted yet.
    pub fn new() -> Cancellation {
        Cancellation::default()
    }

    /// Moves one level on: the first call stops new steps, the second
    /// abandons those in flight. Returns the level reached.
    pub fn escalate(&self) -> Level {
        if self.stop.is_cancelled() {
            self.abandon.cancel();
            Level::Abandon
        } else {
            self.stop.cancel();
            Level::Stop
        }
    }
}

/// How far a run has been told to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// Nothing new starts.
    Stop,
    /// Nothing in flight is waited for.
    Abandon,
}
