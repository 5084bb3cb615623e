use diesel::prelude::*;

use super::models::{AnswerRow, AssessmentRow, EvidenceRow};
use crate::{
    db::{
        schema::{assessment_answers as a, assessment_evidence as e, assessments as s},
        DbConn,
    },
    error::ApiError,
    rules::assessment_lifecycle::AssessmentStatus,
};

pub fn get_required(conn: &mut DbConn, id: &str) -> Result<AssessmentRow, ApiError> {
    s::table.find(id).first::<AssessmentRow>(conn).optional()?.ok_or_else(|| ApiError::not_found("assessment", id))
}

pub fn by_token_hash(conn: &mut DbConn, hash: &str) -> Result<Option<AssessmentRow>, ApiError> {
    Ok(s::table.filter(s::token_hash.eq(hash)).first::<AssessmentRow>(conn).optional()?)
}

pub fn insert(conn: &mut DbConn, row: &AssessmentRow) -> Result<(), ApiError> {
    diesel::insert_into(s::table).values(row).execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConn, row: &AssessmentRow) -> Result<(), ApiError> {
    diesel::update(s::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

/// Writes the row only if it is still at `version` (nobody changed it since it was read; on
/// PostgreSQL a concurrent writer's commit is waited for and then seen): returns whether it did.
pub fn update_unless_changed(conn: &mut DbConn, row: &AssessmentRow, version: i32) -> Result<bool, ApiError> {
    Ok(diesel::update(s::table.find(&row.id).filter(s::version.eq(version))).set(row).execute(conn)? == 1)
}

/// In creation order (ids are UUIDv7), `limit + 1` rows after `after_id`.
pub fn list(
    conn: &mut DbConn,
    vendor_id: Option<String>,
    status: Option<AssessmentStatus>,
    after_id: Option<String>,
    limit: i64,
) -> Result<Vec<AssessmentRow>, ApiError> {
    let mut q = s::table.into_boxed();
    if let Some(v) = vendor_id {
        q = q.filter(s::vendor_id.eq(v));
    }
    if let Some(st) = status {
        q = q.filter(s::status.eq(st.as_str()));
    }
    if let Some(after) = after_id {
        q = q.filter(s::id.gt(after));
    }
    Ok(q.order(s::id.asc()).limit(limit + 1).load(conn)?)
}

/// Sent or in-progress assessments whose link expired before `now`.
pub fn past_their_link(conn: &mut DbConn, now: &str) -> Result<Vec<AssessmentRow>, ApiError> {
    Ok(s::table
        .filter(s::status.eq_any([AssessmentStatus::Sent.as_str(), AssessmentStatus::InProgress.as_str()]))
        .filter(s::token_expires_at.le(now))
        .order(s::id.asc())
        .limit(1000)
        .load(conn)?)
}

pub fn answers(conn: &mut DbConn, assessment_id: &str) -> Result<Vec<AnswerRow>, ApiError> {
    Ok(a::table.filter(a::assessment_id.eq(assessment_id)).order(a::question_code.asc()).load(conn)?)
}

/// Inserts or replaces one answer. Writes are serialised per database (SQLite) or per
/// transaction (PostgreSQL), so update-then-insert is enough here.
pub fn save_answer(conn: &mut DbConn, row: &AnswerRow) -> Result<(), ApiError> {
    let updated = diesel::update(a::table.find((&row.assessment_id, &row.question_code))).set(row).execute(conn)?;
    if updated == 0 {
        diesel::insert_into(a::table).values(row).execute(conn).map_err(|e| match e {
            diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("the answer was saved by another request at the same time; try again".into())
            }
            other => other.into(),
        })?;
    }
    Ok(())
}

pub fn evidence(conn: &mut DbConn, assessment_id: &str) -> Result<Vec<EvidenceRow>, ApiError> {
    Ok(e::table.filter(e::assessment_id.eq(assessment_id)).order(e::id.asc()).load(conn)?)
}

pub fn evidence_item(conn: &mut DbConn, assessment_id: &str, id: &str) -> Result<EvidenceRow, ApiError> {
    e::table
        .filter(e::assessment_id.eq(assessment_id))
        .filter(e::id.eq(id))
        .first::<EvidenceRow>(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("evidence", id))
}

/// Takes the assessment's row lock until the transaction ends (a no-op update).
pub fn lock(conn: &mut DbConn, id: &str) -> Result<(), ApiError> {
    diesel::update(s::table.find(id)).set(s::id.eq(id)).execute(conn)?;
    Ok(())
}

/// How many files an assessment holds, and their bytes in all.
pub fn evidence_usage(conn: &mut DbConn, assessment_id: &str) -> Result<(i64, i64), ApiError> {
    let sizes: Vec<i64> = e::table.filter(e::assessment_id.eq(assessment_id)).select(e::size_bytes).load(conn)?;
    Ok((sizes.len() as i64, sizes.iter().sum()))
}

pub fn insert_evidence(conn: &mut DbConn, row: &EvidenceRow) -> Result<(), ApiError> {
    diesel::insert_into(e::table).values(row).execute(conn)?;
    Ok(())
}

pub fn delete_evidence(conn: &mut DbConn, id: &str) -> Result<(), ApiError> {
    diesel::delete(e::table.find(id)).execute(conn)?;
    Ok(())
}
