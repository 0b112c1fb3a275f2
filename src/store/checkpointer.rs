//! Folding the WAL back into the database file off the writer's path. SQLite's automatic
//! checkpoint runs inside the COMMIT that crosses its threshold, so every change queued behind
//! that commit waits while pages are copied and the database file is synced. Here the writer
//! only nudges after a commit; this thread runs PASSIVE checkpoints, which never block the
//! writer or readers and never lose anything (the WAL stays the durable copy until copied).

use super::pool::open_connection;
use std::path::Path;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::time::Duration;

/// At most this many checkpoints a second, so a busy shop copies pages in batches rather than
/// after every commit (nudges that arrive meanwhile fold into one).
const PAUSE: Duration = Duration::from_millis(200);

/// The writer's end: cheap, never blocks.
pub struct Nudge(SyncSender<()>);

impl Nudge {
    pub fn after_commit(&self) {
        let _ = self.0.try_send(());
    }
}

/// Starts the checkpoint thread; it ends when the writer does.
pub fn start(path: &Path) -> std::io::Result<Nudge> {
    let (nudge, nudged) = sync_channel(1);
    let path = path.to_owned();
    std::thread::Builder::new()
        .name("presswork-checkpoint".into())
        .spawn(move || run(&path, &nudged))?;
    Ok(Nudge(nudge))
}

/// A connection per checkpoint, closed before the pause: between checkpoints this thread holds
/// none, so the last connection a clean stop closes still removes the WAL file.
fn checkpoint(path: &Path) -> Result<(), String> {
    let conn = open_connection(path).map_err(|e| e.to_string())?;
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        .map_err(|e| e.to_string())
}

fn run(path: &Path, nudged: &Receiver<()>) {
    let mut failing = false;
    while nudged.recv().is_ok() {
        match checkpoint(path) {
            Ok(()) => failing = false,
            // Told once per spell: the next successful commit nudges again anyway.
            Err(e) if !failing => {
                failing = true;
                tracing::warn!(error = %e, "a background WAL checkpoint failed; will retry");
            }
            Err(_) => {}
        }
        std::thread::sleep(PAUSE);
    }
}
