//! Findings follow the tickets raised for them: link a ticket, and take ticket status changes
//! from ticketing systems (ours, Jira's or ServiceNow's payloads) through a configurable map.

use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use diesel::prelude::*;

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
        formats, ids,
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
    if url.as_ref().is_some_and(|u| !formats::matches(formats::WEB_URL, u) || u.len() > 2000) {
        return Err(ApiError::invalid("url", "an http(s) URL of at most 2000 characters"));
    }
    let finding = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            let before = Finding::try_from(row.clone())?;
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
            let after = Finding::try_from(row)?;
            audit::record(c, &who.0, Change::new("ticket_linked", "finding", &after.id, Some(&before), Some(&after)))?;
            Ok(after)
        })
        .await?;
    Ok(crate::http::respond::ok_with_etag(&finding, finding.version))
}

/// How far a signed event's `webhook-timestamp` may be from now, either way.
const TOLERANCE_SECONDS: i64 = 300;

/// A signed event's id, kept (in the change's transaction) so the same event is applied once.
struct Signed {
    id: String,
}

/// Ticket events are signed as Oversee signs its own webhooks (Standard Webhooks): `webhook-id`,
/// `webhook-timestamp` (within five minutes of now) and `webhook-signature`
/// (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` under `OVERSEE_TICKET_EVENTS_SECRET`,
/// a `whsec_` secret). Without a secret, events are taken only from the same machine (a peer on
/// loopback), so a token alone cannot close findings from the network.
fn check_signature(req: &HttpRequest, secret: Option<&str>, body: &[u8]) -> Result<Option<Signed>, ApiError> {
    let Some(secret) = secret else {
        // In-process requests (the test harness) have no peer; a served request always has one.
        // Through a proxy on the same machine every request comes from loopback: one the proxy
        // marked as forwarded came from the network.
        let forwarded = req.headers().contains_key("x-forwarded-for") || req.headers().contains_key("forwarded");
        if forwarded || req.peer_addr().is_some_and(|p| !p.ip().is_loopback()) {
            return Err(ApiError::Unauthorized(
                "ticket events from the network must be signed: set OVERSEE_TICKET_EVENTS_SECRET and send \
                 webhook-id, webhook-timestamp and webhook-signature (Standard Webhooks)"
                    .into(),
            ));
        }
        return Ok(None);
    };
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| ApiError::Unauthorized(format!("{name} is required (Standard Webhooks signature)")))
    };
    let (id, timestamp, signatures) =
        (header("webhook-id")?, header("webhook-timestamp")?, header("webhook-signature")?);
    if id.len() > 200 {
        return Err(ApiError::Unauthorized("webhook-id is longer than 200 characters".into()));
    }
    let ts: i64 = timestamp.parse().map_err(|_| ApiError::Unauthorized("webhook-timestamp is not a number".into()))?;
    if (chrono::Utc::now().timestamp() - ts).abs() > TOLERANCE_SECONDS {
        return Err(ApiError::Unauthorized(format!(
            "webhook-timestamp is more than {TOLERANCE_SECONDS} seconds from now (a replay, or a clock out of step)"
        )));
    }
    let expected = crate::rules::webhooks::sign(secret, id, ts, body).map_err(ApiError::Internal)?;
    let matches = signatures.split(' ').any(|s| crate::digest::same(s.as_bytes(), expected.as_bytes()));
    if !matches {
        return Err(ApiError::Unauthorized("webhook-signature does not match the event".into()));
    }
    Ok(Some(Signed { id: id.to_string() }))
}

/// Records a signed event's id; false when it was received before (the event is then not applied
/// again). Runs in the transaction that applies it.
fn first_receipt(c: &mut DbConn, id: &str) -> Result<bool, ApiError> {
    use crate::db::schema::inbound_event_ids as e;
    let added = crate::on_backend!(c, |c| diesel::insert_into(e::table)
        .values((e::id.eq(id), e::received_at.eq(time::now())))
        .on_conflict_do_nothing()
        .execute(c))?;
    Ok(added == 1)
}

/// Deletes received event ids older than `cutoff` (well past the signature's tolerance).
pub fn purge_received(c: &mut DbConn, cutoff: &str) -> Result<usize, ApiError> {
    use crate::db::schema::inbound_event_ids as e;
    Ok(diesel::delete(e::table.filter(e::received_at.lt(cutoff))).execute(c)?)
}

fn apply_status(
    c: &mut DbConn,
    row: super::models::FindingRow,
    to: FindingStatus,
) -> Result<(Finding, Finding), ApiError> {
    let before = Finding::try_from(row.clone())?;
    let mut row = row;
    let mut fields = FindingFields::from_row(&row)?;
    fields.status = to;
    fields.validate()?;
    let now = time::now();
    fields.apply_to(&mut row, &now)?;
    row.version += 1;
    row.updated_at = now;
    store::update(c, &row)?;
    Ok((before, Finding::try_from(row)?))
}

/// A ticket's status changed: our format `{"system", "key", "status"}`, a Jira webhook
/// (`issue.key`, `issue.fields.status.name`) or a ServiceNow one (`number`, `state`). The status is
/// mapped through the status map to the finding's status; a high or critical finding whose ticket
/// is done goes to `awaiting_verification`, for security or an admin to resolve.
///
/// Signed as Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with
/// `OVERSEE_TICKET_EVENTS_SECRET`; an event id is applied once. Without the secret, only requests
/// from the same machine are taken.
#[utoipa::path(
    tag = "findings",
    request_body(content = inline(crate::rules::tickets::TicketEventPayload), description = "Our format, or a Jira or ServiceNow webhook payload",
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
    let signed = check_signature(&req, state.config.ticket_events_secret.as_deref(), &body)?;
    let value = json::parse_foreign(&body)?;
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
            if let Some(signed) = &signed {
                if !first_receipt(c, &signed.id)? {
                    // The same event again (a retry, or a replay): applied once, answered as is.
                    return Ok(Finding::try_from(row)?);
                }
            }
            let map: StatusMap = crate::settings::get(c, MAP_KEY)?;
            let mapped = map.map(&event.system, &event.status).ok_or_else(|| {
                ApiError::invalid(
                    "status",
                    &format!("{} status '{}' is not in the ticket status map", event.system, event.status),
                )
            })?;
            let to = FindingStatus::from_ticket(mapped, row.severity()?);
            let now_status = row.status()?;
            if now_status == to || (now_status == FindingStatus::Resolved && to == FindingStatus::AwaitingVerification)
            {
                return Ok(Finding::try_from(row)?);
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
