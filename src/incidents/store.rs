use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::{IncidentRow, ResidentCount, ResidentCountRow};
use crate::{
    db::{
        schema::{contract_clauses as cc, contracts as c, incident_resident_counts as rc, incidents as i},
        stored::Row,
        DbConn,
    },
    error::ApiError,
    rules::incidents::{Determination, IncidentStatus, NoticeTerm},
    time::date_text,
};

pub fn get_required(conn: &mut DbConn, id: &str) -> Result<IncidentRow, ApiError> {
    i::table.find(id).first::<IncidentRow>(conn).optional()?.ok_or_else(|| ApiError::not_found("incident", id))
}

pub fn insert(conn: &mut DbConn, row: &IncidentRow) -> Result<(), ApiError> {
    diesel::insert_into(i::table).values(row).execute(conn)?;
    Ok(())
}

pub fn update(conn: &mut DbConn, row: &IncidentRow) -> Result<(), ApiError> {
    diesel::update(i::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

pub struct Filter {
    pub vendor_id: Option<String>,
    pub status: Option<IncidentStatus>,
    pub determination: Option<Determination>,
}

/// Incidents in creation order (ids are UUIDv7), `limit + 1` after `after_id`.
pub fn list(conn: &mut DbConn, f: Filter, after_id: Option<String>, limit: i64) -> Result<Vec<IncidentRow>, ApiError> {
    let mut q = i::table.into_boxed();
    if let Some(v) = f.vendor_id {
        q = q.filter(i::vendor_id.eq(v));
    }
    if let Some(s) = f.status {
        q = q.filter(i::status.eq(s.as_str()));
    }
    if let Some(d) = f.determination {
        q = q.filter(i::breach_determination.eq(d.as_str()));
    }
    if let Some(after) = after_id {
        q = q.filter(i::id.gt(after));
    }
    Ok(q.order(i::id.asc()).limit(limit + 1).load(conn)?)
}

/// Keeps a value of the resident count.
pub fn record_resident_count(
    conn: &mut DbConn,
    incident_id: &str,
    count: Option<i64>,
    by: &str,
    at: &str,
) -> Result<(), ApiError> {
    let row = ResidentCountRow {
        id: crate::http::ids::new(),
        incident_id: incident_id.into(),
        ma_residents_affected: count,
        recorded_at: at.into(),
        recorded_by: by.into(),
    };
    diesel::insert_into(rc::table).values(&row).execute(conn)?;
    Ok(())
}

/// The resident-count history of each incident, oldest first.
pub fn resident_counts(
    conn: &mut DbConn,
    incident_ids: &[String],
) -> Result<HashMap<String, Vec<ResidentCount>>, ApiError> {
    let rows: Vec<ResidentCountRow> = rc::table
        .filter(rc::incident_id.eq_any(incident_ids))
        .order((rc::incident_id.asc(), rc::id.asc()))
        .load(conn)?;
    let mut out: HashMap<String, Vec<ResidentCount>> = HashMap::new();
    for r in rows {
        out.entry(r.incident_id.clone()).or_default().push(r.into());
    }
    Ok(out)
}

/// The breach-notification terms naming a deadline that were part of the vendor's contracts on
/// `on` (present, in effect that day, the contract not deleted); only `contract_id`'s when given.
pub fn notice_terms(
    conn: &mut DbConn,
    vendor_id: &str,
    contract_id: Option<&str>,
    on: NaiveDate,
) -> Result<Vec<NoticeTerm>, ApiError> {
    let day = date_text(on);
    let mut q = cc::table
        .inner_join(c::table)
        .filter(c::vendor_id.eq(vendor_id))
        .filter(c::deleted_at.is_null())
        .filter(cc::clause_type.eq("breach_notification"))
        .filter(cc::status.eq("present"))
        .filter(cc::effective_from.le(day.clone()))
        .filter(cc::effective_to.is_null().or(cc::effective_to.ge(day)))
        .select((cc::contract_id, cc::deadline_amount, cc::deadline_unit))
        .into_boxed();
    if let Some(id) = contract_id {
        q = q.filter(c::id.eq(id.to_string()));
    }
    let rows: Vec<(String, Option<i32>, Option<String>)> = q.load(conn)?;
    let mut terms = vec![];
    for (contract_id, amount, unit) in rows {
        let key = format!("{contract_id}/breach_notification");
        let at = Row::new("contract_clauses", &key);
        if let Some(deadline) = crate::clauses::models::stored_deadline(&at, amount, unit.as_deref())? {
            terms.push(NoticeTerm { contract_id, deadline });
        }
    }
    Ok(terms)
}
