use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::{
    schema::audit_events,
    stored::{Row, Unreadable},
};

#[derive(Queryable, Insertable, Debug, Clone)]
#[diesel(table_name = audit_events)]
pub struct AuditRow {
    pub id: String,
    pub occurred_at: String,
    pub actor_sub: String,
    pub actor_role: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
    pub seq: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub key_id: Option<String>,
}

use diesel::{Insertable, Queryable};

/// Where an event stands against the tamper-evident chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChainMark {
    /// In the chain: `seq`, `prev_hash` and `hash` verify it.
    Linked,
    /// Recorded before the chain began; counted, not verifiable.
    BeforeChain,
    /// Without a place in the chain though recorded after it began: nothing Oversee writes, so
    /// the row was added to the database by other means. `GET /audit-events/verify` reports it.
    OutsideChain,
}

impl ChainMark {
    /// `first_linked` is the id of the first chained event (`chain::first_linked_id`).
    pub fn of(r: &AuditRow, first_linked: Option<&str>) -> ChainMark {
        match (r.seq, first_linked) {
            (Some(_), _) => ChainMark::Linked,
            (None, Some(first)) if r.id.as_str() >= first => ChainMark::OutsideChain,
            (None, _) => ChainMark::BeforeChain,
        }
    }
}

/// One recorded change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEvent {
    pub id: String,
    pub occurred_at: String,
    pub actor_sub: String,
    pub actor_role: String,
    /// For example `created`, `updated`, `archived`.
    pub action: String,
    /// For example `vendor`, `vendor_contact`.
    pub subject_type: String,
    pub subject_id: String,
    /// The subject before the change; null for a creation.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The subject after the change; null for a deletion.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    pub request_id: Option<String>,
    /// Place in the tamper-evident chain (absent for events older than the chain).
    pub seq: Option<i64>,
    /// The hash of the event before this one in the chain.
    pub prev_hash: Option<String>,
    /// SHA-256 (hex) over this event's canonical bytes (the README gives them), or their
    /// HMAC-SHA256 under the audit key that `key_id` names.
    pub hash: Option<String>,
    /// The audit key that linked this event (an id derived from the key), when one was set.
    pub key_id: Option<String>,
    pub chain: ChainMark,
}

impl AuditEvent {
    /// `first_linked` is the id of the first chained event, which tells events older than the
    /// chain from rows added outside it.
    pub fn new(r: AuditRow, first_linked: Option<&str>) -> Result<Self, Unreadable> {
        let chain = ChainMark::of(&r, first_linked);
        let at = Row::new("audit_events", &r.id);
        let before = r.before.as_deref().map(|s| at.json("before", s)).transpose()?;
        let after = r.after.as_deref().map(|s| at.json("after", s)).transpose()?;
        Ok(AuditEvent {
            chain,
            id: r.id,
            occurred_at: r.occurred_at,
            actor_sub: r.actor_sub,
            actor_role: r.actor_role,
            action: r.action,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            before,
            after,
            request_id: r.request_id,
            seq: r.seq,
            prev_hash: r.prev_hash,
            hash: r.hash,
            key_id: r.key_id,
        })
    }
}

/// One line of the export (`GET /audit-events/export`) and of an evidence pack's
/// `audit-events.jsonl`: the event's stored fields verbatim. `before` and `after` are the stored
/// JSON texts as strings, so the canonical bytes its link covers can be rebuilt from the line
/// alone (`chain::canonical`). The export holds chained events only; a pack also marks each
/// event's place (`chain`), and an event outside the chain has no `seq`, `prev_hash` or `hash`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportedEvent {
    pub seq: Option<i64>,
    pub id: String,
    pub occurred_at: String,
    pub actor_sub: String,
    pub actor_role: String,
    pub action: String,
    pub subject_type: String,
    pub subject_id: String,
    pub before: Option<String>,
    pub after: Option<String>,
    pub request_id: Option<String>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
    pub key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub chain: Option<ChainMark>,
}

impl ExportedEvent {
    pub fn of(r: &AuditRow) -> ExportedEvent {
        ExportedEvent {
            seq: r.seq,
            id: r.id.clone(),
            occurred_at: r.occurred_at.clone(),
            actor_sub: r.actor_sub.clone(),
            actor_role: r.actor_role.clone(),
            action: r.action.clone(),
            subject_type: r.subject_type.clone(),
            subject_id: r.subject_id.clone(),
            before: r.before.clone(),
            after: r.after.clone(),
            request_id: r.request_id.clone(),
            prev_hash: r.prev_hash.clone(),
            hash: r.hash.clone(),
            key_id: r.key_id.clone(),
            chain: None,
        }
    }

    pub fn into_row(self) -> AuditRow {
        AuditRow {
            id: self.id,
            occurred_at: self.occurred_at,
            actor_sub: self.actor_sub,
            actor_role: self.actor_role,
            action: self.action,
            subject_type: self.subject_type,
            subject_id: self.subject_id,
            before: self.before,
            after: self.after,
            request_id: self.request_id,
            seq: self.seq,
            prev_hash: self.prev_hash,
            hash: self.hash,
            key_id: self.key_id,
        }
    }
}

/// The export's last line: the recorded head when the export was made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportTrailer {
    /// The hash of the last event (the genesis hash when there is none).
    pub chain_head: String,
    pub head_seq: i64,
    /// Event lines before this one.
    pub events: i64,
}

/// Newest first.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// Only events about this kind of subject, e.g. `vendor`.
    pub subject_type: Option<String>,
    /// Only events about this subject id.
    pub subject_id: Option<String>,
    /// Only events by this actor (the token's `sub`).
    pub actor: Option<String>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
