//! Score snapshots: after any change to a vendor's inputs, the score today is recomputed in the
//! same transaction and kept when its score, grade, statuses or model differ from the last one.

use diesel::prelude::*;

use chrono::NaiveDate;

use super::{
    inputs::{self, Inputs},
    models::{Snapshot, SnapshotRow},
};
use crate::{
    audit::store::{self as audit, Change},
    auth::Principal,
    db::{schema::vendor_score_snapshots as sn, DbConn},
    error::ApiError,
    rules::{capability::Model, f2::Policy},
    time,
};

pub fn latest(conn: &mut DbConn, vendor_id: &str) -> Result<Option<SnapshotRow>, ApiError> {
    Ok(sn::table.filter(sn::vendor_id.eq(vendor_id)).order(sn::id.desc()).first(conn).optional()?)
}

/// Newest first, `limit + 1` rows before `before_id`.
pub fn history(
    conn: &mut DbConn,
    vendor_id: &str,
    before_id: Option<String>,
    limit: i64,
) -> Result<Vec<SnapshotRow>, ApiError> {
    let mut q = sn::table.filter(sn::vendor_id.eq(vendor_id)).into_boxed();
    if let Some(b) = before_id {
        q = q.filter(sn::id.lt(b));
    }
    Ok(q.order(sn::id.desc()).limit(limit + 1).load(conn)?)
}

/// Keeps a snapshot of the vendor's score on `today` when it changed. Call it inside the
/// transaction that changed an input, so the snapshot and its `vendor.score_changed` event commit
/// with the change.
pub fn refresh(
    conn: &mut DbConn,
    inputs: &Inputs,
    policy: Policy,
    today: NaiveDate,
    actor: &Principal,
    model: &Model,
) -> Result<(), ApiError> {
    let vendor_id = inputs.vendor.id.as_str();
    let score = inputs::evaluate(inputs, today, policy, model);
    let last = latest(conn, vendor_id)?;
    let unchanged = last.as_ref().is_some_and(|l| {
        l.score == score.score
            && l.grade == score.grade
            && l.f1_status == score.f1.status.as_str()
            && l.f2_status == score.f2.status.as_str()
            && l.model_version == score.model_version
    });
    if unchanged {
        return Ok(());
    }
    let row = SnapshotRow {
        id: crate::http::ids::new(),
        vendor_id: vendor_id.to_string(),
        computed_at: time::now(),
        as_of: time::date_text(score.as_of),
        score: score.score,
        grade: score.grade.clone(),
        f1_status: score.f1.status.as_str().into(),
        f2_status: score.f2.status.as_str().into(),
        model_version: score.model_version.clone(),
        document: serde_json::to_string(&score).map_err(|e| ApiError::Internal(e.to_string()))?,
    };
    diesel::insert_into(sn::table).values(&row).execute(conn)?;
    let before = last.map(Snapshot::from);
    let after = Snapshot::from(row);
    audit::record(conn, actor, Change::new("score_changed", "vendor", vendor_id, before.as_ref(), Some(&after)))
}
