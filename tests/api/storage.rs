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
