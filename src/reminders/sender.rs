//! Sending: find deadlines with reminders whose day has come, decide which one to send (only the
//! nearest after downtime), claim it, mail it, record the outcome. `run_once` is what the
//! server's loop and `oversee remind --once` call; tests call it with the time they want.
//!
//! A reminder is claimed in its own transaction before it is mailed: a lease from the moment of
//! that claim, renewed while the mail is in flight and fenced by a token (`crate::lease`), so any
//! number of processes on one database never send one reminder twice, however long a pass runs.
//! It is marked sent in another transaction right after the SMTP server accepts it. A process
//! killed while mailing leaves the lease to expire and the reminder is sent again; a process
//! killed (or frozen past its lease) in the instant between the server's acceptance and the
//! commit would send it twice, with the same Message-ID.

use chrono::{DateTime, NaiveDate, Utc};
use futures_util::StreamExt;
use std::time::Duration;

use super::{
    ics,
    message::{self, Content},
    models::{Reminder, ReminderRow, ReminderState},
    planner::{self, Changes},
    settings::{self, ReminderSettings},
    store,
};
use crate::{
    assessments::store as assessments,
    audit::store::{self as audit, Change},
    compliance::store as compliance,
    contracts::store as contracts,
    db::{
        stored::{Row, Unreadable},
        DbConn,
    },
    error::ApiError,
    findings::store as findings,
    lease::{self, Held},
    rules::{
        f2,
        reminders::{self as rule, DueReminder, Kind, Owners},
    },
    state::AppState,
    time,
    vendors::store as vendors,
};

/// Deadlines looked at per batch, and batches per run.
const GROUPS_PER_BATCH: i64 = 100;
const MAX_BATCHES: usize = 50;
/// Reminders mailed at once; within the SMTP transport's pool of 10 connections.
const SENDS_IN_FLIGHT: usize = 8;

/// What one pass did. `claimed` counts the reminders this process took for sending (each then
/// ends as sent, retrying, failed, skipped or lost); `lost` those whose lease it could not keep.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Report {
    pub planned: usize,
    pub cancelled: usize,
    pub claimed: usize,
    pub sent: usize,
    pub skipped: usize,
    pub retrying: usize,
    pub failed: usize,
    pub lost: usize,
}

/// How long a claimed reminder is leased: twice the SMTP timeout (one command) and a margin; it
/// is renewed every third of that while the mail is in flight.
pub fn lease_length(smtp_timeout_seconds: u64) -> Duration {
    Duration::from_secs(smtp_timeout_seconds * 2 + 5)
}

/// One pass. With `plan_everything`, first replans every vendor (the day or the settings
/// changed); changes made through the API are planned in their own transactions already.
pub async fn run_once(state: &AppState, now: DateTime<Utc>, plan_everything: bool) -> Result<Report, ApiError> {
    let today = now.date_naive();
    let mut report = Report::default();
    if plan_everything {
        let (db, config) = (state.db.clone(), state.config.clone());
        let Changes { planned, cancelled } = actix_web::web::block(move || planner::replan_all(&db, &config, today))
            .await
            .map_err(|e| ApiError::Internal(format!("blocking task failed: {e}")))??;
        report.planned = planned;
        report.cancelled = cancelled;
    }
    let config = state.config.clone();
    let s = state.db.read_heavy(move |c| settings::load(c, &config.reminders)).await?;
    let now_text = time::format(now);
    for _ in 0..MAX_BATCHES {
        let (to_send, skipped) = decide_batch(state, today, &now_text).await?;
        report.skipped += skipped;
        if to_send.is_empty() && skipped == 0 {
            break;
        }
        // Several at once, so one slow SMTP exchange does not hold up the rest and the claims and
        // outcomes of neighbouring reminders share commits. Each is recorded as soon as it is
        // known. An error (the database failing; SMTP errors are outcomes) ends the pass once the
        // rest of the batch has been tried, each of which claims before it mails.
        let outcomes: Vec<_> = futures_util::stream::iter(to_send)
            .map(|(id, late)| {
                let s = &s;
                async move { send_one(state, s, &id, late, now, today).await }
            })
            .buffer_unordered(SENDS_IN_FLIGHT)
            .collect()
            .await;
        for outcome in outcomes {
            let Some(sent) = outcome? else { continue };
            report.claimed += 1;
            match sent {
                Sent::Done(ReminderState::Sent) => report.sent += 1,
                Sent::Done(ReminderState::Failed) => report.failed += 1,
                Sent::Done(ReminderState::Skipped) => report.skipped += 1,
                Sent::Done(_) => report.retrying += 1,
                Sent::Lost => report.lost += 1,
            }
        }
    }
    Ok(report)
}

/// Looks at a batch of deadlines with due reminders: skips what should not go (recorded at
/// once) and returns what should, with whether it is late. A deadline one of whose reminders
/// another process is sending is left to that process this time.
async fn decide_batch(state: &AppState, today: NaiveDate, now: &str) -> Result<(Vec<(String, bool)>, usize), ApiError> {
    let now = now.to_string();
    state
        .db
        .write(move |c| {
            let clock = lease::clock();
            let groups = store::due_groups(c, today, &now, &clock, GROUPS_PER_BATCH)?;
            if groups.is_empty() {
                return Ok((vec![], 0));
            }
            let rows = store::group_rows(c, &groups)?;
            let mut to_send = vec![];
            let mut skipped = 0;
            for (subject_id, kind, due_on) in &groups {
                let of_group =
                    rows.iter().filter(|r| &r.subject_id == subject_id && &r.kind == kind && &r.due_on == due_on);
                let in_flight = of_group.clone().any(|r| {
                    r.state == ReminderState::Pending.as_str()
                        && r.lease_until.as_deref().is_some_and(|l| l > clock.as_str())
                });
                if in_flight {
                    continue;
                }
                let nearest_sent = of_group
                    .clone()
                    .filter(|r| r.state == ReminderState::Sent.as_str())
                    .map(|r| r.lead_days as u32)
                    .min();
                let pending: Vec<DueReminder> = of_group
                    .filter(|r| r.state == ReminderState::Pending.as_str())
                    .map(|r| {
                        let at = Row::new("reminders", &r.id);
                        Ok(DueReminder {
                            id: r.id.clone(),
                            due_on: at.date("due_on", &r.due_on)?,
                            lead_days: r.lead_days as u32,
                            send_on: at.date("send_on", &r.send_on)?,
                        })
                    })
                    .collect::<Result<_, Unreadable>>()?;
                for d in rule::decide(&pending, nearest_sent, today) {
                    match d {
                        rule::Decision::Send { id, late } => to_send.push((id, late)),
                        rule::Decision::Skip { id, reason } => {
                            if store::close_pending(c, &id, ReminderState::Skipped, &reason, &now)? {
                                skipped += 1;
                            }
                        }
                    }
                }
            }
            Ok((to_send, skipped))
        })
        .await
}

/// How a claimed reminder ended for this process.
enum Sent {
    Done(ReminderState),
    /// Its lease could not be kept: the mail was dropped unfinished, or (frozen past the lease)
    /// another process took the reminder over before the outcome was recorded.
    Lost,
}

/// Claims, mails and records one reminder; `None` when another process holds it or it is not
/// due for another attempt yet.
async fn send_one(
    state: &AppState,
    s: &ReminderSettings,
    id: &str,
    late: bool,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Option<Sent>, ApiError> {
    let length = lease_length(state.config.smtp_timeout_seconds);
    let token = lease::token();
    let (id_owned, now_text, token_owned) = (id.to_string(), time::format(now), token.clone());
    let key = state.db.audit_key().cloned();
    let claimed_at = std::time::Instant::now();
    let claimed = state
        .db
        .write(move |c| {
            // A process that could not record the outcome must not mail: it would mail again
            // each time the lease ran out.
            crate::audit::chain::check_can_link(c, key.as_ref())?;
            store::claim(c, &id_owned, &now_text, &lease::clock(), &lease::until(length), &token_owned)
        })
        .await?;
    if !claimed {
        return Ok(None);
    }
    let renew = || {
        let (id, token) = (id.to_string(), token.clone());
        state.db.write(move |c| store::renew(c, &id, &token, &lease::until(length)))
    };
    match lease::hold(length, claimed_at, mail_and_record(state, s, id, &token, late, now, today), renew).await {
        Held::Done(result) => Ok(Some(result?)),
        Held::Lost => Ok(Some(Sent::Lost)),
    }
}

/// The work done under a reminder's lease: gather, mail, record.
async fn mail_and_record(
    state: &AppState,
    s: &ReminderSettings,
    id: &str,
    token: &str,
    late: bool,
    now: DateTime<Utc>,
    today: NaiveDate,
) -> Result<Sent, ApiError> {
    let (id_owned, s_owned, public_url) = (id.to_string(), s.clone(), state.config.public_url.clone());
    let prepared = state.db.read_heavy(move |c| prepare(c, &id_owned, &s_owned, &public_url, today, late)).await?;
    let (row, content, to) = match prepared {
        Prepared::Skip(row, reason) => {
            return finish_until_recorded(state, row, token, Outcome::Skipped(reason), now, s).await
        }
        Prepared::Mail(row, content, to) => (row, content, to),
    };
    let message_id = format!("<reminder.{}@{}>", row.id, state.mailer.from().email.domain());
    let uid = format!("{}.{}.{}@oversee", row.kind, row.subject_id, row.due_on);
    let summary = content.subject_line();
    let description = content.text();
    let calendar = ics::calendar(&ics::Event {
        uid: &uid,
        day: content.due_on,
        summary: &summary,
        description: &description,
        url: &content.link,
        stamp: now,
    });
    let outcome = match message::build(state.mailer.from(), &to, &message_id, &content, calendar) {
        Err(e) => Outcome::Skipped(format!("the message could not be built: {e}")),
        Ok(msg) => match state.mailer.send_message(msg).await {
            Ok(()) => Outcome::Sent { message_id, to, late },
            Err(e) => Outcome::Error(e),
        },
    };
    finish_until_recorded(state, row, token, outcome, now, s).await
}

/// Records the outcome, trying again while the database fails (eight tries over about twenty
/// seconds): the caller holds the lease meanwhile (`lease::hold`), so a mail that went out is
/// recorded rather than left pending to go again when the lease runs out. Losing the lease, or
/// the last try failing, ends it (README, "What is not guaranteed").
async fn finish_until_recorded(
    state: &AppState,
    row: ReminderRow,
    token: &str,
    outcome: Outcome,
    now: DateTime<Utc>,
    s: &ReminderSettings,
) -> Result<Sent, ApiError> {
    let mut wait = Duration::from_millis(200);
    for _ in 1..8 {
        match finish(state, row.clone(), token, outcome.clone(), now, s).await {
            Ok(sent) => return Ok(sent),
            Err(e) => {
                tracing::warn!(reminder = %row.id, error = %e, "recording a reminder's outcome failed; trying again");
                actix_web::rt::time::sleep(wait).await;
                wait = (wait * 2).min(Duration::from_secs(5));
            }
        }
    }
    finish(state, row, token, outcome, now, s).await
}

enum Prepared {
    Mail(ReminderRow, Content, Vec<String>),
    Skip(ReminderRow, String),
}

#[derive(Clone)]
enum Outcome {
    Sent { message_id: String, to: Vec<String>, late: bool },
    Error(String),
    Skipped(String),
}

/// Gathers what the message says and who it goes to.
fn prepare(
    c: &mut DbConn,
    id: &str,
    s: &ReminderSettings,
    public_url: &str,
    today: NaiveDate,
    late: bool,
) -> Result<Prepared, ApiError> {
    let row = store::get_required(c, id)?;
    let kind = row.kind()?;
    let due_on = Row::new("reminders", &row.id).date("due_on", &row.due_on)?;
    let Some(vendor) = vendors::get(c, &row.vendor_id)? else {
        return Ok(Prepared::Skip(row, "the vendor no longer exists".into()));
    };
    let mut owners = Owners { vendor: vendor.owner_email.clone(), ..Default::default() };
    let mut details = vec![];
    let mut f2_status = None;
    let (title, link) = match kind {
        Kind::ContractRenewal | Kind::ContractNoticeDeadline => {
            let contract = contracts::get_required(c, &row.subject_id)?;
            owners.contract = contract.owner_email.clone();
            if let Some(end) = &contract.ends_on {
                details.push(("Current term ends".into(), end.clone()));
            }
            if let Some(n) = contract.notice_days {
                details.push(("Notice period".into(), format!("{n} days")));
            }
            details.push(("Renews automatically".into(), if contract.auto_renews { "yes" } else { "no" }.into()));
            let policy = compliance::policy(c)?;
            let facts = compliance::facts(c, std::slice::from_ref(&contract))?;
            if let Some(f) = facts.first() {
                let e = f2::evaluate_contract(f, today, policy);
                f2_status = Some((e.status.as_str().to_string(), e.reasons));
            }
            (contract.title, format!("{public_url}/api/v1/contracts/{}", contract.id))
        }
        Kind::AssessmentDue => {
            let a = assessments::get_required(c, &row.subject_id)?;
            details.push(("Respondent".into(), format!("{} <{}>", a.respondent_name, a.respondent_email)));
            details.push(("Status".into(), a.status.clone()));
            (
                format!("Questionnaire sent to {}", a.respondent_name),
                format!("{public_url}/api/v1/assessments/{}", a.id),
            )
        }
        Kind::ReassessmentDue => {
            details.push(("Risk tier".into(), vendor.risk_tier.to_string()));
            ("Periodic reassessment".to_string(), format!("{public_url}/api/v1/vendors/{}/score", vendor.id))
        }
        Kind::FindingDue => {
            let f = findings::get_required(c, &row.subject_id)?;
            owners.finding = f.owner_email.clone();
            details.push(("Severity".into(), f.severity.clone()));
            details.push(("Status".into(), f.status.clone()));
            (f.title, format!("{public_url}/api/v1/findings/{}", f.id))
        }
    };
    let to = rule::recipients(s.recipients_of(kind), &owners, &s.addresses());
    if to.is_empty() {
        return Ok(Prepared::Skip(
            row,
            format!("no recipient: set an owner or a mailbox for {} in /settings/reminders", kind.as_str()),
        ));
    }
    let content = Content {
        kind,
        vendor_name: vendor.name,
        subject_title: title,
        due_on,
        days_left: (due_on - today).num_days(),
        late,
        f2: f2_status,
        details,
        link,
    };
    Ok(Prepared::Mail(row, content, to))
}

/// Records the outcome in one transaction, with the audit event and the `reminder.sent` or
/// `reminder.failed` outbox event, while this process's claim still holds the row.
async fn finish(
    state: &AppState,
    mut row: ReminderRow,
    token: &str,
    outcome: Outcome,
    now: DateTime<Utc>,
    s: &ReminderSettings,
) -> Result<Sent, ApiError> {
    let now_text = time::format(now);
    row.lease_until = None;
    row.updated_at = now_text.clone();
    let action = match outcome {
        Outcome::Sent { message_id, to, late } => {
            row.attempts += 1;
            row.state = ReminderState::Sent.as_str().into();
            row.late = late;
            row.sent_at = Some(now_text.clone());
            row.message_id = Some(message_id);
            row.recipients = Some(serde_json::to_string(&to).unwrap_or_default());
            row.last_error = None;
            Some("sent")
        }
        Outcome::Skipped(reason) => {
            row.state = ReminderState::Skipped.as_str().into();
            row.reason = Some(reason);
            None
        }
        Outcome::Error(e) => {
            row.attempts += 1;
            row.last_error = Some(e);
            match rule::retry_delay(row.attempts as u32, s.max_attempts) {
                Some(delay) => {
                    row.next_attempt_at = time::format(now + chrono::Duration::from_std(delay).unwrap_or_default());
                    None
                }
                None => {
                    row.state = ReminderState::Failed.as_str().into();
                    Some("failed")
                }
            }
        }
    };
    let final_state = row.state()?;
    let (id, token) = (row.id.clone(), token.to_string());
    let recorded = state
        .db
        .write(move |c| {
            if !store::record_held(c, &row, &token)? {
                return Ok(false);
            }
            if let Some(action) = action {
                let view = Reminder::try_from(&row)?;
                audit::record(
                    c,
                    &crate::auth::Principal::system(),
                    Change::new(action, "reminder", &row.id, None, Some(&view)),
                )?;
            }
            Ok(true)
        })
        .await?;
    if recorded {
        Ok(Sent::Done(final_state))
    } else {
        tracing::error!(
            reminder = %id,
            outcome = final_state.as_str(),
            "another process took this reminder over before its outcome was recorded (this process was held up past \
             its lease); the other process's outcome stands, and the mail may have gone twice"
        );
        Ok(Sent::Lost)
    }
}

/// How long the background loop waits between passes.
pub fn interval(s: &ReminderSettings) -> Duration {
    Duration::from_secs(u64::from(s.interval_seconds.max(1)))
}
