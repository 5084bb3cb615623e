//! The constraints a field's validation enforces, written once per field and published on every
//! schema that carries the field, so a create and its patch cannot say different things.
//!
//! utoipa's attributes can state a length or a range on a plain field, but not on the items of an
//! array nor on a `null`-able patch field made of a double `Option`; this table states them all in
//! one place, and `spec::conform` merges each entry into the named properties. A test checks
//! every entry names a property that exists, so a rename cannot leave one behind unnoticed.

use serde_json::{json, Value};

use super::formats::{EVENT_TYPE, NON_BLANK, TAG, WEBHOOK_URL, WEB_URL};
use crate::rules::questionnaire::CODE_PATTERN;

/// One field's constraints and the schemas that carry it.
pub struct FieldFormat {
    pub schemas: &'static [&'static str],
    pub property: &'static str,
    pub constraints: fn() -> Value,
}

const fn field(schemas: &'static [&'static str], property: &'static str, constraints: fn() -> Value) -> FieldFormat {
    FieldFormat { schemas, property, constraints }
}

const VENDOR: &[&str] = &["CreateVendor", "UpdateVendor"];
const CONTRACT: &[&str] = &["CreateContract", "UpdateContract"];
const WEBHOOK: &[&str] = &["CreateSubscription", "UpdateSubscription"];
const TEMPLATE: &[&str] = &["TemplateDocument", "UpdateTemplate"];
const INCIDENT: &[&str] = &["CreateIncident", "UpdateIncident"];
const CONTACT: &[&str] = &["CreateContact", "UpdateContact"];
const FINDING: &[&str] = &["CreateFinding", "UpdateFinding"];
const ASSESSMENT: &[&str] = &["CreateAssessment", "UpdateAssessment"];

/// The fields, by the schema that holds them (`src/vendors/models.rs`, `src/contracts/models.rs`,
/// `src/webhooks/models.rs`, `crates/oversee-rules/src/questionnaire.rs`, `src/findings/tickets.rs`).
pub const FIELDS: &[FieldFormat] = &[
    field(VENDOR, "name", || json!({"pattern": NON_BLANK, "maxLength": 200})),
    field(VENDOR, "legal_name", || json!({"maxLength": 300})),
    field(VENDOR, "website", || json!({"pattern": WEB_URL, "maxLength": 2000})),
    field(VENDOR, "description", || json!({"maxLength": 10000})),
    field(VENDOR, "owner_email", || json!({"maxLength": 254})),
    field(VENDOR, "tags", || json!({"maxItems": 50, "items": {"pattern": TAG}})),
    field(CONTRACT, "title", || json!({"pattern": NON_BLANK, "maxLength": 300})),
    field(CONTRACT, "renewal_term_months", || json!({"minimum": 1, "maximum": 120})),
    field(CONTRACT, "notice_days", || json!({"minimum": 0, "maximum": 3650})),
    field(CONTRACT, "value_cents", || json!({"minimum": 0})),
    field(CONTRACT, "currency", || json!({"pattern": "^[A-Za-z]{3}$"})),
    field(CONTRACT, "owner_email", || json!({"maxLength": 254})),
    field(WEBHOOK, "url", || json!({"pattern": WEBHOOK_URL, "maxLength": 2000})),
    field(
        WEBHOOK,
        "event_types",
        || json!({"minItems": 1, "maxItems": 50, "items": {"pattern": EVENT_TYPE, "maxLength": 100}}),
    ),
    field(WEBHOOK, "description", || json!({"maxLength": 500})),
    field(&["Ticket"], "key", || json!({"pattern": NON_BLANK})),
    field(&["Ticket"], "url", || json!({"pattern": WEB_URL, "maxLength": 2000})),
    field(TEMPLATE, "title", || json!({"pattern": NON_BLANK, "maxLength": 300})),
    field(&["TemplateDocument"], "format", || json!({"enum": [crate::questionnaires::models::FORMAT, null]})),
    field(&["Section"], "code", || json!({"pattern": CODE_PATTERN})),
    field(&["Section"], "title", || json!({"pattern": NON_BLANK, "maxLength": 4000})),
    field(&["Question"], "code", || json!({"pattern": CODE_PATTERN})),
    field(&["Question"], "text", || json!({"pattern": NON_BLANK, "maxLength": 4000})),
    field(&["Question"], "help", || json!({"maxLength": 4000})),
    field(&["Question"], "weight", || json!({"minimum": 0, "maximum": 100})),
    field(&["ChoiceOption"], "value", || json!({"pattern": NON_BLANK})),
    field(&["ChoiceOption"], "label", || json!({"pattern": NON_BLANK})),
    field(&["ChoiceOption"], "score", || json!({"minimum": 0, "maximum": 100})),
    field(INCIDENT, "title", || json!({"pattern": NON_BLANK, "maxLength": 300})),
    field(INCIDENT, "description", || json!({"maxLength": 10000})),
    field(INCIDENT, "determination_rationale", || json!({"maxLength": 10000})),
    field(INCIDENT, "law_enforcement_delay", || json!({"maxLength": 4000})),
    field(INCIDENT, "ma_residents_affected", || json!({"minimum": 0, "maximum": 10_000_000_000_i64})),
    field(INCIDENT, "responsive_actions", || json!({"maxItems": 500})),
    field(&["ResponsiveAction"], "action", || json!({"pattern": NON_BLANK, "maxLength": 2000})),
    field(&["ResponsiveAction"], "by", || json!({"maxLength": 200})),
    field(
        &["Review"],
        "participants",
        || json!({"minItems": 1, "maxItems": 50, "items": {"pattern": NON_BLANK, "maxLength": 200}}),
    ),
    field(&["Review"], "conclusions", || json!({"pattern": NON_BLANK, "maxLength": 10000})),
    field(&["Review"], "practice_changes", || json!({"pattern": NON_BLANK, "maxLength": 10000})),
    field(CONTACT, "name", || json!({"pattern": NON_BLANK, "maxLength": 200})),
    field(CONTACT, "phone", || json!({"maxLength": 50})),
    field(FINDING, "title", || json!({"pattern": NON_BLANK, "maxLength": 300})),
    field(FINDING, "description", || json!({"maxLength": 10000})),
    field(FINDING, "owner_email", || json!({"maxLength": 254})),
    field(FINDING, "risk_justification", || json!({"maxLength": 4000})),
    field(FINDING, "risk_approved_by", || json!({"maxLength": 4000})),
    field(ASSESSMENT, "respondent_name", || json!({"pattern": NON_BLANK, "maxLength": 200})),
    field(&["AcceptSuggestion"], "excerpt", || json!({"pattern": NON_BLANK, "maxLength": 20000})),
    field(&["Deadline"], "amount", || json!({"minimum": 1, "maximum": 10000})),
    field(&["Deadline"], "unit", || json!({"enum": ["hours", "days", "business_days"]})),
    field(&["RevokeTokens"], "sub", || json!({"pattern": NON_BLANK, "maxLength": 320})),
];

/// Merges each entry into its properties under `components.schemas`. Returns the entries whose
/// schema or property is missing, as `Schema.property`.
pub fn apply(doc: &mut Value) -> Vec<String> {
    let mut missing = vec![];
    for f in FIELDS {
        for schema in f.schemas {
            match doc["components"]["schemas"][*schema]["properties"].get_mut(f.property) {
                Some(property) => merge(property, (f.constraints)()),
                None => missing.push(format!("{schema}.{}", f.property)),
            }
        }
    }
    missing
}

/// Adds `extra`'s keys to `target`, recursing into objects both have (`items`).
fn merge(target: &mut Value, extra: Value) {
    let (Some(target), Value::Object(extra)) = (target.as_object_mut(), extra) else { return };
    for (key, value) in extra {
        match target.get_mut(&key) {
            Some(existing) if existing.is_object() && value.is_object() => merge(existing, value),
            _ => {
                target.insert(key, value);
            }
        }
    }
}
