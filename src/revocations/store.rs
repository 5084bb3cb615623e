use std::collections::HashMap;

use diesel::prelude::*;

use crate::{
    db::{schema::token_revocations as t, DbConn},
    error::ApiError,
};

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = t)]
pub struct RevocationRow {
    pub sub: String,
    pub not_before: String,
    pub revoked_by: String,
    pub revoked_at: String,
}

/// Records (or moves later) a subject's mark.
pub fn save(conn: &mut DbConn, row: &RevocationRow) -> Result<RevocationRow, ApiError> {
    let existing: Option<RevocationRow> = t::table.find(&row.sub).first(conn).optional()?;
    match existing {
        None => {
            diesel::insert_into(t::table).values(row).execute(conn)?;
            Ok(row.clone())
        }
        Some(old) if old.not_before >= row.not_before => Ok(old),
        Some(_) => {
            diesel::update(t::table.find(&row.sub)).set(row).execute(conn)?;
            Ok(row.clone())
        }
    }
}

/// Every mark, as seconds; a stored time that cannot be read is an error naming its row.
pub fn all(conn: &mut DbConn) -> Result<HashMap<String, i64>, ApiError> {
    let rows: Vec<RevocationRow> = t::table.load(conn)?;
    rows.into_iter()
        .map(|r| {
            let at = chrono::DateTime::parse_from_rfc3339(&r.not_before).map_err(|e| {
                ApiError::Internal(format!("token_revocations.not_before of row '{}' is not a time: {e}", r.sub))
            })?;
            Ok((r.sub, at.timestamp()))
        })
        .collect()
}

/// In subject order, after `after`, `limit + 1` rows.
pub fn list(conn: &mut DbConn, after: Option<String>, limit: i64) -> Result<Vec<RevocationRow>, ApiError> {
    let mut q = t::table.into_boxed();
    if let Some(a) = after {
        q = q.filter(t::sub.gt(a));
    }
    Ok(q.order(t::sub.asc()).limit(limit + 1).load(conn)?)
}
