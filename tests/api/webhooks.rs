//! Webhooks through HTTP and a real receiver on loopback: signatures, retries, order, recovery,
//! redelivery, rotation, disabling, and the SSRF guard.

use std::{
    collections::{HashMap, VecDeque},
    io::{BufRead, BufReader, Read, Write},
    net::TcpListener,
    sync::{Arc, Mutex},
};

use chrono::{DateTime, Duration, Utc};
use serde_json::{json, Value};

use crate::support::{assert_problem, TestApp};

#[derive(Clone, Debug)]
pub struct Received {
    pub headers: HashMap<String, String>,
    pub body: String,
    answered: u16,
}

/// A minimal HTTP/1.1 server on 127.0.0.1 that records each request and answers with the next
/// queued status (200 when the queue is empty).
pub struct Receiver {
    pub url: String,
    received: Arc<Mutex<Vec<Received>>>,
    answers: Arc<Mutex<VecDeque<u16>>>,
    /// Sent as `Location` with every answer, when set (to answer with a redirect).
    location: Arc<Mutex<Option<String>>>,
}

impl Receiver {
    pub fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let received = Arc::new(Mutex::new(Vec::new()));
        let answers = Arc::new(Mutex::new(VecDeque::new()));
        let location = Arc::new(Mutex::new(None::<String>));
        let (rec, ans, loc) = (received.clone(), answers.clone(), location.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                let mut headers = HashMap::new();
                let mut line = String::new();
                reader.read_line(&mut line).unwrap(); // request line
                loop {
                    line.clear();
                    if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                        break;
                    }
                    if let Some((k, v)) = line.trim_end().split_once(':') {
                        headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                    }
                }
                let len: usize = headers.get("content-length").and_then(|v| v.parse().ok()).unwrap_or(0);
                let mut body = vec![0u8; len];
                reader.read_exact(&mut body).unwrap();
                let status = ans.lock().unwrap().pop_front().unwrap_or(200);
                rec.lock().unwrap().push(Received {
                    headers,
                    body: String::from_utf8(body).unwrap(),
                    answered: status,
                });
                let location = loc.lock().unwrap().as_ref().map(|l| format!("Location: {l}\r\n")).unwrap_or_default();
                let _ =
                    write!(stream, "HTTP/1.1 {status} X\r\n{location}Content-Length: 0\r\nConnection: close\r\n\r\n");
            }
        });
        Receiver { url, received, answers, location }
    }

    fn redirect_to(&self, url: &str) {
        *self.location.lock().unwrap() = Some(url.to_string());
    }

    fn queue(&self, statuses: &[u16]) {
        self.answers.lock().unwrap().extend(statuses);
    }

    pub fn take(&self) -> Vec<Received> {
        std::mem::take(&mut *self.received.lock().unwrap())
    }
}

pub fn verify(secret: &str, r: &Received) -> bool {
    let id = &r.headers["webhook-id"];
    let ts: i64 = r.headers["webhook-timestamp"].parse().unwrap();
    let expected = oversee::rules::webhooks::sign(secret, id, ts, r.body.as_bytes()).unwrap();
    r.headers["webhook-signature"].split(' ').any(|s| s == expected)
}

pub fn event_type(r: &Received) -> String {
    serde_json::from_str::<Value>(&r.body).unwrap()["type"].as_str().unwrap().to_string()
}

async fn run(app: &TestApp, at: DateTime<Utc>) -> (usize, usize) {
    oversee::webhooks::worker::run_once(&app.state, at).await.unwrap()
}

/// Passes until nothing is due: one pass sends at most one delivery per subject, in order.
pub async fn drain(app: &TestApp) {
    for _ in 0..20 {
        if run(app, Utc::now()).await.1 == 0 {
            return;
        }
    }
    panic!("deliveries kept coming");
}

pub async fn allowed_app() -> TestApp {
    allowed_app_with(&[]).await
}

/// An app whose webhooks may reach a receiver on loopback, with more settings.
pub async fn allowed_app_with(extra: &[(&str, &str)]) -> TestApp {
    let mut env = vec![("OVERSEE_WEBHOOK_ALLOW_HTTP", "true"), ("OVERSEE_WEBHOOK_ALLOW_PRIVATE", "true")];
    env.extend_from_slice(extra);
    TestApp::with_env(&env).await
}

pub async fn subscribe(app: &TestApp, url: &str, types: Value) -> (String, String) {
    let res = app.post("/api/v1/webhooks", "admin", json!({"url": url, "event_types": types})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert!(res.body["secret"].as_str().unwrap().starts_with("whsec_"));
    (res.body["id"].as_str().unwrap().to_string(), res.body["secret"].as_str().unwrap().to_string())
}

#[actix_web::test]
async fn deliveries_are_signed_retried_in_order_and_never_doubled() {
    let app = allowed_app().await;
    let receiver = Receiver::start();
    // Exact types, not the family: a finding also moves the vendor's score (vendor.score_changed),
    // and the sequences below are exact.
    let (sub, secret) = subscribe(&app, &receiver.url, json!(["vendor.created", "vendor.updated"])).await;
    // The secret is never shown again.
    assert!(app.get(&format!("/api/v1/webhooks/{sub}"), "admin").await.body.get("secret").is_none());

    let now = Utc::now();
    let v1 = app.vendor(json!({"name": "Hook One"})).await["id"].as_str().unwrap().to_string();
    let finding =
        app.post("/api/v1/findings", "security", json!({"vendor_id": v1, "title": "x", "severity": "low"})).await;
    assert_eq!(finding.status, 201, "{}", finding.text);
    let (fanned, attempts) = run(&app, now).await;
    assert!(fanned >= 3, "{fanned}");
    assert_eq!(attempts, 1, "only vendor.created matches, not finding.created nor vendor.score_changed");
    let got = receiver.take();
    assert_eq!(got.len(), 1);
    assert_eq!(event_type(&got[0]), "vendor.created");
    assert!(verify(&secret, &got[0]), "signature");
    assert_eq!(got[0].headers["content-type"], "application/json");
    assert_eq!(run(&app, now).await, (0, 0), "nothing is sent twice");

    // The receiver fails twice, then recovers: the failing vendor's event is retried on the
    // schedule, and a later event for the same vendor waits behind it; another vendor's does not.
    receiver.queue(&[500, 503]);
    let v2 = app.vendor(json!({"name": "Hook Two"})).await["id"].as_str().unwrap().to_string();
    run(&app, now).await;
    let patched = app.patch(&format!("/api/v1/vendors/{v2}"), "admin", json!({"criticality": "high"})).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    let v3 = app.vendor(json!({"name": "Hook Three"})).await["id"].as_str().unwrap().to_string();
    run(&app, now).await;
    // What each request was about: the vendor in its data, and how it was answered.
    let seen = |got: &[Received]| -> Vec<(String, String, u16)> {
        got.iter()
            .map(|r| {
                let body: Value = serde_json::from_str(&r.body).unwrap();
                (body["data"]["id"].as_str().unwrap().to_string(), event_type(r), r.answered)
            })
            .collect()
    };
    let first = seen(&receiver.take());
    assert_eq!(
        first,
        vec![(v2.clone(), "vendor.created".into(), 500), (v3.clone(), "vendor.created".into(), 503)],
        "Hook Two's creation, then Hook Three's; Hook Two's update waits behind its creation"
    );
    // Hook Two's creation failed (500), and Hook Three's took the 503; Hook Two's update waits
    // behind its creation. Past the retry waits, everything drains.
    run(&app, now + Duration::seconds(10)).await;
    run(&app, now + Duration::seconds(60)).await;
    run(&app, now + Duration::seconds(300)).await;
    let rest = receiver.take();
    let after = seen(&rest);
    let of = |v: &str| after.iter().filter(|(s, _, _)| s == v).map(|(_, t, a)| (t.clone(), *a)).collect::<Vec<_>>();
    assert_eq!(of(&v2), vec![("vendor.created".to_string(), 200), ("vendor.updated".to_string(), 200)], "{after:?}");
    assert_eq!(of(&v3), vec![("vendor.created".to_string(), 200)], "{after:?}");
    assert_eq!(after.len(), 3, "{after:?}");
    let mut delivered: Vec<String> =
        rest.iter().filter(|r| r.answered == 200).map(|r| r.headers["webhook-id"].clone()).collect();
    let before = delivered.len();
    delivered.sort();
    delivered.dedup();
    assert_eq!(delivered.len(), before, "no delivery reached the receiver twice with success");

    // Every delivery is in the log, succeeded, with its attempts and status code.
    let log = app.get(&format!("/api/v1/webhooks/{sub}/deliveries?limit=100"), "admin").await;
    assert_eq!(log.status, 200, "{}", log.text);
    let items = log.body["items"].as_array().unwrap();
    assert!(items.iter().all(|d| d["status"] == "succeeded"), "{}", log.text);
    assert!(items.iter().any(|d| d["attempts"].as_i64().unwrap() >= 2));
    assert!(items.iter().all(|d| d["last_status_code"] == 200));
    // Order per subject in the log too: Hook Two's creation was delivered before its update.
    let webhook_id_of = |v: &str, t: &str| {
        rest.iter()
            .find(|r| {
                let body: Value = serde_json::from_str(&r.body).unwrap();
                event_type(r) == t && r.answered == 200 && body["data"]["id"] == v
            })
            .map(|r| r.headers["webhook-id"].clone())
            .unwrap()
    };
    let delivered_at = |id: String| {
        items.iter().find(|d| d["id"] == id.as_str()).unwrap()["delivered_at"].as_str().unwrap().to_string()
    };
    let created = delivered_at(webhook_id_of(&v2, "vendor.created"));
    let updated = delivered_at(webhook_id_of(&v2, "vendor.updated"));
    assert!(created < updated, "{created} then {updated}");
}

#[actix_web::test]
async fn client_errors_fail_at_once_can_be_redelivered_and_disable_a_subscription() {
    let app = allowed_app().await;
    let receiver = Receiver::start();
    let (sub, secret) = subscribe(&app, &receiver.url, json!(["*"])).await;
    receiver.queue(&[410]);
    app.vendor(json!({"name": "Gone Co"})).await;
    drain(&app).await;
    let log = app.get(&format!("/api/v1/webhooks/{sub}/deliveries?status=failed"), "admin").await;
    let failed = &log.body["items"][0];
    assert_eq!((failed["attempts"].as_i64(), failed["last_status_code"].as_i64()), (Some(1), Some(410)));
    let id = failed["id"].as_str().unwrap();
    let res = app.post(&format!("/api/v1/webhooks/{sub}/deliveries/{id}/redeliver"), "admin", json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    assert_problem(
        &app.post(&format!("/api/v1/webhooks/{sub}/deliveries/{id}/redeliver"), "admin", json!({})).await,
        409,
    );
    receiver.take();
    drain(&app).await;
    // A redelivery keeps its webhook-id (the first event out was the subscription's own creation).
    let again: Vec<Received> = receiver.take().into_iter().filter(|r| r.headers["webhook-id"] == id).collect();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].answered, 200);

    // Rotation: both secrets sign during the overlap.
    let res = app.post(&format!("/api/v1/webhooks/{sub}/rotate-secret"), "admin", json!({"overlap_hours": 24})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let new_secret = res.body["secret"].as_str().unwrap().to_string();
    assert_ne!(new_secret, secret);
    let res = app.post(&format!("/api/v1/webhooks/{sub}/test"), "admin", json!({})).await;
    assert_eq!(res.status, 202, "{}", res.text);
    drain(&app).await;
    // A "*" subscription also hears about itself (webhook.secret_rotated and so on).
    let test: Vec<Received> = receiver.take().into_iter().filter(|r| event_type(r) == "webhook.test").collect();
    assert_eq!(test.len(), 1);
    assert!(verify(&new_secret, &test[0]) && verify(&secret, &test[0]));
    assert_eq!(test[0].headers["webhook-signature"].split(' ').count(), 2);

    // Five deliveries failing for good in a row disable the subscription, with an audit event.
    let res = app.patch(&format!("/api/v1/webhooks/{sub}"), "admin", json!({"event_types": ["vendor.created"]})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    drain(&app).await;
    receiver.take();
    receiver.queue(&[400, 400, 400, 400, 400]);
    for i in 0..5 {
        app.vendor(json!({"name": format!("Bad Request {i}")})).await;
    }
    drain(&app).await;
    let s = app.get(&format!("/api/v1/webhooks/{sub}"), "admin").await.body;
    assert_eq!(s["active"], false);
    assert!(s["disabled_reason"].as_str().unwrap().contains("HTTP 400"), "{s}");
    let audit = app.get(&format!("/api/v1/audit-events?subject_type=webhook&subject_id={sub}"), "auditor").await;
    assert_eq!(audit.body["items"][0]["action"], "disabled");
    // Nothing more is sent while it is disabled; resuming clears the count.
    app.vendor(json!({"name": "Quiet Co"})).await;
    receiver.take();
    assert_eq!(run(&app, Utc::now()).await.1, 0);
    let res = app.patch(&format!("/api/v1/webhooks/{sub}"), "admin", json!({"active": true})).await;
    assert_eq!((res.body["active"].as_bool(), res.body["failed_in_a_row"].as_i64()), (Some(true), Some(0)));
}

#[actix_web::test]
async fn subscriptions_are_validated_and_guarded_against_ssrf() {
    let app = TestApp::new().await;
    for (url, why) in [
        ("http://hooks.example.com/x", "https"),
        ("https://127.0.0.1/x", "OVERSEE_WEBHOOK_ALLOW_PRIVATE"),
        ("https://169.254.169.254/latest", "OVERSEE_WEBHOOK_ALLOW_PRIVATE"),
        ("https://[::1]/x", "OVERSEE_WEBHOOK_ALLOW_PRIVATE"),
        ("not a url", "URL"),
    ] {
        let res = app.post("/api/v1/webhooks", "admin", json!({"url": url, "event_types": ["*"]})).await;
        assert_problem(&res, 422);
        assert!(res.text.contains(why), "{url}: {}", res.text);
    }
    let res = app
        .post("/api/v1/webhooks", "admin", json!({"url": "https://127.0.0.1/x", "event_types": ["Vendor.*", ""]}))
        .await;
    assert_problem(&res, 422);
    let fields: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["event_types[0]", "event_types[1]"]);
    assert_problem(
        &app.post("/api/v1/webhooks", "security", json!({"url": "https://x.example", "event_types": ["*"]})).await,
        403,
    );
}

/// A subscription saved while its address was allowed (here: put straight into the database)
/// whose address is refused by the time of delivery: the guard is applied again before each
/// delivery, and no request reaches the address.
#[actix_web::test]
async fn the_guard_is_applied_again_at_every_delivery() {
    let app = TestApp::with_env(&[("OVERSEE_WEBHOOK_ALLOW_HTTP", "true")]).await;
    let receiver = Receiver::start();
    let url = receiver.url.clone();
    let sub = app
        .state
        .db
        .write(move |c| {
            use diesel::RunQueryDsl;
            let now = oversee::time::now();
            let row = oversee::webhooks::models::SubscriptionRow {
                id: uuid::Uuid::now_v7().to_string(),
                url,
                event_types: r#"["vendor.created"]"#.into(),
                secret: "whsec_b3ZlcnNlZS10ZXN0LXNlY3JldC0wMTIzNDU2Nzg5YWI=".into(),
                previous_secret: None,
                previous_secret_until: None,
                active: true,
                description: None,
                failed_in_a_row: 0,
                disabled_reason: None,
                version: 1,
                created_at: now.clone(),
                updated_at: now,
            };
            diesel::insert_into(oversee::db::schema::webhook_subscriptions::table).values(&row).execute(c)?;
            Ok(row.id)
        })
        .await
        .unwrap();
    app.vendor(json!({"name": "Rebound Co"})).await;
    run(&app, Utc::now()).await;
    assert!(receiver.take().is_empty(), "a request reached a refused address");
    let log = app.get(&format!("/api/v1/webhooks/{sub}/deliveries"), "admin").await;
    let d = &log.body["items"][0];
    assert!(d["last_error"].as_str().unwrap().contains("loopback"), "{d}");
    assert_eq!(d["attempts"], 1);
}

#[actix_web::test]
async fn clause_events_are_published_as_clause_star() {
    let app = allowed_app().await;
    let receiver = Receiver::start();
    let (_, secret) = subscribe(&app, &receiver.url, json!(["clause.verified"])).await;
    let v = app.vendor(json!({"name": "Clause Co", "handles_pi": true, "access": "stores"})).await;
    let res = app
        .post(
            &format!("/api/v1/vendors/{}/contracts", v["id"].as_str().unwrap()),
            "legal",
            json!({"title": "MSA", "entered_on": "2026-01-05"}),
        )
        .await;
    let contract = res.body["id"].as_str().unwrap().to_string();
    app.put(&format!("/api/v1/contracts/{contract}/clauses/security_measures"), "legal", json!({"status": "present"}))
        .await;
    let res =
        app.post(&format!("/api/v1/contracts/{contract}/clauses/security_measures/verify"), "legal", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    drain(&app).await;
    let got = receiver.take();
    assert_eq!(got.iter().map(event_type).collect::<Vec<_>>(), vec!["clause.verified"]);
    assert!(verify(&secret, &got[0]));
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["data"]["verified_by"], "tester@example.com");
}

#[actix_web::test]
async fn a_sent_reminder_is_published_as_reminder_sent() {
    let app = allowed_app().await;
    let receiver = Receiver::start();
    let (_, secret) = subscribe(&app, &receiver.url, json!(["reminder.*"])).await;
    let v = crate::reminders::vendor_with_owner(&app, "Remind Co").await;
    let due = crate::support::days_from_today(3);
    let res = app
        .post(
            "/api/v1/findings",
            "security",
            json!({"vendor_id": v, "title": "Patch", "severity": "low", "due_on": due}),
        )
        .await;
    let finding = res.body["id"].as_str().unwrap().to_string();
    let report = oversee::reminders::sender::run_once(&app.state, Utc::now(), true).await.unwrap();
    assert_eq!(report.sent, 1);
    drain(&app).await;
    let got = receiver.take();
    assert_eq!(got.iter().map(event_type).collect::<Vec<_>>(), vec!["reminder.sent"]);
    assert!(verify(&secret, &got[0]));
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["data"]["kind"], "finding_due");
    assert_eq!(body["data"]["subject_id"], finding.as_str());
    assert_eq!(body["data"]["due_on"], due.as_str());
    assert_eq!(body["data"]["recipients"], json!(["owner@example.com"]));
}

#[actix_web::test]
async fn a_contract_whose_f2_status_changes_is_published_as_compliance_changed() {
    let app = allowed_app().await;
    let receiver = Receiver::start();
    let (_, secret) = subscribe(&app, &receiver.url, json!(["contract.compliance_changed"])).await;
    let v = app.vendor(json!({"name": "Status Co", "handles_pi": true, "access": "stores"})).await;
    let res = app
        .post(
            &format!("/api/v1/vendors/{}/contracts", v["id"].as_str().unwrap()),
            "legal",
            json!({"title": "MSA", "entered_on": "2026-01-05"}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let contract = res.body["id"].as_str().unwrap().to_string();
    let before = app.get(&format!("/api/v1/contracts/{contract}/compliance"), "legal").await.body["status"].clone();
    // A change that leaves the status alone publishes nothing.
    let renamed = app
        .patch(&format!("/api/v1/contracts/{contract}"), "legal", json!({"title": "Master services agreement"}))
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    drain(&app).await;
    assert!(receiver.take().is_empty(), "a change that left the status alone was published");
    let clause = app
        .put(&format!("/api/v1/contracts/{contract}/clauses/security_measures"), "legal", json!({"status": "present"}))
        .await;
    assert_eq!(clause.status, 200, "{}", clause.text);
    let after = app.get(&format!("/api/v1/contracts/{contract}/compliance"), "legal").await.body["status"].clone();
    assert_ne!(before, after);
    drain(&app).await;
    let got = receiver.take();
    assert_eq!(got.iter().map(event_type).collect::<Vec<_>>(), vec!["contract.compliance_changed"]);
    assert!(verify(&secret, &got[0]));
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["data"]["contract_id"], contract.as_str());
    assert_eq!(body["data"]["previous_status"], before);
    assert_eq!(body["data"]["status"], after);
    assert!(!body["data"]["reasons"].as_array().unwrap().is_empty());
}

/// A receiver that answers with a redirect gets the delivery; the address it points to never does,
/// whatever the redirect status, and a redirect is a failure that is not retried.
#[actix_web::test]
async fn a_redirect_is_never_followed() {
    let app = allowed_app().await;
    let (first, second) = (Receiver::start(), Receiver::start());
    first.redirect_to(&second.url);
    let (sub, _) = subscribe(&app, &first.url, json!(["vendor.created"])).await;
    for (i, status) in [301u16, 302, 303, 307, 308].into_iter().enumerate() {
        first.queue(&[status]);
        app.vendor(json!({"name": format!("Redirected {i}")})).await;
        drain(&app).await;
        let got = first.take();
        assert_eq!(got.iter().map(|r| r.answered).collect::<Vec<_>>(), vec![status], "{status}");
        assert!(second.take().is_empty(), "{status}: the redirect target was called");
    }
    let log = app.get(&format!("/api/v1/webhooks/{sub}/deliveries"), "admin").await;
    assert_eq!(log.status, 200, "{}", log.text);
    let mut codes: Vec<i64> = log.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("failed"), Some(1)), "{d}");
            d["last_status_code"].as_i64().unwrap()
        })
        .collect();
    codes.sort();
    assert_eq!(codes, vec![301, 302, 303, 307, 308]);
}

/// A status the date alone moves (here a contract running out) is published by the daily sweep
/// on the day, once: a second sweep of the day, or of a later day with nothing new, says nothing.
#[actix_web::test]
async fn a_status_moved_only_by_time_is_published_once_by_the_daily_sweep() {
    use oversee::compliance::sweep;
    let app = allowed_app().await;
    let receiver = Receiver::start();
    subscribe(&app, &receiver.url, json!(["contract.compliance_changed"])).await;
    let v = app.vendor(json!({"name": "Lapsing Co", "handles_pi": true, "access": "stores"})).await;
    let res = app
        .post(
            &format!("/api/v1/vendors/{}/contracts", v["id"].as_str().unwrap()),
            "legal",
            json!({"title": "MSA", "entered_on": "2024-01-01", "ends_on": crate::support::days_from_today(10)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let contract = res.body["id"].as_str().unwrap().to_string();
    drain(&app).await;
    assert!(receiver.take().is_empty(), "a contract's first evaluation is not a change");

    let today = oversee::time::today();
    let sweep_on = |days: i64| {
        let (db, config) = (app.state.db.clone(), app.state.config.clone());
        std::thread::spawn(move || sweep::run(&db, &config, today + chrono::Duration::days(days)).unwrap())
    };
    // The day it is still in force: nothing moves.
    assert_eq!(sweep_on(10).join().unwrap(), sweep::Swept { claimed: true, vendors: 1 });
    drain(&app).await;
    assert!(receiver.take().is_empty());
    // The day after its end: one event, whichever of two sweeps at once claims the day.
    let (a, b) = (sweep_on(11), sweep_on(11));
    let claims = [a.join().unwrap().claimed, b.join().unwrap().claimed];
    assert_eq!(claims.iter().filter(|c| **c).count(), 1, "{claims:?}");
    drain(&app).await;
    let got = receiver.take();
    assert_eq!(got.iter().map(event_type).collect::<Vec<_>>(), vec!["contract.compliance_changed"]);
    let body: Value = serde_json::from_str(&got[0].body).unwrap();
    assert_eq!(body["data"]["contract_id"], contract.as_str());
    assert_eq!(
        (body["data"]["previous_status"].as_str(), body["data"]["status"].as_str()),
        (Some("needs_review"), Some("not_in_force"))
    );
    assert_eq!(body["data"]["as_of"], crate::support::days_from_today(11));
    // The same day again, and a later day with nothing new: nothing more.
    assert!(!sweep_on(11).join().unwrap().claimed);
    assert!(sweep_on(12).join().unwrap().claimed);
    drain(&app).await;
    assert!(receiver.take().is_empty());
    let audit = app.get(&format!("/api/v1/audit-events?subject_id={contract}"), "auditor").await;
    let changes =
        audit.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "compliance_changed").count();
    assert_eq!(changes, 1, "{}", audit.text);
}
