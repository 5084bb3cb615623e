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
async fn unknown_routes_are_404_problems() {
    let app = TestApp::new().await;
    assert_problem(&app.send(TestRequest::get().uri("/nope")).await, 404);
    assert_problem(&app.get("/api/v1/nothing-here", "admin").await, 404);
    // A known path under another method: 405 (a_known_path_under_another_method_is_405…).
    assert_problem(&app.send(authed(&app, TestRequest::put().uri("/api/v1/vendors"))).await, 405);
}

#[actix_web::test]
async fn nul_characters_are_refused_before_the_database() {
    let app = TestApp::new().await;
    let res = app.post("/api/v1/vendors", "admin", json!({"name": "Nul\u{0}Corp"})).await;
    assert_problem(&res, 422);
    assert_problem(&app.get("/api/v1/vendors?q=a%00b", "admin").await, 400);
    assert_problem(&app.get("/api/v1/audit-events?actor=%00", "admin").await, 400);
}

#[actix_web::test]
async fn if_match_takes_any_well_formed_entity_tag_and_only_a_malformed_header_is_400() {
    let app = TestApp::new().await;
    let id = app.vendor(json!({"name": "Tagged"})).await["id"].as_str().unwrap().to_string();
    let patch = |if_match: &str, name: &str| {
        actix_web::test::TestRequest::patch()
            .uri(&format!("/api/v1/vendors/{id}"))
            .insert_header(("Authorization", format!("Bearer {}", app.token("admin"))))
            .insert_header(("If-Match", if_match.to_string()))
            .set_json(json!({"name": name}))
    };
    // Well-formed tags that do not match the current one ("1"): 412, weak ones included.
    for stale in ["\"stale\"", "\"0\"", "W/\"1\"", "\"7\", \"8\"", "\"\""] {
        assert_problem(&app.send(patch(stale, "X")).await, 412);
    }
    // A list holding the current tag, and *, match.
    let res = app.send(patch("\"0\", \"1\"", "Tagged 2")).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    assert_eq!(app.send(patch("*", "Tagged 3")).await.status, 200);
    // Only a header that is not * or a list of entity-tags is a bad request.
    for malformed in ["3", "\"3", "w/\"3\"", "\"a b\"", "\"1\" \"2\""] {
        assert_problem(&app.send(patch(malformed, "X")).await, 400);
    }
}

#[actix_web::test]
async fn a_known_path_under_another_method_is_405_with_allow_and_an_unknown_path_404() {
    let app = TestApp::new().await;
    let res = app.call(actix_web::http::Method::PUT, "/api/v1/vendors", "admin", Some(json!({}))).await;
    assert_problem(&res, 405);
    assert_eq!(res.header("allow").as_deref(), Some("GET, POST"));
    let res = app
        .call(
            actix_web::http::Method::POST,
            &format!("/api/v1/vendors/{}", uuid::Uuid::now_v7()),
            "admin",
            Some(json!({})),
        )
        .await;
    assert_problem(&res, 405);
    assert!(res.header("allow").unwrap().contains("PATCH"), "{:?}", res.header("allow"));
    assert_problem(&app.get("/api/v1/nowhere", "admin").await, 404);
    assert_problem(&app.call(actix_web::http::Method::DELETE, "/api/v1/nowhere", "admin", None).await, 404);
}

#[actix_web::test]
async fn without_a_valid_token_the_answer_is_401_whatever_else_is_wrong() {
    let app = TestApp::new().await;
    let bad_key = actix_web::test::TestRequest::post()
        .uri("/api/v1/vendors")
        .insert_header(("Idempotency-Key", "x".repeat(300)))
        .insert_header(("Content-Type", "application/json"))
        .set_payload("{not json");
    assert_problem(&app.send(bad_key).await, 401);
    let nul = actix_web::test::TestRequest::get().uri("/api/v1/vendors?q=a%00b");
    assert_problem(&app.send(nul).await, 401);
    let bad_query = actix_web::test::TestRequest::get()
        .uri("/api/v1/vendors?limit=banana")
        .insert_header(("Authorization", "Bearer not-a-token"));
    assert_problem(&app.send(bad_query).await, 401);
    // With a valid token the same mistakes are named.
    let with_token = actix_web::test::TestRequest::post()
        .uri("/api/v1/vendors")
        .insert_header(("Authorization", format!("Bearer {}", app.token("admin"))))
        .insert_header(("Idempotency-Key", "x".repeat(300)))
        .set_json(json!({"name": "Keyed"}));
    assert_problem(&app.send(with_token).await, 400);
}
