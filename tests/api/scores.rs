//! Capability scores through HTTP: the components, point in time, (f)1, snapshots on change and
//! the portfolio summary.

use actix_web::{http::Method, test::TestRequest};
use serde_json::{json, Value};

use crate::{
    questionnaires::published_small_template,
    support::{as_respondent, assert_problem, days_from_today, send_assessment_to, TestApp},
};

/// Sends the small template to the vendor, answers everything well, and accepts it: score 100.
pub async fn accepted_assessment(app: &TestApp, template: &str, vendor_id: &str) -> String {
    let (id, token) = send_assessment_to(app, template, vendor_id).await;
    let answers =
        json!({"answers": [{"question_code": "S.1", "answer": "yes"}, {"question_code": "S.2", "answer": "fast"}]});
    let res = as_respondent(app, &token, Method::PUT, "/api/v1/portal/answers", Some(answers)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let upload = TestRequest::post()
        .uri("/api/v1/portal/evidence?question_code=S.3&filename=soc2.pdf")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/pdf"))
        .set_payload(b"%PDF soc2".to_vec());
    assert_eq!(app.send(upload).await.status, 201);
    assert_eq!(as_respondent(app, &token, Method::POST, "/api/v1/portal/submit", None).await.status, 200);
    let res =
        app.post(&format!("/api/v1/assessments/{id}/decision"), "security", json!({"decision": "accepted"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    id
}

fn component<'a>(score: &'a Value, name: &str) -> &'a Value {
    score["components"].as_array().unwrap().iter().find(|c| c["name"] == name).unwrap()
}

fn adds_up(score: &Value) -> bool {
    let sum: i64 = score["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["points"].as_f64().unwrap() * 10.0).round() as i64)
        .sum();
    sum == (score["score"].as_f64().unwrap() * 10.0).round() as i64
}

#[actix_web::test]
async fn a_score_explains_every_point_and_is_reproducible_for_a_date() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "score").await;
    let vendor =
        app.vendor(json!({"name": "Payroll Co", "handles_pi": true, "access": "stores", "pi_elements": ["ssn"]})).await;
    let v = vendor["id"].as_str().unwrap().to_string();
    assert_eq!(vendor["risk_tier"], 1);
    let res = app
        .post(&format!("/api/v1/vendors/{v}/contracts"), "legal", json!({"title": "MSA", "entered_on": "2026-01-05"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let contract = res.body["id"].as_str().unwrap().to_string();
    for clause in ["security_measures", "breach_notification", "audit_rights"] {
        let res = app
            .put(&format!("/api/v1/contracts/{contract}/clauses/{clause}"), "legal", json!({"status": "present"}))
            .await;
        assert_eq!(res.status, 200, "{}", res.text);
    }
    assert_eq!(
        app.post(&format!("/api/v1/contracts/{contract}/clauses/security_measures/verify"), "legal", json!({}))
            .await
            .status,
        200
    );

    let path = format!("/api/v1/vendors/{v}/score");
    let before = app.get(&format!("{path}?as_of={}", days_from_today(0)), "auditor").await;
    assert_eq!(before.status, 200, "{}", before.text);
    let s = &before.body;
    assert_eq!(component(s, "questionnaire")["points"], 0.0);
    // Contract: 15 for a verified security term + 10 x 2/6 supporting clauses (rounded down to tenths).
    assert_eq!(component(s, "contract")["points"], 18.3);
    assert_eq!(component(s, "contract")["evidence"], json!([contract]));
    assert_eq!(s["f1"]["status"], "not_satisfied");
    assert_eq!(s["f1"]["reason_codes"], json!(["no_accepted_assessment"]));
    assert_eq!(s["f2"]["status"], "satisfied");
    assert!(adds_up(s));

    let assessment = accepted_assessment(&app, &template, &v).await;
    let today = days_from_today(0);
    let after = app.get(&format!("{path}?as_of={today}"), "auditor").await.body;
    // Default weights: questionnaire 35, contract 25, freshness 15, findings 15, incidents 10.
    assert_eq!(component(&after, "questionnaire")["points"], 35.0);
    assert_eq!(component(&after, "questionnaire")["evidence"], json!([assessment]));
    assert_eq!(component(&after, "freshness")["points"], 15.0);
    assert_eq!(component(&after, "incidents")["points"], 10.0);
    assert_eq!(after["score"], 93.3);
    assert_eq!(after["grade"], "A");
    assert!(adds_up(&after));
    // Selection diligence failed: the contract was signed before the assessment was accepted.
    assert_eq!(after["f1"]["status"], "not_satisfied");
    assert_eq!(after["f1"]["reason_codes"], json!(["selection"]));
    // Point in time: yesterday the assessment had not been accepted.
    let yesterday = app.get(&format!("{path}?as_of={}", days_from_today(-1)), "auditor").await.body;
    assert_eq!(component(&yesterday, "questionnaire")["points"], 0.0);
    // A year and a day on, the reassessment is overdue: freshness decays and (f)1 names retention.
    let late = app.get(&format!("{path}?as_of={}", days_from_today(366)), "auditor").await.body;
    assert!(component(&late, "freshness")["points"].as_f64().unwrap() < 15.0);
    assert!(late["f1"]["reason_codes"].as_array().unwrap().contains(&json!("retention")));
    // The same data and date give the same bytes.
    let a = app.get(&format!("{path}?as_of={today}"), "integration").await.text;
    let b = app.get(&format!("{path}?as_of={today}"), "procurement").await.text;
    assert_eq!(a, b);

    // A high finding, overdue: double weight, and (f)1 capability fails.
    let res = app
        .post(
            "/api/v1/findings",
            "security",
            json!({"vendor_id": v, "title": "No MFA", "severity": "high", "due_on": days_from_today(-1)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let finding = res.body["id"].as_str().unwrap().to_string();
    let with_finding = app.get(&format!("{path}?as_of={today}"), "auditor").await.body;
    // High costs 5 x 15/20 = 3.7 (tenths, rounded down), doubled when overdue.
    assert_eq!(component(&with_finding, "findings")["points"], 7.6);
    assert!(with_finding["f1"]["reasons"].as_array().unwrap().iter().any(|r| r.as_str().unwrap().contains(&finding)));
    let res = app.patch(&format!("/api/v1/findings/{finding}"), "security", json!({"status": "resolved"})).await;
    assert_eq!(res.status, 200);
    assert_eq!(component(&app.get(&format!("{path}?as_of={today}"), "auditor").await.body, "findings")["points"], 15.0);

    // Every change that moved the score left a snapshot, newest first, and a vendor.score_changed event.
    let history = app.get(&format!("{path}/history"), "auditor").await;
    assert_eq!(history.status, 200, "{}", history.text);
    let scores: Vec<f64> =
        history.body["items"].as_array().unwrap().iter().map(|s| s["score"].as_f64().unwrap()).collect();
    assert_eq!(scores.first(), Some(&93.3), "{scores:?}");
    assert!(scores.contains(&85.9), "{scores:?}");
    assert!(scores.len() >= 4, "{scores:?}");
    let audit = app.get(&format!("/api/v1/audit-events?subject_type=vendor&subject_id={v}&limit=100"), "auditor").await;
    let changes = audit.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "score_changed").count();
    assert_eq!(changes, scores.len());

    assert_problem(&app.get(&format!("{path}?as_of=2026-13-01"), "auditor").await, 400);
    assert_problem(&app.get(&format!("/api/v1/vendors/{}/score", uuid::Uuid::now_v7()), "auditor").await, 404);
}

#[actix_web::test]
async fn the_portfolio_summary_counts_ranks_and_lists_overdue_reassessments() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "portfolio").await;
    let assessed = app
        .vendor(json!({"name": "Assessed Co", "handles_pi": true, "access": "stores", "pi_elements": ["ssn"]}))
        .await;
    let never = app.vendor(json!({"name": "Never Assessed Co", "handles_pi": true, "access": "transmits"})).await;
    let no_pi = app.vendor(json!({"name": "Catering Co", "handles_pi": false})).await;
    accepted_assessment(&app, &template, assessed["id"].as_str().unwrap()).await;

    let res = app.get("/api/v1/portfolio/summary", "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let s = &res.body;
    assert_eq!(s["vendors"], 3);
    assert_eq!(s["by_f1"]["not_applicable"], 1);
    assert_eq!(s["by_f2"]["not_satisfied"], 2, "{s}");
    assert_eq!(s["by_tier"]["1"], 1);
    assert_eq!(s["by_grade"].as_object().unwrap().values().map(|v| v.as_u64().unwrap()).sum::<u64>(), 3);
    let riskiest: Vec<&str> = s["riskiest"].as_array().unwrap().iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(riskiest.len(), 3);
    assert_eq!(riskiest[0], "Never Assessed Co");
    let overdue = s["overdue_reassessments"].as_array().unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0]["vendor_id"], never["id"]);
    assert!(overdue[0]["last_accepted_on"].is_null());
    // In a year and a half the assessed vendor (tier 1, every 12 months) is overdue too.
    let later = app.get(&format!("/api/v1/portfolio/summary?as_of={}", days_from_today(550)), "auditor").await;
    assert_eq!(later.body["overdue_reassessments_total"], 2);
    let _ = no_pi;
}

/// Counts the queries that scoring one vendor runs.
fn queries_to_score(app: &TestApp, vendor_id: &str) -> usize {
    use std::sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    };

    use diesel::connection::{Connection, InstrumentationEvent};
    let mut conn = app.state.db.conn().unwrap();
    let n = Arc::new(AtomicUsize::new(0));
    let counter = n.clone();
    conn.set_instrumentation(move |event: InstrumentationEvent<'_>| {
        if matches!(event, InstrumentationEvent::StartQuery { .. }) {
            counter.fetch_add(1, Ordering::SeqCst);
        }
    });
    let vendor = oversee::vendors::store::get_required(&mut conn, vendor_id).unwrap();
    let today = chrono::Utc::now().date_naive();
    let (score, _) = oversee::scores::inputs::score_vendor(&mut conn, vendor, today, &Default::default()).unwrap();
    assert!(score.score >= 0.0);
    conn.set_instrumentation(diesel::connection::get_default_instrumentation());
    n.load(Ordering::SeqCst)
}

#[actix_web::test]
async fn scoring_takes_the_same_number_of_queries_whatever_the_history() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "bounded").await;
    let pi = |name: &str| json!({"name": name, "handles_pi": true, "access": "stores"});
    let small = app.vendor(pi("Small History Co")).await["id"].as_str().unwrap().to_string();
    let big = app.vendor(pi("Long History Co")).await["id"].as_str().unwrap().to_string();
    for i in 0..6 {
        let res = app
            .post(
                &format!("/api/v1/vendors/{big}/contracts"),
                "legal",
                json!({"title": format!("SOW {i}"), "entered_on": "2024-01-01"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        let contract = res.body["id"].as_str().unwrap().to_string();
        for clause in ["security_measures", "audit_rights", "encryption"] {
            let put = app
                .put(&format!("/api/v1/contracts/{contract}/clauses/{clause}"), "legal", json!({"status": "present"}))
                .await;
            assert_eq!(put.status, 200, "{}", put.text);
        }
        let renewal = json!({"kind": "renewal", "executed_on": "2025-01-01", "new_ends_on": "2026-12-31"});
        let event = app.post(&format!("/api/v1/contracts/{contract}/events"), "legal", renewal).await;
        assert_eq!(event.status, 201, "{}", event.text);
        let finding = app
            .post(
                "/api/v1/findings",
                "security",
                json!({"vendor_id": big, "title": format!("F{i}"), "severity": "low"}),
            )
            .await;
        assert_eq!(finding.status, 201, "{}", finding.text);
    }
    accepted_assessment(&app, &template, &big).await;
    accepted_assessment(&app, &template, &big).await;
    let (few, many) = (queries_to_score(&app, &small), queries_to_score(&app, &big));
    assert_eq!(few, many, "scoring must not run a query per contract, clause, assessment or finding");
    assert!((5..=10).contains(&many), "{many} queries");
}
