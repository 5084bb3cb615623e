use actix_web::{delete, get, http::header, patch, post, web, HttpRequest, HttpResponse};
use serde_json::json;

use super::{
    guard,
    models::{
        check_description, check_patterns, CreateSubscription, Delivery, DeliveryQuery, DeliveryRow, DeliveryStatus,
        RotateSecret, Subscription, SubscriptionRow, SubscriptionWithSecret, UpdateSubscription,
    },
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{etag, ids, json::Json, pagination, respond},
    rules::webhooks::secret_from,
    state::AppState,
    time,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(event_types)
        .service(create_webhook)
        .service(list_webhooks)
        .service(get_webhook)
        .service(update_webhook)
        .service(delete_webhook)
        .service(rotate_secret)
        .service(list_deliveries)
        .service(redeliver)
        .service(test_webhook);
}

const SUBJECT: &str = "webhook";

fn new_secret() -> Result<String, ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    Ok(secret_from(&bytes))
}

/// The events a subscription can ask for, with the schema of each one's `data` (the spec's
/// `webhooks` section has the full payloads).
#[utoipa::path(
    tag = "webhooks",
    security(("bearer" = ["admin", "integration"])),
    responses((status = 200, description = "The event catalogue", body = Vec<super::catalogue::EventType>), ReadErrors)
)]
#[get("/webhooks/event-types")]
pub async fn event_types(_who: Authorized<perm::EventTypesRead>) -> ApiResult<HttpResponse> {
    Ok(HttpResponse::Ok().json(super::catalogue::CATALOGUE))
}

/// Subscribe a URL to events. The signing secret is in this response only.
#[utoipa::path(
    tag = "webhooks",
    request_body = CreateSubscription,
    security(("bearer" = ["admin"])),
    responses((status = 201, description = "Created, with its secret", body = SubscriptionWithSecret), WriteErrors)
)]
#[post("/webhooks")]
pub async fn create_webhook(
    state: web::Data<AppState>,
    who: Authorized<perm::WebhooksAdmin>,
    body: Json<CreateSubscription>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let description = b.description.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
    let mut errors = check_patterns(&b.event_types);
    errors.extend(check_description(description.as_deref()));
    ApiError::unless_empty(errors)?;
    guard::check_field(b.url.trim(), state.config.webhook_guard()).await?;
    let now = time::now();
    let row = SubscriptionRow {
        id: ids::new(),
        url: b.url.trim().to_string(),
        event_types: serde_json::to_string(&b.event_types).unwrap_or_else(|_| "[]".into()),
        secret: String::new(),
        previous_secret: None,
        previous_secret_until: None,
        active: b.active,
        description,
        failed_in_a_row: 0,
        disabled_reason: None,
        version: 1,
        created_at: now.clone(),
        updated_at: now,
    };
    // Shown this once; stored sealed when OVERSEE_SECRET_KEY is set.
    let secret = new_secret()?;
    let row = SubscriptionRow { secret: state.secrets.seal(&secret)?, ..row };
    let created = state
        .db
        .write(move |c| {
            store::insert(c, &row)?;
            let s = Subscription::try_from(&row)?;
            audit::record(c, &who.0, Change::created(SUBJECT, &s.id, &s))?;
            Ok(SubscriptionWithSecret { subscription: s, secret })
        })
        .await?;
    let location = format!("/api/v1/webhooks/{}", created.subscription.id);
    let mut res = respond::created(&created, created.subscription.version, location);
    res.headers_mut().insert(header::CACHE_CONTROL, header::HeaderValue::from_static("no-store"));
    Ok(res)
}

/// List subscriptions.
#[utoipa::path(
    tag = "webhooks",
    params(pagination::PageQuery),
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "A page of subscriptions", body = pagination::Page<Subscription>), ReadErrors)
)]
#[get("/webhooks")]
pub async fn list_webhooks(
    state: web::Data<AppState>,
    _who: Authorized<perm::WebhooksAdmin>,
    query: web::Query<pagination::PageQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let (limit, after) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let rows = state.db.read(move |c| store::list(c, after, limit)).await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(rows, limit, |r| r.id.clone(), |r| Subscription::try_from(&r))?))
}

/// Get a subscription (without its secret).
#[utoipa::path(
    tag = "webhooks",
    params(("webhook_id" = String, Path, description = "Subscription id")),
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "The subscription", body = Subscription), ReadErrors)
)]
#[get("/webhooks/{webhook_id}")]
pub async fn get_webhook(
    state: web::Data<AppState>,
    _who: Authorized<perm::WebhooksAdmin>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "webhook")?;
    let s = Subscription::try_from(&state.db.read(move |c| store::get_required(c, &id)).await?)?;
    Ok(respond::ok_with_etag(&s, s.version))
}

/// Change the URL, the event types, the description, or pause and resume it. Resuming clears
/// the failure count of a subscription Oversee disabled.
#[utoipa::path(
    tag = "webhooks",
    request_body = UpdateSubscription,
    params(("webhook_id" = String, Path, description = "Subscription id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "The updated subscription", body = Subscription), WriteErrors)
)]
#[patch("/webhooks/{webhook_id}")]
pub async fn update_webhook(
    state: web::Data<AppState>,
    who: Authorized<perm::WebhooksAdmin>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<UpdateSubscription>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "webhook")?;
    let expected = etag::if_match(&req)?;
    let p = body.into_inner();
    let mut errors = p.event_types.as_deref().map(check_patterns).unwrap_or_default();
    if let Some(Some(d)) = &p.description {
        errors.extend(check_description(Some(d)));
    }
    ApiError::unless_empty(errors)?;
    if let Some(url) = &p.url {
        guard::check_field(url.trim(), state.config.webhook_guard()).await?;
    }
    let s = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            let before = Subscription::try_from(&row)?;
            if let Some(url) = p.url {
                row.url = url.trim().to_string();
            }
            if let Some(types) = p.event_types {
                row.event_types = serde_json::to_string(&types).unwrap_or_else(|_| "[]".into());
            }
            if let Some(d) = p.description {
                row.description = d.map(|d| d.trim().to_string()).filter(|d| !d.is_empty());
            }
            if let Some(active) = p.active {
                if active && !row.active {
                    row.failed_in_a_row = 0;
                    row.disabled_reason = None;
                }
                row.active = active;
            }
            row.version += 1;
            row.updated_at = time::now();
            store::update(c, &row)?;
            let after = Subscription::try_from(&row)?;
            audit::record(c, &who.0, Change::updated(SUBJECT, &after.id, &before, &after))?;
            Ok(after)
        })
        .await?;
    Ok(respond::ok_with_etag(&s, s.version))
}

/// Delete a subscription and its delivery log.
#[utoipa::path(
    tag = "webhooks",
    params(("webhook_id" = String, Path, description = "Subscription id")),
    security(("bearer" = ["admin"])),
    responses((status = 204, description = "Deleted"), WriteErrors)
)]
#[delete("/webhooks/{webhook_id}")]
pub async fn delete_webhook(
    state: web::Data<AppState>,
    who: Authorized<perm::WebhooksAdmin>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "webhook")?;
    state
        .db
        .write(move |c| {
            let before = Subscription::try_from(&store::get_required(c, &id)?)?;
            store::delete(c, &id)?;
            audit::record(c, &who.0, Change::new("deleted", SUBJECT, &id, Some(&before), None))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Make a new secret. The old one keeps signing beside it for `overlap_hours`, so receivers can
/// switch without losing a message. The new secret is in this response only.
#[utoipa::path(
    tag = "webhooks",
    request_body = RotateSecret,
    params(("webhook_id" = String, Path, description = "Subscription id")),
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "The subscription with its new secret", body = SubscriptionWithSecret), WriteErrors)
)]
#[post("/webhooks/{webhook_id}/rotate-secret")]
pub async fn rotate_secret(
    state: web::Data<AppState>,
    who: Authorized<perm::WebhooksAdmin>,
    path: web::Path<String>,
    body: Json<RotateSecret>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "webhook")?;
    let r = body.into_inner();
    r.check()?;
    let secret = new_secret()?;
    let sealed = state.secrets.seal(&secret)?;
    let out = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            let before = Subscription::try_from(&row)?;
            let now = chrono::Utc::now();
            row.previous_secret = Some(std::mem::replace(&mut row.secret, sealed));
            row.previous_secret_until = Some(time::format(now + chrono::Duration::hours(i64::from(r.overlap_hours))));
            row.version += 1;
            row.updated_at = time::format(now);
            store::update(c, &row)?;
            let after = Subscription::try_from(&row)?;
            audit::record(c, &who.0, Change::new("secret_rotated", SUBJECT, &row.id, Some(&before), Some(&after)))?;
            Ok(SubscriptionWithSecret { subscription: after, secret })
        })
        .await?;
    Ok(respond::secret(HttpResponse::Ok()).json(out))
}

/// The delivery log, newest first: status code, latency, attempts and the last error.
#[utoipa::path(
    tag = "webhooks",
    params(("webhook_id" = String, Path, description = "Subscription id"), DeliveryQuery),
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "A page of deliveries", body = pagination::Page<Delivery>), ReadErrors)
)]
#[get("/webhooks/{webhook_id}/deliveries")]
pub async fn list_deliveries(
    state: web::Data<AppState>,
    _who: Authorized<perm::WebhooksAdmin>,
    path: web::Path<String>,
    query: web::Query<DeliveryQuery>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "webhook")?;
    let q = query.into_inner();
    let (limit, before) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let rows = state
        .db
        .read(move |c| {
            store::get_required(c, &id)?;
            store::deliveries(c, &id, q.status, before, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(rows, limit, |r| r.id.clone(), Delivery::try_from)?))
}

/// Send a delivery again from the start of the retry schedule, with the same `webhook-id`.
#[utoipa::path(
    tag = "webhooks",
    params(("webhook_id" = String, Path, description = "Subscription id"),
        ("delivery_id" = String, Path, description = "Delivery id")),
    security(("bearer" = ["admin"])),
    responses((status = 202, description = "Queued", body = Delivery), WriteErrors)
)]
#[post("/webhooks/{webhook_id}/deliveries/{delivery_id}/redeliver")]
pub async fn redeliver(
    state: web::Data<AppState>,
    who: Authorized<perm::WebhooksAdmin>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path.0, "webhook")?;
    let delivery_id = ids::parse(&path.1, "delivery")?;
    let d = state
        .db
        .write(move |c| {
            let mut row = store::delivery(c, &id, &delivery_id)?;
            if row.status == DeliveryStatus::Pending.as_str() {
                return Err(ApiError::Conflict("the delivery is still pending; it will be attempted".into()));
            }
            let now = time::now();
            row.status = DeliveryStatus::Pending.as_str().into();
            row.attempts = 0;
            row.next_attempt_at = now.clone();
            row.lease_until = None;
            row.claimed_by = None;
            row.updated_at = now;
            store::update_delivery(c, &row)?;
            let d = Delivery::try_from(row)?;
            audit::record(c, &who.0, Change::new("redelivery_requested", SUBJECT, &id, None, Some(&d)))?;
            Ok(d)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(d))
}

/// Queue a `webhook.test` delivery to this subscription only.
#[utoipa::path(
    tag = "webhooks",
    params(("webhook_id" = String, Path, description = "Subscription id")),
    security(("bearer" = ["admin"])),
    responses((status = 202, description = "Queued", body = Delivery), WriteErrors)
)]
#[post("/webhooks/{webhook_id}/test")]
pub async fn test_webhook(
    state: web::Data<AppState>,
    _who: Authorized<perm::WebhooksAdmin>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "webhook")?;
    let d = state
        .db
        .write(move |c| {
            store::get_required(c, &id)?;
            let now = time::now();
            let event_id = ids::new();
            let payload = json!({"type": "webhook.test", "timestamp": now, "data": {"subscription_id": id}});
            let row = DeliveryRow {
                id: ids::new(),
                subscription_id: id.clone(),
                event_id: event_id.clone(),
                event_type: "webhook.test".into(),
                subject_key: format!("webhook/{id}"),
                payload: payload.to_string(),
                status: DeliveryStatus::Pending.as_str().into(),
                attempts: 0,
                next_attempt_at: now.clone(),
                lease_until: None,
                last_status_code: None,
                last_latency_ms: None,
                last_error: None,
                delivered_at: None,
                created_at: now.clone(),
                updated_at: now,
                claimed_by: None,
            };
            store::insert_delivery(c, &row)?;
            Ok(Delivery::try_from(row)?)
        })
        .await?;
    Ok(HttpResponse::Accepted().json(d))
}
