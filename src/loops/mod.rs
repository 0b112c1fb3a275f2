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
