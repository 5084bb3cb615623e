//! An assessment with everything needed to show or score it, loaded in one place.

use std::collections::{BTreeMap, HashMap};

use super::{
    models::{Answer, AnswerRow, AssessmentRow, Evidence, EvidenceRow},
    store,
};
use crate::{
    db::{stored::Unreadable, DbConn},
    error::ApiError,
    questionnaires::{models::TemplateRow, store as templates},
    rules::questionnaire::{self, AnswerFacts, ReviewStatus, ScoreReport, Section},
};

pub struct Loaded {
    pub row: AssessmentRow,
    pub template: TemplateRow,
    pub sections: Vec<Section>,
    pub answers: Vec<AnswerRow>,
    pub evidence: Vec<EvidenceRow>,
}

pub fn load(c: &mut DbConn, row: AssessmentRow) -> Result<Loaded, ApiError> {
    let template = templates::get_required(c, &row.template_id)?;
    let answers = store::answers(c, &row.id)?;
    let evidence = store::evidence(c, &row.id)?;
    Ok(Loaded { sections: template.sections()?, template, row, answers, evidence })
}

impl Loaded {
    /// Every question in template order, answered or not, with its files.
    pub fn answer_views(&self) -> Result<Vec<Answer>, Unreadable> {
        let mut by_code: HashMap<&str, &AnswerRow> =
            self.answers.iter().map(|a| (a.question_code.as_str(), a)).collect();
        self.sections
            .iter()
            .flat_map(|s| &s.questions)
            .map(|q| {
                let files =
                    self.evidence.iter().filter(|e| e.question_code == q.code).cloned().map(Evidence::from).collect();
                Answer::from_parts(q.code.clone(), by_code.remove(q.code.as_str()).cloned(), files)
            })
            .collect()
    }

    pub fn score(&self) -> Result<ScoreReport, Unreadable> {
        let mut facts: BTreeMap<String, AnswerFacts> = BTreeMap::new();
        for a in &self.answers {
            let f = facts.entry(a.question_code.clone()).or_default();
            f.value = a.value()?;
            f.flagged = a.review_status()? == ReviewStatus::Flagged;
        }
        for e in &self.evidence {
            facts.entry(e.question_code.clone()).or_default().evidence_files += 1;
        }
        Ok(questionnaire::score(&self.sections, &facts))
    }
}
