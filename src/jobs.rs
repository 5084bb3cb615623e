//! Background work of a running server. Each job is also a plain function the tests call
//! directly, so no test waits on these loops.

use std::time::Duration;

use chrono::NaiveDate;

use crate::{assessments::expiry, reminders, state::AppState};

/// How often the sweep runs; an expired link already fails at once, the sweep only updates the
/// assessment's status for lists and reports.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

/// How often webhooks are fanned out and delivered.
const DELIVER_EVERY: Duration = Duration::from_secs(2);

/// How often the server does its housekeeping: publishing the audit chain's head when a day has
/// passed, and deleting expired idempotency keys.
const HOUSEKEEPING_EVERY: Duration = Duration::from_secs(3600);

/// Runs every loop forever on the server's runtime.
pub async fn run(state: AppState) {
    actix_web::rt::spawn(deliver_webhooks(state.clone()));
    actix_web::rt::spawn(housekeeping(state.clone()));
    actix_web::rt::spawn(reload_revocations(state.clone()));
    if state.config.reminders.in_server {
        actix_web::rt::spawn(send_reminders(state.clone()));
    }
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

/// Every hour (and at start): publishes the audit chain's head when none was published in the
/// last day, re-derives contract statuses once a day, and deletes idempotency keys past their
/// retention.
pub async fn housekeeping(state: AppState) {
    let mut tick = actix_web::rt::time::interval(HOUSEKEEPING_EVERY);
    loop {
        tick.tick().await;
        match state.db.write(|c| crate::audit::anchors::publish_if_due(c, chrono::Utc::now())).await {
            Ok(Some(anchor)) => crate::audit::anchors::log(&anchor),
            Ok(None) => {}
            Err(e) => {
                tracing::warn!(error = %e, "publishing the audit chain's head failed; it is tried again in an hour")
            }
        }
        let cutoff = crate::time::format(
            chrono::Utc::now() - chrono::Duration::hours(i64::from(state.config.idempotency_hours)),
        );
        match state.db.write(move |c| crate::idempotency::store::purge(c, &cutoff)).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(deleted = n, "expired idempotency keys deleted"),
            Err(e) => {
                tracing::warn!(error = %e, "deleting expired idempotency keys failed; it is tried again in an hour")
            }
        }
        // Statuses the date alone moved: published once a day, by whichever process claims the day.
        let (db, config) = (state.db.clone(), state.config.clone());
        let today = crate::time::today();
        match actix_web::web::block(move || crate::compliance::sweep::run(&db, &config, today)).await {
            Ok(Ok(s)) if s.claimed => tracing::info!(vendors = s.vendors, "contract statuses re-derived for the day"),
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!(error = %e, "the daily compliance sweep failed; it is tried again in an hour"),
            Err(e) => tracing::warn!(error = %e, "the daily compliance sweep could not run"),
        }
        // Ticket event ids are needed only while their signature could still be accepted.
        let cutoff = crate::time::format(chrono::Utc::now() - chrono::Duration::days(1));
        if let Err(e) = state.db.write(move |c| crate::findings::tickets::purge_received(c, &cutoff)).await {
            tracing::warn!(error = %e, "deleting old ticket event ids failed; it is tried again in an hour");
        }
    }
}

/// Reloads the token revocations other replicas recorded.
async fn reload_revocations(state: AppState) {
    let mut tick = actix_web::rt::time::interval(crate::revocations::RELOAD_EVERY);
    loop {
        tick.tick().await;
        match state.db.read_heavy(crate::revocations::store::all).await {
            Ok(all) => state.revocations.replace_all(all),
            Err(e) => {
                tracing::warn!(error = %e, "token revocations could not be reloaded; the last ones stay in force")
            }
        }
    }
}

async fn deliver_webhooks(state: AppState) {
    let mut tick = actix_web::rt::time::interval(DELIVER_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = crate::webhooks::worker::run_once(&state, chrono::Utc::now()).await {
            tracing::warn!(error = %e, "webhook delivery pass failed; it runs again shortly");
        }
    }
}

/// Sends due reminders every `interval_seconds` of the settings. Everything is replanned at start,
/// when the day changes (contracts roll into new terms, reassessments come due) and when the
/// settings change; between those, changes are planned in their own transactions.
pub async fn send_reminders(state: AppState) {
    let mut planned_for: Option<(NaiveDate, String)> = None;
    loop {
        let now = chrono::Utc::now();
        let config = state.config.clone();
        let settings = state.db.read_heavy(move |c| reminders::settings::load(c, &config.reminders)).await;
        let wait = match settings {
            Ok(s) => {
                let mark = (now.date_naive(), serde_json::to_string(&s).unwrap_or_default());
                let plan_everything = planned_for.as_ref() != Some(&mark);
                match reminders::sender::run_once(&state, now, plan_everything).await {
                    Ok(report) => {
                        if plan_everything {
                            planned_for = Some(mark);
                        }
                        if report != reminders::sender::Report::default() {
                            tracing::info!(?report, "reminder pass");
                        }
                    }
                    Err(e) => tracing::warn!(error = %e, "reminder pass failed; it runs again at the next interval"),
                }
                reminders::sender::interval(&s)
            }
            Err(e) => {
                tracing::warn!(error = %e, "reminder settings could not be read");
                Duration::from_secs(60)
            }
        };
        actix_web::rt::time::sleep(wait).await;
    }
}
