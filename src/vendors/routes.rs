use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use validator::Validate;

use super::{
    models::{CreateVendor, RowMeta, UpdateVendor, Vendor, VendorFields, VendorQuery},
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{etag, ids, json::Json, pagination, respond},
    state::AppState,
    time,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_vendor).service(list_vendors).service(get_vendor).service(update_vendor).service(archive_vendor);
}

const SUBJECT: &str = "vendor";

/// Create a vendor.
///
/// The risk tier is derived from the PI profile and criticality. Honours `Idempotency-Key`.
#[utoipa::path(
    tag = "vendors",
    request_body = CreateVendor,
    security(("bearer" = ["admin", "procurement"])),
    responses((status = 201, description = "Created", body = Vendor,
        headers(("ETag" = String, description = "The version"), ("Location" = String, description = "The new vendor's URL"))),
        WriteErrors)
)]
#[post("/vendors")]
pub async fn create_vendor(
    state: web::Data<AppState>,
    who: Authorized<perm::VendorsWrite>,
    body: Json<CreateVendor>,
) -> ApiResult<HttpResponse> {
    let fields = VendorFields::from(body.into_inner()).normalized();
    fields.validate()?;
    let now = time::now();
    let tags = fields.tags.clone();
    let row = fields.into_row(RowMeta {
        id: ids::new(),
        version: 1,
        created_at: now.clone(),
        updated_at: now,
        archived_at: None,
    });
    let vendor = state
        .db
        .write(move |c| {
            store::insert(c, &row, &tags)?;
            let vendor = Vendor::try_from(row)?;
            audit::record(c, &who.0, Change::created(SUBJECT, &vendor.id, &vendor))?;
            Ok(vendor)
        })
        .await?;
    Ok(respond::created(&vendor, vendor.version, format!("/api/v1/vendors/{}", vendor.id)))
}

/// List vendors.
///
/// Keyset-paginated; archived vendors are hidden unless `include_archived=true`.
#[utoipa::path(
    tag = "vendors",
    params(VendorQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of vendors", body = pagination::Page<Vendor>), ReadErrors)
)]
#[get("/vendors")]
pub async fn list_vendors(
    state: web::Data<AppState>,
    _who: Authorized<perm::VendorsRead>,
    query: web::Query<VendorQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let limit = pagination::limit(q.limit)?;
    if let Some(t) = q.risk_tier {
        if !(1..=3).contains(&t) {
            return Err(ApiError::BadRequest(format!("risk_tier {t} is not 1, 2 or 3")));
        }
    }
    if q.q.as_ref().is_some_and(|s| s.chars().count() > 200) {
        return Err(ApiError::BadRequest("q is longer than 200 characters".into()));
    }
    let sort = q.sort.unwrap_or_default();
    let filter = store::ListFilter {
        status: q.status.map(|s| s.as_str().to_string()),
        risk_tier: q.risk_tier,
        handles_pi: q.handles_pi,
        tag: q.tag,
        q: q.q.filter(|s| !s.is_empty()),
        include_archived: q.include_archived.unwrap_or(false),
        sort,
        after: q.cursor.as_deref().map(pagination::decode).transpose()?,
        limit,
    };
    let rows = state.db.read(move |c| store::list(c, &filter)).await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(rows, limit, |r| store::sort_key(r, sort), Vendor::try_from)?))
}

/// Get a vendor.
#[utoipa::path(
    tag = "vendors",
    params(("id" = String, Path, description = "Vendor id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The vendor", body = Vendor, headers(("ETag" = String, description = "The version"))), ReadErrors)
)]
#[get("/vendors/{id}")]
pub async fn get_vendor(
    state: web::Data<AppState>,
    _who: Authorized<perm::VendorsRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let row = state.db.read(move |c| store::get_required(c, &id)).await?;
    let vendor = Vendor::try_from(row)?;
    Ok(respond::ok_with_etag(&vendor, vendor.version))
}

/// Update a vendor.
///
/// Send `If-Match` with the ETag you read to make sure nobody changed the vendor in between.
#[utoipa::path(
    tag = "vendors",
    request_body = UpdateVendor,
    params(("id" = String, Path, description = "Vendor id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 when the vendor changed since")),
    security(("bearer" = ["admin", "procurement"])),
    responses((status = 200, description = "The updated vendor", body = Vendor, headers(("ETag" = String, description = "The new version"))), WriteErrors)
)]
#[patch("/vendors/{id}")]
pub async fn update_vendor(
    state: web::Data<AppState>,
    who: Authorized<perm::VendorsWrite>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<UpdateVendor>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let expected = etag::if_match(&req)?;
    let patch = body.into_inner();
    let website_untouched = patch.website.is_none();
    let config = state.config.clone();
    let vendor = state
        .db
        .write(move |c| {
            let before = Vendor::try_from(store::get_required(c, &id)?)?;
            etag::check(&expected, before.version)?;
            if before.archived_at.is_some() {
                return Err(ApiError::Archived("the vendor is archived; archived vendors cannot be changed".into()));
            }
            let fields = patch.apply(VendorFields::from_vendor(&before)).normalized();
            fields.validate_patched(website_untouched)?;
            let tags = fields.tags.clone();
            let row = fields.into_row(RowMeta {
                id: before.id.clone(),
                version: before.version + 1,
                created_at: before.created_at.clone(),
                updated_at: time::now(),
                archived_at: None,
            });
            store::update(c, &row, &tags)?;
            let after = Vendor::try_from(row)?;
            audit::record(c, &who.0, Change::updated(SUBJECT, &after.id, &before, &after))?;
            crate::derived::refresh(c, &after.id, &who.0, &config)?;
            Ok(after)
        })
        .await?;
    Ok(respond::ok_with_etag(&vendor, vendor.version))
}

/// Archive a vendor.
///
/// A soft delete: the vendor keeps its history and can still be read by id, but leaves lists
/// and frees its name. Archiving an archived vendor changes nothing.
#[utoipa::path(
    tag = "vendors",
    params(("id" = String, Path, description = "Vendor id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read; 412 when the vendor changed since")),
    security(("bearer" = ["admin", "procurement"])),
    responses((status = 204, description = "Archived"), WriteErrors)
)]
#[delete("/vendors/{id}")]
pub async fn archive_vendor(
    state: web::Data<AppState>,
    who: Authorized<perm::VendorsWrite>,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, SUBJECT)?;
    let expected = etag::if_match(&req)?;
    state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            if row.archived_at.is_some() {
                return Ok(());
            }
            let before = Vendor::try_from(row.clone())?;
            let now = time::now();
            row.archived_at = Some(now.clone());
            row.updated_at = now;
            row.version += 1;
            let tags = before.tags.clone();
            store::update(c, &row, &tags)?;
            let after = Vendor::try_from(row)?;
            audit::record(c, &who.0, Change::new("archived", SUBJECT, &after.id, Some(&before), Some(&after)))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
