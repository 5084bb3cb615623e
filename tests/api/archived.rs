//! What an archived vendor's sub-resources answer: every read gives the record as it stands (an
//! auditor still needs the whole file), no new work starts under it (409, problem type
//! `archived`), and an incident can still be recorded (a former vendor may still hold our data).

use serde_json::json;

use crate::support::{assert_problem, builtin_template_id, days_from_today, TestApp};

#[actix_web::test]
async fn an_archived_vendor_reads_as_it_stands_and_takes_no_new_work_but_incidents() {
    let app = TestApp::new().await;
    let v = app
        .vendor(json!({"name": "Former Payroll", "handles_pi": true, "access": "stores", "pi_elements": ["ssn"]}))
        .await;
    let id = v["id"].as_str().unwrap().to_string();
    let base = format!("/api/v1/vendors/{id}");
    let res =
        app.post(&format!("{base}/contacts"), "procurement", json!({"name": "Dana", "email": "dana@x.example"})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let res =
        app.post(&format!("{base}/contracts"), "legal", json!({"title": "MSA", "entered_on": "2024-01-05"})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(app.delete(&base, "admin").await.status, 204);

    // Reads: the archived record and everything under it, as it stands.
    let vendor = app.get(&base, "auditor").await;
    assert_eq!(vendor.status, 200);
    assert!(vendor.body["archived_at"].is_string());
    for sub in
        ["contacts", "contracts", "assessments", "incidents", "compliance", "score", "score/history", "evidence-pack"]
    {
        let res = app.get(&format!("{base}/{sub}"), "auditor").await;
        assert_eq!(res.status, 200, "GET {sub}: {}", res.text);
    }
    assert_eq!(app.get(&format!("{base}/contacts"), "auditor").await.body["items"].as_array().unwrap().len(), 1);

    // Writes that start new work under it: 409, problem type archived.
    let template = builtin_template_id(&app).await;
    let refused = [
        app.patch(&base, "admin", json!({"name": "Renamed"})).await,
        app.post(&format!("{base}/contacts"), "procurement", json!({"name": "Eve", "email": "eve@x.example"})).await,
        app.post(&format!("{base}/contracts"), "legal", json!({"title": "SOW", "entered_on": "2025-01-05"})).await,
        app.post(
            &format!("{base}/assessments"),
            "procurement",
            json!({"template_id": template, "due_on": days_from_today(30), "respondent_name": "D", "respondent_email": "d@x.example"}),
        )
        .await,
    ];
    for res in &refused {
        assert_problem(res, 409);
        assert_eq!(res.body["type"], "https://oversee.dev/problems/archived", "{}", res.text);
    }
    // An incident at a former vendor is still recorded.
    let incident = app
        .post(
            &format!("{base}/incidents"),
            "security",
            json!({"title": "Old backup exposed", "discovered_on": days_from_today(-2), "reported_to_us_on": days_from_today(-1),
                   "pi_elements": ["ssn"]}),
        )
        .await;
    assert_eq!(incident.status, 201, "{}", incident.text);
    // Archiving again changes nothing.
    assert_eq!(app.delete(&base, "admin").await.status, 204);
}
