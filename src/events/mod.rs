//! The hub that fans the event log (`store::event_log`) out to live clients.

pub mod hub;
pub mod subscription;
