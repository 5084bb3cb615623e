use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use super::{
    models::{AllIncidentsQuery, CreateIncident, Incident, IncidentFields, IncidentQuery, UpdateIncident},
    record,
    store::{self, Filter},
};
use crate::{
    auth::{perm, Authorized},
    error::{ApiResult, ReadErrors, WriteErrors},
    http::{etag, ids, json::Json, pagination, respond},
    state::AppState,
    time,
    vendors::store as vendors,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_incident)
        .service(list_incidents)
        .service(list_all_incidents)
        .service(get_incident)
        .service(update_incident);
}

/// Record an incident at a vendor. A report later than the contract's breach-notification term
/// raises a high finding; the incident brings the vendor's reassessment forward and counts in its
/// score.
#[utoipa::path(
    tag = "incidents",
    request_body = CreateIncident,
    params(("vendor_id" = String, Path, description = "Vendor id")),
    security(("bearer" = ["admin", "security"])),
    responses((status = 201, description = "Created", body = Incident), WriteErrors)
)]
#[post("/vendors/{vendor_id}/incidents")]
pub async fn create_incident(
    state: web::Data<AppState>,
    who: Authorized<perm::IncidentsWrite>,
    path: web::Path<String>,
    body: Json<CreateIncident>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path, "vendor")?;
    let fields = body.into_inner().fields();
    let today = time::today();
    fields.validate(today)?;
    let config = state.config.clone();
    let incident = state
        .db
        .write(move |c| {
            vendors::get_required(c, &vendor_id)?;
            let mut fields = fields;
            fields.contract_id = record::check_contract(c, &vendor_id, fields.contract_id.take())?;
            let row = record::new_row(vendor_id, fields, &who.0, &time::now(), today)?;
            record::save(c, &who.0, &config, None, row)
        })
        .await?;
    let location = format!("/api/v1/incidents/{}", incident.id);
    Ok(respond::created(&incident, incident.version, location))
}

/// List a vendor's incidents, oldest first.
#[utoipa::path(
    tag = "incidents",
    params(("vendor_id" = String, Path, description = "Vendor id"), IncidentQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of incidents", body = pagination::Page<Incident>), ReadErrors)
)]
#[get("/vendors/{vendor_id}/incidents")]
pub async fn list_incidents(
    state: web::Data<AppState>,
    _who: Authorized<perm::IncidentsRead>,
    path: web::Path<String>,
    query: web::Query<IncidentQuery>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path, "vendor")?;
    let q = query.into_inner();
    let filter = Filter { vendor_id: Some(vendor_id), status: q.status, determination: q.breach_determination };
    page(&state, filter, q.limit, q.cursor, true).await
}

/// List incidents across vendors, oldest first: for example every open breach.
#[utoipa::path(
    tag = "incidents",
    params(AllIncidentsQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of incidents", body = pagination::Page<Incident>), ReadErrors)
)]
#[get("/incidents")]
pub async fn list_all_incidents(
    state: web::Data<AppState>,
    _who: Authorized<perm::IncidentsRead>,
    query: web::Query<AllIncidentsQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let vendor_id = q.vendor_id.as_deref().map(|v| ids::parse(v, "vendor")).transpose()?;
    let filter = Filter { vendor_id, status: q.status, determination: q.breach_determination };
    page(&state, filter, q.limit, q.cursor, false).await
}

/// A page of incidents with their resident-count histories. With `vendor_must_exist`, an unknown
/// vendor is a 404 rather than an empty page.
async fn page(
    state: &AppState,
    filter: Filter,
    limit: Option<i64>,
    cursor: Option<String>,
    vendor_must_exist: bool,
) -> ApiResult<HttpResponse> {
    let (limit, after) = pagination::window::<String>(limit, cursor.as_deref())?;
    let (rows, mut history) = state
        .db
        .read(move |c| {
            if let (true, Some(v)) = (vendor_must_exist, &filter.vendor_id) {
                vendors::get_required(c, v)?;
            }
            let rows = store::list(c, filter, after, limit)?;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            Ok((rows, store::resident_counts(c, &ids)?))
        })
        .await?;
    let page = pagination::try_page(
        rows,
        limit,
        |r| r.id.clone(),
        |r| {
            let counts = history.remove(&r.id).unwrap_or_default();
            r.view(counts)
        },
    )?;
    Ok(HttpResponse::Ok().json(page))
}

/// Get an incident.
#[utoipa::path(
    tag = "incidents",
    params(("incident_id" = String, Path, description = "Incident id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The incident", body = Incident), ReadErrors)
)]
#[get("/incidents/{incident_id}")]
pub async fn get_incident(
    state: web::Data<AppState>,
    _who: Authorized<perm::IncidentsRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "incident")?;
    let incident = state
        .db
        .read(move |c| {
            let row = store::get_required(c, &id)?;
            record::view(c, row)
        })
        .await?;
    Ok(respond::ok_with_etag(&incident, incident.version))
}

/// Update an incident: new facts, notices, actions, the review, or its status. Closing needs a
/// post-incident review and a breach determination (422 otherwise).
#[utoipa::path(
    tag = "incidents",
    request_body = UpdateIncident,
    params(("incident_id" = String, Path, description = "Incident id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "security"])),
    responses((status = 200, description = "The updated incident", body = Incident), WriteErrors)
)]
#[patch("/incidents/{incident_id}")]
pub async fn update_incident(
    state: web::Data<AppState>,
    who: Authorized<perm::IncidentsWrite>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<UpdateIncident>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "incident")?;
    let expected = etag::if_match(&req)?;
    let patch = body.into_inner();
    let config = state.config.clone();
    let incident = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            let before = record::view(c, row.clone())?;
            let today = time::today();
            let mut fields = patch.apply(IncidentFields::from_row(&row)?);
            fields.validate(today)?;
            fields.contract_id = record::check_contract(c, &row.vendor_id, fields.contract_id.take())?;
            fields.apply_to(&mut row, today)?;
            row.version += 1;
            row.updated_at = time::now();
            record::save(c, &who.0, &config, Some(&before), row)
        })
        .await?;
    Ok(respond::ok_with_etag(&incident, incident.version))
}
