//! Planning: turns the data into reminder rows. Called inside every transaction that changes a
//! vendor's deadlines (so the schedule commits with the change), and as a full pass by the sweep
//! when the day or the settings change (contracts roll into new terms, reassessments come due,
//! lead days move).

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate};

use super::{
    models::{ReminderRow, ReminderState},
    settings::{self, ReminderSettings},
    store::{self, Facts},
};
use crate::{
    config::Config,
    db::{
        stored::{Row, Unreadable},
        Db, DbConn,
    },
    error::ApiError,
    rules::{
        capability::{next_reassessment, IncidentFact, Model},
        incidents::Determination,
        reminders::{self as rule, ContractDates, Deadline, Kind, Planned},
    },
    time,
};

/// Rows are planned this many days before their first lead is due, so that lists show what is
/// coming; deadlines farther out are planned by a later pass.
pub const LOOKAHEAD_DAYS: i64 = 30;

/// Vendors planned per transaction in a full pass.
const BATCH: i64 = 500;

/// Every deadline of these facts on or after `today`.
pub fn deadlines(facts: &Facts, model: &Model, today: NaiveDate) -> Vec<Deadline> {
    let live: HashMap<&str, &store::VendorFact> =
        facts.vendors.iter().filter(|v| !v.archived && v.status != "terminated").map(|v| (v.id.as_str(), v)).collect();
    let mut out = vec![];
    let mut add = |kind: Kind, subject_id: &str, vendor_id: &str, due_on: Option<NaiveDate>| {
        if let (Some(due_on), true) = (due_on, live.contains_key(vendor_id)) {
            out.push(Deadline { kind, subject_id: subject_id.into(), vendor_id: vendor_id.into(), due_on });
        }
    };
    for c in &facts.contracts {
        let dates = ContractDates {
            in_force: c.status == "active",
            ends_on: c.ends_on,
            auto_renews: c.auto_renews,
            renewal_term_months: c.renewal_term_months.and_then(|m| u32::try_from(m).ok()),
            notice_days: c.notice_days.and_then(|d| u32::try_from(d).ok()),
        };
        add(Kind::ContractRenewal, &c.id, &c.vendor_id, rule::term_end(&dates, today));
        add(Kind::ContractNoticeDeadline, &c.id, &c.vendor_id, rule::notice_deadline(&dates, today));
    }
    for a in &facts.open_assessments {
        add(Kind::AssessmentDue, &a.id, &a.vendor_id, rule::upcoming(a.due_on, today));
    }
    for f in &facts.open_findings {
        add(Kind::FindingDue, &f.id, &f.vendor_id, rule::upcoming(f.due_on, today));
    }
    let mut incidents: HashMap<&str, Vec<IncidentFact>> = HashMap::new();
    for (vendor_id, id, reported_on) in &facts.incidents_reported {
        incidents.entry(vendor_id.as_str()).or_default().push(IncidentFact {
            id: id.clone(),
            reported_on: *reported_on,
            // Only the report day matters to the due date.
            determination: Determination::Pending,
            late_report: false,
        });
    }
    for (vendor_id, accepted_on) in &facts.latest_accepted {
        // Reassessment is about vendors we retain; a prospect has not been retained yet.
        if let Some(v) = live.get(vendor_id.as_str()).filter(|v| v.status == "active") {
            let reported = incidents.get(vendor_id.as_str()).map(Vec::as_slice).unwrap_or_default();
            let next = next_reassessment(model, v.risk_tier, *accepted_on, reported, today);
            add(Kind::ReassessmentDue, vendor_id, vendor_id, rule::upcoming(Some(next.due), today));
        }
    }
    out
}

/// What a planning run changed.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Changes {
    pub planned: usize,
    pub cancelled: usize,
}

type Key = (String, Kind, NaiveDate, u32);

fn key_of(p: &Planned) -> Key {
    (p.subject_id.clone(), p.kind, p.due_on, p.lead_days)
}

fn row_key(r: &ReminderRow) -> Result<Key, Unreadable> {
    Ok((r.subject_id.clone(), r.kind()?, Row::new("reminders", &r.id).date("due_on", &r.due_on)?, r.lead_days as u32))
}

/// Brings the rows of these vendors in line with their data: new deadlines get rows, pending rows
/// of deadlines that moved or went away are cancelled with the reason. Rows already sent, failed
/// or skipped are history and stay as they are.
pub fn replan(
    conn: &mut DbConn,
    vendor_ids: &[String],
    s: &ReminderSettings,
    model: &Model,
    today: NaiveDate,
) -> Result<Changes, ApiError> {
    let facts = store::facts(conn, vendor_ids)?;
    let max_lead = i64::from(s.lead_days.iter().copied().max().unwrap_or(0));
    let horizon = today + Duration::days(max_lead + LOOKAHEAD_DAYS);
    let all = deadlines(&facts, model, today);
    let wanted: Vec<Planned> =
        rule::plan(&all.iter().filter(|d| d.due_on <= horizon).cloned().collect::<Vec<_>>(), &s.lead_days);
    let existing = store::rows_from(conn, vendor_ids, today)?;
    let by_key: HashMap<Key, &ReminderRow> =
        existing.iter().map(|r| Ok((row_key(r)?, r))).collect::<Result<_, Unreadable>>()?;
    let wanted_keys: HashSet<Key> = wanted.iter().map(key_of).collect();
    let now = time::now();
    let mut changes = Changes::default();

    let mut new_rows = vec![];
    for p in &wanted {
        match by_key.get(&key_of(p)) {
            None => new_rows.push(new_row(p, &now)),
            Some(r) if r.state == ReminderState::Cancelled.as_str() => {
                store::reopen_cancelled(conn, &r.id, &now)?;
                changes.planned += 1;
            }
            Some(_) => {}
        }
    }
    changes.planned += store::insert(conn, &new_rows)?;

    for r in existing.iter().filter(|r| r.state == ReminderState::Pending.as_str()) {
        if wanted_keys.contains(&row_key(r)?) {
            continue;
        }
        let why = why_not_wanted(r, &all, &s.lead_days)?;
        if store::close_pending(conn, &r.id, ReminderState::Cancelled, &why, &now)? {
            changes.cancelled += 1;
        }
    }
    Ok(changes)
}

fn new_row(p: &Planned, now: &str) -> ReminderRow {
    ReminderRow {
        id: crate::http::ids::new(),
        kind: p.kind.as_str().into(),
        subject_type: p.kind.subject_type().into(),
        subject_id: p.subject_id.clone(),
        vendor_id: p.vendor_id.clone(),
        due_on: time::date_text(p.due_on),
        lead_days: p.lead_days as i32,
        send_on: time::date_text(p.send_on),
        state: ReminderState::Pending.as_str().into(),
        late: false,
        attempts: 0,
        // First attemptable at the start of its day, so a pass that plans it can also send it.
        next_attempt_at: format!("{}T00:00:00.000000Z", time::date_text(p.send_on)),
        lease_until: None,
        last_error: None,
        reason: None,
        recipients: None,
        message_id: None,
        sent_at: None,
        created_at: now.to_string(),
        updated_at: now.to_string(),
        claimed_by: None,
    }
}

fn why_not_wanted(r: &ReminderRow, all: &[Deadline], lead_days: &[u32]) -> Result<String, Unreadable> {
    let kind = r.kind()?;
    Ok(match all.iter().find(|d| d.subject_id == r.subject_id && d.kind == kind) {
        Some(d) if time::date_text(d.due_on) != r.due_on => {
            format!("the deadline moved from {} to {}", r.due_on, time::date_text(d.due_on))
        }
        Some(_) if !lead_days.contains(&(r.lead_days as u32)) => {
            format!("lead days no longer include {}", r.lead_days)
        }
        _ => format!("no longer due: the {} was closed, resolved, archived or lost its date", r.subject_type),
    })
}

/// Replans one vendor inside the caller's transaction, with the saved settings.
pub fn replan_vendor(conn: &mut DbConn, vendor_id: &str, config: &Config) -> Result<Changes, ApiError> {
    let s = settings::load(conn, &config.reminders)?;
    replan(conn, &[vendor_id.to_string()], &s, &config.score_model, time::today())
}

/// Replans every vendor, a batch per transaction.
pub fn replan_all(db: &Db, config: &Config, today: NaiveDate) -> Result<Changes, ApiError> {
    let s = settings::load(&mut *db.conn()?, &config.reminders)?;
    let mut total = Changes::default();
    let mut after: Option<String> = None;
    loop {
        let ids = store::vendor_ids_after(&mut *db.conn()?, after.as_deref(), BATCH)?;
        let Some(last) = ids.last().cloned() else { break };
        let done = db.write_blocking(|c| replan(c, &ids, &s, &config.score_model, today))?;
        total.planned += done.planned;
        total.cancelled += done.cancelled;
        after = Some(last);
    }
    Ok(total)
}

/// The reminders these facts yield with a day from `today` to `until`, with their recipients as
/// owners and mailboxes stand now.
pub fn preview(
    facts: &Facts,
    s: &ReminderSettings,
    model: &Model,
    today: NaiveDate,
    until: NaiveDate,
) -> Vec<super::models::PreviewItem> {
    let all = deadlines(facts, model, today);
    let mailboxes = s.addresses();
    let vendor_owner: HashMap<&str, Option<String>> =
        facts.vendors.iter().map(|v| (v.id.as_str(), v.owner_email.clone())).collect();
    let contract_owner: HashMap<&str, Option<String>> =
        facts.contracts.iter().map(|c| (c.id.as_str(), c.owner_email.clone())).collect();
    let finding_owner: HashMap<&str, Option<String>> =
        facts.open_findings.iter().map(|f| (f.id.as_str(), f.owner_email.clone())).collect();
    rule::plan(&all, &s.lead_days)
        .into_iter()
        .filter(|p| p.send_on >= today && p.send_on <= until)
        .map(|p| {
            let owners = rule::Owners {
                vendor: vendor_owner.get(p.vendor_id.as_str()).cloned().flatten(),
                contract: contract_owner.get(p.subject_id.as_str()).cloned().flatten(),
                finding: finding_owner.get(p.subject_id.as_str()).cloned().flatten(),
            };
            super::models::PreviewItem {
                send_on: time::date_text(p.send_on),
                kind: p.kind,
                subject_type: p.kind.subject_type().into(),
                recipients: rule::recipients(s.recipients_of(p.kind), &owners, &mailboxes),
                subject_id: p.subject_id,
                vendor_id: p.vendor_id,
                due_on: time::date_text(p.due_on),
                lead_days: p.lead_days,
            }
        })
        .collect()
}

/// The preview over every vendor (or one), walked in batches.
pub fn preview_all(
    conn: &mut DbConn,
    vendor_id: Option<&str>,
    s: &ReminderSettings,
    model: &Model,
    today: NaiveDate,
    until: NaiveDate,
) -> Result<Vec<super::models::PreviewItem>, ApiError> {
    let mut out = vec![];
    if let Some(id) = vendor_id {
        crate::vendors::store::get_required(conn, id)?;
        out = preview(&store::facts(conn, &[id.to_string()])?, s, model, today, until);
    } else {
        let mut after: Option<String> = None;
        loop {
            let ids = store::vendor_ids_after(conn, after.as_deref(), BATCH)?;
            let Some(last) = ids.last().cloned() else { break };
            out.extend(preview(&store::facts(conn, &ids)?, s, model, today, until));
            after = Some(last);
        }
    }
    out.sort_by(|a, b| {
        (&a.send_on, &a.subject_id, a.kind, a.lead_days).cmp(&(&b.send_on, &b.subject_id, b.kind, b.lead_days))
    });
    Ok(out)
}
