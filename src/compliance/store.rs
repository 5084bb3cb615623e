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
        stored::Row,
        DbConn,
    },
    error::ApiError,
    rules::f2::{self, ClauseFacts, ContractFacts, EventFacts, Policy},
};

const POLICY_KEY: &str = "compliance";

pub fn policy(conn: &mut DbConn) -> Result<Policy, ApiError> {
    crate::settings::get(conn, POLICY_KEY)
}

pub fn save_policy(conn: &mut DbConn, p: Policy) -> Result<(), ApiError> {
    crate::settings::put(conn, POLICY_KEY, &p)
}

/// The facts the rule needs for these contracts: two queries in all, whatever their number. A
/// stored value that does not read back is an error naming it, never a guess.
pub fn facts(conn: &mut DbConn, rows: &[ContractRow]) -> Result<Vec<ContractFacts>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let all_events = events::list_for_contracts(conn, &ids)?;
    let security = clauses::of_type_for(conn, SECURITY_MEASURES, &ids)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let at = Row::new("contracts", &r.id);
        let mut contract_events = vec![];
        for e in all_events.iter().filter(|e| e.contract_id == r.id) {
            let at = Row::new("contract_events", &e.id);
            contract_events.push(EventFacts {
                kind: at.one_of("kind", "contract event kind", &e.kind, EventKind::parse)?.to_rule(),
                executed_on: at.date("executed_on", &e.executed_on)?,
                previous_ends_on: at.optional_date("previous_ends_on", e.previous_ends_on.as_deref())?,
                new_ends_on: at.optional_date("new_ends_on", e.new_ends_on.as_deref())?,
            });
        }
        let security_clause = match security.iter().find(|cl| cl.contract_id == r.id) {
            None => None,
            Some(cl) => {
                let key = format!("{}/{}", cl.contract_id, cl.clause_type);
                let at = Row::new("contract_clauses", &key);
                Some(ClauseFacts {
                    status: match at.one_of("status", "clause status", &cl.status, ClauseStatus::parse)? {
                        ClauseStatus::Present => f2::ClauseStatus::Present,
                        ClauseStatus::Absent => f2::ClauseStatus::Absent,
                        ClauseStatus::Unknown => f2::ClauseStatus::Unknown,
                    },
                    effective_from: at.date("effective_from", &cl.effective_from)?,
                    effective_to: at.optional_date("effective_to", cl.effective_to.as_deref())?,
                    verified: cl.verified_at.is_some(),
                    section_ref: cl.section_ref.clone(),
                })
            }
        };
        out.push(ContractFacts {
            id: r.id.clone(),
            title: r.title.clone(),
            is_draft: r.is_draft()?,
            entered_on: at.date("entered_on", &r.entered_on)?,
            effective_on: at.optional_date("effective_on", r.effective_on.as_deref())?,
            ends_on: at.optional_date("ends_on", r.ends_on.as_deref())?,
            auto_renews: r.auto_renews,
            terminated_on: at.optional_date("terminated_on", r.terminated_on.as_deref())?,
            events: contract_events,
            security_clause,
        });
    }
    Ok(out)
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
