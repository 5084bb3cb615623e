use diesel::prelude::*;

use super::models::ContractRow;
use crate::{
    db::{schema::contracts as c, DbConn},
    error::ApiError,
};

/// A contract that has not been deleted.
pub fn get_required(conn: &mut DbConn, id: &str) -> Result<ContractRow, ApiError> {
    crate::on_backend!(conn, |cn| c::table
        .find(id)
        .filter(c::deleted_at.is_null())
        .first::<ContractRow>(cn)
        .optional())?
    .ok_or_else(|| ApiError::not_found("contract", id))
}

pub fn insert(conn: &mut DbConn, row: &ContractRow) -> Result<(), ApiError> {
    diesel::insert_into(c::table).values(row).execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConn, row: &ContractRow) -> Result<(), ApiError> {
    diesel::update(c::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

/// A vendor's contracts in creation order, `limit + 1` rows after `after_id`. The document text
/// is left out of list queries: it can be megabytes per row.
pub fn list_for_vendor(
    conn: &mut DbConn,
    vendor_id: &str,
    status: Option<String>,
    after_id: Option<String>,
    limit: i64,
) -> Result<Vec<ContractRow>, ApiError> {
    let mut q = c::table.filter(c::vendor_id.eq(vendor_id)).filter(c::deleted_at.is_null()).into_boxed();
    if let Some(s) = status {
        q = q.filter(c::status.eq(s));
    }
    if let Some(a) = after_id {
        q = q.filter(c::id.gt(a));
    }
    let rows = q.order(c::id.asc()).limit(limit + 1).select(without_document()).load::<ContractRow>(conn)?;
    Ok(rows)
}

/// All columns, with `document_text` replaced by an empty marker when a text exists, so lists can
/// say `has_document` without loading it.
#[allow(clippy::type_complexity)]
pub fn without_document() -> (
    c::id,
    c::vendor_id,
    c::title,
    c::kind,
    c::entered_on,
    c::effective_on,
    c::ends_on,
    c::auto_renews,
    c::renewal_term_months,
    c::notice_days,
    c::status,
    c::terminated_on,
    c::value_cents,
    c::currency,
    c::owner_email,
    diesel::expression::SqlLiteral<diesel::sql_types::Nullable<diesel::sql_types::Text>>,
    c::version,
    c::created_at,
    c::updated_at,
    c::deleted_at,
) {
    (
        c::id,
        c::vendor_id,
        c::title,
        c::kind,
        c::entered_on,
        c::effective_on,
        c::ends_on,
        c::auto_renews,
        c::renewal_term_months,
        c::notice_days,
        c::status,
        c::terminated_on,
        c::value_cents,
        c::currency,
        c::owner_email,
        diesel::dsl::sql::<diesel::sql_types::Nullable<diesel::sql_types::Text>>(
            "CASE WHEN document_text IS NULL THEN NULL ELSE '' END",
        ),
        c::version,
        c::created_at,
        c::updated_at,
        c::deleted_at,
    )
}
