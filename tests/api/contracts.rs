use actix_web::{http::Method, test::TestRequest};
use serde_json::{json, Value};

use crate::support::{assert_problem, TestApp};

async fn vendor_id(app: &TestApp) -> String {
    app.vendor(json!({"name": "Acme Payroll", "handles_pi": true, "access": "stores", "pi_elements": ["ssn"]})).await
        ["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn contract(app: &TestApp, vendor: &str, body: Value) -> Value {
    let res = app.post(&format!("/api/v1/vendors/{vendor}/contracts"), "procurement", body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn contract_crud_with_validation() {
    let app = TestApp::new().await;
    let v = vendor_id(&app).await;
    let c = contract(
        &app,
        &v,
        json!({"title": "MSA", "kind": "msa", "entered_on": "2015-01-10", "ends_on": "2017-01-09", "auto_renews": true,
               "renewal_term_months": 12, "notice_days": 60, "value_cents": 1250000, "currency": "usd",
               "document_text": "Vendor shall implement and maintain appropriate safeguards."}),
    )
    .await;
    assert_eq!(c["currency"], "USD");
    assert_eq!(c["notice_deadline"], "2016-11-10");
    assert_eq!(c["has_document"], true);
    assert_eq!(c["status"], "active");
    let url = format!("/api/v1/contracts/{}", c["id"].as_str().unwrap());
    let got = app.get(&url, "auditor").await;
    assert_eq!(got.body["document_text"], "Vendor shall implement and maintain appropriate safeguards.");
    let list = app.get(&format!("/api/v1/vendors/{v}/contracts"), "legal").await;
    assert_eq!(list.status, 200);
    assert_eq!(list.body["items"][0]["has_document"], true);
    assert!(list.body["items"][0].get("document_text").is_none(), "lists leave the text out");

    for (body, field) in [
        (json!({"title": "X", "entered_on": "2015-01-10", "ends_on": "2014-01-01"}), "ends_on"),
        (json!({"title": "X", "entered_on": "2015-01-10", "notice_days": -5}), "notice_days"),
        (json!({"title": "X", "entered_on": "2015-01-10", "status": "terminated"}), "terminated_on"),
        (
            json!({"title": "X", "entered_on": "2015-01-10", "auto_renews": true, "ends_on": "2016-01-01"}),
            "renewal_term_months",
        ),
        (json!({"title": "X", "entered_on": "2015-01-10", "value_cents": 5}), "currency"),
        (json!({"title": " ", "entered_on": "2015-01-10"}), "title"),
        (json!({"title": "X", "entered_on": "2015-02-30"}), "body"),
        (json!({"title": "X"}), "entered_on"),
    ] {
        let res = app.post(&format!("/api/v1/vendors/{v}/contracts"), "admin", body.clone()).await;
        assert_problem(&res, 422);
        let fields: Vec<&str> =
            res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
        assert!(fields.contains(&field), "{body}: {fields:?}");
    }

    let res = app.patch(&url, "legal", json!({"notice_days": 30})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["notice_deadline"], "2016-12-10");
    assert_eq!(res.body["version"], 2);
    assert_problem(&app.patch(&url, "legal", json!({"ends_on": "2010-01-01"})).await, 422);
    // Roles: security and auditors read but do not write contracts.
    assert_problem(&app.patch(&url, "security", json!({"notice_days": 1})).await, 403);
    assert_eq!(app.delete(&url, "procurement").await.status, 204);
    assert_problem(&app.get(&url, "admin").await, 404);
    assert_eq!(app.get(&format!("/api/v1/vendors/{v}/contracts"), "admin").await.body["items"], json!([]));
}

#[actix_web::test]
async fn contract_text_may_exceed_the_general_body_limit_up_to_2_mib() {
    let app = TestApp::new().await;
    let v = vendor_id(&app).await;
    let text = "x".repeat(1_500_000);
    let c = contract(&app, &v, json!({"title": "Big", "entered_on": "2015-01-10", "document_text": text})).await;
    assert_eq!(c["has_document"], true);
    let too_big = "x".repeat(2 * 1024 * 1024 + 1);
    let res = app
        .post(
            &format!("/api/v1/vendors/{v}/contracts"),
            "admin",
            json!({"title": "Huge", "entered_on": "2015-01-10", "document_text": too_big}),
        )
        .await;
    assert_problem(&res, 422);
}

#[actix_web::test]
async fn events_renew_amend_and_terminate() {
    let app = TestApp::new().await;
    let v = vendor_id(&app).await;
    let c = contract(&app, &v, json!({"title": "MSA", "entered_on": "2009-06-01", "ends_on": "2011-05-31"})).await;
    let id = c["id"].as_str().unwrap();
    let events = format!("/api/v1/contracts/{id}/events");

    let res = app
        .post(
            &events,
            "procurement",
            json!({"kind": "renewal", "executed_on": "2011-05-01", "new_ends_on": "2013-05-31"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["previous_ends_on"], "2011-05-31");
    assert_eq!(app.get(&format!("/api/v1/contracts/{id}"), "admin").await.body["ends_on"], "2013-05-31");

    let res = app
        .post(&events, "legal", json!({"kind": "amendment", "executed_on": "2012-06-01", "summary": "Security addendum", "clauses_added": ["security_measures", "breach_notification"]}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let clause = app.get(&format!("/api/v1/contracts/{id}/clauses/security_measures"), "auditor").await;
    assert_eq!(clause.body["status"], "present");
    assert_eq!(clause.body["effective_from"], "2012-06-01");

    // Out of order, unknown clause types and renewals that do not move the end date are refused.
    assert_problem(&app.post(&events, "legal", json!({"kind": "amendment", "executed_on": "2012-01-01"})).await, 422);
    assert_problem(
        &app.post(
            &events,
            "legal",
            json!({"kind": "amendment", "executed_on": "2012-07-01", "clauses_added": ["nope"]}),
        )
        .await,
        422,
    );
    assert_problem(
        &app.post(
            &events,
            "legal",
            json!({"kind": "renewal", "executed_on": "2012-07-01", "new_ends_on": "2013-01-01"}),
        )
        .await,
        422,
    );

    let res = app
        .post(&events, "procurement", json!({"kind": "termination", "executed_on": "2013-01-15", "new_ends_on": "2013-02-28", "clauses_removed": ["breach_notification"]}))
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let after = app.get(&format!("/api/v1/contracts/{id}"), "admin").await;
    assert_eq!(after.body["status"], "terminated");
    assert_eq!(after.body["terminated_on"], "2013-02-28");
    let removed = app.get(&format!("/api/v1/contracts/{id}/clauses/breach_notification"), "admin").await;
    assert_eq!(removed.body["effective_to"], "2013-01-14");
    assert_problem(&app.post(&events, "legal", json!({"kind": "amendment", "executed_on": "2013-03-01"})).await, 409);

    let list = app.get(&events, "integration").await;
    let kinds: Vec<&str> = list.body.as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, vec!["renewal", "amendment", "termination"]);
    let audit = app.get("/api/v1/audit-events?subject_type=contract_event", "auditor").await;
    assert_eq!(audit.body["items"].as_array().unwrap().len(), 3);
}

#[actix_web::test]
async fn clauses_are_recorded_verified_and_typed() {
    let app = TestApp::new().await;
    let v = vendor_id(&app).await;
    let c = contract(&app, &v, json!({"title": "DPA", "kind": "dpa", "entered_on": "2014-03-03"})).await;
    let id = c["id"].as_str().unwrap();

    let types = app.get("/api/v1/clause-types", "auditor").await;
    let keys: Vec<&str> = types.body.as_array().unwrap().iter().map(|t| t["key"].as_str().unwrap()).collect();
    for k in [
        "security_measures",
        "compliance_201cmr17",
        "breach_notification",
        "subcontractor_flowdown",
        "audit_rights",
        "return_or_destroy",
        "encryption",
        "access_controls",
        "insurance",
        "indemnification",
    ] {
        assert!(keys.contains(&k), "{k}");
    }

    let all = app.get(&format!("/api/v1/contracts/{id}/clauses"), "legal").await;
    assert_eq!(all.body.as_array().unwrap().len(), keys.len());
    assert!(all.body.as_array().unwrap().iter().all(|c| c["status"] == "unknown" && c["recorded"] == false));

    let url = format!("/api/v1/contracts/{id}/clauses/security_measures");
    // Procurement writes contracts but not clauses.
    assert_problem(&app.call(Method::PUT, &url, "procurement", Some(json!({"status": "present"}))).await, 403);
    assert_problem(&app.post(&format!("{url}/verify"), "legal", json!({})).await, 409);
    let res = app
        .call(
            Method::PUT,
            &url,
            "legal",
            Some(json!({"status": "present", "section_ref": "9.2", "excerpt": "shall implement and maintain"})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["effective_from"], "2014-03-03", "defaults to entered_on");
    assert!(res.body["verified_by"].is_null());
    let req = TestRequest::post()
        .uri(&format!("{url}/verify"))
        .insert_header(("Authorization", format!("Bearer {}", app.token_for("lee@example.com", "legal"))));
    let verified = app.send(req).await;
    assert_eq!(verified.status, 200, "{}", verified.text);
    assert_eq!(verified.body["verified_by"], "lee@example.com");
    assert!(verified.body["verified_at"].is_string());
    // Changing the record clears the verification.
    let res = app.call(Method::PUT, &url, "admin", Some(json!({"status": "present", "section_ref": "9.3"}))).await;
    assert!(res.body["verified_by"].is_null());
    assert_problem(
        &app.call(
            Method::PUT,
            &url,
            "admin",
            Some(json!({"status": "present", "effective_from": "2015-01-01", "effective_to": "2014-01-01"})),
        )
        .await,
        422,
    );
    assert_problem(&app.call(Method::PUT, &url, "admin", Some(json!({"status": "maybe"}))).await, 422);
    assert_problem(&app.get(&format!("/api/v1/contracts/{id}/clauses/no_such_type"), "admin").await, 404);

    // Admins add their own types; others may not.
    let res = app
        .post(
            "/api/v1/clause-types",
            "admin",
            json!({"key": "data_residency", "title": "Data residency", "supports": ["policy"]}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_problem(
        &app.post("/api/v1/clause-types", "admin", json!({"key": "data_residency", "title": "Again"})).await,
        409,
    );
    assert_problem(&app.post("/api/v1/clause-types", "admin", json!({"key": "Bad Key", "title": "X"})).await, 422);
    assert_problem(&app.post("/api/v1/clause-types", "legal", json!({"key": "other", "title": "X"})).await, 403);
    let res = app
        .call(
            Method::PUT,
            &format!("/api/v1/contracts/{id}/clauses/data_residency"),
            "legal",
            Some(json!({"status": "absent"})),
        )
        .await;
    assert_eq!(res.status, 200);
}

#[actix_web::test]
async fn analyze_suggests_and_accept_records() {
    let app = TestApp::new().await;
    let v = vendor_id(&app).await;
    let text = "1. Definitions.\n\n9.1 Vendor shall implement and maintain appropriate administrative, technical and physical \
                safeguards for Personal Information. 9.2 Vendor shall notify Customer of any Security Incident within \
                forty-eight (48) hours. 9.3 Vendor shall not be required to encrypt backups.";
    let c = contract(&app, &v, json!({"title": "MSA", "entered_on": "2013-04-01", "document_text": text})).await;
    let id = c["id"].as_str().unwrap();

    let res = app.post(&format!("/api/v1/contracts/{id}/analyze"), "legal", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["source"], "document_text");
    let sugg = res.body["suggestions"].as_array().unwrap();
    let by = |t: &str| sugg.iter().find(|s| s["clause_type"] == t).cloned().unwrap();
    let sec = by("security_measures");
    let chars: Vec<char> = text.chars().collect();
    let (s, e) = (sec["start"].as_u64().unwrap() as usize, sec["end"].as_u64().unwrap() as usize);
    assert_eq!(chars[s..e].iter().collect::<String>(), sec["excerpt"].as_str().unwrap());
    assert_eq!(by("breach_notification")["deadline"], json!({"amount": 48, "unit": "hours"}));
    assert!(by("encryption")["flags"].as_array().unwrap().contains(&json!("negated")));

    // Suggestions are not facts.
    let clause = app.get(&format!("/api/v1/contracts/{id}/clauses/security_measures"), "legal").await;
    assert_eq!(clause.body["recorded"], false);

    // Text in the body wins over the stored document.
    let res = app
        .post(
            &format!("/api/v1/contracts/{id}/analyze"),
            "procurement",
            json!({"text": "Customer may audit Vendor's books and records."}),
        )
        .await;
    assert_eq!(res.body["source"], "request");
    assert_eq!(res.body["suggestions"][0]["clause_type"], "audit_rights");

    let b = by("breach_notification");
    let accept = json!({"excerpt": b["excerpt"], "start": b["start"], "end": b["end"], "confidence": b["confidence"],
                        "cue": b["cue"], "deadline": b["deadline"], "section_ref": "9.2"});
    assert_problem(
        &app.post(&format!("/api/v1/contracts/{id}/clauses/breach_notification/accept"), "procurement", accept.clone())
            .await,
        403,
    );
    let res = app.post(&format!("/api/v1/contracts/{id}/clauses/breach_notification/accept"), "legal", accept).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "present");
    assert_eq!(res.body["deadline"], json!({"amount": 48, "unit": "hours"}));
    assert_eq!(res.body["effective_from"], "2013-04-01");
    assert!(res.body["notes"].as_str().unwrap().contains("clause detection"));
    let audit = app.get("/api/v1/audit-events?subject_type=contract_clause", "auditor").await;
    assert_eq!(audit.body["items"][0]["action"], "accepted");

    // Without any text there is nothing to analyse.
    let bare = contract(&app, &v, json!({"title": "No text", "entered_on": "2013-04-01"})).await;
    assert_problem(
        &app.post(&format!("/api/v1/contracts/{}/analyze", bare["id"].as_str().unwrap()), "legal", json!({})).await,
        422,
    );
    assert_problem(
        &app.post(
            &format!("/api/v1/contracts/{id}/clauses/breach_notification/accept"),
            "legal",
            json!({"excerpt": " "}),
        )
        .await,
        422,
    );
}
