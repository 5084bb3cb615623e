//! Holding a PostgreSQL table's writes from the test, so processes racing for the same rows can be
//! seen inside their pass at the same moment: the premise an overlap test must prove.
//!
//! SQLite has no equivalent: its one lock covers the whole file, so a hold would also stop each
//! process's start-up (which writes the built-in data), and a waiting SQLite connection cannot be
//! observed from outside. There, one writer at a time interleaves the passes by transaction.

use std::{
    sync::mpsc,
    thread::JoinHandle,
    time::{Duration, Instant},
};

use diesel::{connection::SimpleConnection, sql_types::Integer, QueryableByName, RunQueryDsl};
use oversee::db::Backend;

use crate::support::TestApp;

/// An `EXCLUSIVE` lock on one table, held on a thread of its own until `release`: reads go on,
/// every insert, update and delete of that table waits.
pub struct TableHold {
    holder_pid: i32,
    release: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = Integer)]
    n: i32,
}

impl TableHold {
    /// Takes the lock, or `None` on SQLite (see the module's comment).
    pub fn take(app: &TestApp, table: &'static str) -> Option<TableHold> {
        if app.state.db.backend != Backend::Postgres {
            return None;
        }
        let db = app.state.db.clone();
        let (ready_tx, ready) = mpsc::channel();
        let (release, release_rx) = mpsc::channel::<()>();
        let thread = std::thread::spawn(move || {
            let mut conn = db.conn().expect("a connection for the hold");
            conn.batch_execute(&format!("BEGIN; LOCK TABLE {table} IN EXCLUSIVE MODE")).expect("lock the table");
            let pid = diesel::sql_query("SELECT pg_backend_pid() AS n").get_result::<Count>(&mut *conn).unwrap().n;
            ready_tx.send(pid).unwrap();
            let _ = release_rx.recv();
            conn.batch_execute("COMMIT").expect("release the table");
        });
        let holder_pid = ready.recv().expect("the hold started");
        Some(TableHold { holder_pid, release, thread })
    }

    /// Waits until each of these processes (named by `PGAPPNAME`, see `app_name`) has a session
    /// blocked behind the hold: all reached their first write of the table and wait there
    /// together. Counted per process, so two sessions of one process do not pass for two.
    pub fn wait_for_blocked(&self, app: &TestApp, processes: &[String]) {
        let n = processes.len() as i32;
        let names = processes.iter().map(|p| format!("'{p}'")).collect::<Vec<_>>().join(", ");
        let deadline = Instant::now() + Duration::from_secs(120);
        let query = format!(
            "SELECT count(DISTINCT application_name)::int AS n FROM pg_stat_activity \
             WHERE {} = ANY(pg_blocking_pids(pid)) AND application_name IN ({names})",
            self.holder_pid
        );
        loop {
            let blocked = {
                let mut conn = app.state.db.conn().unwrap();
                diesel::sql_query(&query).get_result::<Count>(&mut *conn).unwrap().n
            };
            if blocked >= n {
                return;
            }
            assert!(Instant::now() < deadline, "{blocked} of {processes:?} reached the held table in two minutes");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The environment that names a child process's PostgreSQL sessions (libpq reads
    /// `PGAPPNAME`), so `wait_for_blocked` can tell processes apart.
    pub fn app_name(name: &str) -> (&'static str, String) {
        ("PGAPPNAME", name.to_string())
    }

    pub fn release(self) {
        self.release.send(()).unwrap();
        self.thread.join().expect("the hold ended cleanly");
    }
}
