//! Questionnaires as data: the shape of a template, what a valid answer to each question looks
//! like, and the scoring model. Pure: no I/O, so every rule here is unit-tested in
//! `questionnaire_tests.rs`.
//!
//! Scoring model (documented in the README, reproduced in every score report):
//! - Each scored question earns a fraction of its `weight`: yes/no questions 1 when the answer is
//!   the expected one and 0 otherwise; "na" on a yes_no_na question takes the question out of the
//!   count; a single choice earns its option's score over the best option's score; a multi choice
//!   earns the sum of its options' scores over the sum of all positive scores, at most 1; an
//!   evidence question earns 1 when a file is attached. Text, number and date questions are
//!   informational and never scored.
//! - An unanswered scored question earns 0. An answer a reviewer flagged earns 0: the reviewer did
//!   not accept it.
//! - Section and total scores are earned / possible x 100, rounded to one decimal; `null` when
//!   nothing in them is scored.
//! - A critical question fails when it earns less than half of its points (for yes/no: any answer
//!   but the expected one), is unanswered, or was flagged.

use std::collections::{BTreeMap, HashSet};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::vendor_profile::text_enum;

text_enum!(
    /// How a question is answered.
    AnswerType {
        YesNo => "yes_no",
        YesNoNa => "yes_no_na",
        SingleChoice => "single_choice",
        MultiChoice => "multi_choice",
        Text => "text",
        Number => "number",
        Date => "date",
        Evidence => "evidence",
    }
);

impl AnswerType {
    pub fn is_choice(self) -> bool {
        matches!(self, AnswerType::SingleChoice | AnswerType::MultiChoice)
    }

    pub fn is_yes_no(self) -> bool {
        matches!(self, AnswerType::YesNo | AnswerType::YesNoNa)
    }

    /// Text, number and date answers inform the reviewer but earn no points.
    pub fn is_scored(self) -> bool {
        !matches!(self, AnswerType::Text | AnswerType::Number | AnswerType::Date)
    }
}

/// A cross-reference to a control or paragraph of a framework, keyed as (framework, version, id)
/// because ids change meaning across versions.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
#[cfg_attr(feature = "openapi", schema(example = json!({"framework": "201 CMR 17", "version": "2010", "id": "17.04(3)"})))]
pub struct Ref {
    pub framework: String,
    pub version: String,
    pub id: String,
}

/// One option of a choice question.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChoiceOption {
    /// What an answer sends.
    pub value: String,
    pub label: String,
    /// Points for choosing it, 0 to 100.
    pub score: f64,
}

fn default_weight() -> f64 {
    1.0
}

fn is_false(b: &bool) -> bool {
    !*b
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// Unique within the template; answers name the question by it.
    pub code: String,
    pub text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    pub answer_type: AnswerType,
    /// For single_choice and multi_choice questions.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<ChoiceOption>,
    /// Relative weight, 0 to 100 (default 1); 0 makes the question informational.
    #[serde(default = "default_weight")]
    pub weight: f64,
    /// A failed critical question is reported on its own, whatever the total.
    #[serde(default, skip_serializing_if = "is_false")]
    pub critical: bool,
    /// For yes_no and yes_no_na questions: the answer that earns the points, `yes` or `no`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub refs: Vec<Ref>,
}

impl Question {
    fn is_scored(&self) -> bool {
        self.answer_type.is_scored() && self.weight > 0.0
    }

    /// A respondent must answer this before submitting.
    pub fn is_required(&self) -> bool {
        self.is_scored() || self.critical
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub code: String,
    pub title: String,
    pub questions: Vec<Question>,
}

pub const MAX_SECTIONS: usize = 200;
pub const MAX_QUESTIONS: usize = 5000;
const MAX_CODE: usize = 64;
const MAX_TEXT: usize = 4000;
pub const MAX_TEXT_ANSWER: usize = 20_000;

/// A problem found in a template or an answer, named by its JSON path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub field: String,
    pub message: String,
}

fn problem(field: String, message: impl Into<String>) -> Problem {
    Problem { field, message: message.into() }
}

/// `valid_code` as a pattern, for the spec.
pub const CODE_PATTERN: &str = "^[A-Za-z0-9._()/:&-]{1,64}$";

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= MAX_CODE
        && code.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '(' | ')' | '/' | ':' | '&'))
}

/// Checks a template's sections: codes unique and well formed, options where they belong,
/// expected answers on yes/no questions, weights and scores in range. Every problem is reported.
pub fn validate_sections(sections: &[Section]) -> Vec<Problem> {
    let mut out = Vec::new();
    if sections.len() > MAX_SECTIONS {
        out.push(problem("sections".into(), format!("at most {MAX_SECTIONS} sections")));
    }
    let total: usize = sections.iter().map(|s| s.questions.len()).sum();
    if total > MAX_QUESTIONS {
        out.push(problem("sections".into(), format!("at most {MAX_QUESTIONS} questions in all")));
    }
    let mut section_codes = HashSet::new();
    let mut question_codes = HashSet::new();
    for (si, s) in sections.iter().enumerate() {
        let at = format!("sections[{si}]");
        if !valid_code(&s.code) {
            out.push(problem(format!("{at}.code"), code_message()));
        } else if !section_codes.insert(s.code.as_str()) {
            out.push(problem(format!("{at}.code"), format!("section code '{}' is used twice", s.code)));
        }
        text_problem(&mut out, format!("{at}.title"), &s.title);
        if s.questions.is_empty() {
            out.push(problem(format!("{at}.questions"), "a section needs at least one question"));
        }
        for (qi, q) in s.questions.iter().enumerate() {
            let at = format!("{at}.questions[{qi}]");
            if !valid_code(&q.code) {
                out.push(problem(format!("{at}.code"), code_message()));
            } else if !question_codes.insert(q.code.as_str()) {
                out.push(problem(format!("{at}.code"), format!("question code '{}' is used twice", q.code)));
            }
            question_problems(&mut out, &at, q);
        }
    }
    out
}

fn code_message() -> String {
    format!("1 to {MAX_CODE} letters, digits or . - _ ( ) / : &")
}

fn text_problem(out: &mut Vec<Problem>, field: String, text: &str) {
    if text.trim().is_empty() {
        out.push(problem(field, "must not be empty"));
    } else if text.chars().count() > MAX_TEXT {
        out.push(problem(field, format!("at most {MAX_TEXT} characters")));
    }
}

fn question_problems(out: &mut Vec<Problem>, at: &str, q: &Question) {
    text_problem(out, format!("{at}.text"), &q.text);
    if let Some(h) = &q.help {
        if h.chars().count() > MAX_TEXT {
            out.push(problem(format!("{at}.help"), format!("at most {MAX_TEXT} characters")));
        }
    }
    if !(0.0..=100.0).contains(&q.weight) {
        out.push(problem(format!("{at}.weight"), "0 to 100"));
    }
    if q.answer_type.is_choice() {
        if q.options.len() < 2 {
            out.push(problem(format!("{at}.options"), "a choice question needs at least two options"));
        }
        let mut values = HashSet::new();
        for (oi, o) in q.options.iter().enumerate() {
            if o.value.trim().is_empty() || !values.insert(o.value.as_str()) {
                out.push(problem(format!("{at}.options[{oi}].value"), "option values must be non-empty and unique"));
            }
            if o.label.trim().is_empty() {
                out.push(problem(format!("{at}.options[{oi}].label"), "must not be empty"));
            }
            if !(0.0..=100.0).contains(&o.score) {
                out.push(problem(format!("{at}.options[{oi}].score"), "0 to 100"));
            }
        }
        if q.weight > 0.0 && q.options.len() >= 2 && q.options.iter().all(|o| o.score <= 0.0) {
            out.push(problem(format!("{at}.options"), "a scored choice question needs an option with a score above 0"));
        }
    } else if !q.options.is_empty() {
        out.push(problem(format!("{at}.options"), "only single_choice and multi_choice questions have options"));
    }
    match (q.answer_type.is_yes_no(), q.expected.as_deref()) {
        (true, Some("yes" | "no")) => {}
        (true, None) if q.weight == 0.0 && !q.critical => {}
        (true, _) => out.push(problem(format!("{at}.expected"), "a scored yes/no question needs expected: yes or no")),
        (false, Some(_)) => out.push(problem(format!("{at}.expected"), "only yes_no and yes_no_na questions have one")),
        (false, None) => {}
    }
    if q.critical && !q.answer_type.is_scored() {
        out.push(problem(format!("{at}.critical"), "text, number and date questions cannot be critical"));
    }
    for (ri, r) in q.refs.iter().enumerate() {
        for (name, v) in [("framework", &r.framework), ("version", &r.version), ("id", &r.id)] {
            if v.trim().is_empty() || v.len() > 200 {
                out.push(problem(format!("{at}.refs[{ri}].{name}"), "1 to 200 characters"));
            }
        }
    }
}

/// Checks one answer against its question; `None` means it is fine.
pub fn answer_problem(q: &Question, value: &Value) -> Option<String> {
    let as_str = value.as_str();
    match q.answer_type {
        AnswerType::YesNo => match as_str {
            Some("yes" | "no") => None,
            _ => Some("answer \"yes\" or \"no\"".into()),
        },
        AnswerType::YesNoNa => match as_str {
            Some("yes" | "no" | "na") => None,
            _ => Some("answer \"yes\", \"no\" or \"na\"".into()),
        },
        AnswerType::SingleChoice => match as_str {
            Some(v) if q.options.iter().any(|o| o.value == v) => None,
            _ => Some(format!("answer one of: {}", option_list(q))),
        },
        AnswerType::MultiChoice => {
            let Some(items) = value.as_array() else { return Some("answer a list of option values".into()) };
            let mut seen = HashSet::new();
            for item in items {
                match item.as_str() {
                    Some(v) if q.options.iter().any(|o| o.value == v) && seen.insert(v) => {}
                    _ => return Some(format!("each item once, one of: {}", option_list(q))),
                }
            }
            None
        }
        AnswerType::Text | AnswerType::Evidence => match as_str {
            Some(s) if s.chars().count() <= MAX_TEXT_ANSWER => None,
            _ => Some(format!("answer text of at most {MAX_TEXT_ANSWER} characters")),
        },
        AnswerType::Number => match value.as_f64() {
            Some(n) if n.is_finite() => None,
            _ => Some("answer a number".into()),
        },
        AnswerType::Date => match as_str.map(|s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")) {
            Some(Ok(_)) if as_str.is_some_and(|s| s.len() == 10) => None,
            _ => Some("answer a date as YYYY-MM-DD".into()),
        },
    }
}

fn option_list(q: &Question) -> String {
    q.options.iter().map(|o| o.value.as_str()).collect::<Vec<_>>().join(", ")
}

text_enum!(
    /// What a reviewer made of an answer.
    ReviewStatus { Pending => "pending", Accepted => "accepted", Flagged => "flagged" }
);

/// What scoring needs to know of one question's answer.
#[derive(Clone, Debug, Default)]
pub struct AnswerFacts {
    pub value: Option<Value>,
    pub evidence_files: usize,
    pub flagged: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SectionScore {
    pub code: String,
    pub title: String,
    /// earned / possible x 100, one decimal; null when nothing in the section is scored.
    pub score: Option<f64>,
    pub earned: f64,
    pub possible: f64,
    pub questions: usize,
    pub answered: usize,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CriticalFailure {
    pub question_code: String,
    pub text: String,
    /// `unanswered`, `flagged` or `wrong_answer`.
    pub reason: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScoreReport {
    /// earned / possible x 100 over every scored question, one decimal.
    pub total: Option<f64>,
    pub earned: f64,
    pub possible: f64,
    pub sections: Vec<SectionScore>,
    pub critical_failures: Vec<CriticalFailure>,
    pub unanswered_required: Vec<String>,
    pub flagged: usize,
    /// The scoring model in words, so a stored report explains itself.
    pub model: String,
}

pub const MODEL: &str = "yes/no: full points for the expected answer, none otherwise, 'na' not counted; \
    single choice: option score / best option score; multi choice: sum of chosen scores / sum of positive \
    scores, at most 1; evidence: full points with a file attached; text, number and date: not scored; \
    unanswered or flagged by a reviewer: 0. Score = earned / possible x 100. A critical question fails \
    below half of its points, unanswered or flagged.";

/// How much of a question's weight an answer earns, from 0 to 1; `None` when it does not count
/// (not scored, or answered "na").
fn fraction(q: &Question, a: Option<&AnswerFacts>) -> Option<f64> {
    if !q.is_scored() {
        return None;
    }
    let Some(a) = a else { return Some(0.0) };
    if q.answer_type == AnswerType::Evidence {
        return Some(if a.flagged || a.evidence_files == 0 { 0.0 } else { 1.0 });
    }
    let Some(value) = &a.value else { return Some(0.0) };
    if value.as_str() == Some("na") && q.answer_type == AnswerType::YesNoNa {
        return None;
    }
    if a.flagged {
        return Some(0.0);
    }
    let earned = match q.answer_type {
        AnswerType::YesNo | AnswerType::YesNoNa => {
            if value.as_str() == q.expected.as_deref() {
                1.0
            } else {
                0.0
            }
        }
        AnswerType::SingleChoice => {
            let best = q.options.iter().map(|o| o.score).fold(0.0, f64::max);
            let chosen = q.options.iter().find(|o| Some(o.value.as_str()) == value.as_str()).map_or(0.0, |o| o.score);
            if best > 0.0 {
                chosen / best
            } else {
                0.0
            }
        }
        AnswerType::MultiChoice => {
            let positive: f64 = q.options.iter().map(|o| o.score.max(0.0)).sum();
            let chosen: f64 = value
                .as_array()
                .map(|items| {
                    q.options
                        .iter()
                        .filter(|o| items.iter().any(|i| i.as_str() == Some(&o.value)))
                        .map(|o| o.score)
                        .sum()
                })
                .unwrap_or(0.0);
            if positive > 0.0 {
                (chosen / positive).clamp(0.0, 1.0)
            } else {
                0.0
            }
        }
        AnswerType::Text | AnswerType::Number | AnswerType::Date | AnswerType::Evidence => return None,
    };
    Some(earned)
}

fn is_answered(q: &Question, a: Option<&AnswerFacts>) -> bool {
    match a {
        None => false,
        Some(a) if q.answer_type == AnswerType::Evidence => a.evidence_files > 0,
        Some(a) => a.value.is_some(),
    }
}

fn percent(earned: f64, possible: f64) -> Option<f64> {
    (possible > 0.0).then(|| (earned / possible * 1000.0).round() / 10.0)
}

/// Scores a set of answers against a template's sections.
pub fn score(sections: &[Section], answers: &BTreeMap<String, AnswerFacts>) -> ScoreReport {
    let mut report = ScoreReport {
        total: None,
        earned: 0.0,
        possible: 0.0,
        sections: Vec::with_capacity(sections.len()),
        critical_failures: Vec::new(),
        unanswered_required: Vec::new(),
        flagged: answers.values().filter(|a| a.flagged).count(),
        model: MODEL.to_string(),
    };
    for s in sections {
        let mut sec = SectionScore {
            code: s.code.clone(),
            title: s.title.clone(),
            score: None,
            earned: 0.0,
            possible: 0.0,
            questions: s.questions.len(),
            answered: 0,
        };
        for q in &s.questions {
            let a = answers.get(&q.code);
            let answered = is_answered(q, a);
            if answered {
                sec.answered += 1;
            } else if q.is_required() {
                report.unanswered_required.push(q.code.clone());
            }
            let f = fraction(q, a);
            if let Some(f) = f {
                sec.earned += f * q.weight;
                sec.possible += q.weight;
            }
            if q.critical {
                let reason = if !answered {
                    Some("unanswered")
                } else if a.is_some_and(|a| a.flagged) {
                    Some("flagged")
                } else if f.is_some_and(|f| f < 0.5) {
                    Some("wrong_answer")
                } else {
                    None
                };
                if let Some(reason) = reason {
                    report.critical_failures.push(CriticalFailure {
                        question_code: q.code.clone(),
                        text: q.text.clone(),
                        reason: reason.into(),
                    });
                }
            }
        }
        sec.score = percent(sec.earned, sec.possible);
        report.earned += sec.earned;
        report.possible += sec.possible;
        report.sections.push(sec);
    }
    report.total = percent(report.earned, report.possible);
    report
}

/// Finds a question by code.
pub fn find_question<'a>(sections: &'a [Section], code: &str) -> Option<&'a Question> {
    sections.iter().flat_map(|s| &s.questions).find(|q| q.code == code)
}

pub fn question_count(sections: &[Section]) -> usize {
    sections.iter().map(|s| s.questions.len()).sum()
}

#[cfg(test)]
#[path = "questionnaire_tests.rs"]
mod tests;
