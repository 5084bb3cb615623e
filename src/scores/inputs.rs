//! Everything the score needs for a batch of vendors, in a fixed number of queries whatever the
//! batch's size or history: contracts, their events and security clauses, all their clauses,
//! decided assessments, findings and incidents.

use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::{F2Summary, VendorScore};
use crate::{
    assessments::models::AssessmentRow,
    clauses::models::{ClauseRow, ClauseStatus},
    compliance::store as compliance,
    contracts::{models::ContractRow, store::without_document},
    db::{
        schema::{assessments as s, contract_clauses as cc, contracts as c, findings as f, incidents as i},
        stored::{Row, Unreadable},
        DbConn,
    },
    error::ApiError,
    findings::models::FindingRow,
    on_backend,
    rules::{
        assessment_lifecycle::AssessmentStatus,
        capability::{self, AssessmentFact, ClauseFact, ContractStart, FindingFact, IncidentFact, Model, VendorFacts},
        f2::{self, ContractFacts, Policy},
        findings::{FindingStatus, Severity},
        incidents::{Determination, Timeliness},
    },
    vendors::models::VendorRow,
};

pub struct Inputs {
    pub vendor: VendorRow,
    pub contracts: Vec<ContractFacts>,
    pub starts: Vec<ContractStart>,
    pub clauses: Vec<ClauseFact>,
    pub assessments: Vec<AssessmentFact>,
    pub findings: Vec<FindingFact>,
    pub incidents: Vec<IncidentFact>,
}

fn group<T>(items: Vec<T>, key: impl Fn(&T) -> String) -> HashMap<String, Vec<T>> {
    let mut out: HashMap<String, Vec<T>> = HashMap::new();
    for item in items {
        out.entry(key(&item)).or_default().push(item);
    }
    out
}

/// Seven queries for the whole batch.
pub fn load(conn: &mut DbConn, vendors: Vec<VendorRow>) -> Result<Vec<Inputs>, ApiError> {
    let ids: Vec<String> = vendors.iter().map(|v| v.id.clone()).collect();
    let rows: Vec<ContractRow> = on_backend!(conn, |cn| c::table
        .filter(c::vendor_id.eq_any(&ids))
        .filter(c::deleted_at.is_null())
        .order(c::id.asc())
        .select(without_document())
        .load(cn))?;
    let facts = compliance::facts(conn, &rows)?;
    let contract_ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let clause_rows: Vec<ClauseRow> =
        on_backend!(conn, |cn| cc::table.filter(cc::contract_id.eq_any(&contract_ids)).load(cn))?;
    let decided: Vec<AssessmentRow> = on_backend!(conn, |cn| s::table
        .filter(s::vendor_id.eq_any(&ids))
        .filter(s::decided_at.is_not_null())
        .order(s::id.asc())
        .load(cn))?;
    let finding_rows: Vec<FindingRow> =
        on_backend!(conn, |cn| f::table.filter(f::vendor_id.eq_any(&ids)).order(f::id.asc()).load(cn))?;
    let incident_rows: Vec<(String, String, String, String, Option<String>)> = on_backend!(conn, |cn| i::table
        .filter(i::vendor_id.eq_any(&ids))
        .order(i::id.asc())
        .select((i::vendor_id, i::id, i::reported_to_us_on, i::breach_determination, i::timeliness))
        .load(cn))?;

    let vendor_of: HashMap<String, String> = rows.iter().map(|r| (r.id.clone(), r.vendor_id.clone())).collect();
    let owner = |contract_id: &str| vendor_of.get(contract_id).cloned().unwrap_or_default();
    let mut facts_by = group(facts, |fc| owner(&fc.id));
    let starts = rows
        .iter()
        .map(|r| {
            let at = Row::new("contracts", &r.id);
            Ok(ContractStart {
                id: r.id.clone(),
                is_draft: r.is_draft()?,
                entered_on: at.date("entered_on", &r.entered_on)?,
                effective_on: at.optional_date("effective_on", r.effective_on.as_deref())?,
            })
        })
        .collect::<Result<Vec<_>, Unreadable>>()?;
    let mut starts_by = group(starts, |st| owner(&st.id));
    let clauses = clause_rows
        .into_iter()
        .map(|r| {
            let key = format!("{}/{}", r.contract_id, r.clause_type);
            let at = Row::new("contract_clauses", &key);
            Ok(ClauseFact {
                present: at.one_of("status", "clause status", &r.status, ClauseStatus::parse)? == ClauseStatus::Present,
                effective_from: at.date("effective_from", &r.effective_from)?,
                effective_to: at.optional_date("effective_to", r.effective_to.as_deref())?,
                contract_id: r.contract_id,
                clause_type: r.clause_type,
            })
        })
        .collect::<Result<Vec<_>, Unreadable>>()?;
    let mut clauses_by = group(clauses, |cl| owner(&cl.contract_id));
    let mut assessments_by = group(decided, |a| a.vendor_id.clone());
    let mut findings_by = group(finding_rows, |x| x.vendor_id.clone());
    let mut incidents_by = group(incident_rows, |x| x.0.clone());

    let mut out = Vec::with_capacity(vendors.len());
    for vendor in vendors {
        let id = vendor.id.as_str();
        let assessments = assessments_by
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|a| {
                let at = Row::new("assessments", &a.id);
                Ok(AssessmentFact {
                    accepted: a.status()? == AssessmentStatus::Accepted,
                    decided_on: at.day_of("decided_at", a.decided_at.as_deref().unwrap_or_default())?,
                    score: a.score,
                    // Both are set when the assessment is decided; missing on a decided one is
                    // corruption, not a clean result.
                    critical_failures: a
                        .critical_failures
                        .ok_or_else(|| at.unreadable("critical_failures", "missing on a decided assessment"))?,
                    id: a.id,
                })
            })
            .collect::<Result<Vec<_>, Unreadable>>()?;
        let findings = findings_by
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|x| {
                let at = Row::new("findings", &x.id);
                let status = at.one_of("status", "finding status", &x.status, FindingStatus::parse)?;
                Ok(FindingFact {
                    severity: at.one_of("severity", "severity", &x.severity, Severity::parse)?,
                    created_on: at.day_of("created_at", &x.created_at)?,
                    due_on: at.optional_date("due_on", x.due_on.as_deref())?,
                    resolved_on: x.resolved_at.as_deref().map(|t| at.day_of("resolved_at", t)).transpose()?,
                    risk_accepted_on: x
                        .risk_accepted_at
                        .as_deref()
                        .filter(|_| status == FindingStatus::RiskAccepted)
                        .map(|t| at.day_of("risk_accepted_at", t))
                        .transpose()?,
                    id: x.id,
                })
            })
            .collect::<Result<Vec<_>, Unreadable>>()?;
        let incidents = incidents_by
            .remove(id)
            .unwrap_or_default()
            .into_iter()
            .map(|(_, id, reported_on, determination, timeliness)| {
                let at = Row::new("incidents", &id);
                let late_report = match timeliness {
                    Some(t) => at.json::<Timeliness>("timeliness", &t)?.late,
                    None => false,
                };
                Ok(IncidentFact {
                    reported_on: at.date("reported_to_us_on", &reported_on)?,
                    determination: at.one_of(
                        "breach_determination",
                        "breach determination",
                        &determination,
                        Determination::parse,
                    )?,
                    late_report,
                    id,
                })
            })
            .collect::<Result<Vec<_>, Unreadable>>()?;
        out.push(Inputs {
            contracts: facts_by.remove(id).unwrap_or_default(),
            starts: starts_by.remove(id).unwrap_or_default(),
            clauses: clauses_by.remove(id).unwrap_or_default(),
            assessments,
            findings,
            incidents,
            vendor,
        });
    }
    Ok(out)
}

/// The score of one vendor's inputs on `as_of`.
pub fn evaluate(inputs: &Inputs, as_of: NaiveDate, policy: Policy, model: &Model) -> VendorScore {
    let v = &inputs.vendor;
    let f2 = f2::evaluate_vendor(&v.name, v.handles_pi, &inputs.contracts, as_of, policy);
    let facts = VendorFacts {
        handles_pi: v.handles_pi,
        risk_tier: v.risk_tier,
        f2_contracts: &f2.contracts,
        contracts: &inputs.starts,
        clauses: &inputs.clauses,
        assessments: &inputs.assessments,
        findings: &inputs.findings,
        incidents: &inputs.incidents,
    };
    let cap = capability::evaluate(model, &facts, as_of);
    VendorScore {
        vendor_id: v.id.clone(),
        vendor_name: v.name.clone(),
        risk_tier: v.risk_tier,
        as_of,
        score: cap.score,
        grade: cap.grade,
        model_version: cap.model_version,
        f1: cap.f1,
        f2: F2Summary {
            requirement: f2::REQUIREMENT.into(),
            status: f2.status,
            grandfathered_until: f2.grandfathered_until,
            reason_codes: f2.reason_codes,
            reasons: f2.reasons,
            contracts: f2.contracts,
        },
        components: cap.components,
    }
}

/// Loads and scores one vendor: a bounded number of queries.
pub fn score_vendor(
    conn: &mut DbConn,
    vendor: VendorRow,
    as_of: NaiveDate,
    model: &Model,
) -> Result<(VendorScore, Inputs), ApiError> {
    let policy = compliance::policy(conn)?;
    let inputs = load_one(conn, vendor)?;
    Ok((evaluate(&inputs, as_of, policy, model), inputs))
}

/// One vendor's inputs.
pub fn load_one(conn: &mut DbConn, vendor: VendorRow) -> Result<Inputs, ApiError> {
    load(conn, vec![vendor])?.pop().ok_or_else(|| ApiError::Internal("no inputs loaded".into()))
}
