//! What is derived from a vendor's facts and kept in step with them: the score snapshot, the
//! published (f)2 status of each contract and the reminder schedule. Every transaction that
//! changes a vendor's inputs calls `refresh`, so the derived rows commit with the change or not at
//! all. The score's inputs are loaded once and serve both the snapshot and the (f)2 publication.

use crate::{auth::Principal, config::Config, db::DbConn, error::ApiError, time};

pub fn refresh(conn: &mut DbConn, vendor_id: &str, actor: &Principal, config: &Config) -> Result<(), ApiError> {
    refresh_as_of(conn, vendor_id, actor, config, time::today())
}

/// `refresh` as of `today`: what the daily sweep runs (`compliance::sweep`), and what a test
/// runs for a day other than the clock's.
pub fn refresh_as_of(
    conn: &mut DbConn,
    vendor_id: &str,
    actor: &Principal,
    config: &Config,
    today: chrono::NaiveDate,
) -> Result<(), ApiError> {
    let vendor = crate::vendors::store::get_required(conn, vendor_id)?;
    let policy = crate::compliance::store::policy(conn)?;
    let inputs = crate::scores::inputs::load_one(conn, vendor)?;
    crate::scores::snapshots::refresh(conn, &inputs, policy, today, actor, &config.score_model)?;
    crate::compliance::changes::publish(conn, vendor_id, &inputs.contracts, policy, today, actor)?;
    crate::reminders::planner::replan_vendor(conn, vendor_id, config)?;
    Ok(())
}
