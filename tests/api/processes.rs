//! Crashes and concurrency with the real `oversee` binary: killed with SIGKILL in the middle of a
//! reminder sweep or of webhook deliveries and started again, and two servers sweeping one
//! database at the same time. The data is made through the in-process app; the child processes
//! share its database.

use std::{
    io::{BufRead, BufReader, Read, Write},
    process::{Child, Command, Stdio},
    sync::{Arc, Mutex},
    time::{Duration, Instant},
};

use serde_json::{json, Value};

use crate::{
    reminders::vendor_with_owner,
    smtp::{free_port, SmtpSink},
    support::{days_from_today, TestApp, SECRET},
};

fn oversee(app: &TestApp, sink: &SmtpSink, args: &[&str], extra: &[(&str, String)]) -> Child {
    oversee_with(app, &[("OVERSEE_SMTP_URL", sink.url())], args, extra)
}

fn oversee_with(app: &TestApp, base: &[(&str, String)], args: &[&str], extra: &[(&str, String)]) -> Child {
    let config = &app.state.config;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_oversee"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &config.database_url)
        .env("OVERSEE_DATA_DIR", &config.data_dir)
        .env("OVERSEE_JWT_SECRET", SECRET)
        .env("OVERSEE_SMTP_TIMEOUT_SECONDS", "2")
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    for (k, v) in base.iter().chain(extra) {
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
    // The SMTP timeout (and so the lease) is long enough that the held one is still in flight
    // when the child is killed, however slow the machine.
    sink.hold_message_number(3);
    let mut first = oversee(&app, &sink, &["remind", "--once"], &[("OVERSEE_SMTP_TIMEOUT_SECONDS", "10".into())]);
    sink.wait_until_holding(Duration::from_secs(60));
    // Reminders are mailed several at once: the other four do not wait behind the held one.
    sink.wait_for_accepted(4, Duration::from_secs(8));
    let deadline = Instant::now() + Duration::from_secs(8);
    while sent(&app).await.len() < 4 {
        assert!(Instant::now() < deadline, "the four accepted were not recorded as sent");
        std::thread::sleep(Duration::from_millis(50)); // poll interval, bounded by the deadline
    }
    first.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix
    first.wait().unwrap();
    assert_eq!(sink.accepted().len(), 4, "only the held one had not gone out at the kill");

    // Started again (as cron would), until everything went out; the reminder that was in flight
    // waits for its lease to run out, then goes again.
    let deadline = Instant::now() + Duration::from_secs(120);
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

/// A webhook receiver on loopback that answers 200 to every request but the `hold`-th, which it
/// leaves unanswered until the sender dies (and then forgets).
#[derive(Clone, Default)]
struct HoldingReceiver {
    answered: Arc<Mutex<Vec<String>>>,
    holding: Arc<Mutex<bool>>,
}

impl HoldingReceiver {
    fn start(hold: usize) -> (HoldingReceiver, String) {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}/hook", listener.local_addr().unwrap());
        let r = HoldingReceiver::default();
        let seen = Arc::new(Mutex::new(0usize));
        let r2 = r.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (r, seen) = (r2.clone(), seen.clone());
                std::thread::spawn(move || r.serve(stream, &seen, hold));
            }
        });
        (r, url)
    }

    fn serve(&self, stream: std::net::TcpStream, seen: &Mutex<usize>, hold: usize) {
        let mut writer = stream.try_clone().unwrap();
        let mut reader = BufReader::new(stream);
        loop {
            let mut id = None;
            let mut length = 0;
            let mut line = String::new();
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                if let Some((k, v)) = l.split_once(':') {
                    match k.trim().to_ascii_lowercase().as_str() {
                        "webhook-id" => id = Some(v.trim().to_string()),
                        "content-length" => length = v.trim().parse().unwrap_or(0),
                        _ => {}
                    }
                }
            }
            let mut body = vec![0; length];
            if reader.read_exact(&mut body).is_err() {
                return;
            }
            let number = {
                let mut s = seen.lock().unwrap();
                *s += 1;
                *s
            };
            if number == hold {
                *self.holding.lock().unwrap() = true;
                let mut rest = String::new();
                while reader.read_line(&mut rest).unwrap_or(0) > 0 {
                    rest.clear();
                }
                return;
            }
            self.answered.lock().unwrap().push(id.unwrap_or_default());
            if writer.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_err() {
                return;
            }
        }
    }
}

async fn deliveries(app: &TestApp, sub: &str, status: &str) -> usize {
    let res = app.get(&format!("/api/v1/webhooks/{sub}/deliveries?status={status}&limit=100"), "admin").await;
    res.body["items"].as_array().unwrap().len()
}

async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(90);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200)); // poll interval, bounded by the deadline
    }
}

#[actix_web::test]
async fn webhook_deliveries_killed_midway_lose_nothing_and_resend_only_what_was_in_flight() {
    let app =
        TestApp::with_env(&[("OVERSEE_WEBHOOK_ALLOW_HTTP", "true"), ("OVERSEE_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let (receiver, url) = HoldingReceiver::start(3);
    let res = app.post("/api/v1/webhooks", "admin", json!({"url": url, "event_types": ["vendor.created"]})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let sub = res.body["id"].as_str().unwrap().to_string();
    for i in 0..5 {
        app.vendor(json!({"name": format!("Vendor {i}")})).await;
    }
    let env = [
        ("OVERSEE_WEBHOOK_ALLOW_HTTP", "true".to_string()),
        ("OVERSEE_WEBHOOK_ALLOW_PRIVATE", "true".to_string()),
        ("OVERSEE_WEBHOOK_TIMEOUT_SECONDS", "2".to_string()),
    ];
    let server = || oversee_with(&app, &env, &["serve"], &[("OVERSEE_BIND", free_port().to_string())]);
    let mut first = server();
    // Four answered and recorded, the third request held: then the server dies.
    wait_until("four deliveries recorded", async || deliveries(&app, &sub, "succeeded").await == 4).await;
    assert!(*receiver.holding.lock().unwrap());
    first.kill().expect("SIGKILL");
    first.wait().unwrap();
    assert_eq!(receiver.answered.lock().unwrap().len(), 4);

    let mut second = server();
    wait_until("every delivery recorded", async || deliveries(&app, &sub, "succeeded").await == 5).await;
    second.kill().unwrap();
    second.wait().unwrap();
    let mut ids = receiver.answered.lock().unwrap().clone();
    assert_eq!(ids.len(), 5, "only the delivery in flight was sent again: {ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each event answered once, under its own webhook-id");
}
