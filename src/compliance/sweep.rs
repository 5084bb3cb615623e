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

fn refresh_all(db: &Db, config: &Config, today: NaiveDate) -> Result<usize, ApiError> {
    let vendors: Vec<String> =
        db.write_blocking(|conn| Ok(c::table.select(c::vendor_id).distinct().order(c::vendor_id).load(conn)?))?;
    let actor = Principal::system();
    for vendor in &vendors {
        let (vendor, actor, config) = (vendor.clone(), actor.clone(), config.clone());
        db.write_blocking(move |conn| crate::derived::refresh_as_of(conn, &vendor, &actor, &config, today))?;
    }
    Ok(vendors.len())
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
