//! The spec says what the server enforces (issue 19, item 4): each rule the schema cannot state
//! is answered as the operation's `x-rules` list it, and the formats the spec publishes are the
//! ones the server checks.

use actix_web::{http::Method, test::TestRequest};
use serde_json::{json, Value};

use crate::support::{assert_problem, days_from_today, TestApp};

/// The served spec's operation with this `operationId`.
async fn operation(app: &TestApp, id: &str) -> Value {
    let spec = app.get("/openapi.json", "admin").await.body;
    for item in spec["paths"].as_object().unwrap().values() {
        for op in item.as_object().unwrap().values() {
            if op["operationId"] == id {
                return op.clone();
            }
        }
    }
    panic!("no operation {id}");
}

/// A 422 whose every named field is one the operation's `x-rules` list, naming `field` among them.
async fn assert_documented(app: &TestApp, id: &str, res: &crate::support::Res, field: &str) {
    assert_problem(res, 422);
    let op = operation(app, id).await;
    let documented: Vec<String> = op["x-rules"]
        .as_array()
        .unwrap_or_else(|| panic!("{id} lists no x-rules"))
        .iter()
        .flat_map(|r| r["fields"].as_array().unwrap().iter().map(|f| f.as_str().unwrap().to_string()))
        .collect();
    let named: Vec<String> =
        res.body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap().to_string()).collect();
    // `recipients.contract_renewal[0]` is covered by `recipients`.
    let within = |n: &str, d: &str| n == d || n.starts_with(&format!("{d}.")) || n.starts_with(&format!("{d}["));
    assert!(named.iter().any(|n| within(n, field)), "{id}: expected {field} in {named:?}");
    for n in &named {
        assert!(documented.iter().any(|d| within(n, d)), "{id}: {n} is refused but not in x-rules {documented:?}");
    }
    let description = op["description"].as_str().unwrap();
    assert!(description.contains(&format!("`{field}`")), "{id}: the description does not name {field}");
}

async fn contract(app: &TestApp, vendor: &str, extra: Value) -> Value {
    let mut body = json!({"title": "MSA", "entered_on": "2015-01-01"});
    body.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
    let res = app.post(&format!("/api/v1/vendors/{vendor}/contracts"), "legal", body).await;
    assert_eq!(res.status, 201, "{}", res.text);
    res.body
}

#[actix_web::test]
async fn each_cross_field_rule_is_a_422_the_operation_documents() {
    let app = TestApp::new().await;
    let v = app.vendor(json!({"name": "Acme"})).await["id"].as_str().unwrap().to_string();
    let other = app.vendor(json!({"name": "Other"})).await["id"].as_str().unwrap().to_string();
    let contracts = format!("/api/v1/vendors/{v}/contracts");

    let res =
        app.post("/api/v1/vendors", "procurement", json!({"name": "X", "handles_pi": true, "access": "none"})).await;
    assert_documented(&app, "create_vendor", &res, "access").await;

    let res = app
        .post(&contracts, "legal", json!({"title": "MSA", "entered_on": "2015-01-01", "status": "terminated"}))
        .await;
    assert_documented(&app, "create_contract", &res, "terminated_on").await;
    let res =
        app.post(&contracts, "legal", json!({"title": "MSA", "entered_on": "2015-01-01", "value_cents": 100})).await;
    assert_documented(&app, "create_contract", &res, "currency").await;
    let res = app
        .post(&contracts, "legal", json!({"title": "MSA", "entered_on": "2015-01-01", "ends_on": "2014-12-31"}))
        .await;
    assert_documented(&app, "create_contract", &res, "ends_on").await;

    let c = contract(&app, &v, json!({})).await;
    let cid = c["id"].as_str().unwrap();
    let res = app
        .patch(&format!("/api/v1/contracts/{cid}"), "legal", json!({"auto_renews": true, "ends_on": "2030-01-01"}))
        .await;
    assert_documented(&app, "update_contract", &res, "renewal_term_months").await;

    let res = app
        .post(
            &format!("/api/v1/contracts/{cid}/events"),
            "legal",
            json!({"kind": "amendment", "executed_on": "2014-06-01"}),
        )
        .await;
    assert_documented(&app, "create_event", &res, "executed_on").await;

    let res = app.post(&format!("/api/v1/contracts/{cid}/analyze"), "legal", json!({})).await;
    assert_documented(&app, "analyze", &res, "text").await;

    let res = app
        .put(
            &format!("/api/v1/contracts/{cid}/clauses/security_measures"),
            "legal",
            json!({"status": "present", "effective_from": "2016-01-01", "effective_to": "2015-06-01"}),
        )
        .await;
    assert_documented(&app, "put_clause", &res, "effective_to").await;

    let other_contract = contract(&app, &other, json!({})).await;
    let incident = json!({"title": "Laptop stolen", "discovered_on": days_from_today(-3),
        "reported_to_us_on": days_from_today(-2), "contract_id": other_contract["id"]});
    let res = app.post(&format!("/api/v1/vendors/{v}/incidents"), "security", incident).await;
    assert_documented(&app, "create_incident", &res, "contract_id").await;
    let res = app
        .post(
            &format!("/api/v1/vendors/{v}/incidents"),
            "security",
            json!({"title": "Laptop stolen", "discovered_on": days_from_today(-3),
                "reported_to_us_on": days_from_today(-2), "credit_monitoring_months": 12}),
        )
        .await;
    assert_documented(&app, "create_incident", &res, "credit_monitoring_months").await;

    let unknown = uuid::Uuid::now_v7().to_string();
    let res = app
        .post("/api/v1/findings", "security", json!({"vendor_id": unknown, "title": "Old TLS", "severity": "low"}))
        .await;
    assert_documented(&app, "create_finding", &res, "vendor_id").await;

    let res = app
        .post(
            &format!("/api/v1/vendors/{v}/assessments"),
            "security",
            json!({"template_id": unknown, "respondent_name": "Dana", "respondent_email": "dana@acme.example",
                "due_on": days_from_today(30)}),
        )
        .await;
    assert_documented(&app, "create_assessment", &res, "template_id").await;

    let mut settings = app.get("/api/v1/settings/reminders", "admin").await.body;
    settings["recipients"] = json!({"contract_renewal": ["nobody_here"]});
    let res = app.put("/api/v1/settings/reminders", "admin", settings).await;
    assert_documented(&app, "put_settings", &res, "recipients").await;
}

#[actix_web::test]
async fn a_number_with_a_zero_fraction_is_an_integer_and_any_other_fraction_is_not() {
    let app = TestApp::new().await;
    let res = app.post("/api/v1/vendors", "procurement", json!({"name": "Acme", "records_estimate": 78.0})).await;
    assert_eq!(res.status, 201, "{}", res.text);
    assert_eq!(res.body["records_estimate"], json!(78));
    let res = app.post("/api/v1/vendors", "procurement", json!({"name": "Acme 2", "records_estimate": 78.5})).await;
    assert_problem(&res, 422);
    let res = app.post("/api/v1/vendors", "procurement", json!({"name": "Acme 3", "records_estimate": 1e300})).await;
    assert_problem(&res, 422);
}

#[actix_web::test]
async fn a_cursor_the_api_did_not_issue_is_400_invalid_cursor_and_issued_ones_match_the_spec() {
    let app = TestApp::new().await;
    for name in ["A", "B", "C"] {
        app.vendor(json!({"name": name})).await;
    }
    let page = app.get("/api/v1/vendors?limit=1", "auditor").await;
    let issued = page.body["next_cursor"].as_str().unwrap().to_string();
    let op = operation(&app, "list_vendors").await;
    let param = op["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "cursor").unwrap().clone();
    let pattern = regex::Regex::new(param["schema"]["pattern"].as_str().unwrap()).unwrap();
    assert!(pattern.is_match(&issued), "{issued}");
    assert!(param["description"].as_str().unwrap().contains("invalid-cursor"));
    assert_eq!(app.get(&format!("/api/v1/vendors?limit=1&cursor={issued}"), "auditor").await.status, 200);

    let mut edited = issued.clone().into_bytes();
    let last = edited.len() - 1;
    edited[last] = if edited[last] == b'A' { b'B' } else { b'A' };
    let edited = String::from_utf8(edited).unwrap();
    for foreign in ["", "0", "not-a-cursor", edited.as_str(), "%2B%2F"] {
        let res = app.get(&format!("/api/v1/vendors?limit=1&cursor={foreign}"), "auditor").await;
        assert_problem(&res, 400);
        assert!(res.body["type"].as_str().unwrap().ends_with("/invalid-cursor"), "{foreign:?}: {}", res.text);
    }
}

#[actix_web::test]
async fn options_on_a_literal_path_lists_that_paths_methods_not_a_templates() {
    let app = TestApp::new().await;
    let res = app.call(Method::OPTIONS, "/api/v1/webhooks/event-types", "admin", None).await;
    assert_problem(&res, 405);
    assert_eq!(res.header("allow").as_deref(), Some("GET"));
}

#[actix_web::test]
async fn closed_key_sets_are_named_properties_and_other_keys_are_refused() {
    let app = TestApp::new().await;
    let spec = app.get("/openapi.json", "admin").await.body;
    let schemas = &spec["components"]["schemas"];
    let recipients = &schemas["RecipientsByKind"];
    assert_eq!(recipients["additionalProperties"], json!(false));
    assert!(recipients["properties"]["contract_renewal"].is_object());
    let map = &schemas["StatusMap"];
    assert_eq!(map["additionalProperties"], json!(false));
    let systems: Vec<&String> = map["properties"].as_object().unwrap().keys().collect();
    assert_eq!(systems, ["github", "jira", "other", "servicenow"]);

    let mut settings = app.get("/api/v1/settings/reminders", "admin").await.body;
    settings["recipients"] = json!({"contract_lapse": ["vendor_owner"]});
    assert_problem(&app.put("/api/v1/settings/reminders", "admin", settings).await, 422);
    for bad in [
        json!({"gitlab": {"done": "resolved"}}),
        json!({"jira": {"  ": "resolved"}}),
        json!({"jira": {"done": "risk_accepted"}}),
    ] {
        assert_problem(&app.put("/api/v1/settings/ticket-status-map", "admin", bad.clone()).await, 422);
    }
    let ok = app.put("/api/v1/settings/ticket-status-map", "admin", json!({"jira": {" Done ": "resolved"}})).await;
    assert_eq!(ok.status, 200, "{}", ok.text);
    assert_eq!(ok.body, json!({"jira": {"done": "resolved"}}));
}

#[actix_web::test]
async fn field_formats_the_spec_publishes_are_the_ones_the_server_checks() {
    let app = TestApp::new().await;
    // Each pair: a value the spec allows (accepted) and one it refuses (422), for one field.
    let cases = [
        ("website", json!("https://acme.example:8443/about?x=1"), json!("https://acme.example:70000/")),
        ("website", json!("http://xn--bcher-kva.example"), json!("https://user:pw@acme.example")),
        ("tags", json!(["payroll", "tier-1"]), json!(["no spaces"])),
        ("name", json!("Acme"), json!(" \u{3000} ")),
    ];
    let spec = app.get("/openapi.json", "admin").await.body;
    let props = &spec["components"]["schemas"]["CreateVendor"]["properties"];
    for (i, (field, ok, bad)) in cases.iter().enumerate() {
        assert!(props[*field].is_object(), "{field}");
        let mut body = json!({"name": format!("Vendor {i}")});
        body[*field] = ok.clone();
        let res = app.post("/api/v1/vendors", "procurement", body.clone()).await;
        assert_eq!(res.status, 201, "{field}={ok}: {}", res.text);
        body["name"] = json!(format!("Vendor {i} again"));
        body[*field] = bad.clone();
        let res = app.post("/api/v1/vendors", "procurement", body).await;
        assert_problem(&res, 422);
        assert!(res.text.contains(field), "{field}={bad}: {}", res.text);
    }
    let website = regex::Regex::new(props["website"]["pattern"].as_str().unwrap()).unwrap();
    assert!(
        website.is_match("https://acme.example:8443/about?x=1") && !website.is_match("https://acme.example:70000/")
    );
}

#[actix_web::test]
async fn idempotency_keys_are_the_length_and_characters_the_spec_says() {
    let app = TestApp::new().await;
    let op = operation(&app, "create_vendor").await;
    let param = op["parameters"].as_array().unwrap().iter().find(|p| p["name"] == "Idempotency-Key").unwrap().clone();
    let pattern = regex::Regex::new(param["schema"]["pattern"].as_str().unwrap()).unwrap();
    let post = |key: String, name: &str| {
        TestRequest::post()
            .uri("/api/v1/vendors")
            .insert_header(("Authorization", format!("Bearer {}", app.token("admin"))))
            .insert_header(("Idempotency-Key", key))
            .set_json(json!({"name": name}))
    };
    for (key, accepted) in
        [("k".repeat(255), true), ("k".repeat(256), false), ("a~!".into(), true), ("a b".into(), false)]
    {
        assert_eq!(pattern.is_match(&key), accepted, "{key}");
        let res = app.send(post(key.clone(), &format!("V{}", key.len()))).await;
        if accepted {
            assert_eq!(res.status, 201, "{}", res.text);
        } else {
            assert_problem(&res, 400);
        }
    }
}

#[actix_web::test]
async fn a_comma_inside_an_entity_tag_is_part_of_the_tag() {
    let app = TestApp::new().await;
    let v = app.vendor(json!({"name": "Acme"})).await;
    let id = v["id"].as_str().unwrap();
    let patch = |tag: &str| {
        TestRequest::patch()
            .uri(&format!("/api/v1/vendors/{id}"))
            .insert_header(("Authorization", format!("Bearer {}", app.token("admin"))))
            .insert_header(("If-Match", tag.to_string()))
            .set_json(json!({"description": "x"}))
    };
    assert_problem(&app.send(patch("\"o,1\"")).await, 412);
    assert_problem(&app.send(patch("null")).await, 400);
    assert_eq!(app.send(patch("\"o,1\", \"1\"")).await.status, 200);
}

#[actix_web::test]
async fn a_ticketing_payload_may_carry_nul_where_it_is_not_read() {
    let app = TestApp::new().await;
    let jira = json!({"issue": {"key": "SEC-1", "fields": {"status": {"name": "Done"}, "note": "a\u{0}b"}}});
    let res = app.post("/api/v1/integrations/tickets/events", "integration", jira).await;
    assert_problem(&res, 404);
    let jira = json!({"issue": {"key": "SEC\u{0}1", "fields": {"status": {"name": "Done"}}}});
    let res = app.post("/api/v1/integrations/tickets/events", "integration", jira).await;
    assert_problem(&res, 422);
    assert_eq!(res.body["errors"][0]["field"], "issue.key");
}

/// A website stored under the looser rule of an earlier version (here a non-ASCII host) stays as
/// it is through patches that leave it alone; a patch that sets it is held to today's rule.
#[actix_web::test]
async fn a_stored_website_from_an_earlier_rule_does_not_block_other_changes() {
    let app = TestApp::new().await;
    let v = app.vendor(json!({"name": "Bücher GmbH"})).await;
    let id = v["id"].as_str().unwrap().to_string();
    let stored = id.clone();
    app.state
        .db
        .write(move |c| {
            use diesel::{ExpressionMethods, QueryDsl, RunQueryDsl};
            use oversee::db::schema::vendors as v;
            diesel::update(v::table.find(stored)).set(v::website.eq("https://bücher.example/")).execute(c)?;
            Ok(())
        })
        .await
        .unwrap();
    let res = app.patch(&format!("/api/v1/vendors/{id}"), "procurement", json!({"criticality": "high"})).await;
    assert_eq!(res.status, 200, "{}", res.text);
    assert_eq!(res.body["website"], "https://bücher.example/");
    let res =
        app.patch(&format!("/api/v1/vendors/{id}"), "procurement", json!({"website": "https://bücher.example/"})).await;
    assert_problem(&res, 422);
    assert!(res.text.contains("website"), "{}", res.text);
}
