use actix_web::{http::Method, test::TestRequest};
use serde_json::{json, Value};

use crate::support::{assert_problem, TestApp};

fn names(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|v| v["name"].as_str().unwrap().to_string()).collect()
}

#[actix_web::test]
async fn create_then_get_round_trips_with_derived_tier_and_etag() {
    let app = TestApp::new().await;
    let res = app
        .post(
            "/api/v1/vendors",
            "procurement",
            json!({"name": "  Acme Payroll ", "handles_pi": true, "pi_elements": ["ssn", "ssn", "payment_card"],
                   "access": "stores", "criticality": "low", "tags": ["Payroll", "payroll", "hr"],
                   "website": "https://acme.example", "owner_email": "buyer@example.com", "records_estimate": 12}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let v = &res.body;
    assert_eq!(v["name"], "Acme Payroll");
    assert_eq!(v["risk_tier"], 1, "SSN kept by the vendor is tier 1");
    assert_eq!(v["pi_elements"], json!(["ssn", "payment_card"]));
    assert_eq!(v["tags"], json!(["hr", "payroll"]));
    assert_eq!(v["status"], "prospect");
    assert_eq!(v["version"], 1);
    assert_eq!(res.header("etag").as_deref(), Some("\"1\""));
    let location = res.header("location").unwrap();
    let got = app.get(&location, "auditor").await;
    assert_eq!(got.status, 200);
    assert_eq!(&got.body, v);
    assert_eq!(got.header("etag").as_deref(), Some("\"1\""));
}

#[actix_web::test]
async fn names_are_unique_among_active_vendors_case_insensitively() {
    let app = TestApp::new().await;
    let first = app.vendor(json!({"name": "Globex"})).await;
    let dup = app.post("/api/v1/vendors", "admin", json!({"name": "GLOBEX"})).await;
    assert_problem(&dup, 409);
    // Archiving frees the name.
    let id = first["id"].as_str().unwrap();
    assert_eq!(app.delete(&format!("/api/v1/vendors/{id}"), "admin").await.status, 204);
    let again = app.post("/api/v1/vendors", "admin", json!({"name": "globex"})).await;
    assert_eq!(again.status, 201, "{}", again.text);
    // Renaming onto an active name is also a conflict.
    let other = app.vendor(json!({"name": "Initech"})).await;
    let res = app
        .patch(&format!("/api/v1/vendors/{}", other["id"].as_str().unwrap()), "admin", json!({"name": "Globex"}))
        .await;
    assert_problem(&res, 409);
}

#[actix_web::test]
async fn validation_names_each_bad_field() {
    let app = TestApp::new().await;
    let res = app
        .post(
            "/api/v1/vendors",
            "admin",
            json!({"name": " ", "website": "ftp://x", "owner_email": "not-an-email", "records_estimate": -1,
                   "pi_elements": ["ssn"], "handles_pi": false, "tags": ["has space"]}),
        )
        .await;
    assert_problem(&res, 422);
    let fields: Vec<&str> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    for f in ["name", "website", "owner_email", "records_estimate", "pi_elements", "tags"] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
    let res = app.post("/api/v1/vendors", "admin", json!({"name": "A", "handles_pi": true, "access": "none"})).await;
    assert_problem(&res, 422);
    assert_eq!(res.body["errors"][0]["field"], "access");
    let res = app.post("/api/v1/vendors", "admin", json!({"name": "A", "criticality": "extreme"})).await;
    assert_problem(&res, 422);
    let res = app.post("/api/v1/vendors", "admin", json!({"name": "x".repeat(201)})).await;
    assert_problem(&res, 422);
}

#[actix_web::test]
async fn patch_honours_if_match_and_recomputes_the_tier() {
    let app = TestApp::new().await;
    let v = app.vendor(json!({"name": "Hooli", "criticality": "low"})).await;
    assert_eq!(v["risk_tier"], 3);
    let url = format!("/api/v1/vendors/{}", v["id"].as_str().unwrap());
    let patch = |if_match: &'static str, body: Value| {
        TestRequest::default()
            .method(Method::PATCH)
            .uri(&url)
            .insert_header(("Authorization", format!("Bearer {}", app.token("procurement"))))
            .insert_header(("If-Match", if_match))
            .set_json(body)
    };
    let res = app.send(patch("\"1\"", json!({"handles_pi": true, "access": "processes", "criticality": "critical", "owner_email": "o@example.com"}))).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["risk_tier"], 1);
    assert_eq!(res.body["version"], 2);
    assert_eq!(res.header("etag").as_deref(), Some("\"2\""));
    // A stale ETag loses, and changes nothing.
    let res = app.send(patch("\"1\"", json!({"name": "Stale"}))).await;
    assert_problem(&res, 412);
    assert_eq!(app.get(&url, "admin").await.body["name"], "Hooli");
    // null clears a nullable field; absent fields stay.
    let res = app.patch(&url, "admin", json!({"owner_email": null})).await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["owner_email"], Value::Null);
    assert_eq!(res.body["criticality"], "critical");
    // The merged result is validated as a whole.
    let res = app.patch(&url, "admin", json!({"handles_pi": false})).await;
    assert_problem(&res, 422);
    let res = app.patch(&url, "admin", json!({"nope": 1})).await;
    assert_problem(&res, 422);
}

#[actix_web::test]
async fn archive_hides_from_lists_and_freezes_the_vendor() {
    let app = TestApp::new().await;
    let v = app.vendor(json!({"name": "Umbrella"})).await;
    app.vendor(json!({"name": "Wayne"})).await;
    let url = format!("/api/v1/vendors/{}", v["id"].as_str().unwrap());
    assert_eq!(app.delete(&url, "procurement").await.status, 204);
    assert_eq!(app.delete(&url, "procurement").await.status, 204, "archiving twice is harmless");
    assert_eq!(names(&app.get("/api/v1/vendors", "admin").await.body), vec!["Wayne"]);
    assert_eq!(names(&app.get("/api/v1/vendors?include_archived=true", "admin").await.body), vec!["Umbrella", "Wayne"]);
    let got = app.get(&url, "admin").await;
    assert!(got.body["archived_at"].is_string());
    assert_problem(&app.patch(&url, "admin", json!({"name": "Back"})).await, 409);
    let missing = format!("/api/v1/vendors/{}", uuid::Uuid::now_v7());
    assert_problem(&app.delete(&missing, "admin").await, 404);
    assert_problem(&app.get("/api/v1/vendors/not-a-uuid", "admin").await, 404);
}

#[actix_web::test]
async fn filters_search_and_sorting() {
    let app = TestApp::new().await;
    app.vendor(json!({"name": "Alpha Payroll", "status": "active", "handles_pi": true, "access": "stores", "pi_elements": ["ssn"], "tags": ["payroll"]})).await;
    app.vendor(json!({"name": "Beta Cloud", "status": "active", "criticality": "high", "tags": ["cloud"]})).await;
    app.vendor(json!({"name": "Gamma 100%_Off", "status": "prospect", "criticality": "low"})).await;
    let get = |q: &str| {
        let q = q.to_string();
        let app = &app;
        async move {
            let res = app.get(&format!("/api/v1/vendors?{q}"), "legal").await;
            assert_eq!(res.status, 200, "{q}: {}", res.text);
            names(&res.body)
        }
    };
    assert_eq!(get("status=active").await, vec!["Alpha Payroll", "Beta Cloud"]);
    assert_eq!(get("risk_tier=1").await, vec!["Alpha Payroll"]);
    assert_eq!(get("risk_tier=2").await, vec!["Beta Cloud"]);
    assert_eq!(get("handles_pi=false").await, vec!["Beta Cloud", "Gamma 100%_Off"]);
    assert_eq!(get("tag=CLOUD").await, vec!["Beta Cloud"]);
    assert_eq!(get("q=PAY").await, vec!["Alpha Payroll"]);
    assert_eq!(get("q=100%25_").await, vec!["Gamma 100%_Off"], "LIKE wildcards are literal");
    assert_eq!(get("q=%25").await, vec!["Gamma 100%_Off"]);
    assert_eq!(get("sort=-name").await, vec!["Gamma 100%_Off", "Beta Cloud", "Alpha Payroll"]);
    assert_eq!(get("sort=created_at").await, vec!["Alpha Payroll", "Beta Cloud", "Gamma 100%_Off"]);
    assert_eq!(get("sort=-created_at").await, vec!["Gamma 100%_Off", "Beta Cloud", "Alpha Payroll"]);
    for bad in [
        "status=gone",
        "risk_tier=4",
        "limit=0",
        "limit=501",
        "sort=size",
        "cursor=zzz",
        "handles_pi=maybe",
        "unknown=1",
    ] {
        assert_problem(&app.get(&format!("/api/v1/vendors?{bad}"), "admin").await, 400);
    }
}

#[actix_web::test]
async fn keyset_pages_cover_every_vendor_once_in_each_sort() {
    let app = TestApp::new().await;
    let mut expected = Vec::new();
    for i in 0..23 {
        // Names that collide case-insensitively only after archiving would be refused; use distinct ones
        // with repeated prefixes so ties on the prefix are common.
        let name = format!("Vendor {:02}", (i * 7) % 23);
        app.vendor(json!({"name": name})).await;
        expected.push(name);
    }
    for sort in ["name", "-name", "created_at", "-created_at"] {
        let mut seen = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let mut url = format!("/api/v1/vendors?limit=5&sort={sort}");
            if let Some(c) = &cursor {
                url.push_str(&format!("&cursor={c}"));
            }
            let res = app.get(&url, "admin").await;
            assert_eq!(res.status, 200, "{}", res.text);
            seen.extend(names(&res.body));
            match res.body["next_cursor"].as_str() {
                Some(c) => cursor = Some(c.to_string()),
                None => break,
            }
        }
        let mut want = expected.clone();
        match sort {
            "name" => want.sort(),
            "-name" => {
                want.sort();
                want.reverse()
            }
            "-created_at" => want.reverse(),
            _ => {}
        }
        assert_eq!(seen, want, "sort={sort}");
    }
}

#[actix_web::test]
async fn tag_filtered_pages_follow_every_sort_and_renames() {
    let app = TestApp::new().await;
    let mut tagged = Vec::new();
    for i in 0..12 {
        let tags = if i % 3 == 0 { json!(["other"]) } else { json!(["cloud", "other"]) };
        let v = app.vendor(json!({"name": format!("T{:02}", (i * 5) % 12), "tags": tags})).await;
        if i % 3 != 0 {
            tagged.push((v["name"].as_str().unwrap().to_string(), v["id"].as_str().unwrap().to_string()));
        }
    }
    // Renaming moves the vendor in a tag-filtered list too.
    let (old_name, id) = tagged[0].clone();
    app.patch(&format!("/api/v1/vendors/{id}"), "admin", json!({"name": "A-first"})).await;
    tagged[0].0 = "A-first".into();
    assert_ne!(old_name, "A-first");
    let all_pages = |sort: &'static str| {
        let app = &app;
        async move {
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            loop {
                let mut url = format!("/api/v1/vendors?tag=cloud&limit=3&sort={sort}");
                if let Some(c) = &cursor {
                    url.push_str(&format!("&cursor={c}"));
                }
                let res = app.get(&url, "admin").await;
                assert_eq!(res.status, 200, "{}", res.text);
                seen.extend(names(&res.body));
                match res.body["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_string()),
                    None => break seen,
                }
            }
        }
    };
    let mut by_name: Vec<String> = tagged.iter().map(|t| t.0.clone()).collect();
    by_name.sort_by_key(|n| n.to_lowercase());
    assert_eq!(all_pages("name").await, by_name);
    by_name.reverse();
    assert_eq!(all_pages("-name").await, by_name);
    let created: Vec<String> = tagged.iter().map(|t| t.0.clone()).collect();
    assert_eq!(all_pages("created_at").await, created);
    let mut newest_first = created.clone();
    newest_first.reverse();
    assert_eq!(all_pages("-created_at").await, newest_first);
    // Other filters still apply on top of the tag.
    let res = app.get("/api/v1/vendors?tag=cloud&q=a-first", "admin").await;
    assert_eq!(names(&res.body), vec!["A-first"]);
    app.delete(&format!("/api/v1/vendors/{id}"), "admin").await;
    assert!(!names(&app.get("/api/v1/vendors?tag=cloud", "admin").await.body).contains(&"A-first".to_string()));
}
