use actix_web::test::TestRequest;
use serde_json::json;

use crate::support::{oversee_command, Res, TestApp};

async fn metrics(app: &TestApp) -> Res {
    let req =
        TestRequest::get().uri("/metrics").insert_header(("Authorization", format!("Bearer {}", app.token("auditor"))));
    let res = app.send(req).await;
    assert_eq!(res.status, 200, "{}", res.text);
    res
}

#[actix_web::test]
async fn odd_methods_and_paths_leave_the_metrics_small() {
    let app = TestApp::new().await;
    for i in 0..3000 {
        let method = actix_web::http::Method::from_bytes(format!("M{i:05}{}", "X".repeat(200)).as_bytes()).unwrap();
        let path = format!("/p{i}/{}", "y".repeat(100));
        app.send(TestRequest::default().method(method).uri(&path)).await;
        app.send(TestRequest::get().uri(&format!("/api/v1/vendors/{}", uuid::Uuid::now_v7()))).await;
    }
    let text = metrics(&app).await.text;
    let series = text.lines().filter(|l| l.starts_with("oversee_http_requests_total{")).count();
    assert!(series <= 10, "{series} series:\n{text}");
    assert!(text.len() < 16 * 1024, "{} bytes", text.len());
    assert!(text.contains(r#"method="other",route="unmatched",status="404"} 3000"#), "{text}");
    assert!(!text.contains("XXXX") && !text.contains("/p1/"), "no raw method or path reaches a label");
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    status.lines().find_map(|l| l.strip_prefix("VmRSS:")).unwrap().trim().trim_end_matches("kB").trim().parse().unwrap()
}

/// One request on its own connection; returns the status line.
fn raw(addr: std::net::SocketAddr, request: &str) -> String {
    use std::io::{Read, Write};
    let Ok(mut s) = std::net::TcpStream::connect(addr) else { return String::new() };
    if s.write_all(request.as_bytes()).is_err() {
        return String::new();
    }
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    out.lines().next().unwrap_or_default().to_string()
}

#[actix_web::test]
async fn a_flood_of_distinct_four_kilobyte_methods_leaves_memory_and_health_as_they_were() {
    let app = TestApp::new().await;
    let addr = crate::smtp::free_port();
    let metrics_addr = crate::smtp::free_port();
    let env = [("OVERSEE_BIND", addr.to_string()), ("OVERSEE_METRICS_BIND", metrics_addr.to_string())];
    let server = oversee_command(&app, &["serve"], &env)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !raw(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").contains("200") {
        assert!(std::time::Instant::now() < deadline, "the server did not start");
        std::thread::sleep(std::time::Duration::from_millis(100)); // poll interval, bounded by the deadline
    }
    let flood = |from: usize, to: usize| {
        for i in from..to {
            let method = format!("M{i:07}{}", "X".repeat(4088));
            raw(addr, &format!("{method} /flood/{i} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        }
    };
    flood(0, 2_000); // warms the allocator and the connection path
    let before = rss_kib(server.id());
    flood(2_000, 22_000);
    let after = rss_kib(server.id());
    assert!(after < before + 10 * 1024, "RSS grew from {before} to {after} KiB");
    assert!(raw(addr, "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").contains("200"));
    // On their own listener, metrics need no token; the public port has none.
    use std::io::{Read, Write};
    let mut s = std::net::TcpStream::connect(metrics_addr).unwrap();
    s.write_all(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
    let mut body = String::new();
    let _ = s.read_to_string(&mut body);
    assert!(body.starts_with("HTTP/1.1 200"), "{body}");
    assert!(body.len() < 16 * 1024, "{} bytes", body.len());
    assert!(body.contains(r#"method="other",route="unmatched""#), "{body}");
    assert!(raw(addr, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").contains("404"));
    crate::processes::terminate(server);
}

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
    let res = metrics(&app).await;
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
async fn every_response_forbids_sniffing_and_https_deployments_get_hsts() {
    let app = TestApp::new().await;
    let bad_key = TestRequest::post()
        .uri("/api/v1/vendors")
        .insert_header(("Authorization", format!("Bearer {}", app.token("admin"))))
        .insert_header(("Idempotency-Key", "x".repeat(300)))
        .set_json(json!({"name": "Acme"}));
    let responses = [
        app.send(TestRequest::get().uri("/healthz")).await,
        app.get("/api/v1/vendors", "admin").await,
        app.get("/api/v1/vendors", "respondent").await,
        app.get("/api/v1/nowhere", "admin").await,
        app.send(bad_key).await,
    ];
    for res in &responses {
        assert_eq!(res.header("x-content-type-options").as_deref(), Some("nosniff"), "{} {}", res.status, res.text);
        assert!(res.header("strict-transport-security").is_none(), "served over http: no HSTS");
    }
    assert_eq!(responses[4].status, 400);
    let https = TestApp::with_env(&[("OVERSEE_PUBLIC_URL", "https://oversee.example.com")]).await;
    let res = https.send(TestRequest::get().uri("/healthz")).await;
    assert_eq!(res.header("strict-transport-security").as_deref(), Some("max-age=31536000"));
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
