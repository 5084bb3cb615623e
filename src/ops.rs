//! Operations endpoints: liveness and readiness (no token), and metrics (a token, or a listener
//! of their own).

use actix_web::{get, web, FromRequest, HttpRequest, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{
    auth::{perm, Authorized},
    error::ApiError,
    state::AppState,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(healthz).service(readyz).service(metrics);
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: String,
}

/// Liveness: the process is up.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Up", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok".into() })
}

/// Readiness: the database answers and every migration is applied.
#[utoipa::path(tag = "operations", responses(
    (status = 200, description = "Ready", body = Health),
    (status = 503, description = "Not ready", body = crate::error::Problem, content_type = "application/problem+json")))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let db = state.db.clone();
    // Which dependency failed, never its error text (that goes to the log).
    let pending = web::block(move || db.has_pending_migrations())
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "readiness check could not run");
            ApiError::Unavailable("database: not reachable".into())
        })?
        .map_err(|e| {
            tracing::warn!(error = %e, "readiness: the database is not reachable");
            ApiError::Unavailable("database: not reachable".into())
        })?;
    if pending {
        return Err(ApiError::Unavailable("database: migrations are pending; run `oversee migrate`".into()));
    }
    Ok(HttpResponse::Ok().json(Health { status: "ready".into() }))
}

/// Prometheus metrics: request counts and latency histograms by method, route and status.
///
/// On the public port this needs `Authorization: Bearer` with `OVERSEE_METRICS_TOKEN` (what a
/// scraper sends) or an admin or auditor token. With `OVERSEE_METRICS_BIND` set, metrics are
/// served on that listener instead (the Prometheus convention: off the public port) and this
/// route answers 404.
#[utoipa::path(
    tag = "operations",
    security(("bearer" = ["admin", "auditor"])),
    responses(
        (status = 200, description = "Prometheus text format", body = String, content_type = "text/plain"),
        (status = 401, description = "No token, or not a valid one", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 403, description = "A token whose role may not read metrics", body = crate::error::Problem, content_type = "application/problem+json"),
        (status = 404, description = "Metrics are served on their own listener (OVERSEE_METRICS_BIND)", body = crate::error::Problem, content_type = "application/problem+json"),
    )
)]
#[get("/metrics")]
pub async fn metrics(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if state.config.metrics_bind.is_some() {
        return Err(ApiError::NotFound("metrics are served on their own listener (OVERSEE_METRICS_BIND)".into()));
    }
    if !has_metrics_token(&req, &state) {
        Authorized::<perm::AuditRead>::extract(&req).await?;
    }
    Ok(render(&state))
}

/// `/metrics` on the listener of its own (`OVERSEE_METRICS_BIND`): open to whoever reaches the
/// address, unless `OVERSEE_METRICS_TOKEN` is set too.
pub async fn metrics_listener(req: HttpRequest, state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    if state.config.metrics_token.is_some() && !has_metrics_token(&req, &state) {
        return Err(ApiError::Unauthorized("send OVERSEE_METRICS_TOKEN as a bearer token".into()));
    }
    Ok(render(&state))
}

fn render(state: &AppState) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(state.metrics.render())
}

fn has_metrics_token(req: &HttpRequest, state: &AppState) -> bool {
    let Some(expected) = &state.config.metrics_token else { return false };
    let given = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    crate::digest::same(given.as_bytes(), expected.as_bytes())
}

/// The app the metrics listener serves: `/metrics` and nothing else.
pub fn metrics_app(
    state: AppState,
) -> actix_web::App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    actix_web::App::new()
        .app_data(web::Data::new(state))
        .route("/metrics", web::get().to(metrics_listener))
        .wrap(actix_web::middleware::from_fn(crate::http::security_headers::middleware))
}
