//! Findings through HTTP: creation rules, risk acceptance, resolution and the filters.

use serde_json::json;

use crate::support::{assert_problem, days_from_today, TestApp};

const BASE: &str = "/api/v1/findings";

#[actix_web::test]
async fn findings_need_a_subject_and_an_owned_risk_acceptance() {
    let app = TestApp::new().await;
    let vendor = app.vendor(json!({"name": "Finding Co"})).await;
    let vendor_id = vendor["id"].as_str().unwrap();
    assert_problem(&app.post(BASE, "security", json!({"title": "No subject"})).await, 422);
    assert_problem(
        &app.post(BASE, "security", json!({"vendor_id": vendor_id, "question_code": "S.1", "title": "x"})).await,
        422,
    );
    assert_problem(
        &app.post(BASE, "security", json!({"vendor_id": uuid::Uuid::now_v7().to_string(), "title": "x"})).await,
        422,
    );
    let res = app
        .post(
            BASE,
            "security",
            json!({"vendor_id": vendor_id, "title": " ", "owner_email": "nope", "severity": "urgent"}),
        )
        .await;
    assert_problem(&res, 422);

    let res = app
        .post(
            BASE,
            "security",
            json!({"vendor_id": vendor_id, "title": "MFA missing for admins", "severity": "critical"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_string();
    let path = format!("{BASE}/{id}");

    let res = app.patch(&path, "security", json!({"status": "risk_accepted"})).await;
    assert_problem(&res, 422);
    let fields: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["risk_justification", "risk_approved_by"]);
    let res = app
        .patch(
            &path,
            "security",
            json!({"status": "risk_accepted", "risk_justification": "VPN with MFA in front",
            "risk_approved_by": "ciso@example.com"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["risk_acceptance"]["approved_by"], "ciso@example.com");
    assert!(res.body["risk_acceptance"]["accepted_at"].is_string());

    // Reopening clears the acceptance; resolving stamps the time.
    let res = app.patch(&path, "security", json!({"status": "in_progress"})).await;
    assert!(res.body["risk_acceptance"].is_null(), "{}", res.text);
    let res = app.patch(&path, "security", json!({"status": "resolved"})).await;
    assert!(res.body["resolved_at"].is_string(), "{}", res.text);
    let audit = app.get(&format!("/api/v1/audit-events?subject_type=finding&subject_id={id}"), "auditor").await;
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    // Newest first.
    assert_eq!(actions, vec!["resolved", "updated", "updated", "created"]);
    // Stale writes are refused.
    let res = app
        .send(
            actix_web::test::TestRequest::patch()
                .uri(&path)
                .insert_header(("Authorization", format!("Bearer {}", app.token("security"))))
                .insert_header(("If-Match", "\"1\""))
                .set_json(json!({"title": "stale"})),
        )
        .await;
    assert_problem(&res, 412);
}

#[actix_web::test]
async fn findings_filter_by_vendor_severity_status_and_overdue() {
    let app = TestApp::new().await;
    let a = app.vendor(json!({"name": "A Co"})).await["id"].as_str().unwrap().to_string();
    let b = app.vendor(json!({"name": "B Co"})).await["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for (vendor, title, severity, due, status) in [
        (&a, "late", "high", Some(days_from_today(-1)), "open"),
        (&a, "due today", "high", Some(days_from_today(0)), "in_progress"),
        (&a, "late but resolved", "low", Some(days_from_today(-5)), "resolved"),
        (&b, "no due date", "critical", None, "open"),
        (&b, "late in progress", "medium", Some(days_from_today(-30)), "in_progress"),
    ] {
        let res = app
            .post(
                BASE,
                "security",
                json!({"vendor_id": vendor, "title": title, "severity": severity, "due_on": due, "status": status}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        ids.push(res.body["id"].as_str().unwrap().to_string());
    }
    let titles = |query: String| {
        let app = &app;
        async move {
            let res = app.get(&format!("{BASE}?{query}"), "auditor").await;
            assert_eq!(res.status, 200, "{}", res.text);
            res.body["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["title"].as_str().unwrap().to_string())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(titles("overdue=true".into()).await, vec!["late", "late in progress"]);
    assert_eq!(titles("overdue=false".into()).await, vec!["due today", "late but resolved", "no due date"]);
    assert_eq!(titles(format!("vendor_id={a}&severity=high")).await, vec!["late", "due today"]);
    assert_eq!(titles("status=open".into()).await, vec!["late", "no due date"]);
    assert_eq!(titles(format!("vendor_id={b}&overdue=true")).await, vec!["late in progress"]);
    let res = app.get(&format!("{BASE}/{}", ids[0]), "integration").await;
    assert_eq!(res.body["overdue"], true);
    let page = app.get(&format!("{BASE}?limit=2"), "auditor").await;
    let next = page.body["next_cursor"].as_str().unwrap();
    assert_eq!(
        app.get(&format!("{BASE}?limit=2&cursor={next}"), "auditor").await.body["items"].as_array().unwrap().len(),
        2
    );
    assert_problem(&app.get(&format!("{BASE}?severity=urgent"), "auditor").await, 400);
}

#[actix_web::test]
async fn findings_follow_their_tickets_from_jira_servicenow_and_our_format() {
    let app = TestApp::new().await;
    let vendor = app.vendor(json!({"name": "Ticketed Co"})).await["id"].as_str().unwrap().to_string();
    let mut ids = Vec::new();
    for title in ["one", "two", "three"] {
        let res = app.post(BASE, "security", json!({"vendor_id": vendor, "title": title, "severity": "high"})).await;
        ids.push(res.body["id"].as_str().unwrap().to_string());
    }
    let link = |i: usize, t: serde_json::Value| {
        let (app, path) = (&app, format!("{BASE}/{}/ticket", ids[i]));
        async move { app.put(&path, "integration", t).await }
    };
    let res =
        link(0, json!({"system": "jira", "key": "SEC-142", "url": "https://example.atlassian.net/browse/SEC-142"}))
            .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["ticket"]["key"], "SEC-142");
    assert_eq!(link(1, json!({"system": "servicenow", "key": "INC0012345"})).await.status, 200);
    assert_eq!(link(2, json!({"system": "github", "key": "acme/vendors#12"})).await.status, 200);
    assert_problem(&link(1, json!({"system": "jira", "key": "SEC-142"})).await, 409);
    assert_problem(&link(1, json!({"system": "gitlab", "key": "X"})).await, 422);

    let event = |body: serde_json::Value| app.post("/api/v1/integrations/tickets/events", "integration", body);
    let jira = json!({"webhookEvent": "jira:issue_updated", "issue": {"key": "SEC-142", "fields": {"status": {"name": "In Progress"}}}});
    let res = event(jira).await;
    assert_eq!((res.status.as_u16(), res.body["status"].as_str()), (200, Some("in_progress")), "{}", res.text);
    // High findings: a ticket that says done leaves them for security to verify.
    let res = event(json!({"number": "INC0012345", "state": "6"})).await;
    assert_eq!(res.body["status"], "awaiting_verification", "{}", res.text);
    assert!(res.body["resolved_at"].is_null());
    let res = event(json!({"system": "github", "key": "acme/vendors#12", "status": "closed"})).await;
    assert_eq!(res.body["status"], "awaiting_verification", "{}", res.text);

    // Unknown keys are 404; malformed payloads and unmapped statuses 422; staff roles other than
    // integration and admin may not post events.
    assert_problem(&event(json!({"system": "jira", "key": "SEC-999", "status": "Done"})).await, 404);
    assert_problem(&event(json!({"issue": {"key": "SEC-142"}})).await, 422);
    assert_problem(&event(json!({"system": "jira", "key": "SEC-142", "status": "Backlog"})).await, 422);
    assert_problem(&app.post("/api/v1/integrations/tickets/events", "security", json!({})).await, 403);

    // The map is configurable: Backlog now means open.
    let mut map = app.get("/api/v1/settings/ticket-status-map", "auditor").await.body;
    map["jira"]["Backlog"] = json!("open");
    assert_eq!(app.put("/api/v1/settings/ticket-status-map", "admin", map.clone()).await.status, 200);
    let res = event(json!({"system": "jira", "key": "SEC-142", "status": "backlog"})).await;
    assert_eq!(res.body["status"], "open", "{}", res.text);
    map["jira"]["Won't Do"] = json!("risk_accepted");
    assert_problem(&app.put("/api/v1/settings/ticket-status-map", "admin", map).await, 422);
}

const TICKET_SECRET: &str = "whsec_c2hhcmVkLXNlY3JldC1mb3ItdGlja2V0LWV2ZW50cw==";

/// A ticket event signed as Standard Webhooks, `age` seconds old.
fn signed_event(app: &TestApp, id: &str, age: i64, body: &str, secret: &str) -> actix_web::test::TestRequest {
    let ts = chrono::Utc::now().timestamp() - age;
    let sig = oversee::rules::webhooks::sign(secret, id, ts, body.as_bytes()).unwrap();
    actix_web::test::TestRequest::post()
        .uri("/api/v1/integrations/tickets/events")
        .insert_header(("Authorization", format!("Bearer {}", app.token("integration"))))
        .insert_header(("Content-Type", "application/json"))
        .insert_header(("webhook-id", id.to_string()))
        .insert_header(("webhook-timestamp", ts.to_string()))
        .insert_header(("webhook-signature", sig))
        .set_payload(body.to_string())
}

#[actix_web::test]
async fn ticket_events_are_signed_applied_once_and_never_close_a_serious_finding_unverified() {
    let app = TestApp::with_env(&[("OVERSEE_TICKET_EVENTS_SECRET", TICKET_SECRET)]).await;
    let vendor = app.vendor(json!({"name": "Signed Co"})).await["id"].as_str().unwrap().to_string();
    let res = app.post(BASE, "security", json!({"vendor_id": vendor, "title": "No MFA", "severity": "critical"})).await;
    let id = res.body["id"].as_str().unwrap().to_string();
    app.put(&format!("{BASE}/{id}/ticket"), "admin", json!({"system": "other", "key": "T-1"})).await;
    let done = r#"{"system":"other","key":"T-1","status":"resolved"}"#;

    // Unsigned, wrongly signed, stale, or from the network without any secret: refused.
    let unsigned = actix_web::test::TestRequest::post()
        .uri("/api/v1/integrations/tickets/events")
        .insert_header(("Authorization", format!("Bearer {}", app.token("integration"))))
        .insert_header(("Content-Type", "application/json"))
        .set_payload(done);
    assert_problem(&app.send(unsigned).await, 401);
    let other_secret = "whsec_YW5vdGhlci1zZWNyZXQtZm9yLXRpY2tldC1ldmVudHM=";
    assert_problem(&app.send(signed_event(&app, "evt-1", 0, done, other_secret)).await, 401);
    let stale = app.send(signed_event(&app, "evt-1", 600, done, TICKET_SECRET)).await;
    assert_problem(&stale, 401);
    assert!(stale.body["detail"].as_str().unwrap().contains("webhook-timestamp"));

    // Signed: the critical finding waits for verification rather than closing.
    let res = app.send(signed_event(&app, "evt-1", 0, done, TICKET_SECRET)).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "awaiting_verification");
    // Reopened by security, the same event captured and sent again changes nothing.
    let reopened = app.patch(&format!("{BASE}/{id}"), "security", json!({"status": "open"})).await;
    assert_eq!(reopened.status, 200, "{}", reopened.text);
    let replay = app.send(signed_event(&app, "evt-1", 0, done, TICKET_SECRET)).await;
    assert_eq!((replay.status.as_u16(), replay.body["status"].as_str()), (200, Some("open")), "{}", replay.text);
    // A new event moves it again; only security or an admin resolves it.
    let moved = app.send(signed_event(&app, "evt-2", 0, done, TICKET_SECRET)).await;
    assert_eq!(
        (moved.status.as_u16(), moved.body["status"].as_str()),
        (200, Some("awaiting_verification")),
        "{}",
        moved.text
    );
    assert_problem(&app.patch(&format!("{BASE}/{id}"), "integration", json!({"status": "resolved"})).await, 403);
    let verified = app.patch(&format!("{BASE}/{id}"), "security", json!({"status": "resolved"})).await;
    assert_eq!(verified.body["status"], "resolved", "{}", verified.text);
}

#[actix_web::test]
async fn without_a_secret_ticket_events_are_taken_only_from_the_same_machine() {
    let app = TestApp::new().await;
    let vendor = app.vendor(json!({"name": "Local Co"})).await["id"].as_str().unwrap().to_string();
    let res = app.post(BASE, "security", json!({"vendor_id": vendor, "title": "Old TLS", "severity": "low"})).await;
    let id = res.body["id"].as_str().unwrap().to_string();
    app.put(&format!("{BASE}/{id}/ticket"), "admin", json!({"system": "other", "key": "T-9"})).await;
    let from = |peer: &str| {
        actix_web::test::TestRequest::post()
            .uri("/api/v1/integrations/tickets/events")
            .peer_addr(peer.parse().unwrap())
            .insert_header(("Authorization", format!("Bearer {}", app.token("integration"))))
            .set_json(json!({"system": "other", "key": "T-9", "status": "resolved"}))
    };
    // Through a proxy on this machine: from loopback, but forwarded from the network.
    let proxied = app.send(from("127.0.0.1:40000").insert_header(("X-Forwarded-For", "203.0.113.7"))).await;
    assert_problem(&proxied, 401);
    let remote = app.send(from("203.0.113.7:40000")).await;
    assert_problem(&remote, 401);
    assert!(remote.body["detail"].as_str().unwrap().contains("OVERSEE_TICKET_EVENTS_SECRET"));
    let local = app.send(from("127.0.0.1:40000")).await;
    assert_eq!(local.status, 200, "{}", local.text);
    assert_eq!(local.body["status"], "resolved", "a low finding closes from its ticket");
}
