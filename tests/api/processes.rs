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
    support::{days_from_today, oversee_command, TestApp},
    table_hold::TableHold,
};

fn oversee(app: &TestApp, sink: &SmtpSink, args: &[&str], extra: &[(&str, String)]) -> Child {
    oversee_with(app, &[("OVERSEE_SMTP_URL", sink.url())], args, extra)
}

fn oversee_with(app: &TestApp, base: &[(&str, String)], args: &[&str], extra: &[(&str, String)]) -> Child {
    let mut env = vec![("OVERSEE_SMTP_TIMEOUT_SECONDS", "2".to_string())];
    env.extend(base.iter().chain(extra).cloned());
    oversee_command(app, args, &env).stdout(Stdio::null()).stderr(Stdio::null()).spawn().expect("start oversee")
}

/// `oversee remind --once` with its summary kept.
fn remind_once(app: &TestApp, sink: &SmtpSink) -> Child {
    remind_once_with(app, sink, &[])
}

fn remind_once_with(app: &TestApp, sink: &SmtpSink, extra: &[(&str, String)]) -> Child {
    let mut env = vec![("OVERSEE_SMTP_URL", sink.url()), ("OVERSEE_SMTP_TIMEOUT_SECONDS", "2".to_string())];
    env.extend(extra.iter().cloned());
    oversee_command(app, &["remind", "--once"], &env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start oversee remind --once")
}

/// Waits for a `remind --once`, requires that it succeeded, and returns its summary.
fn summary_of(child: Child) -> Value {
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "remind --once failed: {:?}\n{stderr}", out.status);
    let stdout = String::from_utf8_lossy(&out.stdout);
    serde_json::from_str(stdout.lines().last().unwrap_or_default()).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

fn count(summary: &Value, field: &str) -> u64 {
    summary[field].as_u64().unwrap_or_else(|| panic!("no {field} in {summary}"))
}

/// Stops a server as an operator would (SIGTERM) and requires a clean exit.
pub(crate) fn terminate(mut server: Child) {
    let pid = server.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let status = server.wait().unwrap();
    assert!(status.success(), "the server did not stop cleanly: {status:?}");
}

/// Kills a process that must still be running (SIGKILL, a crash) and checks it died of the kill,
/// not of something of its own before it.
fn kill_midway(mut child: Child) {
    assert!(child.try_wait().unwrap().is_none(), "the process had already exited before the kill");
    child.kill().expect("SIGKILL"); // Child::kill is SIGKILL on Unix
    let status = child.wait().unwrap();
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(9), "the process ended otherwise: {status:?}");
}

/// After processes wrote at once: the audit chain is whole (no fork, no gap, every link right).
async fn assert_chain_intact(app: &TestApp) {
    let report = app.get("/api/v1/audit-events/verify", "auditor").await;
    assert_eq!(report.status, 200, "{}", report.text);
    assert_eq!(
        (report.body["intact"].as_bool(), report.body["problems_total"].as_i64()),
        (Some(true), Some(0)),
        "{}",
        report.text
    );
}

/// The process id in each sent reminder's `sent_by` (`host:pid:tag`), counted.
fn senders(sent: &[Value]) -> std::collections::BTreeMap<u32, usize> {
    let mut by = std::collections::BTreeMap::new();
    for r in sent {
        let worker = r["sent_by"].as_str().unwrap_or_else(|| panic!("sent_by missing: {r}"));
        let pid: u32 = worker.split(':').nth(1).and_then(|p| p.parse().ok()).unwrap();
        *by.entry(pid).or_default() += 1;
    }
    by
}

/// The `sent` audit events of reminders: one per reminder, never two.
async fn assert_one_sent_event_each(app: &TestApp, expected: usize) {
    let mut ids = vec![];
    let mut cursor = String::new();
    loop {
        let res = app.get(&format!("/api/v1/audit-events?subject_type=reminder&limit=500{cursor}"), "auditor").await;
        for e in res.body["items"].as_array().unwrap().iter().filter(|e| e["action"] == "sent") {
            ids.push(e["subject_id"].as_str().unwrap().to_string());
        }
        match res.body["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(ids.len(), expected, "one sent event per reminder");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), expected, "no reminder has two sent events");
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
    assert!(res.body["next_cursor"].is_null(), "the tests stay under one page");
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
    let first = oversee(&app, &sink, &["remind", "--once"], &[("OVERSEE_SMTP_TIMEOUT_SECONDS", "10".into())]);
    sink.wait_until_holding(Duration::from_secs(60));
    // Reminders are mailed several at once: the other four go out while the held one's sender
    // is still waiting for its reply (sent one at a time, they would follow its timeout).
    sink.wait_for_accepted(4, Duration::from_secs(60));
    assert!(sink.is_holding(), "the other four went out only after the held message's sender gave up");
    let deadline = Instant::now() + Duration::from_secs(60);
    while sent(&app).await.len() < 4 {
        assert!(Instant::now() < deadline, "the four accepted were not recorded as sent");
        std::thread::sleep(Duration::from_millis(50)); // poll interval, bounded by the deadline
    }
    assert!(sink.is_holding(), "the four were recorded only after the held message's sender gave up");
    kill_midway(first);
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
    assert_chain_intact(&app).await;
}

/// Polls `check` until it holds; the interval only paces the polling, the deadline bounds it.
async fn wait_until(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Every reminder sent, and no message in flight at the SMTP server: with every row sent there
/// is nothing left to claim, and nothing is mailed without a claim, so nothing more can arrive.
async fn all_sent_and_quiet(app: &TestApp, sink: &SmtpSink, n: usize) {
    wait_until(&format!("{n} reminders sent"), async || sent(app).await.len() >= n).await;
    sink.wait_until_idle(Duration::from_secs(60));
}

#[actix_web::test]
async fn two_servers_on_one_database_send_each_reminder_exactly_once() {
    let sink = SmtpSink::start();
    // Slow enough that the first server cannot send everything before the second is up.
    sink.slow(Duration::from_millis(500));
    let app = TestApp::new().await;
    findings_due_soon(&app, 40).await;
    let server = || {
        let env = [("OVERSEE_BIND", free_port().to_string()), ("OVERSEE_REMINDER_INTERVAL_SECONDS", "1".into())];
        oversee(&app, &sink, &["serve"], &env)
    };
    let first = server();
    sink.wait_for_accepted(1, Duration::from_secs(60));
    let second = server();
    all_sent_and_quiet(&app, &sink, 40).await;
    let (a, b) = (first.id(), second.id());
    terminate(first);
    terminate(second);
    let sent = sent(&app).await;
    let by = senders(&sent);
    assert!(by.get(&a).is_some_and(|n| *n > 0) && by.get(&b).is_some_and(|n| *n > 0), "both servers sent: {by:?}");
    assert_eq!(by.len(), 2, "{by:?}");
    assert_each_once(&sink, &sent, 40);
    assert_chain_intact(&app).await;
    assert_one_sent_event_each(&app, 40).await;
}

/// Waits, with the first process still sending, until a whole lease has passed since its pass
/// began sending: the premise of the overlap tests (a claim that outlives a lease counted from
/// the pass's start would be born expired, and the second process would take it again).
fn outlive_one_lease(first: &mut Child, sink: &SmtpSink, lease: Duration) {
    sink.wait_for_accepted(1, Duration::from_secs(120));
    let sending_since = Instant::now();
    while sending_since.elapsed() < lease + Duration::from_secs(1) {
        assert!(first.try_wait().unwrap().is_none(), "the first pass ended within one lease; the test proves nothing");
        std::thread::sleep(Duration::from_millis(100)); // paces the check; the loop ends at the lease
    }
}

/// The defect this guards against: a lease counted from the start of a pass, so that every
/// claim made later than the lease's length into a pass was born expired and another process
/// took it again. The second process starts after the first has been sending for longer than a
/// lease (2 s SMTP timeout: 9 s), while it still has most of its work ahead.
#[actix_web::test]
async fn two_remind_processes_overlapping_past_their_leases_send_each_reminder_once() {
    let sink = SmtpSink::start();
    sink.slow(Duration::from_millis(800));
    let app = TestApp::new().await;
    let n = 240;
    findings_due_soon(&app, n).await;
    let lease = oversee::reminders::sender::lease_length(2);
    let mut first = remind_once(&app, &sink);
    outlive_one_lease(&mut first, &sink, lease);
    let second = remind_once(&app, &sink);
    let (a, b) = (first.id(), second.id());
    let (one, two) = (summary_of(first), summary_of(second));
    for s in [&one, &two] {
        assert!(count(s, "claimed") > 0 && count(s, "sent") > 0, "each process did part of the work: {s}");
        assert_eq!(count(s, "lost"), 0, "{s}");
    }
    assert_eq!(count(&one, "sent") + count(&two, "sent"), n as u64, "{one} {two}");
    sink.wait_until_idle(Duration::from_secs(60));
    let sent = sent(&app).await;
    assert_eq!(senders(&sent), [(a, count(&one, "sent") as usize), (b, count(&two, "sent") as usize)].into());
    assert_each_once(&sink, &sent, n);
    assert_chain_intact(&app).await;
    assert_one_sent_event_each(&app, n).await;
}

#[actix_web::test]
async fn a_server_loop_and_remind_once_together_send_each_reminder_once() {
    let sink = SmtpSink::start();
    sink.slow(Duration::from_millis(800));
    let app = TestApp::new().await;
    let n = 200;
    findings_due_soon(&app, n).await;
    let env = [("OVERSEE_BIND", free_port().to_string()), ("OVERSEE_REMINDER_INTERVAL_SECONDS", "1".into())];
    let mut server = oversee(&app, &sink, &["serve"], &env);
    outlive_one_lease(&mut server, &sink, oversee::reminders::sender::lease_length(2));
    let once = remind_once(&app, &sink);
    let once_pid = once.id();
    let summary = summary_of(once);
    assert!(count(&summary, "claimed") > 0, "remind --once did part of the work: {summary}");
    all_sent_and_quiet(&app, &sink, n).await;
    let server_pid = server.id();
    terminate(server);
    let sent = sent(&app).await;
    let by = senders(&sent);
    assert_eq!(by.get(&once_pid).copied(), Some(count(&summary, "sent") as usize), "{by:?}");
    assert!(by.get(&server_pid).is_some_and(|n| *n > 0), "the server sent some: {by:?}");
    assert_each_once(&sink, &sent, n);
    assert_chain_intact(&app).await;
    assert_one_sent_event_each(&app, n).await;
}

/// A send that legitimately takes longer than a whole lease (each SMTP step slow, none past the
/// timeout) keeps the lease by renewing it: a server looking for due reminders every second all
/// along never takes it.
#[actix_web::test]
async fn a_send_slower_than_its_lease_keeps_it_by_renewing() {
    let sink = SmtpSink::start();
    // Two recipients: MAIL, RCPT, RCPT, DATA and the final dot, 1.9 s each against a 2 s timeout.
    sink.slow_commands(Duration::from_millis(1900));
    let app = TestApp::new().await;
    findings_due_soon(&app, 1).await;
    let mailboxes = ("OVERSEE_REMINDER_MAILBOXES", "security=sec@example.com".to_string());
    let lease = oversee::reminders::sender::lease_length(2);
    let first = remind_once_with(&app, &sink, std::slice::from_ref(&mailboxes));
    sink.wait_until_in_flight(Duration::from_secs(60));
    let env = [("OVERSEE_BIND", free_port().to_string()), ("OVERSEE_REMINDER_INTERVAL_SECONDS", "1".into()), mailboxes];
    let server = oversee(&app, &sink, &["serve"], &env);
    let first_pid = first.id();
    let summary = summary_of(first);
    let took = sink.accepted()[0].took;
    assert!(took > lease, "the send took {took:?}, within one lease of {lease:?}: the test proves nothing");
    assert_eq!((count(&summary, "sent"), count(&summary, "lost")), (1, 0), "{summary}");
    sink.wait_until_idle(Duration::from_secs(60));
    terminate(server);
    let sent = sent(&app).await;
    assert_eq!(senders(&sent), [(first_pid, 1)].into());
    assert_each_once(&sink, &sent, 1);
    assert_chain_intact(&app).await;
}

#[actix_web::test]
async fn two_planning_passes_at_once_plan_each_reminder_once() {
    let sink = SmtpSink::start();
    sink.refuse(true); // planning is what is tested; nothing is accepted
    let app = TestApp::new().await;
    let v = vendor_with_owner(&app, "Initech").await;
    for i in 0..30 {
        let res = app
            .post(
                &format!("/api/v1/vendors/{v}/contracts"),
                "procurement",
                json!({"title": format!("Contract {i}"), "entered_on": "2024-01-15", "ends_on": days_from_today(100 + i),
                       "notice_days": 60, "owner_email": "buyer@example.com"}),
            )
            .await;
        assert_eq!(res.status, 201, "{}", res.text);
    }
    // Everything planned so far goes, so both passes plan every row again at once.
    app.state
        .db
        .write(|c| {
            use diesel::RunQueryDsl;
            diesel::delete(oversee::db::schema::reminders::table).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    // On PostgreSQL both passes are held at their first insert until both are there: each read
    // the same empty table and will insert every row, so only the unique key can keep one of
    // each. (On SQLite one writer at a time interleaves them by batch; see table_hold.rs.) Which
    // pass inserts a row is then a race by design, so the split is not asserted, only the sum.
    let hold = TableHold::take(&app, "reminders");
    let names = ["oversee-planner-a".to_string(), "oversee-planner-b".to_string()];
    let (a, b) = (
        remind_once_with(&app, &sink, &[TableHold::app_name(&names[0])]),
        remind_once_with(&app, &sink, &[TableHold::app_name(&names[1])]),
    );
    if let Some(hold) = hold {
        hold.wait_for_blocked(&app, &names);
        hold.release();
    }
    let (one, two) = (summary_of(a), summary_of(b));
    let all = app.get("/api/v1/reminders?limit=500", "auditor").await.body["items"].as_array().unwrap().clone();
    assert!(!all.is_empty());
    assert_eq!(count(&one, "planned") + count(&two, "planned"), all.len() as u64, "each row planned by one pass");
    let mut keys: Vec<String> =
        all.iter().map(|r| format!("{}/{}/{}/{}", r["subject_id"], r["kind"], r["due_on"], r["lead_days"])).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), all.len());
}

/// A webhook receiver on loopback that answers 200 to every request but the `hold`-th (and every
/// one while `hold_all` is set), which it leaves unanswered until the sender goes away (and then
/// forgets).
#[derive(Clone, Default)]
struct HoldingReceiver {
    answered: Arc<Mutex<Vec<String>>>,
    holding: Arc<Mutex<bool>>,
    hold_all: Arc<std::sync::atomic::AtomicBool>,
    /// The webhook-ids of the requests held.
    held: Arc<Mutex<Vec<String>>>,
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
            if number == hold || self.hold_all.load(std::sync::atomic::Ordering::SeqCst) {
                *self.holding.lock().unwrap() = true;
                self.held.lock().unwrap().push(id.clone().unwrap_or_default());
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
    let first = server();
    // Four answered and recorded, the third request held: then the server dies.
    wait_until("four deliveries recorded", async || deliveries(&app, &sub, "succeeded").await == 4).await;
    assert!(*receiver.holding.lock().unwrap());
    kill_midway(first);
    assert_eq!(receiver.answered.lock().unwrap().len(), 4);

    let second = server();
    wait_until("every delivery recorded", async || deliveries(&app, &sub, "succeeded").await == 5).await;
    terminate(second);
    assert_chain_intact(&app).await;
    let mut ids = receiver.answered.lock().unwrap().clone();
    assert_eq!(ids.len(), 5, "only the delivery in flight was sent again: {ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "each event answered once, under its own webhook-id");
}

/// A server whose log is kept, line by line, while it runs.
fn server_with_log(app: &TestApp, env: &[(&str, String)]) -> (Child, Arc<Mutex<Vec<String>>>) {
    let mut child = oversee_command(app, &["serve"], env)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start oversee serve");
    let log = Arc::new(Mutex::new(vec![]));
    let (stderr, lines) = (child.stderr.take().unwrap(), log.clone());
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            lines.lock().unwrap().push(line);
        }
    });
    (child, log)
}

fn signal(child: &Child, sig: &str) {
    assert!(Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap().success());
}

/// A process frozen (SIGSTOP) with its deliveries in flight, past their lease: the other server
/// takes them over and delivers them; the frozen one, woken, can neither renew nor record over
/// that result. Without the fence it recorded its timeout over the success, and the deliveries
/// went out again.
#[actix_web::test]
async fn a_webhook_sender_frozen_past_its_lease_cannot_overwrite_the_delivery_taken_over() {
    let app =
        TestApp::with_env(&[("OVERSEE_WEBHOOK_ALLOW_HTTP", "true"), ("OVERSEE_WEBHOOK_ALLOW_PRIVATE", "true")]).await;
    let (receiver, url) = HoldingReceiver::start(0);
    receiver.hold_all.store(true, std::sync::atomic::Ordering::SeqCst);
    let res = app.post("/api/v1/webhooks", "admin", json!({"url": url, "event_types": ["vendor.created"]})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let sub = res.body["id"].as_str().unwrap().to_string();
    for i in 0..3 {
        app.vendor(json!({"name": format!("Vendor {i}")})).await;
    }
    let env = |bind: std::net::SocketAddr| {
        vec![
            ("OVERSEE_WEBHOOK_ALLOW_HTTP", "true".to_string()),
            ("OVERSEE_WEBHOOK_ALLOW_PRIVATE", "true".to_string()),
            // Lease: 2 × 5 + 5 = 15 s.
            ("OVERSEE_WEBHOOK_TIMEOUT_SECONDS", "5".to_string()),
            ("OVERSEE_BIND", bind.to_string()),
        ]
    };
    let (first, first_log) = server_with_log(&app, &env(free_port()));
    wait_until("the first server's three requests held", async || receiver.held.lock().unwrap().len() == 3).await;
    signal(&first, "-STOP");
    receiver.hold_all.store(false, std::sync::atomic::Ordering::SeqCst);
    let (second, _) = server_with_log(&app, &env(free_port()));
    wait_until("the second server delivered all three", async || deliveries(&app, &sub, "succeeded").await == 3).await;
    signal(&first, "-CONT");
    let gave_up = |log: &[String]| {
        log.iter().filter(|l| l.contains("lease was lost") || l.contains("took this delivery over")).count()
    };
    wait_until("the woken server to give its three deliveries up", async || gave_up(&first_log.lock().unwrap()) >= 3)
        .await;
    let res = app.get(&format!("/api/v1/webhooks/{sub}/deliveries?limit=100"), "admin").await;
    let items = res.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    for d in items {
        assert_eq!((d["status"].as_str(), d["attempts"].as_i64()), (Some("succeeded"), Some(1)), "{d}");
    }
    let mut answered = receiver.answered.lock().unwrap().clone();
    answered.sort();
    let held = receiver.held.lock().unwrap().clone();
    assert_eq!(answered.len(), 3, "each delivered once more than the frozen attempt: {answered:?}");
    answered.dedup();
    assert_eq!(answered.len(), 3);
    assert!(held.iter().all(|id| answered.contains(id)), "the held ones were the ones taken over");
    terminate(first);
    terminate(second);
}

#[actix_web::test]
async fn overlapping_expiry_sweeps_expire_and_audit_each_assessment_once() {
    let app = TestApp::new().await;
    let template = crate::support::builtin_template_id(&app).await;
    let n = 20;
    for _ in 0..n {
        crate::support::send_assessment(&app, &template).await;
    }
    // Every link ran out long ago; both servers sweep at start.
    app.state
        .db
        .write(|c| {
            use diesel::{ExpressionMethods, RunQueryDsl};
            use oversee::db::schema::assessments as a;
            diesel::update(a::table).set(a::token_expires_at.eq("2000-01-01T00:00:00.000000Z")).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    // On PostgreSQL both sweeps are held at their first update until both are there, so both
    // read every assessment as due and try to expire each: only the version check keeps one
    // transition and one audit event each. Which server wins is a race by design.
    let hold = TableHold::take(&app, "assessments");
    let names = ["oversee-sweeper-a".to_string(), "oversee-sweeper-b".to_string()];
    let servers: Vec<Child> = names
        .iter()
        .map(|name| {
            let env = [("OVERSEE_BIND", free_port().to_string()), TableHold::app_name(name)];
            oversee_with(&app, &[], &["serve"], &env)
        })
        .collect();
    if let Some(hold) = hold {
        hold.wait_for_blocked(&app, &names);
        hold.release();
    }
    wait_until("every assessment expired", async || {
        let res = app.get("/api/v1/assessments?status=expired&limit=100", "auditor").await;
        res.body["items"].as_array().unwrap().len() == n
    })
    .await;
    for s in servers {
        terminate(s);
    }
    let res = app.get("/api/v1/audit-events?subject_type=assessment&limit=500", "auditor").await;
    let mut expired: Vec<&str> = res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "expired")
        .map(|e| e["subject_id"].as_str().unwrap())
        .collect();
    assert_eq!(expired.len(), n, "one expired event per assessment");
    expired.sort_unstable();
    expired.dedup();
    assert_eq!(expired.len(), n);
    assert_chain_intact(&app).await;
}
