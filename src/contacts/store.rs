use diesel::prelude::*;

use super::models::ContactRow;
use crate::{
    db::{schema::vendor_contacts as c, DbConn},
    error::ApiError,
};

pub fn get_required(conn: &mut DbConn, vendor_id: &str, id: &str) -> Result<ContactRow, ApiError> {
    c::table
        .filter(c::id.eq(id))
        .filter(c::vendor_id.eq(vendor_id))
        .first::<ContactRow>(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("contact", id))
}

fn duplicate_email(e: diesel::result::Error, email: &str) -> ApiError {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => {
            ApiError::Conflict(format!("this vendor already has a contact with email '{email}'"))
        }
        other => other.into(),
    }
}

pub fn insert(conn: &mut DbConn, row: &ContactRow) -> Result<(), ApiError> {
    diesel::insert_into(c::table).values(row).execute(conn).map_err(|e| duplicate_email(e, &row.email))?;
    Ok(())
}

pub fn update(conn: &mut DbConn, row: &ContactRow) -> Result<(), ApiError> {
    diesel::update(c::table.find(&row.id)).set(row).execute(conn).map_err(|e| duplicate_email(e, &row.email))?;
    Ok(())
}

pub fn delete(conn: &mut DbConn, id: &str) -> Result<(), ApiError> {
    diesel::delete(c::table.find(id)).execute(conn)?;
    Ok(())
}

/// In creation order (ids are UUIDv7), `limit + 1` rows after `after_id`.
pub fn list(
    conn: &mut DbConn,
    vendor_id: &str,
    after_id: Option<String>,
    limit: i64,
) -> Result<Vec<ContactRow>, ApiError> {
    let mut q = c::table.filter(c::vendor_id.eq(vendor_id)).into_boxed();
    if let Some(after) = after_id {
        q = q.filter(c::id.gt(after));
    }
    Ok(q.order(c::id.asc()).limit(limit + 1).load::<ContactRow>(conn)?)
}
