//! Findings follow the tickets raised for them: link a ticket, and take ticket status changes
//! from ticketing systems (ours, Jira's or ServiceNow's payloads) through a configurable map.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use super::{
    models::{Finding, FindingFields, Ticket},
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    db::{schema::findings as f, DbConn},
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{
        ids,
        json::{self, Json},
    },
    rules::{
        findings::FindingStatus,
        tickets::{parse_event, StatusMap},
    },
    state::AppState,
    time,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(link_ticket).service(ticket_event).service(get_status_map).service(put_status_map);
}

const MAP_KEY: &str = "ticket_status_map";

/// Link (or replace) the ticket that tracks a finding.
#[utoipa::path(
    tag = "findings",
    request_body = Ticket,
    params(("finding_id" = String, Path, description = "Finding id")),
    security(("bearer" = ["admin", "security", "integration"])),
    responses((status = 200, description = "The finding with its ticket", body = Finding), WriteErrors)
)]
#[put("/findings/{finding_id}/ticket")]
pub async fn link_ticket(
    state: web::Data<AppState>,
    who: Authorized<perm::TicketsLink>,
    path: web::Path<String>,
    body: Json<Ticket>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "finding")?;
    let t = body.into_inner();
    let key = t.key.trim().to_string();
    let url = t.url.map(|u| u.trim().to_string()).filter(|u| !u.is_empty());
    if key.is_empty() || key.chars().count() > 100 {
        return Err(ApiError::invalid("key", "1 to 100 characters"));
    }
    if url.as_ref().is_some_and(|u| !(u.starts_with("https://") || u.starts_with("http://")) || u.len() > 2000) {
        return Err(ApiError::invalid("url", "an http(s) URL of at most 2000 characters"));
    }
    let finding = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            let before = Finding::from(row.clone());
            let taken: Option<String> = f::table
                .filter(f::ticket_system.eq(t.system.as_str()))
                .filter(f::ticket_key.eq(&key))
                .filter(f::id.ne(&id))
                .select(f::id)
                .first(c)
                .optional()?;
            if let Some(other) = taken {
                return Err(ApiError::Conflict(format!(
                    "{} ticket {key} already tracks finding {other}",
                    t.system.as_str()
                )));
            }
            row.ticket_system = Some(t.system.as_str().into());
            row.ticket_key = Some(key);
            row.ticket_url = url;
            row.version += 1;
            row.updated_at = time::now();
            store::update(c, &row)?;
            let after = Finding::from(row);
            audit::record(c, &who.0, Change::new("ticket_linked", "finding", &after.id, Some(&before), Some(&after)))?;
            Ok(after)
        })
        .await?;
    Ok(crate::http::respond::ok_with_etag(&finding, finding.version))
}

/// With `OVERSEE_TICKET_EVENTS_SECRET` set, callers sign the raw body:
/// `X-Oversee-Signature: sha256=<hex HMAC-SHA256>`.
fn check_signature(req: &HttpRequest, secret: Option<&str>, body: &[u8]) -> Result<(), ApiError> {
    let Some(secret) = secret else { return Ok(()) };
    let given = req
        .headers()
        .get("x-oversee-signature")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("sha256="))
        .ok_or_else(|| ApiError::Unauthorized("X-Oversee-Signature: sha256=<hex> is required".into()))?;
    let bytes: Vec<u8> = (0..given.len())
        .step_by(2)
        .map(|i| given.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect::<Option<_>>()
        .ok_or_else(|| ApiError::Unauthorized("X-Oversee-Signature is not hex".into()))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).map_err(|e| ApiError::Internal(e.to_string()))?;
    mac.update(body);
    mac.verify_slice(&bytes).map_err(|_| ApiError::Unauthorized("the signature does not match the body".into()))
}

fn apply_status(
    c: &mut DbConn,
    row: super::models::FindingRow,
    to: FindingStatus,
) -> Result<(Finding, Finding), ApiError> {
    let before = Finding::from(row.clone());
    let mut row = row;
    let mut fields = FindingFields::from_row(&row);
    fields.status = to;
    fields.validate()?;
    let now = time::now();
    fields.apply_to(&mut row, &now);
    row.version += 1;
    row.updated_at = now;
    store::update(c, &row)?;
    Ok((before, Finding::from(row)))
}

/// A ticket's status changed: our format `{"system", "key", "status"}`, a Jira webhook
/// (`issue.key`, `issue.fields.status.name`) or a ServiceNow one (`number`, `state`). The status is
/// mapped through the status map to the finding's status.
#[utoipa::path(
    tag = "findings",
    request_body(content = Object, description = "Our format, or a Jira or ServiceNow webhook payload",
        example = json!({"system": "jira", "key": "SEC-142", "status": "Done"})),
    security(("bearer" = ["admin", "integration"])),
    responses((status = 200, description = "The finding after the change", body = Finding), WriteErrors)
)]
#[post("/integrations/tickets/events")]
pub async fn ticket_event(
    state: web::Data<AppState>,
    who: Authorized<perm::TicketEvents>,
    req: HttpRequest,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let body = json::read_body(payload.into_inner(), state.config.body_limit_bytes).await?;
    check_signature(&req, state.config.ticket_events_secret.as_deref(), &body)?;
    let value: serde_json::Value = json::parse(&body)?;
    let event = parse_event(&value).map_err(|(field, msg)| ApiError::invalid(field, &msg))?;
    let config = state.config.clone();
    let finding = state
        .db
        .write(move |c| {
            let row: super::models::FindingRow = f::table
                .filter(f::ticket_system.eq(&event.system))
                .filter(f::ticket_key.eq(&event.key))
                .first(c)
                .optional()?
                .ok_or_else(|| {
                    ApiError::NotFound(format!("no finding is linked to {} ticket {}", event.system, event.key))
                })?;
            let map: StatusMap = crate::settings::get(c, MAP_KEY)?;
            let to = map.map(&event.system, &event.status).ok_or_else(|| {
                ApiError::invalid(
                    "status",
                    &format!("{} status '{}' is not in the ticket status map", event.system, event.status),
                )
            })?;
            if row.status() == to {
                return Ok(Finding::from(row));
            }
            let (before, after) = apply_status(c, row, to)?;
            let action = if to == FindingStatus::Resolved { "resolved" } else { "updated" };
            audit::record(c, &who.0, Change::new(action, "finding", &after.id, Some(&before), Some(&after)))?;
            crate::derived::refresh(c, &after.vendor_id, &who.0, &config)?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(finding))
}

/// The ticket status map: for each system, its statuses and the finding status each means.
#[utoipa::path(
    tag = "findings",
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The map", body = StatusMap), ReadErrors)
)]
#[get("/settings/ticket-status-map")]
pub async fn get_status_map(
    state: web::Data<AppState>,
    _who: Authorized<perm::FindingsRead>,
) -> ApiResult<HttpResponse> {
    let map: StatusMap = state.db.read(|c| crate::settings::get(c, MAP_KEY)).await?;
    Ok(HttpResponse::Ok().json(map))
}

/// Replace the ticket status map. Statuses are matched without case; none may map to risk_accepted.
#[utoipa::path(
    tag = "findings",
    request_body = StatusMap,
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "The saved map", body = StatusMap), WriteErrors)
)]
#[put("/settings/ticket-status-map")]
pub async fn put_status_map(
    state: web::Data<AppState>,
    who: Authorized<perm::SettingsWrite>,
    body: Json<StatusMap>,
) -> ApiResult<HttpResponse> {
    let map = body.into_inner().normalized().map_err(|e| ApiError::invalid("body", &e))?;
    let saved = state
        .db
        .write(move |c| {
            let before: StatusMap = crate::settings::get(c, MAP_KEY)?;
            crate::settings::put(c, MAP_KEY, &map)?;
            audit::record(c, &who.0, Change::updated("setting", MAP_KEY, &before, &map))?;
            Ok(map)
        })
        .await?;
    Ok(HttpResponse::Ok().json(saved))
}
