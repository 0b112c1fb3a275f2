//! Background loops: plain `async fn run(app, .., shutdown)` functions that `serve` spawns
//! beside the HTTP server and stops together on shutdown. Each owns its timing, never the
//! rules (those are in `service` and `domain`), and holds no state that is not also in the
//! database or the config.

pub mod backups;
pub mod dispatcher;
pub mod overdue;

/// The shutdown signal lives in `crate::shutdown` (the HTTP server and WebSockets wait on it
/// too); these names are kept for the loops written against them.
pub use crate::shutdown::{channel as shutdown_channel, Shutdown, Trigger as ShutdownTrigger};

/// A loop's failures told without flooding the log: the first of a run as a warning, repeats
/// (a read-only or full disk fails every tick) at debug, and one line when it works again.
#[derive(Debug)]
pub struct Failures {
    what: &'static str,
    failing: bool,
}

impl Failures {
    pub fn new(what: &'static str) -> Failures {
        Failures {
            what,
            failing: false,
        }
    }

    pub fn failed(&mut self, error: &dyn std::fmt::Display) {
        if self.failing {
            tracing::debug!(%error, "{} failed again", self.what);
        } else {
            tracing::warn!(%error, "{} failed; retrying quietly until it works again", self.what);
        }
        self.failing = true;
    }

    pub fn worked(&mut self) {
        if self.failing {
            tracing::info!("{} works again", self.what);
        }
        self.failing = false;
    }
}
