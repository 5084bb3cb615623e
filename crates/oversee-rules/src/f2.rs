//! 201 CMR 17.03(2)(f)2: is the service provider required *by contract* to implement and
//! maintain appropriate security measures, on a given date?
//!
//! Evaluated for a contract on `as_of`, in this order (docs/architecture.md, "The regulation as code"):
//!
//! 1. `as_of` before 2010-03-01, the regulation's effective date (17.05): `not_applicable`.
//! 2. The contract is not in force on `as_of` (a draft, not yet entered or effective, or past its
//!    last day): `not_in_force`.
//! 3. A `security_measures` clause is part of the contract on `as_of` (recorded present, its
//!    `effective_from` on or before `as_of`, its `effective_to` not before): `satisfied`.
//! 4. Entered on or before 2010-03-01 and `as_of` before 2012-03-01 (the proviso of (f)2; the
//!    last covered day was 2012-02-29, a leap day): `grandfathered`, until 2012-03-01.
//! 5. The clause was never reviewed for this contract: `needs_review`.
//! 6. Otherwise: `not_satisfied`.
//!
//! Interpretations this module makes, and says so in `reasons`:
//! * `ends_on` and `terminated_on` are the last day the contract is in force.
//! * The end date on `as_of` is the one in effect then: renewals executed after `as_of` do not
//!   extend it. An auto-renewing contract stays in force past its end date until terminated.
//! * `renewal_resets_grandfathering` (default true, as HIPAA's BAA transition rule 45 CFR
//!   164.532(d)-(e)): a renewal or amendment executed after 2010-03-01 ends grandfathering from
//!   its execution date. With false, only the entry date counts (as GLBA's 2002 rule, 16 CFR
//!   314.5). The regulation and OCABR are silent. An automatic renewal is not an executed
//!   renewal and does not reset it.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

pub const REQUIREMENT: &str = "201 CMR 17.03(2)(f)2";

pub fn effective_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2010, 3, 1).expect("valid date")
}

/// Contracts entered on or before this day were relieved of the contract term ...
pub fn grandfather_entry_cutoff() -> NaiveDate {
    NaiveDate::from_ymd_opt(2010, 3, 1).expect("valid date")
}

/// ... until this day (exclusive).
pub fn grandfathered_until() -> NaiveDate {
    NaiveDate::from_ymd_opt(2012, 3, 1).expect("valid date")
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum F2Status {
    NotApplicable,
    NotInForce,
    Satisfied,
    Grandfathered,
    NeedsReview,
    NotSatisfied,
}

impl F2Status {
    pub fn as_str(self) -> &'static str {
        match self {
            F2Status::NotApplicable => "not_applicable",
            F2Status::NotInForce => "not_in_force",
            F2Status::Satisfied => "satisfied",
            F2Status::Grandfathered => "grandfathered",
            F2Status::NeedsReview => "needs_review",
            F2Status::NotSatisfied => "not_satisfied",
        }
    }

    pub fn parse(s: &str) -> Option<F2Status> {
        [
            F2Status::NotApplicable,
            F2Status::NotInForce,
            F2Status::Satisfied,
            F2Status::Grandfathered,
            F2Status::NeedsReview,
            F2Status::NotSatisfied,
        ]
        .into_iter()
        .find(|s2| s2.as_str() == s)
    }

    /// For a vendor: the best status among its contracts in force wins.
    fn rank(self) -> u8 {
        match self {
            F2Status::Satisfied => 0,
            F2Status::Grandfathered => 1,
            F2Status::NeedsReview => 2,
            _ => 3,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClauseStatus {
    Present,
    Absent,
    Unknown,
}

/// The `security_measures` clause as recorded for a contract.
#[derive(Clone, Debug)]
pub struct ClauseFacts {
    pub status: ClauseStatus,
    pub effective_from: NaiveDate,
    /// Last day the clause is part of the contract.
    pub effective_to: Option<NaiveDate>,
    pub verified: bool,
    pub section_ref: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    Renewal,
    Amendment,
    Termination,
}

#[derive(Clone, Debug)]
pub struct EventFacts {
    pub kind: EventKind,
    pub executed_on: NaiveDate,
    /// For renewals: the end date before and after the renewal.
    pub previous_ends_on: Option<NaiveDate>,
    pub new_ends_on: Option<NaiveDate>,
}

#[derive(Clone, Debug)]
pub struct ContractFacts {
    pub id: String,
    pub title: String,
    pub is_draft: bool,
    pub entered_on: NaiveDate,
    pub effective_on: Option<NaiveDate>,
    /// The end date as it stands now, after every renewal.
    pub ends_on: Option<NaiveDate>,
    pub auto_renews: bool,
    pub terminated_on: Option<NaiveDate>,
    /// In execution order.
    pub events: Vec<EventFacts>,
    pub security_clause: Option<ClauseFacts>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Policy {
    pub renewal_resets_grandfathering: bool,
}

impl Default for Policy {
    fn default() -> Self {
        Policy { renewal_resets_grandfathering: true }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ContractEvaluation {
    pub contract_id: String,
    pub contract_title: String,
    pub status: F2Status,
    /// Set when the clause is part of the contract: whether legal verified it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clause_verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grandfathered_until: Option<NaiveDate>,
    /// Machine-readable reasons, in the order of `reasons`.
    pub reason_codes: Vec<String>,
    /// Sentences naming the dates, clause and contract used.
    pub reasons: Vec<String>,
}

fn d(date: NaiveDate) -> String {
    date.format("%Y-%m-%d").to_string()
}

struct Reasons {
    codes: Vec<String>,
    texts: Vec<String>,
}

impl Reasons {
    fn new() -> Self {
        Reasons { codes: vec![], texts: vec![] }
    }
    fn add(&mut self, code: &str, text: String) {
        self.codes.push(code.to_string());
        self.texts.push(text);
    }
}

/// The end date in effect on `as_of`: the original end date, moved by each renewal executed on
/// or before `as_of`.
pub fn ends_on_as_of(c: &ContractFacts, as_of: NaiveDate) -> Option<NaiveDate> {
    let renewals: Vec<&EventFacts> = c.events.iter().filter(|e| e.kind == EventKind::Renewal).collect();
    let original = renewals.first().map(|r| r.previous_ends_on).unwrap_or(c.ends_on);
    renewals.iter().filter(|r| r.executed_on <= as_of).fold(original, |end, r| r.new_ends_on.or(end))
}

/// Why the contract is not in force on `as_of`, if it is not.
fn not_in_force_reason(c: &ContractFacts, as_of: NaiveDate) -> Option<(&'static str, String)> {
    if c.is_draft {
        return Some(("contract_draft", format!("Contract '{}' is a draft and has not been entered into.", c.title)));
    }
    if c.entered_on > as_of {
        return Some((
            "contract_not_yet_entered",
            format!("Contract '{}' was entered into on {}, after {}.", c.title, d(c.entered_on), d(as_of)),
        ));
    }
    if let Some(eff) = c.effective_on.filter(|e| *e > as_of) {
        return Some((
            "contract_not_yet_effective",
            format!("Contract '{}' takes effect on {}, after {}.", c.title, d(eff), d(as_of)),
        ));
    }
    if let Some(t) = c.terminated_on.filter(|t| *t < as_of) {
        return Some((
            "contract_terminated",
            format!("Contract '{}' was terminated; its last day was {}.", c.title, d(t)),
        ));
    }
    if let Some(end) = ends_on_as_of(c, as_of).filter(|e| *e < as_of) {
        if !c.auto_renews {
            return Some((
                "contract_ended",
                format!("Contract '{}' ended on {} and was not renewed by {}.", c.title, d(end), d(as_of)),
            ));
        }
    }
    None
}

/// The first renewal or amendment executed after 2010-03-01 and on or before `as_of`.
fn resetting_event(c: &ContractFacts, as_of: NaiveDate) -> Option<&EventFacts> {
    c.events.iter().find(|e| {
        matches!(e.kind, EventKind::Renewal | EventKind::Amendment)
            && e.executed_on > grandfather_entry_cutoff()
            && e.executed_on <= as_of
    })
}

pub fn evaluate_contract(c: &ContractFacts, as_of: NaiveDate, policy: Policy) -> ContractEvaluation {
    let mut r = Reasons::new();
    let out = |status: F2Status, r: Reasons, verified: Option<bool>, until: Option<NaiveDate>| ContractEvaluation {
        contract_id: c.id.clone(),
        contract_title: c.title.clone(),
        status,
        clause_verified: verified,
        grandfathered_until: until,
        reason_codes: r.codes,
        reasons: r.texts,
    };

    if as_of < effective_date() {
        r.add(
            "before_effective_date",
            format!("201 CMR 17.00 took effect on {}; {} is before it.", d(effective_date()), d(as_of)),
        );
        return out(F2Status::NotApplicable, r, None, None);
    }
    if let Some((code, text)) = not_in_force_reason(c, as_of) {
        r.add(code, text);
        return out(F2Status::NotInForce, r, None, None);
    }
    let clause = c.security_clause.as_ref();
    if let Some(cl) = clause.filter(|cl| {
        cl.status == ClauseStatus::Present && cl.effective_from <= as_of && cl.effective_to.is_none_or(|to| to >= as_of)
    }) {
        let section = cl.section_ref.as_deref().map(|s| format!(" (section {s})")).unwrap_or_default();
        r.add(
            "security_clause_in_effect",
            format!(
                "Contract '{}' requires the provider to implement and maintain security measures{section}, in effect since {}.",
                c.title,
                d(cl.effective_from)
            ),
        );
        if cl.verified {
            r.add("clause_verified", "Legal has verified the clause.".into());
        } else {
            r.add("clause_not_verified", "The clause has not yet been verified by legal.".into());
        }
        return out(F2Status::Satisfied, r, Some(cl.verified), None);
    }

    if c.entered_on <= grandfather_entry_cutoff() && as_of < grandfathered_until() {
        let reset = if policy.renewal_resets_grandfathering { resetting_event(c, as_of) } else { None };
        match reset {
            None => {
                r.add(
                    "grandfathered",
                    format!(
                        "Contract '{}' was entered into on {}, no later than {}, so until {} it satisfies (f)2 without the security term.",
                        c.title,
                        d(c.entered_on),
                        d(grandfather_entry_cutoff()),
                        d(grandfathered_until())
                    ),
                );
                let events_after = c.events.iter().any(|e| {
                    matches!(e.kind, EventKind::Renewal | EventKind::Amendment)
                        && e.executed_on > grandfather_entry_cutoff()
                        && e.executed_on <= as_of
                });
                if !policy.renewal_resets_grandfathering && events_after {
                    r.add(
                        "policy_entry_date_only",
                        "Policy renewal_resets_grandfathering=false (an interpretation, as GLBA's 2002 rule): later renewals and amendments do not end grandfathering.".into(),
                    );
                }
                return out(F2Status::Grandfathered, r, None, Some(grandfathered_until()));
            }
            Some(e) => {
                let kind = if e.kind == EventKind::Renewal { "a renewal" } else { "an amendment" };
                r.add(
                    "grandfathering_reset_by_renewal",
                    format!(
                        "Contract '{}' was entered into on {}, but {kind} executed on {} ended grandfathering under policy renewal_resets_grandfathering=true (an interpretation, as HIPAA's transition rule; the regulation is silent).",
                        c.title,
                        d(c.entered_on),
                        d(e.executed_on)
                    ),
                );
            }
        }
    }

    match clause {
        None => {
            r.add(
                "clause_not_reviewed",
                format!(
                    "No security_measures clause has been recorded for contract '{}'; legal should review it.",
                    c.title
                ),
            );
            out(F2Status::NeedsReview, r, None, None)
        }
        Some(cl) if cl.status == ClauseStatus::Unknown => {
            r.add(
                "clause_not_reviewed",
                format!(
                    "The security_measures clause of contract '{}' is recorded as unknown; legal should review it.",
                    c.title
                ),
            );
            out(F2Status::NeedsReview, r, None, None)
        }
        Some(cl) if cl.status == ClauseStatus::Absent => {
            r.add(
                "clause_absent",
                format!(
                    "Contract '{}' does not require the provider to implement and maintain security measures.",
                    c.title
                ),
            );
            out(F2Status::NotSatisfied, r, None, None)
        }
        Some(cl) => {
            let when = if cl.effective_from > as_of {
                format!("takes effect on {}, after {}", d(cl.effective_from), d(as_of))
            } else {
                format!("ended on {}", cl.effective_to.map(d).unwrap_or_default())
            };
            r.add("clause_not_in_effect", format!("The security_measures clause of contract '{}' {when}.", c.title));
            out(F2Status::NotSatisfied, r, None, None)
        }
    }
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VendorEvaluation {
    pub status: F2Status,
    pub reason_codes: Vec<String>,
    pub reasons: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grandfathered_until: Option<NaiveDate>,
    pub contracts: Vec<ContractEvaluation>,
}

/// A vendor that handles no PI is `not_applicable`; otherwise the best status among its contracts
/// in force, or `not_satisfied` (`no_contract_in_force`) when none is. Never `not_in_force`.
pub fn evaluate_vendor(
    vendor_name: &str,
    handles_pi: bool,
    contracts: &[ContractFacts],
    as_of: NaiveDate,
    policy: Policy,
) -> VendorEvaluation {
    let evaluations: Vec<ContractEvaluation> = contracts.iter().map(|c| evaluate_contract(c, as_of, policy)).collect();
    let mut r = Reasons::new();
    let done = |status, r: Reasons, until, evaluations| VendorEvaluation {
        status,
        reason_codes: r.codes,
        reasons: r.texts,
        grandfathered_until: until,
        contracts: evaluations,
    };
    if !handles_pi {
        r.add(
            "vendor_handles_no_pi",
            format!("Vendor '{vendor_name}' does not handle personal information, so it is not a service provider under 17.02."),
        );
        return done(F2Status::NotApplicable, r, None, evaluations);
    }
    if as_of < effective_date() {
        r.add(
            "before_effective_date",
            format!("201 CMR 17.00 took effect on {}; {} is before it.", d(effective_date()), d(as_of)),
        );
        return done(F2Status::NotApplicable, r, None, evaluations);
    }
    let best = evaluations.iter().filter(|e| e.status != F2Status::NotInForce).min_by_key(|e| e.status.rank());
    match best {
        None => {
            r.add(
                "no_contract_in_force",
                format!(
                    "Vendor '{vendor_name}' has no contract in force on {}, so nothing requires it to protect the PI.",
                    d(as_of)
                ),
            );
            done(F2Status::NotSatisfied, r, None, evaluations)
        }
        Some(b) => {
            let (status, until) = (b.status, b.grandfathered_until);
            r.add(
                "best_contract",
                format!(
                    "Best of {} contract(s) in force: '{}' is {}.",
                    evaluations.iter().filter(|e| e.status != F2Status::NotInForce).count(),
                    b.contract_title,
                    b.status.as_str()
                ),
            );
            r.codes.extend(b.reason_codes.iter().cloned());
            r.texts.extend(b.reasons.iter().cloned());
            done(status, r, until, evaluations)
        }
    }
}

#[cfg(test)]
#[path = "f2_tests.rs"]
mod tests;
