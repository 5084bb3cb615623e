//! Reminder queries: the facts the schedule is planned from, the rows it keeps, and claiming a
//! row for sending so that two servers never send the same one.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::models::{ReminderQuery, ReminderRow, ReminderState};
use crate::{
    db::{
        schema::{assessments as a, contracts as c, findings as f, incidents as i, reminders as r, vendors as v},
        stored::{Row, Unreadable},
        DbConn,
    },
    error::ApiError,
};

/// A vendor as the schedule needs it.
pub struct VendorFact {
    pub id: String,
    pub name: String,
    pub owner_email: Option<String>,
    pub risk_tier: i32,
    pub status: String,
    pub archived: bool,
}

pub struct ContractFact {
    pub id: String,
    pub vendor_id: String,
    pub title: String,
    pub status: String,
    pub ends_on: Option<NaiveDate>,
    pub auto_renews: bool,
    pub renewal_term_months: Option<i32>,
    pub notice_days: Option<i32>,
    pub owner_email: Option<String>,
}

/// An assessment or finding with its due date.
pub struct DueFact {
    pub id: String,
    pub vendor_id: String,
    pub due_on: Option<NaiveDate>,
    /// A finding's owner.
    pub owner_email: Option<String>,
}

/// Everything the schedule of some vendors is planned from: five queries, whatever their number.
pub struct Facts {
    pub vendors: Vec<VendorFact>,
    pub contracts: Vec<ContractFact>,
    /// Sent or in progress.
    pub open_assessments: Vec<DueFact>,
    /// The day of each vendor's latest accepted assessment.
    pub latest_accepted: Vec<(String, NaiveDate)>,
    /// Open or in progress.
    pub open_findings: Vec<DueFact>,
    /// (vendor id, incident id, the day the vendor reported it): an incident brings the
    /// reassessment forward.
    pub incidents_reported: Vec<(String, String, NaiveDate)>,
}

pub fn facts(conn: &mut DbConn, vendor_ids: &[String]) -> Result<Facts, ApiError> {
    let vendors = v::table
        .filter(v::id.eq_any(vendor_ids))
        .select((v::id, v::name, v::owner_email, v::risk_tier, v::status, v::archived_at.is_not_null()))
        .load::<(String, String, Option<String>, i32, String, bool)>(conn)?
        .into_iter()
        .map(|(id, name, owner_email, risk_tier, status, archived)| VendorFact {
            id,
            name,
            owner_email,
            risk_tier,
            status,
            archived,
        })
        .collect();
    let contracts = c::table
        .filter(c::vendor_id.eq_any(vendor_ids))
        .filter(c::deleted_at.is_null())
        .select((
            c::id,
            c::vendor_id,
            c::title,
            c::status,
            c::ends_on,
            c::auto_renews,
            c::renewal_term_months,
            c::notice_days,
            c::owner_email,
        ))
        .load::<(String, String, String, String, Option<String>, bool, Option<i32>, Option<i32>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, vendor_id, title, status, ends_on, auto_renews, term, notice, owner_email)| {
            Ok(ContractFact {
                ends_on: Row::new("contracts", &id).optional_date("ends_on", ends_on.as_deref())?,
                id,
                vendor_id,
                title,
                status,
                auto_renews,
                renewal_term_months: term,
                notice_days: notice,
                owner_email,
            })
        })
        .collect::<Result<_, Unreadable>>()?;
    let open_assessments = a::table
        .filter(a::vendor_id.eq_any(vendor_ids))
        .filter(a::status.eq_any(["sent", "in_progress"]))
        .select((a::id, a::vendor_id, a::due_on))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(id, vendor_id, due)| {
            let due_on = Some(Row::new("assessments", &id).date("due_on", &due)?);
            Ok(DueFact { id, vendor_id, due_on, owner_email: None })
        })
        .collect::<Result<_, Unreadable>>()?;
    let latest_accepted = a::table
        .filter(a::vendor_id.eq_any(vendor_ids))
        .filter(a::status.eq("accepted"))
        .group_by(a::vendor_id)
        .select((a::vendor_id, diesel::dsl::max(a::decided_at)))
        .load::<(String, Option<String>)>(conn)?
        .into_iter()
        .filter_map(|(vendor, at)| {
            let at = at?;
            let row = format!("the latest accepted of vendor {vendor}");
            Some(Row::new("assessments", &row).day_of("decided_at", &at).map(|day| (vendor, day)))
        })
        .collect::<Result<_, Unreadable>>()?;
    let open_findings = f::table
        .filter(f::vendor_id.eq_any(vendor_ids))
        .filter(f::status.eq_any(["open", "in_progress", "awaiting_verification"]))
        .filter(f::due_on.is_not_null())
        .select((f::id, f::vendor_id, f::due_on, f::owner_email))
        .load::<(String, String, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, vendor_id, due, owner_email)| {
            let due_on = Row::new("findings", &id).optional_date("due_on", due.as_deref())?;
            Ok(DueFact { id, vendor_id, due_on, owner_email })
        })
        .collect::<Result<_, Unreadable>>()?;
    let incidents_reported = i::table
        .filter(i::vendor_id.eq_any(vendor_ids))
        .select((i::vendor_id, i::id, i::reported_to_us_on))
        .load::<(String, String, String)>(conn)?
        .into_iter()
        .map(|(vendor_id, id, on)| {
            let day = Row::new("incidents", &id).date("reported_to_us_on", &on)?;
            Ok((vendor_id, id, day))
        })
        .collect::<Result<_, Unreadable>>()?;
    Ok(Facts { vendors, contracts, open_assessments, latest_accepted, open_findings, incidents_reported })
}

/// Vendor ids after `after`, in id order: the full planning pass walks them in batches.
pub fn vendor_ids_after(conn: &mut DbConn, after: Option<&str>, size: i64) -> Result<Vec<String>, ApiError> {
    let mut q = v::table.select(v::id).into_boxed();
    if let Some(a) = after {
        q = q.filter(v::id.gt(a.to_string()));
    }
    Ok(q.order(v::id.asc()).limit(size).load(conn)?)
}

/// The rows of these vendors whose deadline is on or after `from`, in any state.
pub fn rows_from(conn: &mut DbConn, vendor_ids: &[String], from: NaiveDate) -> Result<Vec<ReminderRow>, ApiError> {
    Ok(r::table.filter(r::vendor_id.eq_any(vendor_ids)).filter(r::due_on.ge(from.to_string())).load(conn)?)
}

/// Inserts the rows another process has not planned already (two planning passes may run at
/// once: a deadline's row is kept once by the `reminders_once` key); returns how many it added.
pub fn insert(conn: &mut DbConn, rows: &[ReminderRow]) -> Result<usize, ApiError> {
    // One statement per row: diesel's multi-backend connection has no batch insert, nor an
    // upsert, so it runs on the backend's own connection.
    let mut added = 0;
    for row in rows {
        added += crate::on_backend!(conn, |c| diesel::insert_into(r::table)
            .values(row)
            .on_conflict_do_nothing()
            .execute(c))?;
    }
    Ok(added)
}

pub fn update(conn: &mut DbConn, row: &ReminderRow) -> Result<(), ApiError> {
    diesel::update(r::table.find(&row.id)).set(row).execute(conn)?;
    Ok(())
}

/// Moves a row out of `pending`, unless another process already did or holds it for sending
/// (its outcome decides): returns whether it did.
pub fn close_pending(
    conn: &mut DbConn,
    id: &str,
    state: ReminderState,
    reason: &str,
    now: &str,
) -> Result<bool, ApiError> {
    let clock = crate::lease::clock();
    let n = diesel::update(
        r::table
            .find(id)
            .filter(r::state.eq(ReminderState::Pending.as_str()))
            .filter(r::lease_until.is_null().or(r::lease_until.le(clock))),
    )
    .set((r::state.eq(state.as_str()), r::reason.eq(reason), r::lease_until.eq(None::<String>), r::updated_at.eq(now)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Brings a cancelled row back when its deadline is planned again.
pub fn reopen_cancelled(conn: &mut DbConn, id: &str, now: &str) -> Result<(), ApiError> {
    diesel::update(r::table.find(id).filter(r::state.eq(ReminderState::Cancelled.as_str())))
        .set((r::state.eq(ReminderState::Pending.as_str()), r::reason.eq(None::<String>), r::updated_at.eq(now)))
        .execute(conn)?;
    Ok(())
}

pub fn get_required(conn: &mut DbConn, id: &str) -> Result<ReminderRow, ApiError> {
    r::table.find(id).first(conn).optional()?.ok_or_else(|| ApiError::not_found("reminder", id))
}

pub fn list(
    conn: &mut DbConn,
    q: &ReminderQuery,
    after_id: Option<String>,
    limit: i64,
) -> Result<Vec<ReminderRow>, ApiError> {
    let mut query = r::table.into_boxed();
    if let Some(s) = q.state {
        query = query.filter(r::state.eq(s.as_str()));
    }
    if let Some(k) = q.kind {
        query = query.filter(r::kind.eq(k.as_str()));
    }
    if let Some(vid) = &q.vendor_id {
        query = query.filter(r::vendor_id.eq(vid.clone()));
    }
    if let Some(from) = q.due_from {
        query = query.filter(r::due_on.ge(from.to_string()));
    }
    if let Some(to) = q.due_to {
        query = query.filter(r::due_on.le(to.to_string()));
    }
    if let Some(a) = after_id {
        query = query.filter(r::id.gt(a));
    }
    Ok(query.order(r::id.asc()).limit(limit + 1).load(conn)?)
}

/// A (subject, kind, due date) with at least one pending reminder whose day has come.
pub type Group = (String, String, String);

/// Up to `max` deadlines with pending reminders whose day has come and that no process holds
/// (leases compared with `clock`, the wall clock), the longest-waiting first.
///
/// Walks the `reminders_due` index `(state, send_on, id)` in its own order and stops after `max`
/// rows, so a batch costs the same whatever the backlog. (Asking the database for distinct
/// deadlines in deadline order made it collect and sort every due row on each batch: 87k rows
/// fifty times per pass at 100k vendors.) Several due leads of one deadline make fewer than `max`
/// deadlines; the next batch takes the rest.
pub fn due_groups(
    conn: &mut DbConn,
    today: NaiveDate,
    now: &str,
    clock: &str,
    max: i64,
) -> Result<Vec<Group>, ApiError> {
    let rows: Vec<Group> = r::table
        .filter(r::state.eq(ReminderState::Pending.as_str()))
        .filter(r::send_on.le(today.to_string()))
        .filter(r::next_attempt_at.le(now))
        .filter(r::lease_until.is_null().or(r::lease_until.le(clock)))
        .select((r::subject_id, r::kind, r::due_on))
        .order((r::send_on.asc(), r::id.asc()))
        .limit(max)
        .load(conn)?;
    let mut seen = std::collections::HashSet::new();
    Ok(rows.into_iter().filter(|g| seen.insert(g.clone())).collect())
}

/// Every pending or sent row of these deadlines.
///
/// Only the subject is filtered in SQL, so the plan is the `reminders_once` index whatever the
/// statistics say: with `state IN (...)` as well, SQLite without statistics for the table chose
/// the `(state, …)` index and visited every pending row of the portfolio for each batch (half
/// of a sweep's time at 100k vendors, profiled). A subject has a handful of rows.
pub fn group_rows(conn: &mut DbConn, groups: &[Group]) -> Result<Vec<ReminderRow>, ApiError> {
    let subjects: Vec<&String> = groups.iter().map(|g| &g.0).collect();
    let rows: Vec<ReminderRow> = r::table.filter(r::subject_id.eq_any(subjects)).load(conn)?;
    let wanted = [ReminderState::Pending.as_str(), ReminderState::Sent.as_str()];
    Ok(rows
        .into_iter()
        .filter(|row| wanted.contains(&row.state.as_str()))
        .filter(|row| groups.iter().any(|g| g.0 == row.subject_id && g.1 == row.kind && g.2 == row.due_on))
        .collect())
}

/// Takes a pending row for sending: until `lease_until`, fenced by `token`. False when it is not
/// pending, not yet due for another attempt (`now`, the pass's time), or another process holds
/// it (its lease ends after `clock`, the wall clock at this claim).
pub fn claim(
    conn: &mut DbConn,
    id: &str,
    now: &str,
    clock: &str,
    lease_until: &str,
    token: &str,
) -> Result<bool, ApiError> {
    let n = diesel::update(
        r::table
            .find(id)
            .filter(r::state.eq(ReminderState::Pending.as_str()))
            .filter(r::next_attempt_at.le(now))
            .filter(r::lease_until.is_null().or(r::lease_until.le(clock))),
    )
    .set((r::lease_until.eq(lease_until), r::claimed_by.eq(token)))
    .execute(conn)?;
    Ok(n == 1)
}

/// Extends the lease of the holder of `token`; false when another process took the row over.
/// A row this holder already recorded (its outcome committed between two renewals) is still its
/// own: true, and nothing to extend.
pub fn renew(conn: &mut DbConn, id: &str, token: &str, lease_until: &str) -> Result<bool, ApiError> {
    let held = r::table.find(id).filter(r::claimed_by.eq(token)).filter(r::state.eq(ReminderState::Pending.as_str()));
    if diesel::update(held).set(r::lease_until.eq(lease_until)).execute(conn)? == 1 {
        return Ok(true);
    }
    Ok(r::table.find(id).filter(r::claimed_by.eq(token)).count().get_result::<i64>(conn)? == 1)
}

/// Stores the outcome of a send, only while `token` still holds the row: false when another
/// process took it over (its outcome stands).
pub fn record_held(conn: &mut DbConn, row: &ReminderRow, token: &str) -> Result<bool, ApiError> {
    let held =
        r::table.find(&row.id).filter(r::claimed_by.eq(token)).filter(r::state.eq(ReminderState::Pending.as_str()));
    let n = diesel::update(held).set(row).execute(conn)?;
    Ok(n == 1)
}
