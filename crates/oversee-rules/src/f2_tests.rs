use super::*;

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn contract(entered: &str) -> ContractFacts {
    ContractFacts {
        id: "c1".into(),
        title: "MSA".into(),
        is_draft: false,
        entered_on: date(entered),
        effective_on: None,
        ends_on: None,
        auto_renews: false,
        terminated_on: None,
        events: vec![],
        security_clause: None,
    }
}

fn clause(status: ClauseStatus, from: &str) -> Option<ClauseFacts> {
    Some(ClauseFacts { status, effective_from: date(from), effective_to: None, verified: false, section_ref: None })
}

fn event(kind: EventKind, on: &str) -> EventFacts {
    EventFacts { kind, executed_on: date(on), previous_ends_on: None, new_ends_on: None }
}

const RESET: Policy = Policy { renewal_resets_grandfathering: true };
const ENTRY_ONLY: Policy = Policy { renewal_resets_grandfathering: false };

fn status(c: &ContractFacts, as_of: &str) -> F2Status {
    evaluate_contract(c, date(as_of), RESET).status
}

fn status_with(c: &ContractFacts, as_of: &str, p: Policy) -> F2Status {
    evaluate_contract(c, date(as_of), p).status
}

use F2Status::*;

#[test]
fn effective_date_boundary() {
    let c = contract("2009-01-01");
    assert_eq!(status(&c, "2010-02-28"), NotApplicable);
    assert_eq!(status(&c, "2010-03-01"), Grandfathered);
    let r = evaluate_contract(&c, date("2010-02-28"), RESET);
    assert_eq!(r.reason_codes, vec!["before_effective_date"]);
    assert!(r.reasons[0].contains("2010-03-01"));
}

#[test]
fn entry_date_boundary_is_inclusive() {
    assert_eq!(status(&contract("2010-03-01"), "2011-01-01"), Grandfathered);
    assert_eq!(status(&contract("2010-03-02"), "2011-01-01"), NeedsReview);
    let mut c = contract("2010-03-02");
    c.security_clause = clause(ClauseStatus::Absent, "2010-03-02");
    assert_eq!(status(&c, "2011-01-01"), NotSatisfied);
}

#[test]
fn grace_period_ends_on_the_first_of_march_2012_after_a_leap_day() {
    let c = contract("2008-06-01");
    assert_eq!(status(&c, "2012-02-28"), Grandfathered);
    assert_eq!(status(&c, "2012-02-29"), Grandfathered);
    assert_eq!(status(&c, "2012-03-01"), NeedsReview);
    let r = evaluate_contract(&c, date("2012-02-29"), RESET);
    assert_eq!(r.grandfathered_until, Some(date("2012-03-01")));
    assert!(evaluate_contract(&c, date("2012-03-01"), RESET).grandfathered_until.is_none());
}

#[test]
fn clause_counts_from_its_effective_date() {
    let mut c = contract("2011-01-01");
    c.security_clause = clause(ClauseStatus::Present, "2011-01-01");
    assert_eq!(status(&c, "2011-01-01"), Satisfied);
    let r = evaluate_contract(&c, date("2011-01-01"), RESET);
    assert_eq!(r.clause_verified, Some(false));
    assert!(r.reason_codes.contains(&"clause_not_verified".to_string()));
    c.security_clause.as_mut().unwrap().verified = true;
    assert_eq!(evaluate_contract(&c, date("2011-01-01"), RESET).clause_verified, Some(true));
}

#[test]
fn clause_added_by_amendment_before_the_2012_deadline() {
    let mut c = contract("2009-05-01");
    c.events = vec![event(EventKind::Amendment, "2011-06-01")];
    c.security_clause = clause(ClauseStatus::Present, "2011-06-01");
    // Before the amendment: grandfathered (the amendment is not yet executed).
    assert_eq!(status(&c, "2011-05-31"), Grandfathered);
    assert_eq!(status(&c, "2011-06-01"), Satisfied);
    assert_eq!(status(&c, "2012-03-01"), Satisfied);
}

#[test]
fn clause_added_by_amendment_after_the_2012_deadline() {
    let mut c = contract("2009-05-01");
    c.events = vec![event(EventKind::Amendment, "2012-06-01")];
    c.security_clause = clause(ClauseStatus::Present, "2012-06-01");
    assert_eq!(status(&c, "2012-02-29"), Grandfathered);
    assert_eq!(status(&c, "2012-03-01"), NotSatisfied, "the gap between the deadline and the amendment");
    let r = evaluate_contract(&c, date("2012-03-01"), RESET);
    assert_eq!(r.reason_codes, vec!["clause_not_in_effect"]);
    assert!(r.reasons[0].contains("2012-06-01"));
    assert_eq!(status(&c, "2012-05-31"), NotSatisfied);
    assert_eq!(status(&c, "2012-06-01"), Satisfied);
}

#[test]
fn removed_clause_stops_counting_after_its_last_day() {
    let mut c = contract("2011-01-01");
    c.security_clause = clause(ClauseStatus::Present, "2011-01-01");
    c.security_clause.as_mut().unwrap().effective_to = Some(date("2015-06-30"));
    assert_eq!(status(&c, "2015-06-30"), Satisfied);
    assert_eq!(status(&c, "2015-07-01"), NotSatisfied);
}

#[test]
fn renewal_before_the_effective_date_never_resets() {
    let mut c = contract("2008-01-01");
    c.events = vec![event(EventKind::Renewal, "2009-12-01")];
    assert_eq!(status_with(&c, "2011-01-01", RESET), Grandfathered);
    assert_eq!(status_with(&c, "2011-01-01", ENTRY_ONLY), Grandfathered);
    // Executed on the cutoff day itself: "no later than" is inclusive, so no reset either.
    c.events = vec![event(EventKind::Renewal, "2010-03-01")];
    assert_eq!(status_with(&c, "2011-01-01", RESET), Grandfathered);
}

#[test]
fn renewal_after_the_effective_date_depends_on_the_policy() {
    let mut c = contract("2008-01-01");
    c.events = vec![event(EventKind::Renewal, "2010-03-02")];
    assert_eq!(status_with(&c, "2010-03-01", RESET), Grandfathered, "before the renewal");
    assert_eq!(status_with(&c, "2010-03-02", RESET), NeedsReview, "from the renewal's execution date");
    let r = evaluate_contract(&c, date("2010-03-02"), RESET);
    assert!(r.reason_codes.contains(&"grandfathering_reset_by_renewal".to_string()));
    assert!(r.reasons.iter().any(|s| s.contains("interpretation") && s.contains("2010-03-02")));
    assert_eq!(status_with(&c, "2010-03-02", ENTRY_ONLY), Grandfathered);
    let r = evaluate_contract(&c, date("2011-01-01"), ENTRY_ONLY);
    assert!(r.reason_codes.contains(&"policy_entry_date_only".to_string()));
    assert_eq!(status_with(&c, "2012-03-01", ENTRY_ONLY), NeedsReview, "the grace period still ends");
}

#[test]
fn amendment_after_the_effective_date_resets_too_but_termination_does_not() {
    let mut c = contract("2008-01-01");
    c.events = vec![event(EventKind::Amendment, "2010-09-01")];
    assert_eq!(status_with(&c, "2010-10-01", RESET), NeedsReview);
    assert_eq!(status_with(&c, "2010-10-01", ENTRY_ONLY), Grandfathered);
    c.events = vec![event(EventKind::Termination, "2010-09-01")];
    c.terminated_on = Some(date("2011-12-31"));
    assert_eq!(status_with(&c, "2010-10-01", RESET), Grandfathered);
}

#[test]
fn not_yet_entered_or_effective() {
    let c = contract("2015-05-10");
    assert_eq!(status(&c, "2015-05-09"), NotInForce);
    assert_eq!(status(&c, "2015-05-10"), NeedsReview);
    let mut c = contract("2015-05-10");
    c.effective_on = Some(date("2015-06-01"));
    assert_eq!(status(&c, "2015-05-31"), NotInForce);
    assert_eq!(evaluate_contract(&c, date("2015-05-31"), RESET).reason_codes, vec!["contract_not_yet_effective"]);
    assert_eq!(status(&c, "2015-06-01"), NeedsReview);
    let mut c = contract("2015-05-10");
    c.is_draft = true;
    assert_eq!(status(&c, "2016-01-01"), NotInForce);
}

#[test]
fn ended_and_terminated_contracts() {
    let mut c = contract("2014-01-01");
    c.ends_on = Some(date("2016-12-31"));
    assert_eq!(status(&c, "2016-12-31"), NeedsReview, "the end date is the last day in force");
    assert_eq!(status(&c, "2017-01-01"), NotInForce);
    c.auto_renews = true;
    assert_eq!(status(&c, "2019-01-01"), NeedsReview, "auto-renewal keeps it in force");
    c.terminated_on = Some(date("2018-03-31"));
    assert_eq!(status(&c, "2018-03-31"), NeedsReview);
    assert_eq!(status(&c, "2018-04-01"), NotInForce);
    assert_eq!(evaluate_contract(&c, date("2018-04-01"), RESET).reason_codes, vec!["contract_terminated"]);
}

#[test]
fn renewals_extend_the_end_date_only_from_their_execution() {
    let mut c = contract("2014-01-01");
    c.ends_on = Some(date("2018-12-31"));
    c.events = vec![EventFacts {
        kind: EventKind::Renewal,
        executed_on: date("2017-06-01"),
        previous_ends_on: Some(date("2016-12-31")),
        new_ends_on: Some(date("2018-12-31")),
    }];
    assert_eq!(ends_on_as_of(&c, date("2017-05-31")), Some(date("2016-12-31")));
    assert_eq!(status(&c, "2017-03-01"), NotInForce, "a lapse before the late renewal");
    assert_eq!(status(&c, "2017-06-01"), NeedsReview);
    assert_eq!(status(&c, "2018-12-31"), NeedsReview);
    assert_eq!(status(&c, "2019-01-01"), NotInForce);
}

#[test]
fn unknown_clause_needs_review_and_future_clause_does_not_satisfy() {
    let mut c = contract("2013-01-01");
    c.security_clause = clause(ClauseStatus::Unknown, "2013-01-01");
    assert_eq!(status(&c, "2014-01-01"), NeedsReview);
    c.security_clause = clause(ClauseStatus::Present, "2014-01-02");
    assert_eq!(status(&c, "2014-01-01"), NotSatisfied);
    assert_eq!(status(&c, "2014-01-02"), Satisfied);
}

#[test]
fn satisfied_beats_grandfathering() {
    let mut c = contract("2009-01-01");
    c.security_clause = clause(ClauseStatus::Present, "2009-01-01");
    assert_eq!(status(&c, "2011-01-01"), Satisfied);
}

fn vendor(handles_pi: bool, cs: &[ContractFacts], as_of: &str) -> VendorEvaluation {
    evaluate_vendor("Acme", handles_pi, cs, date(as_of), RESET)
}

#[test]
fn vendor_without_pi_is_not_applicable() {
    let v = vendor(false, &[contract("2011-01-01")], "2015-01-01");
    assert_eq!(v.status, NotApplicable);
    assert_eq!(v.reason_codes, vec!["vendor_handles_no_pi"]);
    assert_eq!(v.contracts.len(), 1, "contract results are still shown");
}

#[test]
fn vendor_before_the_effective_date_is_not_applicable() {
    assert_eq!(vendor(true, &[contract("2009-01-01")], "2010-02-28").status, NotApplicable);
    // Without any contract too, up to the day before; from the effective date on, it applies.
    for as_of in ["2009-06-30", "2010-02-28"] {
        let v = vendor(true, &[], as_of);
        assert_eq!((v.status, v.reason_codes), (NotApplicable, vec!["before_effective_date".to_string()]), "{as_of}");
    }
    assert_eq!(vendor(true, &[], "2010-03-01").status, NotSatisfied);
}

#[test]
fn vendor_with_no_contract_in_force_is_not_satisfied_never_not_in_force() {
    let v = vendor(true, &[], "2015-01-01");
    assert_eq!(v.status, NotSatisfied);
    assert_eq!(v.reason_codes, vec!["no_contract_in_force"]);
    let mut ended = contract("2011-01-01");
    ended.ends_on = Some(date("2012-01-01"));
    let v = vendor(true, &[ended, contract("2020-01-01")], "2015-01-01");
    assert_eq!(v.status, NotSatisfied);
    assert_eq!(v.contracts.iter().map(|c| c.status).collect::<Vec<_>>(), vec![NotInForce, NotInForce]);
}

#[test]
fn vendor_takes_the_best_contract_in_force() {
    let mut a = contract("2011-01-01");
    a.id = "a".into();
    a.title = "Old DPA".into();
    a.security_clause = clause(ClauseStatus::Absent, "2011-01-01");
    let mut b = contract("2009-01-01");
    b.id = "b".into();
    b.title = "Legacy MSA".into();
    let mut c = contract("2013-01-01");
    c.id = "c".into();
    c.title = "New MSA".into();
    c.security_clause = clause(ClauseStatus::Present, "2013-01-01");
    let mut d = contract("2011-01-01");
    d.id = "d".into();
    d.title = "Unreviewed SOW".into();
    let all = [a.clone(), b.clone(), c.clone(), d.clone()];
    assert_eq!(vendor(true, &all, "2011-06-01").status, Grandfathered, "c not yet entered; b grandfathered");
    assert_eq!(vendor(true, &all, "2011-06-01").grandfathered_until, Some(date("2012-03-01")));
    let v = vendor(true, &all, "2013-06-01");
    assert_eq!(v.status, Satisfied);
    assert!(v.reasons[0].contains("New MSA"));
    assert_eq!(vendor(true, &[a.clone(), d.clone()], "2013-06-01").status, NeedsReview);
    assert_eq!(vendor(true, &[a.clone()], "2013-06-01").status, NotSatisfied);
}

#[test]
fn evaluation_is_deterministic() {
    let mut c = contract("2009-01-01");
    c.events = vec![event(EventKind::Renewal, "2011-01-01")];
    let a = serde_json::to_string(&evaluate_contract(&c, date("2011-06-01"), RESET)).unwrap();
    let b = serde_json::to_string(&evaluate_contract(&c, date("2011-06-01"), RESET)).unwrap();
    assert_eq!(a, b);
}

#[test]
fn statuses_round_trip() {
    for s in [NotApplicable, NotInForce, Satisfied, Grandfathered, NeedsReview, NotSatisfied] {
        assert_eq!(F2Status::parse(s.as_str()), Some(s));
        assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
    }
}

/// An automatic renewal is not an executed renewal: the term rolls over without anyone signing,
/// so it neither ends grandfathering nor stops the grace period from ending (DOMAIN: only a
/// renewal or amendment executed after 2010-03-01 resets it).
#[test]
fn an_automatic_renewal_does_not_reset_grandfathering() {
    let mut c = contract("2008-01-01");
    c.ends_on = Some(date("2010-12-31"));
    c.auto_renews = true;
    for as_of in ["2010-03-01", "2010-12-31", "2011-01-01", "2011-06-01", "2012-02-29"] {
        let r = evaluate_contract(&c, date(as_of), RESET);
        assert_eq!(r.status, Grandfathered, "{as_of}");
        assert!(!r.reason_codes.contains(&"grandfathering_reset_by_renewal".to_string()), "{as_of}");
    }
    assert_eq!(status(&c, "2012-03-01"), NeedsReview, "the grace period ends as for any contract");
    // The same contract with a renewal executed after the effective date is reset at once.
    c.events = vec![event(EventKind::Renewal, "2010-12-01")];
    assert_eq!(status(&c, "2011-06-01"), NeedsReview);
}

/// Found by mutation testing (docs/testing.md): which reason is given, not only which status.
#[test]
fn the_reasons_name_what_happened() {
    // An absent clause is said to be absent, not out of effect.
    let mut c = contract("2010-03-02");
    c.security_clause = clause(ClauseStatus::Absent, "2010-03-02");
    assert_eq!(evaluate_contract(&c, date("2011-01-01"), RESET).reason_codes, vec!["clause_absent"]);
    // The reset names the kind of event that caused it.
    let mut c = contract("2008-01-01");
    c.events = vec![event(EventKind::Renewal, "2010-06-01")];
    let r = evaluate_contract(&c, date("2010-07-01"), RESET);
    assert!(r.reasons.iter().any(|s| s.contains("a renewal executed on 2010-06-01")), "{:?}", r.reasons);
    c.events = vec![event(EventKind::Amendment, "2010-06-01")];
    let r = evaluate_contract(&c, date("2010-07-01"), RESET);
    assert!(r.reasons.iter().any(|s| s.contains("an amendment executed on 2010-06-01")), "{:?}", r.reasons);
}

/// The entry-date-only policy is mentioned only when it made a difference: a renewal or an
/// amendment executed after the cutoff and by the day evaluated.
#[test]
fn the_entry_date_policy_is_cited_only_when_a_later_event_was_set_aside() {
    let cites = |events: Vec<EventFacts>, as_of: &str| {
        let mut c = contract("2008-01-01");
        c.events = events;
        let r = evaluate_contract(&c, date(as_of), ENTRY_ONLY);
        assert_eq!(r.status, Grandfathered);
        r.reason_codes.contains(&"policy_entry_date_only".to_string())
    };
    assert!(cites(vec![event(EventKind::Renewal, "2010-03-02")], "2010-03-02"), "executed that day");
    assert!(cites(vec![event(EventKind::Amendment, "2010-06-01")], "2011-01-01"));
    assert!(!cites(vec![], "2011-01-01"), "no event");
    assert!(!cites(vec![event(EventKind::Renewal, "2010-03-01")], "2011-01-01"), "on the cutoff: no reset anyway");
    assert!(!cites(vec![event(EventKind::Renewal, "2010-06-01")], "2010-05-31"), "not yet executed");
    assert!(!cites(vec![event(EventKind::Termination, "2010-06-01")], "2011-01-01"), "a termination resets nothing");
}
