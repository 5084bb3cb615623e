//! Reminder schedules (docs/architecture.md, "Background work"): which deadline each subject has, which
//! reminders it yields, and, after downtime, which of the missed ones is still worth sending.
//!
//! A deadline is always the next one on or after today: a contract that renews itself rolls to
//! its next term once today passes the end of the current one. Each (subject, kind, due date,
//! lead) is one reminder, sent on `due − lead`.

use chrono::{Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Lead days when nothing else is configured.
pub const DEFAULT_LEAD_DAYS: [u32; 6] = [90, 60, 30, 14, 7, 1];

/// A contract with `auto_renews` but no term renews for a year at a time.
pub const DEFAULT_RENEWAL_TERM_MONTHS: u32 = 12;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", schema(as = ReminderKind))]
pub enum Kind {
    /// The contract's current term ends.
    ContractRenewal,
    /// The last day to give notice: the end of the term minus the notice period.
    ContractNoticeDeadline,
    /// A sent questionnaire is due back.
    AssessmentDue,
    /// The latest accepted assessment plus the tier's interval.
    ReassessmentDue,
    /// A finding's remediation is due.
    FindingDue,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::ContractRenewal,
        Kind::ContractNoticeDeadline,
        Kind::AssessmentDue,
        Kind::ReassessmentDue,
        Kind::FindingDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ContractRenewal => "contract_renewal",
            Kind::ContractNoticeDeadline => "contract_notice_deadline",
            Kind::AssessmentDue => "assessment_due",
            Kind::ReassessmentDue => "reassessment_due",
            Kind::FindingDue => "finding_due",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// What the reminder is about: the row its `subject_id` names.
    pub fn subject_type(self) -> &'static str {
        match self {
            Kind::ContractRenewal | Kind::ContractNoticeDeadline => "contract",
            Kind::AssessmentDue => "assessment",
            Kind::ReassessmentDue => "vendor",
            Kind::FindingDue => "finding",
        }
    }

    /// Words for a subject line: "renewal", "notice deadline"…
    pub fn title(self) -> &'static str {
        match self {
            Kind::ContractRenewal => "Contract renewal",
            Kind::ContractNoticeDeadline => "Notice deadline",
            Kind::AssessmentDue => "Assessment due",
            Kind::ReassessmentDue => "Reassessment due",
            Kind::FindingDue => "Finding due",
        }
    }
}

/// A contract's dates as the schedule needs them.
#[derive(Clone, Debug)]
pub struct ContractDates {
    /// Active: not a draft, not terminated, not deleted. Others have no deadlines.
    pub in_force: bool,
    /// The end of the current term as recorded (after every renewal event).
    pub ends_on: Option<NaiveDate>,
    pub auto_renews: bool,
    pub renewal_term_months: Option<u32>,
    pub notice_days: Option<u32>,
}

/// The end of the term running on `today` or, when the recorded end has passed, of the term the
/// contract rolled into; `None` when the contract has no end on or after today.
pub fn term_end(c: &ContractDates, today: NaiveDate) -> Option<NaiveDate> {
    if !c.in_force {
        return None;
    }
    next_end_on_or_after(c, c.ends_on?, today)
}

/// The last day to give notice on or after `today`: the earliest term end whose notice deadline
/// has not passed. For a contract that renews itself this may be the deadline of the next term.
pub fn notice_deadline(c: &ContractDates, today: NaiveDate) -> Option<NaiveDate> {
    if !c.in_force {
        return None;
    }
    let notice = Duration::days(i64::from(c.notice_days.filter(|n| *n > 0)?));
    let first = c.ends_on?;
    // The first end whose deadline is today or later: end − notice ≥ today ⇔ end ≥ today + notice.
    let end = next_end_on_or_after(c, first, today.checked_add_signed(notice)?)?;
    end.checked_sub_signed(notice)
}

/// The first of `first`, `first + term`, `first + 2·term`… on or after `day`; without
/// `auto_renews`, `first` itself when it is on or after `day`.
fn next_end_on_or_after(c: &ContractDates, first: NaiveDate, day: NaiveDate) -> Option<NaiveDate> {
    if first >= day {
        return Some(first);
    }
    if !c.auto_renews {
        return None;
    }
    let term = c.renewal_term_months.filter(|m| *m > 0).unwrap_or(DEFAULT_RENEWAL_TERM_MONTHS);
    // Jump close, then step: month arithmetic clamps to month ends, so each term counts from
    // the original end date rather than from the previous (possibly clamped) one.
    let mut k = day.years_since(first).unwrap_or(0) * 12 / term;
    loop {
        let end = first.checked_add_months(Months::new(k.checked_mul(term)?))?;
        if end >= day {
            return Some(end);
        }
        k += 1;
    }
}

/// A due date (an assessment's, a finding's, a reassessment's) counts when it is today or later.
pub fn upcoming(due_on: Option<NaiveDate>, today: NaiveDate) -> Option<NaiveDate> {
    due_on.filter(|d| *d >= today)
}

/// One reminder the schedule asks for.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Planned {
    pub kind: Kind,
    pub subject_id: String,
    pub vendor_id: String,
    pub due_on: NaiveDate,
    pub lead_days: u32,
    pub send_on: NaiveDate,
}

/// A deadline of one subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Deadline {
    pub kind: Kind,
    pub subject_id: String,
    pub vendor_id: String,
    pub due_on: NaiveDate,
}

/// Every reminder of these deadlines, one per lead day, in a stable order.
pub fn plan(deadlines: &[Deadline], lead_days: &[u32]) -> Vec<Planned> {
    let mut out: Vec<Planned> = deadlines
        .iter()
        .flat_map(|d| {
            lead_days.iter().filter_map(move |lead| {
                Some(Planned {
                    kind: d.kind,
                    subject_id: d.subject_id.clone(),
                    vendor_id: d.vendor_id.clone(),
                    due_on: d.due_on,
                    lead_days: *lead,
                    send_on: d.due_on.checked_sub_signed(Duration::days(i64::from(*lead)))?,
                })
            })
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// A pending reminder whose day has come, as the sender sees it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DueReminder {
    pub id: String,
    pub due_on: NaiveDate,
    pub lead_days: u32,
    pub send_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    /// Send it; `late` when its day was before today (the server was down or the subject new).
    Send {
        id: String,
        late: bool,
    },
    Skip {
        id: String,
        reason: String,
    },
}

/// What to do with the pending reminders of one (subject, kind, due date) whose day has come.
/// Only the nearest is sent, so a server that was down for a month sends one late reminder,
/// not a burst; `nearest_sent_lead` is the smallest lead already sent for the same deadline.
pub fn decide(group: &[DueReminder], nearest_sent_lead: Option<u32>, today: NaiveDate) -> Vec<Decision> {
    let Some(nearest) = group.iter().filter(|r| r.send_on <= today).min_by_key(|r| (r.lead_days, r.id.clone())) else {
        return vec![];
    };
    let skip = |r: &DueReminder, reason: String| Decision::Skip { id: r.id.clone(), reason };
    let due = nearest.due_on;
    group
        .iter()
        .filter(|r| r.send_on <= today)
        .map(|r| {
            if r.due_on < today {
                skip(r, format!("the deadline ({due}) passed before this reminder could be sent"))
            } else if let Some(sent) = nearest_sent_lead.filter(|s| *s <= r.lead_days) {
                skip(r, format!("the {sent}-day reminder for this deadline was already sent"))
            } else if r.id == nearest.id {
                Decision::Send { id: r.id.clone(), late: r.send_on < today }
            } else {
                skip(
                    r,
                    format!(
                        "missed while the server was not sending; only the nearest, the {}-day reminder, was sent",
                        nearest.lead_days
                    ),
                )
            }
        })
        .collect()
}

/// Delay before retry `attempt` (1 = the first retry): one minute, doubling, at most six hours.
/// `None` once `max_attempts` attempts have been made: the reminder has failed.
pub fn retry_delay(attempts_made: u32, max_attempts: u32) -> Option<std::time::Duration> {
    if attempts_made >= max_attempts {
        return None;
    }
    let minutes = 1u64 << attempts_made.saturating_sub(1).min(9);
    Some(std::time::Duration::from_secs((minutes * 60).min(6 * 3600)))
}

/// Who may receive a reminder, as named in the settings.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Recipient {
    VendorOwner,
    ContractOwner,
    FindingOwner,
    /// A role mailbox from the settings' `mailboxes` (procurement, legal, security…).
    #[serde(untagged)]
    Mailbox(String),
}

/// The people a reminder goes to: the owners and mailboxes its kind is configured for, without
/// repeats (compared case-insensitively), in the configured order.
pub fn recipients(
    wanted: &[Recipient],
    owners: &Owners,
    mailboxes: &std::collections::BTreeMap<String, String>,
) -> Vec<String> {
    let mut out: Vec<String> = vec![];
    for r in wanted {
        let address = match r {
            Recipient::VendorOwner => owners.vendor.as_deref(),
            Recipient::ContractOwner => owners.contract.as_deref(),
            Recipient::FindingOwner => owners.finding.as_deref(),
            Recipient::Mailbox(name) => mailboxes.get(name).map(String::as_str),
        };
        if let Some(a) = address.map(str::trim).filter(|a| !a.is_empty()) {
            if !out.iter().any(|o| o.eq_ignore_ascii_case(a)) {
                out.push(a.to_string());
            }
        }
    }
    out
}

#[derive(Clone, Debug, Default)]
pub struct Owners {
    pub vendor: Option<String>,
    pub contract: Option<String>,
    pub finding: Option<String>,
}

#[cfg(test)]
#[path = "reminders_tests.rs"]
mod tests;
