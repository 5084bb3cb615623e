//! The rules a request must meet that JSON Schema cannot state: one field's value depending on
//! another's, on stored data (an id that must exist, a date after a stored one), or on the world
//! (a host name that must resolve). `spec::conform` lists them in each operation's description
//! and in its `x-rules`; the server answers each with 422 naming the field, as listed.
//!
//! Keep this table in step with the checks: a test sends a request that breaks each rule it can
//! reach and expects the 422 to name the listed field (`tests/api/conformance.rs`).

/// One rule of one or more operations.
pub struct Rule {
    /// The `operationId`s it applies to.
    pub operations: &'static [&'static str],
    /// The field(s) a 422 for this rule names in `errors`.
    pub fields: &'static [&'static str],
    pub rule: &'static str,
}

const fn rule(operations: &'static [&'static str], fields: &'static [&'static str], rule: &'static str) -> Rule {
    Rule { operations, fields, rule }
}

const CONTRACT_WRITES: &[&str] = &["create_contract", "update_contract"];
const INCIDENT_WRITES: &[&str] = &["create_incident", "update_incident"];
const DUE_DATES: &[&str] = &["create_assessment", "update_assessment", "send_assessment"];
const REVIEWED_TEXT: &[&str] = &["review_answer", "decide"];

pub const RULES: &[Rule] = &[
    // Vendors (src/vendors/models.rs, check_pi_profile).
    rule(&["create_vendor", "update_vendor"], &["access", "pi_elements"], "with `handles_pi` true, `access` is not `none`; with it false, `access` is `none` and `pi_elements` is empty"),
    // Contracts (src/contracts/models.rs, cross_errors).
    rule(CONTRACT_WRITES, &["ends_on"], "not before `entered_on` or `effective_on`; required when `status` is `expired` or `auto_renews` is true"),
    rule(CONTRACT_WRITES, &["terminated_on", "status"], "`terminated_on` is set exactly when `status` is `terminated`, and is not before `entered_on`"),
    rule(CONTRACT_WRITES, &["renewal_term_months"], "given exactly when `auto_renews` is true"),
    rule(CONTRACT_WRITES, &["currency", "value_cents"], "given together"),
    rule(CONTRACT_WRITES, &["document_text"], "at most 2 MiB of UTF-8"),
    // Contract events (src/contracts/events.rs, plan).
    rule(&["create_event"], &["executed_on"], "not before the contract's `entered_on` nor before its latest event"),
    rule(&["create_event"], &["clauses_added", "clauses_removed"], "clause types that exist (`GET /clause-types`); none both added and removed"),
    rule(&["create_event"], &["new_ends_on"], "required for a renewal and after the current `ends_on` and `executed_on`; given only for renewals and terminations"),
    // Clauses (src/clauses).
    rule(&["put_clause"], &["effective_to"], "not before `effective_from` (or the contract's `entered_on`)"),
    rule(&["put_clause", "accept"], &["deadline"], "`amount` 1 to 10000"),
    rule(&["accept"], &["excerpt"], "1 to 20000 characters, not all blank"),
    rule(&["analyze"], &["text"], "at most 2 MiB; required when the contract has no `document_text`"),
    // Assessments and their reviews.
    rule(&["create_assessment"], &["template_id"], "a published template version"),
    rule(DUE_DATES, &["due_on"], "not in the past, nor further ahead than the server's `OVERSEE_MAX_DUE_DAYS`"),
    rule(REVIEWED_TEXT, &["comment"], "at most 4000 characters; required to reject an assessment"),
    rule(&["review_answer"], &["status"], "`accepted` or `flagged`: a review decides"),
    // Findings (src/findings/routes.rs, resolve_subject).
    rule(&["create_finding"], &["vendor_id", "assessment_id", "question_code"], "`vendor_id` or `assessment_id` names one that exists; with both, the assessment is the vendor's; `question_code` needs `assessment_id` and is one of its questions"),
    rule(&["create_finding", "update_finding"], &["risk_justification", "risk_approved_by"], "required, not blank, when `status` is `risk_accepted`"),
    // Incidents (crates/oversee-rules/src/incidents.rs, problems).
    rule(INCIDENT_WRITES, &["contract_id"], "a contract of this vendor"),
    rule(INCIDENT_WRITES, &["discovered_on", "reported_to_us_on", "ag_notified_on", "ocabr_notified_on", "residents_notified_on", "credit_agencies_notified_on", "responsive_actions", "review"], "not in the future, and not before `discovered_on`"),
    rule(INCIDENT_WRITES, &["determination_rationale"], "required once `breach_determination` is not `pending`"),
    rule(INCIDENT_WRITES, &["credit_monitoring_months"], "1 to 120, given exactly when `credit_monitoring_offered` is true"),
    rule(INCIDENT_WRITES, &["review", "breach_determination"], "an incident is `closed` only with its post-incident `review` and a decided `breach_determination`"),
    // Questionnaires.
    rule(&["create_template", "update_template", "new_version", "import_template"], &["sections"], "at least one section; section and question codes unique; a choice question lists its options"),
    rule(&["import_template"], &["format"], "the format this version reads"),
    rule(&["import_spreadsheet"], &["file", "sheet", "header_row", "code_column", "question_column", "section_column", "answer_type_column", "help_column"], "a workbook or CSV that can be read; the sheet and header row exist and the header row holds each named column; question ids unique"),
    // Portal.
    rule(&["save_answers"], &["answers"], "each `question_code` is a question of this questionnaire, once per call; each answer fits its question's kind"),
    rule(&["submit"], &["answers"], "every required question is answered"),
    rule(&["upload_evidence"], &["question_code"], "a question of this questionnaire"),
    // Webhooks, tickets, settings.
    rule(&["create_webhook", "update_webhook"], &["url"], "an https URL whose host resolves only to public addresses (unless the server allows otherwise)"),
    rule(&["ticket_event"], &["status"], "a status the ticket-status map (`PUT /settings/ticket-status-map`) knows for the ticket's system"),
    rule(&["put_settings"], &["recipients"], "each name is `owner` or one of `mailboxes`"),
];
