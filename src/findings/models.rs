use chrono::NaiveDate;
use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::{
        schema::findings,
        stored::{Row, Unreadable},
    },
    error::{ApiError, FieldError},
    patch::double_option,
    rules::findings::{is_overdue, status_problems, FindingStatus, Severity},
    rules::vendor_profile::text_enum,
    time::date_text,
};

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = findings, treat_none_as_null = true)]
pub struct FindingRow {
    pub id: String,
    pub vendor_id: String,
    pub assessment_id: Option<String>,
    pub question_code: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub severity: String,
    pub status: String,
    pub due_on: Option<String>,
    pub owner_email: Option<String>,
    pub risk_justification: Option<String>,
    pub risk_approved_by: Option<String>,
    pub risk_accepted_at: Option<String>,
    pub resolved_at: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
    pub ticket_system: Option<String>,
    pub ticket_key: Option<String>,
    pub ticket_url: Option<String>,
}

impl FindingRow {
    /// A new open finding with only its subject set; the caller applies its fields.
    pub fn new_open(
        vendor_id: String,
        assessment_id: Option<String>,
        question_code: Option<String>,
        now: &str,
    ) -> Self {
        FindingRow {
            id: crate::http::ids::new(),
            vendor_id,
            assessment_id,
            question_code,
            title: String::new(),
            description: None,
            severity: String::new(),
            status: FindingStatus::Open.as_str().into(),
            due_on: None,
            owner_email: None,
            risk_justification: None,
            risk_approved_by: None,
            risk_accepted_at: None,
            resolved_at: None,
            ticket_system: None,
            ticket_key: None,
            ticket_url: None,
            version: 1,
            created_at: now.to_string(),
            updated_at: now.to_string(),
        }
    }

    pub fn status(&self) -> Result<FindingStatus, Unreadable> {
        Row::new("findings", &self.id).one_of("status", "finding status", &self.status, FindingStatus::parse)
    }

    pub fn severity(&self) -> Result<Severity, Unreadable> {
        Row::new("findings", &self.id).one_of("severity", "severity", &self.severity, Severity::parse)
    }
}

text_enum!(
    TicketSystem { Jira => "jira", Servicenow => "servicenow", Github => "github", Other => "other" }
);

/// A ticket in a ticketing system that tracks a finding.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"system": "jira", "key": "SEC-142", "url": "https://example.atlassian.net/browse/SEC-142"}))]
pub struct Ticket {
    pub system: TicketSystem,
    /// The ticket's key in that system, e.g. SEC-142 or INC0012345.
    #[schema(min_length = 1, max_length = 100)]
    pub key: String,
    #[schema(max_length = 2000)]
    pub url: Option<String>,
}

/// An accepted risk: who approved it and why.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RiskAcceptance {
    pub justification: String,
    pub approved_by: String,
    pub accepted_at: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Finding {
    pub id: String,
    pub vendor_id: String,
    pub assessment_id: Option<String>,
    /// The question it was raised from.
    pub question_code: Option<String>,
    pub title: String,
    pub description: Option<String>,
    pub severity: Severity,
    pub status: FindingStatus,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    /// Open or in progress, and past its due date (today, UTC).
    pub overdue: bool,
    pub owner_email: Option<String>,
    pub risk_acceptance: Option<RiskAcceptance>,
    pub resolved_at: Option<String>,
    /// The ticket raised for it, when one is linked.
    pub ticket: Option<Ticket>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl TryFrom<FindingRow> for Finding {
    type Error = Unreadable;

    fn try_from(r: FindingRow) -> Result<Self, Unreadable> {
        let at = Row::new("findings", &r.id);
        let status = r.status()?;
        let due_on = at.optional_date("due_on", r.due_on.as_deref())?;
        let severity = r.severity()?;
        let risk_acceptance = match (r.risk_justification, r.risk_approved_by, r.risk_accepted_at) {
            (Some(justification), Some(approved_by), Some(accepted_at)) if status == FindingStatus::RiskAccepted => {
                Some(RiskAcceptance { justification, approved_by, accepted_at })
            }
            _ => None,
        };
        let ticket = match (r.ticket_system.as_deref().and_then(TicketSystem::parse), r.ticket_key) {
            (Some(system), Some(key)) => Some(Ticket { system, key, url: r.ticket_url }),
            _ => None,
        };
        Ok(Finding {
            ticket,
            id: r.id,
            vendor_id: r.vendor_id,
            assessment_id: r.assessment_id,
            question_code: r.question_code,
            title: r.title,
            description: r.description,
            severity,
            overdue: is_overdue(status, due_on, crate::time::today()),
            status,
            due_on,
            owner_email: r.owner_email,
            risk_acceptance,
            resolved_at: r.resolved_at,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

/// The editable fields, checked the same way on create and update.
#[derive(Debug, Clone)]
pub struct FindingFields {
    pub title: String,
    pub description: Option<String>,
    pub severity: Severity,
    pub status: FindingStatus,
    pub due_on: Option<NaiveDate>,
    pub owner_email: Option<String>,
    pub risk_justification: Option<String>,
    pub risk_approved_by: Option<String>,
}

fn trimmed(s: Option<String>) -> Option<String> {
    s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty())
}

impl FindingFields {
    pub fn normalized(mut self) -> Self {
        self.title = self.title.trim().to_string();
        self.description = trimmed(self.description);
        self.owner_email = trimmed(self.owner_email);
        self.risk_justification = trimmed(self.risk_justification);
        self.risk_approved_by = trimmed(self.risk_approved_by);
        self
    }

    pub fn validate(&self) -> Result<(), ApiError> {
        let mut errors = Vec::new();
        if self.title.is_empty() || self.title.chars().count() > 300 {
            errors.push(FieldError::new("title", "1 to 300 characters"));
        }
        if self.description.as_ref().is_some_and(|d| d.chars().count() > 10_000) {
            errors.push(FieldError::new("description", "at most 10000 characters"));
        }
        if let Some(e) = &self.owner_email {
            if !validator::ValidateEmail::validate_email(e) || e.len() > 254 {
                errors.push(FieldError::new("owner_email", "not an email address"));
            }
        }
        for (field, v) in
            [("risk_justification", &self.risk_justification), ("risk_approved_by", &self.risk_approved_by)]
        {
            if v.as_ref().is_some_and(|v| v.chars().count() > 4000) {
                errors.push(FieldError::new(field, "at most 4000 characters"));
            }
        }
        errors.extend(
            status_problems(self.status, self.risk_justification.as_deref(), self.risk_approved_by.as_deref())
                .into_iter()
                .map(|(f, m)| FieldError::new(f, m)),
        );
        ApiError::unless_empty(errors)
    }

    pub fn from_row(r: &FindingRow) -> Result<Self, Unreadable> {
        let at = Row::new("findings", &r.id);
        Ok(FindingFields {
            title: r.title.clone(),
            description: r.description.clone(),
            severity: r.severity()?,
            status: r.status()?,
            due_on: at.optional_date("due_on", r.due_on.as_deref())?,
            owner_email: r.owner_email.clone(),
            risk_justification: r.risk_justification.clone(),
            risk_approved_by: r.risk_approved_by.clone(),
        })
    }

    /// Writes the fields into a row, stamping when it was resolved or its risk accepted.
    pub fn apply_to(self, row: &mut FindingRow, now: &str) -> Result<(), Unreadable> {
        let was = row.status()?;
        row.title = self.title;
        row.description = self.description;
        row.severity = self.severity.as_str().into();
        row.status = self.status.as_str().into();
        row.due_on = self.due_on.map(date_text);
        row.owner_email = self.owner_email;
        row.resolved_at = match self.status {
            FindingStatus::Resolved if was != FindingStatus::Resolved => Some(now.to_string()),
            FindingStatus::Resolved => row.resolved_at.take(),
            _ => None,
        };
        if self.status == FindingStatus::RiskAccepted {
            if was != FindingStatus::RiskAccepted
                || row.risk_justification != self.risk_justification
                || row.risk_approved_by != self.risk_approved_by
            {
                row.risk_accepted_at = Some(now.to_string());
            }
            row.risk_justification = self.risk_justification;
            row.risk_approved_by = self.risk_approved_by;
        } else {
            row.risk_justification = None;
            row.risk_approved_by = None;
            row.risk_accepted_at = None;
        }
        Ok(())
    }
}

fn default_severity() -> Severity {
    Severity::Medium
}

fn default_status() -> FindingStatus {
    FindingStatus::Open
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"vendor_id": "0192f0c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f", "title": "Laptops not encrypted",
    "severity": "high", "due_on": "2027-01-31", "owner_email": "sec@example.com"}))]
pub struct CreateFinding {
    /// Optional when `assessment_id` is given: the assessment's vendor.
    pub vendor_id: Option<String>,
    pub assessment_id: Option<String>,
    /// A question of the assessment's template; needs `assessment_id`.
    pub question_code: Option<String>,
    #[schema(min_length = 1, max_length = 300)]
    pub title: String,
    pub description: Option<String>,
    #[serde(default = "default_severity")]
    pub severity: Severity,
    #[serde(default = "default_status")]
    pub status: FindingStatus,
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    #[schema(format = Email)]
    pub owner_email: Option<String>,
    pub risk_justification: Option<String>,
    pub risk_approved_by: Option<String>,
}

impl CreateFinding {
    pub fn fields(&self) -> FindingFields {
        FindingFields {
            title: self.title.clone(),
            description: self.description.clone(),
            severity: self.severity,
            status: self.status,
            due_on: self.due_on,
            owner_email: self.owner_email.clone(),
            risk_justification: self.risk_justification.clone(),
            risk_approved_by: self.risk_approved_by.clone(),
        }
        .normalized()
    }
}

/// Fields to change; `null` clears the nullable ones. Moving to `risk_accepted` needs
/// `risk_justification` and `risk_approved_by`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateFinding {
    #[schema(min_length = 1, max_length = 300)]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub description: Option<Option<String>>,
    pub severity: Option<Severity>,
    pub status: Option<FindingStatus>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>, format = Email)]
    pub owner_email: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub risk_justification: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub risk_approved_by: Option<Option<String>>,
}

impl UpdateFinding {
    pub fn apply(self, mut f: FindingFields) -> FindingFields {
        use crate::patch::Patch;
        self.title.apply_to(&mut f.title);
        self.description.apply_to(&mut f.description);
        self.severity.apply_to(&mut f.severity);
        self.status.apply_to(&mut f.status);
        self.due_on.apply_to(&mut f.due_on);
        self.owner_email.apply_to(&mut f.owner_email);
        self.risk_justification.apply_to(&mut f.risk_justification);
        self.risk_approved_by.apply_to(&mut f.risk_approved_by);
        f.normalized()
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    pub vendor_id: Option<String>,
    pub assessment_id: Option<String>,
    pub severity: Option<Severity>,
    pub status: Option<FindingStatus>,
    /// `true`: only open or in-progress findings past their due date (today, UTC).
    pub overdue: Option<bool>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
