//! The audit trail's promises, as an outsider checks them: the export verified offline by the
//! real binary (and each kind of tampering reported with its line and seq), rows outside the
//! chain, a keyed chain and its rotation, and published heads that a rebuilt chain contradicts.

use std::process::Output;

use diesel::prelude::*;
use serde_json::{json, Value};

use crate::{
    support::{assert_problem, oversee_command, TestApp},
    webhooks::{allowed_app, drain, event_type, subscribe, verify as signed_by, Receiver},
};

const KEY_A: &str = "audit-key-a-that-is-long-enough-000000";
const KEY_B: &str = "audit-key-b-that-is-long-enough-111111";

async fn with_events(app: &TestApp) {
    // Names that exercise escaping in the canonical bytes.
    for name in ["Acme \"Payroll\"", "Ünïcødé GmbH", "Tab\tand\\backslash", "Ω", "Plain Vendor"] {
        app.vendor(json!({"name": name, "criticality": "low"})).await;
    }
}

async fn export(app: &TestApp) -> String {
    let res = app.get("/api/v1/audit-events/export", "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.text
}

/// Runs `oversee audit verify --export` on `text` (no database: the environment holds only keys).
fn verify_offline(app: &TestApp, text: &str, extra: &[&str], keys: &[(&str, String)]) -> (Output, Value) {
    let path = app.state.config.data_dir.join(format!("export-{}.jsonl", uuid::Uuid::now_v7()));
    std::fs::write(&path, text).unwrap();
    let mut args = vec!["audit", "verify", "--export", path.to_str().unwrap()];
    args.extend(extra);
    let mut cmd = oversee_command(app, &args, keys);
    cmd.env_remove("DATABASE_URL").env_remove("OVERSEE_DATA_DIR");
    let out = cmd.output().expect("run oversee audit verify");
    let report = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out, report)
}

fn problems(report: &Value) -> Vec<(Option<i64>, Option<i64>, String)> {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["line"].as_i64(), p["seq"].as_i64(), p["problem"].as_str().unwrap().to_string()))
        .collect()
}

#[actix_web::test]
async fn an_export_verifies_offline_and_each_kind_of_tampering_is_reported_with_line_and_seq() {
    let app = TestApp::new().await;
    with_events(&app).await;
    let text = export(&app).await;
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 6, "{text}");
    let (out, report) = verify_offline(&app, &text, &[], &[]);
    assert!(out.status.success(), "{}\n{}", String::from_utf8_lossy(&out.stderr), report);
    assert_eq!(report["intact"], true);
    assert_eq!(report["events"].as_i64().unwrap() as usize, lines.len() - 1);

    // One byte flipped inside an event's actor: that event no longer matches its hash.
    let i =
        (1..lines.len() - 2).find(|&i| lines[i].contains("\"actor_sub\":\"tester")).expect("an event by the tester");
    let flipped_line = lines[i].replacen("\"actor_sub\":\"tester", "\"actor_sub\":\"Tester", 1);
    let flipped = [&lines[..i], &[flipped_line.as_str()], &lines[i + 1..]].concat().join("\n");
    let (out, report) = verify_offline(&app, &flipped, &[], &[]);
    assert!(!out.status.success());
    let (line, seq) = (i as i64 + 1, serde_json::from_str::<Value>(lines[i]).unwrap()["seq"].as_i64());
    assert_eq!(problems(&report), [(Some(line), seq, "hash_mismatch".to_string())]);
    assert!(String::from_utf8_lossy(&out.stderr).contains(&format!("line {line}")), "the message names the line");

    // Line 2 dropped: seq 2 is missing where seq 3 now stands, and the head line's count is off.
    let dropped = [&lines[..1], &lines[2..]].concat().join("\n");
    let (out, report) = verify_offline(&app, &dropped, &[], &[]);
    assert!(!out.status.success());
    let p = problems(&report);
    assert_eq!(p[0], (Some(2), Some(2), "missing".to_string()));
    assert!(p.iter().any(|x| x.2 == "head_mismatch"), "{p:?}");

    // Lines 2 and 3 swapped: seq 2 is missing at line 2, and turns up out of order at line 3.
    let swapped = [&lines[..1], &[lines[2], lines[1]], &lines[3..]].concat().join("\n");
    let (out, report) = verify_offline(&app, &swapped, &[], &[]);
    assert!(!out.status.success(), "a reordered export must not verify");
    assert_eq!(
        problems(&report),
        [(Some(2), Some(2), "missing".to_string()), (Some(3), Some(2), "out_of_order".to_string())]
    );

    // A head noted from this export: a later export extends it; any other head is refused.
    let trailer: Value = serde_json::from_str(lines.last().unwrap()).unwrap();
    let noted = format!("{}:{}", trailer["head_seq"], trailer["chain_head"].as_str().unwrap());
    app.vendor(json!({"name": "Later"})).await;
    let later = export(&app).await;
    let (out, report) = verify_offline(&app, &later, &["--head", &noted], &[]);
    assert!(out.status.success(), "{report}");
    assert_eq!(report["noted_head"]["extended"], true);
    let (out, report) = verify_offline(&app, &later, &["--head", &format!("2:{}", "0".repeat(64))], &[]);
    assert!(!out.status.success());
    assert_eq!(report["noted_head"]["extended"], false);
}

async fn sql(app: &TestApp, statements: String) {
    use diesel::connection::SimpleConnection;
    app.state.db.write(move |c| Ok(c.batch_execute(&statements)?)).await.unwrap();
}

async fn verify(app: &TestApp, query: &str) -> Value {
    let res = app.get(&format!("/api/v1/audit-events/verify{query}"), "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body
}

fn has(report: &Value, problem: &str, id: Option<&str>) -> bool {
    report["problems"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["problem"] == problem && id.is_none_or(|id| p["event_id"] == id))
}

#[actix_web::test]
async fn a_row_without_a_seq_after_the_chain_began_breaks_it_and_is_marked_wherever_it_shows() {
    let app = TestApp::new().await;
    let v = app.vendor(json!({"name": "Acme"})).await;
    let vid = v["id"].as_str().unwrap();
    assert_eq!(verify(&app, "").await["intact"], true);
    // An admin with database access forges an "archived" event.
    let forged = uuid::Uuid::now_v7().to_string();
    sql(
        &app,
        format!(
            "INSERT INTO audit_events (id, occurred_at, actor_sub, actor_role, action, subject_type, subject_id, after) \
             VALUES ('{forged}', '2026-12-02T10:00:00.000000Z', 'alice@example.com', 'admin', 'archived', 'vendor', \
             '{vid}', '{{\"name\":\"Acme\"}}')"
        ),
    )
    .await;
    let report = verify(&app, "").await;
    assert_eq!(report["intact"], false, "{report}");
    assert!(has(&report, "outside_chain", Some(&forged)), "{report}");
    assert_eq!(report["unchained_events"], 0, "nothing predates this chain");

    let listed = app.get(&format!("/api/v1/audit-events?subject_id={vid}"), "auditor").await;
    let marks: Vec<(&str, &str)> = listed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["chain"].as_str().unwrap()))
        .collect();
    assert!(marks.contains(&("archived", "outside_chain")), "{marks:?}");
    assert!(marks.contains(&("created", "linked")), "{marks:?}");
    let pack = app.get(&format!("/api/v1/vendors/{vid}/evidence-pack"), "auditor").await;
    assert_eq!(pack.status, 200, "{}", pack.text);
    let in_pack = pack.body["audit_events"].as_array().unwrap().iter().find(|e| e["id"] == forged.as_str()).unwrap();
    assert_eq!(in_pack["chain"], "outside_chain");
}

#[actix_web::test]
async fn gaps_repeated_seqs_and_rewritten_links_are_each_reported() {
    let app = TestApp::new().await;
    with_events(&app).await;
    let head = verify(&app, "").await["head_seq"].as_i64().unwrap();
    assert!(head >= 4);
    // A rewritten event whose hash was recomputed: the next event's link no longer holds.
    let id_of = |seq: i64| {
        let app = &app;
        async move {
            let all = app.get("/api/v1/audit-events?limit=500", "auditor").await;
            all.body["items"].as_array().unwrap().iter().find(|e| e["seq"] == seq).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_string()
        }
    };
    let (second, third) = (id_of(2).await, id_of(3).await);
    let rehash = second.clone();
    app.state
        .db
        .write(move |c| {
            use oversee::{audit::models::AuditRow, db::schema::audit_events as a};
            let mut r: AuditRow = a::table.find(&rehash).first(c)?;
            r.actor_sub = "mallory@example.com".into();
            let h = oversee::audit::chain::hash_of(&r, 2, r.prev_hash.as_deref().unwrap());
            diesel::update(a::table.find(&rehash)).set((a::actor_sub.eq(&r.actor_sub), a::hash.eq(h))).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let report = verify(&app, "").await;
    assert!(has(&report, "prev_hash_mismatch", Some(&third)), "{report}");
    assert!(!has(&report, "hash_mismatch", None), "the rewritten event is consistent in itself: {report}");

    // A gap, and a seq stored twice (the unique index dropped first, as a forger would).
    let fresh = TestApp::new().await;
    with_events(&fresh).await;
    let (two, three) = (
        fresh.get("/api/v1/audit-events?limit=500", "auditor").await.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["seq"] == 2)
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string(),
        3,
    );
    sql(&fresh, format!("DELETE FROM audit_events WHERE seq = {three}")).await;
    let copy = uuid::Uuid::now_v7().to_string();
    sql(
        &fresh,
        format!(
            "DROP INDEX audit_events_by_seq; \
             INSERT INTO audit_events (id, occurred_at, actor_sub, actor_role, action, subject_type, subject_id, \
             before, after, request_id, seq, prev_hash, hash, key_id) \
             SELECT '{copy}', occurred_at, actor_sub, actor_role, action, subject_type, subject_id, before, after, \
             request_id, seq, prev_hash, hash, key_id FROM audit_events WHERE id = '{two}'"
        ),
    )
    .await;
    let report = verify(&fresh, "").await;
    assert_eq!(report["intact"], false);
    assert!(has(&report, "missing", None), "{report}");
    assert!(has(&report, "duplicate_seq", None), "{report}");
    let missing = report["problems"].as_array().unwrap().iter().find(|p| p["problem"] == "missing").unwrap();
    assert_eq!(missing["seq"], 3);
}

#[actix_web::test]
async fn a_keyed_chain_cannot_be_recomputed_without_the_key_and_its_rotation_is_on_record() {
    let app = TestApp::with_env(&[("OVERSEE_AUDIT_KEY", KEY_A)]).await;
    with_events(&app).await;
    let report = verify(&app, "").await;
    assert_eq!(report["intact"], true, "{report}");
    let events = report["events"].as_i64().unwrap();
    assert_eq!(report["keyed_events"], events, "every event is keyed, the rotation from none first");
    let listed = app.get("/api/v1/audit-events?limit=500", "auditor").await;
    let items = listed.body["items"].as_array().unwrap();
    let first = items.iter().find(|e| e["seq"] == 1).unwrap();
    assert_eq!((first["action"].as_str(), first["subject_type"].as_str()), (Some("key_rotated"), Some("audit_chain")));
    let key_id = first["key_id"].as_str().unwrap().to_string();
    assert!(!listed.text.contains(KEY_A), "the key itself is never shown");

    // Whoever can write to the database but lacks the key rewrites an event and recomputes its
    // link as a plain SHA-256: found.
    let target = items.iter().find(|e| e["seq"] == events).unwrap()["id"].as_str().unwrap().to_string();
    app.state
        .db
        .write(move |c| {
            use oversee::{audit::models::AuditRow, db::schema::audit_events as a};
            let mut r: AuditRow = a::table.find(&target).first(c)?;
            r.action = "deleted".into();
            let h = oversee::audit::chain::hash_of(&r, r.seq.unwrap(), r.prev_hash.as_deref().unwrap());
            diesel::update(a::table.find(&target)).set((a::action.eq("deleted"), a::hash.eq(&h))).execute(c)?;
            diesel::update(oversee::db::schema::audit_chain::table.find(1))
                .set(oversee::db::schema::audit_chain::head.eq(&h))
                .execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let report = verify(&app, "").await;
    assert_eq!(report["intact"], false);
    assert!(has(&report, "hash_mismatch", None), "{report}");

    // The real binary: without the key, or with a new key that drops the old one, it refuses to
    // start on this chain; with the old key kept as previous it records the rotation.
    let run = |env: &[(&str, String)]| oversee_command(&app, &["seed-demo", "--vendors", "1"], env).output().unwrap();
    let out = run(&[]);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("OVERSEE_AUDIT_KEY"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[("OVERSEE_AUDIT_KEY", KEY_B.into())]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("OVERSEE_AUDIT_PREVIOUS_KEYS"));
    let out = run(&[("OVERSEE_AUDIT_KEY", KEY_B.into()), ("OVERSEE_AUDIT_PREVIOUS_KEYS", KEY_A.into())]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = export(&app).await;
    let rotation: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["action"] == "key_rotated")
        .collect();
    assert_eq!(rotation.len(), 2, "from none to A, then from A to B");
    assert_eq!(rotation[1]["before"].as_str().unwrap(), format!("{{\"key_id\":\"{key_id}\"}}"));
    // Offline, the export verifies with both keys (but for the event rewritten above), and
    // without them nothing keyed can be checked.
    let keys = [("OVERSEE_AUDIT_KEY", KEY_B.to_string()), ("OVERSEE_AUDIT_PREVIOUS_KEYS", KEY_A.to_string())];
    let (out, report) = verify_offline(&app, &text, &[], &keys);
    assert!(!out.status.success(), "the rewritten event must fail the export");
    let found: Vec<String> = problems(&report).into_iter().map(|p| p.2).collect();
    assert_eq!(found, ["hash_mismatch"], "{report}");
    let (out, report) = verify_offline(&app, &text, &[], &[]);
    assert!(!out.status.success());
    assert!(problems(&report).iter().all(|p| p.2 == "key_unavailable" || p.2 == "hash_mismatch"), "{report}");
}

#[actix_web::test]
async fn the_head_is_published_signed_and_a_chain_rebuilt_from_scratch_contradicts_it() {
    let app = allowed_app().await;
    let receiver = Receiver::start();
    let (_, secret) = subscribe(&app, &receiver.url, json!(["audit.head"])).await;
    with_events(&app).await;
    assert_problem(&app.post("/api/v1/audit-events/anchors", "procurement", json!({})).await, 403);
    let res = app.post("/api/v1/audit-events/anchors", "auditor", json!({})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    let anchor = res.body;
    let report = verify(&app, "").await;
    assert_eq!((anchor["seq"].clone(), anchor["hash"].clone()), (report["head_seq"].clone(), report["head"].clone()));
    assert_eq!(anchor["reason"], "on_demand");

    // Delivered to the subscriber as a signed audit.head event.
    drain(&app).await;
    let got = receiver.take();
    let heads: Vec<_> = got.iter().filter(|r| event_type(r) == "audit.head").collect();
    assert_eq!(heads.len(), 1);
    assert!(signed_by(&secret, heads[0]));
    let body: Value = serde_json::from_str(&heads[0].body).unwrap();
    assert_eq!(body["data"]["hash"], anchor["hash"]);
    let listed = app.get("/api/v1/audit-events/anchors", "auditor").await;
    assert_eq!(listed.body["items"][0]["id"], anchor["id"]);

    // The chain still holds the noted head; a malformed one is a 400.
    let noted = format!("{}:{}", anchor["seq"], anchor["hash"].as_str().unwrap());
    let report = verify(&app, &format!("?noted_head={noted}")).await;
    assert_eq!(report["noted_head"]["extended"], true, "{report}");
    assert_problem(&app.get("/api/v1/audit-events/verify?noted_head=xyz", "auditor").await, 400);

    // Someone with database access changes the first event and recomputes every hash and the
    // head: the chain is consistent in itself, and contradicts the published head.
    app.state
        .db
        .write(|c| {
            use oversee::{
                audit::{chain, models::AuditRow},
                db::schema::{audit_chain as h, audit_events as a},
            };
            let rows: Vec<AuditRow> = a::table.filter(a::seq.is_not_null()).order(a::seq.asc()).load(c)?;
            let mut prev = chain::GENESIS.to_string();
            for (i, mut r) in rows.into_iter().enumerate() {
                if i == 0 {
                    r.actor_sub = "mallory@example.com".into();
                }
                let hash = chain::hash_of(&r, r.seq.unwrap(), &prev);
                diesel::update(a::table.find(&r.id))
                    .set((a::actor_sub.eq(&r.actor_sub), a::prev_hash.eq(&prev), a::hash.eq(&hash)))
                    .execute(c)?;
                prev = hash;
            }
            diesel::update(h::table.find(1)).set(h::head.eq(&prev)).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let report = verify(&app, &format!("?noted_head={noted}")).await;
    assert_eq!(report["intact"], true, "the rebuilt chain is consistent in itself: {report}");
    assert_eq!(report["noted_head"]["extended"], false, "{report}");
}

#[actix_web::test]
async fn the_head_is_published_at_least_daily_and_not_more_often_by_the_loop() {
    let app = TestApp::new().await;
    let now = chrono::Utc::now();
    let empty = app.state.db.write(move |c| oversee::audit::anchors::publish_if_due(c, now)).await.unwrap();
    assert!(empty.is_none(), "an empty chain has no head worth publishing");
    app.vendor(json!({"name": "Acme"})).await;
    let publish =
        |at: chrono::DateTime<chrono::Utc>| app.state.db.write(move |c| oversee::audit::anchors::publish_if_due(c, at));
    let first = publish(now).await.unwrap().expect("none yet: published");
    assert_eq!(first.reason, "daily");
    assert!(publish(now + chrono::Duration::hours(23)).await.unwrap().is_none(), "one a day");
    assert!(publish(now + chrono::Duration::hours(25)).await.unwrap().is_some(), "a day later, again");
    let listed = app.get("/api/v1/audit-events/anchors", "admin").await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 2);
}

fn legacy_insert(id: &str, action: &str) -> String {
    format!(
        "INSERT INTO audit_events (id, occurred_at, actor_sub, actor_role, action, subject_type, subject_id, after) \
         VALUES ('{id}', '2026-01-0{}T10:00:00.000000Z', 'alice@example.com', 'admin', '{action}', 'vendor', 'v-old', '{{}}');",
        id.len() % 9 + 1
    )
}

#[actix_web::test]
async fn events_older_than_the_chain_are_sealed_so_one_added_or_changed_later_is_found() {
    let app = TestApp::new().await;
    // A database from before the chain: events without a seq, then the upgrade starts a process.
    let old = ["01000000-0000-7000-8000-000000000001", "01000000-0000-7000-8000-000000000002"];
    sql(&app, old.iter().map(|id| legacy_insert(id, "created")).collect()).await;
    oversee::open_database(&app.state.config).expect("reopen");
    app.vendor(json!({"name": "After the upgrade"})).await;
    let report = verify(&app, "").await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["unchained_events"], 2);
    let listed = app.get("/api/v1/audit-events?subject_type=audit_chain", "auditor").await;
    assert_eq!(listed.body["items"][0]["action"], "legacy_sealed", "{}", listed.text);
    assert_eq!(listed.body["items"][0]["after"]["events"], 2);
    let old_ones = app.get("/api/v1/audit-events?subject_id=v-old", "auditor").await;
    assert_eq!(old_ones.body["items"].as_array().unwrap().len(), 2, "{}", old_ones.text);
    assert!(old_ones.body["items"].as_array().unwrap().iter().all(|e| e["chain"] == "before_chain"));
    // Reopening does not seal again.
    oversee::open_database(&app.state.config).expect("reopen");
    let seals = app.get("/api/v1/audit-events?subject_type=audit_chain", "auditor").await;
    assert_eq!(seals.body["items"].as_array().unwrap().len(), 1);

    // A forger adds an "old" event with an id from before the chain, or edits one.
    sql(&app, legacy_insert("01000000-0000-7000-8000-000000000003", "archived")).await;
    let report = verify(&app, "").await;
    assert_eq!(report["intact"], false);
    assert!(has(&report, "unchained_count_changed", None), "{report}");
    sql(&app, "DELETE FROM audit_events WHERE id = '01000000-0000-7000-8000-000000000003'".into()).await;
    assert_eq!(verify(&app, "").await["intact"], true);
    sql(&app, format!("UPDATE audit_events SET action = 'deleted' WHERE id = '{}'", old[0])).await;
    let report = verify(&app, "").await;
    assert!(has(&report, "unchained_count_changed", None), "{report}");
}

/// Many changes at once, on whichever database the suite runs on (CI runs both): the chain
/// comes out as one line, every seq once, each link naming the one before, no two events
/// claiming the same predecessor.
#[actix_web::test]
async fn concurrent_writers_leave_one_chain_without_a_fork_or_a_gap() {
    let app = TestApp::new().await;
    let created = futures_util::future::join_all((0..48).map(|i| {
        let app = &app;
        async move { app.post("/api/v1/vendors", "procurement", json!({"name": format!("Parallel {i}")})).await }
    }))
    .await;
    let ids: Vec<String> = created
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.text);
            r.body["id"].as_str().unwrap().to_string()
        })
        .collect();
    // A second wave that races on the same rows: updates and contacts of each vendor.
    let changed = futures_util::future::join_all(ids.iter().enumerate().map(|(i, id)| {
        let app = &app;
        async move {
            if i % 2 == 0 {
                app.patch(&format!("/api/v1/vendors/{id}"), "procurement", json!({"criticality": "high"})).await
            } else {
                app.post(
                    &format!("/api/v1/vendors/{id}/contacts"),
                    "procurement",
                    json!({"name": "Dana", "email": "dana@example.com"}),
                )
                .await
            }
        }
    }))
    .await;
    for r in &changed {
        assert!(r.status == 200 || r.status == 201, "{}", r.text);
    }

    let report = verify(&app, "").await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(report["problems_total"], 0, "{report}");
    assert_eq!(report["events"], report["head_seq"], "{report}");
    let mut lines: Vec<Value> = export(&app).await.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    // The last line is the recorded head: it names the last event.
    let head = lines.pop().unwrap();
    assert_eq!(head["head_seq"].as_i64(), Some(lines.len() as i64), "{head}");
    assert_eq!(head["chain_head"], lines.last().unwrap()["hash"], "{head}");
    let mut predecessors = std::collections::HashSet::new();
    for (i, e) in lines.iter().enumerate() {
        assert_eq!(e["seq"].as_i64(), Some(i as i64 + 1), "a gap or a repeat at line {}", i + 1);
        if i > 0 {
            assert_eq!(e["prev_hash"], lines[i - 1]["hash"], "line {} does not link to the one before", i + 1);
        }
        assert!(predecessors.insert(e["prev_hash"].as_str().unwrap().to_string()), "a fork at line {}", i + 1);
    }
    let vendor_creations = lines.iter().filter(|e| e["subject_type"] == "vendor" && e["action"] == "created").count();
    assert_eq!(vendor_creations, 48);
    assert!(lines.len() >= 96, "{}", lines.len());
}
