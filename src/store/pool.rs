//! Opening connections with the pragmas every presswork connection must have.

use super::StoreError;
use r2d2_sqlite::SqliteConnectionManager;
use rusqlite::{Connection, OpenFlags};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

pub type ReadPool = r2d2::Pool<SqliteConnectionManager>;

/// How long a connection waits for another process's write lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

fn apply_pragmas(conn: &Connection) -> Result<(), rusqlite::Error> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // FULL: an acknowledged write survives a power cut, which a shop's records need.
    conn.execute_batch(
        "PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA temp_store = MEMORY;
         PRAGMA cache_size = -16000;",
    )
}

pub fn open_connection(path: &Path) -> Result<Connection, StoreError> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX
            | OpenFlags::SQLITE_OPEN_URI,
    )?;
    apply_pragmas(&conn)?;
    Ok(conn)
}

/// How long readers waited for a pooled connection, for `/metrics`.
#[derive(Debug, Default)]
pub struct PoolWaits {
    pub checkouts: AtomicU64,
    pub wait_micros: AtomicU64,
    pub timeouts: AtomicU64,
}

#[derive(Debug)]
struct Events(Arc<PoolWaits>);

impl r2d2::HandleEvent for Events {
    fn handle_checkout(&self, event: r2d2::event::CheckoutEvent) {
        self.0.checkouts.fetch_add(1, Ordering::Relaxed);
        let waited = event.duration().as_micros().min(u64::MAX as u128) as u64;
        self.0.wait_micros.fetch_add(waited, Ordering::Relaxed);
    }

    fn handle_timeout(&self, _event: r2d2::event::TimeoutEvent) {
        self.0.timeouts.fetch_add(1, Ordering::Relaxed);
    }
}

pub fn read_pool(path: &Path, waits: Arc<PoolWaits>) -> Result<ReadPool, StoreError> {
    let manager = SqliteConnectionManager::file(path).with_init(|c| apply_pragmas(c));
    pool_of(manager, waits)
}

/// The pool's size and timeouts, for whatever connections `manager` opens.
pub fn pool_of(
    manager: SqliteConnectionManager,
    waits: Arc<PoolWaits>,
) -> Result<ReadPool, StoreError> {
    let pool = r2d2::Pool::builder()
        .event_handler(Box::new(Events(waits)))
        .max_size(16)
        .min_idle(Some(2))
        .connection_timeout(Duration::from_secs(10))
        .build(manager)?;
    Ok(pool)
}
