use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn contract(ends_on: &str, auto_renews: bool, term: Option<u32>, notice: Option<u32>) -> ContractDates {
    ContractDates {
        in_force: true,
        ends_on: Some(d(ends_on)),
        auto_renews,
        renewal_term_months: term,
        notice_days: notice,
    }
}

// --- term end -------------------------------------------------------------------------------

#[test]
fn a_fixed_term_ends_on_its_end_date_until_that_day_and_then_has_none() {
    let c = contract("2027-03-31", false, None, None);
    assert_eq!(term_end(&c, d("2027-03-30")), Some(d("2027-03-31")));
    assert_eq!(term_end(&c, d("2027-03-31")), Some(d("2027-03-31")), "the end day itself still counts");
    assert_eq!(term_end(&c, d("2027-04-01")), None, "a fixed term that ended has no next deadline");
}

#[test]
fn an_auto_renewing_contract_rolls_to_its_next_term_the_day_after_the_end() {
    let c = contract("2026-12-31", true, Some(12), None);
    assert_eq!(term_end(&c, d("2026-12-31")), Some(d("2026-12-31")));
    assert_eq!(term_end(&c, d("2027-01-01")), Some(d("2027-12-31")));
    assert_eq!(term_end(&c, d("2027-12-31")), Some(d("2027-12-31")));
    assert_eq!(term_end(&c, d("2028-01-01")), Some(d("2028-12-31")));
}

#[test]
fn rolling_counts_every_term_from_the_original_end_so_month_ends_do_not_drift() {
    // Jan 31 + 1 month is Feb 28; the following term must end on Mar 31, not Mar 28.
    let c = contract("2027-01-31", true, Some(1), None);
    assert_eq!(term_end(&c, d("2027-02-01")), Some(d("2027-02-28")));
    assert_eq!(term_end(&c, d("2027-03-01")), Some(d("2027-03-31")));
    assert_eq!(term_end(&c, d("2027-04-01")), Some(d("2027-04-30")));
    // Leap day ends roll to Feb 28 in common years and back to Feb 29 in leap years.
    let leap = contract("2028-02-29", true, Some(12), None);
    assert_eq!(term_end(&leap, d("2028-03-01")), Some(d("2029-02-28")));
    assert_eq!(term_end(&leap, d("2031-03-01")), Some(d("2032-02-29")));
}

#[test]
fn many_terms_behind_is_still_exact() {
    let c = contract("2010-06-15", true, Some(36), None);
    // 2010-06-15 + 36k months: 2013, 2016, 2019, 2022, 2025, 2028…
    assert_eq!(term_end(&c, d("2026-11-25")), Some(d("2028-06-15")));
    assert_eq!(term_end(&c, d("2025-06-15")), Some(d("2025-06-15")));
    assert_eq!(term_end(&c, d("2025-06-16")), Some(d("2028-06-15")));
}

#[test]
fn auto_renewal_without_a_term_renews_for_a_year() {
    let c = contract("2026-06-30", true, None, None);
    assert_eq!(term_end(&c, d("2026-07-01")), Some(d("2027-06-30")));
    let zero = contract("2026-06-30", true, Some(0), None);
    assert_eq!(term_end(&zero, d("2026-07-01")), Some(d("2027-06-30")), "a zero term is treated as unset");
}

#[test]
fn contracts_not_in_force_or_without_an_end_have_no_deadlines() {
    let mut c = contract("2027-01-01", true, Some(12), Some(30));
    c.in_force = false;
    assert_eq!(term_end(&c, d("2026-11-25")), None);
    assert_eq!(notice_deadline(&c, d("2026-11-25")), None);
    let open_ended = ContractDates { ends_on: None, ..contract("2027-01-01", true, Some(12), Some(30)) };
    assert_eq!(term_end(&open_ended, d("2026-11-25")), None);
    assert_eq!(notice_deadline(&open_ended, d("2026-11-25")), None);
}

// --- notice deadline --------------------------------------------------------------------------

#[test]
fn the_notice_deadline_is_the_end_minus_the_notice_period_until_it_passes() {
    let c = contract("2027-03-31", false, None, Some(60));
    // 2027-03-31 − 60 days = 2027-01-30.
    assert_eq!(notice_deadline(&c, d("2027-01-29")), Some(d("2027-01-30")));
    assert_eq!(notice_deadline(&c, d("2027-01-30")), Some(d("2027-01-30")), "the last day to give notice counts");
    assert_eq!(notice_deadline(&c, d("2027-01-31")), None, "past it, a fixed term has no further deadline");
}

#[test]
fn an_auto_renewing_contract_past_its_notice_deadline_points_at_the_next_terms_deadline() {
    let c = contract("2027-03-31", true, Some(12), Some(60));
    assert_eq!(notice_deadline(&c, d("2027-01-30")), Some(d("2027-01-30")));
    // The day after, notice can only stop the renewal after next: 2028-03-31 − 60 = 2028-01-31.
    assert_eq!(notice_deadline(&c, d("2027-01-31")), Some(d("2028-01-31")));
    // Even before the current term ends.
    assert_eq!(notice_deadline(&c, d("2027-03-31")), Some(d("2028-01-31")));
}

#[test]
fn a_monthly_contract_with_a_long_notice_period_skips_to_a_term_far_enough_ahead() {
    // 45 days' notice on monthly terms: each deadline falls in an earlier month.
    let c = contract("2027-01-31", true, Some(1), Some(45));
    // today 2027-01-01: ends 01-31 (deadline 12-17, passed), 02-28 (01-14) → 2027-01-14.
    assert_eq!(notice_deadline(&c, d("2027-01-01")), Some(d("2027-01-14")));
    assert_eq!(notice_deadline(&c, d("2027-01-15")), Some(d("2027-02-14")), "2027-03-31 − 45 days");
}

#[test]
fn no_notice_period_means_no_notice_deadline() {
    assert_eq!(notice_deadline(&contract("2027-03-31", false, None, None), d("2026-11-25")), None);
    assert_eq!(notice_deadline(&contract("2027-03-31", false, None, Some(0)), d("2026-11-25")), None);
}

// --- reassessment and plain due dates -----------------------------------------------------------

#[test]
fn reassessment_falls_due_the_interval_after_the_latest_acceptance() {
    // The planner asks the score model when the next one is due and plans it while upcoming.
    let due = crate::capability::reassessment_due(d("2026-02-28"), 12);
    assert_eq!(upcoming(Some(due), d("2027-02-27")), Some(d("2027-02-28")));
    assert_eq!(upcoming(Some(due), d("2027-02-28")), Some(d("2027-02-28")));
    assert_eq!(upcoming(Some(due), d("2027-03-01")), None, "overdue: no reminder planned");
}

#[test]
fn a_plain_due_date_counts_from_today_on() {
    assert_eq!(upcoming(Some(d("2026-11-25")), d("2026-11-25")), Some(d("2026-11-25")));
    assert_eq!(upcoming(Some(d("2026-11-24")), d("2026-11-25")), None);
    assert_eq!(upcoming(None, d("2026-11-25")), None);
}

// --- planning -----------------------------------------------------------------------------------

fn deadline(kind: Kind, subject: &str, due: &str) -> Deadline {
    Deadline { kind, subject_id: subject.into(), vendor_id: "v1".into(), due_on: d(due) }
}

#[test]
fn each_deadline_yields_one_reminder_per_lead_sent_lead_days_before() {
    let planned = plan(&[deadline(Kind::FindingDue, "f1", "2027-03-31")], &DEFAULT_LEAD_DAYS);
    let days: Vec<(u32, NaiveDate)> = planned.iter().map(|p| (p.lead_days, p.send_on)).collect();
    assert_eq!(
        days,
        vec![
            (1, d("2027-03-30")),
            (7, d("2027-03-24")),
            (14, d("2027-03-17")),
            (30, d("2027-03-01")),
            (60, d("2027-01-30")),
            (90, d("2026-12-31")),
        ]
    );
    assert!(planned.iter().all(|p| p.kind == Kind::FindingDue && p.subject_id == "f1" && p.due_on == d("2027-03-31")));
}

#[test]
fn planning_twice_the_same_lead_gives_one_reminder() {
    let planned = plan(&[deadline(Kind::AssessmentDue, "a1", "2027-01-10")], &[7, 7, 1]);
    assert_eq!(planned.len(), 2);
}

#[test]
fn two_kinds_on_one_contract_are_separate_reminders() {
    let planned = plan(
        &[
            deadline(Kind::ContractRenewal, "c1", "2027-03-31"),
            deadline(Kind::ContractNoticeDeadline, "c1", "2027-01-30"),
        ],
        &[30],
    );
    assert_eq!(planned.len(), 2);
    assert_ne!(planned[0].kind, planned[1].kind);
}

// --- deciding after a delay ---------------------------------------------------------------------

fn due(id: &str, due_on: &str, lead: u32) -> DueReminder {
    let due_on = d(due_on);
    DueReminder { id: id.into(), due_on, lead_days: lead, send_on: due_on - chrono::Duration::days(i64::from(lead)) }
}

#[test]
fn a_reminder_on_its_day_is_sent_on_time() {
    let group = [due("r30", "2027-03-31", 30)];
    assert_eq!(decide(&group, None, d("2027-03-01")), vec![Decision::Send { id: "r30".into(), late: false }]);
}

#[test]
fn a_reminder_before_its_day_is_left_alone() {
    let group = [due("r30", "2027-03-31", 30)];
    assert_eq!(decide(&group, None, d("2027-02-28")), vec![]);
}

#[test]
fn after_downtime_only_the_nearest_missed_reminder_is_sent_late_and_the_others_skipped() {
    let group = [
        due("r90", "2027-03-31", 90),
        due("r60", "2027-03-31", 60),
        due("r30", "2027-03-31", 30),
        due("r14", "2027-03-31", 14),
    ];
    // 2027-03-10: the 90, 60 and 30-day days have passed; the 14-day one is not due until 03-17.
    let out = decide(&group, None, d("2027-03-10"));
    assert_eq!(out.len(), 3, "the 14-day reminder waits for its day");
    assert!(out.contains(&Decision::Send { id: "r30".into(), late: true }));
    for id in ["r90", "r60"] {
        assert!(
            out.iter().any(|x| matches!(x, Decision::Skip { id: s, reason } if s == id && reason.contains("30-day"))),
            "{id} is skipped naming the one sent: {out:?}"
        );
    }
}

#[test]
fn nothing_is_sent_once_the_deadline_itself_has_passed() {
    let group = [due("r7", "2027-03-31", 7), due("r1", "2027-03-31", 1)];
    let out = decide(&group, None, d("2027-04-01"));
    assert_eq!(out.len(), 2);
    assert!(out.iter().all(|x| matches!(x, Decision::Skip { reason, .. } if reason.contains("passed"))));
    // On the deadline day itself the 1-day reminder still goes, a day late.
    let on_the_day = decide(&group, None, d("2027-03-31"));
    assert!(on_the_day.contains(&Decision::Send { id: "r1".into(), late: true }));
}

#[test]
fn a_farther_reminder_never_follows_a_nearer_one_already_sent() {
    // Lead days gained a 45-day lead after the 30-day reminder went out.
    let group = [due("r45", "2027-03-31", 45)];
    let out = decide(&group, Some(30), d("2027-03-05"));
    assert!(matches!(&out[..], [Decision::Skip { reason, .. }] if reason.contains("30-day")));
    // A nearer one than those sent still goes.
    let group = [due("r14", "2027-03-31", 14)];
    assert_eq!(decide(&group, Some(30), d("2027-03-17")), vec![Decision::Send { id: "r14".into(), late: false }]);
}

// --- retries ------------------------------------------------------------------------------------

#[test]
fn retries_double_from_a_minute_and_stop_at_the_limit() {
    let m = |n: u64| Some(std::time::Duration::from_secs(n * 60));
    assert_eq!(retry_delay(1, 6), m(1));
    assert_eq!(retry_delay(2, 6), m(2));
    assert_eq!(retry_delay(3, 6), m(4));
    assert_eq!(retry_delay(5, 6), m(16));
    assert_eq!(retry_delay(6, 6), None, "the sixth failure is final");
    assert_eq!(retry_delay(1, 1), None);
    assert_eq!(retry_delay(15, 40), m(360), "capped at six hours");
}

// --- recipients ---------------------------------------------------------------------------------

#[test]
fn recipients_follow_the_configured_order_without_repeats_or_blanks() {
    let owners = Owners {
        vendor: Some("Owner@Example.com".into()),
        contract: Some("owner@example.com".into()),
        finding: Some("  ".into()),
    };
    let mailboxes = BTreeMap::from([("legal".to_string(), "legal@example.com".to_string())]);
    let wanted = [
        Recipient::ContractOwner,
        Recipient::VendorOwner,
        Recipient::FindingOwner,
        Recipient::Mailbox("legal".into()),
        Recipient::Mailbox("procurement".into()),
    ];
    assert_eq!(recipients(&wanted, &owners, &mailboxes), vec!["owner@example.com", "legal@example.com"]);
    assert!(recipients(&[], &owners, &mailboxes).is_empty());
}

#[test]
fn recipient_names_read_as_owners_or_mailboxes() {
    let parsed: Vec<Recipient> =
        serde_json::from_str(r#"["vendor_owner","contract_owner","finding_owner","legal"]"#).unwrap();
    assert_eq!(
        parsed,
        vec![
            Recipient::VendorOwner,
            Recipient::ContractOwner,
            Recipient::FindingOwner,
            Recipient::Mailbox("legal".into())
        ]
    );
    assert_eq!(serde_json::to_string(&Recipient::Mailbox("legal".into())).unwrap(), "\"legal\"");
}

#[test]
fn kinds_round_trip_and_name_their_subjects() {
    for k in Kind::ALL {
        assert_eq!(Kind::parse(k.as_str()), Some(k));
        assert_eq!(serde_json::to_string(&k).unwrap(), format!("\"{}\"", k.as_str()));
    }
    assert_eq!(Kind::parse("renewal"), None);
    assert_eq!(Kind::ReassessmentDue.subject_type(), "vendor");
    assert_eq!(Kind::ContractNoticeDeadline.subject_type(), "contract");
}
