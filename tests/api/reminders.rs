//! Reminders through HTTP and a real SMTP server: planning follows the data, each reminder goes
//! out once, with the right parts, and survives SMTP failures.

use std::time::Duration;

use chrono::Utc;
use mail_parser::MimeHeaders;
use serde_json::{json, Value};

use crate::{
    smtp::{free_port, SmtpSink},
    support::{as_respondent, assert_problem, days_from_today, oversee_command, TestApp},
};

const BASE: &str = "/api/v1/reminders";

pub async fn vendor_with_owner(app: &TestApp, name: &str) -> String {
    app.vendor(json!({"name": name, "handles_pi": true, "access": "stores", "pi_elements": ["ssn"],
                      "status": "active", "owner_email": "owner@example.com"}))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// A contract whose notice deadline is `notice_in` days away (ends `notice_in + 60` days away).
pub async fn contract_with_notice_in(app: &TestApp, vendor: &str, title: &str, notice_in: i64) -> String {
    let res = app
        .post(
            &format!("/api/v1/vendors/{vendor}/contracts"),
            "procurement",
            json!({"title": title, "entered_on": "2024-01-15", "ends_on": days_from_today(notice_in + 60),
                   "notice_days": 60, "owner_email": "buyer@example.com",
                   "document_text": "Vendor shall implement and maintain appropriate security measures to protect personal information."}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body["id"].as_str().unwrap().to_string()
}

async fn reminders(app: &TestApp, query: &str) -> Vec<Value> {
    let res = app.get(&format!("{BASE}?limit=500&{query}"), "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["items"].as_array().unwrap().clone()
}

fn of<'a>(items: &'a [Value], kind: &str, state: &str) -> Vec<&'a Value> {
    items.iter().filter(|r| r["kind"] == kind && r["state"] == state).collect()
}

async fn sweep(app: &TestApp, at: chrono::DateTime<Utc>) -> oversee::reminders::sender::Report {
    oversee::reminders::sender::run_once(&app.state, at, true).await.unwrap()
}

fn parse(data: &[u8]) -> mail_parser::Message<'_> {
    mail_parser::MessageParser::default().parse(data).expect("a MIME message")
}

#[actix_web::test]
async fn the_schedule_follows_the_data_and_moves_with_it() {
    let app = TestApp::new().await;
    let v = vendor_with_owner(&app, "Acme Payroll").await;
    let c = contract_with_notice_in(&app, &v, "MSA", 40).await;
    // Planned in the contract's own transaction: six leads for the end (100 days away, within
    // the 90 + 30 day look-ahead) and six for the notice deadline (40 days away).
    let items = reminders(&app, &format!("vendor_id={v}")).await;
    let renewal = of(&items, "contract_renewal", "pending");
    let notice = of(&items, "contract_notice_deadline", "pending");
    assert_eq!((renewal.len(), notice.len()), (6, 6), "{items:#?}");
    assert!(notice.iter().all(|r| r["due_on"] == days_from_today(40) && r["subject_id"] == c.as_str()));
    let thirty = notice.iter().find(|r| r["lead_days"] == 30).unwrap();
    assert_eq!(thirty["send_on"], days_from_today(10));

    // The end moves by ten days: the pending rows of the old dates are cancelled, new ones planned.
    let res =
        app.patch(&format!("/api/v1/contracts/{c}"), "procurement", json!({"ends_on": days_from_today(110)})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let items = reminders(&app, &format!("vendor_id={v}")).await;
    let cancelled = of(&items, "contract_notice_deadline", "cancelled");
    assert_eq!(cancelled.len(), 6);
    assert!(
        cancelled[0]["reason"].as_str().unwrap().contains(&format!("to {}", days_from_today(50))),
        "{}",
        cancelled[0]
    );
    assert_eq!(of(&items, "contract_notice_deadline", "pending").len(), 6);
    // Moving it back revives the cancelled rows rather than adding a third set.
    app.patch(&format!("/api/v1/contracts/{c}"), "procurement", json!({"ends_on": days_from_today(100)})).await;
    let items = reminders(&app, &format!("vendor_id={v}&kind=contract_notice_deadline")).await;
    assert_eq!(items.len(), 12);
    assert_eq!(
        of(&items, "contract_notice_deadline", "pending").iter().filter(|r| r["due_on"] == days_from_today(40)).count(),
        6
    );

    // A finding's due date plans finding_due; resolving it cancels them.
    let f = app
        .post(
            "/api/v1/findings",
            "security",
            json!({"vendor_id": v, "title": "No MFA", "severity": "high",
                                                      "due_on": days_from_today(20), "owner_email": "sec@example.com"}),
        )
        .await;
    assert_eq!(f.status, 201, "{}", f.text);
    let fid = f.body["id"].as_str().unwrap();
    assert_eq!(reminders(&app, &format!("kind=finding_due&state=pending&vendor_id={v}")).await.len(), 6);
    app.patch(&format!("/api/v1/findings/{fid}"), "security", json!({"status": "resolved"})).await;
    assert_eq!(reminders(&app, &format!("kind=finding_due&state=cancelled&vendor_id={v}")).await.len(), 6);

    // Filters by due range, and bad filters are 422.
    let near = reminders(&app, &format!("due_from={}&due_to={}", days_from_today(39), days_from_today(41))).await;
    assert!(near.iter().all(|r| r["due_on"] == days_from_today(40)) && !near.is_empty());
    assert_problem(&app.get(&format!("{BASE}?due_from=tomorrow"), "auditor").await, 400);
    assert_problem(&app.get(&format!("{BASE}?state=lost"), "auditor").await, 400);
}

#[actix_web::test]
async fn after_downtime_only_the_nearest_missed_reminder_goes_out_once_with_every_part() {
    let sink = SmtpSink::start();
    let app = TestApp::with_env(&[
        ("OVERSEE_SMTP_URL", &sink.url()),
        ("OVERSEE_REMINDER_MAILBOXES", "legal=legal@example.com"),
    ])
    .await;
    let v = vendor_with_owner(&app, "Acme <Payroll> & Co").await;
    let c = contract_with_notice_in(&app, &v, "MSA 2024", 20).await;
    let report = sweep(&app, Utc::now()).await;
    // Notice in 20 days: the 90, 60 and 30-day reminders are past; only the 30-day one goes,
    // late. The end (80 days away) has its 90-day reminder past: sent late too.
    assert_eq!(report.sent, 2, "{report:?}");
    sink.wait_for_accepted(2, Duration::from_secs(10));
    let items = reminders(&app, &format!("vendor_id={v}")).await;
    let sent = of(&items, "contract_notice_deadline", "sent");
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["lead_days"], 30);
    assert_eq!(sent[0]["late"], true);
    assert_eq!(sent[0]["attempts"], 1);
    let skipped = of(&items, "contract_notice_deadline", "skipped");
    assert_eq!(skipped.len(), 2, "90 and 60");
    assert!(skipped.iter().all(|r| r["reason"].as_str().unwrap().contains("30-day")));
    let recipients: Vec<&str> = sent[0]["recipients"].as_array().unwrap().iter().map(|r| r.as_str().unwrap()).collect();
    assert_eq!(recipients, vec!["buyer@example.com", "owner@example.com", "legal@example.com"]);

    // The message the SMTP server received.
    let message_id = sent[0]["message_id"].as_str().unwrap();
    assert_eq!(sink.count_message_id(message_id), 1);
    let raw =
        sink.accepted().into_iter().find(|m| crate::smtp::message_id(&m.data).as_deref() == Some(message_id)).unwrap();
    assert_eq!(raw.to.len(), 3);
    let mail = parse(&raw.data);
    let subject = mail.subject().unwrap();
    assert!(subject.contains("Notice deadline") && subject.contains("Acme <Payroll> & Co"), "{subject}");
    assert!(subject.contains("MSA 2024") && subject.contains(&days_from_today(20)), "{subject}");
    let text = mail.body_text(0).unwrap();
    assert!(text.contains("201 CMR 17.03(2)(f)2 contract status:"), "{text}");
    assert!(text.contains(&format!("/api/v1/contracts/{c}")));
    assert!(text.contains("This reminder is late"));
    let html = mail.body_html(0).unwrap();
    assert!(html.contains("Acme &lt;Payroll&gt; &amp; Co"), "escaped in HTML: {html}");
    assert!(!html.contains("<Payroll>"));
    let ics = mail.attachments().find(|a| a.attachment_name() == Some("deadline.ics")).expect("an .ics attachment");
    let ctype = ics.content_type().unwrap();
    assert_eq!((ctype.ctype(), ctype.subtype()), ("text", Some("calendar")));
    let cal = std::str::from_utf8(ics.contents()).unwrap();
    assert!(cal.starts_with("BEGIN:VCALENDAR\r\n") && cal.contains("BEGIN:VEVENT\r\n"), "{cal}");
    let day = days_from_today(20).replace('-', "");
    assert!(cal.contains(&format!("DTSTART;VALUE=DATE:{day}\r\n")), "{cal}");

    // Sweeping again, even much later the same day, sends nothing more.
    let again = sweep(&app, Utc::now() + chrono::Duration::hours(1)).await;
    assert_eq!(again.sent, 0, "{again:?}");
    assert_eq!(sink.accepted().len(), 2);

    // Each send is in the audit trail (and the outbox, as reminder.sent).
    let audit = app.get("/api/v1/audit-events?subject_type=reminder", "auditor").await;
    let actions: Vec<&str> =
        audit.body["items"].as_array().unwrap().iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["sent", "sent"]);
}

#[actix_web::test]
async fn with_the_smtp_server_down_then_up_nothing_is_lost_or_doubled() {
    let port = free_port();
    let app = TestApp::with_env(&[("OVERSEE_SMTP_URL", &format!("smtp://{port}"))]).await;
    let v = vendor_with_owner(&app, "Globex").await;
    for title in ["A", "B", "C"] {
        contract_with_notice_in(&app, &v, title, 5).await;
    }
    let now = Utc::now();
    let down = sweep(&app, now).await;
    assert_eq!((down.sent, down.retrying), (0, 6), "{down:?}"); // a notice and an end for each
    let waiting = reminders(&app, "state=pending").await;
    let tried: Vec<&Value> = waiting.iter().filter(|r| r["attempts"] == 1).collect();
    assert_eq!(tried.len(), 6);
    assert!(tried.iter().all(|r| r["last_error"].as_str().unwrap().contains("SMTP")));

    // Before the backoff runs out nothing is tried again.
    let sink = SmtpSink::start_on(port);
    assert_eq!(sweep(&app, now + chrono::Duration::seconds(30)).await.sent, 0);
    let up = sweep(&app, now + chrono::Duration::seconds(61)).await;
    assert_eq!(up.sent, 6, "{up:?}");
    sink.wait_for_accepted(6, Duration::from_secs(10));
    assert_eq!(sweep(&app, now + chrono::Duration::hours(2)).await.sent, 0);
    assert_eq!(sink.accepted().len(), 6);
    for r in reminders(&app, "state=sent").await {
        assert_eq!(r["attempts"], 2);
        assert_eq!(sink.count_message_id(r["message_id"].as_str().unwrap()), 1);
    }
}

#[actix_web::test]
async fn a_reminder_that_keeps_failing_is_marked_failed_and_can_be_retried() {
    let sink = SmtpSink::start();
    sink.refuse(true);
    let app = TestApp::with_env(&[("OVERSEE_SMTP_URL", &sink.url())]).await;
    let mut s = app.get("/api/v1/settings/reminders", "auditor").await.body;
    s["max_attempts"] = json!(2);
    s["lead_days"] = json!([7]);
    assert_eq!(app.put("/api/v1/settings/reminders", "admin", s).await.status, 200);
    let v = vendor_with_owner(&app, "Initech").await;
    let f = app
        .post(
            "/api/v1/findings",
            "security",
            json!({"vendor_id": v, "title": "Old TLS", "severity": "medium",
                                                      "due_on": days_from_today(3)}),
        )
        .await;
    let now = Utc::now();
    assert_eq!(sweep(&app, now).await.retrying, 1);
    let second = sweep(&app, now + chrono::Duration::minutes(2)).await;
    assert_eq!(second.failed, 1, "{second:?}");
    let failed = reminders(&app, "state=failed").await;
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0]["subject_id"], f.body["id"]);
    assert!(failed[0]["last_error"].as_str().unwrap().contains("451"), "{}", failed[0]);
    let audit = app.get("/api/v1/audit-events?subject_type=reminder", "auditor").await;
    assert_eq!(audit.body["items"][0]["action"], "failed");

    let id = failed[0]["id"].as_str().unwrap();
    assert_problem(&app.post(&format!("{BASE}/{id}/retry"), "auditor", json!({})).await, 403);
    sink.refuse(false);
    let retried = app.post(&format!("{BASE}/{id}/retry"), "procurement", json!({})).await;
    assert_eq!(retried.status, 200, "{}", retried.text);
    assert_eq!((retried.body["state"].as_str(), retried.body["attempts"].as_i64()), (Some("pending"), Some(0)));
    assert_eq!(sweep(&app, Utc::now()).await.sent, 1);
    sink.wait_for_accepted(1, Duration::from_secs(10));
    assert_problem(&app.post(&format!("{BASE}/{id}/retry"), "procurement", json!({})).await, 409);
    assert_problem(&app.get(&format!("{BASE}/01ARZ3NDEKTSV4RRFFQ69G5FAV"), "auditor").await, 404);
}

#[actix_web::test]
async fn without_smtp_reminders_are_written_to_the_outbox_folder() {
    let app = TestApp::new().await;
    let v = vendor_with_owner(&app, "Hooli").await;
    contract_with_notice_in(&app, &v, "DPA", 6).await;
    assert_eq!(sweep(&app, Utc::now()).await.sent, 2);
    let outbox = app.state.mailer.outbox().to_path_buf();
    let files: Vec<_> = std::fs::read_dir(outbox).unwrap().flatten().collect();
    assert_eq!(files.len(), 2);
    let raw = std::fs::read(files[0].path()).unwrap();
    assert!(parse(&raw).subject().unwrap().contains("Hooli"));
}

#[actix_web::test]
async fn settings_are_validated_and_new_lead_days_replan_at_the_next_pass() {
    let app = TestApp::new().await;
    let s = app.get("/api/v1/settings/reminders", "legal").await;
    assert_eq!(s.status, 200);
    assert_eq!(s.body["lead_days"], json!([90, 60, 30, 14, 7, 1]));
    for (field, value) in [
        ("lead_days", json!([])),
        ("lead_days", json!([400])),
        ("lead_days", json!([7, 7])),
        ("interval_seconds", json!(0)),
        ("max_attempts", json!(50)),
        ("mailboxes", json!({"legal": "not an address"})),
        ("recipients", json!({"finding_due": ["ciso"]})),
    ] {
        let mut bad = s.body.clone();
        bad[field] = value.clone();
        let res = app.put("/api/v1/settings/reminders", "admin", bad).await;
        assert_problem(&res, 422);
        assert!(res.text.contains(field), "{field}={value}: {}", res.text);
    }
    let mut unknown = s.body.clone();
    unknown["recipients"] = json!({"contract_lapse": ["vendor_owner"]});
    assert_problem(&app.put("/api/v1/settings/reminders", "admin", unknown).await, 422);
    assert_problem(&app.put("/api/v1/settings/reminders", "procurement", s.body.clone()).await, 403);

    let v = vendor_with_owner(&app, "Umbrella").await;
    contract_with_notice_in(&app, &v, "MSA", 50).await;
    let mut fewer = s.body.clone();
    fewer["lead_days"] = json!([45, 10]);
    let saved = app.put("/api/v1/settings/reminders", "admin", fewer).await;
    assert_eq!(saved.status, 200, "{}", saved.text);
    let report = sweep(&app, Utc::now()).await;
    assert!(report.cancelled >= 6, "{report:?}");
    let pending = reminders(&app, &format!("vendor_id={v}&kind=contract_notice_deadline&state=pending")).await;
    let leads: Vec<i64> = pending.iter().map(|r| r["lead_days"].as_i64().unwrap()).collect();
    assert_eq!(leads.len(), 2, "{leads:?}");
    let cancelled = reminders(&app, &format!("vendor_id={v}&kind=contract_notice_deadline&state=cancelled")).await;
    assert!(!cancelled.is_empty());
    assert!(cancelled.iter().all(|r| r["reason"].as_str().unwrap().contains("lead days no longer include")));
}

#[actix_web::test]
async fn the_preview_lists_what_goes_out_in_the_next_days() {
    let app = TestApp::with_env(&[("OVERSEE_REMINDER_MAILBOXES", "procurement=buyers@example.com")]).await;
    let v = vendor_with_owner(&app, "Stark").await;
    let c = contract_with_notice_in(&app, &v, "MSA", 40).await;
    let res = app.get("/api/v1/reminders/preview?days=15", "procurement").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let items = res.body["items"].as_array().unwrap();
    // Notice in 40 days and end in 100: the 30-day notice reminder and the 90-day end reminder
    // both go out in 10 days; nothing else within 15.
    assert_eq!(items.len(), 2, "{items:#?}");
    assert!(items.iter().all(|i| i["send_on"] == days_from_today(10) && i["subject_id"] == c.as_str()));
    let notice = items.iter().find(|i| i["kind"] == "contract_notice_deadline").unwrap();
    assert_eq!(
        (notice["lead_days"].as_i64(), notice["due_on"].as_str()),
        (Some(30), Some(days_from_today(40).as_str()))
    );
    assert_eq!(notice["recipients"], json!(["buyer@example.com", "owner@example.com", "buyers@example.com"]));
    assert!(items.iter().any(|i| i["kind"] == "contract_renewal" && i["lead_days"] == 90));
    let wide = app.get(&format!("/api/v1/reminders/preview?days=120&vendor_id={v}"), "procurement").await;
    assert!(wide.body["items"].as_array().unwrap().len() > 6);
    assert_problem(&app.get("/api/v1/reminders/preview?days=0", "procurement").await, 400);
    assert_problem(
        &app.get("/api/v1/reminders/preview?vendor_id=01ARZ3NDEKTSV4RRFFQ69G5FAV", "procurement").await,
        404,
    );
}

/// The calendar UID of a reminder names its deadline, so every reminder of one deadline updates
/// one calendar entry; the Message-ID names the reminder, on the sender's domain.
#[actix_web::test]
async fn every_reminder_of_one_deadline_carries_one_calendar_uid_and_its_own_message_id() {
    let sink = SmtpSink::start();
    let app = TestApp::with_env(&[
        ("OVERSEE_SMTP_URL", &sink.url()),
        ("OVERSEE_MAIL_FROM", "Oversee <reminders@corp.example>"),
    ])
    .await;
    let v = vendor_with_owner(&app, "Initech").await;
    let c = contract_with_notice_in(&app, &v, "MSA", 20).await;
    // Today: the late 30-day notice reminder and the 90-day renewal one. Six days on, the notice
    // is 14 days away: its 14-day reminder.
    assert_eq!(sweep(&app, Utc::now()).await.sent, 2);
    assert_eq!(sweep(&app, Utc::now() + chrono::Duration::days(6)).await.sent, 1);
    sink.wait_for_accepted(3, Duration::from_secs(10));

    let items = reminders(&app, &format!("vendor_id={v}&state=sent")).await;
    let uid_of = |message_id: &str| {
        let raw = sink
            .accepted()
            .into_iter()
            .find(|m| crate::smtp::message_id(&m.data).as_deref() == Some(message_id))
            .expect("the message was received");
        let mail = parse(&raw.data);
        let ics = mail.attachments().find(|a| a.attachment_name() == Some("deadline.ics")).expect("an .ics");
        let cal = std::str::from_utf8(ics.contents()).unwrap().replace("\r\n ", "");
        cal.lines().find_map(|l| l.strip_prefix("UID:")).expect("a UID").to_string()
    };
    let notices = of(&items, "contract_notice_deadline", "sent");
    assert_eq!(notices.len(), 2);
    let expected_uid = format!("contract_notice_deadline.{c}.{}@oversee", days_from_today(20));
    let mut ids = vec![];
    for n in &notices {
        let message_id = n["message_id"].as_str().unwrap();
        assert_eq!(message_id, format!("<reminder.{}@corp.example>", n["id"].as_str().unwrap()));
        assert_eq!(uid_of(message_id), expected_uid);
        ids.push(message_id.to_string());
    }
    assert_ne!(ids[0], ids[1]);
    let renewal = of(&items, "contract_renewal", "sent");
    assert_eq!(renewal.len(), 1);
    assert_ne!(uid_of(renewal[0]["message_id"].as_str().unwrap()), expected_uid);
}

/// An assessment's due date, from the API's side: nothing while it is a draft, planned when it is
/// sent, the nearest missed reminder mailed late, and the rest cancelled once the vendor submits.
#[actix_web::test]
async fn assessment_due_reminders_are_planned_on_send_mailed_and_cancelled_on_submit() {
    let sink = SmtpSink::start();
    let app = TestApp::with_env(&[("OVERSEE_SMTP_URL", &sink.url())]).await;
    let v = vendor_with_owner(&app, "Globex").await;
    let template = crate::questionnaires::published_small_template(&app, "due-reminders").await;
    let draft = app
        .post(
            &format!("/api/v1/vendors/{v}/assessments"),
            "procurement",
            json!({"template_id": template, "due_on": days_from_today(3),
                "respondent_name": "Dana Lee", "respondent_email": "dana@globex.example"}),
        )
        .await;
    assert_eq!(draft.status, 201, "{}", draft.text);
    let a = draft.body["id"].as_str().unwrap().to_string();
    let query = format!("kind=assessment_due&vendor_id={v}");
    assert!(reminders(&app, &query).await.is_empty(), "a draft has no reminders");

    let sent = app.post(&format!("/api/v1/assessments/{a}/send"), "procurement", json!({})).await;
    assert_eq!(sent.status, 200, "{}", sent.text);
    let token = sent.body["respondent_token"].as_str().unwrap().to_string();
    let planned = of(&reminders(&app, &query).await, "assessment_due", "pending").len();
    assert!(planned >= 2, "{planned}");
    for r in reminders(&app, &query).await {
        assert_eq!(
            (r["subject_id"].as_str(), r["due_on"].as_str()),
            (Some(a.as_str()), Some(days_from_today(3).as_str()))
        );
    }

    // Due in 3 days: the 7-day reminder is the nearest missed one, mailed late; the 1-day one waits.
    assert_eq!(sweep(&app, Utc::now()).await.sent, 1);
    sink.wait_for_accepted(1, Duration::from_secs(10));
    let items = reminders(&app, &query).await;
    let mailed = of(&items, "assessment_due", "sent");
    assert_eq!(mailed.len(), 1);
    assert_eq!((mailed[0]["lead_days"].as_i64(), mailed[0]["late"].as_bool()), (Some(7), Some(true)));
    assert!(mailed[0]["recipients"].as_array().unwrap().iter().any(|r| r == "owner@example.com"), "{}", mailed[0]);
    let raw = sink.accepted().pop().unwrap();
    let mail = parse(&raw.data);
    assert!(mail.subject().unwrap().contains("Globex"), "{:?}", mail.subject());
    assert!(mail.body_text(0).unwrap().contains(&format!("/api/v1/assessments/{a}")));
    let waiting = of(&items, "assessment_due", "pending");
    assert_eq!(waiting.len(), 1);
    assert_eq!(waiting[0]["lead_days"], 1);

    // The vendor submits: what was still to be sent is cancelled, and nothing more goes out.
    let portal = |method: actix_web::http::Method, path: &str, body: Option<Value>| {
        let (app, token, path) = (&app, token.clone(), format!("/api/v1/portal{path}"));
        async move { as_respondent(app, &token, method, &path, body).await }
    };
    let answers =
        json!({"answers": [{"question_code": "S.1", "answer": "yes"}, {"question_code": "S.2", "answer": "fast"}]});
    assert_eq!(portal(actix_web::http::Method::PUT, "/answers", Some(answers)).await.status, 200);
    let upload = actix_web::test::TestRequest::post()
        .uri("/api/v1/portal/evidence?question_code=S.3&filename=soc2.pdf")
        .insert_header(("Authorization", format!("Bearer {token}")))
        .insert_header(("Content-Type", "application/pdf"))
        .set_payload(b"%PDF soc2".to_vec());
    assert_eq!(app.send(upload).await.status, 201);
    let submitted = portal(actix_web::http::Method::POST, "/submit", None).await;
    assert_eq!(submitted.status, 200, "{}", submitted.text);
    let items = reminders(&app, &query).await;
    assert!(of(&items, "assessment_due", "pending").is_empty(), "{items:?}");
    assert_eq!(of(&items, "assessment_due", "cancelled").len(), 1);
    assert_eq!(sweep(&app, Utc::now() + chrono::Duration::days(2)).await.sent, 0);
}

/// A process that could not record a reminder's outcome must not mail it: it would mail again
/// each time the lease ran out. Here the chain becomes keyed by another process (with
/// `OVERSEE_AUDIT_KEY`) after this keyless one started; this one then sends nothing at all.
#[actix_web::test]
async fn a_process_that_cannot_record_the_outcome_mails_nothing() {
    let sink = SmtpSink::start();
    let app = TestApp::with_env(&[("OVERSEE_SMTP_URL", &sink.url())]).await;
    let mut s = app.get("/api/v1/settings/reminders", "auditor").await.body;
    s["lead_days"] = json!([7]);
    assert_eq!(app.put("/api/v1/settings/reminders", "admin", s).await.status, 200);
    let v = vendor_with_owner(&app, "Initech").await;
    contract_with_notice_in(&app, &v, "MSA", 7).await;
    let due = reminders(&app, "state=pending").await;
    assert!(due.iter().any(|r| r["send_on"] == days_from_today(0)), "one reminder is due today: {due:?}");

    let key = [("OVERSEE_AUDIT_KEY", "audit-key-of-another-process-0000000000".to_string())];
    let out = oversee_command(&app, &["seed-demo", "--vendors", "1"], &key).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));

    let err = oversee::reminders::sender::run_once(&app.state, Utc::now(), false).await.unwrap_err();
    assert!(err.to_string().contains("OVERSEE_AUDIT_KEY"), "{err}");
    assert!(sink.accepted().is_empty(), "nothing was mailed");
    let still: Vec<Value> = reminders(&app, "state=pending").await.into_iter().map(|r| r["id"].clone()).collect();
    for r in &due {
        assert!(still.contains(&r["id"]), "{} is still pending, for a process that can record it", r["id"]);
    }
}
