use std::collections::BTreeMap;

use serde_json::{json, Value};

use super::*;

fn q(code: &str, answer_type: AnswerType) -> Question {
    Question {
        code: code.into(),
        text: format!("Question {code}?"),
        help: None,
        answer_type,
        options: Vec::new(),
        weight: 1.0,
        critical: false,
        expected: answer_type.is_yes_no().then(|| "yes".to_string()),
        refs: Vec::new(),
    }
}

fn opt(value: &str, score: f64) -> ChoiceOption {
    ChoiceOption { value: value.into(), label: value.to_uppercase(), score }
}

fn choice(code: &str, t: AnswerType) -> Question {
    Question { options: vec![opt("none", 0.0), opt("some", 50.0), opt("all", 100.0)], ..q(code, t) }
}

fn section(code: &str, questions: Vec<Question>) -> Section {
    Section { code: code.into(), title: format!("Section {code}"), questions }
}

fn answered(v: Value) -> AnswerFacts {
    AnswerFacts { value: Some(v), ..Default::default() }
}

fn answers(items: Vec<(&str, AnswerFacts)>) -> BTreeMap<String, AnswerFacts> {
    items.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn fields(problems: &[Problem]) -> Vec<&str> {
    problems.iter().map(|p| p.field.as_str()).collect()
}

#[test]
fn a_well_formed_template_has_no_problems() {
    let s = vec![
        section("A", vec![q("A.1", AnswerType::YesNo), q("A.2", AnswerType::YesNoNa), q("A.3", AnswerType::Text)]),
        section("B", vec![choice("B.1", AnswerType::SingleChoice), choice("B.2", AnswerType::MultiChoice)]),
    ];
    assert_eq!(validate_sections(&s), vec![]);
}

#[test]
fn duplicate_and_malformed_codes_are_named_by_path() {
    let s = vec![
        section("A", vec![q("A.1", AnswerType::YesNo), q("A.1", AnswerType::YesNo)]),
        section("A", vec![q("bad code", AnswerType::YesNo)]),
        section("", vec![q(&"x".repeat(65), AnswerType::YesNo)]),
    ];
    assert_eq!(
        fields(&validate_sections(&s)),
        vec![
            "sections[0].questions[1].code",
            "sections[1].code",
            "sections[1].questions[0].code",
            "sections[2].code",
            "sections[2].questions[0].code",
        ]
    );
    // 64 characters is the longest code allowed.
    assert_eq!(validate_sections(&[section("A", vec![q(&"x".repeat(64), AnswerType::YesNo)])]), vec![]);
}

#[test]
fn sections_need_questions_and_titles() {
    let mut s = section("A", vec![]);
    s.title = "  ".into();
    assert_eq!(fields(&validate_sections(&[s])), vec!["sections[0].title", "sections[0].questions"]);
}

#[test]
fn choice_questions_need_distinct_options_with_a_positive_score() {
    let mut one = choice("C.1", AnswerType::SingleChoice);
    one.options.truncate(1);
    let mut dup = choice("C.2", AnswerType::MultiChoice);
    dup.options[1].value = "none".into();
    let mut zero = choice("C.3", AnswerType::SingleChoice);
    for o in &mut zero.options {
        o.score = 0.0;
    }
    let mut out_of_range = choice("C.4", AnswerType::SingleChoice);
    out_of_range.options[2].score = 100.5;
    let mut stray = q("C.5", AnswerType::Text);
    stray.options = vec![opt("a", 1.0), opt("b", 2.0)];
    let p = validate_sections(&[section("C", vec![one, dup, zero, out_of_range, stray])]);
    assert_eq!(
        fields(&p),
        vec![
            "sections[0].questions[0].options",
            "sections[0].questions[1].options[1].value",
            "sections[0].questions[2].options",
            "sections[0].questions[3].options[2].score",
            "sections[0].questions[4].options",
        ]
    );
    // An informational choice question (weight 0) may have only zero scores.
    let mut info = choice("C.6", AnswerType::SingleChoice);
    info.weight = 0.0;
    for o in &mut info.options {
        o.score = 0.0;
    }
    assert_eq!(validate_sections(&[section("C", vec![info])]), vec![]);
}

#[test]
fn expected_answers_belong_to_scored_yes_no_questions_only() {
    let mut missing = q("Y.1", AnswerType::YesNo);
    missing.expected = None;
    let mut wrong = q("Y.2", AnswerType::YesNoNa);
    wrong.expected = Some("na".into());
    let mut stray = q("Y.3", AnswerType::Number);
    stray.expected = Some("yes".into());
    let mut info = q("Y.4", AnswerType::YesNo);
    info.expected = None;
    info.weight = 0.0;
    let p = validate_sections(&[section("Y", vec![missing, wrong, stray, info.clone()])]);
    assert_eq!(
        fields(&p),
        vec![
            "sections[0].questions[0].expected",
            "sections[0].questions[1].expected",
            "sections[0].questions[2].expected",
        ]
    );
    // ...unless it is critical: a critical question must know what passes.
    info.critical = true;
    assert_eq!(fields(&validate_sections(&[section("Y", vec![info])])), vec!["sections[0].questions[0].expected"]);
}

#[test]
fn weights_critical_flags_and_refs_are_checked() {
    let mut heavy = q("W.1", AnswerType::YesNo);
    heavy.weight = 100.01;
    let mut negative = q("W.2", AnswerType::YesNo);
    negative.weight = -1.0;
    let mut critical_text = q("W.3", AnswerType::Text);
    critical_text.critical = true;
    let mut blank_ref = q("W.4", AnswerType::YesNo);
    blank_ref.refs = vec![Ref { framework: "NIST SP 800-53".into(), version: " ".into(), id: "SA-9".into() }];
    let p = validate_sections(&[section("W", vec![heavy, negative, critical_text, blank_ref])]);
    assert_eq!(
        fields(&p),
        vec![
            "sections[0].questions[0].weight",
            "sections[0].questions[1].weight",
            "sections[0].questions[2].critical",
            "sections[0].questions[3].refs[0].version",
        ]
    );
    let mut max = q("W.5", AnswerType::YesNo);
    max.weight = 100.0;
    assert_eq!(validate_sections(&[section("W", vec![max])]), vec![]);
}

#[test]
fn answers_must_fit_their_question() {
    let cases: Vec<(Question, Vec<Value>, Vec<Value>)> = vec![
        (q("a", AnswerType::YesNo), vec![json!("yes"), json!("no")], vec![json!("na"), json!(true), json!("Yes")]),
        (q("b", AnswerType::YesNoNa), vec![json!("yes"), json!("no"), json!("na")], vec![json!("n/a"), json!(1)]),
        (choice("c", AnswerType::SingleChoice), vec![json!("some")], vec![json!("most"), json!(["some"])]),
        (
            choice("d", AnswerType::MultiChoice),
            vec![json!([]), json!(["none", "all"])],
            vec![json!("all"), json!(["all", "all"]), json!(["other"]), json!([1])],
        ),
        (
            q("e", AnswerType::Text),
            vec![json!(""), json!("x".repeat(MAX_TEXT_ANSWER))],
            vec![json!(3), json!("x".repeat(MAX_TEXT_ANSWER + 1))],
        ),
        (q("f", AnswerType::Number), vec![json!(0), json!(-2.5)], vec![json!("3"), json!(null)]),
        (
            q("g", AnswerType::Date),
            vec![json!("2026-02-28"), json!("2028-02-29")],
            vec![json!("2026-02-29"), json!("2026-2-1"), json!("tomorrow")],
        ),
        (q("h", AnswerType::Evidence), vec![json!("see attached SOC 2 report")], vec![json!(["file"])]),
    ];
    for (question, good, bad) in cases {
        for v in good {
            assert_eq!(answer_problem(&question, &v), None, "{} should accept {v}", question.code);
        }
        for v in bad {
            assert!(answer_problem(&question, &v).is_some(), "{} should refuse {v}", question.code);
        }
    }
}

#[test]
fn yes_no_scores_the_expected_answer_and_na_is_not_counted() {
    let mut expects_no = q("Q.2", AnswerType::YesNo);
    expects_no.expected = Some("no".into());
    let s = vec![section("S", vec![q("Q.1", AnswerType::YesNoNa), expects_no, q("Q.3", AnswerType::YesNo)])];
    let r = score(&s, &answers(vec![("Q.1", answered(json!("na"))), ("Q.2", answered(json!("no")))]));
    // Q.1 does not count; Q.2 earns 1 of 1; Q.3 unanswered earns 0 of 1.
    assert_eq!((r.earned, r.possible, r.total), (1.0, 2.0, Some(50.0)));
    assert_eq!(r.unanswered_required, vec!["Q.3"]);
    assert_eq!(r.sections[0].answered, 2);
}

#[test]
fn choice_scores_are_relative_to_the_best_option() {
    let mut heavy = choice("C.2", AnswerType::MultiChoice);
    heavy.weight = 3.0;
    let s = vec![section("C", vec![choice("C.1", AnswerType::SingleChoice), heavy])];
    let r = score(&s, &answers(vec![("C.1", answered(json!("some"))), ("C.2", answered(json!(["some"])))]));
    // C.1: 50/100 x 1 = 0.5; C.2: 50/150 x 3 = 1.0.
    assert!((r.earned - 1.5).abs() < 1e-9, "{}", r.earned);
    assert_eq!(r.possible, 4.0);
    assert_eq!(r.total, Some(37.5));
    let all = score(&s, &answers(vec![("C.1", answered(json!("all"))), ("C.2", answered(json!(["some", "all"])))]));
    assert_eq!(all.total, Some(100.0));
    let none = score(&s, &answers(vec![("C.1", answered(json!("none"))), ("C.2", answered(json!([])))]));
    assert_eq!(none.total, Some(0.0));
    assert!(none.unanswered_required.is_empty(), "an empty selection is an answer");
}

#[test]
fn evidence_counts_only_with_a_file() {
    let s = vec![section("E", vec![q("E.1", AnswerType::Evidence)])];
    let note_only = score(&s, &answers(vec![("E.1", answered(json!("will send later")))]));
    assert_eq!(note_only.total, Some(0.0));
    assert_eq!(note_only.unanswered_required, vec!["E.1"]);
    let with_file = score(&s, &answers(vec![("E.1", AnswerFacts { evidence_files: 1, ..Default::default() })]));
    assert_eq!(with_file.total, Some(100.0));
    assert!(with_file.unanswered_required.is_empty());
}

#[test]
fn informational_questions_never_score_and_are_optional() {
    let mut zero = q("I.4", AnswerType::YesNo);
    zero.weight = 0.0;
    let s = vec![section(
        "I",
        vec![q("I.1", AnswerType::Text), q("I.2", AnswerType::Number), q("I.3", AnswerType::Date), zero],
    )];
    let r = score(&s, &BTreeMap::new());
    assert_eq!((r.total, r.possible), (None, 0.0));
    assert_eq!(r.sections[0].score, None);
    assert!(r.unanswered_required.is_empty());
}

#[test]
fn flagged_answers_earn_nothing() {
    let s = vec![section("F", vec![q("F.1", AnswerType::YesNo), q("F.2", AnswerType::YesNo)])];
    let flagged = AnswerFacts { value: Some(json!("yes")), flagged: true, ..Default::default() };
    let r = score(&s, &answers(vec![("F.1", flagged), ("F.2", answered(json!("yes")))]));
    assert_eq!(r.total, Some(50.0));
    assert_eq!(r.flagged, 1);
}

#[test]
fn critical_failures_name_the_question_and_why() {
    let crit = |code: &str, t: AnswerType| Question { critical: true, ..q(code, t) };
    let mut crit_choice = choice("K.5", AnswerType::SingleChoice);
    crit_choice.critical = true;
    let mut crit_half = choice("K.6", AnswerType::SingleChoice);
    crit_half.critical = true;
    let s = vec![section(
        "K",
        vec![
            crit("K.1", AnswerType::YesNo),
            crit("K.2", AnswerType::YesNo),
            crit("K.3", AnswerType::YesNo),
            crit("K.4", AnswerType::YesNoNa),
            crit_choice,
            crit_half,
        ],
    )];
    let r = score(
        &s,
        &answers(vec![
            ("K.1", answered(json!("no"))),
            ("K.3", AnswerFacts { value: Some(json!("yes")), flagged: true, ..Default::default() }),
            ("K.4", answered(json!("na"))),
            ("K.5", answered(json!("none"))),
            ("K.6", answered(json!("some"))),
        ]),
    );
    let got: Vec<(&str, &str)> =
        r.critical_failures.iter().map(|f| (f.question_code.as_str(), f.reason.as_str())).collect();
    // K.4 answered "na" is not a failure; K.6 earns exactly half, which passes.
    assert_eq!(got, vec![("K.1", "wrong_answer"), ("K.2", "unanswered"), ("K.3", "flagged"), ("K.5", "wrong_answer")]);
}

#[test]
fn section_scores_add_up_to_the_total_and_round_to_one_decimal() {
    let s = vec![
        section("A", vec![q("A.1", AnswerType::YesNo), q("A.2", AnswerType::YesNo), q("A.3", AnswerType::YesNo)]),
        section("B", vec![q("B.1", AnswerType::YesNo)]),
    ];
    let r = score(&s, &answers(vec![("A.1", answered(json!("yes"))), ("B.1", answered(json!("yes")))]));
    assert_eq!(r.sections[0].score, Some(33.3));
    assert_eq!(r.sections[1].score, Some(100.0));
    assert_eq!(r.total, Some(50.0));
    assert_eq!(r.earned, r.sections.iter().map(|s| s.earned).sum::<f64>());
}

#[test]
fn lookups() {
    let s = vec![section("A", vec![q("A.1", AnswerType::YesNo)]), section("B", vec![q("B.1", AnswerType::Text)])];
    assert_eq!(find_question(&s, "B.1").map(|q| q.answer_type), Some(AnswerType::Text));
    assert!(find_question(&s, "C.1").is_none());
    assert_eq!(question_count(&s), 2);
    assert!(q("x", AnswerType::YesNo).is_required());
    assert!(!q("x", AnswerType::Text).is_required());
}
