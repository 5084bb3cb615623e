use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::TestApp;

#[actix_web::test]
async fn health_readiness_and_metrics() {
    let app = TestApp::new().await;
    let res = app.send(TestRequest::get().uri("/healthz")).await;
    assert_eq!(res.body["status"], "ok");
    let res = app.send(TestRequest::get().uri("/readyz")).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["status"], "ready");
    let vendor = app.vendor(json!({"name": "Counted"})).await;
    app.get("/api/v1/vendors", "admin").await;
    app.get(&format!("/api/v1/vendors/{}", vendor["id"].as_str().unwrap()), "admin").await;
    app.get("/api/v1/no-such-route", "admin").await;
    let res = app.send(TestRequest::get().uri("/metrics")).await;
    assert!(res.header("content-type").unwrap().starts_with("text/plain"));
    assert!(
        res.text.contains(r#"oversee_http_requests_total{method="POST",route="/api/v1/vendors",status="201"} 1"#),
        "{}",
        res.text
    );
    assert!(res.text.contains(
        r#"oversee_http_request_duration_seconds_count{method="GET",route="/api/v1/vendors",status="200"} 1"#
    ));
    // Routes are labelled by their pattern, not the URL, and unrouted requests by "unmatched".
    assert!(res
        .text
        .contains(r#"oversee_http_requests_total{method="GET",route="/api/v1/vendors/{id}",status="200"} 1"#));
    assert!(res.text.contains(r#"oversee_http_requests_total{method="GET",route="unmatched",status="404"} 1"#));
}

#[actix_web::test]
async fn request_ids_are_echoed_or_generated() {
    let app = TestApp::new().await;
    let res = app.send(TestRequest::get().uri("/healthz").insert_header(("X-Request-Id", "abc-1"))).await;
    assert_eq!(res.header("x-request-id").as_deref(), Some("abc-1"));
    let res = app.send(TestRequest::get().uri("/healthz")).await;
    assert_eq!(res.header("x-request-id").unwrap().len(), 36);
}

#[actix_web::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = TestApp::new().await;
    let res = app.send(TestRequest::get().uri("/docs/")).await;
    assert_eq!(res.status, 200);
    assert!(res.text.contains("swagger"), "{}", &res.text[..200.min(res.text.len())]);
    assert!(!res.text.contains("cdn") && !res.text.contains("unpkg"), "no CDN links");
    let spec = app.send(TestRequest::get().uri("/openapi.json")).await;
    assert_eq!(spec.body["openapi"], "3.1.0");
}
