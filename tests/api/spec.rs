//! The committed spec matches the code, and both migration folders hold the same migrations.

use std::collections::BTreeSet;

#[test]
fn committed_openapi_matches_the_code() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
        .expect("openapi/openapi.json exists; write it with `cargo run -- openapi`");
    assert!(
        committed == oversee::openapi_json(),
        "openapi/openapi.json is stale: run `cargo run -- openapi` and commit the result"
    );
}

fn migration_names(backend: &str) -> BTreeSet<String> {
    let dir = format!("{}/migrations/{backend}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect()
}

#[test]
fn sqlite_and_postgres_migrations_have_the_same_names() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
    for name in &sqlite {
        for backend in ["sqlite", "postgres"] {
            for file in ["up.sql", "down.sql"] {
                let path = format!("{}/migrations/{backend}/{name}/{file}", env!("CARGO_MANIFEST_DIR"));
                assert!(std::path::Path::new(&path).is_file(), "{path} missing");
            }
        }
    }
}

#[test]
fn every_operation_documents_its_errors_and_has_an_id() {
    let spec = serde_json::to_value(oversee::openapi()).unwrap();
    for (path, item) in spec["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            assert!(op["operationId"].is_string(), "{method} {path}");
            if path.starts_with(oversee::API_PREFIX) {
                for code in ["400", "401", "403"] {
                    assert!(op["responses"][code].is_object(), "{method} {path} lacks {code}");
                }
            }
        }
    }
}

#[test]
fn every_webhook_event_is_in_the_spec_with_a_payload_schema_that_exists() {
    let spec = serde_json::to_value(oversee::openapi()).unwrap();
    let hooks = spec["webhooks"].as_object().expect("a top-level webhooks section (OpenAPI 3.1)");
    assert_eq!(hooks.len(), oversee::webhooks::catalogue::CATALOGUE.len());
    for ev in oversee::webhooks::catalogue::CATALOGUE {
        let body = &hooks[ev.name]["post"]["requestBody"]["content"]["application/json"]["schema"];
        assert_eq!(body["properties"]["type"]["const"], ev.name);
        if let Some(r) = body["properties"]["data"]["$ref"].as_str() {
            let name = r.trim_start_matches("#/components/schemas/");
            assert!(spec["components"]["schemas"][name].is_object(), "{}: no schema {name}", ev.name);
        }
    }
    for wanted in
        ["contract.compliance_changed", "clause.verified", "reminder.sent", "reminder.failed", "finding.resolved"]
    {
        assert!(hooks.contains_key(wanted), "{wanted}");
    }
}
