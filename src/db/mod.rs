//! Storage: one diesel code path over SQLite (embedded default) and PostgreSQL.

pub mod schema;
pub mod stored;
mod writer;

use std::{sync::Arc, time::Duration};

use diesel::{connection::SimpleConnection, prelude::*, r2d2};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

use crate::error::ApiError;

#[derive(diesel::MultiConnection)]
pub enum DbConn {
    Postgres(diesel::PgConnection),
    Sqlite(diesel::SqliteConnection),
}

/// Runs one diesel expression on the backend's own connection rather than through the
/// multi-backend wrapper: the same source, compiled once per backend. The wrapper re-serialises
/// every query for the backend underneath on each execution and re-prepares statements it cannot
/// key by type (about a fifth of a point read's CPU, profiled); hot reads and the vendor write
/// path use this instead.
#[macro_export]
macro_rules! on_backend {
    ($conn:expr, |$c:ident| $body:expr) => {
        match $conn {
            $crate::db::DbConn::Sqlite($c) => $body,
            $crate::db::DbConn::Postgres($c) => $body,
        }
    };
}

pub const SQLITE_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/sqlite");
pub const POSTGRES_MIGRATIONS: EmbeddedMigrations = embed_migrations!("migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }
}

/// Picks the backend from the URL scheme rather than trying each in turn, so a PostgreSQL URL with
/// a typo fails loudly instead of becoming a SQLite file name.
#[derive(Debug)]
pub struct Manager {
    url: String,
    backend: Backend,
}

impl r2d2::ManageConnection for Manager {
    type Connection = DbConn;
    type Error = r2d2::Error;

    fn connect(&self) -> Result<DbConn, r2d2::Error> {
        match self.backend {
            Backend::Postgres => {
                diesel::PgConnection::establish(&self.url).map(DbConn::Postgres).map_err(r2d2::Error::ConnectionError)
            }
            Backend::Sqlite => {
                let mut c = diesel::SqliteConnection::establish(&self.url).map_err(r2d2::Error::ConnectionError)?;
                // WAL lets readers run beside the writer; busy_timeout waits instead of failing
                // when another process (for example `oversee remind --once`) holds the lock.
                c.batch_execute(
                    "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                     PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;",
                )
                .map_err(r2d2::Error::QueryError)?;
                Ok(DbConn::Sqlite(c))
            }
        }
    }

    fn is_valid(&self, conn: &mut DbConn) -> Result<(), r2d2::Error> {
        conn.batch_execute("SELECT 1").map_err(r2d2::Error::QueryError)
    }

    /// A connection given back while its thread panics may be inside an open transaction; one
    /// whose transaction manager broke cannot be trusted either. Both are discarded.
    fn has_broken(&self, conn: &mut DbConn) -> bool {
        std::thread::panicking()
            || <<DbConn as Connection>::TransactionManager as diesel::connection::TransactionManager<DbConn>>::is_broken_transaction_manager(conn)
    }
}

/// The pool plus, for SQLite, one dedicated writer connection with group commit (`writer.rs`).
#[derive(Clone)]
pub struct Db {
    pool: r2d2::Pool<Manager>,
    pub backend: Backend,
    sqlite_writer: Arc<writer::Writer>,
    /// Tells this database's cached per-thread connections from another's (tests open many).
    id: usize,
    url: Arc<str>,
    /// The key that links audit events as HMACs (`audit::keys`), when one is set.
    audit_key: Option<crate::audit::keys::AuditKey>,
}

/// The database could not be reached: the cause is logged (it can name hosts and users), the
/// client is told only that.
pub(crate) fn unavailable(e: &dyn std::fmt::Display) -> ApiError {
    tracing::warn!(error = %e, "the database is unavailable");
    ApiError::Unavailable("the database is unavailable".into())
}

static NEXT_DB_ID: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(1);

/// The page cache of each worker thread's read connection. SQLite's default (2 MiB) holds too
/// few pages for a portfolio's hot vendors, and every miss is a `pread` plus an eviction. At 100k
/// vendors, GET vendor over 2,000 random vendors used ~12 MiB of pages: 8 MiB cut its CPU per
/// request by about a tenth against 2 MiB, and 16 MiB by about another tenth (`pread` and
/// `pcache1Fetch` were ~6 % of the server's samples at 8 MiB). A cache only grows as pages are
/// read, so the cost is at most 16 MiB per worker thread; 32 MiB took a full benchmark run's peak
/// RSS to 173 MiB (bench/README.md). A reader drops its cache whenever another connection has
/// committed, so a bigger one costs more on every read after a write; the writer keeps the
/// default, because SQLite walks its whole cache on every commit.
const READER_CACHE: &str = "PRAGMA cache_size = -16384";

thread_local! {
    /// One SQLite connection per server worker thread, for short reads run inline (see `read`).
    static LOCAL_SQLITE: std::cell::RefCell<Option<(usize, DbConn)>> = const { std::cell::RefCell::new(None) };
}

impl Db {
    pub fn connect(url: &str) -> Result<Db, String> {
        let backend = Backend::of_url(url);
        if backend == Backend::Sqlite && !url.starts_with("file:") && !url.contains(":memory:") {
            crate::private_files::sqlite_database(std::path::Path::new(url))
                .map_err(|e| format!("cannot prepare the SQLite file {url}: {e}"))?;
        }
        let size = match backend {
            Backend::Sqlite => 8,
            Backend::Postgres => 16,
        };
        let pool = r2d2::Pool::builder()
            .max_size(size)
            // No background refills: r2d2 would otherwise open connections on its own threads at
            // any time, and a process exiting while libpq sets up TLS crashes in OpenSSL's exit
            // handler (seen with `remind --once`). Connections are opened when asked for instead.
            .min_idle(Some(0))
            .connection_timeout(Duration::from_secs(5))
            .test_on_check_out(false)
            .build(Manager { url: url.to_string(), backend })
            .map_err(|e| format!("cannot connect to the database: {e}"))?;
        Ok(Db {
            pool,
            backend,
            sqlite_writer: Arc::new(writer::Writer::new(url)),
            id: NEXT_DB_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            url: url.into(),
            audit_key: None,
        })
    }

    /// Links every change's audit events with this key from now on.
    pub fn with_audit_key(mut self, key: Option<crate::audit::keys::AuditKey>) -> Db {
        self.audit_key = key;
        self
    }

    pub fn audit_key(&self) -> Option<&crate::audit::keys::AuditKey> {
        self.audit_key.as_ref()
    }

    pub fn conn(&self) -> Result<r2d2::PooledConnection<Manager>, ApiError> {
        self.pool.get().map_err(|e| unavailable(&e))
    }

    /// Applies pending migrations; returns how many ran.
    pub fn migrate(&self) -> Result<usize, String> {
        let mut conn = self.pool.get().map_err(|e| e.to_string())?;
        let ran = match &mut *conn {
            DbConn::Sqlite(c) => c.run_pending_migrations(SQLITE_MIGRATIONS).map(|v| v.len()),
            DbConn::Postgres(c) => c.run_pending_migrations(POSTGRES_MIGRATIONS).map(|v| v.len()),
        };
        ran.map_err(|e| format!("migration failed: {e}"))
    }

    /// SQLite keeps no planner statistics unless asked; `PRAGMA optimize` gathers them where
    /// they are missing or stale (cheap when nothing changed). PostgreSQL's autovacuum does this.
    pub fn refresh_statistics(&self) -> Result<(), String> {
        if self.backend == Backend::Sqlite {
            let mut conn = self.pool.get().map_err(|e| e.to_string())?;
            conn.batch_execute("PRAGMA optimize").map_err(|e| format!("PRAGMA optimize failed: {e}"))?;
        }
        Ok(())
    }

    pub fn has_pending_migrations(&self) -> Result<bool, ApiError> {
        let mut conn = self.conn()?;
        let pending = match &mut *conn {
            DbConn::Sqlite(c) => c.has_pending_migration(SQLITE_MIGRATIONS),
            DbConn::Postgres(c) => c.has_pending_migration(POSTGRES_MIGRATIONS),
        };
        pending.map_err(|e| ApiError::Unavailable(format!("cannot read migrations: {e}")))
    }

    /// Runs a short read (a point lookup, a page): on SQLite inline on the calling worker thread
    /// with that thread's own connection, since a local SQLite read takes microseconds and the hop
    /// to the blocking pool costs more than the query (measured: bench/README.md); on PostgreSQL,
    /// which waits on the network, on the blocking pool.
    pub async fn read<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        match self.backend {
            Backend::Sqlite => self.read_inline(f),
            Backend::Postgres => self.read_heavy(f).await,
        }
    }

    fn read_inline<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>) -> Result<T, ApiError> {
        LOCAL_SQLITE.with(|cell| {
            let mut slot = cell.borrow_mut();
            if slot.as_ref().map(|(id, _)| *id) != Some(self.id) {
                let manager = Manager { url: self.url.to_string(), backend: Backend::Sqlite };
                let mut conn = r2d2::ManageConnection::connect(&manager).map_err(|e| unavailable(&e))?;
                conn.batch_execute(READER_CACHE).map_err(|e| unavailable(&e))?;
                *slot = Some((self.id, conn));
            }
            match slot.as_mut() {
                Some((_, conn)) => f(conn),
                None => Err(ApiError::Internal("no connection".into())),
            }
        })
    }

    /// Runs a read that may take long (a scan over the portfolio) on a pooled connection, off the
    /// async workers.
    pub async fn read_heavy<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || {
            let mut conn = db.conn()?;
            f(&mut conn)
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }

    /// Runs a read of many statements that must all see one moment (the audit chain's
    /// verification and export, an evidence pack), off the async workers: in one transaction,
    /// REPEATABLE READ and READ ONLY on PostgreSQL; on SQLite a read transaction sees one
    /// snapshot of the WAL from its first read to its end.
    pub async fn read_snapshot<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.clone();
        actix_web::web::block(move || db.snapshot_blocking(f))
            .await
            .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }

    /// `read_snapshot` on the calling thread (a streamed body's writer).
    pub fn snapshot_blocking<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut conn = self.conn()?;
        let postgres = self.backend == Backend::Postgres;
        conn.transaction(|c| {
            if postgres {
                c.batch_execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")?;
            }
            f(c)
        })
    }

    /// Runs `f` in ONE transaction: the change, its audit event and its outbox event commit
    /// together or not at all. On SQLite, changes that arrive together share a commit, each in
    /// its own savepoint, and none is answered before its commit.
    pub async fn write<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        T: Send + 'static,
        F: FnOnce(&mut DbConn) -> Result<T, ApiError> + Send + 'static,
    {
        let db = self.clone();
        let key = self.audit_key.clone();
        let f = move |c: &mut DbConn| crate::audit::chain::linked_last(c, key.as_ref(), f);
        actix_web::web::block(move || match db.backend {
            Backend::Sqlite => db.sqlite_writer.submit(f),
            Backend::Postgres => db.postgres_transaction(f),
        })
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
    }

    /// Runs `f` alone in one transaction on the calling thread. Both ways of writing link the
    /// change's audit events to the chain as its last statements (`audit::chain::linked_last`).
    pub fn write_blocking<T, F>(&self, f: F) -> Result<T, ApiError>
    where
        F: FnOnce(&mut DbConn) -> Result<T, ApiError>,
    {
        let key = self.audit_key.as_ref();
        let f = move |c: &mut DbConn| crate::audit::chain::linked_last(c, key, f);
        match self.backend {
            Backend::Postgres => self.postgres_transaction(f),
            Backend::Sqlite => self.sqlite_writer.run(f),
        }
    }

    fn postgres_transaction<T>(&self, f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>) -> Result<T, ApiError> {
        let mut conn = self.conn()?;
        let conn: &mut DbConn = &mut conn;
        conn.transaction(f)
    }
}

#[cfg(test)]
mod tests {
    use diesel::{sql_query, sql_types::Text, Connection, QueryableByName, RunQueryDsl, SqliteConnection};

    #[derive(QueryableByName)]
    struct CompileOption {
        #[diesel(sql_type = Text)]
        compile_options: String,
    }

    /// The options in `.cargo/config.toml` reach the bundled SQLite: a build that lost them (a
    /// different working directory, a changed libsqlite3-sys) would still pass every other test
    /// and only be slower.
    #[test]
    fn bundled_sqlite_has_the_configured_compile_options() {
        let mut c = SqliteConnection::establish(":memory:").unwrap();
        let options: Vec<String> = sql_query("PRAGMA compile_options")
            .load::<CompileOption>(&mut c)
            .unwrap()
            .into_iter()
            .map(|o| o.compile_options)
            .collect();
        assert!(options.iter().any(|o| o == "THREADSAFE=2"), "{options:?}");
        assert!(options.iter().any(|o| o == "DEFAULT_MEMSTATUS=0"), "{options:?}");
        assert!(options.iter().any(|o| o == "OMIT_SHARED_CACHE"), "{options:?}");
        assert!(!options.iter().any(|o| o == "ENABLE_MEMORY_MANAGEMENT"), "{options:?}");
    }
}
