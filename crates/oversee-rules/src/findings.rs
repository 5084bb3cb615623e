//! Findings: what a status change needs, and when a finding is overdue. Pure, tested below.

use chrono::NaiveDate;

use super::vendor_profile::text_enum;

text_enum!(
    Severity { Low => "low", Medium => "medium", High => "high", Critical => "critical" }
);

text_enum!(
    /// `awaiting_verification`: its ticket says fixed; security (or an admin) checks before it is
    /// resolved. A high or critical finding gets there, never straight to resolved, from a ticket.
    FindingStatus {
        Open => "open",
        InProgress => "in_progress",
        AwaitingVerification => "awaiting_verification",
        Resolved => "resolved",
        RiskAccepted => "risk_accepted",
    }
);

impl FindingStatus {
    /// Findings that still count against the vendor: open, in progress, or fixed by the vendor's
    /// word and not yet verified.
    pub fn is_open(self) -> bool {
        matches!(self, FindingStatus::Open | FindingStatus::InProgress | FindingStatus::AwaitingVerification)
    }

    /// What a ticket's status means for a finding of this severity: a ticket closes a high or
    /// critical finding only as far as `awaiting_verification`.
    pub fn from_ticket(mapped: FindingStatus, severity: Severity) -> FindingStatus {
        match (mapped, severity) {
            (FindingStatus::Resolved, Severity::High | Severity::Critical) => FindingStatus::AwaitingVerification,
            (other, _) => other,
        }
    }
}

/// Overdue: still open and its due date has passed (the due date itself is not late).
pub fn is_overdue(status: FindingStatus, due_on: Option<NaiveDate>, today: NaiveDate) -> bool {
    status.is_open() && due_on.is_some_and(|d| d < today)
}

/// The fields a status needs. Accepting a risk is a decision someone must own and explain.
pub fn status_problems(
    status: FindingStatus,
    risk_justification: Option<&str>,
    risk_approved_by: Option<&str>,
) -> Vec<(&'static str, &'static str)> {
    let blank = |v: Option<&str>| v.is_none_or(|s| s.trim().is_empty());
    let mut out = Vec::new();
    if status == FindingStatus::RiskAccepted {
        if blank(risk_justification) {
            out.push(("risk_justification", "accepting a risk needs a justification"));
        }
        if blank(risk_approved_by) {
            out.push(("risk_approved_by", "accepting a risk needs the name of who approved it"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_ticket_closes_high_and_critical_findings_only_as_far_as_verification() {
        use FindingStatus::*;
        for sev in [Severity::High, Severity::Critical] {
            assert_eq!(FindingStatus::from_ticket(Resolved, sev), AwaitingVerification);
            assert_eq!(FindingStatus::from_ticket(InProgress, sev), InProgress);
            assert_eq!(FindingStatus::from_ticket(Open, sev), Open);
        }
        for sev in [Severity::Low, Severity::Medium] {
            assert_eq!(FindingStatus::from_ticket(Resolved, sev), Resolved);
        }
        assert!(AwaitingVerification.is_open());
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn overdue_only_after_the_due_date_and_only_while_open() {
        let today = d("2026-11-25");
        for s in FindingStatus::ALL {
            assert!(!is_overdue(*s, Some(d("2026-11-25")), today), "due today is not overdue");
            assert!(!is_overdue(*s, Some(d("2026-11-26")), today));
            assert!(!is_overdue(*s, None, today), "no due date, never overdue");
            assert_eq!(is_overdue(*s, Some(d("2026-11-24")), today), s.is_open(), "{s:?}");
        }
    }

    #[test]
    fn accepting_a_risk_needs_a_justification_and_an_approver() {
        let s = FindingStatus::RiskAccepted;
        assert_eq!(status_problems(s, None, None).len(), 2);
        assert_eq!(
            status_problems(s, Some("  "), Some("ciso@example.com")),
            vec![("risk_justification", "accepting a risk needs a justification")]
        );
        assert_eq!(status_problems(s, Some("compensating control"), Some(" ")).len(), 1);
        assert!(status_problems(s, Some("compensating control"), Some("ciso@example.com")).is_empty());
        for other in [FindingStatus::Open, FindingStatus::InProgress, FindingStatus::Resolved] {
            assert!(status_problems(other, None, None).is_empty());
        }
    }
}
