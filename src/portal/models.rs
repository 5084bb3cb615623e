use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::{
    assessments::models::Evidence,
    rules::{assessment_lifecycle::AssessmentStatus, questionnaire::Section},
};

/// What the respondent sees: the questionnaire and their answers so far.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalView {
    pub assessment_id: String,
    pub vendor_name: String,
    pub status: AssessmentStatus,
    #[schema(value_type = String, format = Date)]
    pub due_on: NaiveDate,
    /// The link stops working at this moment.
    pub link_expires_at: Option<String>,
    /// True once submitted: answers are then read-only.
    pub locked: bool,
    pub title: String,
    pub sections: Vec<Section>,
    pub answers: Vec<PortalAnswer>,
    /// Required questions not yet answered; submit refuses while any remain.
    pub unanswered_required: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortalAnswer {
    pub question_code: String,
    #[schema(value_type = Object)]
    pub answer: Option<Value>,
    pub comment: Option<String>,
    pub answered_at: Option<String>,
    pub evidence: Vec<Evidence>,
}

/// One answer to save. `answer: null` clears it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerInput {
    pub question_code: String,
    /// `"yes"`/`"no"`/`"na"`, an option value, a list of option values, text, a number or a
    /// `YYYY-MM-DD` date, as the question's answer type asks.
    #[schema(value_type = Object)]
    pub answer: Value,
    #[schema(max_length = 4000)]
    pub comment: Option<String>,
}

/// Answers to save now; others stay as they were. Save as often as you like before submitting.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"answers": [{"question_code": "WISP.1", "answer": "yes"},
    {"question_code": "CRYPTO.5", "answer": "tls12", "comment": "TLS 1.3 planned for Q3"}]}))]
pub struct SaveAnswers {
    #[schema(min_items = 1, max_items = 500)]
    pub answers: Vec<AnswerInput>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The question the file supports.
    pub question_code: String,
    /// The file's name as the respondent knows it.
    pub filename: String,
}
