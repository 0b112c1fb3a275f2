//! presswork: a shop-floor task dispatch appliance for print shops.
//!
//! Layers depend downward only: `http` and `cli` call `service`, which uses `domain` (pure
//! rules) and `store` (SQLite). `events` tails the event log for live clients.

pub mod cli;
pub mod config;
pub mod domain;
pub mod events;
pub mod http;
pub mod logging;
pub mod loops;
pub mod metrics;
pub mod net;
pub mod service;
pub mod shutdown;
pub mod store;

use std::sync::Arc;

/// What every request handler and background loop shares. Cheap to clone.
#[derive(Clone)]
pub struct App {
    pub store: store::Store,
    pub config: Arc<config::Config>,
    /// Fans committed events out to live WebSocket clients.
    pub hub: events::hub::Hub,
    /// Counters and gauges behind `/metrics`; count into it from anywhere.
    pub metrics: Arc<metrics::Metrics>,
    /// Fires when the server is stopping; loops and WebSockets wait on it.
    pub shutdown: shutdown::Shutdown,
}

impl App {
    pub fn new(
        store: store::Store,
        config: Arc<config::Config>,
        hub: events::hub::Hub,
        shutdown: shutdown::Shutdown,
    ) -> App {
        App {
            store,
            config,
            hub,
            metrics: metrics::Metrics::new(),
            shutdown,
        }
    }
}
