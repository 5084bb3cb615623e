use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    assessments::models::{Answer, Assessment},
    audit::models::AuditEvent,
    clauses::models::Clause,
    contracts::{events::ContractEvent, models::Contract},
    findings::models::Finding,
    incidents::models::Incident,
    reminders::models::Reminder,
    rules::questionnaire::ScoreReport,
    scores::models::VendorScore,
    vendors::models::Vendor,
};

/// A contract with its history and clauses (with who in legal verified each).
#[derive(Debug, Serialize, ToSchema)]
pub struct ContractEvidence {
    pub contract: Contract,
    pub events: Vec<ContractEvent>,
    pub clauses: Vec<Clause>,
}

/// An assessment with every answer and the score its answers earn.
#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentEvidence {
    pub assessment: Assessment,
    pub answers: Vec<Answer>,
    pub score: ScoreReport,
}

/// The audit chain's head when the pack was made: match it with `GET /audit-events/export` or
/// `GET /audit-events/verify` to show no event was changed since.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainHead {
    pub seq: i64,
    pub hash: String,
}

/// Everything an auditor files for one vendor under 17.03(2)(f) and (j).
///
/// Statuses and the score are evaluated on `as_of`. Records are those that existed by the end of
/// `as_of` (UTC), shown as they stand now; the audit events up to `as_of` carry each one's
/// history, with the hashes that chain them.
#[derive(Debug, Serialize, ToSchema)]
pub struct EvidencePack {
    #[schema(value_type = String, format = Date)]
    pub as_of: NaiveDate,
    pub generated_at: String,
    pub generated_by: String,
    pub vendor: Vendor,
    /// The capability score, the (f)1 status and the (f)2 evaluation of every contract, with reasons.
    pub score: VendorScore,
    pub contracts: Vec<ContractEvidence>,
    pub assessments: Vec<AssessmentEvidence>,
    pub findings: Vec<Finding>,
    pub incidents: Vec<Incident>,
    pub reminders_sent: Vec<Reminder>,
    /// Oldest first.
    pub audit_events: Vec<AuditEvent>,
    pub audit_chain_head: ChainHead,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EvidenceQuery {
    /// The day to evaluate on (default today, UTC).
    pub as_of: Option<NaiveDate>,
}
