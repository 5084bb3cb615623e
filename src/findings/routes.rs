use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use super::{
    models::{CreateFinding, Finding, FindingFields, FindingQuery, FindingRow, UpdateFinding},
    store,
};
use crate::{
    assessments::store as assessments,
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    db::DbConn,
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{etag, ids, json::Json, pagination, respond},
    rules::{findings::FindingStatus, questionnaire},
    state::AppState,
    time,
    vendors::store as vendors,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_finding).service(list_findings).service(get_finding).service(update_finding);
}

const SUBJECT: &str = "finding";

fn id_field(raw: &Option<String>, field: &str) -> Result<Option<String>, ApiError> {
    raw.as_deref()
        .map(|v| uuid::Uuid::parse_str(v).map(|u| u.hyphenated().to_string()))
        .transpose()
        .map_err(|_| ApiError::invalid(field, "not an id"))
}

/// The vendor a new finding belongs to: given, or the assessment's; and the question must be the
/// assessment's.
fn resolve_subject(
    c: &mut DbConn,
    vendor_id: Option<String>,
    assessment_id: Option<&str>,
    question_code: Option<&str>,
) -> Result<String, ApiError> {
    let vendor_id = match assessment_id {
        Some(aid) => {
            let a = assessments::get_required(c, aid)
                .map_err(|_| ApiError::invalid("assessment_id", "no such assessment"))?;
            if vendor_id.as_ref().is_some_and(|v| *v != a.vendor_id) {
                return Err(ApiError::invalid("vendor_id", "the assessment belongs to another vendor"));
            }
            if let Some(code) = question_code {
                let sections = crate::questionnaires::store::sections(c, &a.template_id)?;
                if questionnaire::find_question(&sections, code).is_none() {
                    return Err(ApiError::invalid(
                        "question_code",
                        "the assessment's questionnaire has no such question",
                    ));
                }
            }
            a.vendor_id
        }
        None if question_code.is_some() => {
            return Err(ApiError::invalid("question_code", "a question needs the assessment_id it belongs to"));
        }
        None => vendor_id.ok_or_else(|| ApiError::invalid("vendor_id", "give vendor_id or assessment_id"))?,
    };
    vendors::get_required(c, &vendor_id).map_err(|_| ApiError::invalid("vendor_id", "no such vendor"))?;
    Ok(vendor_id)
}

/// Raise a finding against a vendor, optionally from an assessment question.
#[utoipa::path(
    tag = "findings",
    request_body = CreateFinding,
    security(("bearer" = ["admin", "security"])),
    responses((status = 201, description = "Created", body = Finding), WriteErrors)
)]
#[post("/findings")]
pub async fn create_finding(
    state: web::Data<AppState>,
    who: Authorized<perm::FindingsWrite>,
    body: Json<CreateFinding>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let fields = b.fields();
    fields.validate()?;
    let vendor_id = id_field(&b.vendor_id, "vendor_id")?;
    let assessment_id = id_field(&b.assessment_id, "assessment_id")?;
    let question_code = b.question_code.map(|q| q.trim().to_string());
    let config = state.config.clone();
    let finding = state
        .db
        .write(move |c| {
            let vendor_id = resolve_subject(c, vendor_id, assessment_id.as_deref(), question_code.as_deref())?;
            let now = time::now();
            let mut row = FindingRow::new_open(vendor_id, assessment_id, question_code, &now);
            fields.apply_to(&mut row, &now)?;
            store::insert(c, &row)?;
            let f = Finding::try_from(row)?;
            audit::record(c, &who.0, Change::created(SUBJECT, &f.id, &f))?;
            crate::derived::refresh(c, &f.vendor_id, &who.0, &config)?;
            Ok(f)
        })
        .await?;
    let location = format!("/api/v1/findings/{}", finding.id);
    Ok(respond::created(&finding, finding.version, location))
}

/// List findings, filtered by vendor, assessment, severity, status or overdue.
#[utoipa::path(
    tag = "findings",
    params(FindingQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of findings", body = pagination::Page<Finding>), ReadErrors)
)]
#[get("/findings")]
pub async fn list_findings(
    state: web::Data<AppState>,
    _who: Authorized<perm::FindingsRead>,
    query: web::Query<FindingQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let (limit, after) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let filter = store::Filter {
        vendor_id: q.vendor_id.as_deref().map(|v| ids::parse(v, "vendor")).transpose()?,
        assessment_id: q.assessment_id.as_deref().map(|v| ids::parse(v, "assessment")).transpose()?,
        severity: q.severity,
        status: q.status,
        overdue: q.overdue.map(|o| (o, time::date_text(time::today()))),
    };
    let rows = state.db.read(move |c| store::list(c, filter, after, limit)).await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(rows, limit, |r| r.id.clone(), Finding::try_from)?))
}

/// Get a finding.
#[utoipa::path(
    tag = "findings",
    params(("finding_id" = String, Path, description = "Finding id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The finding", body = Finding), ReadErrors)
)]
#[get("/findings/{finding_id}")]
pub async fn get_finding(
    state: web::Data<AppState>,
    _who: Authorized<perm::FindingsRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "finding")?;
    let f = Finding::try_from(state.db.read(move |c| store::get_required(c, &id)).await?)?;
    Ok(respond::ok_with_etag(&f, f.version))
}

/// Update a finding: its fields, or its status (accepting a risk needs a justification and who approved it).
#[utoipa::path(
    tag = "findings",
    request_body = UpdateFinding,
    params(("finding_id" = String, Path, description = "Finding id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "security"])),
    responses((status = 200, description = "The updated finding", body = Finding), WriteErrors)
)]
#[patch("/findings/{finding_id}")]
pub async fn update_finding(
    state: web::Data<AppState>,
    who: Authorized<perm::FindingsWrite>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<UpdateFinding>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "finding")?;
    let expected = etag::if_match(&req)?;
    let patch = body.into_inner();
    let config = state.config.clone();
    let f = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            let before = Finding::try_from(row.clone())?;
            let fields = patch.apply(FindingFields::from_row(&row)?);
            fields.validate()?;
            let now = time::now();
            fields.apply_to(&mut row, &now)?;
            row.version += 1;
            row.updated_at = now;
            store::update(c, &row)?;
            let after = Finding::try_from(row)?;
            // Resolution is its own event, so integrations can close tickets on it.
            let action = if after.status == FindingStatus::Resolved && before.status != FindingStatus::Resolved {
                "resolved"
            } else {
                "updated"
            };
            audit::record(c, &who.0, Change::new(action, SUBJECT, &after.id, Some(&before), Some(&after)))?;
            crate::derived::refresh(c, &after.vendor_id, &who.0, &config)?;
            Ok(after)
        })
        .await?;
    Ok(respond::ok_with_etag(&f, f.version))
}
