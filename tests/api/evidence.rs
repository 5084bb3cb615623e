//! The evidence pack through HTTP: what it holds as JSON, point in time, who may read it, and the
//! ZIP with its files and manifest.

use std::io::{Cursor, Read};

use actix_web::test::TestRequest;
use chrono::Utc;
use serde_json::{json, Value};

use crate::{
    questionnaires::published_small_template,
    reminders::{contract_with_notice_in, vendor_with_owner},
    scores::accepted_assessment,
    support::{assert_problem, days_from_today, TestApp},
};

struct Filed {
    vendor: String,
    contract: String,
    assessment: String,
    incident: String,
    finding: String,
}

/// A vendor with a contract (text, clauses verified), an accepted assessment with a file, a
/// finding, a closed incident and two reminders sent.
async fn a_vendor_with_a_history(app: &TestApp) -> Filed {
    let vendor = vendor_with_owner(app, "Evidence Co").await;
    let contract = contract_with_notice_in(app, &vendor, "MSA", 6).await;
    let res = app
        .put(&format!("/api/v1/contracts/{contract}/clauses/security_measures"), "legal", json!({"status": "present"}))
        .await;
    assert_eq!(res.status, 200, "{}", res.text);
    let res =
        app.post(&format!("/api/v1/contracts/{contract}/clauses/security_measures/verify"), "legal", json!({})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    let template = published_small_template(app, "evidence").await;
    let assessment = accepted_assessment(app, &template, &vendor).await;
    let res = app
        .post("/api/v1/findings", "security", json!({"vendor_id": vendor, "title": "No MFA", "severity": "medium"}))
        .await;
    let finding = res.body["id"].as_str().unwrap().to_string();
    let res = app
        .post(
            &format!("/api/v1/vendors/{vendor}/incidents"),
            "security",
            json!({"title": "Lost backup tape", "discovered_on": days_from_today(-3), "reported_to_us_on": days_from_today(-2),
                   "status": "closed", "breach_determination": "not_a_breach",
                   "determination_rationale": "The tape was encrypted and the key was not with it.",
                   "data_encrypted": true, "key_compromised": false,
                   "review": {"reviewed_on": days_from_today(0), "participants": ["CISO"],
                              "conclusions": "Encryption worked as intended.", "practice_changes": "None needed."}}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let incident = res.body["id"].as_str().unwrap().to_string();
    let report = oversee::reminders::sender::run_once(&app.state, Utc::now(), true).await.unwrap();
    assert_eq!(report.sent, 2);
    Filed { vendor, contract, assessment, incident, finding }
}

fn ids(items: &Value, key: &str) -> Vec<String> {
    items.as_array().unwrap().iter().map(|x| x[key].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn the_pack_holds_the_vendors_whole_file_with_its_audit_chain() {
    let app = TestApp::new().await;
    let f = a_vendor_with_a_history(&app).await;
    let path = format!("/api/v1/vendors/{}/evidence-pack", f.vendor);

    let res = app.get(&path, "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    let p = &res.body;
    assert_eq!(p["vendor"]["id"], f.vendor.as_str());
    assert_eq!(p["as_of"], days_from_today(0));
    assert_eq!(p["score"]["f2"]["status"], "satisfied");
    assert!(p["score"]["f1"]["reasons"].as_array().is_some_and(|r| !r.is_empty()));
    assert_eq!(
        ids(&p["contracts"].as_array().unwrap().iter().map(|c| c["contract"].clone()).collect(), "id"),
        vec![f.contract.clone()]
    );
    let clause = &p["contracts"][0]["clauses"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["clause_type"] == "security_measures")
        .unwrap()
        .clone();
    assert!(clause["verified_by"].is_string(), "who verified it: {clause}");
    assert_eq!(p["assessments"][0]["assessment"]["id"], f.assessment.as_str());
    assert!(!p["assessments"][0]["answers"].as_array().unwrap().is_empty());
    assert!(p["assessments"][0]["score"].is_object());
    assert!(ids(&p["findings"], "id").contains(&f.finding));
    assert_eq!(ids(&p["incidents"], "id"), vec![f.incident.clone()]);
    assert_eq!(p["incidents"][0]["review"]["conclusions"], "Encryption worked as intended.");
    assert_eq!(p["reminders_sent"].as_array().unwrap().len(), 2);

    // The audit events about all of it, in chain order, each with its hashes.
    let events = p["audit_events"].as_array().unwrap();
    let subjects: Vec<&str> = events.iter().map(|e| e["subject_id"].as_str().unwrap()).collect();
    for wanted in [
        f.vendor.clone(),
        f.contract.clone(),
        format!("{}/security_measures", f.contract),
        f.assessment.clone(),
        f.finding.clone(),
        f.incident.clone(),
    ] {
        assert!(subjects.contains(&wanted.as_str()), "{wanted} missing from {subjects:?}");
    }
    assert!(events.iter().any(|e| e["subject_type"] == "reminder" && e["action"] == "sent"));
    let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert!(events.iter().all(|e| e["hash"].as_str().is_some_and(|h| h.len() == 64)));
    let verify = app.get("/api/v1/audit-events/verify", "auditor").await.body;
    assert_eq!(p["audit_chain_head"]["hash"], verify["head"]);
    assert_eq!(p["audit_chain_head"]["seq"], verify["head_seq"]);
    assert!(seqs.last().unwrap() <= &p["audit_chain_head"]["seq"].as_i64().unwrap());

    // Point in time: yesterday none of it existed yet, and the vendor was not yet scored as it is.
    let res = app.get(&format!("{path}?as_of={}", days_from_today(-1)), "auditor").await;
    assert_eq!(res.status, 200, "{}", res.text);
    for part in ["contracts", "assessments", "findings", "incidents", "reminders_sent", "audit_events"] {
        assert_eq!(res.body[part], json!([]), "{part}");
    }

    // Who may read it, and bad input.
    assert_eq!(app.get(&path, "admin").await.status, 200);
    for role in ["procurement", "legal", "security", "integration"] {
        assert_problem(&app.get(&path, role).await, 403);
    }
    assert_problem(&app.get(&format!("{path}?as_of=2026-02-30"), "auditor").await, 400);
    assert_problem(&app.get(&format!("/api/v1/vendors/{}/evidence-pack", uuid::Uuid::now_v7()), "auditor").await, 404);
}

fn unzip(bytes: &[u8]) -> std::collections::BTreeMap<String, Vec<u8>> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a ZIP");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).unwrap();
            let mut data = vec![];
            file.read_to_end(&mut data).unwrap();
            (file.name().to_string(), data)
        })
        .collect()
}

#[actix_web::test]
async fn asked_for_a_zip_the_pack_comes_with_its_files_and_a_manifest() {
    let app = TestApp::new().await;
    let f = a_vendor_with_a_history(&app).await;
    let req = TestRequest::get()
        .uri(&format!("/api/v1/vendors/{}/evidence-pack", f.vendor))
        .insert_header(("Authorization", format!("Bearer {}", app.token("auditor"))))
        .insert_header(("Accept", "application/zip"));
    let res = app.send(req).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/zip"));
    assert!(res.header("content-disposition").unwrap().contains(&format!("evidence-{}-", f.vendor)));
    let files = unzip(&res.bytes);

    let pack: Value = serde_json::from_slice(&files["evidence-pack.json"]).unwrap();
    assert_eq!(pack["vendor"]["id"], f.vendor.as_str());
    let lines: Vec<Value> = std::str::from_utf8(&files["audit-events.jsonl"])
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), pack["audit_events"].as_array().unwrap().len());
    // Each line carries the stored fields verbatim: its hash recomputes from the line alone.
    for line in &lines {
        let e: oversee::audit::models::ExportedEvent = serde_json::from_value(line.clone()).unwrap();
        assert_eq!(e.chain, Some(oversee::audit::models::ChainMark::Linked));
        let r = e.into_row();
        let recomputed = oversee::audit::chain::hash_of(&r, r.seq.unwrap(), r.prev_hash.as_deref().unwrap());
        assert_eq!(Some(recomputed), r.hash, "{line}");
    }
    let text = std::str::from_utf8(&files[&format!("contracts/{}.txt", f.contract)]).unwrap();
    assert!(text.contains("appropriate security measures"), "{text}");
    let evidence: Vec<&String> =
        files.keys().filter(|k| k.starts_with(&format!("assessments/{}/", f.assessment))).collect();
    assert_eq!(evidence.len(), 1, "{:?}", files.keys());
    assert!(evidence[0].ends_with("-soc2.pdf"));
    assert_eq!(files[evidence[0]], b"%PDF soc2");
    assert!(files.contains_key("README.txt"));

    // The manifest's digests match every other file.
    let manifest: Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let listed = manifest["files"].as_array().unwrap();
    assert_eq!(listed.len(), files.len() - 1, "{manifest}");
    for entry in listed {
        let data = &files[entry["path"].as_str().unwrap()];
        assert_eq!(entry["sha256"], oversee::digest::sha256_hex(data), "{entry}");
        assert_eq!(entry["bytes"], data.len());
    }
    assert_eq!(manifest["missing"], json!([]));
}
