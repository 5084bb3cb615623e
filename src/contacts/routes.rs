use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};
use validator::Validate;

use super::{
    models::{Contact, ContactFields, CreateContact, UpdateContact},
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    db::DbConn,
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{etag, ids, json::Json, pagination, respond},
    state::AppState,
    time,
    vendors::store as vendors,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_contact)
        .service(list_contacts)
        .service(get_contact)
        .service(update_contact)
        .service(delete_contact);
}

const SUBJECT: &str = "vendor_contact";

/// Contacts of an archived vendor are read-only.
fn writable_vendor(c: &mut DbConn, vendor_id: &str) -> Result<(), ApiError> {
    let v = vendors::get_required(c, vendor_id)?;
    if v.archived_at.is_some() {
        return Err(ApiError::Archived("the vendor is archived; its contacts cannot be changed".into()));
    }
    Ok(())
}

/// Add a contact to a vendor.
#[utoipa::path(
    tag = "vendors",
    request_body = CreateContact,
    params(("vendor_id" = String, Path, description = "Vendor id")),
    security(("bearer" = ["admin", "procurement"])),
    responses((status = 201, description = "Created", body = Contact), WriteErrors)
)]
#[post("/vendors/{vendor_id}/contacts")]
pub async fn create_contact(
    state: web::Data<AppState>,
    who: Authorized<perm::VendorsWrite>,
    path: web::Path<String>,
    body: Json<CreateContact>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path, "vendor")?;
    let fields = ContactFields::from(body.into_inner()).normalized();
    fields.validate()?;
    let contact = state
        .db
        .write(move |c| {
            writable_vendor(c, &vendor_id)?;
            let now = time::now();
            let row = fields.into_row(ids::new(), vendor_id, 1, now.clone(), now);
            store::insert(c, &row)?;
            let contact = Contact::try_from(row)?;
            audit::record(c, &who.0, Change::created(SUBJECT, &contact.id, &contact))?;
            Ok(contact)
        })
        .await?;
    let location = format!("/api/v1/vendors/{}/contacts/{}", contact.vendor_id, contact.id);
    Ok(respond::created(&contact, contact.version, location))
}

/// List a vendor's contacts.
#[utoipa::path(
    tag = "vendors",
    params(("vendor_id" = String, Path, description = "Vendor id"), pagination::PageQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of contacts", body = pagination::Page<Contact>), ReadErrors)
)]
#[get("/vendors/{vendor_id}/contacts")]
pub async fn list_contacts(
    state: web::Data<AppState>,
    _who: Authorized<perm::VendorsRead>,
    path: web::Path<String>,
    query: web::Query<pagination::PageQuery>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path, "vendor")?;
    let q = query.into_inner();
    let (limit, after) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let rows = state
        .db
        .read(move |c| {
            vendors::get_required(c, &vendor_id)?;
            store::list(c, &vendor_id, after, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(rows, limit, |r| r.id.clone(), Contact::try_from)?))
}

/// Get a contact.
#[utoipa::path(
    tag = "vendors",
    params(("vendor_id" = String, Path, description = "Vendor id"), ("contact_id" = String, Path, description = "Contact id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The contact", body = Contact), ReadErrors)
)]
#[get("/vendors/{vendor_id}/contacts/{contact_id}")]
pub async fn get_contact(
    state: web::Data<AppState>,
    _who: Authorized<perm::VendorsRead>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path.0, "vendor")?;
    let id = ids::parse(&path.1, "contact")?;
    let contact = Contact::try_from(state.db.read(move |c| store::get_required(c, &vendor_id, &id)).await?)?;
    Ok(respond::ok_with_etag(&contact, contact.version))
}

/// Update a contact.
#[utoipa::path(
    tag = "vendors",
    request_body = UpdateContact,
    params(("vendor_id" = String, Path, description = "Vendor id"), ("contact_id" = String, Path, description = "Contact id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "procurement"])),
    responses((status = 200, description = "The updated contact", body = Contact), WriteErrors)
)]
#[patch("/vendors/{vendor_id}/contacts/{contact_id}")]
pub async fn update_contact(
    state: web::Data<AppState>,
    who: Authorized<perm::VendorsWrite>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
    body: Json<UpdateContact>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path.0, "vendor")?;
    let id = ids::parse(&path.1, "contact")?;
    let expected = etag::if_match(&req)?;
    let patch = body.into_inner();
    let contact = state
        .db
        .write(move |c| {
            let before = Contact::try_from(store::get_required(c, &vendor_id, &id)?)?;
            etag::check(&expected, before.version)?;
            writable_vendor(c, &vendor_id)?;
            let current = ContactFields {
                name: before.name.clone(),
                email: before.email.clone(),
                role: before.role,
                phone: before.phone.clone(),
            };
            let fields = patch.apply(current).normalized();
            fields.validate()?;
            let row = fields.into_row(
                before.id.clone(),
                vendor_id,
                before.version + 1,
                before.created_at.clone(),
                time::now(),
            );
            store::update(c, &row)?;
            let after = Contact::try_from(row)?;
            audit::record(c, &who.0, Change::updated(SUBJECT, &after.id, &before, &after))?;
            Ok(after)
        })
        .await?;
    Ok(respond::ok_with_etag(&contact, contact.version))
}

/// Remove a contact.
#[utoipa::path(
    tag = "vendors",
    params(("vendor_id" = String, Path, description = "Vendor id"), ("contact_id" = String, Path, description = "Contact id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "procurement"])),
    responses((status = 204, description = "Removed"), WriteErrors)
)]
#[delete("/vendors/{vendor_id}/contacts/{contact_id}")]
pub async fn delete_contact(
    state: web::Data<AppState>,
    who: Authorized<perm::VendorsWrite>,
    req: HttpRequest,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path.0, "vendor")?;
    let id = ids::parse(&path.1, "contact")?;
    let expected = etag::if_match(&req)?;
    state
        .db
        .write(move |c| {
            let before = Contact::try_from(store::get_required(c, &vendor_id, &id)?)?;
            etag::check(&expected, before.version)?;
            writable_vendor(c, &vendor_id)?;
            store::delete(c, &id)?;
            audit::record(c, &who.0, Change::new("deleted", SUBJECT, &id, Some(&before), None))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
