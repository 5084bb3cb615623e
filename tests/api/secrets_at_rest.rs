//! Nothing secret rests in plain text: a respondent's token is never kept for an idempotent
//! replay, webhook signing secrets are sealed with `OVERSEE_SECRET_KEY`, and each is searched for
//! in the database itself (the SQLite file and its WAL, byte by byte; on PostgreSQL every table
//! that holds text a request wrote).

use actix_web::test::TestRequest;
use diesel::prelude::*;
use serde_json::json;

use crate::{
    support::{assert_problem, builtin_template_id, days_from_today, TestApp},
    webhooks::{allowed_app_with, drain, verify as signed_by, Receiver},
};

/// Whether `needle` is anywhere in the stored database.
async fn stored_anywhere(app: &TestApp, needle: &str) -> bool {
    let url = &app.state.config.database_url;
    if !url.starts_with("postgres") {
        // Everything committed so far, in the main file or still in the WAL.
        let mut bytes = std::fs::read(url).unwrap();
        bytes.extend(std::fs::read(format!("{url}-wal")).unwrap_or_default());
        return bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    }
    let needle = needle.to_string();
    app.state
        .db
        .read_heavy(move |c| {
            #[derive(QueryableByName)]
            struct Hit {
                #[diesel(sql_type = diesel::sql_types::BigInt)]
                n: i64,
            }
            let like = format!("%{needle}%");
            let sql = "SELECT count(*) AS n FROM (\
                SELECT response_body AS t FROM idempotency_keys UNION ALL \
                SELECT secret FROM webhook_subscriptions UNION ALL SELECT previous_secret FROM webhook_subscriptions UNION ALL \
                SELECT before FROM audit_events UNION ALL SELECT after FROM audit_events UNION ALL \
                SELECT payload FROM outbox_events UNION ALL SELECT payload FROM webhook_deliveries) x WHERE t LIKE $1";
            let hit: Hit = diesel::sql_query(sql).bind::<diesel::sql_types::Text, _>(like).get_result(c)?;
            Ok(hit.n > 0)
        })
        .await
        .unwrap()
}

#[actix_web::test]
async fn a_respondent_token_is_never_kept_for_a_replay() {
    let app = TestApp::new().await;
    let template = builtin_template_id(&app).await;
    let vendor = app.vendor(json!({"name": "Acme"})).await;
    let res = app
        .post(
            &format!("/api/v1/vendors/{}/assessments", vendor["id"].as_str().unwrap()),
            "procurement",
            json!({"template_id": template, "due_on": days_from_today(30), "respondent_name": "Dana",
                   "respondent_email": "dana@acme.example"}),
        )
        .await;
    let id = res.body["id"].as_str().unwrap().to_string();
    let send = || {
        TestRequest::post()
            .uri(&format!("/api/v1/assessments/{id}/send"))
            .insert_header(("Authorization", format!("Bearer {}", app.token("procurement"))))
            .insert_header(("Idempotency-Key", "send-once"))
            .set_json(json!({}))
    };
    let sent = app.send(send()).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    assert_eq!(sent.header("cache-control").as_deref(), Some("no-store"));
    let token = sent.body["respondent_token"].as_str().unwrap().to_string();
    assert!(!stored_anywhere(&app, &token).await, "the token is in the database");
    // The retry is told what happened, not given the token again.
    let again = app.send(send()).await;
    assert_problem(&again, 409);
    assert!(again.body["detail"].as_str().unwrap().contains("carried a secret"), "{}", again.text);
    assert!(!again.text.contains(&token));
}

#[actix_web::test]
async fn idempotency_keys_expire_and_are_deleted() {
    let app = TestApp::with_env(&[("OVERSEE_IDEMPOTENCY_HOURS", "1")]).await;
    let post = |name: &str| {
        TestRequest::post()
            .uri("/api/v1/vendors")
            .insert_header(("Authorization", format!("Bearer {}", app.token("admin"))))
            .insert_header(("Idempotency-Key", "k-1"))
            .set_json(json!({"name": name}))
    };
    assert_eq!(app.send(post("Acme")).await.status, 201);
    let count = || {
        app.state.db.read_heavy(|c| Ok(oversee::db::schema::idempotency_keys::table.count().get_result::<i64>(c)?))
    };
    assert_eq!(count().await.unwrap(), 1);
    // The housekeeping loop's delete, an hour and a bit later.
    let cutoff = oversee::time::format(chrono::Utc::now() + chrono::Duration::minutes(1));
    let deleted = app.state.db.write(move |c| oversee::idempotency::store::purge(c, &cutoff)).await.unwrap();
    assert_eq!(deleted, 1);
    assert_eq!(count().await.unwrap(), 0);
    assert_problem(&app.post("/api/v1/vendors", "admin", json!({"name": "Acme"})).await, 409);
}

#[actix_web::test]
async fn webhook_secrets_are_sealed_with_the_key_and_still_sign() {
    let app = allowed_app_with(&[("OVERSEE_SECRET_KEY", "a-secret-key-that-is-long-enough-00000")]).await;
    let receiver = Receiver::start();
    let res =
        app.post("/api/v1/webhooks", "admin", json!({"url": receiver.url, "event_types": ["vendor.created"]})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.header("cache-control").as_deref(), Some("no-store"));
    let (sub, secret) =
        (res.body["id"].as_str().unwrap().to_string(), res.body["secret"].as_str().unwrap().to_string());
    let rotated =
        app.post(&format!("/api/v1/webhooks/{sub}/rotate-secret"), "admin", json!({"overlap_hours": 24})).await;
    assert_eq!(rotated.status, 200, "{}", rotated.text);
    let new_secret = rotated.body["secret"].as_str().unwrap().to_string();
    for s in [&secret, &new_secret] {
        assert!(!stored_anywhere(&app, s).await, "a signing secret is in the database in plain text");
        // Not even the part after the prefix.
        assert!(!stored_anywhere(&app, &s["whsec_".len()..]).await);
    }
    let stored: (String, Option<String>) = {
        let sub = sub.clone();
        app.state
            .db
            .read_heavy(move |c| {
                use oversee::db::schema::webhook_subscriptions as w;
                Ok(w::table.find(&sub).select((w::secret, w::previous_secret)).first(c)?)
            })
            .await
            .unwrap()
    };
    assert!(stored.0.starts_with("enc:v1:") && stored.1.unwrap().starts_with("enc:v1:"));
    // Deliveries are signed with the secrets the receiver holds, both during the overlap.
    app.vendor(json!({"name": "Signed Co"})).await;
    drain(&app).await;
    let got = receiver.take();
    let delivery = got.iter().find(|r| r.body.contains("Signed Co")).expect("delivered");
    assert!(signed_by(&new_secret, delivery) && signed_by(&secret, delivery));
}

#[actix_web::test]
async fn files_at_rest_are_for_oversees_user_alone() {
    use std::os::unix::fs::PermissionsExt;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let app = TestApp::new().await;
    let template = builtin_template_id(&app).await;
    let (assessment, token) = crate::support::send_assessment(&app, &template).await;
    let code = app.get(&format!("/api/v1/questionnaire-templates/{template}"), "security").await.body["sections"][0]
        ["questions"][0]["code"]
        .as_str()
        .unwrap()
        .to_string();
    let upload = TestRequest::post()
        .uri(&format!("/api/v1/portal/evidence?question_code={code}&filename=soc2.pdf"))
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/pdf"))
        .set_payload(b"%PDF soc2".to_vec());
    let res = app.send(upload).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let data = &app.state.config.data_dir;
    let evidence_dir = data.join("evidence").join(&assessment);
    assert_eq!(mode(&data.join("evidence")), 0o700);
    assert_eq!(mode(&evidence_dir), 0o700);
    let file = std::fs::read_dir(&evidence_dir).unwrap().next().unwrap().unwrap().path();
    assert_eq!(mode(&file), 0o600);
    // The invitation (with the token) went to the mail outbox.
    assert_eq!(mode(&data.join("mail-outbox")), 0o700);
    let url = &app.state.config.database_url;
    if !url.starts_with("postgres") {
        assert_eq!(mode(std::path::Path::new(url)), 0o600);
        assert_eq!(mode(std::path::Path::new(&format!("{url}-wal"))), 0o600);
    }
}
