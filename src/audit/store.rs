use diesel::prelude::*;
use serde::Serialize;

use super::models::AuditRow;
use crate::{
    auth::Principal,
    db::{
        schema::{audit_events as a, outbox_events as o},
        DbConn,
    },
    error::ApiError,
    time,
};

/// What changed, for the audit trail and the outbox.
pub struct Change<'a, T: Serialize> {
    pub action: &'a str,
    pub subject_type: &'a str,
    pub subject_id: &'a str,
    pub before: Option<&'a T>,
    pub after: Option<&'a T>,
}

impl<'a, T: Serialize> Change<'a, T> {
    pub fn new(
        action: &'a str,
        subject_type: &'a str,
        subject_id: &'a str,
        before: Option<&'a T>,
        after: Option<&'a T>,
    ) -> Self {
        Change { action, subject_type, subject_id, before, after }
    }

    pub fn created(subject_type: &'a str, subject_id: &'a str, after: &'a T) -> Self {
        Self::new("created", subject_type, subject_id, None, Some(after))
    }

    pub fn updated(subject_type: &'a str, subject_id: &'a str, before: &'a T, after: &'a T) -> Self {
        Self::new("updated", subject_type, subject_id, Some(before), Some(after))
    }
}

/// The public name of an event: `<subject>.<action>`, except that clause records on contracts are
/// published as `clause.*` (the name integrations expect; the audit log keeps `contract_clause`).
pub fn event_type(subject_type: &str, action: &str) -> String {
    let subject = match subject_type {
        "contract_clause" => "clause",
        other => other,
    };
    format!("{subject}.{action}")
}

/// Writes the audit event and the outbox event (`<subject_type>.<action>`) for a change. Call it
/// inside the transaction that makes the change; inside `Db::write` the audit event joins the
/// chain as the change's last statements (`chain::linked_last`), the outbox event at once.
pub fn record<T: Serialize>(conn: &mut DbConn, actor: &Principal, change: Change<T>) -> Result<(), ApiError> {
    let to_json = |v: Option<&T>| v.map(|v| serde_json::to_string(v).unwrap_or_default());
    let now = time::now();
    let row = AuditRow {
        id: uuid::Uuid::now_v7().to_string(),
        occurred_at: now.clone(),
        actor_sub: actor.sub.clone(),
        actor_role: actor.role.as_str().to_string(),
        action: change.action.to_string(),
        subject_type: change.subject_type.to_string(),
        subject_id: change.subject_id.to_string(),
        before: to_json(change.before),
        after: to_json(change.after),
        request_id: actor.request_id.clone(),
        seq: None,
        prev_hash: None,
        hash: None,
        key_id: None,
    };
    super::chain::append(conn, row)?;
    let event_type = event_type(change.subject_type, change.action);
    publish(conn, &event_type, change.subject_type, change.subject_id, change.after.or(change.before), &now)
}

/// Queues an event for webhook subscribers in the caller's transaction:
/// `{"type", "timestamp", "data"}` in the outbox, fanned out and delivered by the worker.
pub fn publish<T: Serialize>(
    conn: &mut DbConn,
    event_type: &str,
    subject_type: &str,
    subject_id: &str,
    data: Option<&T>,
    now: &str,
) -> Result<(), ApiError> {
    let payload = serde_json::json!({ "type": event_type, "timestamp": now, "data": data });
    let (id, payload) = (uuid::Uuid::now_v7().to_string(), payload.to_string());
    crate::on_backend!(conn, |c| diesel::insert_into(o::table)
        .values((
            o::id.eq(&id),
            o::event_type.eq(event_type),
            o::subject_type.eq(subject_type),
            o::subject_id.eq(subject_id),
            o::payload.eq(&payload),
            o::occurred_at.eq(now),
        ))
        .execute(c))?;
    Ok(())
}

pub struct Filter {
    pub subject_type: Option<String>,
    pub subject_id: Option<String>,
    pub actor: Option<String>,
    /// Id of the last event of the previous page (ids are UUIDv7, so they sort by time).
    pub before_id: Option<String>,
    pub limit: i64,
}

/// Newest first, `limit + 1` rows so the caller can tell whether there is another page.
pub fn list(conn: &mut DbConn, f: &Filter) -> Result<Vec<AuditRow>, ApiError> {
    let mut q = a::table.into_boxed();
    if let Some(t) = &f.subject_type {
        q = q.filter(a::subject_type.eq(t.clone()));
    }
    if let Some(id) = &f.subject_id {
        q = q.filter(a::subject_id.eq(id.clone()));
    }
    if let Some(actor) = &f.actor {
        q = q.filter(a::actor_sub.eq(actor.clone()));
    }
    if let Some(before) = &f.before_id {
        q = q.filter(a::id.lt(before.clone()));
    }
    Ok(q.order(a::id.desc()).limit(f.limit + 1).load::<AuditRow>(conn)?)
}

#[cfg(test)]
mod tests {
    #[test]
    fn event_names() {
        assert_eq!(super::event_type("vendor", "created"), "vendor.created");
        assert_eq!(super::event_type("contract_clause", "verified"), "clause.verified");
        assert_eq!(super::event_type("vendor", "score_changed"), "vendor.score_changed");
    }
}
