//! The queries behind an evidence pack: every record of one vendor that existed by a day, and the
//! audit events about them. Each is bounded by the vendor's own history, never by table size.

use diesel::prelude::*;

use crate::{
    assessments::models::AssessmentRow,
    audit::models::AuditRow,
    clauses::models::ClauseRow,
    contracts::{events::EventRow, models::ContractRow},
    db::{
        schema::{
            assessments as s, audit_events as a, contract_clauses as cc, contract_events as e, contracts as c,
            findings as f, incidents as i, reminders as r, vendor_contacts as vc,
        },
        DbConn,
    },
    error::ApiError,
    findings::models::FindingRow,
    incidents::models::IncidentRow,
    reminders::models::{ReminderRow, ReminderState},
};

/// A vendor's records created before `until` (an RFC 3339 day: the day after `as_of`).
pub struct Records {
    /// With their document text.
    pub contracts: Vec<ContractRow>,
    pub events: Vec<EventRow>,
    pub clauses: Vec<ClauseRow>,
    pub assessments: Vec<AssessmentRow>,
    pub findings: Vec<FindingRow>,
    pub incidents: Vec<IncidentRow>,
    pub reminders_sent: Vec<ReminderRow>,
    pub contact_ids: Vec<String>,
}

pub fn records(conn: &mut DbConn, vendor_id: &str, until: &str) -> Result<Records, ApiError> {
    let contracts: Vec<ContractRow> = c::table
        .filter(c::vendor_id.eq(vendor_id))
        .filter(c::deleted_at.is_null())
        .filter(c::created_at.lt(until))
        .order(c::id.asc())
        .load(conn)?;
    let contract_ids: Vec<String> = contracts.iter().map(|x| x.id.clone()).collect();
    let events = e::table
        .filter(e::contract_id.eq_any(&contract_ids))
        .filter(e::created_at.lt(until))
        .order((e::contract_id.asc(), e::executed_on.asc(), e::id.asc()))
        .load(conn)?;
    let clauses = cc::table
        .filter(cc::contract_id.eq_any(&contract_ids))
        .filter(cc::created_at.lt(until))
        .order((cc::contract_id.asc(), cc::clause_type.asc()))
        .load(conn)?;
    let assessments =
        s::table.filter(s::vendor_id.eq(vendor_id)).filter(s::created_at.lt(until)).order(s::id.asc()).load(conn)?;
    let findings =
        f::table.filter(f::vendor_id.eq(vendor_id)).filter(f::created_at.lt(until)).order(f::id.asc()).load(conn)?;
    let incidents =
        i::table.filter(i::vendor_id.eq(vendor_id)).filter(i::created_at.lt(until)).order(i::id.asc()).load(conn)?;
    let reminders_sent = r::table
        .filter(r::vendor_id.eq(vendor_id))
        .filter(r::state.eq(ReminderState::Sent.as_str()))
        .filter(r::sent_at.lt(until))
        .order((r::sent_at.asc(), r::id.asc()))
        .load(conn)?;
    let contact_ids = vc::table.filter(vc::vendor_id.eq(vendor_id)).select(vc::id).load(conn)?;
    Ok(Records { contracts, events, clauses, assessments, findings, incidents, reminders_sent, contact_ids })
}

/// Ids per `IN` list, well under every database's bound on bound parameters.
const CHUNK: usize = 500;

/// Audit events before `until` about any of `subject_ids`, or about a subject under one of
/// `parents` (`<parent>/<part>`: a contract's clauses, an assessment's answers). In chain order;
/// events older than the chain (no `seq`) first, by id.
pub fn audit_events(
    conn: &mut DbConn,
    subject_ids: &[String],
    parents: &[String],
    until: &str,
) -> Result<Vec<AuditRow>, ApiError> {
    let mut out: Vec<AuditRow> = vec![];
    for chunk in subject_ids.chunks(CHUNK) {
        out.extend(
            a::table.filter(a::subject_id.eq_any(chunk)).filter(a::occurred_at.lt(until)).load::<AuditRow>(conn)?,
        );
    }
    for parent in parents {
        // A range rather than LIKE, so both databases use the subject index: '0' follows '/'.
        let (from, to) = (format!("{parent}/"), format!("{parent}0"));
        out.extend(
            a::table
                .filter(a::subject_id.ge(from))
                .filter(a::subject_id.lt(to))
                .filter(a::occurred_at.lt(until))
                .load::<AuditRow>(conn)?,
        );
    }
    out.sort_by(|x, y| (x.seq, &x.id).cmp(&(y.seq, &y.id)));
    out.dedup_by(|x, y| x.id == y.id);
    Ok(out)
}
