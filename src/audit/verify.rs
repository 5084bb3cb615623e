//! Verification of the chain: one checker, fed the events in seq order, whether they come from
//! the database (`GET /audit-events/verify`) or from an export file with no database
//! (`oversee audit verify --export`, `offline.rs`). It reports every problem it finds, not just
//! the first, each with the event's seq and id (and, offline, its line).

use serde::Serialize;
use utoipa::ToSchema;

use super::{
    chain::{self, GENESIS},
    keys::AuditKeys,
    models::AuditRow,
};
use crate::{db::DbConn, error::ApiError};

/// Problems listed in full; the rest are counted.
const LISTED: usize = 100;

/// What a verification found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Verification {
    /// True when every event recomputes to its link, each links to the one before, no `seq` is
    /// missing or repeated, the last one is the recorded head, and no event stands outside the
    /// chain after it began.
    pub intact: bool,
    /// Chained events checked.
    pub events: i64,
    /// The recorded head: the hash of the last event (the genesis hash when there is none).
    pub head: String,
    pub head_seq: i64,
    /// The first problem in chain order, when there is one.
    pub first_broken: Option<BrokenLink>,
    /// Every problem found, in the order found (the first 100).
    pub problems: Vec<BrokenLink>,
    pub problems_total: i64,
    /// Events recorded before the chain existed (outside it, counted, not verifiable).
    pub unchained_events: i64,
    /// Chained events linked with an audit key (HMAC).
    pub keyed_events: i64,
    /// Whether the chain extends a head noted earlier, when one was given.
    pub noted_head: Option<NotedHeadCheck>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct BrokenLink {
    /// The event's place in the chain (for `missing`, the first absent one); null for an event
    /// outside the chain.
    pub seq: Option<i64>,
    pub event_id: Option<String>,
    /// The export's line (offline verification only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
    /// `hash_mismatch` (the event was changed), `prev_hash_mismatch` (the link to the event
    /// before was rewritten), `missing` (a seq is absent: an event was deleted), `duplicate_seq`,
    /// `out_of_order`, `head_mismatch` (the last events were deleted, or the head was changed),
    /// `outside_chain` (an event without a seq recorded after the chain began),
    /// `unchained_count_changed` (the events older than the chain no longer match the seal the
    /// chain holds over them), `key_unavailable` (the event's audit key is not configured, so
    /// its HMAC cannot be checked), `unkeyed_after_keyed`; offline also `unreadable`,
    /// `no_trailer` (the export is cut short) and `after_trailer`.
    pub problem: String,
    pub detail: String,
}

/// A head noted earlier (from an anchor, a webhook, a log or an evidence pack).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotedHead {
    /// Without a seq, any event with this hash matches.
    pub seq: Option<i64>,
    pub hash: String,
}

impl NotedHead {
    /// `HASH` or `SEQ:HASH`.
    pub fn parse(s: &str) -> Result<NotedHead, String> {
        let (seq, hash) = match s.split_once(':') {
            Some((seq, hash)) => {
                (Some(seq.trim().parse::<i64>().map_err(|_| format!("'{seq}' is not a seq number"))?), hash.trim())
            }
            None => (None, s.trim()),
        };
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()) {
            return Err("a noted head is 64 lowercase hex digits, optionally after its seq and a colon".into());
        }
        Ok(NotedHead { seq, hash: hash.to_string() })
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NotedHeadCheck {
    pub seq: Option<i64>,
    pub hash: String,
    /// True when an event of today's chain has this hash (at this seq), and nothing at or
    /// before it is broken: the chain still holds everything the noted head vouched for.
    pub extended: bool,
    pub detail: String,
}

/// Feeds on events in seq order; `finish` gives the result.
pub struct Checker<'k> {
    keys: &'k AuditKeys,
    noted: Option<NotedHead>,
    /// (seq, whether its hash matched) of the event the noted head names.
    noted_seen: Option<(i64, bool)>,
    expected: i64,
    prev: String,
    last: Option<(i64, String)>,
    keyed_since: Option<i64>,
    events: i64,
    keyed: i64,
    problems: Vec<BrokenLink>,
    total: i64,
    first_problem_seq: Option<i64>,
}

impl<'k> Checker<'k> {
    pub fn new(keys: &'k AuditKeys, noted: Option<NotedHead>) -> Self {
        Checker {
            keys,
            noted,
            noted_seen: None,
            expected: 1,
            prev: GENESIS.to_string(),
            last: None,
            keyed_since: None,
            events: 0,
            keyed: 0,
            problems: vec![],
            total: 0,
            first_problem_seq: None,
        }
    }

    pub fn problem(&mut self, p: BrokenLink) {
        self.total += 1;
        if let Some(seq) = p.seq {
            self.first_problem_seq = Some(self.first_problem_seq.map_or(seq, |s| s.min(seq)));
        }
        if self.problems.len() < LISTED {
            self.problems.push(p);
        }
    }

    /// One event, the next in the order read.
    pub fn push(&mut self, r: &AuditRow, line: Option<u64>) {
        let at = |problem: &str, detail: String| BrokenLink {
            seq: r.seq,
            event_id: Some(r.id.clone()),
            line,
            problem: problem.into(),
            detail,
        };
        let Some(seq) = r.seq else {
            self.problem(at("outside_chain", "the event has no place in the chain".into()));
            return;
        };
        if seq < self.expected {
            let problem =
                if self.last.as_ref().is_some_and(|(s, _)| *s == seq) { "duplicate_seq" } else { "out_of_order" };
            let detail = format!("seq {seq} comes after seq {}", self.expected - 1);
            self.problem(at(problem, detail));
            return;
        }
        let stored_prev = r.prev_hash.clone().unwrap_or_default();
        if seq > self.expected {
            let detail = if seq == self.expected + 1 {
                format!("no event with seq {}", self.expected)
            } else {
                format!("no events with seq {} to {}", self.expected, seq - 1)
            };
            self.problem(BrokenLink {
                seq: Some(self.expected),
                event_id: None,
                line,
                problem: "missing".into(),
                detail,
            });
        } else if stored_prev != self.prev {
            let detail = format!("prev_hash is {stored_prev}; the event before has {}", self.prev);
            self.problem(at("prev_hash_mismatch", detail));
        }
        // The event's own link, over the previous hash it stores: a broken link above is
        // reported once, and each event is still checked on its own.
        let key = match &r.key_id {
            Some(id) => {
                self.keyed += 1;
                self.keyed_since.get_or_insert(seq);
                match self.keys.find(id) {
                    Some(k) => Some(Some(k)),
                    None => {
                        let detail = format!("linked with audit key {id}, which is not configured");
                        self.problem(at("key_unavailable", detail));
                        None
                    }
                }
            }
            None => {
                if let Some(since) = self.keyed_since {
                    self.problem(at("unkeyed_after_keyed", format!("the chain is keyed since seq {since}")));
                } else if let Some(pinned) = self.keys.keyed_since.filter(|p| seq >= *p) {
                    let detail = format!("every event from seq {pinned} on must be keyed (OVERSEE_AUDIT_KEYED_SINCE)");
                    self.problem(at("unkeyed_after_keyed", detail));
                }
                Some(None)
            }
        };
        let stored = r.hash.clone().unwrap_or_default();
        if let Some(key) = key {
            let computed = chain::link(&chain::canonical(r, seq, &stored_prev), key);
            if computed != stored {
                self.problem(at("hash_mismatch", format!("the event's fields give {computed}; it stores {stored}")));
            }
        }
        if let Some(noted) = &self.noted {
            if noted.seq.map_or(noted.hash == stored, |s| s == seq) && self.noted_seen.is_none() {
                self.noted_seen = Some((seq, noted.hash == stored));
            }
        }
        self.events += 1;
        self.expected = seq.saturating_add(1);
        self.prev = stored.clone();
        self.last = Some((seq, stored));
    }

    /// The result, against the recorded head (`None` offline when the export has no trailer,
    /// which is reported by the caller).
    pub fn finish(mut self, head: Option<(i64, String)>, unchained_events: i64) -> Verification {
        let (last_seq, last_hash) = self.last.clone().unwrap_or((0, GENESIS.to_string()));
        let (head_seq, head_hash) = head.clone().unwrap_or((last_seq, last_hash.clone()));
        if head.is_some() && (head_seq, &head_hash) != (last_seq, &last_hash) {
            let detail =
                format!("the head is seq {head_seq} ({head_hash}); the last event is seq {last_seq} ({last_hash})");
            self.problem(BrokenLink {
                seq: Some(head_seq.max(last_seq)),
                event_id: None,
                line: None,
                problem: "head_mismatch".into(),
                detail,
            });
        }
        let noted_head = self.noted.clone().map(|n| self.noted_check(n));
        Verification {
            intact: self.total == 0,
            events: self.events,
            head: head_hash,
            head_seq,
            first_broken: self.problems.iter().min_by_key(|p| p.seq.unwrap_or(i64::MAX)).cloned(),
            problems: self.problems,
            problems_total: self.total,
            unchained_events,
            keyed_events: self.keyed,
            noted_head,
        }
    }

    fn noted_check(&self, n: NotedHead) -> NotedHeadCheck {
        let (extended, detail) = match self.noted_seen {
            None => (false, "no event of the chain has this hash (at this seq): the chain does not extend it".into()),
            Some((seq, false)) => (false, format!("the event at seq {seq} has another hash now")),
            Some((seq, true)) => match self.first_problem_seq.filter(|p| *p <= seq) {
                Some(p) => (false, format!("the event at seq {seq} matches, but the chain is broken at seq {p}")),
                None => (true, format!("the chain holds the noted head at seq {seq} and every event before it")),
            },
        };
        NotedHeadCheck { seq: n.seq, hash: n.hash, extended, detail }
    }
}

/// Recomputes the whole chain stored in the database, a page at a time, and looks for events
/// that were added outside it.
pub fn verify(conn: &mut DbConn, keys: &AuditKeys, noted: Option<NotedHead>) -> Result<Verification, ApiError> {
    let head = chain::head(conn)?;
    let mut checker = Checker::new(keys, noted);
    chain::for_each_linked(conn, |r| {
        checker.push(&r, None);
        Ok(())
    })?;
    let first = chain::first_linked_id(conn)?;
    let stored = chain::legacy_as_stored(conn)?;
    let sealed = chain::legacy_sealed(conn)?;
    let expected = sealed.clone().unwrap_or(chain::LegacySeal { events: 0, digest: stored.digest.clone() });
    if stored.events != expected.events || (stored.events > 0 && stored.digest != expected.digest) {
        checker.problem(BrokenLink {
            seq: None,
            event_id: None,
            line: None,
            problem: "unchained_count_changed".into(),
            detail: format!(
                "{} events without a seq predate the chain (digest {}); the chain's seal records {} (digest {})",
                stored.events,
                stored.digest,
                expected.events,
                if sealed.is_some() { expected.digest.as_str() } else { "none: no events predated the chain" }
            ),
        });
    }
    if let Some(first) = &first {
        for id in chain::outside_chain(conn, first, LISTED as i64)? {
            checker.problem(BrokenLink {
                seq: None,
                event_id: Some(id),
                line: None,
                problem: "outside_chain".into(),
                detail: "recorded without a place in the chain after the chain began".into(),
            });
        }
    }
    Ok(checker.finish(Some((head.seq, head.hash)), stored.events.min(expected.events)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::keys::AuditKey;

    fn event(n: i64) -> AuditRow {
        AuditRow {
            id: format!("e{n}"),
            occurred_at: format!("2026-12-02T10:00:{n:02}.000000Z"),
            actor_sub: "alice@example.com".into(),
            actor_role: "admin".into(),
            action: "updated".into(),
            subject_type: "vendor".into(),
            subject_id: "v1".into(),
            before: Some(format!("{{\"n\":{}}}", n - 1)),
            after: Some(format!("{{\"n\":{n}}}")),
            request_id: None,
            seq: None,
            prev_hash: None,
            hash: None,
            key_id: None,
        }
    }

    /// `n` events linked as `chain::link_all` links them, with `key` from seq `keyed_from` on.
    fn chain_of(n: i64, key: Option<&AuditKey>, keyed_from: i64) -> Vec<AuditRow> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|seq| {
                let mut r = event(seq);
                let k = key.filter(|_| seq >= keyed_from);
                let hash = chain::link(&chain::canonical(&r, seq, &prev), k);
                (r.seq, r.prev_hash, r.key_id) = (Some(seq), Some(prev.clone()), k.map(|k| k.id.clone()));
                r.hash = Some(hash.clone());
                prev = hash;
                r
            })
            .collect()
    }

    fn check(rows: &[AuditRow], keys: &AuditKeys, noted: Option<NotedHead>) -> Verification {
        let mut c = Checker::new(keys, noted);
        for (i, r) in rows.iter().enumerate() {
            c.push(r, Some(i as u64 + 1));
        }
        let last = rows.iter().filter_map(|r| Some((r.seq?, r.hash.clone()?))).max_by_key(|(s, _)| *s);
        c.finish(last.or(Some((0, GENESIS.into()))), 0)
    }

    fn problems(v: &Verification) -> Vec<(Option<i64>, &str)> {
        v.problems.iter().map(|p| (p.seq, p.problem.as_str())).collect()
    }

    #[test]
    fn an_untouched_chain_is_intact() {
        let v = check(&chain_of(5, None, 1), &AuditKeys::default(), None);
        assert!(v.intact, "{v:?}");
        assert_eq!((v.events, v.head_seq, v.problems_total), (5, 5, 0));
    }

    #[test]
    fn an_empty_chain_is_intact_at_the_genesis_hash() {
        let v = check(&[], &AuditKeys::default(), None);
        assert!(v.intact);
        assert_eq!((v.events, v.head.as_str()), (0, GENESIS));
    }

    #[test]
    fn a_changed_field_is_a_hash_mismatch_at_that_event_only() {
        let mut rows = chain_of(5, None, 1);
        rows[2].after = Some("{\"n\":99}".into());
        let v = check(&rows, &AuditKeys::default(), None);
        assert_eq!(problems(&v), [(Some(3), "hash_mismatch")]);
        assert_eq!(v.problems[0].line, Some(3));
        assert_eq!(v.first_broken.as_ref().unwrap().event_id.as_deref(), Some("e3"));
    }

    #[test]
    fn a_recomputed_hash_breaks_the_next_link() {
        let mut rows = chain_of(5, None, 1);
        rows[2].actor_sub = "mallory@example.com".into();
        rows[2].hash = Some(chain::hash_of(&rows[2], 3, rows[2].prev_hash.as_deref().unwrap()));
        let v = check(&rows, &AuditKeys::default(), None);
        assert_eq!(problems(&v), [(Some(4), "prev_hash_mismatch")]);
    }

    #[test]
    fn a_deleted_event_is_missing_and_a_repeated_seq_is_reported() {
        let mut rows = chain_of(5, None, 1);
        rows.remove(1);
        let v = check(&rows, &AuditKeys::default(), None);
        assert_eq!(problems(&v), [(Some(2), "missing")]);

        let mut rows = chain_of(3, None, 1);
        rows.insert(2, rows[1].clone());
        let v = check(&rows, &AuditKeys::default(), None);
        assert_eq!(problems(&v), [(Some(2), "duplicate_seq")]);
    }

    #[test]
    fn swapped_events_are_reported_where_they_stand() {
        let mut rows = chain_of(5, None, 1);
        rows.swap(1, 2);
        let v = check(&rows, &AuditKeys::default(), None);
        assert_eq!(problems(&v), [(Some(2), "missing"), (Some(2), "out_of_order")]);
        assert_eq!(v.problems[0].line, Some(2));
        assert_eq!(v.problems[1].line, Some(3));
    }

    #[test]
    fn the_last_events_deleted_show_against_the_head() {
        let rows = chain_of(5, None, 1);
        let keys = AuditKeys::default();
        let mut c = Checker::new(&keys, None);
        for r in &rows[..3] {
            c.push(r, None);
        }
        let v = c.finish(Some((5, rows[4].hash.clone().unwrap())), 0);
        assert_eq!(problems(&v), [(Some(5), "head_mismatch")]);
    }

    #[test]
    fn a_row_without_a_seq_is_outside_the_chain() {
        let mut rows = chain_of(2, None, 1);
        rows.push(event(9));
        let v = check(&rows, &AuditKeys::default(), None);
        assert_eq!(problems(&v), [(None, "outside_chain")]);
        assert!(!v.intact);
    }

    #[test]
    fn keyed_links_verify_only_with_their_key_and_cannot_be_recomputed_without_it() {
        let key = AuditKey::new("an-audit-key-that-is-long-enough-000").unwrap();
        let keys = AuditKeys { current: Some(key.clone()), ..Default::default() };
        let rows = chain_of(4, Some(&key), 3);
        let v = check(&rows, &keys, None);
        assert!(v.intact, "{v:?}");
        assert_eq!(v.keyed_events, 2);
        // Without the key the keyed events cannot be checked.
        let v = check(&rows, &AuditKeys::default(), None);
        assert_eq!(problems(&v), [(Some(3), "key_unavailable"), (Some(4), "key_unavailable")]);
        // Someone without the key rewrites event 4 and relinks it with plain SHA-256.
        let mut forged = rows.clone();
        forged[3].key_id = None;
        forged[3].after = Some("{\"n\":0}".into());
        forged[3].hash = Some(chain::hash_of(&forged[3], 4, forged[3].prev_hash.as_deref().unwrap()));
        let v = check(&forged, &keys, None);
        assert_eq!(problems(&v), [(Some(4), "unkeyed_after_keyed")]);
        // Or keeps the key id and guesses: the HMAC does not match.
        let mut forged = rows;
        forged[3].after = Some("{\"n\":0}".into());
        forged[3].hash = Some(chain::hash_of(&forged[3], 4, forged[3].prev_hash.as_deref().unwrap()));
        let v = check(&forged, &keys, None);
        assert_eq!(problems(&v), [(Some(4), "hash_mismatch")]);
    }

    /// Someone without the key rewrites every keyed event, from the first, as unkeyed: the chain
    /// looks as if it had never been keyed, unless where keying began was noted outside it.
    #[test]
    fn a_chain_rewritten_as_never_keyed_is_found_against_the_noted_start_of_keying() {
        let rows = chain_of(4, None, 1);
        let mut keys = AuditKeys::default();
        assert!(check(&rows, &keys, None).intact);
        keys.keyed_since = Some(3);
        let v = check(&rows, &keys, None);
        assert_eq!(problems(&v), [(Some(3), "unkeyed_after_keyed"), (Some(4), "unkeyed_after_keyed")]);
    }

    #[test]
    fn a_noted_head_is_extended_only_by_a_chain_that_still_holds_it() {
        let rows = chain_of(5, None, 1);
        let noted = |seq: Option<i64>, i: usize| NotedHead { seq, hash: rows[i].hash.clone().unwrap() };
        let keys = AuditKeys::default();
        assert!(check(&rows, &keys, Some(noted(Some(3), 2))).noted_head.unwrap().extended);
        assert!(check(&rows, &keys, Some(noted(None, 2))).noted_head.unwrap().extended);
        assert!(!check(&rows, &keys, Some(noted(Some(4), 2))).noted_head.unwrap().extended, "another seq");
        // A chain rebuilt from the start with other contents does not hold the noted hash.
        let mut rebuilt = chain_of(5, None, 1);
        rebuilt[0].actor_sub = "mallory@example.com".into();
        let mut prev = GENESIS.to_string();
        for (i, r) in rebuilt.iter_mut().enumerate() {
            let seq = i as i64 + 1;
            r.prev_hash = Some(prev.clone());
            let h = chain::hash_of(r, seq, &prev);
            r.hash = Some(h.clone());
            prev = h;
        }
        let v = check(&rebuilt, &keys, Some(noted(Some(3), 2)));
        assert!(v.intact, "the rebuilt chain is consistent in itself");
        assert!(!v.noted_head.unwrap().extended, "but it contradicts the noted head");
        // A break before the noted event: not extended.
        let mut broken = rows.clone();
        broken[1].action = "deleted".into();
        assert!(!check(&broken, &keys, Some(noted(Some(3), 2))).noted_head.unwrap().extended);
        // A break after it: still extended.
        let mut later = rows.clone();
        later[4].action = "deleted".into();
        assert!(check(&later, &keys, Some(noted(Some(3), 2))).noted_head.unwrap().extended);
    }

    #[test]
    fn noted_heads_are_parsed_strictly() {
        let h = "a".repeat(64);
        assert_eq!(NotedHead::parse(&h).unwrap(), NotedHead { seq: None, hash: h.clone() });
        assert_eq!(NotedHead::parse(&format!("12:{h}")).unwrap(), NotedHead { seq: Some(12), hash: h.clone() });
        assert!(NotedHead::parse("x:abc").is_err());
        assert!(NotedHead::parse(&"A".repeat(64)).is_err());
        assert!(NotedHead::parse(&"a".repeat(63)).is_err());
    }
}
