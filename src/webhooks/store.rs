use diesel::prelude::*;

use super::models::{DeliveryRow, DeliveryStatus, SubscriptionRow};
use crate::{
    audit::store::{self as audit, Change},
    db::{
        schema::{outbox_events as o, webhook_deliveries as d, webhook_subscriptions as s},
        DbConn,
    },
    error::ApiError,
    rules::webhooks::matches,
};

pub fn get_required(conn: &mut DbConn, id: &str) -> Result<SubscriptionRow, ApiError> {
    s::table.find(id).first(conn).optional()?.ok_or_else(|| ApiError::not_found("webhook", id))
}

/// The subscription, locked until the transaction ends (a no-op update takes the row lock on
/// PostgreSQL), so the results of deliveries recorded at once count its failures one after
/// another instead of each over the same old count.
pub fn get_locked(conn: &mut DbConn, id: &str) -> Result<SubscriptionRow, ApiError> {
    diesel::update(s::table.find(id)).set(s::id.eq(id)).execute(conn)?;
    get_required(conn, id)
}

/// Seals every signing secret still stored in plain text, when a key is set (run at start, so
/// setting `OVERSEE_SECRET_KEY` takes effect for existing subscriptions too).
pub fn seal_stored_secrets(db: &crate::db::Db, secrets: &crate::secrets::SecretBox) -> Result<usize, ApiError> {
    use crate::secrets::SecretBox;
    if !secrets.seals() {
        return Ok(0);
    }
    db.write_blocking(|c| {
        let rows: Vec<SubscriptionRow> = s::table.load(c)?;
        let mut sealed = 0;
        for mut row in rows {
            let plain_previous = row.previous_secret.as_deref().is_some_and(|p| !SecretBox::is_sealed(p));
            if SecretBox::is_sealed(&row.secret) && !plain_previous {
                continue;
            }
            if !SecretBox::is_sealed(&row.secret) {
                row.secret = secrets.seal(&row.secret)?;
            }
            if let Some(p) = row.previous_secret.as_deref().filter(|_| plain_previous) {
                row.previous_secret = Some(secrets.seal(p)?);
            }
            diesel::update(s::table.find(&row.id))
                .set((s::secret.eq(&row.secret), s::previous_secret.eq(&row.previous_secret)))
                .execute(c)?;
            sealed += 1;
        }
        Ok(sealed)
    })
}

pub fn insert(conn: &mut DbConn, row: &SubscriptionRow) -> Result<(), ApiError> {
    diesel::insert_into(s::table).values(row).execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConn, row: &SubscriptionRow) -> Result<(), ApiError> {
    diesel::update(s::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

/// Removes a subscription and its delivery log.
pub fn delete(conn: &mut DbConn, id: &str) -> Result<(), ApiError> {
    diesel::delete(d::table.filter(d::subscription_id.eq(id))).execute(conn)?;
    diesel::delete(s::table.find(id)).execute(conn)?;
    Ok(())
}

pub fn list(conn: &mut DbConn, after_id: Option<String>, limit: i64) -> Result<Vec<SubscriptionRow>, ApiError> {
    let mut q = s::table.into_boxed();
    if let Some(a) = after_id {
        q = q.filter(s::id.gt(a));
    }
    Ok(q.order(s::id.asc()).limit(limit + 1).load(conn)?)
}

/// Newest first.
pub fn deliveries(
    conn: &mut DbConn,
    subscription_id: &str,
    status: Option<DeliveryStatus>,
    before_id: Option<String>,
    limit: i64,
) -> Result<Vec<DeliveryRow>, ApiError> {
    let mut q = d::table.filter(d::subscription_id.eq(subscription_id)).into_boxed();
    if let Some(st) = status {
        q = q.filter(d::status.eq(st.as_str()));
    }
    if let Some(b) = before_id {
        q = q.filter(d::id.lt(b));
    }
    Ok(q.order(d::id.desc()).limit(limit + 1).load(conn)?)
}

pub fn delivery(conn: &mut DbConn, subscription_id: &str, id: &str) -> Result<DeliveryRow, ApiError> {
    d::table
        .filter(d::subscription_id.eq(subscription_id))
        .filter(d::id.eq(id))
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("delivery", id))
}

/// Inserts a delivery unless one for its (subscription, event) exists: two processes may fan the
/// same outbox event out at once on PostgreSQL, and the `webhook_deliveries_once` key keeps one.
pub fn insert_delivery(conn: &mut DbConn, row: &DeliveryRow) -> Result<(), ApiError> {
    crate::on_backend!(conn, |c| diesel::insert_into(d::table).values(row).on_conflict_do_nothing().execute(c))?;
    Ok(())
}

pub fn update_delivery(conn: &mut DbConn, row: &DeliveryRow) -> Result<(), ApiError> {
    diesel::update(d::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

/// Extends the lease of the holder of `token`; false when another process took the delivery
/// over. One this holder already recorded is still its own: true, and nothing to extend.
pub fn renew_delivery(conn: &mut DbConn, id: &str, token: &str, lease_until: &str) -> Result<bool, ApiError> {
    let held = d::table.find(id).filter(d::claimed_by.eq(token)).filter(d::status.eq(DeliveryStatus::Pending.as_str()));
    if diesel::update(held).set(d::lease_until.eq(lease_until)).execute(conn)? == 1 {
        return Ok(true);
    }
    Ok(d::table.find(id).filter(d::claimed_by.eq(token)).count().get_result::<i64>(conn)? == 1)
}

/// Whether `token` still holds the delivery; on PostgreSQL the row stays locked until the
/// transaction ends, so it cannot be taken over between this check and the record.
pub fn still_held(conn: &mut DbConn, id: &str, token: &str) -> Result<bool, ApiError> {
    let held = d::table.find(id).filter(d::claimed_by.eq(token)).filter(d::status.eq(DeliveryStatus::Pending.as_str()));
    Ok(diesel::update(held).set(d::claimed_by.eq(token)).execute(conn)? == 1)
}

/// Turns up to 500 outbox events into one delivery per matching active subscription, and marks
/// them fanned out, in one transaction. Returns how many events it handled.
pub fn fan_out(conn: &mut DbConn, now: &str) -> Result<usize, ApiError> {
    let events: Vec<(String, String, String, String, String)> = o::table
        .filter(o::fanned_out_at.is_null())
        .order(o::id.asc())
        .limit(500)
        .select((o::id, o::event_type, o::subject_type, o::subject_id, o::payload))
        .load(conn)?;
    if events.is_empty() {
        return Ok(0);
    }
    let subs: Vec<SubscriptionRow> = s::table.filter(s::active.eq(true)).load(conn)?;
    let mut patterns: Vec<(String, Vec<String>)> = Vec::with_capacity(subs.len());
    for mut sub in subs {
        match sub.patterns() {
            Ok(p) => patterns.push((sub.id.clone(), p)),
            // Its events cannot be told apart, so it is disabled (visibly, with the reason and an
            // audit event) rather than silently given none, or stopping every other
            // subscription's deliveries. An admin repairs it with PATCH and re-enables it.
            Err(e) => {
                tracing::error!(error = %e, "a webhook subscription is disabled");
                sub.active = false;
                sub.disabled_reason = Some(e.to_string());
                sub.version += 1;
                sub.updated_at = now.to_string();
                update(conn, &sub)?;
                let after = serde_json::json!({"active": false, "disabled_reason": sub.disabled_reason});
                audit::record(
                    conn,
                    &crate::auth::Principal::system(),
                    Change::new("disabled", "webhook", &sub.id, None, Some(&after)),
                )?;
            }
        }
    }
    for (event_id, event_type, subject_type, subject_id, payload) in &events {
        for (sub_id, pats) in &patterns {
            if !pats.iter().any(|p| matches(p, event_type)) {
                continue;
            }
            insert_delivery(
                conn,
                &DeliveryRow {
                    id: crate::http::ids::new(),
                    subscription_id: sub_id.clone(),
                    event_id: event_id.clone(),
                    event_type: event_type.clone(),
                    subject_key: format!("{subject_type}/{subject_id}"),
                    payload: payload.clone(),
                    status: DeliveryStatus::Pending.as_str().into(),
                    attempts: 0,
                    next_attempt_at: now.to_string(),
                    lease_until: None,
                    last_status_code: None,
                    last_latency_ms: None,
                    last_error: None,
                    delivered_at: None,
                    created_at: now.to_string(),
                    updated_at: now.to_string(),
                    claimed_by: None,
                },
            )?;
        }
    }
    let ids: Vec<&String> = events.iter().map(|e| &e.0).collect();
    diesel::update(o::table.filter(o::id.eq_any(ids))).set(o::fanned_out_at.eq(now)).execute(conn)?;
    Ok(events.len())
}

/// Claims up to `max` deliveries that are due at `now` (the pass's time), leasing them until
/// `lease_until` under `token`; a lease is live while it ends after `clock` (the wall clock at
/// this claim). Order per subscription and subject is kept: a delivery waits while an older one
/// for the same subject is still pending, even if that one is waiting for a retry.
pub fn claim_due(
    conn: &mut DbConn,
    now: &str,
    clock: &str,
    lease_until: &str,
    token: &str,
    max: usize,
) -> Result<Vec<(DeliveryRow, SubscriptionRow)>, ApiError> {
    let pending: Vec<DeliveryRow> =
        d::table.filter(d::status.eq(DeliveryStatus::Pending.as_str())).order(d::id.asc()).limit(1000).load(conn)?;
    let mut seen = std::collections::HashSet::new();
    let mut claimed = Vec::new();
    for mut row in pending {
        if !seen.insert((row.subscription_id.clone(), row.subject_key.clone())) {
            continue; // an older delivery for this subject goes first
        }
        let leased = row.lease_until.as_deref().is_some_and(|l| l > clock);
        if row.next_attempt_at.as_str() > now || leased || claimed.len() >= max {
            continue;
        }
        // Conditional, so two processes on one database never both take it; and unchanged since
        // it was read (another process may have recorded an attempt in between on PostgreSQL).
        let took = diesel::update(
            d::table
                .filter(d::id.eq(&row.id))
                .filter(d::status.eq(DeliveryStatus::Pending.as_str()))
                .filter(d::updated_at.eq(&row.updated_at))
                .filter(d::next_attempt_at.le(now))
                .filter(d::lease_until.is_null().or(d::lease_until.le(clock))),
        )
        .set((d::lease_until.eq(lease_until), d::claimed_by.eq(token)))
        .execute(conn)?;
        if took == 1 {
            let sub = get_required(conn, &row.subscription_id)?;
            (row.lease_until, row.claimed_by) = (Some(lease_until.to_string()), Some(token.to_string()));
            claimed.push((row, sub));
        }
    }
    Ok(claimed)
}
