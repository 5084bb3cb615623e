//! What the passage of time changes on its own. A contract's 17.03(2)(f)2 status moves with the
//! date: the grace period ends on 2012-03-01, a contract comes into force or ends, a clause's
//! effective dates begin or run out. No write announces such a change, so once a day the first
//! process to claim the day derives every vendor's status as of that day, as a write would
//! (`derived::refresh_as_of`), and each contract whose status moved gets its
//! `contract.compliance_changed`, once.
//!
//! Exactly once, across processes: the day is claimed by a conditional update of one settings
//! row (only the process that moves it from an earlier day sweeps), and each contract's change
//! is published only by the writer that moves its `contract_compliance` row
//! (`changes::publish`), so two sweeps that overlap, or a sweep and a write, publish it once.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::{
    auth::Principal,
    config::Config,
    db::{
        schema::{contracts as c, settings as s},
        Db, DbConn,
    },
    error::ApiError,
    time,
};

/// The settings row that holds the last day swept, as a JSON string (`"2026-12-02"`).
const SWEPT_KEY: &str = "compliance_swept_through";

/// What a sweep did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Swept {
    /// False when another process had already swept this day.
    pub claimed: bool,
    pub vendors: usize,
}

/// Sweeps `today` unless a process already did: each vendor with a contract, one transaction each.
pub fn run(db: &Db, config: &Config, today: NaiveDate) -> Result<Swept, ApiError> {
    if !db.write_blocking(move |conn| claim(conn, today))? {
        return Ok(Swept::default());
    }
    match refresh_all(db, config, today) {
        Ok(vendors) => Ok(Swept { claimed: true, vendors }),
        Err(e) => {
            // Given back, so the next hourly pass (here or elsewhere) sweeps the day again; what
            // was already published is not published twice (`changes::publish`).
            let _ = db.write_blocking(move |conn| release(conn, today));
            Err(e)
        }
    }
}

/// Every vendor with a contract, each in its own transaction; one that fails does not stop the
/// others, and the first failure is returned after all were tried.
fn refresh_all(db: &Db, config: &Config, today: NaiveDate) -> Result<usize, ApiError> {
    let vendors: Vec<String> =
        db.write_blocking(|conn| Ok(c::table.select(c::vendor_id).distinct().order(c::vendor_id).load(conn)?))?;
    let actor = Principal::system();
    let mut first_failure = None;
    for vendor in &vendors {
        let (id, actor, config) = (vendor.clone(), actor.clone(), config.clone());
        if let Err(e) = db.write_blocking(move |conn| refresh_one(conn, &id, &actor, &config, today)) {
            tracing::warn!(vendor = %vendor, error = %e, "a vendor's statuses could not be re-derived");
            first_failure.get_or_insert(e);
        }
    }
    first_failure.map_or(Ok(vendors.len()), Err)
}

/// One vendor, as a write would derive it, but without racing one: the audit head's lock first
/// (every writer takes it before its change commits), so the facts and the published statuses
/// read here are of one moment. On PostgreSQL the sweep waits at most briefly for a lock and
/// gives up instead (it is retried within the hour): a writer never waits long behind it, and
/// is never the one a deadlock is broken against.
fn refresh_one(
    conn: &mut DbConn,
    vendor: &str,
    actor: &Principal,
    config: &Config,
    today: NaiveDate,
) -> Result<(), ApiError> {
    if let DbConn::Postgres(c) = conn {
        use diesel::connection::SimpleConnection;
        c.batch_execute("SET LOCAL lock_timeout = '500ms'")?;
    }
    crate::audit::chain::lock_head(conn)?;
    crate::derived::refresh_as_of(conn, vendor, actor, config, today)
}

fn day_value(today: NaiveDate) -> String {
    serde_json::to_string(&time::date_text(today)).expect("a date serialises")
}

/// Moves the swept day to `today`; true only for the one process that moved it.
fn claim(conn: &mut DbConn, today: NaiveDate) -> Result<bool, ApiError> {
    let day = day_value(today);
    let now = time::now();
    crate::on_backend!(conn, |c| diesel::insert_into(s::table)
        .values((s::key.eq(SWEPT_KEY), s::value.eq("\"\""), s::updated_at.eq(&now)))
        .on_conflict_do_nothing()
        .execute(c))?;
    // ISO dates in quotes order as the days do, and `""` before them all.
    let moved = diesel::update(s::table.find(SWEPT_KEY).filter(s::value.lt(&day)))
        .set((s::value.eq(&day), s::updated_at.eq(&now)))
        .execute(conn)?;
    Ok(moved == 1)
}

/// Gives the day back after a failed sweep, unless another process has moved on since.
fn release(conn: &mut DbConn, today: NaiveDate) -> Result<(), ApiError> {
    diesel::update(s::table.find(SWEPT_KEY).filter(s::value.eq(day_value(today))))
        .set(s::value.eq("\"\""))
        .execute(conn)?;
    Ok(())
}
