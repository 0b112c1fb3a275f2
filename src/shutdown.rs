//! The shutdown broadcast: `serve` fires it on Ctrl-C / SIGTERM; the HTTP server, the
//! background loops and the WebSockets all wait on it. It only carries the news.

use tokio::sync::watch;

/// Fires the shutdown once; held by `serve`.
pub struct Trigger(watch::Sender<bool>);

/// Cheap to clone; every clone sees the same shutdown.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

pub fn channel() -> (Trigger, Shutdown) {
    let (tx, rx) = watch::channel(false);
    (Trigger(tx), Shutdown(rx))
}

impl Trigger {
    pub fn fire(&self) {
        self.0.send_replace(true);
    }

    pub fn subscribe(&self) -> Shutdown {
        Shutdown(self.0.subscribe())
    }
}

impl Shutdown {
    /// A shutdown that never fires (for tests and one-shot tools).
    pub fn never() -> Shutdown {
        let (tx, rx) = watch::channel(false);
        // Keep the sender alive for the life of the process so `wait` really never returns.
        std::mem::forget(tx);
        Shutdown(rx)
    }

    pub fn is_shutting_down(&self) -> bool {
        *self.0.borrow()
    }

    /// Same as [`Shutdown::is_shutting_down`].
    pub fn is_set(&self) -> bool {
        self.is_shutting_down()
    }

    /// The raw watch, for parts that select on it directly (the live hub, the overdue watch).
    pub fn watch(&self) -> watch::Receiver<bool> {
        self.0.clone()
    }

    /// Resolves once shutdown has been fired (or its trigger is gone).
    pub async fn wait(&mut self) {
        let _ = self.0.wait_for(|down| *down).await;
    }
}

/// Resolves on Ctrl-C, or SIGTERM on Unix (what a service manager sends).
pub async fn os_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
