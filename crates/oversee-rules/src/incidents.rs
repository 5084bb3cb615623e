//! Vendor incidents under 17.03(2)(j) and M.G.L. c. 93H §3 (DOMAIN.md section 7): whether the
//! vendor told us in time under its contract, what a record must hold before it can be closed, and
//! what it still owes the regulators. Pure functions; `incidents_tests.rs` pins their boundaries.
//!
//! The statute's own standard ("as soon as practicable and without unreasonable delay") has no day
//! count, so lateness is only ever measured against the contract's breach-notification term.

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

pub use super::clause_detection::Deadline;
use super::vendor_profile::text_enum;
/// The personal-information elements of 201 CMR 17.02, the same list a vendor's profile uses.
pub use super::vendor_profile::PiElement;

text_enum!(
    /// Our determination whether the incident is a "breach of security" under c. 93H §1.
    Determination { Pending => "pending", Breach => "breach", NotABreach => "not_a_breach" }
);

text_enum!(
    /// `closed` needs a post-incident review (17.03(2)(j)).
    IncidentStatus { Open => "open", Closed => "closed" }
);

/// c. 93H §3A: when Social Security numbers are involved, credit monitoring for at least this
/// many months (42 for a consumer reporting agency, which we do not model).
pub const SSN_CREDIT_MONITORING_MONTHS: i32 = 18;

/// The last day a report is on time under a notice term that runs from discovery.
///
/// Dates carry no time of day, so a term in hours is rounded up to whole days: a 72-hour term
/// allows a report three days after discovery, a 36-hour term two. Business days skip Saturdays
/// and Sundays (public holidays are not modelled).
pub fn notice_due_on(discovered_on: NaiveDate, deadline: &Deadline) -> NaiveDate {
    let amount = i64::from(deadline.amount);
    match deadline.unit.as_str() {
        "hours" => discovered_on + Duration::days((amount + 23) / 24),
        "business_days" => add_business_days(discovered_on, amount),
        _ => discovered_on + Duration::days(amount),
    }
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// `n` business days after `from` (which itself does not count).
pub fn add_business_days(from: NaiveDate, n: i64) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        d += Duration::days(1);
        if !is_weekend(d) {
            left -= 1;
        }
    }
    d
}

/// A notice term in force on the contract, as the timeliness check sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct NoticeTerm {
    pub contract_id: String,
    pub deadline: Deadline,
}

/// How the vendor's report compares with its contract's notice term.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timeliness {
    /// The contract whose breach_notification clause set the term.
    pub contract_id: String,
    pub deadline: Deadline,
    /// The last day a report was on time.
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub due_on: NaiveDate,
    /// Days from discovery to our being told.
    pub elapsed_days: i64,
    pub late: bool,
    pub reason: String,
}

/// Compares the report with the strictest term in force (the earliest due day; ties go to the
/// lowest contract id, so the answer does not depend on load order). `None` when no term names a
/// deadline: nothing to measure against.
pub fn timeliness(
    discovered_on: NaiveDate,
    discovered_approximate: bool,
    reported_on: NaiveDate,
    terms: &[NoticeTerm],
) -> Option<Timeliness> {
    let term = terms.iter().filter(|t| t.deadline.is_valid()).min_by(|a, b| {
        (notice_due_on(discovered_on, &a.deadline), &a.contract_id)
            .cmp(&(notice_due_on(discovered_on, &b.deadline), &b.contract_id))
    })?;
    let due_on = notice_due_on(discovered_on, &term.deadline);
    let late = reported_on > due_on;
    let elapsed_days = (reported_on - discovered_on).num_days();
    let unit = term.deadline.unit.replace('_', " ");
    let approx = if discovered_approximate { " (the discovery date is approximate)" } else { "" };
    let reason = format!(
        "Contract {} requires notice within {} {unit} of discovery: by {due_on}. Discovered {discovered_on}{approx}, reported to us {reported_on}, {elapsed_days} day(s) later: {}.",
        term.contract_id,
        term.deadline.amount,
        if late { "late" } else { "on time" },
    );
    Some(Timeliness {
        contract_id: term.contract_id.clone(),
        deadline: term.deadline.clone(),
        due_on,
        elapsed_days,
        late,
        reason,
    })
}

/// The post-incident review 17.03(2)(j) requires.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"reviewed_on": "2026-10-20", "participants": ["CISO", "Vendor manager"],
    "conclusions": "The vendor's MFA gap let the attacker in.", "practice_changes": "MFA is now a contract term."})))]
pub struct Review {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub reviewed_on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(min_items = 1, max_items = 50))]
    pub participants: Vec<String>,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10000))]
    pub conclusions: String,
    /// The changes to business practice that followed, or why none were needed.
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 10000))]
    pub practice_changes: String,
}

/// One responsive action, dated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"taken_on": "2026-10-03", "action": "Rotated the vendor's API keys", "by": "secops@example.com"})))]
pub struct ResponsiveAction {
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Date))]
    pub taken_on: NaiveDate,
    #[cfg_attr(feature = "openapi", schema(min_length = 1, max_length = 2000))]
    pub action: String,
    #[cfg_attr(feature = "openapi", schema(max_length = 200))]
    pub by: Option<String>,
}

/// The facts the record-keeping rules look at.
#[derive(Clone, Debug, PartialEq)]
pub struct Record<'a> {
    pub status: IncidentStatus,
    pub discovered_on: NaiveDate,
    pub reported_on: NaiveDate,
    pub today: NaiveDate,
    pub determination: Determination,
    pub rationale: Option<&'a str>,
    pub notices: [(&'static str, Option<NaiveDate>); 4],
    pub credit_monitoring_offered: bool,
    pub credit_monitoring_months: Option<i32>,
    pub actions: &'a [ResponsiveAction],
    pub review: Option<&'a Review>,
}

/// What makes a record inconsistent, as (field, message), in field order. Closing without a
/// review is one of them.
pub fn problems(r: &Record) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = vec![];
    let mut say = |field: &str, msg: String| out.push((field.to_string(), msg));
    if r.discovered_on > r.today {
        say("discovered_on", "cannot be in the future".into());
    }
    if r.reported_on < r.discovered_on {
        say("reported_to_us_on", "cannot be before discovered_on".into());
    }
    if r.reported_on > r.today {
        say("reported_to_us_on", "cannot be in the future".into());
    }
    if r.determination != Determination::Pending && r.rationale.is_none() {
        say("determination_rationale", "a breach determination needs its rationale".into());
    }
    for (field, date) in r.notices {
        if let Some(d) = date {
            if d < r.discovered_on {
                say(field, "cannot be before discovered_on".into());
            } else if d > r.today {
                say(field, "cannot be in the future".into());
            }
        }
    }
    match (r.credit_monitoring_offered, r.credit_monitoring_months) {
        (true, None) => say("credit_monitoring_months", "say how many months were offered".into()),
        (true, Some(m)) if !(1..=120).contains(&m) => say("credit_monitoring_months", "1 to 120".into()),
        (false, Some(_)) => say("credit_monitoring_months", "only with credit_monitoring_offered".into()),
        _ => {}
    }
    for (i, a) in r.actions.iter().enumerate() {
        if a.taken_on < r.discovered_on {
            say(&format!("responsive_actions[{i}].taken_on"), "cannot be before discovered_on".into());
        }
        if a.taken_on > r.today {
            say(&format!("responsive_actions[{i}].taken_on"), "cannot be in the future".into());
        }
    }
    if let Some(review) = r.review {
        if review.reviewed_on < r.discovered_on {
            say("review.reviewed_on", "cannot be before discovered_on".into());
        }
        if review.reviewed_on > r.today {
            say("review.reviewed_on", "cannot be in the future".into());
        }
    }
    if r.status == IncidentStatus::Closed {
        if r.review.is_none() {
            say("review", "an incident is closed only after its post-incident review (17.03(2)(j))".into());
        }
        if r.determination == Determination::Pending {
            say("breach_determination", "decide whether it was a breach before closing".into());
        }
    }
    out
}

/// What a breach still owes, by our reading of c. 93H §3 and §3A, in plain words. These are
/// reminders to a person, not findings: the law-enforcement delay of §4 and facts we do not hold
/// can excuse any of them.
pub fn open_obligations(determination: Determination, elements: &[PiElement], r: &Record) -> Vec<String> {
    if determination != Determination::Breach {
        return vec![];
    }
    let mut out = vec![];
    // Notice to the consumer reporting agencies is owed only where the OCABR director says so.
    for (field, date) in r.notices.iter().filter(|(f, _)| *f != "credit_agencies_notified_on") {
        if date.is_none() {
            out.push(format!("{field} is not recorded yet."));
        }
    }
    if elements.contains(&PiElement::Ssn)
        && r.credit_monitoring_months.filter(|_| r.credit_monitoring_offered).unwrap_or(0)
            < SSN_CREDIT_MONITORING_MONTHS
    {
        out.push(format!(
            "Social Security numbers were involved: c. 93H §3A asks for at least {SSN_CREDIT_MONITORING_MONTHS} months of free credit monitoring."
        ));
    }
    out
}

#[cfg(test)]
#[path = "incidents_tests.rs"]
mod tests;
