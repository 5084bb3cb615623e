use diesel::prelude::*;

use super::models::{TemplateDocument, TemplateRow, TemplateStatus};
use crate::{
    db::{schema::questionnaire_templates as t, DbConn},
    error::ApiError,
    rules::questionnaire::question_count,
    time,
};

pub fn get_required(conn: &mut DbConn, id: &str) -> Result<TemplateRow, ApiError> {
    t::table.find(id).first::<TemplateRow>(conn).optional()?.ok_or_else(|| ApiError::not_found("template", id))
}

/// The sections and questions of a template version.
pub fn sections(conn: &mut DbConn, id: &str) -> Result<Vec<crate::rules::questionnaire::Section>, ApiError> {
    Ok(get_required(conn, id)?.sections()?)
}

/// A published version, for assessments: drafts may still change, so nothing is sent from one.
pub fn get_published(conn: &mut DbConn, id: &str) -> Result<TemplateRow, ApiError> {
    let row = get_required(conn, id)?;
    if row.status()? != TemplateStatus::Published {
        return Err(ApiError::invalid("template_id", "the template version is a draft; publish it first"));
    }
    Ok(row)
}

fn one_draft(e: diesel::result::Error, key: &str) -> ApiError {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::Conflict(format!("template '{key}' already has a draft version; edit or delete that one"))
        }
        other => other.into(),
    }
}

/// A new draft version of `doc.key`: version 1 for a new key, else one past the latest.
pub fn insert_draft(conn: &mut DbConn, doc: &TemplateDocument) -> Result<TemplateRow, ApiError> {
    let latest: Option<i32> =
        t::table.filter(t::template_key.eq(&doc.key)).select(diesel::dsl::max(t::template_version)).first(conn)?;
    let now = time::now();
    let row = TemplateRow {
        id: crate::http::ids::new(),
        template_key: doc.key.clone(),
        template_version: latest.unwrap_or(0) + 1,
        title: doc.title.trim().to_string(),
        description: doc.description.clone(),
        status: TemplateStatus::Draft.as_str().into(),
        builtin: false,
        content: serde_json::to_string(&doc.sections).map_err(|e| ApiError::Internal(e.to_string()))?,
        question_count: question_count(&doc.sections) as i32,
        published_at: None,
        version: 1,
        created_at: now.clone(),
        updated_at: now,
    };
    diesel::insert_into(t::table).values(&row).execute(conn).map_err(|e| one_draft(e, &doc.key))?;
    Ok(row)
}

pub fn update(conn: &mut DbConn, row: &TemplateRow) -> Result<(), ApiError> {
    diesel::update(t::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: &str) -> Result<(), ApiError> {
    diesel::delete(t::table.find(id)).execute(conn)?;
    Ok(())
}

/// Newest first within a key, keys in order: (key, -version) is the sort; the cursor is the id
/// of the last row, looked up again for its sort key.
pub fn list(
    conn: &mut DbConn,
    key: Option<String>,
    status: Option<TemplateStatus>,
    after: Option<(String, i32)>,
    limit: i64,
) -> Result<Vec<TemplateRow>, ApiError> {
    let mut q = t::table.into_boxed();
    if let Some(k) = key {
        q = q.filter(t::template_key.eq(k));
    }
    if let Some(s) = status {
        q = q.filter(t::status.eq(s.as_str()));
    }
    if let Some((k, v)) = after {
        q = q.filter(t::template_key.gt(k.clone()).or(t::template_key.eq(k).and(t::template_version.lt(v))));
    }
    Ok(q.order((t::template_key.asc(), t::template_version.desc())).limit(limit + 1).load(conn)?)
}

/// Installs a built-in template as published version 1 unless its key already exists (a user
/// may have published later versions; those are left alone).
pub fn install_builtin(conn: &mut DbConn, doc: &TemplateDocument) -> Result<bool, ApiError> {
    let exists: i64 = t::table.filter(t::template_key.eq(&doc.key)).count().get_result(conn)?;
    if exists > 0 {
        return Ok(false);
    }
    let mut row = insert_draft(conn, doc)?;
    row.builtin = true;
    row.status = TemplateStatus::Published.as_str().into();
    row.published_at = Some(row.created_at.clone());
    update(conn, &row)?;
    Ok(true)
}
