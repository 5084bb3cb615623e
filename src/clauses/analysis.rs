//! Clause detection over a contract's text, and accepting a suggestion as a clause record.

use actix_web::{post, web, HttpResponse};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{
    models::{Clause, ClauseRow, ClauseStatus, Deadline},
    store,
};
use crate::{
    auth::{perm, Authorized},
    contracts::{models::Contract, store as contracts},
    error::{validate_all, ApiError, ApiResult, FieldError, WriteErrors},
    http::{ids, json::DocumentJson, json::Json, respond},
    rules::clause_detection::{self, Suggestion},
    state::AppState,
    time::{self, date_text},
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(analyze).service(accept);
}

/// The text to analyse; without `text`, the contract's stored `document_text` is used.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnalyzeRequest {
    pub text: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Analysis {
    pub contract_id: String,
    /// `document_text` or `request`.
    pub source: String,
    /// Suggestions only: accept one to make it a clause record. In text order, at most 500.
    pub suggestions: Vec<Suggestion>,
    /// How many suggestions the text gave in all.
    pub total_suggestions: usize,
    /// True when there were more than the 500 listed: the rest are counted, not returned (a real
    /// contract gives a few dozen).
    pub truncated: bool,
}

/// Suggest clauses from the contract's text.
///
/// Rule-based and deterministic; see `crates/oversee-rules/src/clause_detection.rs` for the cue lists. For the
/// roles that work on contracts and their clauses (admin, procurement, legal): analysing up to
/// 2 MiB of text is real work, and the other roles read the clauses legal recorded instead. Each
/// caller may run `OVERSEE_RATE_ANALYSES` (20) a minute, five at once; past that, 429.
#[utoipa::path(
    tag = "clauses",
    request_body = AnalyzeRequest,
    params(("id" = String, Path, description = "Contract id")),
    security(("bearer" = ["admin", "procurement", "legal"])),
    responses((status = 200, description = "Suggestions in text order", body = Analysis), WriteErrors)
)]
#[post("/contracts/{id}/analyze")]
pub async fn analyze(
    state: web::Data<AppState>,
    who: Authorized<perm::ContractsWrite>,
    path: web::Path<String>,
    body: DocumentJson<AnalyzeRequest>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path, "contract")?;
    if let Err(wait) = state.limits.analyses.hit(&who.0.sub, std::time::Instant::now()) {
        return Err(ApiError::TooManyRequests(
            "too many analyses from this caller; the text is read up to 2 MiB each time".into(),
            wait.as_secs().max(1),
        ));
    }
    let given = body.into_inner().text;
    if given.as_ref().is_some_and(|t| t.len() > crate::contracts::models::DOCUMENT_TEXT_MAX) {
        return Err(ApiError::invalid("text", "must be at most 2 MiB"));
    }
    let lookup = id.clone();
    let stored = state.db.read(move |c| Ok(contracts::get_required(c, &lookup)?.document_text)).await?;
    let (source, text) = match (given, stored) {
        (Some(t), _) => ("request", t),
        (None, Some(t)) => ("document_text", t),
        (None, None) => {
            return Err(ApiError::invalid("text", "the contract has no document_text; send the text to analyse"))
        }
    };
    // Matching a 2 MiB text is CPU work: keep it off the async workers.
    let found =
        web::block(move || clause_detection::analyze(&text)).await.map_err(|e| ApiError::Internal(e.to_string()))?;
    Ok(HttpResponse::Ok().json(Analysis {
        contract_id: id,
        source: source.into(),
        truncated: found.total > found.suggestions.len(),
        total_suggestions: found.total,
        suggestions: found.suggestions,
    }))
}

/// A suggestion legal accepts (the fields come back from `analyze`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptSuggestion {
    #[schema(max_length = 20000)]
    pub excerpt: String,
    pub start: Option<u64>,
    pub end: Option<u64>,
    pub confidence: Option<f64>,
    pub cue: Option<String>,
    pub deadline: Option<Deadline>,
    #[schema(max_length = 100)]
    pub section_ref: Option<String>,
    /// Default: the contract's `entered_on`.
    pub effective_from: Option<NaiveDate>,
}

/// Accept a suggestion: the clause is recorded as present, with the excerpt.
#[utoipa::path(
    tag = "clauses",
    request_body = AcceptSuggestion,
    params(("id" = String, Path, description = "Contract id"), ("clause_type" = String, Path, description = "Clause type key")),
    security(("bearer" = ["admin", "legal"])),
    responses((status = 200, description = "The clause as now recorded", body = Clause), WriteErrors)
)]
#[post("/contracts/{id}/clauses/{clause_type}/accept")]
pub async fn accept(
    state: web::Data<AppState>,
    who: Authorized<perm::ClausesWrite>,
    path: web::Path<(String, String)>,
    body: Json<AcceptSuggestion>,
) -> ApiResult<HttpResponse> {
    let id = ids::parse(&path.0, "contract")?;
    let key = path.1.clone();
    let s = body.into_inner();
    let mut errors = Vec::new();
    if s.excerpt.trim().is_empty() || s.excerpt.chars().count() > 20000 {
        errors.push(FieldError::new("excerpt", "1 to 20000 characters"));
    }
    if s.section_ref.as_ref().is_some_and(|r| r.chars().count() > 100) {
        errors.push(FieldError::new("section_ref", "at most 100 characters"));
    }
    if s.deadline.as_ref().is_some_and(|d| !d.is_valid()) {
        errors.push(FieldError::new("deadline", "amount 1 to 10000; unit hours, days or business_days"));
    }
    validate_all(Ok(()), errors)?;
    let config = state.config.clone();
    let clause = state
        .db
        .write(move |c| {
            let contract = Contract::from_row(contracts::get_required(c, &id)?, false)?;
            store::require_type(c, &key)?;
            let existing = store::get(c, &id, &key)?;
            let now = time::now();
            let mut note = String::from("Accepted from clause detection");
            if let Some(cue) = &s.cue {
                note.push_str(&format!("; cue: {cue}"));
            }
            if let Some(conf) = s.confidence {
                note.push_str(&format!("; confidence: {conf:.2}"));
            }
            if let (Some(a), Some(b)) = (s.start, s.end) {
                note.push_str(&format!("; characters {a}..{b}"));
            }
            let row = ClauseRow {
                contract_id: id.clone(),
                clause_type: key.clone(),
                status: ClauseStatus::Present.as_str().into(),
                effective_from: date_text(s.effective_from.unwrap_or(contract.entered_on)),
                effective_to: None,
                section_ref: s.section_ref.map(|r| r.trim().to_string()).filter(|r| !r.is_empty()),
                excerpt: Some(s.excerpt.trim().to_string()),
                notes: Some(note),
                deadline_amount: s.deadline.as_ref().map(|d| d.amount as i32),
                deadline_unit: s.deadline.map(|d| d.unit),
                verified_by: None,
                verified_at: None,
                version: existing.as_ref().map(|r| r.version).unwrap_or(0) + 1,
                created_at: existing.as_ref().map(|r| r.created_at.clone()).unwrap_or_else(|| now.clone()),
                updated_at: now,
            };
            let saved = store::save_audited(c, &who.0, "accepted", existing.map(Clause::try_from).transpose()?, row)?;
            crate::derived::refresh(c, &contract.vendor_id, &who.0, &config)?;
            Ok(saved)
        })
        .await?;
    Ok(respond::ok_with_etag(&clause, clause.version))
}
