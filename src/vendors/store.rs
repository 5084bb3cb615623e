use diesel::prelude::*;

use super::models::{VendorRow, VendorSort};
use crate::{
    db::{
        schema::{vendor_tags as t, vendors as v},
        DbConn,
    },
    error::ApiError,
};

pub fn get(conn: &mut DbConn, id: &str) -> Result<Option<VendorRow>, ApiError> {
    Ok(v::table.find(id).first::<VendorRow>(conn).optional()?)
}

pub fn get_required(conn: &mut DbConn, id: &str) -> Result<VendorRow, ApiError> {
    get(conn, id)?.ok_or_else(|| ApiError::not_found("vendor", id))
}

/// An active vendor other than `except_id` whose name equals `name_key` (case-insensitively).
fn name_taken(conn: &mut DbConn, name_key: &str, except_id: &str) -> Result<bool, ApiError> {
    let n: i64 = v::table
        .filter(v::name_key.eq(name_key))
        .filter(v::archived_at.is_null())
        .filter(v::id.ne(except_id))
        .count()
        .get_result(conn)?;
    Ok(n > 0)
}

fn conflict(name: &str) -> ApiError {
    ApiError::Conflict(format!(
        "an active vendor named '{name}' already exists (names are compared case-insensitively)"
    ))
}

/// Maps the unique-index race (two creates at once) to the same 409 as the explicit check.
fn unique_as_conflict(e: diesel::result::Error, name: &str) -> ApiError {
    match e {
        diesel::result::Error::DatabaseError(diesel::result::DatabaseErrorKind::UniqueViolation, _) => conflict(name),
        other => other.into(),
    }
}

pub fn insert(conn: &mut DbConn, row: &VendorRow, tags: &[String]) -> Result<(), ApiError> {
    if name_taken(conn, &row.name_key, &row.id)? {
        return Err(conflict(&row.name));
    }
    diesel::insert_into(v::table).values(row).execute(conn).map_err(|e| unique_as_conflict(e, &row.name))?;
    replace_tags(conn, &row.id, tags)
}

pub fn update(conn: &mut DbConn, row: &VendorRow, tags: &[String]) -> Result<(), ApiError> {
    if row.archived_at.is_none() && name_taken(conn, &row.name_key, &row.id)? {
        return Err(conflict(&row.name));
    }
    diesel::update(v::table.find(&row.id)).set(row).execute(conn).map_err(|e| unique_as_conflict(e, &row.name))?;
    replace_tags(conn, &row.id, tags)
}

fn replace_tags(conn: &mut DbConn, vendor_id: &str, tags: &[String]) -> Result<(), ApiError> {
    diesel::delete(t::table.filter(t::vendor_id.eq(vendor_id))).execute(conn)?;
    // One statement per tag: diesel's multi-backend connection has no batch insert, and a
    // vendor carries at most 50 tags.
    for tag in tags {
        diesel::insert_into(t::table).values((t::vendor_id.eq(vendor_id), t::tag.eq(tag))).execute(conn)?;
    }
    Ok(())
}

pub struct ListFilter {
    pub status: Option<String>,
    pub risk_tier: Option<i32>,
    pub handles_pi: Option<bool>,
    pub tag: Option<String>,
    pub q: Option<String>,
    pub include_archived: bool,
    pub sort: VendorSort,
    /// (sort key, id) of the last row of the previous page.
    pub after: Option<(String, String)>,
    pub limit: i64,
}

/// `limit + 1` rows in the requested order, starting after the cursor. Every filter and sort has
/// an index (see the migration), and the keyset condition keeps each page's cost independent of
/// how deep into the list it is.
pub fn list(conn: &mut DbConn, f: &ListFilter) -> Result<Vec<VendorRow>, ApiError> {
    let mut q = v::table.into_boxed();
    if !f.include_archived {
        q = q.filter(v::archived_at.is_null());
    }
    if let Some(s) = &f.status {
        q = q.filter(v::status.eq(s.clone()));
    }
    if let Some(tier) = f.risk_tier {
        q = q.filter(v::risk_tier.eq(tier));
    }
    if let Some(pi) = f.handles_pi {
        q = q.filter(v::handles_pi.eq(pi));
    }
    if let Some(tag) = &f.tag {
        q = q.filter(v::id.eq_any(t::table.filter(t::tag.eq(tag.to_lowercase())).select(t::vendor_id)));
    }
    if let Some(text) = &f.q {
        q = q.filter(v::name_key.like(format!("%{}%", escape_like(&text.to_lowercase()))).escape('\\'));
    }
    if let Some((key, id)) = f.after.clone() {
        q = match f.sort {
            VendorSort::Name => q.filter(v::name_key.gt(key.clone()).or(v::name_key.eq(key).and(v::id.gt(id)))),
            VendorSort::NameDesc => q.filter(v::name_key.lt(key.clone()).or(v::name_key.eq(key).and(v::id.lt(id)))),
            VendorSort::CreatedAt => {
                q.filter(v::created_at.gt(key.clone()).or(v::created_at.eq(key).and(v::id.gt(id))))
            }
            VendorSort::CreatedAtDesc => {
                q.filter(v::created_at.lt(key.clone()).or(v::created_at.eq(key).and(v::id.lt(id))))
            }
        };
    }
    q = match f.sort {
        VendorSort::Name => q.order((v::name_key.asc(), v::id.asc())),
        VendorSort::NameDesc => q.order((v::name_key.desc(), v::id.desc())),
        VendorSort::CreatedAt => q.order((v::created_at.asc(), v::id.asc())),
        VendorSort::CreatedAtDesc => q.order((v::created_at.desc(), v::id.desc())),
    };
    Ok(q.limit(f.limit + 1).load::<VendorRow>(conn)?)
}

/// The cursor key of a row for a sort.
pub fn sort_key(row: &VendorRow, sort: VendorSort) -> (String, String) {
    match sort {
        VendorSort::Name | VendorSort::NameDesc => (row.name_key.clone(), row.id.clone()),
        VendorSort::CreatedAt | VendorSort::CreatedAtDesc => (row.created_at.clone(), row.id.clone()),
    }
}

pub fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_")
}

#[cfg(test)]
mod tests {
    #[test]
    fn like_wildcards_are_escaped() {
        assert_eq!(super::escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
