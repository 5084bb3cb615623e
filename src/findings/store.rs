use diesel::prelude::*;

use super::models::FindingRow;
use crate::{
    db::{schema::findings as f, DbConn},
    error::ApiError,
    rules::findings::{FindingStatus, Severity},
};

pub fn get_required(conn: &mut DbConn, id: &str) -> Result<FindingRow, ApiError> {
    f::table.find(id).first::<FindingRow>(conn).optional()?.ok_or_else(|| ApiError::not_found("finding", id))
}

pub fn insert(conn: &mut DbConn, row: &FindingRow) -> Result<(), ApiError> {
    diesel::insert_into(f::table).values(row).execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConn, row: &FindingRow) -> Result<(), ApiError> {
    diesel::update(f::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

pub struct Filter {
    pub vendor_id: Option<String>,
    pub assessment_id: Option<String>,
    pub severity: Option<Severity>,
    pub status: Option<FindingStatus>,
    /// With `today` (YYYY-MM-DD): only overdue (true) or only not overdue (false).
    pub overdue: Option<(bool, String)>,
}

const OPEN: [&str; 3] = ["open", "in_progress", "awaiting_verification"];

/// In creation order (ids are UUIDv7), `limit + 1` rows after `after_id`.
pub fn list(
    conn: &mut DbConn,
    filter: Filter,
    after_id: Option<String>,
    limit: i64,
) -> Result<Vec<FindingRow>, ApiError> {
    let mut q = f::table.into_boxed();
    if let Some(v) = filter.vendor_id {
        q = q.filter(f::vendor_id.eq(v));
    }
    if let Some(a) = filter.assessment_id {
        q = q.filter(f::assessment_id.eq(a));
    }
    if let Some(s) = filter.severity {
        q = q.filter(f::severity.eq(s.as_str()));
    }
    if let Some(s) = filter.status {
        q = q.filter(f::status.eq(s.as_str()));
    }
    match filter.overdue {
        Some((true, today)) => q = q.filter(f::status.eq_any(OPEN)).filter(f::due_on.lt(today)),
        Some((false, today)) => {
            q = q.filter(f::status.ne_all(OPEN).or(f::due_on.is_null()).or(f::due_on.ge(today)));
        }
        None => {}
    }
    if let Some(after) = after_id {
        q = q.filter(f::id.gt(after));
    }
    Ok(q.order(f::id.asc()).limit(limit + 1).load(conn)?)
}
