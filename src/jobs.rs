//! Background work of a running server. Each job is also a plain function the tests call
//! directly, so no test waits on this loop.

use std::time::Duration;

use crate::{assessments::expiry, state::AppState, webhooks::worker};

/// How often the sweep runs; an expired link already fails at once, the sweep only updates the
/// assessment's status for lists and reports.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// How often webhooks are fanned out and delivered.
const DELIVER_EVERY: Duration = Duration::from_secs(2);

/// Runs both loops forever on the server's runtime.
pub async fn run(state: AppState) {
    actix_web::rt::spawn(deliver_webhooks(state.clone()));
    let mut tick = actix_web::rt::time::interval(SWEEP_EVERY);
    loop {
        tick.tick().await;
        let db = state.db.clone();
        match actix_web::web::block(move || expiry::expire_overdue(&db, chrono::Utc::now())).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(expired = n, "assessments past their link were expired"),
            Ok(Err(e)) => tracing::warn!(error = %e, "the expiry sweep failed; it runs again in a minute"),
            Err(e) => tracing::warn!(error = %e, "the expiry sweep could not run"),
        }
    }
}

async fn deliver_webhooks(state: AppState) {
    let mut tick = actix_web::rt::time::interval(DELIVER_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = worker::run_once(&state, chrono::Utc::now()).await {
            tracing::warn!(error = %e, "webhook delivery pass failed; it runs again shortly");
        }
    }
}
