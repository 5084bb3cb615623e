//! What is derived from a vendor's facts and kept in step with them: the score snapshot, the
//! published (f)2 status of each contract and the reminder schedule. Every transaction that changes a vendor's inputs calls `refresh`, so the
//! derived rows commit with the change or not at all.

use crate::{auth::Principal, config::Config, db::DbConn, error::ApiError};

pub fn refresh(conn: &mut DbConn, vendor_id: &str, actor: &Principal, config: &Config) -> Result<(), ApiError> {
    crate::scores::snapshots::refresh(conn, vendor_id, actor, &config.score_model)?;
    crate::compliance::changes::publish(conn, vendor_id, actor)?;
    crate::reminders::planner::replan_vendor(conn, vendor_id, config)?;
    Ok(())
}
