//! The event log (outbox and audit trail) and the hub that fans it out to live clients.

pub mod hub;
pub mod log;
pub mod subscription;
