use actix_web::{get, post, put, web, HttpResponse};
use chrono::Duration;

use super::{
    models::{Preview, PreviewQuery, Reminder, ReminderQuery, ReminderState},
    planner,
    settings::{self, ReminderSettings},
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{ids, json::Json, pagination},
    state::AppState,
    time,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_reminders)
        .service(preview_reminders)
        .service(get_reminder)
        .service(retry_reminder)
        .service(get_settings)
        .service(put_settings);
}

const SUBJECT: &str = "reminder";

/// Reminders, oldest planned first, filtered by state, kind, vendor and deadline.
#[utoipa::path(
    tag = "reminders",
    params(ReminderQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of reminders", body = pagination::Page<Reminder>), ReadErrors)
)]
#[get("/reminders")]
pub async fn list_reminders(
    state: web::Data<AppState>,
    _who: Authorized<perm::RemindersRead>,
    query: web::Query<ReminderQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let (limit, after) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let rows = state.db.read(move |c| store::list(c, &q, after, limit)).await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(rows, limit, |r| r.id.clone(), |r| Reminder::try_from(&r))?))
}

/// What the schedule will send from today to `days` ahead, as the data and settings stand now.
/// Computed, not stored: a date changed tomorrow changes the preview.
#[utoipa::path(
    tag = "reminders",
    params(PreviewQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "Reminders by the day they go out", body = Preview), ReadErrors)
)]
#[get("/reminders/preview")]
pub async fn preview_reminders(
    state: web::Data<AppState>,
    _who: Authorized<perm::RemindersRead>,
    query: web::Query<PreviewQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let days = q.days.unwrap_or(90);
    if !(1..=730).contains(&days) {
        return Err(ApiError::BadRequest(format!("days {days} is not from 1 to 730")));
    }
    let vendor_id = q.vendor_id.as_deref().map(|v| ids::parse(v, "vendor")).transpose()?;
    let config = state.config.clone();
    let today = time::today();
    let until = today + Duration::days(days);
    let items = state
        .db
        .read_heavy(move |c| {
            let s = settings::load(c, &config.reminders)?;
            planner::preview_all(c, vendor_id.as_deref(), &s, &config.score_model, today, until)
        })
        .await?;
    Ok(HttpResponse::Ok().json(Preview { from: time::date_text(today), to: time::date_text(until), items }))
}

/// One reminder.
#[utoipa::path(
    tag = "reminders",
    params(("reminder_id" = String, Path, description = "Reminder id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The reminder", body = Reminder), ReadErrors)
)]
#[get("/reminders/{reminder_id}")]
pub async fn get_reminder(
    state: web::Data<AppState>,
    _who: Authorized<perm::RemindersRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let row = state.db.read(move |c| store::get_required(c, &id)).await?;
    Ok(HttpResponse::Ok().json(Reminder::try_from(&row)?))
}

/// Try a failed or skipped reminder again now, with a fresh set of attempts (after fixing the
/// SMTP settings or a recipient). The usual rules still apply: one whose deadline has passed, or
/// for which a nearer reminder was sent, is skipped again.
#[utoipa::path(
    tag = "reminders",
    params(("reminder_id" = String, Path, description = "Reminder id")),
    security(("bearer" = ["admin", "procurement", "security"])),
    responses((status = 200, description = "The reminder, pending again", body = Reminder), WriteErrors)
)]
#[post("/reminders/{reminder_id}/retry")]
pub async fn retry_reminder(
    state: web::Data<AppState>,
    who: Authorized<perm::RemindersWrite>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let after = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            let was = row.state()?;
            if !matches!(was, ReminderState::Failed | ReminderState::Skipped) {
                return Err(ApiError::Conflict(format!(
                    "only a failed or skipped reminder can be retried; this one is {}",
                    was.as_str()
                )));
            }
            let before = Reminder::try_from(&row)?;
            let now = time::now();
            row.state = ReminderState::Pending.as_str().into();
            row.attempts = 0;
            row.next_attempt_at = now.clone();
            row.lease_until = None;
            row.claimed_by = None;
            row.reason = None;
            row.updated_at = now;
            store::update(c, &row)?;
            let after = Reminder::try_from(&row)?;
            audit::record(c, &who.0, Change::new("retried", SUBJECT, &row.id, Some(&before), Some(&after)))?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(after))
}

/// The reminder settings in force (the defaults from the environment until saved).
#[utoipa::path(
    tag = "reminders",
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The settings", body = ReminderSettings), ReadErrors)
)]
#[get("/settings/reminders")]
pub async fn get_settings(
    state: web::Data<AppState>,
    _who: Authorized<perm::RemindersRead>,
) -> ApiResult<HttpResponse> {
    let config = state.config.clone();
    let s = state.db.read(move |c| settings::load(c, &config.reminders)).await?;
    Ok(HttpResponse::Ok().json(s))
}

/// Replace the reminder settings. New lead days apply to every deadline at the server's next
/// pass (pending reminders for dropped leads are cancelled then).
#[utoipa::path(
    tag = "reminders",
    request_body = ReminderSettings,
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "The saved settings", body = ReminderSettings), WriteErrors)
)]
#[put("/settings/reminders")]
pub async fn put_settings(
    state: web::Data<AppState>,
    who: Authorized<perm::SettingsWrite>,
    body: Json<ReminderSettings>,
) -> ApiResult<HttpResponse> {
    let wanted = body.into_inner().validated()?;
    let config = state.config.clone();
    let saved = state
        .db
        .write(move |c| {
            let before = settings::load(c, &config.reminders)?;
            settings::save(c, &wanted)?;
            audit::record(c, &who.0, Change::updated("setting", "reminders", &before, &wanted))?;
            Ok(wanted)
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}
