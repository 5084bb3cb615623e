use actix_web::{get, web, HttpResponse};

use super::{
    chain,
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
    cfg.service(list_audit_events).service(verify_chain).service(export_chain);
}

/// Recompute the tamper-evident chain and report the first link that does not hold.
///
/// Each event's hash is SHA-256 over its canonical encoding and the previous event's hash; a
/// changed, removed or inserted event breaks the chain from that point on.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = ["admin", "auditor"])),
    responses((status = 200, description = "The verification", body = chain::Verification), ReadErrors)
)]
#[get("/audit-events/verify")]
pub async fn verify_chain(state: web::Data<AppState>, _who: Authorized<perm::AuditRead>) -> ApiResult<HttpResponse> {
    let v = state.db.read_heavy(chain::verify).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Every chained event as JSON Lines, oldest first, then one line with the chain head, for an
/// auditor to keep and verify independently.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = ["admin", "auditor"])),
    responses((status = 200, description = "One event per line, then `{\"chain_head\": …, \"events\": n}`",
        content_type = "application/x-ndjson", body = String), ReadErrors)
)]
#[get("/audit-events/export")]
pub async fn export_chain(state: web::Data<AppState>, _who: Authorized<perm::AuditRead>) -> ApiResult<HttpResponse> {
    let body = state
        .db
        .read_heavy(|c| {
            let mut out = String::new();
            let (mut after, mut n) = (0i64, 0i64);
            let mut head = chain::GENESIS.to_string();
            loop {
                let page = chain::page(c, after, 1000)?;
                let Some(last) = page.last() else { break };
                after = last.seq.unwrap_or(after);
                for r in page {
                    head = r.hash.clone().unwrap_or_default();
                    out.push_str(&serde_json::to_string(&AuditEvent::from(r)).unwrap_or_default());
                    out.push('\n');
                    n += 1;
                }
            }
            out.push_str(&serde_json::json!({"chain_head": head, "events": n}).to_string());
            out.push('\n');
            Ok(out)
        })
        .await?;
    Ok(HttpResponse::Ok().content_type("application/x-ndjson").body(body))
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
