//! Background loops: plain `async fn run(app, shutdown)` functions that `serve` spawns beside
//! the HTTP server and stops together on shutdown. They call services; they hold no state
//! that is not also in the database or the config.

pub mod backups;
