use actix_web::{get, post, put, web, HttpRequest, HttpResponse};
use validator::Validate;

use super::{
    models::{Clause, ClauseRow, ClauseType, ClauseTypeRow, CreateClauseType, PutClause},
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    contracts::{models::Contract, store as contracts},
    db::DbConn,
    error::{validate_all, ApiError, ApiResult, FieldError, ReadErrors, WriteErrors},
    http::{etag, ids, json::Json, respond},
    state::AppState,
    time::{self, date_text},
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_clause_types)
        .service(create_clause_type)
        .service(list_clauses)
        .service(get_clause)
        .service(put_clause)
        .service(verify_clause);
}

/// List clause types: the built-in library and your own.
#[utoipa::path(
    tag = "clauses",
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "All clause types", body = Vec<ClauseType>), ReadErrors)
)]
#[get("/clause-types")]
pub async fn list_clause_types(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
) -> ApiResult<HttpResponse> {
    let rows = state.db.read(store::list_types).await?;
    Ok(HttpResponse::Ok().json(rows.into_iter().map(ClauseType::try_from).collect::<Result<Vec<_>, _>>()?))
}

/// Add a clause type of your own.
#[utoipa::path(
    tag = "clauses",
    request_body = CreateClauseType,
    security(("bearer" = ["admin"])),
    responses((status = 201, description = "Created", body = ClauseType), WriteErrors)
)]
#[post("/clause-types")]
pub async fn create_clause_type(
    state: web::Data<AppState>,
    who: Authorized<perm::ClauseTypesWrite>,
    body: Json<CreateClauseType>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    b.validate()?;
    let row = ClauseTypeRow {
        key: b.key,
        title: b.title.trim().to_string(),
        description: b.description.trim().to_string(),
        supports: serde_json::to_string(&b.supports).unwrap_or_else(|_| "[]".into()),
        builtin: false,
        created_at: time::now(),
    };
    let created = state
        .db
        .write(move |c| {
            store::insert_type(c, &row)?;
            let t = ClauseType::try_from(row)?;
            audit::record(c, &who.0, Change::created("clause_type", &t.key, &t))?;
            Ok(t)
        })
        .await?;
    Ok(HttpResponse::Created().insert_header(("Location", "/api/v1/clause-types")).json(created))
}

/// Every clause type for a contract: recorded ones as recorded, the rest `unknown`.
fn checklist(c: &mut DbConn, contract_id: &str) -> ApiResult<Vec<Clause>> {
    contracts::get_required(c, contract_id)?;
    let mut recorded = store::list_for_contract(c, contract_id)?;
    let types = store::list_types(c)?;
    Ok(types
        .into_iter()
        .map(|t| match recorded.iter().position(|r| r.clause_type == t.key) {
            Some(i) => Clause::try_from(recorded.swap_remove(i)),
            None => Ok(Clause::unrecorded(contract_id, &t.key)),
        })
        .collect::<Result<_, _>>()?)
}

/// The contract's clauses, one per clause type.
#[utoipa::path(
    tag = "clauses",
    params(("id" = String, Path, description = "Contract id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "One entry per clause type", body = Vec<Clause>), ReadErrors)
)]
#[get("/contracts/{id}/clauses")]
pub async fn list_clauses(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "contract")?;
    let list = state.db.read(move |c| checklist(c, &id)).await?;
    Ok(HttpResponse::Ok().json(list))
}

fn load(c: &mut DbConn, contract_id: &str, clause_type: &str) -> ApiResult<(Contract, Option<ClauseRow>)> {
    let contract = Contract::from_row(contracts::get_required(c, contract_id)?, false)?;
    store::require_type(c, clause_type)?;
    Ok((contract, store::get(c, contract_id, clause_type)?))
}

/// One clause of a contract (`unknown` when never recorded).
#[utoipa::path(
    tag = "clauses",
    params(("id" = String, Path, description = "Contract id"), ("clause_type" = String, Path, description = "Clause type key")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The clause", body = Clause), ReadErrors)
)]
#[get("/contracts/{id}/clauses/{clause_type}")]
pub async fn get_clause(
    state: web::Data<AppState>,
    _who: Authorized<perm::ContractsRead>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path.0, "contract")?;
    let key = path.1.clone();
    let clause = state
        .db
        .read(move |c| {
            Ok(load(c, &id, &key)?
                .1
                .map(Clause::try_from)
                .transpose()?
                .unwrap_or_else(|| Clause::unrecorded(&id, &key)))
        })
        .await?;
    Ok(respond::ok_with_etag(&clause, clause.version))
}

/// Record what the contract says about a clause.
///
/// Replaces the record; a changed record must be verified again.
#[utoipa::path(
    tag = "clauses",
    request_body = PutClause,
    params(("id" = String, Path, description = "Contract id"), ("clause_type" = String, Path, description = "Clause type key"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "legal"])),
    responses((status = 200, description = "The clause as recorded", body = Clause), WriteErrors)
)]
#[put("/contracts/{id}/clauses/{clause_type}")]
pub async fn put_clause(
    state: web::Data<AppState>,
    who: Authorized<perm::ClausesWrite>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<PutClause>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path.0, "contract")?;
    let key = path.1.clone();
    let expected = etag::if_match(&req)?;
    let b = body.into_inner();
    let config = state.config.clone();
    let clause = state
        .db
        .write(move |c| {
            let (contract, existing) = load(c, &id, &key)?;
            etag::check(&expected, existing.as_ref().map(|r| r.version).unwrap_or(0))?;
            let from = b.effective_from.unwrap_or(contract.entered_on);
            let mut extra = Vec::new();
            if b.effective_to.is_some_and(|to| to < from) {
                extra.push(FieldError::new("effective_to", "must not be before effective_from"));
            }
            if b.deadline.as_ref().is_some_and(|d| !d.is_valid()) {
                extra.push(FieldError::new("deadline", "amount 1 to 10000; unit hours, days or business_days"));
            }
            validate_all(b.validate(), extra)?;
            let trim = |o: Option<String>| o.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            let now = time::now();
            let before = existing.clone().map(Clause::try_from).transpose()?;
            let row = ClauseRow {
                contract_id: id.clone(),
                clause_type: key.clone(),
                status: b.status.as_str().into(),
                effective_from: date_text(from),
                effective_to: b.effective_to.map(date_text),
                section_ref: trim(b.section_ref),
                excerpt: trim(b.excerpt),
                notes: trim(b.notes),
                deadline_amount: b.deadline.as_ref().map(|d| d.amount as i32),
                deadline_unit: b.deadline.map(|d| d.unit),
                verified_by: None,
                verified_at: None,
                version: existing.as_ref().map(|r| r.version).unwrap_or(0) + 1,
                created_at: existing.map(|r| r.created_at).unwrap_or_else(|| now.clone()),
                updated_at: now,
            };
            let saved = store::save_audited(c, &who.0, "updated", before, row)?;
            crate::derived::refresh(c, &contract.vendor_id, &who.0, &config)?;
            Ok(saved)
        })
        .await?;
    Ok(respond::ok_with_etag(&clause, clause.version))
}

/// Verify a recorded clause: legal confirms the record matches the signed contract.
#[utoipa::path(
    tag = "clauses",
    params(("id" = String, Path, description = "Contract id"), ("clause_type" = String, Path, description = "Clause type key")),
    security(("bearer" = ["admin", "legal"])),
    responses((status = 200, description = "The verified clause", body = Clause), WriteErrors)
)]
#[post("/contracts/{id}/clauses/{clause_type}/verify")]
pub async fn verify_clause(
    state: web::Data<AppState>,
    who: Authorized<perm::ClausesWrite>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path.0, "contract")?;
    let key = path.1.clone();
    let config = state.config.clone();
    let clause = state
        .db
        .write(move |c| {
            let (contract, existing) = load(c, &id, &key)?;
            let row = existing.ok_or_else(|| {
                ApiError::Conflict(format!("clause '{key}' has not been recorded for this contract; record it first"))
            })?;
            let before = Clause::try_from(row.clone())?;
            let now = time::now();
            let row = ClauseRow {
                verified_by: Some(who.sub.clone()),
                verified_at: Some(now.clone()),
                version: row.version + 1,
                updated_at: now,
                ..row
            };
            let saved = store::save_audited(c, &who.0, "verified", Some(before), row)?;
            crate::derived::refresh(c, &contract.vendor_id, &who.0, &config)?;
            Ok(saved)
        })
        .await?;
    Ok(respond::ok_with_etag(&clause, clause.version))
}
