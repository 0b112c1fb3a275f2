//! The one writer thread. It takes every queued change, runs each in its own savepoint inside
//! one `BEGIN IMMEDIATE` transaction, commits once, and only then answers each caller.
//! One fsync serves the whole batch; a failed change rolls back to its own savepoint alone.

use super::checkpointer;
use super::refusal::{LastRefusal, Refusal};
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
    /// When the database dropped the whole transaction while this change ran: why, as far as
    /// the disk is concerned.
    fn cause(&self) -> Option<Refusal>;
    /// Called once the transaction is settled: `None` when it committed.
    fn deliver(self: Box<Self>, commit_error: Option<StoreError>);
    /// Answers with `err` whatever the change itself returned (it was undone by the database).
    fn fail(self: Box<Self>, err: StoreError);
}

struct Change<F, T, E> {
    f: F,
    reply: oneshot::Sender<Result<T, E>>,
}

struct Answer<T, E> {
    result: Result<T, E>,
    reply: oneshot::Sender<Result<T, E>>,
    cause: Option<Refusal>,
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
            let cause = Refusal::of(conn);
            let result = Err(StoreError::from(e).into());
            return Box::new(Answer {
                result,
                reply,
                cause,
            });
        }
        let result = match catch_unwind(AssertUnwindSafe(|| f(conn))) {
            Ok(result) => result,
            Err(_) => {
                tracing::error!("a write panicked; its change was rolled back");
                Err(StoreError::Panicked.into())
            }
        };
        // Read before the rollback below runs: it replaces the connection's last error.
        let cause = if conn.is_autocommit() {
            Refusal::of(conn)
        } else {
            None
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
        Box::new(Answer {
            result,
            reply,
            cause,
        })
    }

    fn abandon(self: Box<Self>, err: StoreError) {
        let _ = self.reply.send(Err(err.into()));
    }
}

impl<T: Send, E: From<StoreError> + Send> Delivery for Answer<T, E> {
    fn succeeded(&self) -> bool {
        self.result.is_ok()
    }

    fn cause(&self) -> Option<Refusal> {
        self.cause
    }

    fn deliver(self: Box<Self>, commit_error: Option<StoreError>) {
        let result = match (commit_error, self.result) {
            (Some(err), Ok(_)) => Err(err.into()),
            (_, result) => result,
        };
        let _ = self.reply.send(result);
    }

    fn fail(self: Box<Self>, err: StoreError) {
        let _ = self.reply.send(Err(err.into()));
    }
}

pub struct Writer {
    queue: mpsc::Sender<Box<dyn Job>>,
    counters: Arc<WriteCounters>,
    checkpoints: checkpointer::Stopper,
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
    /// `path` is the database's, for the checkpoint thread's own connections.
    pub fn start(
        mut conn: Connection,
        path: &std::path::Path,
        last_event: watch::Sender<i64>,
        refusal: Arc<LastRefusal>,
    ) -> Result<Writer, StoreError> {
        conn.set_prepared_statement_cache_capacity(128);
        // The checkpoint thread does it instead, outside the commit (see checkpointer.rs).
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0")?;
        let (checkpoint, checkpoints) = checkpointer::start(path)?;
        let (queue, jobs) = mpsc::channel::<Box<dyn Job>>();
        let counters = Arc::new(WriteCounters::default());
        let settled = Settled {
            last_event,
            refusal,
            counters: counters.clone(),
            checkpoint,
        };
        std::thread::Builder::new()
            .name("presswork-writer".into())
            .spawn(move || run(&mut conn, jobs, settled))?;
        Ok(Writer {
            queue,
            counters,
            checkpoints,
        })
    }

    /// Ends background checkpoints for good (a stop's final checkpoint follows).
    pub fn stop_background_checkpoints(&self) {
        self.checkpoints.stop();
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

/// What the writer tells the rest of the store after each transaction.
struct Settled {
    last_event: watch::Sender<i64>,
    refusal: Arc<LastRefusal>,
    counters: Arc<WriteCounters>,
    checkpoint: checkpointer::Nudge,
}

fn run(conn: &mut Connection, jobs: mpsc::Receiver<Box<dyn Job>>, settled: Settled) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        while batch.len() < MAX_BATCH {
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        settled.counters.transactions.fetch_add(1, Relaxed);
        settled
            .counters
            .changes
            .fetch_add(batch.len() as u64, Relaxed);
        commit_batch(conn, batch, &settled);
    }
}

/// The error every caller of a failed transaction gets: the disk's reason when there is one
/// (so a read-only or full disk is told as such), else a copy of SQLite's.
fn failure(refusal: Option<Refusal>, e: &rusqlite::Error, reason: &str) -> StoreError {
    match refusal {
        Some(r) => StoreError::Refused(r),
        None => StoreError::Sqlite(sqlite_error_like(e, reason)),
    }
}

fn commit_batch(conn: &Connection, batch: Vec<Box<dyn Job>>, settled: &Settled) {
    if let Err(e) = conn.execute_batch("BEGIN IMMEDIATE") {
        let refusal = Refusal::of(conn);
        tracing::error!(error = %e, ?refusal, "could not begin a write transaction");
        if refusal.is_some() {
            settled.refusal.set(refusal);
        }
        let reason = e.to_string();
        for job in batch {
            job.abandon(failure(refusal, &e, &reason));
        }
        return;
    }
    let changes_before = conn.total_changes();
    let mut answers: Vec<Box<dyn Delivery>> = Vec::with_capacity(batch.len());
    let mut jobs = batch.into_iter();
    for job in jobs.by_ref() {
        answers.push(job.run(conn));
        // Some errors (disk full, I/O) make SQLite roll back the whole transaction by itself;
        // then the changes already run in this batch are gone too, and their callers must know.
        if conn.is_autocommit() {
            fail_batch(answers, jobs, settled);
            return;
        }
    }
    let any_succeeded = answers.iter().any(|a| a.succeeded());
    // Only a commit that wrote something tells whether the disk takes writes again.
    let wrote = conn.total_changes() != changes_before;
    let committing = Instant::now();
    let committed = if any_succeeded {
        conn.execute_batch("COMMIT")
    } else {
        conn.execute_batch("ROLLBACK")
    };
    let micros = committing.elapsed().as_micros().min(u64::MAX as u128) as u64;
    settled.counters.commit_micros.fetch_add(micros, Relaxed);
    match committed {
        Ok(()) => {
            if any_succeeded && wrote {
                settled.refusal.set(None);
                settled.checkpoint.after_commit();
            }
            if any_succeeded {
                if let Ok(id) = last_event_id(conn) {
                    settled.last_event.send_if_modified(|last| {
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
            let refusal = Refusal::of(conn);
            tracing::error!(error = %e, ?refusal, "commit failed; every change of the batch is undone");
            if refusal.is_some() {
                settled.refusal.set(refusal);
            }
            let _ = conn.execute_batch("ROLLBACK");
            let reason = e.to_string();
            for answer in answers {
                answer.deliver(Some(failure(refusal, &e, &reason)));
            }
        }
    }
}

/// The database dropped the transaction while the last change ran: that change, the ones
/// before it and the ones still queued in this batch all fail, with the disk's reason.
fn fail_batch(
    mut answers: Vec<Box<dyn Delivery>>,
    rest: impl Iterator<Item = Box<dyn Job>>,
    settled: &Settled,
) {
    let culprit = answers.pop().expect("the change that just ran");
    let refusal = culprit.cause();
    let reason = "the transaction was rolled back by the database";
    tracing::error!(?refusal, "{reason}; failing the whole batch");
    if refusal.is_some() {
        settled.refusal.set(refusal);
    }
    let error = || match refusal {
        Some(r) => StoreError::Refused(r),
        None => StoreError::Sqlite(rollback_error(reason)),
    };
    if refusal.is_some() {
        culprit.fail(error());
    } else {
        // Its own error says best what went wrong.
        culprit.deliver(Some(error()));
    }
    for answer in answers {
        answer.deliver(Some(error()));
    }
    for job in rest {
        job.abandon(error());
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
