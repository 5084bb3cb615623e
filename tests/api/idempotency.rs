use actix_web::test::TestRequest;
use serde_json::{json, Value};

use crate::support::{assert_problem, TestApp};

fn create(app: &TestApp, key: &str, body: Value, sub: &str) -> TestRequest {
    TestRequest::post()
        .uri("/api/v1/vendors")
        .insert_header(("Authorization", format!("Bearer {}", app.token_for(sub, "procurement"))))
        .insert_header(("Idempotency-Key", key))
        .set_json(body)
}

#[actix_web::test]
async fn a_retried_create_replays_the_first_response_and_creates_once() {
    let app = TestApp::new().await;
    let body = json!({"name": "Retry Corp"});
    let first = app.send(create(&app, "ticket-42", body.clone(), "jira@example.com")).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let again = app.send(create(&app, "ticket-42", body.clone(), "jira@example.com")).await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body, first.body);
    assert_eq!(again.header("location"), first.header("location"));
    assert_eq!(again.header("etag"), first.header("etag"));
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let list = app.get("/api/v1/vendors", "admin").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1, "created exactly once");
    let audit = app.get("/api/v1/audit-events?subject_type=vendor", "admin").await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 1);

    // Same key, different body: a conflict, nothing created.
    let other = app.send(create(&app, "ticket-42", json!({"name": "Other Corp"}), "jira@example.com")).await;
    assert_problem(&other, 409);
    // Keys belong to the caller: another subject may use the same key.
    let mine = app.send(create(&app, "ticket-42", json!({"name": "Other Corp"}), "servicenow@example.com")).await;
    assert_eq!(mine.status, 201);
}

#[actix_web::test]
async fn client_errors_are_replayed_too_but_bad_keys_are_refused() {
    let app = TestApp::new().await;
    let bad = json!({"name": ""});
    let first = app.send(create(&app, "k", bad.clone(), "a@example.com")).await;
    assert_problem(&first, 422);
    let again = app.send(create(&app, "k", bad, "a@example.com")).await;
    assert_problem(&again, 422);
    assert_eq!(again.header("idempotent-replayed").as_deref(), Some("true"));
    let res = app.send(create(&app, "has space", json!({"name": "X"}), "a@example.com")).await;
    assert_problem(&res, 400);
}
