use chrono::NaiveDate;

use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn term(contract_id: &str, amount: u32, unit: &str) -> NoticeTerm {
    NoticeTerm { contract_id: contract_id.into(), deadline: Deadline { amount, unit: unit.into() } }
}

#[test]
fn a_term_in_hours_rounds_up_to_whole_days() {
    let d = day("2026-03-02");
    let due = |amount, unit: &str| notice_due_on(d, &Deadline { amount, unit: unit.into() });
    assert_eq!(due(1, "hours"), day("2026-03-03"));
    assert_eq!(due(24, "hours"), day("2026-03-03"));
    assert_eq!(due(25, "hours"), day("2026-03-04"));
    assert_eq!(due(72, "hours"), day("2026-03-05"));
    assert_eq!(due(3, "days"), day("2026-03-05"));
    assert_eq!(due(30, "days"), day("2026-04-01"));
}

#[test]
fn business_days_skip_weekends() {
    // 2026-03-06 is a Friday.
    let friday = day("2026-03-06");
    assert_eq!(add_business_days(friday, 1), day("2026-03-09"), "Monday");
    assert_eq!(add_business_days(friday, 5), day("2026-03-13"));
    assert_eq!(add_business_days(day("2026-03-07"), 1), day("2026-03-09"), "from a Saturday");
    assert_eq!(add_business_days(day("2026-03-02"), 4), day("2026-03-06"), "Monday to Friday");
    assert_eq!(add_business_days(day("2026-03-02"), 5), day("2026-03-09"));
    assert_eq!(add_business_days(friday, 0), friday);
}

#[test]
fn a_report_on_the_last_day_is_on_time_and_the_next_day_late() {
    let terms = [term("c1", 72, "hours")];
    let discovered = day("2026-03-02");
    let on_time = timeliness(discovered, false, day("2026-03-05"), &terms).unwrap();
    assert!(!on_time.late);
    assert_eq!((on_time.due_on, on_time.elapsed_days), (day("2026-03-05"), 3));
    assert!(on_time.reason.contains("on time"), "{}", on_time.reason);
    let late = timeliness(discovered, false, day("2026-03-06"), &terms).unwrap();
    assert!(late.late);
    assert_eq!(late.elapsed_days, 4);
    assert!(late.reason.contains("within 72 hours") && late.reason.ends_with("late."), "{}", late.reason);
    let same_day = timeliness(discovered, true, discovered, &terms).unwrap();
    assert!(!same_day.late);
    assert!(same_day.reason.contains("approximate"), "{}", same_day.reason);
}

#[test]
fn the_strictest_term_in_force_is_the_one_measured() {
    let discovered = day("2026-03-06"); // a Friday
    let terms = [term("c2", 3, "business_days"), term("c1", 5, "days"), term("c3", 72, "hours")];
    // 72 hours: 2026-03-09; 3 business days: 2026-03-11; 5 days: 2026-03-11.
    let t = timeliness(discovered, false, day("2026-03-10"), &terms).unwrap();
    assert_eq!((t.contract_id.as_str(), t.due_on, t.late), ("c3", day("2026-03-09"), true));
    // Equal due days: the lowest contract id, whatever the order.
    let tie = [term("c9", 5, "days"), term("c1", 3, "business_days")];
    assert_eq!(timeliness(discovered, false, day("2026-03-11"), &tie).unwrap().contract_id, "c1");
    let tie_reversed = [term("c1", 3, "business_days"), term("c9", 5, "days")];
    assert_eq!(timeliness(discovered, false, day("2026-03-11"), &tie_reversed).unwrap().contract_id, "c1");
}

#[test]
fn without_a_named_deadline_there_is_nothing_to_measure() {
    assert_eq!(timeliness(day("2026-03-02"), false, day("2026-09-01"), &[]), None);
    let unusable = [term("c1", 0, "days"), term("c2", 5, "weeks")];
    assert_eq!(timeliness(day("2026-03-02"), false, day("2026-09-01"), &unusable), None);
}

fn record<'a>(actions: &'a [ResponsiveAction], review: Option<&'a Review>) -> Record<'a> {
    Record {
        status: IncidentStatus::Open,
        discovered_on: day("2026-03-02"),
        reported_on: day("2026-03-04"),
        today: day("2026-06-01"),
        determination: Determination::Pending,
        rationale: None,
        notices: [
            ("ag_notified_on", None),
            ("ocabr_notified_on", None),
            ("residents_notified_on", None),
            ("credit_agencies_notified_on", None),
        ],
        credit_monitoring_offered: false,
        credit_monitoring_months: None,
        actions,
        review,
    }
}

fn fields(problems: Vec<(String, String)>) -> Vec<String> {
    problems.into_iter().map(|(f, _)| f).collect()
}

fn review_on(date: &str) -> Review {
    Review {
        reviewed_on: day(date),
        participants: vec!["CISO".into()],
        conclusions: "Keys were rotated too late.".into(),
        practice_changes: "Key rotation is now tested quarterly.".into(),
    }
}

#[test]
fn a_consistent_open_record_has_no_problems() {
    assert!(problems(&record(&[], None)).is_empty());
}

#[test]
fn closing_needs_a_review_and_a_determination() {
    let mut r = record(&[], None);
    r.status = IncidentStatus::Closed;
    assert_eq!(fields(problems(&r)), vec!["review", "breach_determination"]);
    let review = review_on("2026-05-01");
    let mut r = record(&[], Some(&review));
    r.status = IncidentStatus::Closed;
    r.determination = Determination::NotABreach;
    r.rationale = Some("Encrypted, key safe");
    assert!(problems(&r).is_empty());
}

#[test]
fn dates_must_follow_discovery_and_not_lie_in_the_future() {
    let mut r = record(&[], None);
    r.reported_on = day("2026-03-01");
    assert_eq!(fields(problems(&r)), vec!["reported_to_us_on"]);
    r.reported_on = r.discovered_on;
    assert!(problems(&r).is_empty(), "reported the day it was discovered");
    r.reported_on = day("2026-06-02");
    assert_eq!(fields(problems(&r)), vec!["reported_to_us_on"]);
    let mut r = record(&[], None);
    r.discovered_on = day("2026-06-02");
    r.reported_on = day("2026-06-02");
    assert_eq!(fields(problems(&r)), vec!["discovered_on", "reported_to_us_on"]);

    let mut r = record(&[], None);
    r.notices[0].1 = Some(day("2026-03-01"));
    r.notices[3].1 = Some(day("2026-06-02"));
    assert_eq!(fields(problems(&r)), vec!["ag_notified_on", "credit_agencies_notified_on"]);
    r.notices[0].1 = Some(day("2026-03-02"));
    r.notices[3].1 = Some(day("2026-06-01"));
    assert!(problems(&r).is_empty(), "the boundaries themselves are fine");

    let actions = [
        ResponsiveAction { taken_on: day("2026-03-01"), action: "x".into(), by: None },
        ResponsiveAction { taken_on: day("2026-03-02"), action: "y".into(), by: None },
        ResponsiveAction { taken_on: day("2026-06-02"), action: "z".into(), by: None },
    ];
    assert_eq!(
        fields(problems(&record(&actions, None))),
        vec!["responsive_actions[0].taken_on", "responsive_actions[2].taken_on"]
    );
    let early = review_on("2026-03-01");
    assert_eq!(fields(problems(&record(&[], Some(&early)))), vec!["review.reviewed_on"]);
    let future = review_on("2026-06-02");
    assert_eq!(fields(problems(&record(&[], Some(&future)))), vec!["review.reviewed_on"]);
}

#[test]
fn a_determination_needs_its_rationale_and_monitoring_its_months() {
    let mut r = record(&[], None);
    r.determination = Determination::Breach;
    assert_eq!(fields(problems(&r)), vec!["determination_rationale"]);
    r.rationale = Some("Unencrypted SSNs were taken");
    assert!(problems(&r).is_empty());
    r.credit_monitoring_offered = true;
    assert_eq!(fields(problems(&r)), vec!["credit_monitoring_months"]);
    for (months, ok) in [(0, false), (1, true), (120, true), (121, false)] {
        r.credit_monitoring_months = Some(months);
        assert_eq!(problems(&r).is_empty(), ok, "{months}");
    }
    r.credit_monitoring_offered = false;
    r.credit_monitoring_months = Some(18);
    assert_eq!(fields(problems(&r)), vec!["credit_monitoring_months"]);
}

#[test]
fn a_breach_lists_the_notices_and_monitoring_still_owed() {
    let mut r = record(&[], None);
    assert!(open_obligations(Determination::Pending, &[PiElement::Ssn], &r).is_empty());
    assert!(open_obligations(Determination::NotABreach, &[PiElement::Ssn], &r).is_empty());
    let owed = open_obligations(Determination::Breach, &[PiElement::PaymentCard], &r);
    assert_eq!(owed.len(), 3, "AG, OCABR and residents; credit agencies only when OCABR asks: {owed:?}");
    let with_ssn = open_obligations(Determination::Breach, &[PiElement::Ssn], &r);
    assert!(with_ssn.iter().any(|o| o.contains("18 months")), "{with_ssn:?}");
    r.notices[0].1 = Some(day("2026-03-10"));
    r.notices[1].1 = Some(day("2026-03-10"));
    r.notices[2].1 = Some(day("2026-03-11"));
    r.credit_monitoring_offered = true;
    r.credit_monitoring_months = Some(17);
    assert_eq!(open_obligations(Determination::Breach, &[PiElement::Ssn], &r).len(), 1, "17 months is short");
    r.credit_monitoring_months = Some(18);
    assert!(open_obligations(Determination::Breach, &[PiElement::Ssn], &r).is_empty());
}
