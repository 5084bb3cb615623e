use actix_web::{get, patch, post, web, HttpRequest, HttpResponse};

use super::{
    models::{
        Assessment, AssessmentQuery, AssessmentRow, CreateAssessment, MailOutcome, MailStatus, Sent, UpdateAssessment,
    },
    store, tokens,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    db::stored::Row,
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{etag, ids, json::Json, pagination, respond},
    mail::Mail,
    questionnaires::store as templates,
    rules::assessment_lifecycle::{self as lifecycle, Action, AssessmentStatus},
    state::AppState,
    time,
    vendors::store as vendors,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(create_assessment)
        .service(list_vendor_assessments)
        .service(list_assessments)
        .service(get_assessment)
        .service(update_assessment)
        .service(send_assessment)
        .service(revoke_link);
}

pub const SUBJECT: &str = "assessment";

/// Moves an assessment to the state `action` leads to, or 409 saying why it cannot.
pub fn transition(row: &mut AssessmentRow, action: Action) -> Result<(), ApiError> {
    let to = lifecycle::next(row.status()?, action).map_err(ApiError::Conflict)?;
    row.status = to.as_str().to_string();
    Ok(())
}

/// Start an assessment of a vendor with a published template version (a draft until sent).
#[utoipa::path(
    tag = "assessments",
    request_body = CreateAssessment,
    params(("vendor_id" = String, Path, description = "Vendor id")),
    security(("bearer" = ["admin", "procurement", "security"])),
    responses((status = 201, description = "Created", body = Assessment), WriteErrors)
)]
#[post("/vendors/{vendor_id}/assessments")]
pub async fn create_assessment(
    state: web::Data<AppState>,
    who: Authorized<perm::AssessmentsWrite>,
    path: web::Path<String>,
    body: Json<CreateAssessment>,
) -> ApiResult<HttpResponse> {
    let vendor_id = ids::parse(&path, "vendor")?;
    let b = body.into_inner();
    b.validate()?;
    let max_due_days = state.config.max_due_days;
    let template_id = uuid::Uuid::parse_str(&b.template_id)
        .map(|u| u.hyphenated().to_string())
        .map_err(|_| ApiError::invalid("template_id", "not a template id"))?;
    let assessment = state
        .db
        .write(move |c| {
            let vendor = vendors::get_required(c, &vendor_id)?;
            if vendor.archived_at.is_some() {
                return Err(ApiError::Archived("the vendor is archived; no new assessments are started for it".into()));
            }
            if let Some(p) = lifecycle::too_far_ahead(b.due_on, time::today(), max_due_days) {
                return Err(ApiError::invalid("due_on", &p));
            }
            templates::get_published(c, &template_id).map_err(|e| match e {
                ApiError::NotFound(m) => ApiError::invalid("template_id", &m),
                other => other,
            })?;
            let now = time::now();
            let row = AssessmentRow {
                id: ids::new(),
                vendor_id,
                template_id,
                status: AssessmentStatus::Draft.as_str().into(),
                due_on: time::date_text(b.due_on),
                respondent_name: b.respondent_name.trim().to_string(),
                respondent_email: b.respondent_email.trim().to_string(),
                token_hash: None,
                token_expires_at: None,
                token_revoked_at: None,
                sent_at: None,
                submitted_at: None,
                decided_at: None,
                decided_by: None,
                decision_comment: None,
                score: None,
                critical_failures: None,
                version: 1,
                created_at: now.clone(),
                updated_at: now,
            };
            store::insert(c, &row)?;
            let a = Assessment::try_from(row)?;
            audit::record(c, &who.0, Change::created(SUBJECT, &a.id, &a))?;
            Ok(a)
        })
        .await?;
    let location = format!("/api/v1/assessments/{}", assessment.id);
    Ok(respond::created(&assessment, assessment.version, location))
}

/// List a vendor's assessments, oldest first.
#[utoipa::path(
    tag = "assessments",
    params(("vendor_id" = String, Path, description = "Vendor id"), pagination::PageQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of assessments", body = pagination::Page<Assessment>), ReadErrors)
)]
#[get("/vendors/{vendor_id}/assessments")]
pub async fn list_vendor_assessments(
    state: web::Data<AppState>,
    _who: Authorized<perm::QuestionnairesRead>,
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
            store::list(c, Some(vendor_id), None, after, limit)
        })
        .await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(rows, limit, |r| r.id.clone(), Assessment::try_from)?))
}

/// List assessments across vendors, by status.
#[utoipa::path(
    tag = "assessments",
    params(AssessmentQuery),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "A page of assessments", body = pagination::Page<Assessment>), ReadErrors)
)]
#[get("/assessments")]
pub async fn list_assessments(
    state: web::Data<AppState>,
    _who: Authorized<perm::QuestionnairesRead>,
    query: web::Query<AssessmentQuery>,
) -> ApiResult<HttpResponse> {
    let q = query.into_inner();
    let (limit, after) = pagination::window::<String>(q.limit, q.cursor.as_deref())?;
    let vendor_id = q.vendor_id.as_deref().map(|v| ids::parse(v, "vendor")).transpose()?;
    let rows = state.db.read(move |c| store::list(c, vendor_id, q.status, after, limit)).await?;
    Ok(HttpResponse::Ok().json(pagination::try_page(rows, limit, |r| r.id.clone(), Assessment::try_from)?))
}

/// Get an assessment.
#[utoipa::path(
    tag = "assessments",
    params(("assessment_id" = String, Path, description = "Assessment id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The assessment", body = Assessment), ReadErrors)
)]
#[get("/assessments/{assessment_id}")]
pub async fn get_assessment(
    state: web::Data<AppState>,
    _who: Authorized<perm::QuestionnairesRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "assessment")?;
    let a = Assessment::try_from(state.db.read(move |c| store::get_required(c, &id)).await?)?;
    Ok(respond::ok_with_etag(&a, a.version))
}

/// Change the due date or the respondent before the vendor submits.
///
/// A new respondent email revokes the link sent to the old one (send again for a new link). The
/// due date is at most `OVERSEE_MAX_DUE_DAYS` (365) days ahead, and today or later when sent.
#[utoipa::path(
    tag = "assessments",
    request_body = UpdateAssessment,
    params(("assessment_id" = String, Path, description = "Assessment id"),
        ("If-Match" = Option<String>, Header, description = "The ETag last read")),
    security(("bearer" = ["admin", "procurement", "security"])),
    responses((status = 200, description = "The updated assessment", body = Assessment), WriteErrors)
)]
#[patch("/assessments/{assessment_id}")]
pub async fn update_assessment(
    state: web::Data<AppState>,
    who: Authorized<perm::AssessmentsWrite>,
    req: HttpRequest,
    path: web::Path<String>,
    body: Json<UpdateAssessment>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "assessment")?;
    let expected = etag::if_match(&req)?;
    let patch = body.into_inner();
    let config = state.config.clone();
    let a = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            etag::check(&expected, row.version)?;
            transition(&mut row, Action::Edit)?;
            let before = Assessment::try_from(row.clone())?;
            if let Some(p) = patch.due_on.and_then(|d| lifecycle::too_far_ahead(d, time::today(), config.max_due_days))
            {
                return Err(ApiError::invalid("due_on", &p));
            }
            let old_email = row.respondent_email.clone();
            patch.apply(&mut row)?;
            let now = time::now();
            // The link was mailed to the old address: whoever holds it there may no longer answer.
            if !row.respondent_email.eq_ignore_ascii_case(&old_email)
                && row.token_hash.is_some()
                && row.token_revoked_at.is_none()
            {
                row.token_revoked_at = Some(now.clone());
            }
            row.version += 1;
            row.updated_at = now;
            store::update(c, &row)?;
            let after = Assessment::try_from(row)?;
            audit::record(c, &who.0, Change::updated(SUBJECT, &after.id, &before, &after))?;
            crate::reminders::planner::replan_vendor(c, &after.vendor_id, &config)?;
            Ok(after)
        })
        .await?;
    Ok(respond::ok_with_etag(&a, a.version))
}

fn invitation(state: &AppState, row: &AssessmentRow, vendor_name: &str, token: &str, portal_url: &str) -> Mail {
    Mail {
        to_name: row.respondent_name.clone(),
        to_email: row.respondent_email.clone(),
        subject: format!("Security questionnaire for {vendor_name}, due {}", row.due_on),
        text: format!(
            "Hello {name},\n\n\
             We ask {vendor_name} to answer a security questionnaire by {due}. You can answer over several \
             sittings; your answers are saved as you go, and nothing is final until you submit.\n\n\
             Portal: {portal_url}\n\
             Your access token, sent as 'Authorization: Bearer <token>':\n\n{token}\n\n\
             The token works only for this questionnaire and until {expires}. Keep it private; if it leaks, \
             ask us for a new one.\n\n\
             API description: {base}/docs/\n",
            name = row.respondent_name,
            due = row.due_on,
            expires = row.token_expires_at.as_deref().unwrap_or(""),
            base = state.config.public_url,
        ),
    }
}

/// Send the assessment to the respondent: mints a link valid until the due date plus the grace
/// period, revokes any earlier link, and mails it. The token is in this response once.
#[utoipa::path(
    tag = "assessments",
    params(("assessment_id" = String, Path, description = "Assessment id")),
    security(("bearer" = ["admin", "procurement", "security"])),
    responses((status = 200, description = "Sent; the token is shown this once", body = Sent), WriteErrors)
)]
#[post("/assessments/{assessment_id}/send")]
pub async fn send_assessment(
    state: web::Data<AppState>,
    who: Authorized<perm::AssessmentsWrite>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "assessment")?;
    let grace = state.config.respondent_grace_days;
    let config = state.config.clone();
    let (row, vendor_name, token) = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            let due = Row::new("assessments", &row.id).date("due_on", &row.due_on)?;
            if let Some(p) = lifecycle::due_date_problem(due, time::today(), config.max_due_days) {
                return Err(ApiError::invalid("due_on", &format!("{p} (PATCH the assessment first)")));
            }
            transition(&mut row, Action::Send)?;
            let vendor = vendors::get_required(c, &row.vendor_id)?;
            let before = Assessment::try_from(row.clone())?;
            let (token, hash) = tokens::mint()?;
            let now = time::now();
            row.token_hash = Some(hash);
            row.token_expires_at = Some(time::format(lifecycle::token_expires_at(due, grace)));
            row.token_revoked_at = None;
            row.sent_at = Some(now.clone());
            row.updated_at = now;
            row.version += 1;
            store::update(c, &row)?;
            let after = Assessment::try_from(row.clone())?;
            audit::record(c, &who.0, Change::new("sent", SUBJECT, &row.id, Some(&before), Some(&after)))?;
            crate::reminders::planner::replan_vendor(c, &row.vendor_id, &config)?;
            Ok((row, vendor.name, token))
        })
        .await?;
    // The invitation carries the token, which is never stored; so it is mailed right after the
    // commit rather than through the outbox, and its outcome is reported here.
    let portal_url = format!("{}/api/v1/portal/assessment", state.config.public_url);
    let mail = invitation(&state, &row, &vendor_name, &token, &portal_url);
    let outcome = state.mailer.send(&mail).await;
    if let Err(e) = &outcome {
        tracing::warn!(assessment = %row.id, error = %e, "the assessment invitation was not mailed");
    }
    let sent = Sent {
        expires_at: row.token_expires_at.clone().unwrap_or_default(),
        mail: MailOutcome {
            to: row.respondent_email.clone(),
            status: if outcome.is_ok() { MailStatus::Sent } else { MailStatus::Failed },
            error: outcome.err(),
        },
        assessment: Assessment::try_from(row)?,
        respondent_token: token,
        portal_url,
    };
    Ok(respond::secret(HttpResponse::Ok()).json(sent))
}

/// Revoke the respondent's link at once (a leaked mail, a change of contact). Send again for a new one.
#[utoipa::path(
    tag = "assessments",
    params(("assessment_id" = String, Path, description = "Assessment id")),
    security(("bearer" = ["admin", "procurement", "security"])),
    responses((status = 200, description = "The assessment, its link revoked", body = Assessment), WriteErrors)
)]
#[post("/assessments/{assessment_id}/revoke-link")]
pub async fn revoke_link(
    state: web::Data<AppState>,
    who: Authorized<perm::AssessmentsWrite>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "assessment")?;
    let a = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            if row.token_hash.is_none() || row.token_revoked_at.is_some() {
                return Err(ApiError::Conflict("the assessment has no active link to revoke".into()));
            }
            let before = Assessment::try_from(row.clone())?;
            let now = time::now();
            row.token_revoked_at = Some(now.clone());
            row.updated_at = now;
            row.version += 1;
            store::update(c, &row)?;
            let after = Assessment::try_from(row)?;
            audit::record(c, &who.0, Change::new("link_revoked", SUBJECT, &after.id, Some(&before), Some(&after)))?;
            Ok(after)
        })
        .await?;
    Ok(respond::ok_with_etag(&a, a.version))
}
