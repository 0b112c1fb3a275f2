//! Background loops of the server: plain `async fn run(app, shutdown)` spawned by `serve` and
//! stopped with it. Each calls services; none holds state of its own that matters on restart.

pub mod overdue;
