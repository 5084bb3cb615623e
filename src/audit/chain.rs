//! The tamper-evident audit chain. Each event gets the next `seq`, the previous event's hash
//! and its own: SHA-256 over a canonical JSON array of its fields and `prev_hash`. The head lives
//! in `audit_chain`; taking it (an UPDATE first) locks it until the transaction ends, so concurrent
//! writers on PostgreSQL link one after another and the chain never forks.

use std::cell::RefCell;

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

/// Takes the head for this transaction: bumps nothing, but the UPDATE holds the row lock. One
/// statement (RETURNING), because on PostgreSQL every statement after it is a round trip made
/// while every other writer waits.
fn take_head(conn: &mut DbConn) -> Result<(i64, String), ApiError> {
    Ok(crate::on_backend!(conn, |c| diesel::update(h::table.find(1))
        .set(h::seq.eq(h::seq))
        .returning((h::seq, h::head))
        .get_result(c))?)
}

fn set_head(conn: &mut DbConn, seq: i64, head: &str) -> Result<(), ApiError> {
    crate::on_backend!(conn, |c| diesel::update(h::table.find(1)).set((h::seq.eq(seq), h::head.eq(head))).execute(c))?;
    Ok(())
}

thread_local! {
    /// The events recorded so far by the change running on this thread inside `linked_last`;
    /// `None` outside one, where `append` links at once.
    static HELD: RefCell<Option<Vec<AuditRow>>> = const { RefCell::new(None) };
}

/// Runs a change with its audit events held back, then links and inserts them as its last
/// statements. Taking the head locks it until the commit, so on PostgreSQL every writer waits
/// for the one holding it: linking last keeps the rest of the change (a PATCH's score, (f)2 and
/// reminder work, dozens of round trips) outside that wait. The events keep the order they were
/// recorded in. `Db::write` runs every change this way.
pub fn linked_last<T>(conn: &mut DbConn, f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>) -> Result<T, ApiError> {
    let scope = Scope(HELD.with(|h| h.borrow_mut().replace(Vec::new())));
    let value = f(conn);
    let held = HELD.with(|h| h.borrow_mut().take()).unwrap_or_default();
    drop(scope);
    let value = value?;
    insert_linked(conn, held)?;
    Ok(value)
}

/// Puts back what was held outside a `linked_last` when it ends, also when the change panics
/// (its transaction is rolled back, and its held events with it).
struct Scope(Option<Vec<AuditRow>>);

impl Drop for Scope {
    fn drop(&mut self) {
        let outer = self.0.take();
        HELD.with(|h| *h.borrow_mut() = outer);
    }
}

/// Adds an event to the chain inside the caller's transaction: held until the end of the
/// change inside `linked_last`, linked and inserted now otherwise.
pub fn append(conn: &mut DbConn, row: AuditRow) -> Result<(), ApiError> {
    let row = HELD.with(|h| match h.borrow_mut().as_mut() {
        Some(held) => {
            held.push(row);
            None
        }
        None => Some(row),
    });
    match row {
        Some(row) => insert_linked(conn, vec![row]),
        None => Ok(()),
    }
}

fn insert_linked(conn: &mut DbConn, rows: Vec<AuditRow>) -> Result<(), ApiError> {
    if rows.is_empty() {
        return Ok(());
    }
    for row in link_all(conn, rows)? {
        crate::on_backend!(conn, |c| diesel::insert_into(a::table).values(&row).execute(c))?;
    }
    Ok(())
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

    fn migrated_db() -> (crate::db::Db, std::path::PathBuf) {
        let path = std::env::temp_dir().join(format!("oversee-chain-{}.db", uuid::Uuid::now_v7()));
        let db = crate::db::Db::connect(path.to_str().unwrap()).unwrap();
        db.migrate().unwrap();
        (db, path)
    }

    fn event(id: &str) -> AuditRow {
        AuditRow { id: id.into(), ..row() }
    }

    /// The chained events, in chain order, as (id, seq).
    fn stored(c: &mut DbConn) -> Vec<(String, i64)> {
        let rows: Vec<(String, Option<i64>)> =
            a::table.filter(a::seq.is_not_null()).order(a::seq.asc()).select((a::id, a::seq)).load(c).unwrap();
        rows.into_iter().map(|(id, seq)| (id, seq.unwrap())).collect()
    }

    #[test]
    fn a_change_links_its_events_after_its_other_statements_in_the_order_recorded() {
        let (db, path) = migrated_db();
        let before = stored(&mut db.conn().unwrap());
        db.write_blocking(|c| {
            let head_before = head(c)?;
            append(c, event("first"))?;
            append(c, event("second"))?;
            // Held until the change ends: neither the events nor the head are touched yet.
            assert_eq!(stored(c), before);
            assert_eq!(head(c)?, head_before);
            Ok(())
        })
        .unwrap();
        let mut conn = db.conn().unwrap();
        let after = stored(&mut conn);
        let n = before.len() as i64;
        assert_eq!(after[before.len()..], [("first".to_string(), n + 1), ("second".to_string(), n + 2)]);
        let v = verify(&mut conn).unwrap();
        assert!(v.intact, "{v:?}");
        assert_eq!(v.head_seq, n + 2);
        drop(conn);
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn a_failed_or_panicking_change_links_nothing_and_later_events_link_at_once() {
        let (db, path) = migrated_db();
        let failed = db.write_blocking(|c| {
            append(c, event("failed"))?;
            Err::<(), _>(ApiError::Conflict("no".into()))
        });
        assert!(failed.is_err());
        let panicked = db.write_blocking(|c| -> Result<(), ApiError> {
            append(c, event("panicked"))?;
            panic!("a bug in the change")
        });
        assert!(panicked.is_err());
        // Outside any change an event is linked and inserted at once: nothing is left held.
        let mut conn = db.conn().unwrap();
        append(&mut conn, event("alone")).unwrap();
        let ids: Vec<String> = stored(&mut conn).into_iter().map(|(id, _)| id).collect();
        assert!(ids.contains(&"alone".to_string()));
        assert!(!ids.iter().any(|id| id == "failed" || id == "panicked"), "{ids:?}");
        assert!(verify(&mut conn).unwrap().intact);
        drop(conn);
        std::fs::remove_file(path).ok();
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
