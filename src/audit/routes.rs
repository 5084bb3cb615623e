use actix_web::{get, web, HttpResponse};

use super::{
    models::{AuditEvent, AuditQuery},
    store,
};
use crate::{
    auth::{perm, Authorized},
    error::{ApiResult, ReadErrors},
    http::pagination,
    state::AppState,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_audit_events);
}

/// List audit events, newest first.
///
/// Every change in Oversee writes one event in the same transaction as the change.
#[utoipa::path(
    tag = "audit",
    params(AuditQuery),
    security(("bearer" = ["admin", "auditor"])),
    responses(
        (status = 200, description = "A page of events", body = pagination::Page<AuditEvent>),
        ReadErrors,
    )
)]
#[get("/audit-events")]
pub async fn list_audit_events(
    state: web::Data<AppState>,
    _who: Authorized<perm::AuditRead>,
    query: web::Query<AuditQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let (limit, before_id) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let filter =
        store::Filter { subject_type: q.subject_type, subject_id: q.subject_id, actor: q.actor, before_id, limit };
    let rows = state.db.read(move |c| store::list(c, &filter)).await?;
    let page = pagination::page(rows, limit, |r| r.id.clone(), AuditEvent::from);
    Ok(HttpResponse::Ok().json(page))
}
