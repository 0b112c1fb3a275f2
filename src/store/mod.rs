//! The SQLite store: a read pool and one group-committing writer.
//! It owns connections and transactions; it knows nothing of HTTP, roles or work orders.

pub mod backup;
mod checkpointer;
pub mod event_log;
pub mod lock;
pub mod migrations;
mod pool;
mod read_only;
pub mod refusal;
pub mod restore;
pub mod upgrade;
mod writer;

pub use migrations::{schema_version_of, SCHEMA_VERSION};
pub use pool::PoolWaits;
pub use refusal::Refusal;
pub use rusqlite::{Connection, OptionalExtension};

use std::path::{Path, PathBuf};
use std::sync::Arc;
use tokio::sync::watch;

/// What can go wrong below the services. Service code maps these to its own error.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    // The cause is in the message, so it is no `source` too (see the `From`s at the end).
    #[error("database error: {0}")]
    Sqlite(rusqlite::Error),
    #[error("connection pool: {0}")]
    Pool(r2d2::Error),
    #[error("the database schema is version {found}, newer than this presswork knows ({known}); use a newer presswork")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("the writer thread has stopped")]
    WriterGone,
    #[error("a database task panicked")]
    Panicked,
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// A file failed a check (a backup, a restore, a migration); the text says which and why.
    #[error("{0}")]
    Check(String),
    /// The disk refuses writes (read-only, full, failing); reads may still work.
    #[error("the disk refuses writes: {0}")]
    Refused(Refusal),
}

/// Cheap to clone; every clone shares the pool, the writer and the event watch.
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    pool: pool::ReadPool,
    /// `None` when the store was opened read-only: every write is refused without trying.
    writer: Option<writer::Writer>,
    last_event: watch::Sender<i64>,
    waits: Arc<PoolWaits>,
    refusal: Arc<refusal::LastRefusal>,
}

/// The read pool's state, for `/metrics`.
#[derive(Debug, Clone, Copy)]
pub struct PoolStats {
    pub connections: u32,
    pub idle: u32,
    pub checkouts: u64,
    pub wait_seconds: f64,
    pub timeouts: u64,
    /// The writer: transactions committed, changes in them, seconds spent committing.
    pub write_transactions: u64,
    pub write_changes: u64,
    pub write_commit_seconds: f64,
    /// False while the disk refuses writes (see [`Store::write_refusal`]).
    pub writable: bool,
}

impl Store {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: &Path) -> Result<Store, StoreError> {
        let mut conn = pool::open_connection(path)?;
        migrations::migrate(&mut conn)?;
        let last = last_event_id(&conn)?;
        let (last_event, _) = watch::channel(last);
        let refusal = Arc::new(refusal::LastRefusal::new(None));
        let writer = writer::Writer::start(conn, path, last_event.clone(), refusal.clone())?;
        let waits = Arc::new(PoolWaits::default());
        let pool = pool::read_pool(path, waits.clone())?;
        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                pool,
                writer: Some(writer),
                last_event,
                waits,
                refusal,
            }),
        })
    }

    /// Opens an existing database in a directory that cannot be written: reads work, every
    /// write is refused with [`Refusal::ReadOnlyAtStart`]. Nothing is migrated or created.
    /// Refuses, rather than serve stale data, when the newest changes sit in a `-wal` file
    /// that SQLite cannot read here (see `read_only`).
    pub fn open_read_only(path: &Path) -> Result<Store, StoreError> {
        let waits = Arc::new(PoolWaits::default());
        let (conn, pool) = read_only::open(path, waits.clone())?;
        let last = last_event_id(&conn)?;
        let (last_event, _) = watch::channel(last);
        Ok(Store {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                pool,
                writer: None,
                last_event,
                waits,
                refusal: Arc::new(refusal::LastRefusal::new(Some(Refusal::ReadOnlyAtStart))),
            }),
        })
    }

    /// Whether the store was opened read-only (it then never tries to write).
    pub fn is_read_only(&self) -> bool {
        self.inner.writer.is_none()
    }

    /// Why writes fail, as of the latest write that touched the disk; `None` while they work.
    pub fn write_refusal(&self) -> Option<Refusal> {
        self.inner.refusal.get()
    }

    fn writer(&self) -> Result<&writer::Writer, StoreError> {
        self.inner
            .writer
            .as_ref()
            .ok_or(StoreError::Refused(Refusal::ReadOnlyAtStart))
    }

    pub fn path(&self) -> &Path {
        &self.inner.path
    }

    /// Runs `f` on a pooled read connection off the async threads.
    pub async fn read<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let pool = self.inner.pool.clone();
        match tokio::task::spawn_blocking(move || {
            let conn = pool.get().map_err(StoreError::from)?;
            f(&conn)
        })
        .await
        {
            Ok(result) => result,
            Err(_) => Err(StoreError::Panicked.into()),
        }
    }

    /// Same as [`Store::read`] for callers outside an async runtime (the CLI).
    pub fn read_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E>,
        E: From<StoreError>,
    {
        let conn = self.inner.pool.get().map_err(StoreError::from)?;
        f(&conn)
    }

    /// Runs `f` inside the writer's `BEGIN IMMEDIATE` transaction, in a savepoint of its own:
    /// an `Err` from `f` undoes exactly what `f` did. The result is returned after the commit.
    pub async fn write<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.writer()?.submit(f).await
    }

    /// Blocking form of [`Store::write`] for the CLI.
    pub fn write_blocking<T, E, F>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        self.writer()?.submit_blocking(f)
    }

    /// The id of the newest committed event; changes after every commit that appended events.
    pub fn subscribe_events(&self) -> watch::Receiver<i64> {
        self.inner.last_event.subscribe()
    }

    pub fn pool_stats(&self) -> PoolStats {
        use std::sync::atomic::Ordering::Relaxed;
        let state = self.inner.pool.state();
        let none = writer::WriteCounters::default();
        // A read-only store has no writer, and so wrote nothing.
        let writes = self.inner.writer.as_ref().map_or(&none, |w| w.counters());
        PoolStats {
            connections: state.connections,
            idle: state.idle_connections,
            checkouts: self.inner.waits.checkouts.load(Relaxed),
            wait_seconds: self.inner.waits.wait_micros.load(Relaxed) as f64 / 1e6,
            timeouts: self.inner.waits.timeouts.load(Relaxed),
            write_transactions: writes.transactions.load(Relaxed),
            write_changes: writes.changes.load(Relaxed),
            write_commit_seconds: writes.commit_micros.load(Relaxed) as f64 / 1e6,
            writable: self.write_refusal().is_none(),
        }
    }

    /// Folds the WAL back into the main file when stopping (the server, an import); background
    /// checkpoints end first, for good.
    /// A read-only store has nothing of its own to fold back, and could not.
    pub fn checkpoint(&self) -> Result<(), StoreError> {
        if self.is_read_only() {
            return Ok(());
        }
        if let Some(writer) = &self.inner.writer {
            writer.stop_background_checkpoints();
        }
        let conn = self.inner.pool.get()?;
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

pub(crate) fn last_event_id(conn: &Connection) -> Result<i64, rusqlite::Error> {
    conn.query_row("SELECT COALESCE(MAX(id), 0) FROM events", [], |r| r.get(0))
}

// Not `#[from]`: that would also make the cause the error's `source`, and a chain printed with
// `{:#}` would say it twice ("database error: X: X").
impl From<rusqlite::Error> for StoreError {
    fn from(e: rusqlite::Error) -> StoreError {
        StoreError::Sqlite(e)
    }
}

impl From<r2d2::Error> for StoreError {
    fn from(e: r2d2::Error) -> StoreError {
        StoreError::Pool(e)
    }
}
