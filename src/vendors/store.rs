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
    Ok(crate::on_backend!(conn, |c| v::table.find(id).first::<VendorRow>(c).optional())?)
}

pub fn get_required(conn: &mut DbConn, id: &str) -> Result<VendorRow, ApiError> {
    get(conn, id)?.ok_or_else(|| ApiError::not_found("vendor", id))
}

/// An active vendor other than `except_id` whose name equals `name_key` (case-insensitively).
fn name_taken(conn: &mut DbConn, name_key: &str, except_id: &str) -> Result<bool, ApiError> {
    let n: i64 = crate::on_backend!(conn, |c| v::table
        .filter(v::name_key.eq(name_key))
        .filter(v::archived_at.is_null())
        .filter(v::id.ne(except_id))
        .count()
        .get_result(c))?;
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
    crate::on_backend!(conn, |c| diesel::insert_into(v::table).values(row).execute(c))
        .map_err(|e| unique_as_conflict(e, &row.name))?;
    replace_tags(conn, row, tags)
}

pub fn update(conn: &mut DbConn, row: &VendorRow, tags: &[String]) -> Result<(), ApiError> {
    if row.archived_at.is_none() && name_taken(conn, &row.name_key, &row.id)? {
        return Err(conflict(&row.name));
    }
    crate::on_backend!(conn, |c| diesel::update(v::table.find(&row.id)).set(row).execute(c))
        .map_err(|e| unique_as_conflict(e, &row.name))?;
    replace_tags(conn, row, tags)
}

/// The tag rows of a vendor, carrying its sort keys.
pub fn tag_rows(row: &VendorRow, tags: &[String]) -> Vec<TagRow> {
    tags.iter()
        .map(|tag| TagRow {
            vendor_id: row.id.clone(),
            tag: tag.clone(),
            name_key: row.name_key.clone(),
            created_at: row.created_at.clone(),
        })
        .collect()
}

#[derive(diesel::Insertable, Debug, Clone)]
#[diesel(table_name = crate::db::schema::vendor_tags)]
pub struct TagRow {
    pub vendor_id: String,
    pub tag: String,
    pub name_key: String,
    pub created_at: String,
}

fn replace_tags(conn: &mut DbConn, row: &VendorRow, tags: &[String]) -> Result<(), ApiError> {
    let vendor_id = &row.id;
    let tags = tag_rows(row, tags);
    // One statement per tag, each prepared once per connection; a vendor carries at most 50.
    crate::on_backend!(conn, |c| {
        diesel::delete(t::table.filter(t::vendor_id.eq(vendor_id))).execute(c)?;
        for tag in &tags {
            diesel::insert_into(t::table).values(tag).execute(c)?;
        }
        Ok::<_, diesel::result::Error>(())
    })?;
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

/// Filters on vendor columns, shared by both query shapes of `list`.
macro_rules! vendor_filters {
    ($q:expr, $f:expr) => {{
        let mut q = $q;
        if !$f.include_archived {
            q = q.filter(v::archived_at.is_null());
        }
        if let Some(s) = &$f.status {
            q = q.filter(v::status.eq(s.clone()));
        }
        if let Some(tier) = $f.risk_tier {
            q = q.filter(v::risk_tier.eq(tier));
        }
        if let Some(pi) = $f.handles_pi {
            q = q.filter(v::handles_pi.eq(pi));
        }
        if let Some(text) = &$f.q {
            q = q.filter(v::name_key.like(format!("%{}%", escape_like(&text.to_lowercase()))).escape('\\'));
        }
        q
    }};
}

/// Keyset condition and order on a (name_key, created_at, id) triple of columns.
macro_rules! keyset_order {
    ($q:expr, $f:expr, $name:expr, $created:expr, $id:expr) => {{
        let mut q = $q;
        if let Some((key, id)) = $f.after.clone() {
            q = match $f.sort {
                VendorSort::Name => q.filter($name.gt(key.clone()).or($name.eq(key).and($id.gt(id)))),
                VendorSort::NameDesc => q.filter($name.lt(key.clone()).or($name.eq(key).and($id.lt(id)))),
                VendorSort::CreatedAt => q.filter($created.gt(key.clone()).or($created.eq(key).and($id.gt(id)))),
                VendorSort::CreatedAtDesc => q.filter($created.lt(key.clone()).or($created.eq(key).and($id.lt(id)))),
            };
        }
        match $f.sort {
            VendorSort::Name => q.order(($name.asc(), $id.asc())),
            VendorSort::NameDesc => q.order(($name.desc(), $id.desc())),
            VendorSort::CreatedAt => q.order(($created.asc(), $id.asc())),
            VendorSort::CreatedAtDesc => q.order(($created.desc(), $id.desc())),
        }
    }};
}

/// `limit + 1` rows in the requested order, starting after the cursor. Every filter and sort has
/// an index (see the migration) and the keyset condition keeps each page's cost independent of
/// the table size and of how deep into the list it is. A tag filter walks the tag's own index,
/// which carries the sort keys, instead of collecting every vendor with the tag and sorting them.
pub fn list(conn: &mut DbConn, f: &ListFilter) -> Result<Vec<VendorRow>, ApiError> {
    if let Some(tag) = &f.tag {
        let tag = tag.to_lowercase();
        return Ok(crate::on_backend!(conn, |c| {
            let q = t::table.inner_join(v::table).filter(t::tag.eq(&tag)).select(v::all_columns).into_boxed();
            let q = keyset_order!(vendor_filters!(q, f), f, t::name_key, t::created_at, t::vendor_id);
            q.limit(f.limit + 1).load::<VendorRow>(c)
        })?);
    }
    Ok(crate::on_backend!(conn, |c| {
        let q = keyset_order!(vendor_filters!(v::table.into_boxed(), f), f, v::name_key, v::created_at, v::id);
        q.limit(f.limit + 1).load::<VendorRow>(c)
    })?)
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
