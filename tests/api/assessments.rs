//! The whole assessment flow through HTTP: template -> publish -> send -> the vendor answers in
//! two sittings -> submit -> review -> findings -> accept; and the link's life.

use actix_web::{http::Method, test::TestRequest};
use serde_json::{json, Value};

use crate::{
    questionnaires::published_small_template,
    support::{as_respondent, assert_problem, days_from_today, send_assessment, TestApp},
};

const PORTAL: &str = "/api/v1/portal";

fn upload(token: &str, query: &str, content_type: &str, body: &[u8]) -> TestRequest {
    TestRequest::post()
        .uri(&format!("{PORTAL}/evidence?{query}"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", content_type.to_string()))
        .set_payload(body.to_vec())
}

fn codes(v: &Value) -> Vec<&str> {
    v.as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect()
}

fn error_fields(v: &Value) -> Vec<&str> {
    v["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[actix_web::test]
async fn the_whole_flow_from_template_to_accepted_assessment() {
    let app = TestApp::with_env(&[("OVERSEE_EVIDENCE_MAX_BYTES", "4096")]).await;
    let template = published_small_template(&app, "flow").await;
    let vendor = app
        .vendor(json!({"name": "Acme Payroll", "handles_pi": true, "pi_elements": ["ssn"], "access": "stores"}))
        .await;
    let vendor_id = vendor["id"].as_str().unwrap();

    // Procurement starts a draft and sends it.
    let res = app
        .post(
            &format!("/api/v1/vendors/{vendor_id}/assessments"),
            "procurement",
            json!({"template_id": template, "due_on": days_from_today(30), "respondent_name": "Dana Lee",
                "respondent_email": "dana@acme.example"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_string();
    assert_eq!((res.body["status"].as_str(), res.body["link"]["active"].as_bool()), (Some("draft"), Some(false)));
    let res = app.post(&format!("/api/v1/assessments/{id}/send"), "procurement", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let token = res.body["respondent_token"].as_str().unwrap().to_string();
    assert!(token.starts_with("ovr_resp_"));
    assert_eq!(res.body["mail"]["status"], "sent");
    assert_eq!(res.body["assessment"]["status"], "sent");
    assert!(res.body["assessment"]["link"]["active"].as_bool().unwrap());
    assert!(res.body["portal_url"].as_str().unwrap().ends_with("/api/v1/portal/assessment"));
    // The invitation went out through the mail transport, with the link; the token is stored only as a hash.
    let outbox = app.state.mailer.outbox().to_path_buf();
    let mails: Vec<String> =
        std::fs::read_dir(&outbox).unwrap().map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap()).collect();
    assert_eq!(mails.len(), 1);
    assert!(mails[0].contains(&token) && mails[0].contains("dana@acme.example"), "{}", mails[0]);
    let fetched = app.get(&format!("/api/v1/assessments/{id}"), "auditor").await;
    assert!(!fetched.text.contains(&token));

    // Sitting one: the questionnaire, one answer, and the errors a respondent can make.
    let res = as_respondent(&app, &token, Method::GET, &format!("{PORTAL}/assessment"), None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["vendor_name"], "Acme Payroll");
    assert_eq!(codes(&res.body["unanswered_required"]), vec!["S.1", "S.2", "S.3"]);
    let save = |answers: Value| {
        as_respondent(&app, &token, Method::PUT, "/api/v1/portal/answers", Some(json!({"answers": answers})))
    };
    let res = save(json!([{"question_code": "S.1", "answer": "maybe"}, {"question_code": "S.9", "answer": "yes"},
        {"question_code": "S.2", "answer": "fast", "comment": "x".repeat(4001)}]))
    .await;
    assert_problem(&res, 422);
    assert_eq!(error_fields(&res.body), vec!["answers[0].answer", "answers[1].question_code", "answers[2].comment"]);
    let res = save(json!([{"question_code": "S.1", "answer": "yes", "comment": "TLS 1.2+"}])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["status"], "in_progress");
    let res = as_respondent(&app, &token, Method::POST, &format!("{PORTAL}/submit"), None).await;
    assert_problem(&res, 422);
    assert_eq!(error_fields(&res.body), vec!["answers.S.2", "answers.S.3"]);

    // Sitting two: the rest, and a file.
    let res =
        save(json!([{"question_code": "S.2", "answer": "slow"}, {"question_code": "S.4", "answer": "Nothing."}])).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["answers"][0]["answer"], "yes", "sitting one's answer is kept");
    let pdf = b"%PDF-1.4 SOC 2 Type II report (test)".to_vec();
    assert_problem(
        &app.send(upload(&token, "question_code=S.3&filename=soc2.exe", "application/x-msdownload", &pdf)).await,
        415,
    );
    assert_problem(
        &app.send(upload(&token, "question_code=S.3&filename=big.pdf", "application/pdf", &[b'x'; 5000])).await,
        413,
    );
    assert_problem(
        &app.send(upload(&token, "question_code=S.3&filename=empty.pdf", "application/pdf", b"")).await,
        422,
    );
    assert_problem(&app.send(upload(&token, "question_code=S.9&filename=a.pdf", "application/pdf", &pdf)).await, 422);
    let res = app.send(upload(&token, "question_code=S.3&filename=..%2Fsoc2.pdf", "application/pdf", &pdf)).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let evidence_id = res.body["id"].as_str().unwrap().to_string();
    assert_eq!(res.body["filename"], "soc2.pdf");
    assert_eq!(res.body["sha256"], sha256_hex(&pdf));
    assert_eq!(res.body["size_bytes"], pdf.len());
    // A second file, removed again before submitting.
    let res = app.send(upload(&token, "question_code=S.3&filename=old.pdf", "application/pdf", b"%PDF old")).await;
    let old = res.body["id"].as_str().unwrap().to_string();
    let res = as_respondent(&app, &token, Method::DELETE, &format!("{PORTAL}/evidence/{old}"), None).await;
    assert_eq!(res.status, 204, "{}", res.text);

    let res = as_respondent(&app, &token, Method::POST, &format!("{PORTAL}/submit"), None).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!((res.body["status"].as_str(), res.body["locked"].as_bool()), (Some("submitted"), Some(true)));
    // Submitted answers are locked.
    assert_problem(&save(json!([{"question_code": "S.1", "answer": "no"}])).await, 409);
    assert_problem(
        &app.send(upload(&token, "question_code=S.3&filename=late.pdf", "application/pdf", &pdf)).await,
        409,
    );

    // Review: the answers, the file as sent, and the score.
    let res = app.get(&format!("/api/v1/assessments/{id}/answers"), "security").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let answers = res.body.as_array().unwrap();
    assert_eq!(
        answers.iter().map(|a| a["question_code"].as_str().unwrap()).collect::<Vec<_>>(),
        vec!["S.1", "S.2", "S.3", "S.4"]
    );
    assert_eq!(answers[0]["comment"], "TLS 1.2+");
    assert_eq!(answers[2]["evidence"].as_array().unwrap().len(), 1);
    let res = app.get(&format!("/api/v1/assessments/{id}/evidence/{evidence_id}"), "auditor").await;
    assert_eq!(res.status, 200);
    assert_eq!(res.text.as_bytes(), &pdf[..]);
    assert_eq!(res.header("content-type").as_deref(), Some("application/pdf"));
    assert_eq!(res.header("x-content-sha256"), Some(sha256_hex(&pdf)));

    let score = || {
        let (app, path) = (&app, format!("/api/v1/assessments/{id}/score"));
        async move { app.get(&path, "auditor").await.body }
    };
    // S.1 2 of 2, S.2 25/100 of 1, S.3 1 of 1 (a file), S.4 unscored: 3.25 of 4.
    let s = score().await;
    assert_eq!(
        (s["total"].as_f64(), s["earned"].as_f64(), s["possible"].as_f64()),
        (Some(81.3), Some(3.25), Some(4.0))
    );
    assert_eq!(s["critical_failures"], json!([]));

    // Flagging the critical answer fails it and takes its points; accepting it restores them.
    let review = |code: &str, body: Value| {
        let (app, path) = (&app, format!("/api/v1/assessments/{id}/answers/{code}/review"));
        async move { app.put(&path, "security", body).await }
    };
    let res = review("S.1", json!({"status": "flagged", "comment": "TLS 1.0 still enabled on the SFTP host"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["review"]["status"], "flagged");
    assert_eq!(app.get(&format!("/api/v1/assessments/{id}"), "security").await.body["status"], "under_review");
    let s = score().await;
    assert_eq!(s["total"].as_f64(), Some(31.3));
    assert_eq!(
        s["critical_failures"],
        json!([{"question_code": "S.1", "text": "Is data encrypted in transit?", "reason": "flagged"}])
    );
    assert_problem(&review("S.1", json!({"status": "pending"})).await, 422);
    assert_problem(&review("S.9", json!({"status": "accepted"})).await, 404);
    assert_eq!(review("S.1", json!({"status": "accepted"})).await.status, 200);
    assert_eq!(review("S.2", json!({"status": "accepted"})).await.status, 200);
    assert_eq!(score().await["total"].as_f64(), Some(81.3));

    // A finding raised from the slow patching answer: the vendor comes from the assessment.
    let res = app
        .post(
            "/api/v1/findings",
            "security",
            json!({"assessment_id": id, "question_code": "S.2", "title": "Patches take up to 90 days",
                "severity": "high", "due_on": days_from_today(60), "owner_email": "sec@example.com"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["vendor_id"], vendor_id);
    assert_eq!((res.body["status"].as_str(), res.body["overdue"].as_bool()), (Some("open"), Some(false)));

    // The decision: a rejection needs a reason; acceptance stores the score of the moment.
    assert_problem(
        &app.post(&format!("/api/v1/assessments/{id}/decision"), "security", json!({"decision": "rejected"})).await,
        422,
    );
    let res = app
        .post(
            &format!("/api/v1/assessments/{id}/decision"),
            "security",
            json!({"decision": "accepted", "comment": "One finding to follow"}),
        )
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(
        (res.body["status"].as_str(), res.body["score"].as_f64(), res.body["critical_failures"].as_i64()),
        (Some("accepted"), Some(81.3), Some(0))
    );
    assert_eq!(res.body["decided_by"], "tester@example.com");
    assert_problem(
        &app.post(
            &format!("/api/v1/assessments/{id}/decision"),
            "security",
            json!({"decision": "rejected", "comment": "no"}),
        )
        .await,
        409,
    );
    assert_problem(&review("S.1", json!({"status": "flagged"})).await, 409);

    // The audit trail has each step, with the respondent named for theirs.
    let res =
        app.get(&format!("/api/v1/audit-events?subject_type=assessment&subject_id={id}&limit=100"), "auditor").await;
    let steps: Vec<(String, String)> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap().to_string(), e["actor_role"].as_str().unwrap().to_string()))
        .collect();
    for step in [
        ("created", "procurement"),
        ("sent", "procurement"),
        ("answered", "respondent"),
        ("evidence_added", "respondent"),
        ("evidence_removed", "respondent"),
        ("submitted", "respondent"),
        ("accepted", "security"),
    ] {
        assert!(steps.contains(&(step.0.to_string(), step.1.to_string())), "{step:?} missing from {steps:?}");
    }
}

#[actix_web::test]
async fn links_expire_can_be_revoked_and_are_replaced_by_sending_again() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "links").await;
    let (id, first) = send_assessment(&app, &template).await;
    let portal = |token: String| {
        let app = &app;
        async move { as_respondent(app, &token, Method::GET, &format!("{PORTAL}/assessment"), None).await }
    };
    assert_eq!(portal(first.clone()).await.status, 200);

    // Sending again mints a new link and the old one stops working.
    let res = app.post(&format!("/api/v1/assessments/{id}/send"), "security", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let second = res.body["respondent_token"].as_str().unwrap().to_string();
    assert_problem(&portal(first).await, 401);
    assert_eq!(portal(second.clone()).await.status, 200);

    // Nothing happens before the link runs out (the due date plus 14 days' grace)...
    let db = app.state.db.clone();
    let expires_at = chrono::Utc::now() + chrono::Duration::days(30 + 14);
    let n = oversee::assessments::expiry::expire_overdue(&db, expires_at - chrono::Duration::days(1)).unwrap();
    assert_eq!(n, 0);
    // ...and after it, the assessment expires.
    let n = oversee::assessments::expiry::expire_overdue(&db, expires_at + chrono::Duration::days(1)).unwrap();
    assert_eq!(n, 1);
    let a = app.get(&format!("/api/v1/assessments/{id}"), "auditor").await.body;
    assert_eq!(a["status"], "expired");
    assert_problem(
        &app.post(&format!("/api/v1/assessments/{id}/decision"), "security", json!({"decision": "accepted"})).await,
        409,
    );

    // An expired assessment can be sent again; a past due date must be moved first.
    let res =
        app.patch(&format!("/api/v1/assessments/{id}"), "procurement", json!({"due_on": days_from_today(-1)})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_problem(&app.post(&format!("/api/v1/assessments/{id}/send"), "procurement", json!({})).await, 422);
    assert_eq!(
        app.patch(&format!("/api/v1/assessments/{id}"), "procurement", json!({"due_on": days_from_today(7)}))
            .await
            .status,
        200
    );
    let res = app.post(&format!("/api/v1/assessments/{id}/send"), "procurement", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let third = res.body["respondent_token"].as_str().unwrap().to_string();
    assert_eq!(portal(third.clone()).await.status, 200);

    // Revoking works at once, and only once.
    assert_eq!(app.post(&format!("/api/v1/assessments/{id}/revoke-link"), "procurement", json!({})).await.status, 200);
    assert_problem(&portal(third).await, 401);
    assert_problem(&app.post(&format!("/api/v1/assessments/{id}/revoke-link"), "procurement", json!({})).await, 409);
    let a = app.get(&format!("/api/v1/assessments/{id}"), "auditor").await.body;
    assert_eq!(a["link"]["active"], false);
    assert!(a["link"]["revoked_at"].is_string());
}

#[actix_web::test]
async fn assessments_are_validated_and_listed() {
    let app = TestApp::new().await;
    let template = published_small_template(&app, "lists").await;
    let vendor = app.vendor(json!({"name": "Listed Co"})).await;
    let path = format!("/api/v1/vendors/{}/assessments", vendor["id"].as_str().unwrap());
    let res = app
        .post(
            &path,
            "procurement",
            json!({"template_id": "nope", "due_on": "2099-01-01", "respondent_name": " ", "respondent_email": "x"}),
        )
        .await;
    assert_problem(&res, 422);
    assert_eq!(error_fields(&res.body), vec!["respondent_name", "respondent_email"]);
    let body = |t: &str| json!({"template_id": t, "due_on": days_from_today(300), "respondent_name": "A", "respondent_email": "a@example.com"});
    assert_problem(&app.post(&path, "procurement", body("nope")).await, 422);
    assert_problem(&app.post(&path, "procurement", body(&uuid::Uuid::now_v7().to_string())).await, 422);
    assert_problem(
        &app.post(&format!("/api/v1/vendors/{}/assessments", uuid::Uuid::now_v7()), "procurement", body(&template))
            .await,
        404,
    );
    for _ in 0..3 {
        assert_eq!(app.post(&path, "procurement", body(&template)).await.status, 201);
    }
    // A due date more than a year ahead would keep a link working for years.
    let mut far = body(&template);
    far["due_on"] = json!(days_from_today(366));
    let res = app.post(&path, "procurement", far).await;
    assert_problem(&res, 422);
    assert_eq!(error_fields(&res.body), vec!["due_on"]);
    let page = app.get(&format!("{path}?limit=2"), "auditor").await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 2);
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let rest = app.get(&format!("{path}?limit=2&cursor={cursor}"), "auditor").await;
    assert_eq!(rest.body["items"].as_array().unwrap().len(), 1);
    assert!(rest.body["next_cursor"].is_null());
    let drafts = app.get("/api/v1/assessments?status=draft", "auditor").await;
    assert_eq!(drafts.body["items"].as_array().unwrap().len(), 3);
    let sent = app.get("/api/v1/assessments?status=sent", "auditor").await;
    assert_eq!(sent.body["items"].as_array().unwrap().len(), 0);
}
