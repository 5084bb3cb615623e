//! The SQLite writer: one connection behind a lock, with group commit.
//!
//! SQLite allows one writer at a time. Keeping every write on one connection keeps its page cache
//! warm (a commit by one connection invalidates the others' caches; profiled in bench/README.md).
//! Each commit appends every page it dirtied to the WAL, and consecutive changes dirty the same
//! pages (the newest leaf of each index, the audit chain's head, the outbox), so changes that
//! arrive together share one transaction: each runs in its own savepoint, so one that fails
//! rolls back alone, and none is answered before the commit that holds it.
//!
//! Transactions start with `BEGIN IMMEDIATE`: the write lock is taken up front, so a deferred
//! transaction never fails half way when another process (`oversee remind`) writes too; it waits
//! up to `busy_timeout` instead.

use std::{
    collections::VecDeque,
    sync::{mpsc, Mutex},
};

use diesel::connection::{AnsiTransactionManager, Connection, TransactionManager};

use super::{DbConn, Manager};
use crate::error::ApiError;

/// At most this many changes share a commit, so one batch never holds the writer for long.
const MAX_BATCH: usize = 64;

type Finish = Box<dyn FnOnce(Option<&ApiError>) + Send>;

/// A queued change: `run` executes it inside the batch and returns how to answer once the batch
/// committed (or failed to); `abandon` answers it when it never ran.
struct Job {
    run: Box<dyn FnOnce(&mut DbConn) -> Finish + Send>,
    abandon: Box<dyn FnOnce(ApiError) + Send>,
}

pub struct Writer {
    url: String,
    conn: Mutex<Option<DbConn>>,
    queue: Mutex<VecDeque<Job>>,
}

type Txn = <DbConn as Connection>::TransactionManager;

fn unavailable(e: impl std::fmt::Display) -> ApiError {
    super::unavailable(&e)
}

fn begin_immediate(conn: &mut DbConn) -> Result<(), ApiError> {
    match conn {
        DbConn::Sqlite(c) => AnsiTransactionManager::begin_transaction_sql(c, "BEGIN IMMEDIATE").map_err(unavailable),
        DbConn::Postgres(_) => Err(ApiError::Internal("the SQLite writer was given a PostgreSQL connection".into())),
    }
}

/// Outside a transaction: whether the connection is in a transaction or its manager failed
/// (diesel counts both as broken, for pools).
fn is_broken(conn: &mut DbConn) -> bool {
    Txn::is_broken_transaction_manager(conn)
}

/// How many transactions deep the connection is (0 outside), or `None` when its manager failed.
fn depth(conn: &mut DbConn) -> Option<u32> {
    Txn::transaction_manager_status_mut(conn).transaction_depth().ok().map(|d| d.map_or(0, |d| d.get()))
}

/// Rolls back every open level; the connection is dropped afterwards if that fails.
fn rollback_all(conn: &mut DbConn) {
    while depth(conn).is_some_and(|d| d > 0) {
        if Txn::rollback_transaction(conn).is_err() {
            break;
        }
    }
}

impl Writer {
    pub fn new(url: &str) -> Writer {
        Writer { url: url.to_string(), conn: Mutex::new(None), queue: Mutex::new(VecDeque::new()) }
    }

    fn with_conn<R>(&self, f: impl FnOnce(&mut DbConn) -> Result<R, ApiError>) -> Result<R, ApiError> {
        let mut slot = self.conn.lock().unwrap_or_else(|p| p.into_inner());
        if slot.is_none() {
            let manager = Manager { url: self.url.clone(), backend: super::Backend::Sqlite };
            *slot = Some(diesel::r2d2::ManageConnection::connect(&manager).map_err(unavailable)?);
        }
        let conn = slot.as_mut().ok_or_else(|| ApiError::Internal("no writer connection".into()))?;
        let out = f(conn);
        // A connection left inside a transaction (a panic, a failed rollback) cannot be trusted
        // with the next write: open a fresh one then.
        if is_broken(conn) {
            *slot = None;
        }
        out
    }

    /// Runs `f` alone in one transaction, now, on the calling thread.
    pub fn run<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>) -> Result<T, ApiError> {
        self.with_conn(|conn| {
            begin_immediate(conn)?;
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(conn)));
            match outcome {
                Ok(Ok(value)) => match Txn::commit_transaction(conn) {
                    Ok(()) => Ok(value),
                    Err(e) => {
                        rollback_all(conn);
                        Err(ApiError::from(e))
                    }
                },
                Ok(Err(e)) => {
                    rollback_all(conn);
                    Err(e)
                }
                Err(_) => {
                    rollback_all(conn);
                    Err(ApiError::Internal("a write transaction panicked; it was rolled back".into()))
                }
            }
        })
    }

    /// Queues `f` and returns its result once the transaction that ran it committed: the caller
    /// either leads a batch (running every change queued so far) or finds its change already
    /// committed by the batch before. Blocks; call it off the async workers.
    pub fn submit<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let (tx, rx) = mpsc::sync_channel::<Result<T, ApiError>>(1);
        let on_abandon = tx.clone();
        let job = Job {
            run: Box::new(move |conn: &mut DbConn| {
                // A savepoint inside the batch: an error rolls back this change alone.
                let outcome = conn.transaction(f);
                Box::new(move |commit_error: Option<&ApiError>| {
                    let answer = match commit_error {
                        None => outcome,
                        Some(e) => outcome.and(Err(e.clone())),
                    };
                    let _ = tx.send(answer);
                })
            }),
            abandon: Box::new(move |e| {
                let _ = on_abandon.send(Err(e));
            }),
        };
        self.queue.lock().unwrap_or_else(|p| p.into_inner()).push_back(job);
        self.lead();
        rx.recv().unwrap_or_else(|_| Err(ApiError::Internal("the change was lost before it was committed".into())))
    }

    /// Takes the connection and commits what is queued, a batch at a time. A thread whose job an
    /// earlier batch took finds the queue empty and leaves.
    fn lead(&self) {
        let _ = self.with_conn(|conn| loop {
            let batch: Vec<Job> = {
                let mut q = self.queue.lock().unwrap_or_else(|p| p.into_inner());
                let n = q.len().min(MAX_BATCH);
                q.drain(..n).collect()
            };
            if batch.is_empty() {
                return Ok(());
            }
            Self::commit_batch(conn, batch);
            if is_broken(conn) {
                return Err(ApiError::Internal("the writer's transaction state broke".into()));
            }
        });
    }

    fn commit_batch(conn: &mut DbConn, batch: Vec<Job>) {
        if let Err(e) = begin_immediate(conn) {
            for job in batch {
                (job.abandon)(e.clone());
            }
            return;
        }
        let mut finishes: Vec<Finish> = Vec::with_capacity(batch.len());
        let mut jobs = batch.into_iter();
        for job in jobs.by_ref() {
            let Job { run, abandon } = job;
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| run(conn))) {
                Ok(finish) => finishes.push(finish),
                Err(_) => {
                    abandon(ApiError::Internal("a write transaction panicked; it was rolled back".into()));
                    // Unwind what the panicked change left open, down to the batch's own level; if
                    // that fails, give up the batch.
                    while depth(conn).is_some_and(|d| d > 1) {
                        if Txn::rollback_transaction(conn).is_err() {
                            break;
                        }
                    }
                    if depth(conn) != Some(1) {
                        break;
                    }
                }
            }
        }
        let rest: Vec<Job> = jobs.collect();
        let committed = if rest.is_empty() && depth(conn) == Some(1) {
            Txn::commit_transaction(conn).map_err(ApiError::from)
        } else {
            Err(ApiError::Internal("the writer's transaction broke; the batch was rolled back".into()))
        };
        let failure = committed.err();
        if failure.is_some() {
            rollback_all(conn);
        }
        for finish in finishes {
            finish(failure.as_ref());
        }
        for job in rest {
            (job.abandon)(failure.clone().unwrap_or_else(|| ApiError::Internal("rolled back".into())));
        }
    }
}

#[cfg(test)]
mod tests {
    use diesel::connection::SimpleConnection;

    use super::*;

    fn writer() -> (Writer, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("oversee-writer-{}.db", uuid::Uuid::now_v7()));
        let w = Writer::new(path.to_str().unwrap());
        w.run(|c| Ok(c.batch_execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")?)).unwrap();
        (w, path)
    }

    fn count(w: &Writer) -> i64 {
        use diesel::{sql_types::BigInt, QueryableByName, RunQueryDsl};
        #[derive(QueryableByName)]
        struct N {
            #[diesel(sql_type = BigInt)]
            n: i64,
        }
        w.run(|c| Ok(diesel::sql_query("SELECT COUNT(*) AS n FROM t").get_result::<N>(c)?.n)).unwrap()
    }

    fn insert(x: i64) -> impl FnOnce(&mut DbConn) -> Result<(), ApiError> + Send + 'static {
        move |c| Ok(c.batch_execute(&format!("INSERT INTO t VALUES ({x})"))?)
    }

    #[test]
    fn changes_submitted_together_commit_together_and_fail_alone() {
        let (w, path) = writer();
        let w = std::sync::Arc::new(w);
        // Hold the connection so that every submission below queues into one batch.
        let gate = w.conn.lock().unwrap();
        let handles: Vec<_> = (0..40i64)
            .map(|i| {
                let w = w.clone();
                std::thread::spawn(move || match i {
                    // A duplicate key: fails, and takes nothing else with it.
                    7 => w.submit(insert(1)),
                    // A panic inside a change: that change alone is lost.
                    9 => w.submit(|_| -> Result<(), ApiError> { panic!("a bug in one change") }),
                    _ => w.submit(insert(i)),
                })
            })
            .collect();
        // Poll, with a deadline, until every submission is queued.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while w.queue.lock().unwrap().len() < 40 {
            assert!(std::time::Instant::now() < deadline, "submissions did not queue");
            std::thread::yield_now();
        }
        drop(gate);
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let failed: Vec<usize> = results.iter().enumerate().filter(|(_, r)| r.is_err()).map(|(i, _)| i).collect();
        assert_eq!(failed.len(), 2, "{results:?}");
        assert!(failed.contains(&9), "{results:?}");
        // Whichever of 1 and 7 ran second hit the duplicate key (7 inserts 1 too).
        assert!(failed.contains(&1) || failed.contains(&7), "{results:?}");
        assert_eq!(count(&w), 38);
        let _ = std::fs::remove_file(path);
    }

    #[test]
    fn a_submitted_change_commits() {
        let (w, path) = writer();
        w.submit(insert(1)).unwrap();
        assert_eq!(count(&w), 1);
        assert!(w.submit(insert(1)).is_err(), "a failed change is an error");
        assert_eq!(count(&w), 1);
        w.submit(insert(2)).unwrap();
        assert_eq!(count(&w), 2, "the writer goes on after a failure");
        let _ = std::fs::remove_file(path);
    }
}
