use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::db::schema::audit_events;

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
}

use diesel::{Insertable, Queryable};

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
    /// SHA-256 (hex) over this event's canonical encoding and `prev_hash`.
    pub hash: Option<String>,
}

impl From<AuditRow> for AuditEvent {
    fn from(r: AuditRow) -> Self {
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        AuditEvent {
            id: r.id,
            occurred_at: r.occurred_at,
            actor_sub: r.actor_sub,
            actor_role: r.actor_role,
            action: r.action,
            subject_type: r.subject_type,
            subject_id: r.subject_id,
            before: parse(r.before),
            after: parse(r.after),
            request_id: r.request_id,
            seq: r.seq,
            prev_hash: r.prev_hash,
            hash: r.hash,
        }
    }
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
