//! The capability score under 17.03(2)(f) and the (f)1 status: pure functions of the facts known
//! on `as_of`. docs/scoring.md explains the model in words; `capability_tests.rs` pins it down,
//! at its boundaries and with property tests.
//!
//! Points are kept in tenths (integers) so that the components add up to the score exactly.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

use super::{
    f2::{ContractEvaluation, F2Status},
    findings::Severity,
    incidents::Determination,
    vendor_profile::text_enum,
};

/// Bump when the model changes meaning, so stored snapshots say which model made them.
pub const MODEL_VERSION: &str = "2026-11-25.2";

/// Clause types that support the contract requirement beyond the security term itself.
pub const SUPPORTING_CLAUSES: [&str; 6] = [
    "breach_notification",
    "subcontractor_flowdown",
    "audit_rights",
    "return_or_destroy",
    "encryption",
    "access_controls",
];

/// The model's settings. Weights are points out of 100 and must add up to 100.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Model {
    pub questionnaire: u32,
    pub contract: u32,
    pub freshness: u32,
    pub findings: u32,
    pub incidents: u32,
    /// A failed critical question in the latest accepted assessment caps the score here.
    pub critical_cap: u32,
    /// (f)1 capability needs at least this score.
    pub f1_threshold: u32,
    /// Reassessment interval in months for risk tiers 1, 2 and 3.
    pub reassess_months: [u32; 3],
    /// An incident reported after the latest accepted assessment makes a reassessment due this
    /// many days after the report (DOMAIN.md section 7: a trigger to reassess under (f)1).
    pub incident_reassess_days: u32,
}

impl Default for Model {
    fn default() -> Self {
        Model {
            questionnaire: 35,
            contract: 25,
            freshness: 15,
            findings: 15,
            incidents: 10,
            critical_cap: 59,
            f1_threshold: 70,
            reassess_months: [12, 24, 36],
            incident_reassess_days: 30,
        }
    }
}

impl Model {
    /// Reads `name=value` pairs (for example `questionnaire=40,contract=25`) over the defaults.
    pub fn parse(spec: &str) -> Result<Model, String> {
        let mut m = Model::default();
        for pair in spec.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, value) = pair.split_once('=').ok_or_else(|| format!("'{pair}' is not name=value"))?;
            let n = |v: &str| v.trim().parse::<u32>().map_err(|_| format!("'{pair}': not a whole number"));
            match name.trim() {
                "questionnaire" => m.questionnaire = n(value)?,
                "contract" => m.contract = n(value)?,
                "freshness" => m.freshness = n(value)?,
                "findings" => m.findings = n(value)?,
                "incidents" => m.incidents = n(value)?,
                "critical_cap" => m.critical_cap = n(value)?,
                "f1_threshold" => m.f1_threshold = n(value)?,
                "incident_reassess_days" => m.incident_reassess_days = n(value)?,
                "reassess_months" => {
                    let parts: Vec<u32> = value.split('/').map(n).collect::<Result<_, _>>()?;
                    m.reassess_months = parts.try_into().map_err(|_| format!("'{pair}': give three, as 12/24/36"))?;
                }
                other => return Err(format!("unknown setting '{other}'")),
            }
        }
        m.check()?;
        Ok(m)
    }

    pub fn check(&self) -> Result<(), String> {
        let sum = self.questionnaire + self.contract + self.freshness + self.findings + self.incidents;
        if sum != 100 {
            return Err(format!("the weights add up to {sum}, not 100"));
        }
        if self.critical_cap > 100 || self.f1_threshold > 100 {
            return Err("critical_cap and f1_threshold are scores from 0 to 100".into());
        }
        if self.reassess_months.iter().any(|m| !(1..=120).contains(m)) {
            return Err("reassess_months must be 1 to 120".into());
        }
        if self.incident_reassess_days > 365 {
            return Err("incident_reassess_days must be 0 to 365".into());
        }
        Ok(())
    }

    pub fn interval_months(&self, risk_tier: i32) -> u32 {
        self.reassess_months[(risk_tier.clamp(1, 3) - 1) as usize]
    }
}

/// An assessment as the score sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct AssessmentFact {
    pub id: String,
    pub accepted: bool,
    /// The day (UTC) it was accepted or rejected.
    pub decided_on: NaiveDate,
    pub score: Option<f64>,
    pub critical_failures: i32,
}

/// A finding as the score sees it; dates are UTC days.
#[derive(Clone, Debug, PartialEq)]
pub struct FindingFact {
    pub id: String,
    pub severity: Severity,
    pub created_on: NaiveDate,
    pub due_on: Option<NaiveDate>,
    pub resolved_on: Option<NaiveDate>,
    pub risk_accepted_on: Option<NaiveDate>,
}

/// A clause recorded on a contract.
#[derive(Clone, Debug, PartialEq)]
pub struct ClauseFact {
    pub contract_id: String,
    pub clause_type: String,
    pub present: bool,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
}

/// A contract as (f)1 selection sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct ContractStart {
    pub id: String,
    pub is_draft: bool,
    pub entered_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
}

/// An incident as the score sees it; dates are UTC days.
#[derive(Clone, Debug, PartialEq)]
pub struct IncidentFact {
    pub id: String,
    /// The day the vendor told us: from then on we knew.
    pub reported_on: NaiveDate,
    pub determination: Determination,
    /// Reported after the contract's notice term.
    pub late_report: bool,
}

pub struct VendorFacts<'a> {
    pub handles_pi: bool,
    pub risk_tier: i32,
    /// The (f)2 evaluation of each contract on `as_of`.
    pub f2_contracts: &'a [ContractEvaluation],
    pub contracts: &'a [ContractStart],
    pub clauses: &'a [ClauseFact],
    pub assessments: &'a [AssessmentFact],
    pub findings: &'a [FindingFact],
    pub incidents: &'a [IncidentFact],
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Component {
    pub name: String,
    /// The points this component can give (its weight in the model).
    pub weight: f64,
    pub points: f64,
    pub max_points: f64,
    pub reasons: Vec<String>,
    /// Ids of the assessments, contracts, findings and incidents used.
    pub evidence: Vec<String>,
}

text_enum!(
    /// Whether reasonable steps were taken to select and retain the provider, 17.03(2)(f)1.
    F1Status { Satisfied => "satisfied", AtRisk => "at_risk", NotSatisfied => "not_satisfied", NotApplicable => "not_applicable" }
);

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct F1Result {
    pub requirement: String,
    pub status: F1Status,
    /// `selection`, `retention`, `capability` for each part that fails, or `satisfied`.
    pub reason_codes: Vec<String>,
    pub reasons: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Capability {
    pub score: f64,
    pub grade: String,
    pub model_version: String,
    pub f1: F1Result,
    pub components: Vec<Component>,
}

fn d(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

fn tenths(x: f64) -> i64 {
    (x * 10.0).round() as i64
}

fn component(
    name: &str,
    weight: u32,
    points_tenths: i64,
    reasons: Vec<String>,
    evidence: Vec<String>,
) -> (i64, Component) {
    let c = Component {
        name: name.into(),
        weight: weight as f64,
        points: points_tenths as f64 / 10.0,
        max_points: weight as f64,
        reasons,
        evidence,
    };
    (points_tenths, c)
}

pub fn grade(score: f64) -> &'static str {
    match score {
        s if s >= 90.0 => "A",
        s if s >= 80.0 => "B",
        s if s >= 70.0 => "C",
        s if s >= 60.0 => "D",
        _ => "F",
    }
}

/// The latest assessment accepted on or before `as_of` (ties: the larger id, the later one).
pub fn latest_accepted(assessments: &[AssessmentFact], as_of: NaiveDate) -> Option<&AssessmentFact> {
    assessments
        .iter()
        .filter(|a| a.accepted && a.decided_on <= as_of)
        .max_by(|a, b| (a.decided_on, &a.id).cmp(&(b.decided_on, &b.id)))
}

/// The day the next assessment is due after one decided on `decided_on`.
pub fn reassessment_due(decided_on: NaiveDate, months: u32) -> NaiveDate {
    decided_on.checked_add_months(Months::new(months)).unwrap_or(decided_on)
}

/// When the next assessment is due, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct NextReassessment<'a> {
    pub due: NaiveDate,
    /// The tier's interval after the latest acceptance, whatever brought `due` forward.
    pub regular: NaiveDate,
    /// The incident that brought it forward.
    pub incident: Option<&'a IncidentFact>,
}

/// The regular due date, or sooner: an incident the vendor reported on or after the day the
/// latest assessment was accepted (and on or before `as_of`) makes one due
/// `incident_reassess_days` after the report. The earliest such incident counts.
pub fn next_reassessment<'a>(
    m: &Model,
    risk_tier: i32,
    decided_on: NaiveDate,
    incidents: &'a [IncidentFact],
    as_of: NaiveDate,
) -> NextReassessment<'a> {
    let regular = reassessment_due(decided_on, m.interval_months(risk_tier));
    let trigger = incidents
        .iter()
        .filter(|i| i.reported_on >= decided_on && i.reported_on <= as_of)
        .min_by(|a, b| (a.reported_on, &a.id).cmp(&(b.reported_on, &b.id)));
    match trigger {
        Some(i) => {
            let by_incident = i.reported_on + chrono::Duration::days(i64::from(m.incident_reassess_days));
            if by_incident < regular {
                NextReassessment { due: by_incident, regular, incident: Some(i) }
            } else {
                NextReassessment { due: regular, regular, incident: None }
            }
        }
        None => NextReassessment { due: regular, regular, incident: None },
    }
}

fn due_reason(next: &NextReassessment, months: u32, tier: i32) -> String {
    match next.incident {
        Some(i) => format!(
            "incident {} reported on {} made a reassessment due on {} (before the regular {})",
            i.id,
            d(i.reported_on),
            d(next.due),
            d(next.regular)
        ),
        None => format!("every {months} months for tier {tier}"),
    }
}

/// What a finding is on `as_of`: not yet raised, resolved, an accepted risk, or open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FindingState {
    NotRaised,
    Resolved,
    RiskAccepted,
    Open { overdue: bool },
}

pub fn finding_state(f: &FindingFact, as_of: NaiveDate) -> FindingState {
    if f.created_on > as_of {
        FindingState::NotRaised
    } else if f.resolved_on.is_some_and(|r| r <= as_of) {
        FindingState::Resolved
    } else if f.risk_accepted_on.is_some_and(|r| r <= as_of) {
        FindingState::RiskAccepted
    } else {
        FindingState::Open { overdue: f.due_on.is_some_and(|due| due < as_of) }
    }
}

/// Points taken off the findings component per open finding, out of a weight of 20.
fn finding_penalty_tenths(severity: Severity) -> i64 {
    match severity {
        Severity::Critical => 100,
        Severity::High => 50,
        Severity::Medium => 20,
        Severity::Low => 10,
    }
}

fn questionnaire_part(m: &Model, latest: Option<&AssessmentFact>) -> (i64, Component) {
    match latest {
        None => component(
            "questionnaire",
            m.questionnaire,
            0,
            vec!["No assessment has been accepted: no points for the questionnaire.".into()],
            vec![],
        ),
        Some(a) => {
            let s = a.score.unwrap_or(0.0).clamp(0.0, 100.0);
            let pts = tenths(m.questionnaire as f64 * s / 100.0);
            component(
                "questionnaire",
                m.questionnaire,
                pts,
                vec![format!("The latest accepted assessment (accepted {}) scored {s}/100.", d(a.decided_on))],
                vec![a.id.clone()],
            )
        }
    }
}

/// How much of the contract terms' status part a contract's (f)2 result earns, in percent.
fn f2_factor(e: &ContractEvaluation) -> i64 {
    match (e.status, e.clause_verified) {
        (F2Status::Satisfied, Some(true)) => 100,
        (F2Status::Satisfied, _) => 80,
        (F2Status::Grandfathered, _) => 60,
        (F2Status::NeedsReview, _) => 30,
        _ => 0,
    }
}

fn contract_part(m: &Model, f: &VendorFacts, as_of: NaiveDate) -> (i64, Component) {
    let w = m.contract as i64 * 10;
    // 60% for the (f)2 status of the best contract in force, 40% for the supporting clauses.
    let status_max = w * 60 / 100;
    let clauses_max = w - status_max;
    if !f.handles_pi {
        return component(
            "contract",
            m.contract,
            w,
            vec!["The vendor handles no personal information: the contract requirement does not apply; full points."
                .into()],
            vec![],
        );
    }
    let in_force: Vec<&ContractEvaluation> =
        f.f2_contracts.iter().filter(|e| !matches!(e.status, F2Status::NotInForce | F2Status::NotApplicable)).collect();
    let mut reasons = Vec::new();
    let best = in_force.iter().max_by_key(|e| (f2_factor(e), std::cmp::Reverse(e.contract_id.clone())));
    let status_pts = match best {
        None => {
            reasons.push(format!("No contract is in force on {}.", d(as_of)));
            0
        }
        Some(e) => {
            let pct = f2_factor(e);
            reasons.push(format!(
                "Best contract in force: '{}' is {}{} ({pct}% of the status part).",
                e.contract_title,
                e.status.as_str(),
                match e.clause_verified {
                    Some(true) => ", clause verified by legal",
                    Some(false) => ", clause not yet verified",
                    None => "",
                }
            ));
            status_max * pct / 100
        }
    };
    let in_force_ids: Vec<&str> = in_force.iter().map(|e| e.contract_id.as_str()).collect();
    let present: Vec<&str> = SUPPORTING_CLAUSES
        .iter()
        .copied()
        .filter(|t| {
            f.clauses.iter().any(|c| {
                c.clause_type == *t
                    && c.present
                    && in_force_ids.contains(&c.contract_id.as_str())
                    && c.effective_from <= as_of
                    && c.effective_to.is_none_or(|to| to >= as_of)
            })
        })
        .collect();
    let clause_pts = clauses_max * present.len() as i64 / SUPPORTING_CLAUSES.len() as i64;
    let missing: Vec<&str> = SUPPORTING_CLAUSES.iter().copied().filter(|t| !present.contains(t)).collect();
    reasons.push(if missing.is_empty() {
        "Every supporting clause is in a contract in force.".to_string()
    } else {
        format!(
            "{} of {} supporting clauses are in a contract in force; missing: {}.",
            present.len(),
            SUPPORTING_CLAUSES.len(),
            missing.join(", ")
        )
    });
    let evidence = in_force.iter().map(|e| e.contract_id.clone()).collect();
    component("contract", m.contract, status_pts + clause_pts, reasons, evidence)
}

fn freshness_part(m: &Model, f: &VendorFacts, latest: Option<&AssessmentFact>, as_of: NaiveDate) -> (i64, Component) {
    let w = m.freshness as i64 * 10;
    let months = m.interval_months(f.risk_tier);
    let Some(a) = latest else {
        return component(
            "freshness",
            m.freshness,
            0,
            vec![format!("No accepted assessment; tier {} vendors are reassessed every {months} months.", f.risk_tier)],
            vec![],
        );
    };
    let next = next_reassessment(m, f.risk_tier, a.decided_on, f.incidents, as_of);
    let due = next.due;
    let why = due_reason(&next, months, f.risk_tier);
    let mut evidence = vec![a.id.clone()];
    evidence.extend(next.incident.map(|i| i.id.clone()));
    if as_of <= due {
        return component(
            "freshness",
            m.freshness,
            w,
            vec![format!("Reassessment is due on {} ({why}).", d(due))],
            evidence,
        );
    }
    // Decays linearly to nothing over one regular interval, however the due date was set.
    let interval_days = (next.regular - a.decided_on).num_days().max(1);
    let overdue_days = (as_of - due).num_days();
    let pts = (w * (interval_days - overdue_days.min(interval_days))) / interval_days;
    component(
        "freshness",
        m.freshness,
        pts,
        vec![format!(
            "Reassessment was due on {} ({why}) and is {overdue_days} days overdue; points decay to none over {interval_days} days.",
            d(due)
        )],
        evidence,
    )
}

fn findings_part(m: &Model, f: &VendorFacts, as_of: NaiveDate) -> (i64, Component) {
    let w = m.findings as i64 * 10;
    let mut penalty = 0i64;
    let mut reasons = Vec::new();
    let mut evidence = Vec::new();
    for finding in f.findings {
        let base = finding_penalty_tenths(finding.severity) * m.findings as i64 / 20;
        let (cost, how) = match finding_state(finding, as_of) {
            FindingState::NotRaised | FindingState::Resolved => continue,
            FindingState::RiskAccepted => (base / 2, "accepted risk, half weight"),
            FindingState::Open { overdue: true } => (base * 2, "overdue, double weight"),
            FindingState::Open { overdue: false } => (base, "open"),
        };
        penalty += cost;
        evidence.push(finding.id.clone());
        reasons.push(format!("{} finding {} ({how}): -{}.", finding.severity.as_str(), finding.id, cost as f64 / 10.0));
    }
    if reasons.is_empty() {
        reasons.push(format!("No open finding on {}.", d(as_of)));
    }
    component("findings", m.findings, (w - penalty).max(0), reasons, evidence)
}

/// Incidents count for this long after the vendor reported them.
pub const INCIDENT_WINDOW_MONTHS: u32 = 24;

/// The share of the incidents weight (in percent) one incident costs.
fn incident_cost_percent(i: &IncidentFact) -> i64 {
    let base = match i.determination {
        Determination::Breach => 60,
        Determination::Pending => 40,
        Determination::NotABreach => 10,
    };
    base + if i.late_report { 30 } else { 0 }
}

fn incidents_part(m: &Model, f: &VendorFacts, as_of: NaiveDate) -> (i64, Component) {
    let w = m.incidents as i64 * 10;
    let since = as_of.checked_sub_months(Months::new(INCIDENT_WINDOW_MONTHS)).unwrap_or(as_of);
    let mut counted: Vec<&IncidentFact> =
        f.incidents.iter().filter(|i| i.reported_on <= as_of && i.reported_on > since).collect();
    counted.sort_by(|a, b| (a.reported_on, &a.id).cmp(&(b.reported_on, &b.id)));
    if counted.is_empty() {
        let reason = format!("No incident was reported to us in the {INCIDENT_WINDOW_MONTHS} months to {}.", d(as_of));
        return component("incidents", m.incidents, w, vec![reason], vec![]);
    }
    let mut penalty = 0i64;
    let mut reasons = Vec::new();
    for i in &counted {
        let cost = w * incident_cost_percent(i) / 100;
        penalty += cost;
        reasons.push(format!(
            "Incident {} reported on {}, determination {}{}: -{}.",
            i.id,
            d(i.reported_on),
            i.determination.as_str(),
            if i.late_report { ", reported late under the contract" } else { "" },
            cost as f64 / 10.0
        ));
    }
    let evidence = counted.iter().map(|i| i.id.clone()).collect();
    component("incidents", m.incidents, (w - penalty).max(0), reasons, evidence)
}

/// Scores a vendor on `as_of` and decides its (f)1 status.
pub fn evaluate(m: &Model, f: &VendorFacts, as_of: NaiveDate) -> Capability {
    let latest = latest_accepted(f.assessments, as_of);
    let parts = [
        questionnaire_part(m, latest),
        contract_part(m, f, as_of),
        freshness_part(m, f, latest, as_of),
        findings_part(m, f, as_of),
        incidents_part(m, f, as_of),
    ];
    let mut total: i64 = parts.iter().map(|(p, _)| p).sum();
    let mut components: Vec<Component> = parts.into_iter().map(|(_, c)| c).collect();
    if let Some(a) = latest.filter(|a| a.critical_failures > 0) {
        let cap = m.critical_cap as i64 * 10;
        let cut = (total - cap).max(0);
        total -= cut;
        components.push(Component {
            name: "critical_cap".into(),
            weight: 0.0,
            points: -(cut as f64) / 10.0,
            max_points: 0.0,
            reasons: vec![format!(
                "The latest accepted assessment failed {} critical question(s): the score is capped at {}.",
                a.critical_failures, m.critical_cap
            )],
            evidence: vec![a.id.clone()],
        });
    }
    let score = total as f64 / 10.0;
    let f1 = f1(m, f, latest, score, as_of);
    Capability { score, grade: grade(score).into(), model_version: MODEL_VERSION.into(), f1, components }
}

fn f1(m: &Model, f: &VendorFacts, latest: Option<&AssessmentFact>, score: f64, as_of: NaiveDate) -> F1Result {
    let mut codes = Vec::new();
    let mut reasons = Vec::new();
    let done = |status, codes: Vec<String>, reasons| F1Result {
        requirement: "201 CMR 17.03(2)(f)1".into(),
        status,
        reason_codes: codes,
        reasons,
    };
    if !f.handles_pi {
        reasons.push("The vendor handles no personal information, so it is not a service provider under 17.02.".into());
        return done(F1Status::NotApplicable, vec!["vendor_handles_no_pi".into()], reasons);
    }
    if as_of < super::f2::effective_date() {
        reasons.push(format!("201 CMR 17.00 took effect on 2010-03-01; {} is before it.", d(as_of)));
        return done(F1Status::NotApplicable, vec!["before_effective_date".into()], reasons);
    }
    let Some(latest) = latest else {
        reasons.push(format!("No assessment of the vendor had been accepted by {}.", d(as_of)));
        return done(F1Status::NotSatisfied, vec!["no_accepted_assessment".into()], reasons);
    };
    let mut fatal = false;
    // Selection: diligence before the first contract in force entered on or after 2010-03-01.
    let first = f
        .contracts
        .iter()
        .filter(|c| !c.is_draft && c.entered_on >= super::f2::effective_date() && c.entered_on <= as_of)
        .map(|c| (c.effective_on.unwrap_or(c.entered_on).max(c.entered_on), c))
        .min_by(|a, b| (a.0, &a.1.id).cmp(&(b.0, &b.1.id)));
    if let Some((start, c)) = first {
        let diligent = f.assessments.iter().any(|a| a.accepted && a.decided_on <= start && a.decided_on <= as_of);
        if !diligent {
            fatal = true;
            codes.push("selection".to_string());
            reasons.push(format!(
                "Selection: no assessment was accepted on or before {}, when contract {} took effect.",
                d(start),
                c.id
            ));
        }
    }
    // Retention: the latest accepted assessment is within the tier's interval, or within the
    // grace an incident since then leaves.
    let months = m.interval_months(f.risk_tier);
    let next = next_reassessment(m, f.risk_tier, latest.decided_on, f.incidents, as_of);
    let due = next.due;
    let mut at_risk = false;
    if as_of > due {
        at_risk = true;
        codes.push("retention".to_string());
        reasons.push(format!(
            "Retention: the reassessment was due on {} ({}).",
            d(due),
            due_reason(&next, months, f.risk_tier)
        ));
    }
    // Capability: score, critical questions, overdue serious findings.
    if latest.critical_failures > 0 {
        fatal = true;
        codes.push("capability".to_string());
        reasons.push(format!(
            "Capability: the latest accepted assessment failed {} critical question(s).",
            latest.critical_failures
        ));
    }
    let overdue_serious: Vec<&str> = f
        .findings
        .iter()
        .filter(|x| matches!(x.severity, Severity::High | Severity::Critical))
        .filter(|x| finding_state(x, as_of) == FindingState::Open { overdue: true })
        .map(|x| x.id.as_str())
        .collect();
    if !overdue_serious.is_empty() {
        fatal = true;
        codes.push("capability".to_string());
        reasons.push(format!("Capability: overdue high or critical finding(s): {}.", overdue_serious.join(", ")));
    }
    if score < m.f1_threshold as f64 {
        at_risk = true;
        codes.push("capability".to_string());
        reasons.push(format!("Capability: the score {score} is below the threshold {}.", m.f1_threshold));
    }
    codes.dedup();
    let status = if fatal {
        F1Status::NotSatisfied
    } else if at_risk {
        F1Status::AtRisk
    } else {
        reasons.push(format!(
            "Selected with diligence, reassessed within {months} months (next due {}), and capable (score {score}).",
            d(due)
        ));
        codes.push("satisfied".into());
        F1Status::Satisfied
    };
    done(status, codes, reasons)
}

#[cfg(test)]
#[path = "capability_tests.rs"]
mod tests;
