//! What reviewers do with a submitted assessment: read the answers and files, accept or flag each
//! answer, see the score, and accept or reject the whole.

use actix_web::{get, post, put, web, HttpResponse};

use super::{
    evidence_files,
    models::{Answer, AnswerRow, Assessment, AssessmentScore, Decision, DecisionKind, ReviewAnswer},
    routes::{transition, SUBJECT},
    store, view,
};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{ids, json::Json, respond},
    rules::{assessment_lifecycle as lifecycle, assessment_lifecycle::Action, questionnaire},
    state::AppState,
    time,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_answers).service(review_answer).service(score).service(decide).service(download_evidence);
}

/// Every question of the assessment with its answer, review and files, in template order.
#[utoipa::path(
    tag = "assessments",
    params(("assessment_id" = String, Path, description = "Assessment id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The answers", body = Vec<Answer>), ReadErrors)
)]
#[get("/assessments/{assessment_id}/answers")]
pub async fn list_answers(
    state: web::Data<AppState>,
    _who: Authorized<perm::QuestionnairesRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "assessment")?;
    let answers = state
        .db
        .read_heavy(move |c| {
            let row = store::get_required(c, &id)?;
            Ok(view::load(c, row)?.answer_views()?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answers))
}

/// Accept or flag one answer, with a comment. The first review moves a submitted assessment to
/// `under_review`. A flagged answer earns no points.
#[utoipa::path(
    tag = "assessments",
    request_body = ReviewAnswer,
    params(("assessment_id" = String, Path, description = "Assessment id"),
        ("question_code" = String, Path, description = "Question code")),
    security(("bearer" = ["admin", "security"])),
    responses((status = 200, description = "The reviewed answer", body = Answer), WriteErrors)
)]
#[put("/assessments/{assessment_id}/answers/{question_code}/review")]
pub async fn review_answer(
    state: web::Data<AppState>,
    who: Authorized<perm::AssessmentsReview>,
    path: web::Path<(String, String)>,
    body: Json<ReviewAnswer>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path.0, "assessment")?;
    let code = path.1.clone();
    let review = body.into_inner();
    if review.status == questionnaire::ReviewStatus::Pending {
        return Err(ApiError::invalid("status", "a review is accepted or flagged"));
    }
    if review.comment.as_ref().is_some_and(|c| c.chars().count() > 4000) {
        return Err(ApiError::invalid("comment", "at most 4000 characters"));
    }
    let answer = state
        .db
        .write(move |c| {
            let mut row = store::get_required(c, &id)?;
            let loaded = view::load(c, row.clone())?;
            if questionnaire::find_question(&loaded.sections, &code).is_none() {
                return Err(ApiError::not_found("question", &code));
            }
            transition(&mut row, Action::Review)?;
            let now = time::now();
            let before = loaded.answers.iter().find(|a| a.question_code == code).cloned();
            let mut answer = before.clone().unwrap_or_else(|| AnswerRow {
                assessment_id: id.clone(),
                question_code: code.clone(),
                answer: None,
                comment: None,
                answered_at: now.clone(),
                review_status: String::new(),
                review_comment: None,
                reviewed_by: None,
                reviewed_at: None,
            });
            answer.review_status = review.status.as_str().into();
            answer.review_comment = review.comment.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
            answer.reviewed_by = Some(who.sub.clone());
            answer.reviewed_at = Some(now.clone());
            store::save_answer(c, &answer)?;
            if row.status()? != loaded.row.status()? {
                row.updated_at = now;
                row.version += 1;
                store::update(c, &row)?;
            }
            let files = loaded.evidence.into_iter().filter(|e| e.question_code == code).map(Into::into).collect();
            let before_view = before.map(|b| Answer::from_parts(code.clone(), Some(b), Vec::new())).transpose()?;
            let after = Answer::from_parts(code.clone(), Some(answer), files)?;
            let subject = format!("{id}/{code}");
            audit::record(
                c,
                &who.0,
                Change::new("reviewed", "assessment_answer", &subject, before_view.as_ref(), Some(&after)),
            )?;
            Ok(after)
        })
        .await?;
    Ok(HttpResponse::Ok().json(answer))
}

/// The score from the answers as they stand, per section and in total, with failed critical questions.
#[utoipa::path(
    tag = "assessments",
    params(("assessment_id" = String, Path, description = "Assessment id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The score", body = AssessmentScore), ReadErrors)
)]
#[get("/assessments/{assessment_id}/score")]
pub async fn score(
    state: web::Data<AppState>,
    _who: Authorized<perm::QuestionnairesRead>,
    path: web::Path<String>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "assessment")?;
    let result = state
        .db
        .read_heavy(move |c| {
            let row = store::get_required(c, &id)?;
            let loaded = view::load(c, row)?;
            Ok(AssessmentScore {
                assessment_id: loaded.row.id.clone(),
                status: loaded.row.status()?,
                report: loaded.score()?,
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(result))
}

/// Accept or reject the assessment. The score and the count of failed critical questions at this
/// moment are stored with the decision.
#[utoipa::path(
    tag = "assessments",
    request_body = Decision,
    params(("assessment_id" = String, Path, description = "Assessment id")),
    security(("bearer" = ["admin", "security"])),
    responses((status = 200, description = "The decided assessment", body = Assessment), WriteErrors)
)]
#[post("/assessments/{assessment_id}/decision")]
pub async fn decide(
    state: web::Data<AppState>,
    who: Authorized<perm::AssessmentsReview>,
    path: web::Path<String>,
    body: Json<Decision>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "assessment")?;
    let d = body.into_inner();
    let comment = d.comment.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    if d.decision == DecisionKind::Rejected && comment.is_none() {
        return Err(ApiError::invalid("comment", "say why the assessment is rejected"));
    }
    if comment.as_ref().is_some_and(|c| c.chars().count() > 4000) {
        return Err(ApiError::invalid("comment", "at most 4000 characters"));
    }
    let config = state.config.clone();
    let a = state
        .db
        .write(move |c| {
            let row = store::get_required(c, &id)?;
            let to =
                lifecycle::decide(row.status()?, d.decision == DecisionKind::Accepted).map_err(ApiError::Conflict)?;
            let loaded = view::load(c, row)?;
            let report = loaded.score()?;
            let mut row = loaded.row;
            let before = Assessment::try_from(row.clone())?;
            let now = time::now();
            row.status = to.as_str().into();
            row.decided_at = Some(now.clone());
            row.decided_by = Some(who.sub.clone());
            row.decision_comment = comment;
            row.score = report.total;
            row.critical_failures = Some(report.critical_failures.len() as i32);
            row.updated_at = now;
            row.version += 1;
            store::update(c, &row)?;
            let after = Assessment::try_from(row)?;
            audit::record(c, &who.0, Change::new(to.as_str(), SUBJECT, &after.id, Some(&before), Some(&after)))?;
            crate::derived::refresh(c, &after.vendor_id, &who.0, &config)?;
            Ok(after)
        })
        .await?;
    Ok(respond::ok_with_etag(&a, a.version))
}

/// Download an evidence file as the respondent sent it.
#[utoipa::path(
    tag = "assessments",
    params(("assessment_id" = String, Path, description = "Assessment id"),
        ("evidence_id" = String, Path, description = "Evidence id")),
    security(("bearer" = ["admin", "procurement", "legal", "security", "auditor", "integration"])),
    responses((status = 200, description = "The file", content_type = "application/octet-stream", body = crate::http::respond::Binary), ReadErrors)
)]
#[get("/assessments/{assessment_id}/evidence/{evidence_id}")]
pub async fn download_evidence(
    state: web::Data<AppState>,
    _who: Authorized<perm::QuestionnairesRead>,
    path: web::Path<(String, String)>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path.0, "assessment")?;
    let evidence_id = ids::parse(&path.1, "evidence")?;
    let (aid, eid) = (id.clone(), evidence_id.clone());
    let meta = state.db.read(move |c| store::evidence_item(c, &aid, &eid)).await?;
    let file = evidence_files::path(&state.config.data_dir, &id, &evidence_id);
    let bytes = web::block(move || std::fs::read(file))
        .await
        .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))?
        .map_err(|e| ApiError::Internal(format!("evidence {evidence_id} is recorded but unreadable: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type(meta.content_type)
        .insert_header(("Content-Disposition", format!("attachment; filename=\"{}\"", ascii_name(&meta.filename))))
        .insert_header(("X-Content-Type-Options", "nosniff"))
        .insert_header(("X-Content-SHA256", meta.sha256))
        .body(bytes))
}

/// Header values must be ASCII; the stored name keeps its original characters.
fn ascii_name(name: &str) -> String {
    name.chars().map(|c| if c.is_ascii_graphic() || c == ' ' { c } else { '_' }).collect()
}
