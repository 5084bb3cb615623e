use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::{
        schema::reminders,
        stored::{Row, Unreadable},
    },
    rules::{reminders::Kind, vendor_profile::text_enum},
};

text_enum!(
    /// pending → sent | failed | cancelled | skipped.
    ReminderState {
        Pending => "pending",
        Sent => "sent",
        Failed => "failed",
        Cancelled => "cancelled",
        Skipped => "skipped",
    }
);

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = reminders, treat_none_as_null = true)]
pub struct ReminderRow {
    pub id: String,
    pub kind: String,
    pub subject_type: String,
    pub subject_id: String,
    pub vendor_id: String,
    pub due_on: String,
    pub lead_days: i32,
    pub send_on: String,
    pub state: String,
    pub late: bool,
    pub attempts: i32,
    pub next_attempt_at: String,
    pub lease_until: Option<String>,
    pub last_error: Option<String>,
    pub reason: Option<String>,
    pub recipients: Option<String>,
    pub message_id: Option<String>,
    pub sent_at: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The claim token of the process that holds (or last held) the row for sending.
    pub claimed_by: Option<String>,
}

impl ReminderRow {
    fn at(&self) -> Row<'_> {
        Row::new("reminders", &self.id)
    }

    pub fn kind(&self) -> Result<Kind, Unreadable> {
        self.at().one_of("kind", "reminder kind", &self.kind, Kind::parse)
    }

    pub fn state(&self) -> Result<ReminderState, Unreadable> {
        self.at().one_of("state", "reminder state", &self.state, ReminderState::parse)
    }
}

/// One reminder: a (subject, kind, due date, lead) sent at most once.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Reminder {
    pub id: String,
    pub kind: Kind,
    /// contract, assessment, vendor (reassessment) or finding.
    pub subject_type: String,
    pub subject_id: String,
    pub vendor_id: String,
    /// The deadline the reminder is about.
    pub due_on: String,
    /// Days before the deadline it goes out.
    pub lead_days: i32,
    /// `due_on − lead_days`.
    pub send_on: String,
    pub state: ReminderState,
    /// Sent after its day (the server was down, or the deadline was recorded late).
    pub late: bool,
    pub attempts: i32,
    /// When a pending reminder is tried next.
    pub next_attempt_at: String,
    pub last_error: Option<String>,
    /// Why it was cancelled or skipped.
    pub reason: Option<String>,
    /// Who it was sent to.
    pub recipients: Vec<String>,
    /// The Message-ID of the mail, the same on every attempt.
    pub message_id: Option<String>,
    pub sent_at: Option<String>,
    /// The process that mailed it (`host:pid:tag`), for a sent reminder.
    pub sent_by: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl TryFrom<&ReminderRow> for Reminder {
    type Error = Unreadable;

    fn try_from(r: &ReminderRow) -> Result<Self, Unreadable> {
        Ok(Reminder {
            id: r.id.clone(),
            kind: r.kind()?,
            subject_type: r.subject_type.clone(),
            subject_id: r.subject_id.clone(),
            vendor_id: r.vendor_id.clone(),
            due_on: r.due_on.clone(),
            lead_days: r.lead_days,
            send_on: r.send_on.clone(),
            state: r.state()?,
            late: r.late,
            attempts: r.attempts,
            next_attempt_at: r.next_attempt_at.clone(),
            last_error: r.last_error.clone(),
            reason: r.reason.clone(),
            recipients: r.recipients.as_deref().map(|s| r.at().json("recipients", s)).transpose()?.unwrap_or_default(),
            message_id: r.message_id.clone(),
            sent_at: r.sent_at.clone(),
            sent_by: (r.state == ReminderState::Sent.as_str())
                .then(|| r.claimed_by.as_deref().map(|t| crate::lease::worker_of(t).to_string()))
                .flatten(),
            created_at: r.created_at.clone(),
            updated_at: r.updated_at.clone(),
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReminderQuery {
    pub state: Option<ReminderState>,
    pub kind: Option<Kind>,
    pub vendor_id: Option<String>,
    /// Deadlines on or after this day.
    pub due_from: Option<chrono::NaiveDate>,
    /// Deadlines on or before this day.
    pub due_to: Option<chrono::NaiveDate>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// How many days ahead, 1 to 730 (default 90).
    #[param(minimum = 1, maximum = 730)]
    pub days: Option<i64>,
    pub vendor_id: Option<String>,
}

/// A reminder the schedule will send, as the data stand today.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviewItem {
    pub send_on: String,
    pub kind: Kind,
    pub subject_type: String,
    pub subject_id: String,
    pub vendor_id: String,
    pub due_on: String,
    pub lead_days: u32,
    /// Who it would go to with today's owners and mailboxes; empty means it would be skipped.
    pub recipients: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Preview {
    pub from: String,
    pub to: String,
    pub items: Vec<PreviewItem>,
}
