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
    assert_eq!(created.status, 201, "{}", created.text);
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

async fn tamper(app: &TestApp, sql: String) {
    use diesel::connection::SimpleConnection;
    app.state.db.write(move |c| Ok(c.batch_execute(&sql)?)).await.unwrap();
}

async fn seq_of_vendor_created(app: &TestApp, name: &str) -> i64 {
    let all = app.get("/api/v1/audit-events?subject_type=vendor&limit=500", "auditor").await;
    all.body["items"].as_array().unwrap().iter().find(|e| e["after"]["name"] == name).unwrap()["seq"].as_i64().unwrap()
}

#[actix_web::test]
async fn the_chain_verifies_and_a_row_edited_in_the_database_is_found() {
    let app = TestApp::new().await;
    for name in ["Acme", "Globex", "Initech"] {
        app.vendor(json!({"name": name})).await;
    }
    let v = app.get("/api/v1/audit-events/verify", "auditor").await;
    assert_eq!(v.status, 200, "{}", v.text);
    assert_eq!(v.body["intact"], true, "{}", v.body);
    let events = v.body["events"].as_i64().unwrap();
    assert!(events >= 3);
    assert_eq!(v.body["head_seq"], events);

    // Each event shows its link, and the export ends with the head.
    let list = app.get("/api/v1/audit-events?limit=1", "auditor").await;
    let newest = &list.body["items"][0];
    assert_eq!(newest["seq"], events);
    assert_eq!(newest["hash"], v.body["head"]);
    let export = app.get("/api/v1/audit-events/export", "auditor").await;
    assert_eq!(export.status, 200);
    assert!(export.header("content-type").unwrap().starts_with("application/x-ndjson"));
    let lines: Vec<serde_json::Value> = export.text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len() as i64, events + 1);
    assert_eq!(lines.last().unwrap()["chain_head"], v.body["head"]);
    assert_eq!(lines.last().unwrap()["head_seq"], events);
    assert_eq!(lines.last().unwrap()["events"], events);
    assert_eq!(lines[1]["prev_hash"], lines[0]["hash"]);

    // Someone with database access rewrites history: Globex's creation names another vendor.
    let s = seq_of_vendor_created(&app, "Globex").await;
    tamper(&app, format!("UPDATE audit_events SET after = replace(after, 'Globex', 'Globex Ltd') WHERE seq = {s}"))
        .await;
    let v = app.get("/api/v1/audit-events/verify", "auditor").await.body;
    assert_eq!(v["intact"], false);
    assert_eq!(v["first_broken"]["seq"], s);
    assert_eq!(v["first_broken"]["problem"], "hash_mismatch");
    assert_eq!(v["problems_total"], 1, "only that event is wrong: {v}");
    assert_eq!(v["events"], events, "every event was checked");

    // Deleting an event leaves a gap in the sequence.
    let fresh = TestApp::new().await;
    for name in ["A", "B", "C"] {
        fresh.vendor(json!({"name": name})).await;
    }
    let s = seq_of_vendor_created(&fresh, "B").await;
    tamper(&fresh, format!("DELETE FROM audit_events WHERE seq = {s}")).await;
    let v = fresh.get("/api/v1/audit-events/verify", "auditor").await.body;
    assert_eq!((v["first_broken"]["seq"].as_i64(), v["first_broken"]["problem"].as_str()), (Some(s), Some("missing")));
    // Removing the newest events is caught by the head.
    let fresh2 = TestApp::new().await;
    fresh2.vendor(json!({"name": "Z"})).await;
    let s = seq_of_vendor_created(&fresh2, "Z").await;
    tamper(&fresh2, format!("DELETE FROM audit_events WHERE seq = {s}")).await;
    let v = fresh2.get("/api/v1/audit-events/verify", "auditor").await.body;
    assert_eq!(v["first_broken"]["problem"], "head_mismatch");
    assert_problem(&fresh.get("/api/v1/audit-events/verify", "procurement").await, 403);
}
