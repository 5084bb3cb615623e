//! Anchoring: the chain's head (seq, hash) is published at least daily and on demand, as an
//! `audit.head` webhook event (signed, like every delivery, with each subscriber's secret), in
//! the log, and in `GET /audit-events/anchors`. Anyone who can write to the database can
//! recompute an unkeyed chain from its first event; copies of the head held elsewhere (a
//! ticketing system, a log archive, an auditor's notes) contradict such a rebuilt chain, and
//! `GET /audit-events/verify?noted_head=SEQ:HASH` says whether today's chain still holds one.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::{chain, store as audit};
use crate::{
    db::{schema::audit_anchors as t, DbConn},
    error::ApiError,
    time,
};

/// The webhook event that carries a published head.
pub const EVENT_TYPE: &str = "audit.head";

/// Published at least this often by the server's background loop.
pub const EVERY: chrono::TimeDelta = chrono::TimeDelta::hours(24);

#[derive(Queryable, Insertable, Debug, Clone)]
#[diesel(table_name = t)]
pub struct AnchorRow {
    pub id: String,
    pub seq: i64,
    pub head: String,
    pub key_id: Option<String>,
    pub reason: String,
    pub requested_by: String,
    pub published_at: String,
}

/// A published head of the audit chain.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Anchor {
    pub id: String,
    /// The seq of the last event when it was published (0 before any).
    pub seq: i64,
    /// That event's hash: `verify?noted_head=<seq>:<hash>` checks today's chain against it.
    pub hash: String,
    /// The audit key that linked that event, if any.
    pub key_id: Option<String>,
    /// `daily` (the background loop) or `on_demand`.
    pub reason: String,
    pub requested_by: String,
    pub published_at: String,
}

impl From<AnchorRow> for Anchor {
    fn from(r: AnchorRow) -> Self {
        Anchor {
            id: r.id,
            seq: r.seq,
            hash: r.head,
            key_id: r.key_id,
            reason: r.reason,
            requested_by: r.requested_by,
            published_at: r.published_at,
        }
    }
}

/// Publishes the head as it stands in this transaction: stores the anchor and queues the
/// `audit.head` event in the outbox. The caller logs it once the transaction committed.
pub fn publish(conn: &mut DbConn, reason: &str, requested_by: &str) -> Result<Anchor, ApiError> {
    let head = chain::head(conn)?;
    let row = AnchorRow {
        id: crate::http::ids::new(),
        seq: head.seq,
        head: head.hash,
        key_id: head.key_id,
        reason: reason.into(),
        requested_by: requested_by.into(),
        published_at: time::now(),
    };
    diesel::insert_into(t::table).values(&row).execute(conn)?;
    let anchor = Anchor::from(row);
    audit::publish(conn, EVENT_TYPE, "audit_chain", "audit_chain", Some(&anchor), &anchor.published_at)?;
    Ok(anchor)
}

/// Publishes unless an anchor was published within `EVERY` before `now`, or the chain is still
/// empty; several servers may ask at once, and on SQLite their transactions run one after
/// another, so one publishes (on PostgreSQL two may, which only repeats a true head).
pub fn publish_if_due(conn: &mut DbConn, now: chrono::DateTime<chrono::Utc>) -> Result<Option<Anchor>, ApiError> {
    if chain::head(conn)?.seq == 0 {
        return Ok(None);
    }
    let since = time::format(now - EVERY);
    let recent: i64 = t::table.filter(t::published_at.gt(since)).count().get_result(conn)?;
    if recent > 0 {
        return Ok(None);
    }
    publish(conn, "daily", &crate::auth::Principal::system().sub).map(Some)
}

/// Newest first, `limit + 1` rows after the cursor's id.
pub fn list(conn: &mut DbConn, before_id: Option<String>, limit: i64) -> Result<Vec<AnchorRow>, ApiError> {
    let mut q = t::table.into_boxed();
    if let Some(before) = before_id {
        q = q.filter(t::id.lt(before));
    }
    Ok(q.order(t::id.desc()).limit(limit + 1).load(conn)?)
}

/// The log line every published head gets, so a copy lands wherever the logs go.
pub fn log(anchor: &Anchor) {
    tracing::info!(
        target: "oversee::audit",
        seq = anchor.seq,
        hash = %anchor.hash,
        key_id = anchor.key_id.as_deref().unwrap_or("none"),
        reason = %anchor.reason,
        "audit chain head published"
    );
}
