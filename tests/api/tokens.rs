//! Bearer tokens can be taken back: revoking a subject refuses its older tokens at once, cached
//! or not; and `oversee token` mints nothing that lives longer than 30 days.

use serde_json::json;

use crate::support::{assert_problem, claims, oversee_command, sign, TestApp, SECRET};

fn token_issued(sub: &str, role: &str, iat: i64) -> String {
    let mut c = claims(sub, role);
    c["iat"] = json!(iat);
    c["nbf"] = json!(iat.min(chrono::Utc::now().timestamp()));
    sign(&c, SECRET)
}

async fn vendors_with(app: &TestApp, token: &str) -> crate::support::Res {
    let req = actix_web::test::TestRequest::get()
        .uri("/api/v1/vendors")
        .insert_header(("Authorization", format!("Bearer {token}")));
    app.send(req).await
}

#[actix_web::test]
async fn a_revoked_subjects_older_tokens_are_refused_at_once_even_when_cached() {
    let app = TestApp::new().await;
    let now = chrono::Utc::now().timestamp();
    let old = token_issued("bob@example.com", "procurement", now - 60);
    let other = token_issued("carol@example.com", "procurement", now - 60);
    // Used once, so it is verified and cached.
    assert_eq!(vendors_with(&app, &old).await.status, 200);

    assert_problem(&app.post("/api/v1/auth/revocations", "procurement", json!({"sub": "bob@example.com"})).await, 403);
    let res = app.post("/api/v1/auth/revocations", "admin", json!({"sub": "bob@example.com"})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["sub"], "bob@example.com");

    let refused = vendors_with(&app, &old).await;
    assert_problem(&refused, 401);
    assert!(refused.body["detail"].as_str().unwrap().contains("revoked"), "{}", refused.text);
    assert_eq!(vendors_with(&app, &other).await.status, 200, "other subjects are untouched");
    let fresh = token_issued("bob@example.com", "procurement", now + 5);
    assert_eq!(vendors_with(&app, &fresh).await.status, 200, "a token issued after the revocation works");

    // An earlier mark does not undo it; the list and the audit trail show it.
    let earlier = app
        .post(
            "/api/v1/auth/revocations",
            "admin",
            json!({"sub": "bob@example.com", "not_before": "2020-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(earlier.body["not_before"], res.body["not_before"]);
    assert_problem(&vendors_with(&app, &old).await, 401);
    let listed = app.get("/api/v1/auth/revocations", "admin").await;
    assert_eq!(listed.body["items"][0]["sub"], "bob@example.com");
    let audit = app.get("/api/v1/audit-events?subject_type=token_revocation", "auditor").await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 2);
    assert_problem(&app.post("/api/v1/auth/revocations", "admin", json!({"sub": "  "})).await, 422);
}

#[actix_web::test]
async fn a_token_that_lives_longer_than_thirty_days_is_refused_however_it_was_made() {
    let app = TestApp::new().await;
    let mut c = claims("dave@example.com", "auditor");
    let now = chrono::Utc::now().timestamp();
    c["iat"] = json!(now);
    c["exp"] = json!(now + 31 * 86_400);
    let res = vendors_with(&app, &sign(&c, SECRET)).await;
    assert_problem(&res, 401);
    assert!(res.body["detail"].as_str().unwrap().contains("30 days"), "{}", res.text);
}

#[actix_web::test]
async fn minted_tokens_live_at_most_thirty_days() {
    let app = TestApp::new().await;
    let mint = |ttl: &str| {
        oversee_command(&app, &["token", "--sub", "a@example.com", "--role", "admin", "--ttl", ttl], &[])
            .output()
            .unwrap()
    };
    let ok = mint("30d");
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    for ttl in ["31d", "99999999999999d"] {
        let too_long = mint(ttl);
        assert!(!too_long.status.success());
        assert!(String::from_utf8_lossy(&too_long.stderr).contains("at most 30 days"), "{ttl}");
    }
}

#[actix_web::test]
async fn failed_attempts_from_one_address_are_rate_limited_with_retry_after() {
    let app = TestApp::with_env(&[
        ("OVERSEE_RATE_AUTH_FAILURES", "3"),
        ("OVERSEE_RATE_PORTAL_FAILURES", "2"),
        ("OVERSEE_RATE_ANALYSES", "2"),
    ])
    .await;
    let from = |peer: &str, token: &str, path: &str| {
        actix_web::test::TestRequest::get()
            .uri(path)
            .peer_addr(peer.parse().unwrap())
            .insert_header(("Authorization", format!("Bearer {token}")))
    };
    for _ in 0..3 {
        assert_problem(&app.send(from("198.51.100.7:1000", "not-a-jwt", "/api/v1/vendors")).await, 401);
    }
    let limited = app.send(from("198.51.100.7:1000", "not-a-jwt", "/api/v1/vendors")).await;
    assert_problem(&limited, 429);
    assert!(limited.header("retry-after").unwrap().parse::<u64>().unwrap() >= 1);
    // The limited address is refused before any token is looked at, a valid one too; another
    // address is not affected, nor one in another IPv6 /64, while one in the same /64 is.
    let good = app.token("auditor");
    assert_problem(&app.send(from("198.51.100.7:1000", &good, "/api/v1/vendors")).await, 429);
    assert_problem(&app.send(from("198.51.100.8:1000", "not-a-jwt", "/api/v1/vendors")).await, 401);
    for _ in 0..3 {
        app.send(from("[2001:db8:1:2::1]:1000", "not-a-jwt", "/api/v1/vendors")).await;
    }
    assert_problem(&app.send(from("[2001:db8:1:2::ffff]:1000", "not-a-jwt", "/api/v1/vendors")).await, 429);
    assert_problem(&app.send(from("[2001:db8:1:3::1]:1000", "not-a-jwt", "/api/v1/vendors")).await, 401);

    // Respondent tokens at the portal.
    for _ in 0..2 {
        let res = app.send(from("198.51.100.9:1000", "ovr_resp_guess", "/api/v1/portal/assessment")).await;
        assert_problem(&res, 401);
    }
    assert_problem(&app.send(from("198.51.100.9:1000", "ovr_resp_guess", "/api/v1/portal/assessment")).await, 429);

    // Clause analysis per caller: a burst, then 429.
    let v = app.vendor(json!({"name": "Analysed"})).await;
    let c = app
        .post(
            &format!("/api/v1/vendors/{}/contracts", v["id"].as_str().unwrap()),
            "legal",
            json!({"title": "MSA", "entered_on": "2026-01-05", "document_text": "Vendor shall indemnify Customer."}),
        )
        .await;
    let path = format!("/api/v1/contracts/{}/analyze", c.body["id"].as_str().unwrap());
    for _ in 0..2 {
        assert_eq!(app.post(&path, "legal", json!({})).await.status, 200);
    }
    assert_problem(&app.post(&path, "legal", json!({})).await, 429);
}
