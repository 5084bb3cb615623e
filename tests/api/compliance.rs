use actix_web::http::Method;
use serde_json::{json, Value};

use crate::support::{assert_problem, TestApp};

async fn setup(app: &TestApp, vendor: Value) -> String {
    app.vendor(vendor).await["id"].as_str().unwrap().to_string()
}

async fn contract(app: &TestApp, vendor: &str, body: Value) -> String {
    let res = app.post(&format!("/api/v1/vendors/{vendor}/contracts"), "admin", body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

async fn status_of(app: &TestApp, path: &str, as_of: &str) -> Value {
    let res = app.get(&format!("{path}/compliance?as_of={as_of}"), "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn grandfathering_through_http_for_a_contract() {
    let app = TestApp::new().await;
    let v = setup(&app, json!({"name": "Legacy Co", "handles_pi": true, "access": "stores"})).await;
    let c = contract(&app, &v, json!({"title": "Legacy MSA", "entered_on": "2010-03-01"})).await;
    let path = format!("/api/v1/contracts/{c}");

    let r = status_of(&app, &path, "2010-02-28").await;
    assert_eq!(r["status"], "not_applicable");
    assert_eq!(r["requirement"], "201 CMR 17.03(2)(f)2");
    let r = status_of(&app, &path, "2012-02-29").await;
    assert_eq!(r["status"], "grandfathered");
    assert_eq!(r["grandfathered_until"], "2012-03-01");
    assert_eq!(r["as_of"], "2012-02-29");
    assert_eq!(r["policy"]["renewal_resets_grandfathering"], true);
    assert!(r["reasons"][0].as_str().unwrap().contains("2010-03-01"));
    let r = status_of(&app, &path, "2012-03-01").await;
    assert_eq!(r["status"], "needs_review");
    assert!(r.get("grandfathered_until").is_none());

    app.call(Method::PUT, &format!("{path}/clauses/security_measures"), "legal", Some(json!({"status": "absent"})))
        .await;
    assert_eq!(status_of(&app, &path, "2012-03-01").await["status"], "not_satisfied");
    app.post(
        &format!("{path}/events"),
        "legal",
        json!({"kind": "amendment", "executed_on": "2012-06-01", "clauses_added": ["security_measures"]}),
    )
    .await;
    assert_eq!(status_of(&app, &path, "2012-05-31").await["status"], "not_satisfied");
    let r = status_of(&app, &path, "2012-06-01").await;
    assert_eq!(r["status"], "satisfied");
    assert_eq!(r["clause_verified"], false);
    // Before the amendment was executed, the contract was still grandfathered under either policy.
    assert_eq!(status_of(&app, &path, "2011-01-01").await["status"], "grandfathered");

    for bad in ["2012-13-01", "yesterday", "2012-02-30"] {
        assert_problem(&app.get(&format!("{path}/compliance?as_of={bad}"), "admin").await, 400);
    }
    let today = app.get(&format!("{path}/compliance"), "admin").await;
    assert_eq!(today.body["as_of"], chrono::Utc::now().date_naive().format("%Y-%m-%d").to_string());
}

#[actix_web::test]
async fn the_renewal_policy_is_an_admin_setting() {
    let app = TestApp::new().await;
    let v = setup(&app, json!({"name": "Renewed Co", "handles_pi": true, "access": "processes"})).await;
    let c = contract(&app, &v, json!({"title": "Old SOW", "entered_on": "2008-01-01", "ends_on": "2010-12-31"})).await;
    let path = format!("/api/v1/contracts/{c}");
    app.post(
        &format!("{path}/events"),
        "admin",
        json!({"kind": "renewal", "executed_on": "2010-12-01", "new_ends_on": "2013-12-31"}),
    )
    .await;

    let r = status_of(&app, &path, "2011-06-01").await;
    assert_eq!(r["status"], "needs_review");
    assert!(r["reason_codes"].as_array().unwrap().contains(&json!("grandfathering_reset_by_renewal")));

    assert_problem(
        &app.call(
            Method::PUT,
            "/api/v1/settings/compliance",
            "legal",
            Some(json!({"renewal_resets_grandfathering": false})),
        )
        .await,
        403,
    );
    let res = app
        .call(
            Method::PUT,
            "/api/v1/settings/compliance",
            "admin",
            Some(json!({"renewal_resets_grandfathering": false})),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(app.get("/api/v1/settings/compliance", "auditor").await.body["renewal_resets_grandfathering"], false);
    let r = status_of(&app, &path, "2011-06-01").await;
    assert_eq!(r["status"], "grandfathered");
    assert_eq!(r["policy"]["renewal_resets_grandfathering"], false);
    assert_problem(
        &app.call(
            Method::PUT,
            "/api/v1/settings/compliance",
            "admin",
            Some(json!({"renewal_resets_grandfathering": "no"})),
        )
        .await,
        422,
    );
}

#[actix_web::test]
async fn vendor_level_takes_the_best_contract_and_lists_each() {
    let app = TestApp::new().await;
    let v = setup(&app, json!({"name": "Multi Co", "handles_pi": true, "access": "stores"})).await;
    let path = format!("/api/v1/vendors/{v}");
    let r = status_of(&app, &path, "2015-01-01").await;
    assert_eq!(r["status"], "not_satisfied");
    assert_eq!(r["reason_codes"], json!(["no_contract_in_force"]));

    let old = contract(&app, &v, json!({"title": "Old", "entered_on": "2011-01-01", "ends_on": "2014-12-31"})).await;
    let new = contract(&app, &v, json!({"title": "New", "entered_on": "2014-06-01"})).await;
    app.call(
        Method::PUT,
        &format!("/api/v1/contracts/{new}/clauses/security_measures"),
        "legal",
        Some(json!({"status": "present"})),
    )
    .await;
    app.call(
        Method::PUT,
        &format!("/api/v1/contracts/{old}/clauses/security_measures"),
        "legal",
        Some(json!({"status": "absent"})),
    )
    .await;

    let r = status_of(&app, &path, "2014-01-01").await;
    assert_eq!(r["status"], "not_satisfied", "only Old is in force");
    let r = status_of(&app, &path, "2014-07-01").await;
    assert_eq!(r["status"], "satisfied");
    assert_eq!(r["contracts"].as_array().unwrap().len(), 2);
    let r = status_of(&app, &path, "2015-06-01").await;
    assert_eq!(r["contracts"][0]["status"], "not_in_force");
    assert_eq!(r["status"], "satisfied");

    let no_pi = setup(&app, json!({"name": "Cafeteria"})).await;
    assert_eq!(status_of(&app, &format!("/api/v1/vendors/{no_pi}"), "2015-01-01").await["status"], "not_applicable");
    assert_problem(&app.get(&format!("/api/v1/vendors/{}/compliance", uuid::Uuid::now_v7()), "admin").await, 404);
}

#[actix_web::test]
async fn portfolio_lists_contracts_by_status_in_pages_and_as_csv() {
    let app = TestApp::new().await;
    let v = setup(&app, json!({"name": "=Formula Vendor", "handles_pi": true, "access": "stores"})).await;
    let mut lacking = Vec::new();
    for i in 0..5 {
        lacking.push(contract(&app, &v, json!({"title": format!("Lacking {i}"), "entered_on": "2013-01-01"})).await);
    }
    let ok = contract(&app, &v, json!({"title": "Good", "entered_on": "2013-01-01"})).await;
    app.call(
        Method::PUT,
        &format!("/api/v1/contracts/{ok}/clauses/security_measures"),
        "legal",
        Some(json!({"status": "present"})),
    )
    .await;

    let mut seen = Vec::new();
    let mut url = "/api/v1/compliance/contracts?as_of=2014-01-01&status=needs_review&limit=2".to_string();
    loop {
        let res = app.get(&url, "legal").await;
        assert_eq!(res.status, 200, "{}", res.text);
        for item in res.body["items"].as_array().unwrap() {
            assert_eq!(item["status"], "needs_review");
            seen.push(item["contract_id"].as_str().unwrap().to_string());
        }
        match res.body["next_cursor"].as_str() {
            Some(c) => {
                url = format!("/api/v1/compliance/contracts?as_of=2014-01-01&status=needs_review&limit=2&cursor={c}")
            }
            None => break,
        }
    }
    assert_eq!(seen, lacking);
    let sat = app.get("/api/v1/compliance/contracts?as_of=2014-01-01&status=satisfied", "auditor").await;
    assert_eq!(sat.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(sat.body["items"][0]["vendor_name"], "=Formula Vendor");

    let csv = app.get("/api/v1/compliance/contracts.csv?as_of=2014-01-01", "auditor").await;
    assert_eq!(csv.status, 200);
    assert!(csv.header("content-type").unwrap().starts_with("text/csv"));
    let lines: Vec<&str> = csv.text.lines().collect();
    assert_eq!(lines.len(), 7, "header plus six contracts");
    assert!(lines[0].starts_with("vendor_id,vendor_name,contract_id"));
    assert!(lines[1].contains("\"'=Formula Vendor\""), "formula neutralised: {}", lines[1]);
    assert_problem(&app.get("/api/v1/compliance/contracts?status=unclear", "admin").await, 400);
}
