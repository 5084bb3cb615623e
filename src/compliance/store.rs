use diesel::prelude::*;

use crate::{
    clauses::{models::ClauseStatus, store as clauses, SECURITY_MEASURES},
    contracts::{
        events::{self, EventKind},
        models::ContractRow,
        store::without_document,
    },
    db::{
        schema::{contracts as c, vendors as v},
        DbConn,
    },
    error::ApiError,
    rules::f2::{self, ClauseFacts, ContractFacts, EventFacts, Policy},
    time::parse_date,
};

const POLICY_KEY: &str = "compliance";

pub fn policy(conn: &mut DbConn) -> Result<Policy, ApiError> {
    crate::settings::get(conn, POLICY_KEY)
}

pub fn save_policy(conn: &mut DbConn, p: Policy) -> Result<(), ApiError> {
    crate::settings::put(conn, POLICY_KEY, &p)
}

/// The facts the rule needs for these contracts: two queries in all, whatever their number.
pub fn facts(conn: &mut DbConn, rows: &[ContractRow]) -> Result<Vec<ContractFacts>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let all_events = events::list_for_contracts(conn, &ids)?;
    let security = clauses::of_type_for(conn, SECURITY_MEASURES, &ids)?;
    Ok(rows
        .iter()
        .map(|r| ContractFacts {
            id: r.id.clone(),
            title: r.title.clone(),
            is_draft: r.status == "draft",
            entered_on: parse_date(&r.entered_on),
            effective_on: r.effective_on.as_deref().map(parse_date),
            ends_on: r.ends_on.as_deref().map(parse_date),
            auto_renews: r.auto_renews,
            terminated_on: r.terminated_on.as_deref().map(parse_date),
            events: all_events
                .iter()
                .filter(|e| e.contract_id == r.id)
                .map(|e| EventFacts {
                    kind: EventKind::parse(&e.kind).unwrap_or(EventKind::Amendment).to_rule(),
                    executed_on: parse_date(&e.executed_on),
                    previous_ends_on: e.previous_ends_on.as_deref().map(parse_date),
                    new_ends_on: e.new_ends_on.as_deref().map(parse_date),
                })
                .collect(),
            security_clause: security.iter().find(|cl| cl.contract_id == r.id).map(|cl| ClauseFacts {
                status: match ClauseStatus::parse(&cl.status) {
                    Some(ClauseStatus::Present) => f2::ClauseStatus::Present,
                    Some(ClauseStatus::Absent) => f2::ClauseStatus::Absent,
                    _ => f2::ClauseStatus::Unknown,
                },
                effective_from: parse_date(&cl.effective_from),
                effective_to: cl.effective_to.as_deref().map(parse_date),
                verified: cl.verified_at.is_some(),
                section_ref: cl.section_ref.clone(),
            }),
        })
        .collect())
}

/// Every live contract of a vendor, oldest first, without texts.
pub fn vendor_contracts(conn: &mut DbConn, vendor_id: &str) -> Result<Vec<ContractRow>, ApiError> {
    Ok(crate::on_backend!(conn, |cn| c::table
        .filter(c::vendor_id.eq(vendor_id))
        .filter(c::deleted_at.is_null())
        .order(c::id.asc())
        .select(without_document())
        .load(cn))?)
}

pub struct VendorBrief {
    pub id: String,
    pub name: String,
    pub handles_pi: bool,
}

/// A batch of live contracts after `after_id`, with their vendors.
pub fn contract_batch(
    conn: &mut DbConn,
    after_id: Option<&str>,
    size: i64,
) -> Result<Vec<(ContractRow, VendorBrief)>, ApiError> {
    let mut q = c::table.filter(c::deleted_at.is_null()).into_boxed();
    if let Some(a) = after_id {
        q = q.filter(c::id.gt(a.to_string()));
    }
    let rows: Vec<ContractRow> = q.order(c::id.asc()).limit(size).select(without_document()).load(conn)?;
    let vendor_ids: Vec<String> = rows.iter().map(|r| r.vendor_id.clone()).collect();
    let vendors: Vec<(String, String, bool)> =
        v::table.filter(v::id.eq_any(&vendor_ids)).select((v::id, v::name, v::handles_pi)).load(conn)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let (id, name, handles_pi) = vendors.iter().find(|v| v.0 == r.vendor_id).cloned().unwrap_or((
                r.vendor_id.clone(),
                String::new(),
                false,
            ));
            (r, VendorBrief { id, name, handles_pi })
        })
        .collect())
}
