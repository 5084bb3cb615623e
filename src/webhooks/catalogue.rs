//! The events a subscription can receive, each with the schema of its `data`. Every event is
//! `{"type", "timestamp", "data"}`, named `<subject>.<action>` as in the audit trail. The OpenAPI
//! document lists them under its top-level `webhooks` (OpenAPI 3.1), and
//! `GET /api/v1/webhooks/event-types` returns them.

use serde::Serialize;
use serde_json::{json, Value};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
pub struct EventType {
    #[serde(rename = "type")]
    pub name: &'static str,
    /// The component schema of the event's `data`.
    pub data_schema: &'static str,
    pub description: &'static str,
}

const fn e(name: &'static str, data_schema: &'static str, description: &'static str) -> EventType {
    EventType { name, data_schema, description }
}

pub const CATALOGUE: &[EventType] = &[
    e("vendor.created", "Vendor", "A vendor was added."),
    e("vendor.updated", "Vendor", "A vendor's details changed."),
    e("vendor.archived", "Vendor", "A vendor was archived (soft-deleted)."),
    e("vendor.score_changed", "Snapshot", "A vendor's capability score, grade, (f)1 or (f)2 status changed."),
    e("vendor_contact.created", "Contact", "A contact was added to a vendor."),
    e("vendor_contact.updated", "Contact", "A contact changed."),
    e("vendor_contact.deleted", "Contact", "A contact was removed."),
    e("contract.created", "Contract", "A contract was recorded."),
    e("contract.updated", "Contract", "A contract changed (also after a renewal or termination moved its dates)."),
    e("contract.deleted", "Contract", "A contract was deleted."),
    e(
        "contract.compliance_changed",
        "ComplianceChange",
        "A contract's 17.03(2)(f)2 status changed, with the previous status and the reasons.",
    ),
    e("contract_event.renewal", "ContractEvent", "A renewal was recorded on a contract."),
    e("contract_event.amendment", "ContractEvent", "An amendment was recorded on a contract."),
    e("contract_event.termination", "ContractEvent", "A termination was recorded on a contract."),
    e("clause.updated", "Clause", "A clause record was added to a contract or changed."),
    e("clause.accepted", "Clause", "Legal accepted a detected clause suggestion."),
    e("clause.verified", "Clause", "Legal verified a clause against the contract text."),
    e("assessment.created", "Assessment", "An assessment was drafted for a vendor."),
    e("assessment.updated", "Assessment", "An assessment's due date or respondent changed."),
    e("assessment.sent", "Assessment", "A questionnaire was sent to the vendor's respondent."),
    e("assessment.link_revoked", "Assessment", "The respondent's link was revoked."),
    e("assessment.answered", "Assessment", "The respondent saved answers."),
    e("assessment.evidence_added", "Assessment", "The respondent attached a file."),
    e("assessment.evidence_removed", "Assessment", "The respondent removed a file."),
    e("assessment.submitted", "Assessment", "The respondent submitted the answers."),
    e("assessment.expired", "Assessment", "The respondent's link ran out before submission."),
    e("assessment.under_review", "Assessment", "A reviewer took the assessment up."),
    e("assessment.accepted", "Assessment", "The assessment was accepted."),
    e("assessment.rejected", "Assessment", "The assessment was rejected."),
    e("assessment_answer.reviewed", "Answer", "A reviewer accepted or flagged an answer."),
    e("finding.created", "Finding", "A finding was raised."),
    e("finding.updated", "Finding", "A finding changed."),
    e("finding.resolved", "Finding", "A finding was resolved."),
    e("finding.ticket_linked", "Finding", "A ticket was linked to a finding."),
    e("incident.created", "Incident", "An incident at a vendor was recorded."),
    e("incident.updated", "Incident", "An incident's facts, notices, actions or review changed."),
    e("incident.closed", "Incident", "An incident was closed after its post-incident review."),
    e("incident.reopened", "Incident", "A closed incident was opened again."),
    e("reminder.sent", "Reminder", "A reminder email was accepted by the SMTP server."),
    e("reminder.failed", "Reminder", "A reminder email failed for good after its attempts."),
    e("reminder.retried", "Reminder", "Someone asked for a failed or skipped reminder to be sent again."),
    e("questionnaire_template.created", "Template", "A questionnaire template draft was created."),
    e("questionnaire_template.updated", "Template", "A template draft changed."),
    e("questionnaire_template.published", "Template", "A template version was published."),
    e("questionnaire_template.deleted", "Template", "A template draft was deleted."),
    e("clause_type.created", "ClauseType", "A clause type was added."),
    e("setting.updated", "Object", "A setting (compliance policy, ticket status map, reminders) changed."),
    e("webhook.created", "Subscription", "A webhook subscription was created."),
    e("webhook.updated", "Subscription", "A subscription changed."),
    e("webhook.deleted", "Subscription", "A subscription was deleted."),
    e("webhook.secret_rotated", "Subscription", "A subscription's secret was rotated."),
    e("webhook.disabled", "Subscription", "Oversee disabled a subscription whose deliveries kept failing."),
    e("webhook.redelivery_requested", "Delivery", "Someone asked for a delivery to be sent again."),
    e(
        "audit.head",
        "Anchor",
        "The audit chain's head (seq and hash), published at least daily and on demand: keep it to check later that \
         the chain still holds it (GET /audit-events/verify?noted_head=SEQ:HASH).",
    ),
    e("webhook.test", "Object", "A test event sent to one subscription: `{\"subscription_id\": …}`."),
];

/// Adds the catalogue as the document's `webhooks` (OpenAPI 3.1 §4.8.1): one POST per event type.
pub fn add_to_spec(spec: &mut utoipa::openapi::OpenApi) {
    let webhooks: serde_json::Map<String, Value> = CATALOGUE
        .iter()
        .map(|ev| {
            let data = if ev.data_schema == "Object" {
                json!({"type": "object"})
            } else {
                json!({"$ref": format!("#/components/schemas/{}", ev.data_schema)})
            };
            let op = json!({"post": {
                "operationId": format!("event_{}", ev.name.replace('.', "_")),
                "summary": ev.name,
                "description": ev.description,
                "tags": ["webhooks"],
                "parameters": [
                    {"name": "webhook-id", "in": "header", "required": true, "schema": {"type": "string"},
                     "description": "Unique per delivery; the same on retries and redeliveries. De-duplicate on it."},
                    {"name": "webhook-timestamp", "in": "header", "required": true, "schema": {"type": "string"},
                     "description": "Seconds since the epoch when this attempt was signed."},
                    {"name": "webhook-signature", "in": "header", "required": true, "schema": {"type": "string"},
                     "description": "`v1,<base64 HMAC-SHA256 of id.timestamp.body>`, space-separated when two secrets sign."}
                ],
                "requestBody": {"required": true, "content": {"application/json": {"schema": {
                    "type": "object",
                    "required": ["type", "timestamp", "data"],
                    "properties": {
                        "type": {"type": "string", "const": ev.name},
                        "timestamp": {"type": "string", "format": "date-time"},
                        "data": data
                    }
                }}}},
                "responses": {"2XX": {"description": "Received. 5xx, 408, 429 and timeouts are retried; other answers fail the delivery."}}
            }});
            (ev.name.to_string(), op)
        })
        .collect();
    spec.extensions.get_or_insert_with(Default::default).insert("webhooks".into(), Value::Object(webhooks));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_valid_patterns() {
        let mut names: Vec<&str> = CATALOGUE.iter().map(|e| e.name).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), CATALOGUE.len());
        for n in names {
            assert!(crate::rules::webhooks::valid_pattern(n), "{n}");
        }
    }
}
