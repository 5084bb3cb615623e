use serde_json::json;

use crate::support::{assert_problem, TestApp};

#[actix_web::test]
async fn contacts_lifecycle_under_a_vendor() {
    let app = TestApp::new().await;
    let v = app.vendor(json!({"name": "Acme"})).await;
    let base = format!("/api/v1/vendors/{}/contacts", v["id"].as_str().unwrap());
    let res = app
        .post(&base, "procurement", json!({"name": "Dana Lee", "email": "Dana@Acme.example", "role": "security"}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let contact = res.body.clone();
    assert_eq!(contact["role"], "security");
    // Email is unique per vendor, case-insensitively.
    assert_problem(&app.post(&base, "procurement", json!({"name": "Dup", "email": "dana@acme.example"})).await, 409);
    assert_problem(&app.post(&base, "procurement", json!({"name": "", "email": "nope"})).await, 422);
    app.post(&base, "procurement", json!({"name": "Sam", "email": "sam@acme.example"})).await;

    let list = app.get(&format!("{base}?limit=1"), "auditor").await;
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    let next = list.body["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("{base}?limit=1&cursor={next}"), "auditor").await;
    assert_eq!(rest.body["items"][0]["name"], "Sam");
    assert!(rest.body["next_cursor"].is_null());

    let url = format!("{base}/{}", contact["id"].as_str().unwrap());
    let res = app.patch(&url, "admin", json!({"phone": "+1 617 555 0100", "role": "privacy"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["version"], 2);
    assert_eq!(app.get(&url, "legal").await.body["phone"], "+1 617 555 0100");
    assert_eq!(app.delete(&url, "admin").await.status, 204);
    assert_problem(&app.get(&url, "admin").await, 404);

    // A contact is only reachable under its own vendor.
    let other = app.vendor(json!({"name": "Other"})).await;
    let sam_id = rest.body["items"][0]["id"].as_str().unwrap();
    let wrong = format!("/api/v1/vendors/{}/contacts/{sam_id}", other["id"].as_str().unwrap());
    assert_problem(&app.get(&wrong, "admin").await, 404);
    let missing = format!("/api/v1/vendors/{}/contacts", uuid::Uuid::now_v7());
    assert_problem(&app.get(&missing, "admin").await, 404);
    assert_problem(&app.post(&missing, "admin", json!({"name": "X", "email": "x@example.com"})).await, 404);

    // An archived vendor's contacts are read-only.
    app.delete(&format!("/api/v1/vendors/{}", v["id"].as_str().unwrap()), "admin").await;
    assert_problem(&app.post(&base, "admin", json!({"name": "Late", "email": "late@acme.example"})).await, 409);
}
