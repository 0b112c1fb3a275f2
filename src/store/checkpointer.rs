//! Folding the WAL back into the database file off the writer's path. SQLite's automatic
//! checkpoint runs inside the COMMIT that crosses its threshold, so every change queued behind
//! that commit waits while pages are copied and the database file is synced. Here the writer
//! only nudges after a commit; this thread runs PASSIVE checkpoints, which never block the
//! writer or readers and never lose anything (the WAL stays the durable copy until copied).

use super::pool::open_connection;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
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

#[derive(Default)]
struct State {
    stopped: AtomicBool,
    /// Held while a checkpoint's connection is open.
    running: Mutex<()>,
}

/// Stops the thread for good, for a stop: once `stop` returns no background checkpoint runs or
/// holds a connection, so the final checkpoint and the last close (which removes the WAL file)
/// are the stop's own.
pub struct Stopper(Arc<State>);

impl Stopper {
    pub fn stop(&self) {
        self.0.stopped.store(true, Ordering::Release);
        drop(self.0.running.lock());
    }
}

/// Starts the checkpoint thread; it ends when the writer does or when stopped.
pub fn start(path: &Path) -> std::io::Result<(Nudge, Stopper)> {
    let (nudge, nudged) = sync_channel(1);
    let path = path.to_owned();
    let state = Arc::new(State::default());
    let shared = state.clone();
    std::thread::Builder::new()
        .name("presswork-checkpoint".into())
        .spawn(move || run(&path, &nudged, &shared))?;
    Ok((Nudge(nudge), Stopper(state)))
}

/// A connection per checkpoint, closed before the pause: between checkpoints this thread holds
/// none, so the last connection a clean stop closes still removes the WAL file.
fn checkpoint(path: &Path) -> Result<(), String> {
    let conn = open_connection(path).map_err(|e| e.to_string())?;
    conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(()))
        .map_err(|e| e.to_string())
}

fn run(path: &Path, nudged: &Receiver<()>, state: &State) {
    let mut failing = false;
    while nudged.recv().is_ok() {
        let running = state.running.lock().unwrap_or_else(|p| p.into_inner());
        if state.stopped.load(Ordering::Acquire) {
            return;
        }
        let done = checkpoint(path);
        drop(running);
        match done {
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
