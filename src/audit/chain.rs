//! The tamper-evident audit chain. Each event gets the next `seq`, the previous event's hash
//! and its own link, stored as `hash`: SHA-256 over the event's canonical bytes (`canonical`),
//! or HMAC-SHA256 with the audit key when one is set (`keys.rs`). The head lives in
//! `audit_chain`; taking it (an UPDATE first) locks it until the transaction ends, so concurrent
//! writers on PostgreSQL link one after another and the chain never forks. The README's "The
//! audit trail is tamper-evident" gives the bytes with a worked example and a verifier in Python.

use std::cell::RefCell;

use diesel::prelude::*;

use super::{keys::AuditKey, models::AuditRow};
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

/// The bytes a link covers: a JSON array of the event's stored fields in a fixed order, then the
/// previous hash, with no whitespace and strings escaped as RFC 8785 (JSON.stringify) does:
/// `[seq, id, occurred_at, actor_sub, actor_role, action, subject_type, subject_id, before,
/// after, request_id, prev_hash]`. `before` and `after` are the stored JSON texts, as strings,
/// exactly as the export carries them; absent values are `null`.
pub fn canonical(r: &AuditRow, seq: i64, prev_hash: &str) -> String {
    serde_json::json!([
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
    ])
    .to_string()
}

/// The link stored as `hash`: lowercase hex SHA-256 of the canonical bytes, or their
/// HMAC-SHA256 under `key`.
pub fn link(canonical: &str, key: Option<&AuditKey>) -> String {
    match key {
        Some(k) => k.mac_hex(canonical.as_bytes()),
        None => sha256_hex(canonical.as_bytes()),
    }
}

/// The link of an event linked without a key.
pub fn hash_of(r: &AuditRow, seq: i64, prev_hash: &str) -> String {
    link(&canonical(r, seq, prev_hash), None)
}

/// The head as recorded: the last event's `seq`, its hash and the key that linked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Head {
    pub seq: i64,
    pub hash: String,
    pub key_id: Option<String>,
}

/// Takes the head for this transaction: bumps nothing, but the UPDATE holds the row lock. One
/// statement (RETURNING), because on PostgreSQL every statement after it is a round trip made
/// while every other writer waits.
fn take_head(conn: &mut DbConn) -> Result<Head, ApiError> {
    let (seq, hash, key_id) = crate::on_backend!(conn, |c| diesel::update(h::table.find(1))
        .set(h::seq.eq(h::seq))
        .returning((h::seq, h::head, h::key_id))
        .get_result::<(i64, String, Option<String>)>(c))?;
    Ok(Head { seq, hash, key_id })
}

/// Takes the head's lock now, before anything else in the transaction: every writer takes it to
/// record its change, so a transaction that takes it first reads what committed writers left and
/// waits for those still running (`compliance::sweep`).
pub fn lock_head(conn: &mut DbConn) -> Result<(), ApiError> {
    take_head(conn).map(|_| ())
}

fn set_head(conn: &mut DbConn, head: &Head) -> Result<(), ApiError> {
    crate::on_backend!(conn, |c| diesel::update(h::table.find(1))
        .set((h::seq.eq(head.seq), h::head.eq(&head.hash), h::key_id.eq(&head.key_id)))
        .execute(c))?;
    Ok(())
}

/// The recorded head (seq 0 and the genesis hash before any event).
pub fn head(conn: &mut DbConn) -> Result<Head, ApiError> {
    let (seq, hash, key_id) = h::table.find(1).select((h::seq, h::head, h::key_id)).first(conn)?;
    Ok(Head { seq, hash, key_id })
}

/// What the `legacy_sealed` chain event records of the events older than the chain: how many
/// there were and a digest of them, so a row added later with an old-looking id is found.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct LegacySeal {
    pub events: i64,
    /// SHA-256 (hex) over each event's canonical bytes at seq 0 with an empty previous hash, in
    /// id order, each followed by a newline.
    pub digest: String,
}

/// The seal over the events older than the chain as they stand now.
pub fn legacy_as_stored(conn: &mut DbConn) -> Result<LegacySeal, ApiError> {
    use sha2::Digest;
    let first = first_linked_id(conn)?;
    let mut hasher = sha2::Sha256::new();
    let (mut events, mut after) = (0i64, String::new());
    loop {
        let mut q = a::table.filter(a::seq.is_null()).filter(a::id.gt(after.clone())).into_boxed();
        if let Some(first) = &first {
            q = q.filter(a::id.lt(first.clone()));
        }
        let page: Vec<AuditRow> = q.order(a::id.asc()).limit(1000).load(conn)?;
        let Some(last) = page.last() else { break };
        after = last.id.clone();
        for r in &page {
            hasher.update(canonical(r, 0, "").as_bytes());
            hasher.update(b"\n");
            events += 1;
        }
    }
    Ok(LegacySeal { events, digest: crate::digest::hex(&hasher.finalize()) })
}

/// The seal recorded in the chain, if any (the latest).
pub fn legacy_sealed(conn: &mut DbConn) -> Result<Option<LegacySeal>, ApiError> {
    let after: Option<Option<String>> = a::table
        .filter(a::subject_type.eq(CHAIN_SUBJECT))
        .filter(a::action.eq(SEALED))
        .filter(a::seq.is_not_null())
        .order(a::seq.desc())
        .select(a::after)
        .first(conn)
        .optional()?;
    match after {
        None => Ok(None),
        Some(text) => serde_json::from_str(text.as_deref().unwrap_or_default()).map(Some).map_err(|e| {
            ApiError::Internal(format!("audit_events: the legacy_sealed event's `after` is not a seal: {e}"))
        }),
    }
}

const CHAIN_SUBJECT: &str = "audit_chain";
const SEALED: &str = "legacy_sealed";

/// Run when a process starts: seals the events older than the chain, once, with a chain event
/// holding their count and digest. A database that never had such events needs none.
pub fn seal_legacy(db: &crate::db::Db) -> Result<(), ApiError> {
    db.write_blocking(|c| {
        if legacy_sealed(c)?.is_some() {
            return Ok(());
        }
        let seal = legacy_as_stored(c)?;
        if seal.events == 0 {
            return Ok(());
        }
        append(c, chain_event(SEALED, None, &seal))
    })
}

/// Checked when a process starts: a keyed chain needs its key, and the key that linked the last
/// event must stay available (current or previous) so older events remain verifiable.
pub fn check_keys(conn: &mut DbConn, keys: &super::keys::AuditKeys) -> Result<(), String> {
    let head = head(conn).map_err(|e| format!("cannot read the audit chain's head: {e}"))?;
    let Some(last) = head.key_id else { return Ok(()) };
    match &keys.current {
        None => Err(format!(
            "the audit chain is keyed (its last event, seq {}, was linked with key {last}): set OVERSEE_AUDIT_KEY \
             to that key, or to a new one with the old one in OVERSEE_AUDIT_PREVIOUS_KEYS",
            head.seq
        )),
        Some(_) if keys.find(&last).is_none() => Err(format!(
            "OVERSEE_AUDIT_KEY changed: the audit chain's last event (seq {}) was linked with key {last}; keep the \
             old key in OVERSEE_AUDIT_PREVIOUS_KEYS so the events it linked stay verifiable",
            head.seq
        )),
        Some(_) => Ok(()),
    }
}

thread_local! {
    /// The events recorded so far by the change running on this thread inside `linked_last`;
    /// `None` outside one.
    static HELD: RefCell<Option<Vec<AuditRow>>> = const { RefCell::new(None) };
}

/// Runs a change with its audit events held back, then links and inserts them as its last
/// statements. Taking the head locks it until the commit, so on PostgreSQL every writer waits
/// for the one holding it: linking last keeps the rest of the change (a PATCH's score, (f)2 and
/// reminder work, dozens of round trips) outside that wait. The events keep the order they were
/// recorded in. `Db::write` runs every change this way, with the database's audit key.
pub fn linked_last<T>(
    conn: &mut DbConn,
    key: Option<&AuditKey>,
    f: impl FnOnce(&mut DbConn) -> Result<T, ApiError>,
) -> Result<T, ApiError> {
    let scope = Scope(HELD.with(|h| h.borrow_mut().replace(Vec::new())));
    let value = f(conn);
    let held = HELD.with(|h| h.borrow_mut().take()).unwrap_or_default();
    drop(scope);
    let value = value?;
    if !held.is_empty() {
        for row in link_all(conn, held, key)? {
            crate::on_backend!(conn, |c| diesel::insert_into(a::table).values(&row).execute(c))?;
        }
    }
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

/// Adds an event to the chain of the change running on this thread (`linked_last`). Outside a
/// change it is refused: an event linked on its own would bypass the change's transaction.
pub fn append(_conn: &mut DbConn, row: AuditRow) -> Result<(), ApiError> {
    HELD.with(|h| match h.borrow_mut().as_mut() {
        Some(held) => {
            held.push(row);
            Ok(())
        }
        None => Err(ApiError::Internal("an audit event was recorded outside a change (Db::write)".into())),
    })
}

/// Whether a process with `key` can add to the chain as it stands: not when the chain is keyed
/// and the process has no key. Checked before work whose outcome must be recorded (a reminder is
/// not mailed by a process that could not record it).
pub fn check_can_link(conn: &mut DbConn, key: Option<&AuditKey>) -> Result<(), ApiError> {
    match (head(conn)?.key_id, key) {
        (Some(id), None) => Err(keyless(&id)),
        _ => Ok(()),
    }
}

fn keyless(key_id: &str) -> ApiError {
    ApiError::Unavailable(format!("the audit chain is keyed (key {key_id}) and this process has no OVERSEE_AUDIT_KEY"))
}

/// Links events in the given order, inside the caller's transaction, with `key` (the process's
/// audit key). When the last event was linked with another key (or none), an `audit_chain`
/// `key_rotated` event records the change first. A process without a key cannot extend a keyed
/// chain: the change fails rather than add events nobody can tell from forgeries.
pub fn link_all(conn: &mut DbConn, mut rows: Vec<AuditRow>, key: Option<&AuditKey>) -> Result<Vec<AuditRow>, ApiError> {
    let mut head = take_head(conn)?;
    let ours = key.map(|k| k.id.clone());
    if head.key_id != ours {
        let Some(new) = &ours else { return Err(keyless(head.key_id.as_deref().unwrap_or_default())) };
        rows.insert(0, rotation_event(head.key_id.as_deref(), new));
        // The log is a copy outside the database of where keying began.
        tracing::warn!(
            target: "oversee::audit",
            seq = head.seq + 1,
            from = head.key_id.as_deref().unwrap_or("none"),
            to = %new,
            "audit key changed; to pin keying from here, set OVERSEE_AUDIT_KEYED_SINCE={}",
            head.seq + 1
        );
    }
    let linked = rows
        .into_iter()
        .map(|mut r| {
            head.seq += 1;
            let hash = link(&canonical(&r, head.seq, &head.hash), key);
            r.seq = Some(head.seq);
            r.prev_hash = Some(std::mem::replace(&mut head.hash, hash.clone()));
            r.hash = Some(hash);
            r.key_id = ours.clone();
            r
        })
        .collect();
    head.key_id = ours;
    set_head(conn, &head)?;
    Ok(linked)
}

/// A chain event about the chain itself (`subject_type` `audit_chain`), by the system.
fn chain_event(action: &str, before: Option<String>, after: &impl serde::Serialize) -> AuditRow {
    let system = crate::auth::Principal::system();
    AuditRow {
        id: uuid::Uuid::now_v7().to_string(),
        occurred_at: crate::time::now(),
        actor_sub: system.sub,
        actor_role: system.role.as_str().to_string(),
        action: action.into(),
        subject_type: CHAIN_SUBJECT.into(),
        subject_id: CHAIN_SUBJECT.into(),
        before,
        after: Some(serde_json::to_string(after).unwrap_or_default()),
        request_id: None,
        seq: None,
        prev_hash: None,
        hash: None,
        key_id: None,
    }
}

/// The chain event that records a change of audit key (by id; the key never leaves the process).
fn rotation_event(from: Option<&str>, to: &str) -> AuditRow {
    let before = serde_json::json!({ "key_id": from }).to_string();
    chain_event("key_rotated", Some(before), &serde_json::json!({ "key_id": to }))
}

/// Chained events after `(seq, id)`, in seq order (then id, should a seq have been stored twice),
/// for the export and the verification.
pub fn page(conn: &mut DbConn, after: Option<(i64, &str)>, limit: i64) -> Result<Vec<AuditRow>, ApiError> {
    let mut q = a::table.filter(a::seq.is_not_null()).into_boxed();
    if let Some((seq, id)) = after {
        q = q.filter(a::seq.gt(seq).or(a::seq.eq(seq).and(a::id.gt(id.to_string()))));
    }
    Ok(q.order((a::seq.asc(), a::id.asc())).limit(limit).load(conn)?)
}

/// Walks every chained event in order, a page at a time.
pub fn for_each_linked(conn: &mut DbConn, mut f: impl FnMut(AuditRow) -> Result<(), ApiError>) -> Result<(), ApiError> {
    let mut after: Option<(i64, String)> = None;
    loop {
        let page = page(conn, after.as_ref().map(|(s, i)| (*s, i.as_str())), 1000)?;
        let Some(last) = page.last() else { return Ok(()) };
        after = Some((last.seq.unwrap_or_default(), last.id.clone()));
        for r in page {
            f(r)?;
        }
    }
}

/// The id of the first chained event still stored: events without a seq and an earlier id were
/// recorded before the chain began.
pub fn first_linked_id(conn: &mut DbConn) -> Result<Option<String>, ApiError> {
    Ok(a::table.filter(a::seq.is_not_null()).order(a::seq.asc()).select(a::id).first(conn).optional()?)
}

/// Up to `limit` events without a seq recorded after the chain began: nothing Oversee writes.
pub fn outside_chain(conn: &mut DbConn, first_linked: &str, limit: i64) -> Result<Vec<String>, ApiError> {
    Ok(a::table
        .filter(a::seq.is_null())
        .filter(a::id.ge(first_linked.to_string()))
        .order(a::id.asc())
        .select(a::id)
        .limit(limit)
        .load(conn)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::keys::AuditKey;

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
            key_id: None,
        }
    }

    fn verify(c: &mut DbConn) -> Result<crate::audit::verify::Verification, ApiError> {
        crate::audit::verify::verify(c, &crate::audit::keys::AuditKeys::default(), None)
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
    fn a_failed_or_panicking_change_links_nothing_and_no_event_links_outside_a_change() {
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
        // Outside any change an event is refused, and nothing is left held from the failed ones.
        let mut conn = db.conn().unwrap();
        assert!(append(&mut conn, event("alone")).is_err());
        db.write_blocking(|c| append(c, event("later"))).unwrap();
        let ids: Vec<String> = stored(&mut conn).into_iter().map(|(id, _)| id).collect();
        assert_eq!(ids, ["later"]);
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

    /// The worked example in the README: these bytes and this hash, so a verifier written in
    /// another language can check itself against them.
    #[test]
    fn the_canonical_bytes_of_the_readme_example() {
        let r = AuditRow {
            id: "0193a5b0-0000-7000-8000-000000000001".into(),
            occurred_at: "2026-12-02T09:30:00.000000Z".into(),
            before: None,
            after: Some("{\"name\":\"Acme \\\"Payroll\\\"\",\"tier\":1}".into()),
            ..row()
        };
        let bytes = canonical(&r, 1, GENESIS);
        assert_eq!(
            bytes,
            r#"[1,"0193a5b0-0000-7000-8000-000000000001","2026-12-02T09:30:00.000000Z","alice@example.com","admin","created","vendor","v1",null,"{\"name\":\"Acme \\\"Payroll\\\"\",\"tier\":1}",null,"0000000000000000000000000000000000000000000000000000000000000000"]"#
        );
        assert_eq!(hash_of(&r, 1, GENESIS), "de23e4c650de80fc210d1cbe288f1e26a7561b0093a488abdbb52a55a52890a0");
        let key = AuditKey::new("an-audit-key-that-is-long-enough-000").unwrap();
        assert_eq!(link(&bytes, Some(&key)), key.mac_hex(bytes.as_bytes()));
        assert_ne!(link(&bytes, Some(&key)), link(&bytes, None));
    }

    #[test]
    fn a_new_key_is_recorded_in_the_chain_before_the_events_it_links() {
        let (db, path) = migrated_db();
        db.write_blocking(|c| append(c, event("plain"))).unwrap();
        let key = AuditKey::new("an-audit-key-that-is-long-enough-000").unwrap();
        let keyed = db.clone().with_audit_key(Some(key.clone()));
        keyed.write_blocking(|c| append(c, event("keyed-1"))).unwrap();
        keyed.write_blocking(|c| append(c, event("keyed-2"))).unwrap();
        let mut conn = db.conn().unwrap();
        let rows: Vec<AuditRow> = a::table.filter(a::seq.is_not_null()).order(a::seq.asc()).load(&mut conn).unwrap();
        let summary: Vec<(&str, Option<&str>)> =
            rows.iter().map(|r| (r.action.as_str(), r.key_id.as_deref())).collect();
        assert_eq!(
            summary,
            [
                ("created", None),
                ("key_rotated", Some(key.id.as_str())),
                ("created", Some(&key.id)),
                ("created", Some(&key.id))
            ]
        );
        assert_eq!(rows[1].subject_type, "audit_chain");
        assert_eq!(rows[1].after.as_deref(), Some(format!("{{\"key_id\":\"{}\"}}", key.id).as_str()));
        assert_eq!(head(&mut conn).unwrap().key_id.as_deref(), Some(key.id.as_str()));
        let keys = crate::audit::keys::AuditKeys { current: Some(key.clone()), ..Default::default() };
        let v = crate::audit::verify::verify(&mut conn, &keys, None).unwrap();
        assert!(v.intact, "{v:?}");
        assert_eq!(v.keyed_events, 3);
        // A process without the key can neither start on this chain nor extend it.
        let none = crate::audit::keys::AuditKeys::default();
        assert!(check_keys(&mut conn, &none).unwrap_err().contains("OVERSEE_AUDIT_KEY"));
        let err = db.write_blocking(|c| append(c, event("keyless"))).unwrap_err();
        assert!(err.to_string().contains("keyed"), "{err}");
        // A new key without the old one among the previous keys is refused at start.
        let other = crate::audit::keys::AuditKeys::parse(Some("another-audit-key-long-enough-111111"), None).unwrap();
        assert!(check_keys(&mut conn, &other).unwrap_err().contains("OVERSEE_AUDIT_PREVIOUS_KEYS"));
        let rotated = crate::audit::keys::AuditKeys::parse(
            Some("another-audit-key-long-enough-111111"),
            Some("an-audit-key-that-is-long-enough-000"),
        )
        .unwrap();
        assert!(check_keys(&mut conn, &rotated).is_ok());
        drop(conn);
        std::fs::remove_file(path).ok();
    }
}
