//! Incidents through HTTP: the record and its rules, lateness against the contract's notice term,
//! the finding it raises, the score and the reassessment it brings forward.

use serde_json::{json, Value};

use crate::{
    questionnaires::published_small_template,
    scores::accepted_assessment,
    support::{assert_problem, days_from_today, TestApp},
};

fn incidents_of(vendor: &str) -> String {
    format!("/api/v1/vendors/{vendor}/incidents")
}

fn fields(res: &crate::support::Res) -> Vec<String> {
    res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect()
}

async fn pi_vendor(app: &TestApp, name: &str) -> String {
    app.vendor(
        json!({"name": name, "handles_pi": true, "access": "stores", "pi_elements": ["ssn"], "status": "active"}),
    )
    .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn record(app: &TestApp, vendor: &str, body: Value) -> Value {
    let res = app.post(&incidents_of(vendor), "security", body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn an_incident_is_validated_kept_with_its_history_and_closed_only_after_a_review() {
    let app = TestApp::new().await;
    let v = pi_vendor(&app, "Payroll Co").await;
    let base = json!({"title": "Payroll export exposed", "discovered_on": days_from_today(-10),
                      "reported_to_us_on": days_from_today(-8), "pi_elements": ["ssn", "ssn", "payment_card"]});

    // Who may write, and what is refused.
    assert_problem(&app.post(&incidents_of(&v), "procurement", base.clone()).await, 403);
    assert_problem(&app.post(&incidents_of(&v), "auditor", base.clone()).await, 403);
    let mut early = base.clone();
    early["reported_to_us_on"] = json!(days_from_today(-11));
    early["discovered_on_approximate"] = json!(true);
    let res = app.post(&incidents_of(&v), "security", early).await;
    assert_problem(&res, 422);
    assert_eq!(fields(&res), vec!["reported_to_us_on"]);
    let mut future = base.clone();
    future["ag_notified_on"] = json!(days_from_today(1));
    future["breach_determination"] = json!("breach");
    let res = app.post(&incidents_of(&v), "security", future).await;
    assert_eq!(fields(&res), vec!["determination_rationale", "ag_notified_on"]);
    assert_problem(&app.post(&incidents_of(&v), "security", json!({"title": "No dates"})).await, 422);
    let mut stranger = base.clone();
    let other = pi_vendor(&app, "Other Co").await;
    let res = app
        .post(
            &format!("/api/v1/vendors/{other}/contracts"),
            "legal",
            json!({"title": "MSA", "entered_on": "2025-01-01"}),
        )
        .await;
    stranger["contract_id"] = res.body["id"].clone();
    let res = app.post(&incidents_of(&v), "security", stranger).await;
    assert_eq!(fields(&res), vec!["contract_id"]);
    assert_problem(&app.post(&incidents_of(&uuid::Uuid::now_v7().to_string()), "security", base.clone()).await, 404);

    let created = record(&app, &v, base.clone()).await;
    let id = created["id"].as_str().unwrap().to_string();
    let path = format!("/api/v1/incidents/{id}");
    assert_eq!(created["status"], "open");
    assert_eq!(created["pi_elements"], json!(["ssn", "payment_card"]), "deduplicated");
    assert_eq!(created["breach_determination"], "pending");
    assert_eq!(created["report_timeliness"], Value::Null, "no contract names a deadline");
    assert_eq!(created["ma_residents_history"].as_array().unwrap().len(), 1, "unknown at first, and kept");
    assert_eq!(created["ma_residents_history"][0]["ma_residents_affected"], Value::Null);

    // Each value of the resident count is kept; other edits add none.
    let res = app.patch(&path, "security", json!({"ma_residents_affected": 1200})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res = app.patch(&path, "security", json!({"title": "Payroll export exposed on S3"})).await;
    let history: Vec<Value> = res.body["ma_residents_history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["ma_residents_affected"].clone())
        .collect();
    assert_eq!(history, vec![Value::Null, json!(1200)]);
    assert_eq!(res.body["version"], 3);

    // Closing needs the review and a determination.
    let res = app.patch(&path, "security", json!({"status": "closed"})).await;
    assert_problem(&res, 422);
    assert_eq!(fields(&res), vec!["review", "breach_determination"]);
    let res = app
        .patch(
            &path,
            "security",
            json!({"breach_determination": "breach",
                   "determination_rationale": "Unencrypted SSNs of Massachusetts residents were taken.",
                   "responsive_actions": [
                       {"taken_on": days_from_today(-5), "action": "Rotated the vendor's keys"},
                       {"taken_on": days_from_today(-8), "action": "Revoked SFTP access", "by": "secops@example.com"}]}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["responsive_actions"][0]["action"], "Revoked SFTP access", "kept in date order");
    let owed = res.body["open_obligations"].as_array().unwrap();
    assert_eq!(owed.len(), 4, "AG, OCABR, residents and 18 months of monitoring for SSNs: {owed:?}");

    // A stale ETag is refused.
    let stale = actix_web::test::TestRequest::patch()
        .uri(&path)
        .insert_header(("Authorization", format!("Bearer {}", app.token("security"))))
        .insert_header(("If-Match", "\"1\""))
        .set_json(json!({"title": "x"}));
    assert_problem(&app.send(stale).await, 412);

    let review = json!({"reviewed_on": days_from_today(-1), "participants": ["CISO", "Vendor manager"],
                        "conclusions": "The vendor's MFA gap let the attacker in.",
                        "practice_changes": "MFA is now a contract term for every vendor holding SSNs."});
    let res = app.patch(&path, "security", json!({"status": "closed", "review": review})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["closed_on"], days_from_today(0));
    assert_eq!(res.body["review"]["participants"], json!(["CISO", "Vendor manager"]));
    let res = app.patch(&path, "security", json!({"review": null})).await;
    assert_eq!(fields(&res), vec!["review"], "a closed incident keeps its review");

    // Everyone but the respondent reads; the audit trail names the closing.
    assert_eq!(app.get(&path, "auditor").await.body["status"], "closed");
    assert_problem(&app.patch(&path, "auditor", json!({"title": "x"})).await, 403);
    let list = app.get(&format!("{}?status=closed", incidents_of(&v)), "legal").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("{}?status=open", incidents_of(&v)), "legal").await.body["items"], json!([]));
    assert_problem(&app.get(&format!("{}?status=nope", incidents_of(&v)), "legal").await, 400);
    let audit = app.get(&format!("/api/v1/audit-events?subject_type=incident&subject_id={id}"), "auditor").await;
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions.first(), Some(&"closed"));
    assert_eq!(actions.last(), Some(&"created"));
    assert_problem(&app.get(&format!("/api/v1/incidents/{}", uuid::Uuid::now_v7()), "auditor").await, 404);
}

/// A contract whose breach_notification clause requires notice within 72 hours.
async fn contract_with_72_hours(app: &TestApp, vendor: &str) -> String {
    let res = app
        .post(
            &format!("/api/v1/vendors/{vendor}/contracts"),
            "legal",
            json!({"title": "DPA", "entered_on": "2025-01-01"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let contract = res.body["id"].as_str().unwrap().to_string();
    let res = app
        .put(
            &format!("/api/v1/contracts/{contract}/clauses/breach_notification"),
            "legal",
            json!({"status": "present", "effective_from": "2025-01-01", "deadline": {"amount": 72, "unit": "hours"}}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    contract
}

#[actix_web::test]
async fn a_report_later_than_the_contract_allows_raises_one_finding_and_costs_points() {
    let app = TestApp::new().await;
    let v = pi_vendor(&app, "Slow Notifier Inc").await;
    let contract = contract_with_72_hours(&app, &v).await;

    // 72 hours from discovery: three days later is on time.
    let on_time = record(
        &app,
        &v,
        json!({"title": "Phishing", "discovered_on": days_from_today(-20), "reported_to_us_on": days_from_today(-17)}),
    )
    .await;
    assert_eq!(on_time["report_timeliness"]["late"], false, "{on_time}");
    assert_eq!(on_time["report_timeliness"]["contract_id"], contract.as_str());
    assert_eq!(on_time["late_report_finding_id"], Value::Null);

    let late = record(
        &app,
        &v,
        json!({"title": "Ransomware", "discovered_on": days_from_today(-20), "reported_to_us_on": days_from_today(-16),
               "breach_determination": "breach", "determination_rationale": "Files with SSNs were taken."}),
    )
    .await;
    assert_eq!(late["report_timeliness"]["late"], true, "{late}");
    assert_eq!(late["report_timeliness"]["due_on"], days_from_today(-17));
    assert_eq!(late["report_timeliness"]["elapsed_days"], 4);
    let finding_id = late["late_report_finding_id"].as_str().unwrap().to_string();
    let finding = app.get(&format!("/api/v1/findings/{finding_id}"), "auditor").await.body;
    assert_eq!(finding["severity"], "high");
    assert_eq!(finding["vendor_id"], v.as_str());
    assert!(finding["description"].as_str().unwrap().contains(late["id"].as_str().unwrap()), "{finding}");

    // Editing the incident again raises no second finding.
    let res = app
        .patch(
            &format!("/api/v1/incidents/{}", late["id"].as_str().unwrap()),
            "security",
            json!({"title": "Ransomware at the vendor"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["late_report_finding_id"], finding_id.as_str());
    let findings = app.get(&format!("/api/v1/findings?vendor_id={v}"), "auditor").await;
    assert_eq!(findings.body["items"].as_array().unwrap().len(), 1);

    // Across vendors: filtered and paged.
    let other = pi_vendor(&app, "Quiet Co").await;
    record(
        &app,
        &other,
        json!({"title": "Lost laptop", "discovered_on": days_from_today(-5), "reported_to_us_on": days_from_today(-5)}),
    )
    .await;
    let ids_of = |res: &crate::support::Res| -> Vec<String> {
        res.body["items"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_string()).collect()
    };
    let all = app.get("/api/v1/incidents?limit=500", "auditor").await;
    assert_eq!(all.status, 200, "{}", all.text);
    assert_eq!(ids_of(&all).len(), 3);
    let breaches = app.get("/api/v1/incidents?breach_determination=breach", "legal").await;
    assert_eq!(ids_of(&breaches), vec![late["id"].as_str().unwrap().to_string()]);
    let theirs = app.get(&format!("/api/v1/incidents?vendor_id={v}&status=open"), "integration").await;
    assert_eq!(
        ids_of(&theirs),
        vec![on_time["id"].as_str().unwrap().to_string(), late["id"].as_str().unwrap().to_string()]
    );
    let first = app.get("/api/v1/incidents?limit=2", "auditor").await;
    assert_eq!(ids_of(&first).len(), 2);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_string();
    let rest = app.get(&format!("/api/v1/incidents?limit=2&cursor={cursor}"), "auditor").await;
    assert_eq!(ids_of(&rest).len(), 1);
    assert_eq!(rest.body["next_cursor"], Value::Null);
    assert_problem(&app.get("/api/v1/incidents?breach_determination=maybe", "auditor").await, 400);
    assert_problem(&app.get("/api/v1/incidents", "respondent").await, 403);

    // The score's incidents component: pending 40%, breach 60% plus 30% for the late report.
    let score = app.get(&format!("/api/v1/vendors/{v}/score"), "auditor").await.body;
    let incidents = score["components"].as_array().unwrap().iter().find(|c| c["name"] == "incidents").unwrap();
    assert_eq!(incidents["points"], 0.0, "{incidents}");
    assert_eq!(incidents["evidence"], json!([on_time["id"], late["id"]]));
    assert!(incidents["reasons"][1].as_str().unwrap().contains("reported late"), "{incidents}");
    // A day before the first report, neither was known.
    let before = app.get(&format!("/api/v1/vendors/{v}/score?as_of={}", days_from_today(-18)), "auditor").await.body;
    let incidents = before["components"].as_array().unwrap().iter().find(|c| c["name"] == "incidents").unwrap();
    assert_eq!(incidents["points"], 10.0);
}

#[actix_web::test]
async fn an_incident_brings_the_reassessment_forward() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "incident").await;
    let v = app
        .vendor(json!({"name": "Reassess Co", "handles_pi": true, "access": "stores", "pi_elements": ["ssn"],
                       "status": "active", "owner_email": "owner@example.com"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    accepted_assessment(&app, &template, &v).await;
    let preview = |days: i64| format!("/api/v1/reminders/preview?days={days}&vendor_id={v}");
    let due_days = |res: &Value| -> Vec<String> {
        res["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["kind"] == "reassessment_due")
            .map(|r| r["due_on"].as_str().unwrap().to_string())
            .collect()
    };
    let res = app.get(&preview(60), "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(due_days(&res.body).is_empty(), "a tier-1 vendor accepted today is due in a year: {}", res.text);

    record(
        &app,
        &v,
        json!({"title": "Stolen laptop", "discovered_on": days_from_today(0), "reported_to_us_on": days_from_today(0)}),
    )
    .await;
    let res = app.get(&preview(60), "auditor").await;
    let due = due_days(&res.body);
    assert!(!due.is_empty() && due.iter().all(|d| *d == days_from_today(30)), "{due:?}");
    let reminders = app.get(&format!("/api/v1/reminders?vendor_id={v}&kind=reassessment_due"), "auditor").await;
    assert!(
        reminders.body["items"].as_array().unwrap().iter().any(|r| r["due_on"] == days_from_today(30)),
        "planned in the transaction of the incident: {}",
        reminders.text
    );
    let score = app.get(&format!("/api/v1/vendors/{v}/score?as_of={}", days_from_today(31)), "auditor").await.body;
    assert!(score["f1"]["reason_codes"].as_array().unwrap().contains(&json!("retention")), "{}", score["f1"]);
}
