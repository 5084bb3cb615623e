//! The life of an assessment: which action is allowed in which state, and how long the
//! respondent's link stays valid. Pure, tested below.
//!
//! ```text
//! draft --send--> sent --answer--> in_progress --submit--> submitted --review--> under_review
//!   ^               |  \______________submit_____________/     |                     |
//!   |            (past due + grace)                            +------decide---------+--> accepted | rejected
//!   +--send-- expired <---------------------------------------------(sent, in_progress)
//! ```

use chrono::{DateTime, Duration, NaiveDate, Utc};

use super::vendor_profile::text_enum;

text_enum!(
    AssessmentStatus {
        Draft => "draft",
        Sent => "sent",
        InProgress => "in_progress",
        Submitted => "submitted",
        UnderReview => "under_review",
        Accepted => "accepted",
        Rejected => "rejected",
        Expired => "expired",
    }
);

/// What someone wants to do with an assessment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Edit,
    Send,
    Answer,
    Submit,
    Review,
    Decide,
    Expire,
}

impl Action {
    fn describe(self) -> &'static str {
        match self {
            Action::Edit => "edited",
            Action::Send => "sent",
            Action::Answer => "answered",
            Action::Submit => "submitted",
            Action::Review => "reviewed",
            Action::Decide => "accepted or rejected",
            Action::Expire => "expired",
        }
    }
}

/// The state after `action`, or why it is not allowed now.
pub fn next(status: AssessmentStatus, action: Action) -> Result<AssessmentStatus, String> {
    use AssessmentStatus::*;
    let to = match (action, status) {
        (Action::Edit, Draft | Sent | InProgress | Expired) => status,
        (Action::Send, Draft | Sent | Expired) => Sent,
        // Sending again mints a new link but keeps the answers already given.
        (Action::Send, InProgress) => InProgress,
        (Action::Answer, Sent | InProgress) => InProgress,
        (Action::Submit, Sent | InProgress) => Submitted,
        (Action::Review, Submitted | UnderReview) => UnderReview,
        (Action::Expire, Sent | InProgress) => Expired,
        (Action::Decide, Submitted | UnderReview) => return Ok(status),
        _ => {
            return Err(format!("an assessment that is {} cannot be {}", status.as_str(), action.describe()));
        }
    };
    Ok(to)
}

/// The outcome of a reviewer's decision.
pub fn decide(status: AssessmentStatus, accept: bool) -> Result<AssessmentStatus, String> {
    next(status, Action::Decide)?;
    Ok(if accept { AssessmentStatus::Accepted } else { AssessmentStatus::Rejected })
}

/// A respondent's link works through the end (UTC) of the due date plus the grace days.
pub fn token_expires_at(due_on: NaiveDate, grace_days: u32) -> DateTime<Utc> {
    let last_day = due_on + Duration::days(i64::from(grace_days));
    (last_day + Duration::days(1)).and_hms_opt(0, 0, 0).expect("midnight exists").and_utc()
}

/// Whether a link minted for `due_on` may still be used at `now`.
pub fn token_usable(expires_at: DateTime<Utc>, revoked: bool, now: DateTime<Utc>) -> bool {
    !revoked && now < expires_at
}

/// The due date must not be in the past when the assessment is sent.
/// Today or later (checked when a link is sent), and at most `max_ahead_days` ahead.
pub fn due_date_problem(due_on: NaiveDate, today: NaiveDate, max_ahead_days: u32) -> Option<String> {
    if due_on < today {
        Some(format!("{due_on} is in the past; choose today or a later date"))
    } else {
        too_far_ahead(due_on, today, max_ahead_days)
    }
}

/// At most `max_ahead_days` ahead (checked whenever a due date is set): a link that works for
/// years is a standing key to the portal.
pub fn too_far_ahead(due_on: NaiveDate, today: NaiveDate, max_ahead_days: u32) -> Option<String> {
    let last = today + chrono::Duration::days(i64::from(max_ahead_days));
    (due_on > last)
        .then(|| format!("{due_on} is more than {max_ahead_days} days ahead; choose {last} or an earlier date"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use AssessmentStatus::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn every_state_and_action_has_a_defined_outcome() {
        let allowed = [
            (Action::Edit, vec![(Draft, Draft), (Sent, Sent), (InProgress, InProgress), (Expired, Expired)]),
            (Action::Send, vec![(Draft, Sent), (Sent, Sent), (InProgress, InProgress), (Expired, Sent)]),
            (Action::Answer, vec![(Sent, InProgress), (InProgress, InProgress)]),
            (Action::Submit, vec![(Sent, Submitted), (InProgress, Submitted)]),
            (Action::Review, vec![(Submitted, UnderReview), (UnderReview, UnderReview)]),
            (Action::Decide, vec![(Submitted, Submitted), (UnderReview, UnderReview)]),
            (Action::Expire, vec![(Sent, Expired), (InProgress, Expired)]),
        ];
        for (action, pairs) in allowed {
            for from in AssessmentStatus::ALL {
                let expected = pairs.iter().find(|(f, _)| f == from).map(|(_, t)| *t);
                match (next(*from, action), expected) {
                    (Ok(to), Some(want)) => assert_eq!(to, want, "{action:?} from {from:?}"),
                    (Err(msg), None) => assert!(msg.contains(from.as_str()), "{msg}"),
                    (got, want) => panic!("{action:?} from {from:?}: got {got:?}, want {want:?}"),
                }
            }
        }
    }

    #[test]
    fn decisions_end_the_review() {
        assert_eq!(decide(UnderReview, true), Ok(Accepted));
        assert_eq!(decide(Submitted, false), Ok(Rejected));
        for s in [Draft, Sent, InProgress, Accepted, Rejected, Expired] {
            assert!(decide(s, true).is_err(), "{s:?}");
        }
    }

    #[test]
    fn the_link_lasts_through_the_last_grace_day() {
        let exp = token_expires_at(d("2026-12-01"), 14);
        assert_eq!(exp.to_rfc3339(), "2026-12-16T00:00:00+00:00");
        let last_second = exp - Duration::seconds(1);
        assert!(token_usable(exp, false, last_second));
        assert!(!token_usable(exp, false, exp));
        assert!(!token_usable(exp, true, last_second), "revoked links never work");
        // No grace: usable through the due date itself.
        assert_eq!(token_expires_at(d("2026-12-31"), 0).to_rfc3339(), "2027-01-01T00:00:00+00:00");
        // Across a leap day.
        assert_eq!(token_expires_at(d("2028-02-28"), 1).to_rfc3339(), "2028-03-01T00:00:00+00:00");
    }

    #[test]
    fn due_dates_today_or_later_and_within_the_bound() {
        let today = d("2026-11-25");
        assert!(due_date_problem(d("2026-11-24"), today, 365).is_some());
        assert!(due_date_problem(today, today, 365).is_none());
        assert!(due_date_problem(d("2026-11-26"), today, 365).is_none());
        // 365 days ahead is the last allowed day, the one after is not (2027 has no leap day).
        assert!(due_date_problem(d("2027-11-25"), today, 365).is_none());
        let p = due_date_problem(d("2027-11-26"), today, 365).unwrap();
        assert!(p.contains("2027-11-25"), "{p}");
        // Across a leap year: 2028-02-29 exists.
        assert!(due_date_problem(d("2028-02-29"), d("2027-03-01"), 365).is_none());
        assert!(due_date_problem(d("2028-03-01"), d("2027-03-01"), 365).is_some());
        assert!(due_date_problem(today, today, 0).is_none());
        assert!(due_date_problem(d("2026-11-26"), today, 0).is_some());
        // Setting a date checks only the bound ahead: a past date is refused when the link is sent.
        assert!(too_far_ahead(d("2026-11-24"), today, 365).is_none());
        assert!(too_far_ahead(d("2027-11-26"), today, 365).is_some());
    }
}
