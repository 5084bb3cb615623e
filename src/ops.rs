//! Operations endpoints: liveness, readiness and metrics. No token needed.

use actix_web::{get, web, HttpResponse};
use serde::Serialize;
use utoipa::ToSchema;

use crate::{error::ApiError, state::AppState};

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
    let pending =
        web::block(move || db.has_pending_migrations()).await.map_err(|e| ApiError::Unavailable(e.to_string()))??;
    if pending {
        return Err(ApiError::Unavailable("migrations are pending; run `oversee migrate`".into()));
    }
    Ok(HttpResponse::Ok().json(Health { status: "ready".into() }))
}

/// Prometheus metrics: request counts and latency histograms by route and status.
#[utoipa::path(tag = "operations", responses((status = 200, description = "Prometheus text format", body = String, content_type = "text/plain")))]
#[get("/metrics")]
pub async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain; version=0.0.4; charset=utf-8").body(state.metrics.render())
}
