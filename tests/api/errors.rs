//! Bad input of every kind gets a problem+json 4xx, never a 500.

use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{assert_problem, TestApp};

fn authed(app: &TestApp, req: TestRequest) -> TestRequest {
    req.insert_header(("Authorization", format!("Bearer {}", app.token("admin"))))
}

#[actix_web::test]
async fn malformed_json_is_400() {
    let app = TestApp::new().await;
    for body in ["{", "nope", "", "[1,2"] {
        let req = authed(&app, TestRequest::post().uri("/api/v1/vendors"))
            .insert_header(("Content-Type", "application/json"))
            .set_payload(body);
        assert_problem(&app.send(req).await, 400);
    }
}

#[actix_web::test]
async fn wrong_content_type_is_415() {
    let app = TestApp::new().await;
    for ct in [Some("text/plain"), Some("application/x-www-form-urlencoded"), None] {
        let mut req = authed(&app, TestRequest::post().uri("/api/v1/vendors")).set_payload(r#"{"name":"A"}"#);
        if let Some(ct) = ct {
            req = req.insert_header(("Content-Type", ct));
        }
        assert_problem(&app.send(req).await, 415);
    }
    // +json media types are JSON too.
    let req = authed(&app, TestRequest::post().uri("/api/v1/vendors"))
        .insert_header(("Content-Type", "application/merge-patch+json"))
        .set_payload(r#"{"name":"A"}"#);
    assert_eq!(app.send(req).await.status, 201);
}

#[actix_web::test]
async fn unknown_fields_and_wrong_types_are_422() {
    let app = TestApp::new().await;
    let res = app.post("/api/v1/vendors", "admin", json!({"name": "A", "colour": "red"})).await;
    assert_problem(&res, 422);
    assert_eq!(res.body["errors"][0]["field"], "colour");
    let res = app.post("/api/v1/vendors", "admin", json!({"name": 5})).await;
    assert_problem(&res, 422);
    let res = app.post("/api/v1/vendors", "admin", json!({})).await;
    assert_problem(&res, 422);
    assert_eq!(res.body["errors"][0]["field"], "name");
}

#[actix_web::test]
async fn bodies_over_the_limit_are_413() {
    let app = TestApp::with_env(&[("OVERSEE_BODY_LIMIT_BYTES", "2048")]).await;
    let big = json!({"name": "A", "description": "x".repeat(4000)});
    assert_problem(&app.post("/api/v1/vendors", "admin", big.clone()).await, 413);
    // The same through the idempotency path, which reads the body itself.
    let req =
        authed(&app, TestRequest::post().uri("/api/v1/vendors")).insert_header(("Idempotency-Key", "k1")).set_json(big);
    assert_problem(&app.send(req).await, 413);
    // The default limit is 1 MiB.
    let app = TestApp::new().await;
    let res = app.post("/api/v1/vendors", "admin", json!({"name": "A", "description": "x".repeat(1_100_000)})).await;
    assert_problem(&res, 413);
}

#[actix_web::test]
async fn unknown_routes_and_methods_are_404_problems() {
    let app = TestApp::new().await;
    assert_problem(&app.send(TestRequest::get().uri("/nope")).await, 404);
    assert_problem(&app.get("/api/v1/nothing-here", "admin").await, 404);
    assert_problem(&app.send(authed(&app, TestRequest::put().uri("/api/v1/vendors"))).await, 404);
}

#[actix_web::test]
async fn bad_if_match_is_400() {
    let app = TestApp::new().await;
    let v = app.vendor(json!({"name": "A"})).await;
    let req = authed(&app, TestRequest::patch().uri(&format!("/api/v1/vendors/{}", v["id"].as_str().unwrap())))
        .insert_header(("If-Match", "W/\"weak\""))
        .set_json(json!({"name": "B"}));
    assert_problem(&app.send(req).await, 400);
}

#[actix_web::test]
async fn nul_characters_are_refused_before_the_database() {
    let app = TestApp::new().await;
    let res = app.post("/api/v1/vendors", "admin", json!({"name": "Nul\u{0}Corp"})).await;
    assert_problem(&res, 422);
    assert_problem(&app.get("/api/v1/vendors?q=a%00b", "admin").await, 400);
    assert_problem(&app.get("/api/v1/audit-events?actor=%00", "admin").await, 400);
}
