//! Saving an incident and everything that follows from it, inside the transaction of the change:
//! the report measured against the contract's notice term, a finding when it was late, every
//! value of the resident count kept, the audit event, and the vendor's derived state (score,
//! reassessment reminder).

use chrono::{Duration, NaiveDate};

use super::{
    models::{Incident, IncidentFields, IncidentRow},
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::Principal,
    config::Config,
    db::{stored::Unreadable, DbConn},
    error::ApiError,
    findings::{
        models::{Finding, FindingFields, FindingRow},
        store as findings,
    },
    rules::{
        findings::{FindingStatus, Severity},
        incidents::{timeliness, IncidentStatus, Timeliness},
    },
    time,
};

pub const SUBJECT: &str = "incident";

/// A late report is a breach of contract to follow up within this many days.
const LATE_REPORT_FINDING_DAYS: i64 = 30;

/// A named contract must be one of the vendor's, not deleted. Returns its id as stored.
pub fn check_contract(
    c: &mut DbConn,
    vendor_id: &str,
    contract_id: Option<String>,
) -> Result<Option<String>, ApiError> {
    let Some(id) = contract_id else { return Ok(None) };
    let not_theirs = || ApiError::invalid("contract_id", "not a contract of this vendor");
    let id = crate::http::ids::parse(&id, "contract").map_err(|_| not_theirs())?;
    match crate::contracts::store::get_required(c, &id) {
        Ok(contract) if contract.vendor_id == vendor_id => Ok(Some(contract.id)),
        _ => Err(not_theirs()),
    }
}

/// The incident as the API shows it, with its resident-count history.
pub fn view(c: &mut DbConn, row: IncidentRow) -> Result<Incident, ApiError> {
    let history = store::resident_counts(c, std::slice::from_ref(&row.id))?.remove(&row.id).unwrap_or_default();
    Ok(row.view(history)?)
}

/// A new row for `vendor_id` holding `fields`.
pub fn new_row(
    vendor_id: String,
    fields: IncidentFields,
    who: &Principal,
    now: &str,
    today: NaiveDate,
) -> Result<IncidentRow, Unreadable> {
    let mut row = IncidentRow {
        id: crate::http::ids::new(),
        vendor_id,
        contract_id: None,
        title: String::new(),
        description: None,
        status: IncidentStatus::Open.as_str().into(),
        discovered_on: String::new(),
        discovered_on_approximate: false,
        reported_to_us_on: String::new(),
        pi_elements: "[]".into(),
        data_encrypted: None,
        key_compromised: None,
        ma_residents_affected: None,
        breach_determination: String::new(),
        determination_rationale: None,
        ag_notified_on: None,
        ocabr_notified_on: None,
        residents_notified_on: None,
        credit_agencies_notified_on: None,
        law_enforcement_delay: None,
        credit_monitoring_offered: false,
        credit_monitoring_months: None,
        responsive_actions: "[]".into(),
        review: None,
        closed_on: None,
        timeliness: None,
        late_report_finding_id: None,
        created_by: who.sub.clone(),
        version: 1,
        created_at: now.to_string(),
        updated_at: now.to_string(),
    };
    fields.apply_to(&mut row, today)?;
    Ok(row)
}

/// Saves the row (new when `before` is `None`) with what follows from it.
pub fn save(
    c: &mut DbConn,
    who: &Principal,
    config: &Config,
    before: Option<&Incident>,
    mut row: IncidentRow,
) -> Result<Incident, ApiError> {
    let fields = IncidentFields::from_row(&row)?;
    let terms = store::notice_terms(c, &row.vendor_id, row.contract_id.as_deref(), fields.discovered_on)?;
    let measured = timeliness(fields.discovered_on, fields.discovered_on_approximate, fields.reported_to_us_on, &terms);
    row.timeliness = measured.as_ref().map(|t| serde_json::to_string(t).unwrap_or_default());
    if let Some(t) = measured.as_ref().filter(|t| t.late) {
        if row.late_report_finding_id.is_none() {
            row.late_report_finding_id = Some(raise_late_report_finding(c, who, &row, t)?);
        }
    }
    let now = row.updated_at.clone();
    match before {
        None => store::insert(c, &row)?,
        Some(_) => store::update(c, &row)?,
    }
    if before.is_none_or(|b| b.ma_residents_affected != row.ma_residents_affected) {
        store::record_resident_count(c, &row.id, row.ma_residents_affected, &who.sub, &now)?;
    }
    let after = view(c, row)?;
    let action = match (before.map(|b| b.status), after.status) {
        (None, _) => "created",
        (Some(IncidentStatus::Open), IncidentStatus::Closed) => "closed",
        (Some(IncidentStatus::Closed), IncidentStatus::Open) => "reopened",
        _ => "updated",
    };
    audit::record(c, who, Change::new(action, SUBJECT, &after.id, before, Some(&after)))?;
    crate::derived::refresh(c, &after.vendor_id, who, config)?;
    Ok(after)
}

fn raise_late_report_finding(
    c: &mut DbConn,
    who: &Principal,
    incident: &IncidentRow,
    t: &Timeliness,
) -> Result<String, ApiError> {
    let now = time::now();
    let mut row = FindingRow::new_open(incident.vendor_id.clone(), None, None, &now);
    FindingFields {
        title: format!("Incident reported late under contract {}", t.contract_id),
        description: Some(format!("Incident {} ({}). {}", incident.id, incident.title, t.reason)),
        severity: Severity::High,
        status: FindingStatus::Open,
        due_on: Some(time::today() + Duration::days(LATE_REPORT_FINDING_DAYS)),
        owner_email: None,
        risk_justification: None,
        risk_approved_by: None,
    }
    .normalized()
    .apply_to(&mut row, &now)?;
    findings::insert(c, &row)?;
    let finding = Finding::try_from(row)?;
    audit::record(c, who, Change::created("finding", &finding.id, &finding))?;
    Ok(finding.id)
}
