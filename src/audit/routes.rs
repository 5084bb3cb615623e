use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::{
    anchors::{self, Anchor},
    chain,
    models::{AuditEvent, AuditQuery, ExportTrailer, ExportedEvent},
    store,
    verify::{self, NotedHead, Verification},
};
use crate::{
    auth::{perm, Authorized},
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{
        pagination::{self, PageQuery},
        stream,
    },
    state::AppState,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_audit_events)
        .service(verify_chain)
        .service(export_chain)
        .service(publish_anchor)
        .service(list_anchors);
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct VerifyQuery {
    /// A head noted earlier, `SEQ:HASH` or `HASH` (64 lowercase hex digits): from an anchor, an
    /// `audit.head` webhook, the log, an export or an evidence pack. The answer's `noted_head`
    /// says whether today's chain still holds it.
    #[param(pattern = "^([0-9]{1,18}:)?[0-9a-f]{64}$")]
    pub noted_head: Option<String>,
}

/// Recompute the tamper-evident chain and report every link that does not hold.
///
/// Each event's link is SHA-256 (or, with an audit key, HMAC-SHA256) over its canonical bytes,
/// which include the previous event's hash; a changed, removed, repeated or inserted event
/// breaks the chain there. An event recorded without a place in the chain after it began is
/// reported as `outside_chain`. With `noted_head`, also says whether the chain extends a head
/// noted earlier: a chain rebuilt from scratch is consistent in itself but does not.
#[utoipa::path(
    tag = "audit",
    params(VerifyQuery),
    security(("bearer" = ["admin", "auditor"])),
    responses((status = 200, description = "The verification", body = Verification), ReadErrors)
)]
#[get("/audit-events/verify")]
pub async fn verify_chain(
    state: web::Data<AppState>,
    _who: Authorized<perm::AuditRead>,
    query: web::Query<VerifyQuery>,
) -> ApiResult<HttpResponse> {
    let noted: Option<NotedHead> = query
        .into_inner()
        .noted_head
        .map(|n| NotedHead::parse(&n))
        .transpose()
        .map_err(|e| ApiError::BadRequest(format!("noted_head: {e}")))?;
    let keys = state.config.audit_keys.clone();
    let v: Verification = state.db.read_snapshot(move |c| verify::verify(c, &keys, noted)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Every chained event as JSON Lines, in chain order, then one line with the recorded head, for
/// an auditor to keep and verify with no access to Oversee.
///
/// Each event line carries the stored fields verbatim (`before` and `after` are the stored JSON
/// texts, as strings), so the canonical bytes each hash covers are rebuilt from the line alone;
/// the README shows how, with a verifier in a few lines of Python, and `oversee audit verify
/// --export FILE` does it too. The last line is `{"chain_head", "head_seq", "events"}`.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = ["admin", "auditor"])),
    responses((status = 200, description = "One event per line, then `{\"chain_head\": …, \"head_seq\": n, \"events\": n}`",
        content_type = "application/x-ndjson", body = String), ReadErrors)
)]
#[get("/audit-events/export")]
pub async fn export_chain(state: web::Data<AppState>, _who: Authorized<perm::AuditRead>) -> ApiResult<HttpResponse> {
    let db = state.db.clone();
    let body = stream::body("the audit export", move |out| {
        db.snapshot_blocking(|c| {
            // The head as recorded, read in the same snapshot as the events: an export of a chain
            // whose newest events were deleted then shows it, offline too.
            let head = chain::head(c)?;
            let mut events = 0i64;
            chain::for_each_linked(c, |r| {
                events += 1;
                stream::json_line(out, &ExportedEvent::of(&r))
            })?;
            stream::json_line(out, &ExportTrailer { chain_head: head.hash, head_seq: head.seq, events })
        })
    });
    Ok(HttpResponse::Ok().content_type("application/x-ndjson").streaming(body))
}

/// Publish the chain's head now.
///
/// Stores the head (seq and hash) as an anchor, sends it to webhook subscribers as a signed
/// `audit.head` event and writes it to the log. The server also publishes one at least daily.
/// Copies held outside Oversee contradict a chain rebuilt from scratch.
#[utoipa::path(
    tag = "audit",
    security(("bearer" = ["admin", "auditor"])),
    responses((status = 201, description = "The published head", body = Anchor), WriteErrors)
)]
#[post("/audit-events/anchors")]
pub async fn publish_anchor(state: web::Data<AppState>, who: Authorized<perm::AuditRead>) -> ApiResult<HttpResponse> {
    let by = who.0.sub.clone();
    let anchor = state.db.write(move |c| anchors::publish(c, "on_demand", &by)).await?;
    anchors::log(&anchor);
    Ok(HttpResponse::Created().json(anchor))
}

/// Heads published so far, newest first.
#[utoipa::path(
    tag = "audit",
    params(PageQuery),
    security(("bearer" = ["admin", "auditor"])),
    responses((status = 200, description = "A page of published heads", body = pagination::Page<Anchor>), ReadErrors)
)]
#[get("/audit-events/anchors")]
pub async fn list_anchors(
    state: web::Data<AppState>,
    _who: Authorized<perm::AuditRead>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (limit, before) = pagination::window::<String>(query.limit, query.cursor.as_deref())?;
    let rows = state.db.read(move |c| anchors::list(c, before, limit)).await?;
    Ok(HttpResponse::Ok().json(pagination::page(rows, limit, |r| r.id.clone(), Anchor::from)))
}

/// List audit events, newest first.
///
/// Every change in Oversee writes one event in the same transaction as the change. Each event
/// says where it stands against the tamper-evident chain (`chain`): `linked`, `before_chain`
/// (recorded before the chain existed) or `outside_chain` (added to the database by other
/// means; `verify` reports it).
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
    let (rows, first) = state.db.read(move |c| Ok((store::list(c, &filter)?, chain::first_linked_id(c)?))).await?;
    let page = pagination::try_page(rows, limit, |r| r.id.clone(), |r| AuditEvent::new(r, first.as_deref()))?;
    Ok(HttpResponse::Ok().json(page))
}
