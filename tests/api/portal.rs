//! What the vendor portal shows a respondent: the questions and how to answer them, never how
//! they are scored, in any response the portal gives.

use actix_web::{http::Method, test::TestRequest};
use serde_json::{json, Value};

use crate::{
    questionnaires::published_small_template,
    support::{as_respondent, send_assessment, TestApp},
};

/// Fields of a template that tell how answers are scored.
const SCORING: [&str; 5] = ["expected", "weight", "critical", "score", "refs"];

/// Every object key anywhere in a JSON document.
fn keys(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                out.push(k.clone());
                keys(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| keys(v, out)),
        _ => {}
    }
}

fn assert_no_scoring(what: &str, body: &Value) {
    let mut found = vec![];
    keys(body, &mut found);
    for field in SCORING {
        assert!(!found.iter().any(|k| k == field), "{what} shows the respondent `{field}`: {body}");
    }
}

#[actix_web::test]
async fn no_portal_response_shows_the_scoring_key() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "key-hidden").await;
    let (_, token) = send_assessment(&app, &template).await;
    let portal = |method: Method, path: &'static str, body: Option<Value>| {
        let (app, token) = (&app, token.clone());
        async move { as_respondent(app, &token, method, &format!("/api/v1/portal{path}"), body).await }
    };

    let view = portal(Method::GET, "/assessment", None).await;
    assert_eq!(view.status, 200, "{}", view.text);
    assert_no_scoring("the questionnaire", &view.body);
    // What the respondent needs is all there.
    let questions = view.body["sections"][0]["questions"].as_array().unwrap();
    let s1 = &questions[0];
    assert_eq!(
        (s1["code"].as_str(), s1["answer_type"].as_str(), s1["required"].as_bool()),
        (Some("S.1"), Some("yes_no"), Some(true))
    );
    assert_eq!(
        questions[1]["options"],
        json!([{"value": "fast", "label": "Within 7 days"}, {"value": "slow", "label": "Within 90 days"}])
    );
    assert_eq!(questions[3]["required"], false);

    let saved =
        portal(Method::PUT, "/answers", Some(json!({"answers": [{"question_code": "S.1", "answer": "no"}]}))).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    assert_no_scoring("saving answers", &saved.body);
    let refused =
        portal(Method::PUT, "/answers", Some(json!({"answers": [{"question_code": "S.2", "answer": "never"}]}))).await;
    assert_eq!(refused.status, 422);
    assert_no_scoring("a refused answer", &refused.body);

    let upload = TestRequest::post()
        .uri("/api/v1/portal/evidence?question_code=S.3&filename=soc2.pdf")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/pdf"))
        .set_payload(b"%PDF soc2".to_vec());
    let file = app.send(upload).await;
    assert_eq!(file.status, 201, "{}", file.text);
    assert_no_scoring("an uploaded file", &file.body);

    let early = portal(Method::POST, "/submit", None).await;
    assert_eq!(early.status, 422);
    assert_no_scoring("a refused submission", &early.body);
    let rest = json!({"answers": [{"question_code": "S.2", "answer": "slow"}]});
    assert_eq!(portal(Method::PUT, "/answers", Some(rest)).await.status, 200);
    let submitted = portal(Method::POST, "/submit", None).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    assert_no_scoring("the submitted questionnaire", &submitted.body);
    let after = portal(Method::GET, "/assessment", None).await;
    assert_no_scoring("the questionnaire after submission", &after.body);
    // Staff still see the key.
    let staff = app.get(&format!("/api/v1/questionnaire-templates/{template}"), "security").await;
    assert_eq!(staff.body["sections"][0]["questions"][0]["expected"], "yes");
}

fn evidence(app: &TestApp, token: &str, name: &str, bytes: usize) -> TestRequest {
    let _ = app;
    TestRequest::post()
        .uri(&format!("/api/v1/portal/evidence?question_code=S.3&filename={name}"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/pdf"))
        .set_payload(vec![b'%'; bytes])
}

fn files_on_disk(app: &TestApp) -> usize {
    let dir = app.state.config.data_dir.join("evidence");
    std::fs::read_dir(&dir)
        .map(|assessments| {
            assessments.flatten().map(|a| std::fs::read_dir(a.path()).map(|f| f.count()).unwrap_or(0)).sum()
        })
        .unwrap_or(0)
}

#[actix_web::test]
async fn a_respondents_files_are_bounded_in_number_and_bytes_and_checked_before_any_byte_is_kept() {
    let app = TestApp::with_env(&[
        ("OVERSEE_EVIDENCE_MAX_BYTES", "2048"),
        ("OVERSEE_EVIDENCE_MAX_FILES", "2"),
        ("OVERSEE_EVIDENCE_MAX_TOTAL_BYTES", "3000"),
    ])
    .await;
    let template = published_small_template(&app, "quota").await;
    let (_, token) = send_assessment(&app, &template).await;
    let first = app.send(evidence(&app, &token, "a.pdf", 1500)).await;
    assert_eq!(first.status, 201, "{}", first.text);
    let second = app.send(evidence(&app, &token, "b.pdf", 1400)).await;
    assert_eq!(second.status, 201, "{}", second.text);
    // A third file: the count is full.
    let third = app.send(evidence(&app, &token, "c.pdf", 10)).await;
    assert_eq!(third.status, 409, "{}", third.text);
    assert!(third.text.contains("2 files"), "{}", third.text);
    // One removed: 1,500 bytes are left of the 3,000, less than the 2,048 a file may hold.
    let id = second.body["id"].as_str().unwrap();
    assert_eq!(
        as_respondent(&app, &token, Method::DELETE, &format!("/api/v1/portal/evidence/{id}"), None).await.status,
        204
    );
    let over = app.send(evidence(&app, &token, "d.pdf", 1600)).await;
    assert_eq!(over.status, 413, "{}", over.text);
    assert!(over.text.contains("left of this questionnaire"), "{}", over.text);
    assert_eq!(app.send(evidence(&app, &token, "e.pdf", 1500)).await.status, 201);
    assert_eq!(files_on_disk(&app), 2, "refused uploads leave nothing behind");

    // Once submitted, an upload is refused before a byte is kept.
    let answers =
        json!({"answers": [{"question_code": "S.1", "answer": "yes"}, {"question_code": "S.2", "answer": "fast"}]});
    assert_eq!(as_respondent(&app, &token, Method::PUT, "/api/v1/portal/answers", Some(answers)).await.status, 200);
    assert_eq!(as_respondent(&app, &token, Method::POST, "/api/v1/portal/submit", None).await.status, 200);
    let late = app.send(evidence(&app, &token, "late.pdf", 100)).await;
    assert_eq!(late.status, 409, "{}", late.text);
    assert_eq!(files_on_disk(&app), 2);
}

#[actix_web::test]
async fn a_new_respondent_email_revokes_the_link_sent_to_the_old_one() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "moved").await;
    let (id, token) = send_assessment(&app, &template).await;
    let view = || as_respondent(&app, &token, Method::GET, "/api/v1/portal/assessment", None);
    assert_eq!(view().await.status, 200);
    // A new name alone keeps the link.
    let res =
        app.patch(&format!("/api/v1/assessments/{id}"), "procurement", json!({"respondent_name": "Dana L."})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(view().await.status, 200);
    let res = app
        .patch(&format!("/api/v1/assessments/{id}"), "procurement", json!({"respondent_email": "new@acme.example"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["link"]["active"], false, "{}", res.text);
    assert!(res.body["link"]["revoked_at"].is_string());
    assert_eq!(view().await.status, 401, "the old address's link no longer opens the portal");
    let again = app.post(&format!("/api/v1/assessments/{id}/send"), "procurement", json!({})).await;
    assert_eq!(again.status, 200, "{}", again.text);
    let fresh = again.body["respondent_token"].as_str().unwrap();
    assert_eq!(as_respondent(&app, fresh, Method::GET, "/api/v1/portal/assessment", None).await.status, 200);
}

/// Two respondents of the same questionnaire: neither reaches the other's files, through any
/// portal route, and the staff download is scoped to the assessment named in its path.
#[actix_web::test]
async fn a_respondent_never_reaches_another_assessments_evidence() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "two-respondents").await;
    let (a, token_a) = send_assessment(&app, &template).await;
    let (b, token_b) = send_assessment(&app, &template).await;
    let uploaded = app.send(evidence(&app, &token_a, "a-secret.pdf", 10)).await;
    assert_eq!(uploaded.status, 201, "{}", uploaded.text);
    let eid = uploaded.body["id"].as_str().unwrap().to_string();

    let removed = as_respondent(&app, &token_b, Method::DELETE, &format!("/api/v1/portal/evidence/{eid}"), None).await;
    assert_eq!(removed.status, 404, "{}", removed.text);
    let seen_by_b = as_respondent(&app, &token_b, Method::GET, "/api/v1/portal/assessment", None).await;
    assert_eq!(seen_by_b.status, 200);
    assert!(!seen_by_b.text.contains(&eid) && !seen_by_b.text.contains("a-secret.pdf"), "{}", seen_by_b.text);

    // A's file is untouched: listed to A, on disk, downloadable by staff under A only.
    let seen_by_a = as_respondent(&app, &token_a, Method::GET, "/api/v1/portal/assessment", None).await;
    assert!(seen_by_a.text.contains(&eid), "{}", seen_by_a.text);
    assert_eq!(files_on_disk(&app), 1);
    let download = app.get(&format!("/api/v1/assessments/{a}/evidence/{eid}"), "security").await;
    assert_eq!((download.status.as_u16(), download.bytes.len()), (200, 10));
    let wrong = app.get(&format!("/api/v1/assessments/{b}/evidence/{eid}"), "security").await;
    assert_eq!(wrong.status, 404, "{}", wrong.text);
}

/// Sets when the respondent link of `assessment` runs out, straight in the database: the portal
/// reads the clock, so a test moves the expiry instead.
async fn link_expires(app: &TestApp, assessment: &str, at: chrono::DateTime<chrono::Utc>) {
    let (id, at) = (assessment.to_string(), oversee::time::format(at));
    app.state
        .db
        .write(move |c| {
            use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
            use oversee::db::schema::assessments as a;
            diesel::update(a::table.find(id)).set(a::token_expires_at.eq(at)).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
}

/// The link lasts through the due date and the grace days after it, and not a second longer:
/// every portal route then answers as for an unknown token, and staff see the link inactive.
#[actix_web::test]
async fn a_respondent_link_is_refused_once_the_due_date_and_grace_have_passed() {
    let app = TestApp::with_env(&[("OVERSEE_RESPONDENT_GRACE_DAYS", "2")]).await;
    let template = published_small_template(&app, "grace").await;
    let vendor = app.vendor(json!({"name": "Hooli"})).await["id"].as_str().unwrap().to_string();
    let created = app
        .post(
            &format!("/api/v1/vendors/{vendor}/assessments"),
            "procurement",
            json!({"template_id": template, "due_on": crate::support::days_from_today(0),
                "respondent_name": "Dana Lee", "respondent_email": "dana@hooli.example"}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let a = created.body["id"].as_str().unwrap().to_string();
    let sent = app.post(&format!("/api/v1/assessments/{a}/send"), "procurement", json!({})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let token = sent.body["respondent_token"].as_str().unwrap().to_string();
    // Due today with 2 grace days: usable through the end of the second day after, in UTC.
    let expires = sent.body["expires_at"].as_str().unwrap();
    assert!(expires.starts_with(&format!("{}T00:00:00", crate::support::days_from_today(3))), "{expires}");

    let upload = app.send(evidence(&app, &token, "kept.pdf", 10)).await;
    assert_eq!(upload.status, 201, "{}", upload.text);
    let eid = upload.body["id"].as_str().unwrap().to_string();
    link_expires(&app, &a, chrono::Utc::now() + chrono::Duration::seconds(60)).await;
    assert_eq!(as_respondent(&app, &token, Method::GET, "/api/v1/portal/assessment", None).await.status, 200);

    link_expires(&app, &a, chrono::Utc::now() - chrono::Duration::seconds(1)).await;
    let answers = json!({"answers": [{"question_code": "S.1", "answer": "yes"}]});
    for (method, path, body) in [
        (Method::GET, "/api/v1/portal/assessment".to_string(), None),
        (Method::PUT, "/api/v1/portal/answers".to_string(), Some(answers)),
        (Method::DELETE, format!("/api/v1/portal/evidence/{eid}"), None),
        (Method::POST, "/api/v1/portal/submit".to_string(), None),
    ] {
        let res = as_respondent(&app, &token, method.clone(), &path, body).await;
        assert_eq!(res.status, 401, "{method} {path}: {}", res.text);
        // The answer an unknown or revoked token gets: nothing tells the caller which it was.
        assert!(res.text.contains("unknown, revoked or expired"), "{method} {path}: {}", res.text);
    }
    assert_eq!(app.send(evidence(&app, &token, "late.pdf", 10)).await.status, 401);
    let staff = app.get(&format!("/api/v1/assessments/{a}"), "security").await;
    assert_eq!(staff.body["link"]["active"], false, "{}", staff.text);
    assert_eq!(files_on_disk(&app), 1, "nothing was removed or added after the link ran out");
}
