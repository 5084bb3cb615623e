use chrono::{Duration, NaiveDate};
use proptest::prelude::*;

use super::*;

fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn evaluation(id: &str, status: F2Status, verified: Option<bool>) -> ContractEvaluation {
    ContractEvaluation {
        contract_id: id.into(),
        contract_title: format!("Contract {id}"),
        status,
        clause_verified: verified,
        grandfathered_until: None,
        reason_codes: vec![],
        reasons: vec![],
    }
}

fn assessment(id: &str, decided: &str, score: f64, critical: i32) -> AssessmentFact {
    AssessmentFact {
        id: id.into(),
        accepted: true,
        decided_on: day(decided),
        score: Some(score),
        critical_failures: critical,
    }
}

fn finding(id: &str, severity: Severity, created: &str, due: Option<&str>) -> FindingFact {
    FindingFact {
        id: id.into(),
        severity,
        created_on: day(created),
        due_on: due.map(day),
        resolved_on: None,
        risk_accepted_on: None,
    }
}

fn clause(contract: &str, t: &str, from: &str) -> ClauseFact {
    ClauseFact {
        contract_id: contract.into(),
        clause_type: t.into(),
        present: true,
        effective_from: day(from),
        effective_to: None,
    }
}

fn incident(id: &str, reported: &str, determination: Determination, late_report: bool) -> IncidentFact {
    IncidentFact { id: id.into(), reported_on: day(reported), determination, late_report }
}

fn start(id: &str, entered: &str) -> ContractStart {
    ContractStart { id: id.into(), is_draft: false, entered_on: day(entered), effective_on: None }
}

#[derive(Debug, Clone)]
struct Case {
    handles_pi: bool,
    tier: i32,
    f2: Vec<ContractEvaluation>,
    contracts: Vec<ContractStart>,
    clauses: Vec<ClauseFact>,
    assessments: Vec<AssessmentFact>,
    findings: Vec<FindingFact>,
    incidents: Vec<IncidentFact>,
}

/// The weights these tests were written against (the model before incidents had a weight); the
/// incident tests below use the defaults.
fn without_incidents() -> Model {
    Model { questionnaire: 40, findings: 20, incidents: 0, ..Model::default() }
}

impl Case {
    /// A well-run tier-1 vendor: a verified contract with every supporting clause, assessed a
    /// month before it was signed and accepted at 90.
    fn good() -> Case {
        Case {
            handles_pi: true,
            tier: 1,
            f2: vec![evaluation("c1", F2Status::Satisfied, Some(true))],
            contracts: vec![start("c1", "2026-02-01")],
            clauses: SUPPORTING_CLAUSES.iter().map(|t| clause("c1", t, "2026-02-01")).collect(),
            assessments: vec![assessment("a1", "2026-01-01", 90.0, 0)],
            findings: vec![],
            incidents: vec![],
        }
    }

    fn eval(&self, as_of: &str) -> Capability {
        self.eval_with(&without_incidents(), day(as_of))
    }

    fn eval_with(&self, m: &Model, as_of: NaiveDate) -> Capability {
        let facts = VendorFacts {
            handles_pi: self.handles_pi,
            risk_tier: self.tier,
            f2_contracts: &self.f2,
            contracts: &self.contracts,
            clauses: &self.clauses,
            assessments: &self.assessments,
            findings: &self.findings,
            incidents: &self.incidents,
        };
        evaluate(m, &facts, as_of)
    }
}

fn points(c: &Capability, name: &str) -> f64 {
    c.components.iter().find(|x| x.name == name).map(|x| x.points).unwrap()
}

fn components_add_up(c: &Capability) -> bool {
    let sum: i64 = c.components.iter().map(|x| (x.points * 10.0).round() as i64).sum();
    sum == (c.score * 10.0).round() as i64
}

#[test]
fn a_well_run_vendor_scores_the_sum_of_its_parts() {
    let c = Case::good().eval("2026-06-01");
    // 40 x 0.9 + 25 + 15 + 20 + 0
    assert_eq!(c.score, 96.0);
    assert_eq!(c.grade, "A");
    assert_eq!(points(&c, "questionnaire"), 36.0);
    assert_eq!(points(&c, "contract"), 25.0);
    assert_eq!(c.f1.status, F1Status::Satisfied);
    assert!(components_add_up(&c));
    assert_eq!(c.model_version, MODEL_VERSION);
}

#[test]
fn grades_at_their_boundaries() {
    for (s, g) in [
        (100.0, "A"),
        (90.0, "A"),
        (89.9, "B"),
        (80.0, "B"),
        (79.9, "C"),
        (70.0, "C"),
        (69.9, "D"),
        (60.0, "D"),
        (59.9, "F"),
        (0.0, "F"),
    ] {
        assert_eq!(grade(s), g, "{s}");
    }
}

#[test]
fn only_facts_known_on_as_of_count() {
    let mut case = Case::good();
    case.assessments.push(assessment("a2", "2026-07-01", 50.0, 0));
    // Before a2 was accepted, a1 is the latest.
    assert_eq!(points(&case.eval("2026-06-30"), "questionnaire"), 36.0);
    assert_eq!(points(&case.eval("2026-07-01"), "questionnaire"), 20.0);
    // Before anything was accepted: nothing, and (f)1 is not satisfied.
    let early = case.eval("2025-12-31");
    assert_eq!(points(&early, "questionnaire"), 0.0);
    assert_eq!(early.f1.status, F1Status::NotSatisfied);
    assert_eq!(early.f1.reason_codes, vec!["no_accepted_assessment"]);
    // Rejected assessments never count.
    case.assessments[1].accepted = false;
    assert_eq!(points(&case.eval("2026-07-01"), "questionnaire"), 36.0);
}

#[test]
fn the_contract_part_follows_the_best_contract_in_force_and_the_clauses() {
    let mut case = Case::good();
    let c = |case: &Case| points(&case.eval("2026-06-01"), "contract");
    assert_eq!(c(&case), 25.0);
    case.f2 = vec![evaluation("c1", F2Status::Satisfied, Some(false))];
    assert_eq!(c(&case), 15.0 * 0.8 + 10.0);
    case.f2 = vec![evaluation("c1", F2Status::Grandfathered, None)];
    assert_eq!(c(&case), 9.0 + 10.0);
    case.f2 = vec![evaluation("c1", F2Status::NeedsReview, None)];
    assert_eq!(c(&case), 4.5 + 10.0);
    case.f2 = vec![evaluation("c1", F2Status::NotSatisfied, None)];
    assert_eq!(c(&case), 10.0);
    // A contract not in force brings neither status nor clauses.
    case.f2 = vec![evaluation("c1", F2Status::NotInForce, None)];
    assert_eq!(c(&case), 0.0);
    // The best of several wins.
    case.f2 = vec![evaluation("c1", F2Status::NeedsReview, None), evaluation("c2", F2Status::Satisfied, Some(true))];
    assert_eq!(c(&case), 15.0 + 10.0);
    // Clauses count from their effective date until their last day, and only when present.
    case.f2 = vec![evaluation("c1", F2Status::Satisfied, Some(true))];
    case.clauses = vec![clause("c1", "audit_rights", "2026-06-02"), clause("c1", "encryption", "2026-01-01")];
    case.clauses[1].effective_to = Some(day("2026-06-01"));
    // One of six clauses: 10 x 1/6, kept in whole tenths (rounded down).
    assert_eq!(c(&case), 16.6);
    case.clauses[1].effective_to = Some(day("2026-05-31"));
    assert_eq!(c(&case), 15.0);
    case.clauses = vec![ClauseFact { present: false, ..clause("c1", "encryption", "2026-01-01") }];
    assert_eq!(c(&case), 15.0);
    // A vendor without PI gets the contract part in full.
    case.handles_pi = false;
    case.f2 = vec![];
    assert_eq!(c(&case), 25.0);
}

#[test]
fn freshness_is_full_through_the_due_date_then_decays_over_one_interval() {
    let mut case = Case::good();
    case.assessments = vec![assessment("a1", "2025-01-15", 90.0, 0)];
    let f = |as_of: &str| points(&case.eval(as_of), "freshness");
    // Tier 1: every 12 months, due 2026-01-15.
    assert_eq!(f("2026-01-15"), 15.0);
    assert!(f("2026-01-16") < 15.0);
    assert!((f("2026-07-16") - 7.5).abs() < 0.2, "{}", f("2026-07-16"));
    assert_eq!(f("2027-01-15"), 0.0);
    assert_eq!(f("2030-01-01"), 0.0);
    // Tier 3: every 36 months.
    case.tier = 3;
    assert_eq!(points(&case.eval("2027-12-31"), "freshness"), 15.0);
    // Month ends: an assessment on 31 January is due on 28 (or 29) February a year on... by months.
    assert_eq!(reassessment_due(day("2027-01-31"), 1), day("2027-02-28"));
    assert_eq!(reassessment_due(day("2028-02-29"), 12), day("2029-02-28"));
}

#[test]
fn findings_cost_by_severity_double_when_overdue_half_when_accepted() {
    let mut case = Case::good();
    let f = |case: &Case, as_of: &str| points(&case.eval(as_of), "findings");
    case.findings = vec![finding("f1", Severity::High, "2026-03-01", Some("2026-05-01"))];
    assert_eq!(f(&case, "2026-02-28"), 20.0, "not raised yet");
    assert_eq!(f(&case, "2026-05-01"), 15.0, "due today is not overdue");
    assert_eq!(f(&case, "2026-05-02"), 10.0, "overdue weighs double");
    case.findings[0].risk_accepted_on = Some(day("2026-05-10"));
    assert_eq!(f(&case, "2026-05-10"), 17.5);
    case.findings[0].resolved_on = Some(day("2026-06-01"));
    assert_eq!(f(&case, "2026-06-01"), 20.0);
    // Never below zero.
    case.findings = (0..5).map(|i| finding(&format!("f{i}"), Severity::Critical, "2026-01-01", None)).collect();
    assert_eq!(f(&case, "2026-06-01"), 0.0);
    for (sev, cost) in
        [(Severity::Critical, 10.0), (Severity::High, 5.0), (Severity::Medium, 2.0), (Severity::Low, 1.0)]
    {
        case.findings = vec![finding("f", sev, "2026-01-01", None)];
        assert_eq!(f(&case, "2026-06-01"), 20.0 - cost, "{sev:?}");
    }
}

#[test]
fn a_failed_critical_question_caps_the_score_and_fails_f1() {
    let mut case = Case::good();
    case.assessments = vec![assessment("a1", "2026-01-01", 95.0, 1)];
    let c = case.eval("2026-06-01");
    assert_eq!(c.score, 59.0);
    assert_eq!(c.grade, "F");
    assert!(points(&c, "critical_cap") < 0.0);
    assert!(components_add_up(&c));
    assert_eq!(c.f1.status, F1Status::NotSatisfied);
    assert!(c.f1.reason_codes.contains(&"capability".to_string()));
    // A score already under the cap is not cut further.
    case.assessments = vec![assessment("a1", "2026-01-01", 0.0, 1)];
    case.f2 = vec![];
    let low = case.eval("2026-06-01");
    assert_eq!(points(&low, "critical_cap"), 0.0);
}

#[test]
fn f1_names_each_failing_part() {
    // Selection: the contract was entered before any assessment was accepted.
    let mut case = Case::good();
    case.assessments = vec![assessment("a1", "2026-03-01", 90.0, 0)];
    let c = case.eval("2026-06-01");
    assert_eq!((c.f1.status, c.f1.reason_codes.clone()), (F1Status::NotSatisfied, vec!["selection".to_string()]));
    // Accepted on the day the contract took effect is in time.
    case.assessments = vec![assessment("a1", "2026-02-01", 90.0, 0)];
    assert_eq!(case.eval("2026-06-01").f1.status, F1Status::Satisfied);
    // Contracts entered before 2010-03-01 need no prior diligence.
    case.contracts = vec![start("c0", "2010-03-01"), start("c1", "2026-02-01")];
    case.assessments = vec![assessment("a1", "2010-03-01", 90.0, 0)];
    assert!(!case.eval("2010-06-01").f1.reason_codes.contains(&"selection".to_string()));
    case.contracts = vec![start("c0", "2010-02-28")];
    case.assessments = vec![assessment("a1", "2010-04-01", 90.0, 0)];
    assert_eq!(case.eval("2010-06-01").f1.status, F1Status::Satisfied);

    // Retention: overdue reassessment is at risk, from the day after the due date.
    let mut case = Case::good();
    assert_eq!(case.eval("2027-01-01").f1.status, F1Status::Satisfied);
    let late = case.eval("2027-01-02");
    assert_eq!((late.f1.status, late.f1.reason_codes.clone()), (F1Status::AtRisk, vec!["retention".to_string()]));
    // Capability: an overdue high finding fails it; an overdue medium one does not.
    case.findings = vec![finding("f1", Severity::Medium, "2026-03-01", Some("2026-04-01"))];
    assert_eq!(case.eval("2026-06-01").f1.status, F1Status::Satisfied);
    case.findings = vec![finding("f1", Severity::High, "2026-03-01", Some("2026-04-01"))];
    let c = case.eval("2026-06-01");
    assert_eq!(c.f1.status, F1Status::NotSatisfied);
    assert!(c.f1.reasons.iter().any(|r| r.contains("f1")));
    // Below the threshold: at risk.
    let mut weak = Case::good();
    weak.assessments = vec![assessment("a1", "2026-01-01", 10.0, 0)];
    weak.f2 = vec![evaluation("c1", F2Status::NotSatisfied, None)];
    weak.clauses.clear();
    let c = weak.eval("2026-06-01");
    assert!(c.score < 70.0);
    assert_eq!(c.f1.status, F1Status::AtRisk);
    // No PI, or before the regulation: not applicable.
    let mut no_pi = Case::good();
    no_pi.handles_pi = false;
    assert_eq!(no_pi.eval("2026-06-01").f1.status, F1Status::NotApplicable);
    assert_eq!(Case::good().eval("2010-02-28").f1.status, F1Status::NotApplicable);
}

#[test]
fn the_model_reads_its_settings_and_refuses_bad_ones() {
    let m = Model::parse("questionnaire=50, contract=20,freshness=10,findings=20,incidents=0, reassess_months=6/12/24,incident_reassess_days=14").unwrap();
    assert_eq!((m.questionnaire, m.contract, m.reassess_months, m.incident_reassess_days), (50, 20, [6, 12, 24], 14));
    assert_eq!(Model::parse("").unwrap(), Model::default());
    for bad in [
        "questionnaire=50",
        "nope=1",
        "contract",
        "contract=x",
        "reassess_months=1/2",
        "reassess_months=0/12/24",
        "f1_threshold=101",
        "incident_reassess_days=366",
        "incident_reassess_days=-1",
    ] {
        assert!(Model::parse(bad).is_err(), "{bad}");
    }
    assert!(Model::default().check().is_ok(), "the default weights add up to 100");
    let c = Case::good().eval_with(&Model::default(), day("2026-06-01"));
    assert_eq!(points(&c, "incidents"), 10.0);
    assert!(components_add_up(&c));
}

fn arb_severity() -> impl Strategy<Value = Severity> {
    prop_oneof![Just(Severity::Low), Just(Severity::Medium), Just(Severity::High), Just(Severity::Critical)]
}

fn arb_status() -> impl Strategy<Value = (F2Status, Option<bool>)> {
    prop_oneof![
        Just((F2Status::Satisfied, Some(true))),
        Just((F2Status::Satisfied, Some(false))),
        Just((F2Status::Grandfathered, None)),
        Just((F2Status::NeedsReview, None)),
        Just((F2Status::NotSatisfied, None)),
        Just((F2Status::NotInForce, None)),
    ]
}

fn arb_determination() -> impl Strategy<Value = Determination> {
    prop_oneof![Just(Determination::Pending), Just(Determination::Breach), Just(Determination::NotABreach)]
}

const BASE: &str = "2020-01-01";

fn date(offset: i64) -> NaiveDate {
    day(BASE) + Duration::days(offset)
}

prop_compose! {
    fn arb_case()(
        handles_pi in any::<bool>(),
        tier in 1i32..=3,
        statuses in proptest::collection::vec(arb_status(), 0..3),
        clause_types in proptest::collection::vec((0usize..6, 0i64..2000, any::<bool>()), 0..6),
        assessments in proptest::collection::vec((0i64..2000, 0.0f64..=100.0, 0i32..3, any::<bool>()), 0..4),
        findings in proptest::collection::vec((arb_severity(), 0i64..2000, proptest::option::of(0i64..2500),
            proptest::option::of(0i64..2500), proptest::option::of(0i64..2500)), 0..6),
        incidents in proptest::collection::vec((0i64..2500, arb_determination(), any::<bool>()), 0..3),
    ) -> Case {
        Case {
            handles_pi,
            tier,
            f2: statuses.iter().enumerate().map(|(i, (s, v))| evaluation(&format!("c{i}"), *s, *v)).collect(),
            contracts: (0..statuses.len()).map(|i| start(&format!("c{i}"), "2019-06-01")).collect(),
            clauses: clause_types.iter().map(|(t, from, present)| ClauseFact {
                contract_id: "c0".into(), clause_type: SUPPORTING_CLAUSES[*t].into(), present: *present,
                effective_from: date(*from), effective_to: None,
            }).collect(),
            assessments: assessments.iter().enumerate().map(|(i, (on, s, crit, accepted))| AssessmentFact {
                id: format!("a{i}"), accepted: *accepted, decided_on: date(*on), score: Some(*s), critical_failures: *crit,
            }).collect(),
            findings: findings.iter().enumerate().map(|(i, (sev, created, due, resolved, accepted))| FindingFact {
                id: format!("f{i}"), severity: *sev, created_on: date(*created), due_on: due.map(date),
                resolved_on: resolved.map(|r| date(created + r.min(2500))), risk_accepted_on: accepted.map(date),
            }).collect(),
            incidents: incidents.iter().enumerate().map(|(i, (on, determination, late_report))| IncidentFact {
                id: format!("i{i}"), reported_on: date(*on), determination: *determination, late_report: *late_report,
            }).collect(),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn the_score_stays_in_range_and_its_components_add_up(case in arb_case(), as_of in 0i64..3000) {
        let c = case.eval_with(&Model::default(), date(as_of));
        prop_assert!((0.0..=100.0).contains(&c.score), "{}", c.score);
        prop_assert!(components_add_up(&c));
        for x in &c.components {
            prop_assert!(x.points <= x.max_points + 1e-9, "{x:?}");
        }
        prop_assert_eq!(c.grade.as_str(), grade(c.score));
    }

    #[test]
    fn the_same_facts_give_the_same_answer(case in arb_case(), as_of in 0i64..3000) {
        let a = serde_json::to_string(&case.eval_with(&Model::default(), date(as_of))).unwrap();
        let b = serde_json::to_string(&case.eval_with(&Model::default(), date(as_of))).unwrap();
        prop_assert_eq!(a, b);
    }

    #[test]
    fn a_verified_security_clause_never_lowers_the_score(case in arb_case(), as_of in 0i64..3000, which in 0usize..3) {
        let before = case.eval_with(&Model::default(), date(as_of)).score;
        let mut after = case;
        // The clause makes one contract in force satisfied and verified.
        if let Some(e) = after.f2.get_mut(which).filter(|e| e.status != F2Status::NotInForce) {
            e.status = F2Status::Satisfied;
            e.clause_verified = Some(true);
        }
        prop_assert!(after.eval_with(&Model::default(), date(as_of)).score >= before);
    }

    #[test]
    fn resolving_a_finding_never_lowers_the_score(case in arb_case(), as_of in 0i64..3000, which in 0usize..6, on in 0i64..3000) {
        let before = case.eval_with(&Model::default(), date(as_of)).score;
        let mut after = case;
        if let Some(f) = after.findings.get_mut(which) {
            let resolved = date(on).max(f.created_on);
            f.resolved_on = Some(f.resolved_on.map_or(resolved, |r| r.min(resolved)));
        }
        prop_assert!(after.eval_with(&Model::default(), date(as_of)).score >= before);
    }

    #[test]
    fn an_incident_never_raises_the_score(case in arb_case(), as_of in 0i64..3000, on in 0i64..3000,
        determination in arb_determination(), late in any::<bool>()) {
        let before = case.eval_with(&Model::default(), date(as_of)).score;
        let mut after = case;
        after.incidents.push(IncidentFact { id: "new".into(), reported_on: date(on), determination, late_report: late });
        prop_assert!(after.eval_with(&Model::default(), date(as_of)).score <= before);
    }

    #[test]
    fn an_overdue_reassessment_never_raises_the_score(case in arb_case(), as_of in 0i64..3000, later in 0i64..1000) {
        // Hold every other fact still while time passes: no findings (they may be resolved
        // later), no incidents (they leave their window) and clauses in effect from the start.
        let mut case = case;
        case.findings.clear();
        case.incidents.clear();
        for c in &mut case.clauses {
            c.effective_from = date(0);
        }
        let m = Model::default();
        let (t0, t1) = (date(as_of), date(as_of + later));
        let same_latest = latest_accepted(&case.assessments, t0).map(|a| &a.id) == latest_accepted(&case.assessments, t1).map(|a| &a.id);
        prop_assume!(same_latest);
        let (now, then) = (case.eval_with(&m, t0), case.eval_with(&m, t1));
        prop_assert!(points(&then, "freshness") <= points(&now, "freshness"));
        prop_assert!(then.score <= now.score, "{} then, {} now", then.score, now.score);
    }
}

// Incidents: the component (default weight 10) and the reassessment they make due.

fn with_incidents(incidents: Vec<IncidentFact>) -> Case {
    Case { incidents, ..Case::good() }
}

fn incident_points(case: &Case, as_of: &str) -> f64 {
    let c = case.eval_with(&Model::default(), day(as_of));
    assert!(components_add_up(&c));
    points(&c, "incidents")
}

#[test]
fn an_incident_counts_from_the_day_it_was_reported_for_twenty_four_months() {
    let case = with_incidents(vec![incident("i1", "2026-03-01", Determination::Breach, false)]);
    assert_eq!(incident_points(&case, "2026-02-28"), 10.0, "not known yet");
    assert_eq!(incident_points(&case, "2026-03-01"), 4.0, "a breach costs 60% of the weight");
    assert_eq!(incident_points(&case, "2028-02-29"), 4.0, "still inside the window");
    assert_eq!(incident_points(&case, "2028-03-01"), 10.0, "24 months on, it no longer counts");
    let c = case.eval_with(&Model::default(), day("2026-03-01"));
    let component = c.components.iter().find(|x| x.name == "incidents").unwrap();
    assert_eq!(component.evidence, vec!["i1".to_string()]);
    assert!(component.reasons[0].contains("determination breach"), "{:?}", component.reasons);
}

#[test]
fn the_determination_and_a_late_report_set_the_cost() {
    let cost = |determination, late| {
        10.0 - incident_points(&with_incidents(vec![incident("i1", "2026-03-01", determination, late)]), "2026-04-01")
    };
    assert_eq!(cost(Determination::NotABreach, false), 1.0);
    assert_eq!(cost(Determination::Pending, false), 4.0);
    assert_eq!(cost(Determination::Breach, false), 6.0);
    assert_eq!(cost(Determination::NotABreach, true), 4.0);
    assert_eq!(cost(Determination::Pending, true), 7.0);
    assert_eq!(cost(Determination::Breach, true), 9.0);
    let two = with_incidents(vec![
        incident("i1", "2026-03-01", Determination::Breach, false),
        incident("i2", "2026-03-02", Determination::Breach, true),
    ]);
    assert_eq!(incident_points(&two, "2026-04-01"), 0.0, "never below zero");
    assert_eq!(incident_points(&Case::good(), "2026-04-01"), 10.0);
}

#[test]
fn an_incident_after_the_latest_acceptance_brings_the_reassessment_forward() {
    // Accepted 2026-01-01, tier 1: regularly due 2027-01-01. Reported 2026-06-10: due 2026-07-10.
    let case = with_incidents(vec![incident("i1", "2026-06-10", Determination::Pending, false)]);
    let m = Model::default();
    let eval = |as_of: &str| case.eval_with(&m, day(as_of));
    assert_eq!(points(&eval("2026-06-09"), "freshness"), 15.0);
    assert_eq!(points(&eval("2026-07-10"), "freshness"), 15.0, "due that day, not overdue");
    assert!(points(&eval("2026-07-11"), "freshness") < 15.0);
    assert!(!eval("2026-07-10").f1.reason_codes.contains(&"retention".to_string()));
    let late = eval("2026-07-11");
    assert!(late.f1.reason_codes.contains(&"retention".to_string()), "{:?}", late.f1);
    assert!(late.f1.reasons.iter().any(|r| r.contains("incident i1 reported on 2026-06-10")), "{:?}", late.f1.reasons);
    let fresh = late.components.iter().find(|x| x.name == "freshness").unwrap();
    assert!(fresh.evidence.contains(&"i1".to_string()));
}

#[test]
fn which_incidents_bring_the_reassessment_forward() {
    let m = Model::default();
    let accepted = day("2026-01-01");
    let due = |reported: &str, as_of: &str| {
        let incidents = [incident("i1", reported, Determination::Breach, false)];
        let next = next_reassessment(&m, 1, accepted, &incidents, day(as_of));
        (next.due, next.incident.is_some())
    };
    assert_eq!(due("2025-12-31", "2026-06-01"), (day("2027-01-01"), false), "before the acceptance");
    assert_eq!(due("2026-01-01", "2026-06-01"), (day("2026-01-31"), true), "on the day of the acceptance");
    assert_eq!(due("2026-06-10", "2026-06-09"), (day("2027-01-01"), false), "not reported yet on as_of");
    assert_eq!(due("2026-12-01", "2026-12-01"), (day("2026-12-31"), true));
    assert_eq!(due("2026-12-02", "2026-12-02"), (day("2027-01-01"), false), "30 days on is the regular day");
    assert_eq!(due("2026-12-03", "2026-12-03"), (day("2027-01-01"), false), "later than the regular day");
    let earliest = [
        incident("i2", "2026-05-01", Determination::Pending, false),
        incident("i1", "2026-03-01", Determination::NotABreach, false),
    ];
    let next = next_reassessment(&m, 1, accepted, &earliest, day("2026-06-01"));
    assert_eq!((next.due, next.incident.map(|i| i.id.as_str())), (day("2026-03-31"), Some("i1")));
    let zero = Model { incident_reassess_days: 0, ..Model::default() };
    assert_eq!(next_reassessment(&zero, 1, accepted, &earliest, day("2026-06-01")).due, day("2026-03-01"));
}
