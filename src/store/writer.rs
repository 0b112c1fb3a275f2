//! The one writer thread. It takes every queued change, runs each in its own savepoint inside
//! one `BEGIN IMMEDIATE` transaction, commits once, and only then answers each caller.
//! One fsync serves the whole batch; a failed change rolls back to its own savepoint alone.

use super::{last_event_id, StoreError};
use rusqlite::Connection;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::sync::{mpsc, Arc};
use std::time::Instant;
use tokio::sync::{oneshot, watch};

/// Upper bound on changes in one transaction, so one batch never holds the lock for long.
const MAX_BATCH: usize = 512;

trait Job: Send {
    /// Runs the change inside the open transaction and returns what to tell its caller.
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Delivery>;
    /// The change could not run at all.
    fn abandon(self: Box<Self>, err: StoreError);
}

trait Delivery: Send {
    fn succeeded(&self) -> bool;
    /// Called once the transaction is settled: `None` when it committed.
    fn deliver(self: Box<Self>, commit_error: Option<StoreError>);
}

struct Change<F, T, E> {
    f: F,
    reply: oneshot::Sender<Result<T, E>>,
}

struct Answer<T, E> {
    result: Result<T, E>,
    reply: oneshot::Sender<Result<T, E>>,
}

impl<F, T, E> Job for Change<F, T, E>
where
    F: FnOnce(&Connection) -> Result<T, E> + Send,
    T: Send + 'static,
    E: From<StoreError> + Send + 'static,
{
    fn run(self: Box<Self>, conn: &Connection) -> Box<dyn Delivery> {
        let Change { f, reply } = *self;
        if let Err(e) = conn.execute_batch("SAVEPOINT change") {
            let result = Err(StoreError::from(e).into());
            return Box::new(Answer { result, reply });
        }
        let result = match catch_unwind(AssertUnwindSafe(|| f(conn))) {
            Ok(result) => result,
            Err(_) => {
                tracing::error!("a write panicked; its change was rolled back");
                Err(StoreError::Panicked.into())
            }
        };
        let settled = if result.is_ok() {
            conn.execute_batch("RELEASE change")
        } else {
            conn.execute_batch("ROLLBACK TO change; RELEASE change")
        };
        let result = match settled {
            Ok(()) => result,
            Err(e) => Err(StoreError::from(e).into()),
        };
        Box::new(Answer { result, reply })
    }

    fn abandon(self: Box<Self>, err: StoreError) {
        let _ = self.reply.send(Err(err.into()));
    }
}

impl<T: Send, E: From<StoreError> + Send> Delivery for Answer<T, E> {
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn deliver(self: Box<Self>, commit_error: Option<StoreError>) {
        let result = match (commit_error, self.result) {
            (Some(err), Ok(_)) => Err(err.into()),
            (_, result) => result,
        };
        let _ = self.reply.send(result);
    }
}

pub struct Writer {
    queue: mpsc::Sender<Box<dyn Job>>,
    counters: Arc<WriteCounters>,
}

/// How well group commit is grouping, for `/metrics` and the benchmarks: changes per
/// transaction, and the time spent committing (the fsync, and any WAL checkpoint it runs).
#[derive(Debug, Default)]
pub struct WriteCounters {
    pub transactions: AtomicU64,
    pub changes: AtomicU64,
    pub commit_micros: AtomicU64,
}

impl Writer {
    pub fn start(
        mut conn: Connection,
        last_event: watch::Sender<i64>,
    ) -> Result<Writer, StoreError> {
        conn.set_prepared_statement_cache_capacity(128);
        let (queue, jobs) = mpsc::channel::<Box<dyn Job>>();
        let counters = Arc::new(WriteCounters::default());
        let shared = counters.clone();
        std::thread::Builder::new()
            .name("presswork-writer".into())
            .spawn(move || run(&mut conn, jobs, last_event, &shared))?;
        Ok(Writer { queue, counters })
    }

    pub fn counters(&self) -> &WriteCounters {
        &self.counters
    }

    fn enqueue<F, T, E>(&self, f: F) -> Result<oneshot::Receiver<Result<T, E>>, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Box::new(Change { f, reply }))
            .map_err(|_| StoreError::WriterGone)?;
        Ok(answer)
    }

    pub async fn submit<F, T, E>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let answer = self.enqueue(f)?;
        answer
            .await
            .unwrap_or_else(|_| Err(StoreError::WriterGone.into()))
    }

    pub fn submit_blocking<F, T, E>(&self, f: F) -> Result<T, E>
    where
        F: FnOnce(&Connection) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: From<StoreError> + Send + 'static,
    {
        let answer = self.enqueue(f)?;
        answer
            .blocking_recv()
            .unwrap_or_else(|_| Err(StoreError::WriterGone.into()))
    }
}

fn run(
    conn: &mut Connection,
    jobs: mpsc::Receiver<Box<dyn Job>>,
    last_event: watch::Sender<i64>,
    counters: &WriteCounters,
) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        counters.transactions.fetch_add(1, Relaxed);
        counters.changes.fetch_add(batch.len() as u64, Relaxed);
        commit_batch(conn, batch, &last_event, counters);
    }
}

fn commit_batch(
    conn: &Connection,
    batch: Vec<Box<dyn Job>>,
    last_event: &watch::Sender<i64>,
    counters: &WriteCounters,
) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        tracing::error!(error = %e, "could not begin a write transaction");
        let reason = e.to_string();
        for job in batch {
            job.abandon(StoreError::Sqlite(sqlite_error_like(&e, &reason)));
        }
        return;
    }
    let mut answers: Vec<Box<dyn Delivery>> = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    for job in jobs.by_ref() {
        answers.push(job.run(conn));
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction by itself;
        // then the changes already run in this batch are gone too, and their callers must know.
        if conn.is_autocommit() {
            let reason = "the transaction was rolled back by the database";
            tracing::error!("{reason}; failing the whole batch");
            for answer in answers {
                answer.deliver(Some(StoreError::Sqlite(rollback_error(reason))));
            }
            for job in jobs {
                job.abandon(StoreError::Sqlite(rollback_error(reason)));
            }
            return;
        }
    }
    let any_succeeded = answers.iter().any(|a| a.succeeded());
    let committing = Instant::now();
    let committed = if any_succeeded {
        conn.execute_batch("COMMIT")
    } else {
        conn.execute_batch("ROLLBACK")
    };
    let micros = committing.elapsed().as_micros().min(u64::MAX as u128) as u64;
    counters.commit_micros.fetch_add(micros, Relaxed);
    match committed {
        Ok(()) => {
            if any_succeeded {
                if let Ok(id) = last_event_id(conn) {
                    last_event.send_if_modified(|last| {
                        let newer = id > *last;
                        *last = id.max(*last);
                        newer
                    });
                }
            }
            for answer in answers {
                answer.deliver(None);
            }
        }
        Err(e) => {
            tracing::error!(error = %e, "commit failed; every change of the batch is undone");
            let _ = conn.execute_batch("ROLLBACK");
            let reason = e.to_string();
            for answer in answers {
                answer.deliver(Some(StoreError::Sqlite(sqlite_error_like(&e, &reason))));
            }
        }
    }
}

/// A copy of `e` (rusqlite errors are not Clone) keeping its SQLite code, so callers can tell
/// "disk full" or "read-only" from other failures.
fn sqlite_error_like(e: &rusqlite::Error, reason: &str) -> rusqlite::Error {
    match e {
        rusqlite::Error::SqliteFailure(code, _) => {
            rusqlite::Error::SqliteFailure(*code, Some(reason.to_owned()))
        }
        _ => rollback_error(reason),
    }
}

fn rollback_error(reason: &str) -> rusqlite::Error {
    rusqlite::Error::SqliteFailure(
        rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_ABORT),
        Some(reason.to_owned()),
    )
}
