use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{assert_problem, TestApp};

#[actix_web::test]
async fn every_change_is_audited_with_actor_before_and_after() {
    let app = TestApp::new().await;
    let req = TestRequest::post()
        .uri("/api/v1/vendors")
        .insert_header(("Authorization", format!("Bearer {}", app.token_for("pat@example.com", "procurement"))))
        .insert_header(("X-Request-Id", "trace-123"))
        .set_json(json!({"name": "Acme", "criticality": "low"}));
    let created = app.send(req).await;
    assert_eq!(created.status, 201);
    let id = created.body["id"].as_str().unwrap().to_string();
    app.patch(&format!("/api/v1/vendors/{id}"), "admin", json!({"criticality": "high"})).await;
    app.delete(&format!("/api/v1/vendors/{id}"), "admin").await;
    // A refused change leaves no trace.
    assert_problem(&app.patch(&format!("/api/v1/vendors/{id}"), "admin", json!({"name": "B"})).await, 409);

    let res = app.get(&format!("/api/v1/audit-events?subject_type=vendor&subject_id={id}"), "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let events = res.body["items"].as_array().unwrap();
    let actions: Vec<&str> = events.iter().map(|e| e["action"].as_str().unwrap()).collect();
    // The update also recomputed the capability score, in the same transaction.
    assert_eq!(actions, vec!["archived", "score_changed", "updated", "created"], "newest first");
    let created_ev = &events[3];
    assert_eq!(created_ev["actor_sub"], "pat@example.com");
    assert_eq!(created_ev["actor_role"], "procurement");
    assert_eq!(created_ev["request_id"], "trace-123");
    assert!(created_ev["before"].is_null());
    assert_eq!(created_ev["after"]["name"], "Acme");
    let updated = &events[2];
    assert_eq!(updated["before"]["criticality"], "low");
    assert_eq!(updated["after"]["criticality"], "high");
    assert_eq!(updated["actor_sub"], "tester@example.com");

    let by_actor = app.get("/api/v1/audit-events?actor=pat@example.com", "admin").await;
    assert_eq!(by_actor.body["items"].as_array().unwrap().len(), 1);
    let paged = app.get("/api/v1/audit-events?limit=2", "admin").await;
    assert_eq!(paged.body["items"].as_array().unwrap().len(), 2);
    let next = paged.body["next_cursor"].as_str().unwrap();
    let last = app.get(&format!("/api/v1/audit-events?limit=2&cursor={next}"), "admin").await;
    assert_eq!(last.body["items"][1]["action"], "created");
    assert!(last.body["next_cursor"].is_null());
}

#[actix_web::test]
async fn audit_log_is_for_admins_and_auditors_only() {
    let app = TestApp::new().await;
    for role in ["procurement", "legal", "security", "integration", "respondent"] {
        assert_problem(&app.get("/api/v1/audit-events", role).await, 403);
    }
}
