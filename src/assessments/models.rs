use chrono::NaiveDate;
use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::{
    db::{
        schema::{assessment_answers, assessment_evidence, assessments},
        stored::{Row, Unreadable},
    },
    error::{ApiError, FieldError},
    rules::{
        assessment_lifecycle::AssessmentStatus,
        questionnaire::{ReviewStatus, ScoreReport},
        vendor_profile::text_enum,
    },
};

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = assessments, treat_none_as_null = true)]
pub struct AssessmentRow {
    pub id: String,
    pub vendor_id: String,
    pub template_id: String,
    pub status: String,
    pub due_on: String,
    pub respondent_name: String,
    pub respondent_email: String,
    pub token_hash: Option<String>,
    pub token_expires_at: Option<String>,
    pub token_revoked_at: Option<String>,
    pub sent_at: Option<String>,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub decision_comment: Option<String>,
    pub score: Option<f64>,
    pub critical_failures: Option<i32>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl AssessmentRow {
    pub fn status(&self) -> Result<AssessmentStatus, Unreadable> {
        Row::new("assessments", &self.id).one_of("status", "assessment status", &self.status, AssessmentStatus::parse)
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Respondent {
    pub name: String,
    pub email: String,
}

/// The respondent's link: never the token itself, which is shown once when sent.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkState {
    /// True while the link works: minted, not revoked, not past `expires_at`.
    pub active: bool,
    pub expires_at: Option<String>,
    pub revoked_at: Option<String>,
}

/// A security assessment of a vendor with one questionnaire.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Assessment {
    pub id: String,
    pub vendor_id: String,
    /// The published template version it asks.
    pub template_id: String,
    pub status: AssessmentStatus,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    pub respondent: Respondent,
    pub link: LinkState,
    pub sent_at: Option<String>,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    pub decided_by: Option<String>,
    pub decision_comment: Option<String>,
    /// The total score when the assessment was decided, 0 to 100.
    pub score: Option<f64>,
    /// Critical questions failed when it was decided.
    pub critical_failures: Option<i32>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

impl TryFrom<AssessmentRow> for Assessment {
    type Error = Unreadable;

    fn try_from(r: AssessmentRow) -> Result<Self, Unreadable> {
        let now = crate::time::now();
        let active = r.token_hash.is_some()
            && r.token_revoked_at.is_none()
            && r.token_expires_at.as_deref().is_some_and(|e| e > now.as_str());
        Ok(Assessment {
            status: r.status()?,
            due_on: Row::new("assessments", &r.id).date("due_on", &r.due_on)?,
            respondent: Respondent { name: r.respondent_name, email: r.respondent_email },
            link: LinkState { active, expires_at: r.token_expires_at, revoked_at: r.token_revoked_at },
            id: r.id,
            vendor_id: r.vendor_id,
            template_id: r.template_id,
            sent_at: r.sent_at,
            submitted_at: r.submitted_at,
            decided_at: r.decided_at,
            decided_by: r.decided_by,
            decision_comment: r.decision_comment,
            score: r.score,
            critical_failures: r.critical_failures,
            version: r.version,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

fn respondent_problems(name: &str, email: &str) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if name.trim().is_empty() || name.chars().count() > 200 {
        errors.push(FieldError::new("respondent_name", "1 to 200 characters"));
    }
    if !validator::ValidateEmail::validate_email(&email) || email.len() > 254 {
        errors.push(FieldError::new("respondent_email", "not an email address"));
    }
    errors
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"template_id": "0192f0c4-7a2b-7c3d-8e4f-5a6b7c8d9e0f", "due_on": "2026-12-31",
    "respondent_name": "Dana Lee", "respondent_email": "dana@acme.example"}))]
pub struct CreateAssessment {
    /// A published template version.
    pub template_id: String,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    #[schema(min_length = 1, max_length = 200)]
    pub respondent_name: String,
    #[schema(format = Email, max_length = 254)]
    pub respondent_email: String,
}

impl CreateAssessment {
    pub fn validate(&self) -> Result<(), ApiError> {
        let errors = respondent_problems(&self.respondent_name, &self.respondent_email);
        ApiError::unless_empty(errors)
    }
}

/// Changes before the vendor submits. A new due date applies to the next link sent.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAssessment {
    #[schema(value_type = Option<String>, format = Date)]
    pub due_on: Option<NaiveDate>,
    #[schema(min_length = 1, max_length = 200)]
    pub respondent_name: Option<String>,
    #[schema(format = Email, max_length = 254)]
    pub respondent_email: Option<String>,
}

impl UpdateAssessment {
    pub fn apply(self, row: &mut AssessmentRow) -> Result<(), ApiError> {
        if let Some(d) = self.due_on {
            row.due_on = crate::time::date_text(d);
        }
        if let Some(n) = self.respondent_name {
            row.respondent_name = n.trim().to_string();
        }
        if let Some(e) = self.respondent_email {
            row.respondent_email = e.trim().to_string();
        }
        let errors = respondent_problems(&row.respondent_name, &row.respondent_email);
        ApiError::unless_empty(errors)
    }
}

text_enum!(
    MailStatus { Sent => "sent", Failed => "failed" }
);

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MailOutcome {
    pub to: String,
    pub status: MailStatus,
    pub error: Option<String>,
}

/// The answer to sending: the respondent's token is shown here once and stored only as a hash.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Sent {
    pub assessment: Assessment,
    /// Bearer token for the vendor portal, scoped to this one assessment.
    pub respondent_token: String,
    /// Where the respondent starts.
    pub portal_url: String,
    pub expires_at: String,
    /// Whether the invitation mail went out; when it failed, pass the link on yourself or send again.
    pub mail: MailOutcome,
}

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = assessment_answers, treat_none_as_null = true)]
pub struct AnswerRow {
    pub assessment_id: String,
    pub question_code: String,
    pub answer: Option<String>,
    pub comment: Option<String>,
    pub answered_at: String,
    pub review_status: String,
    pub review_comment: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

impl AnswerRow {
    fn at(&self) -> (String, &'static str) {
        (format!("{}/{}", self.assessment_id, self.question_code), "assessment_answers")
    }

    pub fn value(&self) -> Result<Option<Value>, Unreadable> {
        let (key, table) = self.at();
        self.answer.as_deref().map(|a| Row::new(table, &key).json("answer", a)).transpose()
    }

    pub fn review_status(&self) -> Result<ReviewStatus, Unreadable> {
        let (key, table) = self.at();
        Row::new(table, &key).one_of("review_status", "review status", &self.review_status, ReviewStatus::parse)
    }
}

#[derive(Queryable, Insertable, Debug, Clone)]
#[diesel(table_name = assessment_evidence)]
pub struct EvidenceRow {
    pub id: String,
    pub assessment_id: String,
    pub question_code: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub sha256: String,
    pub created_at: String,
}

/// A file the respondent attached.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Evidence {
    pub id: String,
    pub question_code: String,
    pub filename: String,
    pub content_type: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the content, computed as it was received.
    pub sha256: String,
    pub created_at: String,
}

impl From<EvidenceRow> for Evidence {
    fn from(r: EvidenceRow) -> Self {
        Evidence {
            id: r.id,
            question_code: r.question_code,
            filename: r.filename,
            content_type: r.content_type,
            size_bytes: r.size_bytes,
            sha256: r.sha256,
            created_at: r.created_at,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Review {
    pub status: ReviewStatus,
    pub comment: Option<String>,
    pub reviewed_by: Option<String>,
    pub reviewed_at: Option<String>,
}

/// One question's answer, as reviewers see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Answer {
    pub question_code: String,
    /// The answer's JSON value, shaped by the question's answer type; null when cleared.
    #[schema(value_type = Object)]
    pub answer: Option<Value>,
    pub comment: Option<String>,
    pub answered_at: Option<String>,
    pub review: Review,
    pub evidence: Vec<Evidence>,
}

impl Answer {
    pub fn from_parts(code: String, row: Option<AnswerRow>, evidence: Vec<Evidence>) -> Result<Answer, Unreadable> {
        Ok(match row {
            Some(r) => Answer {
                answer: r.value()?,
                review: Review {
                    status: r.review_status()?,
                    comment: r.review_comment.clone(),
                    reviewed_by: r.reviewed_by.clone(),
                    reviewed_at: r.reviewed_at.clone(),
                },
                question_code: r.question_code,
                comment: r.comment,
                answered_at: Some(r.answered_at),
                evidence,
            },
            None => Answer {
                question_code: code,
                answer: None,
                comment: None,
                answered_at: None,
                review: Review { status: ReviewStatus::Pending, comment: None, reviewed_by: None, reviewed_at: None },
                evidence,
            },
        })
    }
}

/// A reviewer's verdict on one answer.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewAnswer {
    /// `accepted` or `flagged` (a flagged answer earns no points).
    pub status: ReviewStatus,
    #[schema(max_length = 4000)]
    pub comment: Option<String>,
}

text_enum!(
    DecisionKind { Accepted => "accepted", Rejected => "rejected" }
);

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"decision": "accepted", "comment": "Meets our bar; two findings to follow up."}))]
pub struct Decision {
    pub decision: DecisionKind,
    /// Required to reject.
    #[schema(max_length = 4000)]
    pub comment: Option<String>,
}

/// An assessment's score now (it is stored on the assessment when decided).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AssessmentScore {
    pub assessment_id: String,
    pub status: AssessmentStatus,
    #[serde(flatten)]
    pub report: ScoreReport,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    pub vendor_id: Option<String>,
    pub status: Option<AssessmentStatus>,
    /// Page size, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
