use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::{
    events::{self, ContractEvent, CreateEvent, EventRow},
    models::{Contract, ContractFields, ContractMeta, ContractQuery, CreateContract, UpdateContract},
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{etag, ids, json::DocumentJson, json::Json, pagination, respond},
    state::AppState,
    time::{self, date_text},
    vendors::store as vendors,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_contract)
        .service(list_contracts)
        .service(get_contract)
        .service(update_contract)
        .service(delete_contract)
        .service(create_event)
        .service(list_events);
}

const SUBJECT: &str = "contract";

/// Record a contract with a vendor.
#[utoipa::path(
    tag = "contracts",
    request_body = CreateContract,
    params(("vendor_id" = String, Path, description = "Vendor id")),
    security(("bearer" = ["admin", "procurement", "legal"])),
    responses((status = 201, description = "Created", body = Contract,
        headers(("ETag" = String, description = "The version"), ("Location" = String, description = "The contract's URL"))), WriteErrors)
)]
#[post("/vendors/{vendor_id}/contracts")]
pub async fn create_contract(
    state: web::Data<AppState>,
    who: Authorized<perm::ContractsWrite>,
    path: web::Path<String>,
    body: DocumentJson<CreateContract>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path, "vendor")?;
    let fields = ContractFields::from(body.into_inner()).normalized();
    fields.check()?;
    let config = state.config.clone();
    let contract = state
        .db
        .write(move |c| {
            let vendor = vendors::get_required(c, &vendor_id)?;
            if vendor.archived_at.is_some() {
                return Err(ApiError::Archived("the vendor is archived; add no contracts to it".into()));
            }
            let now = time::now();
            let row = fields.into_row(ContractMeta {
                id: ids::new(),
                vendor_id,
                version: 1,
                created_at: now.clone(),
                updated_at: now,
            });
            store::insert(c, &row)?;
            let contract = Contract::from_row(row, true)?;
            audit::record(c, &who.0, Change::created(SUBJECT, &contract.id, &contract))?;
            crate::derived::refresh(c, &contract.vendor_id, &who.0, &config)?;
            Ok(contract)
        })
        .await?;
    Ok(respond::created(&contract, contract.version, format!("/api/v1/contracts/{}", contract.id)))
}

/// List a vendor's contracts (without their texts).
#[utoipa::path(
    tag = "contracts",
    params(("vendor_id" = String, Path, description = "Vendor id"), ContractQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of contracts", body = pagination::Page<Contract>), ReadErrors)
)]
#[get("/vendors/{vendor_id}/contracts")]
pub async fn list_contracts(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
    path: web::Path<String>,
    query: web::Query<ContractQuery>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path, "vendor")?;
    let q = query.into_inner();
    let (limit, after) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let status = q.status.map(|s| s.as_str().to_string());
    let rows = state
        .db
        .read(move |c| {
            vendors::get_required(c, &vendor_id)?;
            store::list_for_vendor(c, &vendor_id, status, after, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(rows, limit, |r| r.id.clone(), |r| Contract::from_row(r, false))?))
}

/// Get a contract, with its text.
#[utoipa::path(
    tag = "contracts",
    params(("id" = String, Path, description = "Contract id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The contract", body = Contract, headers(("ETag" = String, description = "The version"))), ReadErrors)
)]
#[get("/contracts/{id}")]
pub async fn get_contract(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let contract = Contract::from_row(state.db.read(move |c| store::get_required(c, &id)).await?, true)?;
    Ok(respond::ok_with_etag(&contract, contract.version))
}

/// Update a contract.
///
/// Prefer events for renewals, amendments and terminations: they keep the history the (f)2
/// evaluation needs. PATCH is for corrections.
#[utoipa::path(
    tag = "contracts",
    request_body = UpdateContract,
    params(("id" = String, Path, description = "Contract id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "procurement", "legal"])),
    responses((status = 200, description = "The updated contract", body = Contract, headers(("ETag" = String, description = "The new version"))), WriteErrors)
)]
#[patch("/contracts/{id}")]
pub async fn update_contract(
    state: web::Data<AppState>,
    who: Authorized<perm::ContractsWrite>,
    req: HttpRequest,
    path: web::Path<String>,
    body: DocumentJson<UpdateContract>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let expected = etag::if_match(&req)?;
    let patch = body.into_inner();
    let config = state.config.clone();
    let contract = state
        .db
        .write(move |c| {
            let row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            let document = row.document_text.clone();
            let before = Contract::from_row(row, true)?;
            let fields = patch.apply(ContractFields::from_contract(&before, document)).normalized();
            fields.check()?;
            let row = fields.into_row(ContractMeta {
                id: before.id.clone(),
                vendor_id: before.vendor_id.clone(),
                version: before.version + 1,
                created_at: before.created_at.clone(),
                updated_at: time::now(),
            });
            store::update(c, &row)?;
            let after = Contract::from_row(row, true)?;
            audit::record(c, &who.0, Change::updated(SUBJECT, &after.id, &before, &after))?;
            crate::derived::refresh(c, &after.vendor_id, &who.0, &config)?;
            Ok(after)
        })
        .await?;
    Ok(respond::ok_with_etag(&contract, contract.version))
}

/// Delete a contract recorded by mistake.
///
/// A soft delete: the contract leaves lists and evaluations; the audit trail keeps its content.
/// To end a real contract, record a termination event instead.
#[utoipa::path(
    tag = "contracts",
    params(("id" = String, Path, description = "Contract id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "procurement", "legal"])),
    responses((status = 204, description = "Deleted"), WriteErrors)
)]
#[delete("/contracts/{id}")]
pub async fn delete_contract(
    state: web::Data<AppState>,
    who: Authorized<perm::ContractsWrite>,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let expected = etag::if_match(&req)?;
    let config = state.config.clone();
    state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            let before = Contract::from_row(row.clone(), true)?;
            let now = time::now();
            row.deleted_at = Some(now.clone());
            row.updated_at = now;
            row.version += 1;
            store::update(c, &row)?;
            audit::record(c, &who.0, Change::<Contract>::new("deleted", SUBJECT, &id, Some(&before), None))?;
            crate::derived::refresh(c, &before.vendor_id, &who.0, &config)
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Record a renewal, amendment or termination.
///
/// A renewal moves `ends_on` to `new_ends_on`; a termination ends the contract on `new_ends_on`
/// (default `executed_on`); clauses added count from `executed_on`, clauses removed stop the day
/// before. Events must be recorded in execution order.
#[utoipa::path(
    tag = "contracts",
    request_body = CreateEvent,
    params(("id" = String, Path, description = "Contract id")),
    security(("bearer" = ["admin", "procurement", "legal"])),
    responses((status = 201, description = "Recorded", body = ContractEvent), WriteErrors)
)]
#[post("/contracts/{id}/events")]
pub async fn create_event(
    state: web::Data<AppState>,
    who: Authorized<perm::ContractsWrite>,
    path: web::Path<String>,
    body: Json<CreateEvent>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let mut ev = body.into_inner();
    ev.summary = ev.summary.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let config = state.config.clone();
    let event = state
        .db
        .write(move |c| {
            let row = store::get_required(c, &id)?;
            let before = Contract::from_row(row.clone(), true)?;
            let last = events::last_executed(c, &id)?;
            let effect = events::plan(&ev, before.entered_on, before.ends_on, before.terminated_on, last)?;
            let event_row = EventRow {
                id: ids::new(),
                contract_id: id.clone(),
                kind: ev.kind.as_str().into(),
                executed_on: date_text(ev.executed_on),
                summary: ev.summary.clone(),
                clauses_added: serde_json::to_string(&ev.clauses_added).unwrap_or_else(|_| "[]".into()),
                clauses_removed: serde_json::to_string(&ev.clauses_removed).unwrap_or_else(|_| "[]".into()),
                previous_ends_on: effect.previous_ends_on.map(date_text),
                new_ends_on: match ev.kind {
                    events::EventKind::Renewal => effect.ends_on.map(date_text),
                    events::EventKind::Termination => effect.terminated_on.map(date_text),
                    events::EventKind::Amendment => None,
                },
                created_at: time::now(),
            };
            events::insert(c, &event_row)?;
            let event = ContractEvent::try_from(event_row)?;
            audit::record(c, &who.0, Change::new(ev.kind.as_str(), "contract_event", &event.id, None, Some(&event)))?;

            let mut updated = row;
            updated.ends_on = effect.ends_on.map(date_text);
            if effect.terminated {
                updated.terminated_on = effect.terminated_on.map(date_text);
                updated.status = "terminated".into();
            } else if ev.kind == events::EventKind::Renewal && updated.status == "expired" {
                updated.status = "active".into();
            }
            if effect.terminated || ev.kind == events::EventKind::Renewal {
                updated.version += 1;
                updated.updated_at = time::now();
                store::update(c, &updated)?;
                let after = Contract::from_row(updated, true)?;
                audit::record(c, &who.0, Change::updated(SUBJECT, &after.id, &before, &after))?;
            }
            events::apply_clause_changes(c, &who.0, &id, &ev)?;
            crate::derived::refresh(c, &before.vendor_id, &who.0, &config)?;
            Ok(event)
        })
        .await?;
    let location = format!("/api/v1/contracts/{}/events", event.contract_id);
    Ok(HttpResponse::Created().insert_header(("Location", location)).json(event))
}

/// List a contract's events in execution order.
#[utoipa::path(
    tag = "contracts",
    params(("id" = String, Path, description = "Contract id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The events", body = Vec<ContractEvent>), ReadErrors)
)]
#[get("/contracts/{id}/events")]
pub async fn list_events(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let rows = state
        .db
        .read(move |c| {
            store::get_required(c, &id)?;
            events::list_for_contracts(c, std::slice::from_ref(&id))
        })
        .await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(ContractEvent::try_from).collect::<Result<Vec<_>, _>>()?))
}
