use std::collections::HashMap;

use actix_web::{delete, get, http::header, post, put, web, HttpRequest, HttpResponse};
use serde_json::json;

use super::{
    models::{PortalAnswer, PortalSection, PortalView, SaveAnswers, UploadQuery},
    session::{Authenticated, PortalSession},
};
use crate::{
    assessments::{
        evidence_files,
        models::{AnswerRow, AssessmentRow, Evidence, EvidenceRow},
        routes::{transition, SUBJECT},
        store, view,
    },
    audit::store::{self as audit, Change},
    db::{stored::Row, DbConn},
    error::{ApiError, ApiResult, FieldError, ReadErrors, WriteErrors},
    http::{ids, json::Json},
    rules::{
        assessment_lifecycle::{Action, AssessmentStatus},
        questionnaire::{self, ReviewStatus},
    },
    state::AppState,
    time,
    vendors::store as vendors,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(portal_view).service(save_answers).service(upload_evidence).service(delete_evidence).service(submit);
}

const MAX_COMMENT: usize = 4000;

fn portal_view_of(c: &mut DbConn, row: AssessmentRow) -> Result<PortalView, ApiError> {
    let vendor_name = vendors::get_required(c, &row.vendor_id)?.name;
    let loaded = view::load(c, row)?;
    let report = loaded.score()?;
    let answers = loaded
        .answer_views()?
        .into_iter()
        .map(|a| PortalAnswer {
            question_code: a.question_code,
            answer: a.answer,
            comment: a.comment,
            answered_at: a.answered_at,
            evidence: a.evidence,
        })
        .collect();
    let status = loaded.row.status()?;
    Ok(PortalView {
        assessment_id: loaded.row.id.clone(),
        vendor_name,
        status,
        due_on: Row::new("assessments", &loaded.row.id).date("due_on", &loaded.row.due_on)?,
        link_expires_at: loaded.row.token_expires_at.clone(),
        locked: !matches!(status, AssessmentStatus::Sent | AssessmentStatus::InProgress),
        title: loaded.template.title.clone(),
        sections: loaded.sections.iter().map(PortalSection::from).collect(),
        answers,
        unanswered_required: report.unanswered_required,
    })
}

/// Reloads the assessment inside the write transaction and moves it to the state `action` leads to:
/// the session's copy may be stale (submitted in another tab).
fn begin(c: &mut DbConn, session_row: &AssessmentRow, action: Action) -> Result<AssessmentRow, ApiError> {
    // Locked first (on PostgreSQL; SQLite writes one at a time): two uploads or saves at once
    // read and count one after the other, and `touch` never writes back a stale row.
    store::lock(c, &session_row.id)?;
    let mut row = store::get_required(c, &session_row.id)?;
    if row.token_hash != session_row.token_hash || row.token_revoked_at.is_some() {
        return Err(ApiError::Unauthorized("the link was revoked or replaced by a newer invitation".into()));
    }
    let was = row.status()?;
    transition(&mut row, action).map_err(|e| match was {
        AssessmentStatus::Submitted
        | AssessmentStatus::UnderReview
        | AssessmentStatus::Accepted
        | AssessmentStatus::Rejected => {
            ApiError::Conflict("the questionnaire was submitted; answers are locked".into())
        }
        _ => e,
    })?;
    Ok(row)
}

/// Stores the assessment after a respondent's change: a new version, so staff edits based on an
/// older read get 412.
fn touch(c: &mut DbConn, mut row: AssessmentRow) -> Result<(), ApiError> {
    row.version += 1;
    row.updated_at = time::now();
    store::update(c, &row)
}

/// The questionnaire, the answers so far, and what is still required.
#[utoipa::path(
    tag = "portal",
    security(("respondent_token" = [])),
    responses((status = 200, description = "The questionnaire and answers", body = PortalView), ReadErrors)
)]
#[get("/portal/assessment")]
pub async fn portal_view(state: web::Data<AppState>, session: PortalSession) -> ApiResult<HttpResponse> {
    let v = state.db.read_heavy(move |c| portal_view_of(c, session.assessment)).await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Save answers; call as often as you like, over as many sittings as you need, until you submit.
#[utoipa::path(
    tag = "portal",
    request_body = SaveAnswers,
    security(("respondent_token" = [])),
    responses((status = 200, description = "The questionnaire with the answers saved", body = PortalView), WriteErrors)
)]
#[put("/portal/answers")]
pub async fn save_answers(
    state: web::Data<AppState>,
    call: Authenticated<Json<SaveAnswers>>,
) -> ApiResult<HttpResponse> {
    let Authenticated { session, inner: body } = call;
    let input = body.into_inner().answers;
    if input.is_empty() || input.len() > 500 {
        return Err(ApiError::invalid("answers", "1 to 500 answers per call"));
    }
    let v = state
        .db
        .write(move |c| {
            let row = begin(c, &session.assessment, Action::Answer)?;
            let sections = crate::questionnaires::store::sections(c, &row.template_id)?;
            let mut errors = Vec::new();
            let mut seen = HashMap::new();
            for (i, a) in input.iter().enumerate() {
                let at = |f: &str| format!("answers[{i}].{f}");
                let Some(q) = questionnaire::find_question(&sections, &a.question_code) else {
                    errors.push(FieldError::new(at("question_code"), format!("no question '{}'", a.question_code)));
                    continue;
                };
                if let Some(first) = seen.insert(a.question_code.as_str(), i) {
                    errors.push(FieldError::new(at("question_code"), format!("already given at answers[{first}]")));
                }
                if !a.answer.is_null() {
                    if let Some(p) = questionnaire::answer_problem(q, &a.answer) {
                        errors.push(FieldError::new(at("answer"), p));
                    }
                }
                if a.comment.as_ref().is_some_and(|c| c.chars().count() > MAX_COMMENT) {
                    errors.push(FieldError::new(at("comment"), format!("at most {MAX_COMMENT} characters")));
                }
            }
            ApiError::unless_empty(errors)?;
            let now = time::now();
            for a in &input {
                store::save_answer(
                    c,
                    &AnswerRow {
                        assessment_id: row.id.clone(),
                        question_code: a.question_code.clone(),
                        answer: (!a.answer.is_null()).then(|| a.answer.to_string()),
                        comment: a.comment.as_ref().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
                        answered_at: now.clone(),
                        review_status: ReviewStatus::Pending.as_str().into(),
                        review_comment: None,
                        reviewed_by: None,
                        reviewed_at: None,
                    },
                )?;
            }
            let codes: Vec<&str> = input.iter().map(|a| a.question_code.as_str()).collect();
            audit::record(
                c,
                &session.principal,
                Change::new("answered", SUBJECT, &row.id, None, Some(&json!({"questions": codes}))),
            )?;
            touch(c, row.clone())?;
            let fresh = store::get_required(c, &row.id)?;
            portal_view_of(c, fresh)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}

/// Attach a file to a question: send the bytes as the body with their Content-Type (PDF, image,
/// text, CSV, Office document, ZIP or JSON). Its SHA-256 is recorded as received.
#[utoipa::path(
    tag = "portal",
    params(UploadQuery),
    // The spec names one accepted type (text/plain) so generic clients and fuzzers can build a
    // request; the description lists them all.
    request_body(content = Vec<u8>, content_type = "text/plain", description = "The file's bytes, sent with its own \
        Content-Type: application/pdf, image/png, image/jpeg, text/plain, text/csv, application/zip, application/json, \
        or an Office Open XML document (docx, xlsx, pptx)."),
    security(("respondent_token" = [])),
    responses((status = 201, description = "Stored", body = Evidence), WriteErrors)
)]
#[post("/portal/evidence")]
pub async fn upload_evidence(
    state: web::Data<AppState>,
    req: HttpRequest,
    call: Authenticated<(web::Query<UploadQuery>, web::Payload)>,
) -> ApiResult<HttpResponse> {
    let Authenticated { session, inner: (query, payload) } = call;
    let content_type =
        evidence_files::allowed_type(req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()))?;
    let UploadQuery { question_code, filename } = query.into_inner();
    let filename = evidence_files::clean_filename(&filename)?;
    let quota = Quota::of(&state.config);
    // Before a byte is read: the questionnaire takes answers, the question exists, and the quotas
    // leave room for this file.
    let (check_row, code) = (session.assessment.clone(), question_code.clone());
    let room = state
        .db
        .read(move |c| {
            let assessment = begin(c, &check_row, Action::Answer)?;
            require_question(c, &assessment.template_id, &code)?;
            quota.room(store::evidence_usage(c, &assessment.id)?)
        })
        .await?;
    let declared = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()?.parse::<u64>().ok());
    if let Some(n) = declared.filter(|n| *n > room) {
        return Err(quota.too_large(n, room));
    }
    let id = ids::new();
    let target = evidence_files::path(&state.config.data_dir, &session.assessment.id, &id);
    let received =
        evidence_files::write_stream(&target, payload.into_inner(), room, || quota.too_large(room + 1, room)).await?;
    if received.size == 0 {
        let _ = std::fs::remove_file(&target);
        return Err(ApiError::invalid("body", "the file is empty"));
    }
    let row = EvidenceRow {
        id,
        assessment_id: session.assessment.id.clone(),
        question_code,
        filename,
        content_type,
        size_bytes: received.size as i64,
        sha256: received.sha256,
        created_at: time::now(),
    };
    let stored = state
        .db
        .write(move |c| {
            // Again, in the transaction that records it: another upload may have come first.
            let assessment = begin(c, &session.assessment, Action::Answer)?;
            require_question(c, &assessment.template_id, &row.question_code)?;
            let room = quota.room(store::evidence_usage(c, &assessment.id)?)?;
            if row.size_bytes as u64 > room {
                return Err(quota.too_large(row.size_bytes as u64, room));
            }
            store::insert_evidence(c, &row)?;
            let e = Evidence::from(row);
            audit::record(
                c,
                &session.principal,
                Change::new("evidence_added", SUBJECT, &assessment.id, None, Some(&e)),
            )?;
            touch(c, assessment)?;
            Ok(e)
        })
        .await;
    // Nothing refers to the file unless the row committed.
    if stored.is_err() {
        let _ = std::fs::remove_file(&target);
    }
    let e = stored?;
    Ok(HttpResponse::Created().insert_header((header::LOCATION, "/api/v1/portal/assessment")).json(e))
}

fn require_question(c: &mut DbConn, template_id: &str, code: &str) -> Result<(), ApiError> {
    let sections = crate::questionnaires::store::sections(c, template_id)?;
    if questionnaire::find_question(&sections, code).is_none() {
        return Err(ApiError::invalid("question_code", &format!("no question '{code}'")));
    }
    Ok(())
}

/// What one assessment may hold: files of at most `file_bytes` each, `files` of them, `total_bytes`
/// in all (`OVERSEE_EVIDENCE_MAX_BYTES`, `OVERSEE_EVIDENCE_MAX_FILES`, `OVERSEE_EVIDENCE_MAX_TOTAL_BYTES`).
#[derive(Clone, Copy)]
struct Quota {
    file_bytes: u64,
    files: i64,
    total_bytes: u64,
}

impl Quota {
    fn of(config: &crate::config::Config) -> Quota {
        Quota {
            file_bytes: config.evidence_max_bytes as u64,
            files: config.evidence_max_files as i64,
            total_bytes: config.evidence_max_total_bytes,
        }
    }

    /// The most the next file may hold, given the files already there; an error when no file fits.
    fn room(self, (count, bytes): (i64, i64)) -> Result<u64, ApiError> {
        if count >= self.files {
            return Err(ApiError::Conflict(format!(
                "this questionnaire already holds {count} files, the most it may; remove one to attach another"
            )));
        }
        let left = self.total_bytes.saturating_sub(bytes.max(0) as u64);
        if left == 0 {
            return Err(ApiError::PayloadTooLarge(format!(
                "this questionnaire's files already take {bytes} bytes, the most it may hold ({})",
                self.total_bytes
            )));
        }
        Ok(left.min(self.file_bytes))
    }

    fn too_large(self, size: u64, room: u64) -> ApiError {
        if room < self.file_bytes {
            ApiError::PayloadTooLarge(format!(
                "the file is over {room} bytes, what is left of this questionnaire's {} bytes for files",
                self.total_bytes
            ))
        } else {
            ApiError::PayloadTooLarge(format!("the file is {size} bytes or more; evidence may be at most {room}"))
        }
    }
}

/// Remove a file you attached, before you submit.
#[utoipa::path(
    tag = "portal",
    params(("evidence_id" = String, Path, description = "Evidence id")),
    security(("respondent_token" = [])),
    responses((status = 204, description = "Removed"), WriteErrors)
)]
#[delete("/portal/evidence/{evidence_id}")]
pub async fn delete_evidence(
    state: web::Data<AppState>,
    call: Authenticated<web::Path<String>>,
) -> ApiResult<HttpResponse> {
    let Authenticated { session, inner: path } = call;
    let evidence_id = ids::parse(&path, "evidence")?;
    let assessment_id = session.assessment.id.clone();
    let eid = evidence_id.clone();
    state
        .db
        .write(move |c| {
            let assessment = begin(c, &session.assessment, Action::Answer)?;
            let e = Evidence::from(store::evidence_item(c, &assessment.id, &eid)?);
            store::delete_evidence(c, &eid)?;
            audit::record(
                c,
                &session.principal,
                Change::new("evidence_removed", SUBJECT, &assessment.id, Some(&e), None),
            )?;
            touch(c, assessment)
        })
        .await?;
    // After the commit: a failure here leaves an orphan file, never a row without its file.
    let _ = std::fs::remove_file(evidence_files::path(&state.config.data_dir, &assessment_id, &evidence_id));
    Ok(HttpResponse::NoContent().finish())
}

/// Submit the answers for review. Every required question must be answered; afterwards the
/// answers are locked.
#[utoipa::path(
    tag = "portal",
    security(("respondent_token" = [])),
    responses((status = 200, description = "Submitted", body = PortalView), WriteErrors)
)]
#[post("/portal/submit")]
pub async fn submit(state: web::Data<AppState>, session: PortalSession) -> ApiResult<HttpResponse> {
    let config = state.config.clone();
    let v = state
        .db
        .write(move |c| {
            let mut row = begin(c, &session.assessment, Action::Submit)?;
            let missing = view::load(c, row.clone())?.score()?.unanswered_required;
            if !missing.is_empty() {
                let errors = missing
                    .into_iter()
                    .map(|code| FieldError::new(format!("answers.{code}"), "required, not answered yet"))
                    .collect();
                return Err(ApiError::Validation(errors));
            }
            let before = crate::assessments::models::Assessment::try_from(session.assessment.clone())?;
            let now = time::now();
            row.submitted_at = Some(now.clone());
            row.updated_at = now;
            row.version += 1;
            store::update(c, &row)?;
            let after = crate::assessments::models::Assessment::try_from(row.clone())?;
            audit::record(
                c,
                &session.principal,
                Change::new("submitted", SUBJECT, &row.id, Some(&before), Some(&after)),
            )?;
            // Submitted: no longer due back, so its reminders stop.
            crate::reminders::planner::replan_vendor(c, &row.vendor_id, &config)?;
            portal_view_of(c, row)
        })
        .await?;
    Ok(HttpResponse::Ok().json(v))
}
