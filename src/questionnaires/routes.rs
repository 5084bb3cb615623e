use actix_web::{delete, get, patch, post, web, HttpRequest, HttpResponse};

use super::{
    models::{
        section_problems, title_and_description_problems, Template, TemplateDocument, TemplateQuery, TemplateRow,
        TemplateStatus, TemplateSummary, UpdateTemplate, FORMAT,
    },
    spreadsheet::{self, SpreadsheetImport},
    store,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized, Principal},
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{
        etag, ids,
        json::{read_body, DocumentJson},
        pagination, respond,
    },
    rules::questionnaire::question_count,
    state::AppState,
    time,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_templates)
        .service(create_template)
        .service(import_template)
        .service(import_spreadsheet)
        .service(get_template)
        .service(update_template)
        .service(delete_template)
        .service(publish_template)
        .service(new_version)
        .service(export_template);
}

const SUBJECT: &str = "questionnaire_template";

fn location(t: &Template) -> String {
    format!("/api/v1/questionnaire-templates/{}", t.summary.id)
}

/// Validates and stores a document as a new draft version, with its audit event.
async fn create_draft(state: &AppState, who: Principal, doc: TemplateDocument) -> ApiResult<HttpResponse> {
    doc.validate()?;
    let template = state
        .db
        .write(move |c| {
            let t = Template::try_from(store::insert_draft(c, &doc)?)?;
            audit::record(c, &who, Change::created(SUBJECT, &t.summary.id, &t))?;
            Ok(t)
        })
        .await?;
    Ok(respond::created(&template, template.summary.version, location(&template)))
}

/// List template versions, newest version of each key first.
#[utoipa::path(
    tag = "questionnaires",
    params(TemplateQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of template versions", body = pagination::Page<TemplateSummary>), ReadErrors)
)]
#[get("/questionnaire-templates")]
pub async fn list_templates(
    state: web::Data<AppState>,
    _who: Authorized<perm::QuestionnairesRead>,
    query: web::Query<TemplateQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let (limit, after) = pagination::window::<(String, i32)>(q.limit, q.cursor.as_deref())?;
    let rows = state.db.read(move |c| store::list(c, q.key, q.status, after, limit)).await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(
        rows,
        limit,
        |r| (r.template_key.clone(), r.template_version),
        |r| TemplateSummary::try_from(&r),
    )?))
}

/// Create a template: a draft version 1 for a new key, or the next draft version of an existing key.
#[utoipa::path(
    tag = "questionnaires",
    request_body = TemplateDocument,
    security(("bearer" = ["admin", "security"])),
    responses((status = 201, description = "The new draft", body = Template), WriteErrors)
)]
#[post("/questionnaire-templates")]
pub async fn create_template(
    state: web::Data<AppState>,
    who: Authorized<perm::TemplatesWrite>,
    body: DocumentJson<TemplateDocument>,
) -> ApiResult<HttpResponse> {
    create_draft(&state, who.0, body.into_inner()).await
}

/// Import a template exported from Oversee (`format: oversee.questionnaire/v1`) as a new draft.
#[utoipa::path(
    tag = "questionnaires",
    request_body = TemplateDocument,
    security(("bearer" = ["admin", "security"])),
    responses((status = 201, description = "The imported draft", body = Template), WriteErrors)
)]
#[post("/questionnaire-templates/import")]
pub async fn import_template(
    state: web::Data<AppState>,
    who: Authorized<perm::TemplatesWrite>,
    body: DocumentJson<TemplateDocument>,
) -> ApiResult<HttpResponse> {
    let doc = body.into_inner();
    if doc.format.is_none() {
        return Err(ApiError::invalid("format", &format!("an import must say which format it is in ({FORMAT})")));
    }
    create_draft(&state, who.0, doc).await
}

/// Import a questionnaire spreadsheet you bring (CSV, or the first or named sheet of an XLSX
/// workbook), mapping its columns by header. Each question is keyed by (framework, version, id).
#[utoipa::path(
    tag = "questionnaires",
    params(SpreadsheetImport),
    request_body(content = Vec<u8>, description = "The file: text/csv, or application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        content_type = "text/csv"),
    security(("bearer" = ["admin", "security"])),
    responses((status = 201, description = "The imported draft", body = Template), WriteErrors)
)]
#[post("/questionnaire-templates/import-spreadsheet")]
pub async fn import_spreadsheet(
    state: web::Data<AppState>,
    who: Authorized<perm::TemplatesWrite>,
    req: HttpRequest,
    query: web::Query<SpreadsheetImport>,
    payload: web::Payload,
) -> ApiResult<HttpResponse> {
    let kind = spreadsheet::kind_of(&req)?;
    let bytes = read_body(payload.into_inner(), spreadsheet::MAX_BYTES).await?;
    let doc = web::block(move || spreadsheet::to_document(kind, &bytes, &query.into_inner()))
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))??;
    create_draft(&state, who.0, doc).await
}

/// Get a template version with its questions.
#[utoipa::path(
    tag = "questionnaires",
    params(("template_id" = String, Path, description = "Template version id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The template version", body = Template), ReadErrors)
)]
#[get("/questionnaire-templates/{template_id}")]
pub async fn get_template(
    state: web::Data<AppState>,
    _who: Authorized<perm::QuestionnairesRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "template")?;
    let t = Template::try_from(state.db.read(move |c| store::get_required(c, &id)).await?)?;
    Ok(respond::ok_with_etag(&t, t.summary.version))
}

fn draft_only(row: &TemplateRow) -> Result<(), ApiError> {
    if row.status()? == TemplateStatus::Published {
        return Err(ApiError::Conflict(format!(
            "version {} of '{}' is published and never changes; POST /api/v1/questionnaire-templates/{}/versions starts a new draft",
            row.template_version, row.template_key, row.id
        )));
    }
    Ok(())
}

/// Edit a draft. Published versions never change: start a new draft version instead.
#[utoipa::path(
    tag = "questionnaires",
    request_body = UpdateTemplate,
    params(("template_id" = String, Path, description = "Template version id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "security"])),
    responses((status = 200, description = "The updated draft", body = Template), WriteErrors)
)]
#[patch("/questionnaire-templates/{template_id}")]
pub async fn update_template(
    state: web::Data<AppState>,
    who: Authorized<perm::TemplatesWrite>,
    req: HttpRequest,
    path: web::Path<String>,
    body: DocumentJson<UpdateTemplate>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "template")?;
    let expected = etag::if_match(&req)?;
    let patch = body.into_inner();
    let t = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            draft_only(&row)?;
            let before = Template::try_from(row.clone())?;
            if let Some(title) = patch.title {
                row.title = title.trim().to_string();
            }
            if let Some(d) = patch.description {
                row.description = d;
            }
            let mut errors = title_and_description_problems(&row.title, row.description.as_deref());
            if let Some(sections) = patch.sections {
                if sections.is_empty() {
                    errors.push(crate::error::FieldError::new("sections", "a template needs at least one section"));
                }
                errors.extend(section_problems(&sections));
                row.question_count = question_count(&sections) as i32;
                row.content = serde_json::to_string(&sections).map_err(|e| ApiError::Internal(e.to_string()))?;
            }
            ApiError::unless_empty(errors)?;
            row.version += 1;
            row.updated_at = time::now();
            store::update(c, &row)?;
            let after = Template::try_from(row)?;
            audit::record(c, &who.0, Change::updated(SUBJECT, &after.summary.id, &before, &after))?;
            Ok(after)
        })
        .await?;
    Ok(respond::ok_with_etag(&t, t.summary.version))
}

/// Delete a draft version. Published versions stay: assessments refer to them.
#[utoipa::path(
    tag = "questionnaires",
    params(("template_id" = String, Path, description = "Template version id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "security"])),
    responses((status = 204, description = "Deleted"), WriteErrors)
)]
#[delete("/questionnaire-templates/{template_id}")]
pub async fn delete_template(
    state: web::Data<AppState>,
    who: Authorized<perm::TemplatesWrite>,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "template")?;
    let expected = etag::if_match(&req)?;
    state
        .db
        .write(move |c| {
            let row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            draft_only(&row)?;
            store::delete(c, &id)?;
            let before = TemplateSummary::try_from(&row)?;
            audit::record(c, &who.0, Change::new("deleted", SUBJECT, &id, Some(&before), None))
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Publish a draft: from now on it never changes, and assessments can be sent from it.
#[utoipa::path(
    tag = "questionnaires",
    params(("template_id" = String, Path, description = "Template version id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "security"])),
    responses((status = 200, description = "The published version", body = Template), WriteErrors)
)]
#[post("/questionnaire-templates/{template_id}/publish")]
pub async fn publish_template(
    state: web::Data<AppState>,
    who: Authorized<perm::TemplatesWrite>,
    req: HttpRequest,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "template")?;
    let expected = etag::if_match(&req)?;
    let t = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            draft_only(&row)?;
            let before = TemplateSummary::try_from(&row)?;
            let now = time::now();
            row.status = TemplateStatus::Published.as_str().into();
            row.published_at = Some(now.clone());
            row.updated_at = now;
            row.version += 1;
            store::update(c, &row)?;
            let after = TemplateSummary::try_from(&row)?;
            audit::record(c, &who.0, Change::new("published", SUBJECT, &row.id, Some(&before), Some(&after)))?;
            Ok(Template::try_from(row)?)
        })
        .await?;
    Ok(respond::ok_with_etag(&t, t.summary.version))
}

/// Start the next draft version of a template from this version's questions.
#[utoipa::path(
    tag = "questionnaires",
    params(("template_id" = String, Path, description = "Template version id to copy")),
    security(("bearer" = ["admin", "security"])),
    responses((status = 201, description = "The new draft version", body = Template), WriteErrors)
)]
#[post("/questionnaire-templates/{template_id}/versions")]
pub async fn new_version(
    state: web::Data<AppState>,
    who: Authorized<perm::TemplatesWrite>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "template")?;
    let template = state
        .db
        .write(move |c| {
            let source = store::get_required(c, &id)?;
            let t = Template::try_from(store::insert_draft(c, &TemplateDocument::from_row(&source)?)?)?;
            audit::record(c, &who.0, Change::created(SUBJECT, &t.summary.id, &t))?;
            Ok(t)
        })
        .await?;
    Ok(respond::created(&template, template.summary.version, location(&template)))
}

/// Export a template version in Oversee's exchange format; importing it gives the same template.
#[utoipa::path(
    tag = "questionnaires",
    params(("template_id" = String, Path, description = "Template version id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The template as a document", body = TemplateDocument), ReadErrors)
)]
#[get("/questionnaire-templates/{template_id}/export")]
pub async fn export_template(
    state: web::Data<AppState>,
    _who: Authorized<perm::QuestionnairesRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "template")?;
    let row = state.db.read(move |c| store::get_required(c, &id)).await?;
    let name = format!("{}-v{}.json", row.template_key, row.template_version);
    Ok(HttpResponse::Ok()
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{name}\"")))
        .json(TemplateDocument::from_row(&row)?))
}
