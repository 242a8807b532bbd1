//! Ctrl-C, the same way on every platform: registered the moment it is
//! asked for (so an interrupt that comes before the first request is never
//! missed), then awaited as often as needed.

use crate::error::Error;

/// A registered Ctrl-C handler.
pub(crate) struct Interrupts {
    #[cfg(unix)]
    inner: tokio::signal::unix::Signal,
    #[cfg(windows)]
    inner: tokio::signal::windows::CtrlC,
}

impl Interrupts {
    /// Registers the handler now; from here on Ctrl-C no longer kills the
    /// process, it is delivered to [`Interrupts::next`].
    pub(crate) fn register() -> Result<Interrupts, Error> {
        #[cfg(unix)]
        let inner = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt());
        #[cfg(windows)]
        let inner = tokio::signal::windows::ctrl_c();
        Ok(Interrupts {
            inner: inner.map_err(Error::Runtime)?,
        })
    }

    /// The next Ctrl-C; `None` when no more can come.
    pub(crate) async fn next(&mut self) -> Option<()> {
        self.inner.recv().await
    }
}
