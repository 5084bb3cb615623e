//! Exactly once across processes: the real `oversee` binary, killed with SIGKILL in the middle of
//! a sweep and started again, and two servers sweeping one database at the same time. The data is
//! made through the in-process app; the child processes share its database.

use std::{
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::{
    reminders::vendor_with_owner,
    smtp::{free_port, SmtpSink},
    support::{days_from_today, TestApp, SECRET},
};

fn oversee(app: &TestApp, sink: &SmtpSink, args: &[&str], extra: &[(&str, String)]) -> Child {
    let config = &app.state.config;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oversee"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &config.database_url)
        .env("OVERSEE_DATA_DIR", &config.data_dir)
        .env("OVERSEE_JWT_SECRET", SECRET)
        .env("OVERSEE_SMTP_URL", sink.url())
        .env("OVERSEE_SMTP_TIMEOUT_SECONDS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in extra {
        cmd.env(k, v);
    }
    cmd.spawn().expect("start oversee")
}

/// `n` findings due in three days: each has exactly one reminder to send now (the 7-day one).
async fn findings_due_soon(app: &TestApp, n: usize) -> Vec<String> {
    let v = vendor_with_owner(app, "Soylent").await;
    let mut ids = vec![];
    for i in 0..n {
        let res = app
            .post(
                "/api/v1/findings",
                "security",
                json!({"vendor_id": v, "title": format!("Finding {i}"),
                                                          "severity": "low", "due_on": days_from_today(3)}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
        ids.push(res.body["id"].as_str().unwrap().to_string());
    }
    ids
}

async fn sent(app: &TestApp) -> Vec<Value> {
    let res = app.get("/api/v1/reminders?state=sent&limit=500", "auditor").await;
    res.body["items"].as_array().unwrap().clone()
}

fn assert_each_once(sink: &SmtpSink, sent: &[Value], expected: usize) {
    assert_eq!(sent.len(), expected);
    assert_eq!(sink.accepted().len(), expected, "the SMTP server got exactly one message per reminder");
    for r in sent {
        let id = r["message_id"].as_str().unwrap();
        assert_eq!(sink.count_message_id(id), 1, "{id}");
    }
}

#[actix_web::test]
async fn a_sweep_killed_midway_and_restarted_sends_each_reminder_exactly_once() {
    let sink = SmtpSink::start();
    let app = TestApp::new().await;
    findings_due_soon(&app, 5).await;
    // The third message is held without a reply until its sender dies; the server then drops it.
    sink.hold_message_number(3);
    let mut first = oversee(&app, &sink, &["remind", "--once"], &[]);
    sink.wait_until_holding(Duration::from_secs(60));
    first.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix
    first.wait().unwrap();
    assert_eq!(sink.accepted().len(), 2, "two went out before the kill");
    assert_eq!(sent(&app).await.len(), 2, "and were recorded as sent before the third began");

    // Started again (as cron would), until everything went out; the reminder that was in flight
    // waits for its lease to run out, then goes again.
    let deadline = Instant::now() + Duration::from_secs(90);
    while sent(&app).await.len() < 5 {
        assert!(Instant::now() < deadline, "not all reminders were sent after the restart");
        let status = oversee(&app, &sink, &["remind", "--once"], &[]).wait().unwrap();
        assert!(status.success(), "{status:?}");
        if sent(&app).await.len() < 5 {
            std::thread::sleep(Duration::from_millis(500)); // poll interval, bounded by the deadline
        }
    }
    assert_each_once(&sink, &sent(&app).await, 5);
}

#[actix_web::test]
async fn two_servers_on_one_database_send_each_reminder_exactly_once() {
    let sink = SmtpSink::start();
    let app = TestApp::new().await;
    findings_due_soon(&app, 20).await;
    let servers: Vec<Child> = (0..2)
        .map(|_| {
            oversee(
                &app,
                &sink,
                &["serve"],
                &[("OVERSEE_BIND", free_port().to_string()), ("OVERSEE_REMINDER_INTERVAL_SECONDS", "1".into())],
            )
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(90);
    while sent(&app).await.len() < 20 {
        assert!(Instant::now() < deadline, "the servers did not send every reminder");
        std::thread::sleep(Duration::from_millis(200));
    }
    // Both kept sweeping for a further pass or two; nothing more may arrive.
    std::thread::sleep(Duration::from_secs(2));
    for mut s in servers {
        s.kill().unwrap();
        s.wait().unwrap();
    }
    assert_each_once(&sink, &sent(&app).await, 20);
}
