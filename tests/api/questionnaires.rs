//! Questionnaire templates through HTTP: the built-in template, drafts and published versions,
//! JSON export and import, and spreadsheet import.

use actix_web::test::TestRequest;
use serde_json::{json, Value};

use crate::support::{assert_problem, builtin_template_id, TestApp};

const BASE: &str = "/api/v1/questionnaire-templates";

fn small_template(key: &str) -> Value {
    json!({
        "key": key,
        "title": "Small vendor check",
        "sections": [{"code": "S", "title": "Basics", "questions": [
            {"code": "S.1", "text": "Is data encrypted in transit?", "answer_type": "yes_no", "expected": "yes",
             "critical": true, "weight": 2, "refs": [{"framework": "201 CMR 17", "version": "2010", "id": "17.04(3)"}]},
            {"code": "S.2", "text": "Patch cadence?", "answer_type": "single_choice", "options": [
                {"value": "fast", "label": "Within 7 days", "score": 100},
                {"value": "slow", "label": "Within 90 days", "score": 25}]},
            {"code": "S.3", "text": "Attach your SOC 2 report", "answer_type": "evidence"},
            {"code": "S.4", "text": "Anything else?", "answer_type": "text", "weight": 0}
        ]}]
    })
}

pub async fn published_small_template(app: &TestApp, key: &str) -> String {
    let res = app.post(BASE, "security", small_template(key)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_string();
    let res = app.post(&format!("{BASE}/{id}/publish"), "security", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    id
}

#[actix_web::test]
async fn the_builtin_template_is_installed_published_and_cites_the_regulation() {
    let app = TestApp::new().await;
    let id = builtin_template_id(&app).await;
    let res = app.get(&format!("{BASE}/{id}"), "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let t = &res.body;
    assert_eq!(t["title"], "201 CMR 17 service provider assessment");
    assert_eq!(
        (t["status"].as_str(), t["builtin"].as_bool(), t["template_version"].as_i64()),
        (Some("published"), Some(true), Some(1))
    );
    let questions: Vec<&Value> =
        t["sections"].as_array().unwrap().iter().flat_map(|s| s["questions"].as_array().unwrap()).collect();
    assert_eq!(questions.len() as i64, t["question_count"].as_i64().unwrap());
    assert!((36..=50).contains(&questions.len()));
    let encryption =
        questions.iter().find(|q| q["refs"].as_array().unwrap().iter().any(|r| r["id"] == "17.04(5)")).unwrap();
    assert!(encryption["refs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|r| r["framework"] == "NIST SP 800-53" && r["version"] == "r5"));
    // Installing again at the next start adds nothing.
    oversee::prepare_database(&app.state.db).unwrap();
    let res = app.get(&format!("{BASE}?key=201cmr17-service-provider"), "security").await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);
}

#[actix_web::test]
async fn drafts_change_published_versions_never_do() {
    let app = TestApp::new().await;
    let res = app.post(BASE, "security", small_template("small")).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_string();
    assert_eq!((res.body["status"].as_str(), res.body["template_version"].as_i64()), (Some("draft"), Some(1)));

    // A draft is editable.
    let res = app.patch(&format!("{BASE}/{id}"), "security", json!({"title": "Small vendor check (v1)"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    // One draft per key at a time.
    assert_problem(&app.post(BASE, "security", small_template("small")).await, 409);
    // Assessments cannot use a draft.
    let vendor = app.vendor(json!({"name": "Draft Co"})).await;
    let res = app
        .post(
            &format!("/api/v1/vendors/{}/assessments", vendor["id"].as_str().unwrap()),
            "procurement",
            json!({"template_id": id, "due_on": "2099-01-01", "respondent_name": "A", "respondent_email": "a@example.com"}),
        )
        .await;
    assert_problem(&res, 422);

    let res = app.post(&format!("{BASE}/{id}/publish"), "security", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.body["published_at"].is_string());
    let published = res.body.clone();
    for res in [
        app.patch(&format!("{BASE}/{id}"), "security", json!({"title": "changed"})).await,
        app.post(&format!("{BASE}/{id}/publish"), "security", json!({})).await,
        app.delete(&format!("{BASE}/{id}"), "security").await,
    ] {
        assert_problem(&res, 409);
        assert!(res.body["detail"].as_str().unwrap().contains("never changes"), "{}", res.text);
    }
    assert_eq!(app.get(&format!("{BASE}/{id}"), "security").await.body, published);

    // Editing means a new draft version, copied from the published one.
    let res = app.post(&format!("{BASE}/{id}/versions"), "security", json!({})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let v2 = res.body["id"].as_str().unwrap().to_string();
    assert_eq!((res.body["template_version"].as_i64(), res.body["status"].as_str()), (Some(2), Some("draft")));
    assert_eq!(res.body["sections"], published["sections"]);
    let mut sections = published["sections"].clone();
    sections[0]["questions"][0]["text"] = json!("Is all data encrypted in transit?");
    let res = app.patch(&format!("{BASE}/{v2}"), "security", json!({"sections": sections})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(app.get(&format!("{BASE}/{id}"), "security").await.body["sections"], published["sections"]);

    let res = app.get(&format!("{BASE}?key=small"), "auditor").await;
    let versions: Vec<i64> =
        res.body["items"].as_array().unwrap().iter().map(|t| t["template_version"].as_i64().unwrap()).collect();
    assert_eq!(versions, vec![2, 1]);
    let res = app.get(&format!("{BASE}?status=draft"), "auditor").await;
    assert_eq!(res.body["items"].as_array().unwrap().len(), 1);

    // A draft can be deleted.
    assert_eq!(app.delete(&format!("{BASE}/{v2}"), "security").await.status, 204);
    assert_problem(&app.get(&format!("{BASE}/{v2}"), "security").await, 404);
}

#[actix_web::test]
async fn invalid_templates_get_422_naming_each_field() {
    let app = TestApp::new().await;
    let mut t = small_template("Bad Key");
    t["sections"][0]["questions"][1]["code"] = json!("S.1");
    t["sections"][0]["questions"][0]["expected"] = json!("maybe");
    t["sections"][0]["questions"][1]["options"] = json!([]);
    let res = app.post(BASE, "security", t).await;
    assert_problem(&res, 422);
    let fields: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(
        fields,
        vec![
            "key",
            "sections[0].questions[0].expected",
            "sections[0].questions[1].code",
            "sections[0].questions[1].options",
        ]
    );
    let res = app.post(BASE, "security", json!({"key": "x", "title": "T", "sections": []})).await;
    assert_problem(&res, 422);
    let res = app.post(&format!("{BASE}/import"), "security", small_template("no-format")).await;
    assert_problem(&res, 422);
    let mut wrong = small_template("wrong-format");
    wrong["format"] = json!("sig/2024");
    assert_problem(&app.post(&format!("{BASE}/import"), "security", wrong).await, 422);
}

#[actix_web::test]
async fn export_then_import_gives_the_same_template() {
    let app = TestApp::new().await;
    let id = builtin_template_id(&app).await;
    let res = app.get(&format!("{BASE}/{id}/export"), "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert!(res.header("content-disposition").unwrap().contains("201cmr17-service-provider-v1.json"));
    let exported = res.body.clone();
    assert_eq!(exported["format"], "oversee.questionnaire/v1");

    let mut copy = exported.clone();
    copy["key"] = json!("my-201cmr17");
    let res = app.post(&format!("{BASE}/import"), "security", copy).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let imported = res.body["id"].as_str().unwrap().to_string();
    let mut again = app.get(&format!("{BASE}/{imported}/export"), "auditor").await.body;
    again["key"] = exported["key"].clone();
    assert_eq!(again, exported);

    // Importing under the same key makes the next version of that template.
    let res = app.post(&format!("{BASE}/import"), "security", exported).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["template_version"], 2);
}

fn upload(path: &str, content_type: &str, body: Vec<u8>, app: &TestApp) -> TestRequest {
    TestRequest::post()
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {}", app.token("security"))))
        .insert_header(("Content-Type", content_type.to_string()))
        .set_payload(body)
}

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

#[actix_web::test]
async fn spreadsheets_import_with_a_column_mapping() {
    let app = TestApp::new().await;
    let mapping = "framework=Example%20CAIQ&framework_version=4.0.3&code_column=Question%20ID&question_column=Question\
        &section_column=Domain&answer_type_column=Answer%20type&help_column=Guidance";
    let xlsx = include_bytes!("../fixtures/questionnaire.xlsx").to_vec();
    let path = format!("{BASE}/import-spreadsheet?key=caiq-test&title=CAIQ%20test&sheet=CAIQ&header_row=2&{mapping}");
    let res = app.send(upload(&path, XLSX, xlsx.clone(), &app)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let t = &res.body;
    assert_eq!(t["status"], "draft");
    let sections: Vec<&str> = t["sections"].as_array().unwrap().iter().map(|s| s["title"].as_str().unwrap()).collect();
    assert_eq!(sections, vec!["Audit & Assurance", "Identity & Access"]);
    let q = &t["sections"][0]["questions"][0];
    assert_eq!(q["code"], "A&A-01.1");
    assert_eq!(q["answer_type"], "yes_no_na");
    assert_eq!(q["help"], "Policy date");
    assert_eq!(q["refs"], json!([{"framework": "Example CAIQ", "version": "4.0.3", "id": "A&A-01.1"}]));
    assert_eq!(t["sections"][1]["questions"][1]["answer_type"], "evidence");

    // The first sheet has no such headers: the problem names the parameter and lists what is there.
    let path = format!("{BASE}/import-spreadsheet?key=caiq-test2&title=T&{mapping}");
    let res = app.send(upload(&path, XLSX, xlsx.clone(), &app)).await;
    assert_problem(&res, 422);
    assert_eq!(res.body["errors"][0]["field"], "code_column");
    let path = format!("{BASE}/import-spreadsheet?key=caiq-test2&title=T&sheet=Nope&{mapping}");
    assert_problem(&app.send(upload(&path, XLSX, xlsx, &app)).await, 422);

    // CSV, with a bad row: 422 naming the row and column.
    let csv = "Domain,Question ID,Question,Answer type,Guidance\nA,X-1,Fine?,yes/no,\nA,X-2,Odd?,sometimes,\n";
    let path = format!("{BASE}/import-spreadsheet?key=csv-test&title=T&{mapping}");
    let res = app.send(upload(&path, "text/csv", csv.as_bytes().to_vec(), &app)).await;
    assert_problem(&res, 422);
    assert_eq!(res.body["errors"][0]["field"], "row 3, column D (Answer type)");
    let good = "Domain,Question ID,Question,Answer type,Guidance\nA,X-1,Fine?,yes/no,\n";
    let res = app.send(upload(&path, "text/csv; charset=utf-8", good.as_bytes().to_vec(), &app)).await;
    assert_eq!(res.status, 201, "{}", res.text);

    // Not a spreadsheet at all.
    assert_problem(&app.send(upload(&path, XLSX, b"PK garbage".to_vec(), &app)).await, 422);
    assert_problem(&app.send(upload(&path, "application/pdf", b"%PDF".to_vec(), &app)).await, 415);
    // Missing mapping parameters are a bad request, like any malformed query.
    let res =
        app.send(upload(&format!("{BASE}/import-spreadsheet?key=x"), "text/csv", good.as_bytes().to_vec(), &app)).await;
    assert_problem(&res, 400);
}
