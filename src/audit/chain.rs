//! The tamper-evident audit chain. Each event gets the next `seq`, the previous event's hash
//! and its own: SHA-256 over a canonical JSON array of its fields and `prev_hash`. The head lives
//! in `audit_chain`; taking it (an UPDATE first) locks it until the transaction ends, so concurrent
//! writers on PostgreSQL link one after another and the chain never forks.

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use super::models::AuditRow;
use crate::{
    db::{
        schema::{audit_chain as h, audit_events as a},
        DbConn,
    },
    digest::sha256_hex,
    error::ApiError,
};

/// The hash before the first event.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The encoding that is hashed: every stored field in a fixed order, then `prev_hash`. Changing
/// any stored character changes the hash.
pub fn hash_of(r: &AuditRow, seq: i64, prev_hash: &str) -> String {
    let canonical = serde_json::json!([
        seq,
        r.id,
        r.occurred_at,
        r.actor_sub,
        r.actor_role,
        r.action,
        r.subject_type,
        r.subject_id,
        r.before,
        r.after,
        r.request_id,
        prev_hash
    ]);
    sha256_hex(canonical.to_string().as_bytes())
}

/// Takes the head for this transaction: bumps nothing, but the UPDATE holds the row lock.
fn take_head(conn: &mut DbConn) -> Result<(i64, String), ApiError> {
    Ok(crate::on_backend!(conn, |c| {
        diesel::update(h::table.find(1)).set(h::seq.eq(h::seq)).execute(c)?;
        h::table.find(1).select((h::seq, h::head)).first(c)
    })?)
}

fn set_head(conn: &mut DbConn, seq: i64, head: &str) -> Result<(), ApiError> {
    crate::on_backend!(conn, |c| diesel::update(h::table.find(1)).set((h::seq.eq(seq), h::head.eq(head))).execute(c))?;
    Ok(())
}

/// Links one event to the chain, inside the caller's transaction.
pub fn link(conn: &mut DbConn, row: AuditRow) -> Result<AuditRow, ApiError> {
    Ok(link_all(conn, vec![row])?.pop().expect("one row in, one row out"))
}

/// Links events in the given order, inside the caller's transaction.
pub fn link_all(conn: &mut DbConn, rows: Vec<AuditRow>) -> Result<Vec<AuditRow>, ApiError> {
    let (mut seq, mut head) = take_head(conn)?;
    let linked = rows
        .into_iter()
        .map(|mut r| {
            seq += 1;
            let hash = hash_of(&r, seq, &head);
            r.seq = Some(seq);
            r.prev_hash = Some(std::mem::replace(&mut head, hash.clone()));
            r.hash = Some(hash);
            r
        })
        .collect();
    set_head(conn, seq, &head)?;
    Ok(linked)
}

/// What a verification found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    /// True when every event recomputes to its hash, each links to the one before, no `seq` is
    /// missing and the last one is the recorded head.
    pub intact: bool,
    /// Events checked.
    pub events: i64,
    /// The recorded head: the hash of the last event (the genesis hash when there is none).
    pub head: String,
    pub head_seq: i64,
    /// The first link that does not hold, when one does not.
    pub first_broken: Option<BrokenLink>,
    /// Events recorded before the chain existed (outside it, not verified).
    pub unchained_events: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BrokenLink {
    pub seq: i64,
    pub event_id: Option<String>,
    /// `hash_mismatch` (the event was changed), `prev_hash_mismatch` (an event before it was
    /// changed, removed or inserted), `missing` (a seq is absent) or `head_mismatch` (events
    /// after the last one were removed).
    pub problem: String,
}

/// Recomputes the whole chain, a page at a time.
/// The recorded head: the last event's `seq` and hash (0 and the genesis hash before any).
pub fn head(conn: &mut DbConn) -> Result<(i64, String), ApiError> {
    Ok(h::table.find(1).select((h::seq, h::head)).first(conn)?)
}

pub fn verify(conn: &mut DbConn) -> Result<Verification, ApiError> {
    let (head_seq, head) = head(conn)?;
    let unchained = a::table.filter(a::seq.is_null()).count().get_result::<i64>(conn)?;
    let mut expected_seq = 1;
    let mut prev = GENESIS.to_string();
    let broken = |seq, id: Option<&str>, problem: &str| BrokenLink {
        seq,
        event_id: id.map(str::to_string),
        problem: problem.to_string(),
    };
    loop {
        let page: Vec<AuditRow> =
            a::table.filter(a::seq.ge(expected_seq)).order(a::seq.asc()).limit(1000).load(conn)?;
        if page.is_empty() {
            break;
        }
        for r in page {
            let seq = r.seq.unwrap_or_default();
            let problem = if seq != expected_seq {
                Some(broken(expected_seq, None, "missing"))
            } else if r.prev_hash.as_deref() != Some(prev.as_str()) {
                Some(broken(seq, Some(&r.id), "prev_hash_mismatch"))
            } else if r.hash.as_deref() != Some(hash_of(&r, seq, &prev).as_str()) {
                Some(broken(seq, Some(&r.id), "hash_mismatch"))
            } else {
                None
            };
            if let Some(first_broken) = problem {
                return Ok(Verification {
                    intact: false,
                    events: expected_seq - 1,
                    head,
                    head_seq,
                    first_broken: Some(first_broken),
                    unchained_events: unchained,
                });
            }
            prev = r.hash.unwrap_or_default();
            expected_seq += 1;
        }
    }
    let checked = expected_seq - 1;
    let first_broken = (checked != head_seq || prev != head).then(|| broken(checked + 1, None, "head_mismatch"));
    Ok(Verification {
        intact: first_broken.is_none(),
        events: checked,
        head,
        head_seq,
        first_broken,
        unchained_events: unchained,
    })
}

/// Chained events after `after_seq`, oldest first, for the export.
pub fn page(conn: &mut DbConn, after_seq: i64, limit: i64) -> Result<Vec<AuditRow>, ApiError> {
    Ok(a::table.filter(a::seq.gt(after_seq)).order(a::seq.asc()).limit(limit).load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> AuditRow {
        AuditRow {
            id: "e1".into(),
            occurred_at: "2026-11-25T10:00:00.000000Z".into(),
            actor_sub: "alice@example.com".into(),
            actor_role: "admin".into(),
            action: "created".into(),
            subject_type: "vendor".into(),
            subject_id: "v1".into(),
            before: None,
            after: Some("{\"name\":\"Acme\"}".into()),
            request_id: None,
            seq: None,
            prev_hash: None,
            hash: None,
        }
    }

    #[test]
    fn the_hash_covers_every_field_and_the_link() {
        let base = hash_of(&row(), 1, GENESIS);
        assert_eq!(base.len(), 64);
        assert_eq!(base, hash_of(&row(), 1, GENESIS), "deterministic");
        let variants: [fn(&mut AuditRow); 10] = [
            |r| r.id.push('x'),
            |r| r.occurred_at.push('x'),
            |r| r.actor_sub.push('x'),
            |r| r.actor_role.push('x'),
            |r| r.action.push('x'),
            |r| r.subject_type.push('x'),
            |r| r.subject_id.push('x'),
            |r| r.before = Some("{}".into()),
            |r| r.after = Some("{\"name\":\"Acme!\"}".into()),
            |r| r.request_id = Some("req".into()),
        ];
        for change in variants {
            let mut r = row();
            change(&mut r);
            assert_ne!(hash_of(&r, 1, GENESIS), base);
        }
        assert_ne!(hash_of(&row(), 2, GENESIS), base, "the position counts");
        assert_ne!(hash_of(&row(), 1, &"1".repeat(64)), base, "the previous hash counts");
    }
}
