//! Background loops that `serve` runs beside the HTTP server, and the shutdown signal they
//! share. Each loop is a plain `async fn run(deps, shutdown)`; it owns its timing, never the
//! rules (those are in `service` and `domain`).

pub mod dispatcher;
pub mod overdue;

use tokio::sync::watch;

/// Fires once; every [`Shutdown`] made from it sees it. Dropping it counts as firing.
pub struct ShutdownTrigger(watch::Sender<bool>);

/// A loop's view of the shutdown signal. Cheap to clone.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

pub fn shutdown_channel() -> (ShutdownTrigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (ShutdownTrigger(tx), Shutdown(rx))
}

impl ShutdownTrigger {
    pub fn fire(&self) {
        self.0.send_replace(true);
    }
}

impl Shutdown {
    /// Resolves once shutdown has been signalled (at once if it already was).
    pub async fn wait(&mut self) {
        // An error means the trigger is gone, which can only happen while shutting down.
        let _ = self.0.wait_for(|fired| *fired).await;
    }

    pub fn is_set(&self) -> bool {
        *self.0.borrow()
    }

    /// The raw watch, for parts that select on it directly (the live hub, the overdue watch).
    pub fn watch(&self) -> watch::Receiver<bool> {
        self.0.clone()
    }
}
