//! Storage behaviour that HTTP cannot reach directly.

use diesel::prelude::*;
use oversee::db::schema::settings;

use crate::support::TestApp;

#[actix_web::test]
async fn a_write_that_panics_leaves_nothing_behind_and_later_writes_commit() {
    let app = TestApp::new().await;
    let db = app.state.db.clone();
    let panicked = std::thread::spawn({
        let db = db.clone();
        move || {
            db.write_blocking(|c| -> Result<(), oversee::error::ApiError> {
                diesel::insert_into(settings::table)
                    .values((settings::key.eq("half-done"), settings::value.eq("x"), settings::updated_at.eq("t")))
                    .execute(c)?;
                panic!("simulated bug in a handler")
            })
        }
    })
    .join();
    // On SQLite the shared writer catches the panic and reports it as an internal error; on
    // PostgreSQL the write runs on the calling thread, which unwinds (its pooled connection is
    // discarded with it).
    if std::env::var("OVERSEE_TEST_DATABASE_URL").is_ok() {
        assert!(panicked.is_err(), "the thread did not unwind: {panicked:?}");
    } else {
        match panicked {
            Ok(Err(oversee::error::ApiError::Internal(m))) => assert!(m.contains("panicked"), "{m}"),
            other => panic!("expected the writer to report the panic, got {other:?}"),
        }
    }
    db.write_blocking(|c| {
        diesel::insert_into(settings::table)
            .values((settings::key.eq("after"), settings::value.eq("y"), settings::updated_at.eq("t")))
            .execute(c)?;
        Ok(())
    })
    .unwrap();
    let keys: Vec<String> = db.read_heavy(|c| Ok(settings::table.select(settings::key).load(c)?)).await.unwrap();
    assert!(keys.contains(&"after".to_string()), "the later write committed: {keys:?}");
    assert!(!keys.contains(&"half-done".to_string()), "the panicking write was rolled back: {keys:?}");
}

async fn corrupt(app: &TestApp, statement: String) {
    use diesel::connection::SimpleConnection;
    app.state.db.write(move |c| Ok(c.batch_execute(&statement)?)).await.unwrap();
}

/// The 500 a stored value that does not read back gets: it says which table, row and column.
fn assert_names(res: &crate::support::Res, table_column: &str, row: &str) {
    assert_eq!(res.status, 500, "{}", res.text);
    assert_eq!(res.body["type"], "https://oversee.dev/problems/unreadable-stored-value", "{}", res.text);
    let detail = res.body["detail"].as_str().unwrap();
    assert!(detail.contains(table_column) && detail.contains(row), "{detail} should name {table_column} of {row}");
}

/// A value changed outside the API (or by a bug) is an error that names where it is, never a
/// default standing in for it: a bad date is not 1970-01-01, an unknown event is not an
/// amendment, an unknown criticality is not "medium". Each read that meets it says so, and the
/// rest of the data stays readable.
#[actix_web::test]
async fn a_stored_value_that_does_not_read_back_is_an_error_naming_table_row_and_column() {
    let app = TestApp::new().await;
    let vendor = crate::reminders::vendor_with_owner(&app, "Initech").await;
    let other = crate::reminders::vendor_with_owner(&app, "Globex").await;
    let contract = crate::reminders::contract_with_notice_in(&app, &vendor, "MSA", 90).await;
    let res = app
        .post(
            &format!("/api/v1/contracts/{contract}/events"),
            "legal",
            serde_json::json!({"kind": "renewal", "executed_on": "2025-01-10", "new_ends_on": crate::support::days_from_today(400)}),
        )
        .await;
    assert_eq!(res.status, 201, "{}", res.text);
    let event = res.body["id"].as_str().unwrap().to_string();

    corrupt(&app, format!("UPDATE contracts SET entered_on = '2024-02-30' WHERE id = '{contract}'")).await;
    assert_names(&app.get(&format!("/api/v1/contracts/{contract}"), "legal").await, "contracts.entered_on", &contract);
    assert_names(
        &app.get(&format!("/api/v1/contracts/{contract}/compliance"), "legal").await,
        "contracts.entered_on",
        &contract,
    );
    assert_names(
        &app.get(&format!("/api/v1/vendors/{vendor}/score"), "auditor").await,
        "contracts.entered_on",
        &contract,
    );
    corrupt(&app, format!("UPDATE contracts SET entered_on = '2024-02-15' WHERE id = '{contract}'")).await;
    assert_eq!(app.get(&format!("/api/v1/contracts/{contract}/compliance"), "legal").await.status, 200);

    corrupt(&app, format!("UPDATE contract_events SET kind = 'novation' WHERE id = '{event}'")).await;
    assert_names(
        &app.get(&format!("/api/v1/contracts/{contract}/compliance"), "legal").await,
        "contract_events.kind",
        &event,
    );
    assert_names(
        &app.get(&format!("/api/v1/contracts/{contract}/events"), "legal").await,
        "contract_events.kind",
        &event,
    );

    corrupt(&app, format!("UPDATE vendors SET criticality = 'extreme' WHERE id = '{vendor}'")).await;
    assert_names(&app.get(&format!("/api/v1/vendors/{vendor}"), "auditor").await, "vendors.criticality", &vendor);
    assert_names(&app.get("/api/v1/vendors?limit=100", "auditor").await, "vendors.criticality", &vendor);
    corrupt(&app, format!("UPDATE vendors SET tags = 'not json' WHERE id = '{other}'")).await;
    assert_names(&app.get(&format!("/api/v1/vendors/{other}"), "auditor").await, "vendors.tags", &other);

    // A status is not guessed either: an assessment in a state nobody defined is not a draft.
    let template = crate::support::builtin_template_id(&app).await;
    let (assessment, _) = crate::support::send_assessment(&app, &template).await;
    corrupt(&app, format!("UPDATE assessments SET status = 'limbo' WHERE id = '{assessment}'")).await;
    let res = app.get(&format!("/api/v1/assessments/{assessment}"), "auditor").await;
    assert_names(&res, "assessments.status", &assessment);
    assert!(res.body["detail"].as_str().unwrap().contains("'limbo' is not an assessment status"), "{}", res.text);
}
