use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};

use crate::{
    assessments::models::Evidence,
    rules::{
        assessment_lifecycle::AssessmentStatus,
        questionnaire::{AnswerType, Question, Section},
    },
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
    pub sections: Vec<PortalSection>,
    pub answers: Vec<PortalAnswer>,
    /// Required questions not yet answered; submit refuses while any remain.
    pub unanswered_required: Vec<String>,
}

/// A section as the respondent sees it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalSection {
    pub code: String,
    pub title: String,
    pub questions: Vec<PortalQuestion>,
}

/// A question as the respondent sees it: what to answer and how, never how it is scored (no
/// expected answer, weight, option scores or critical flag: a vendor who saw them could answer to
/// the key).
#[derive(Debug, Serialize, ToSchema)]
pub struct PortalQuestion {
    pub code: String,
    pub text: String,
    pub help: Option<String>,
    pub answer_type: AnswerType,
    /// For single and multiple choice questions: what an answer sends, and what it says.
    pub options: Vec<PortalOption>,
    /// Submitting needs an answer to it.
    pub required: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortalOption {
    pub value: String,
    pub label: String,
}

impl From<&Section> for PortalSection {
    fn from(s: &Section) -> Self {
        PortalSection {
            code: s.code.clone(),
            title: s.title.clone(),
            questions: s.questions.iter().map(Into::into).collect(),
        }
    }
}

impl From<&Question> for PortalQuestion {
    fn from(q: &Question) -> Self {
        PortalQuestion {
            code: q.code.clone(),
            text: q.text.clone(),
            help: q.help.clone(),
            answer_type: q.answer_type,
            options: q
                .options
                .iter()
                .map(|o| PortalOption { value: o.value.clone(), label: o.label.clone() })
                .collect(),
            required: q.is_required(),
        }
    }
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
