//! The built-in template, "201 CMR 17 service provider assessment": our own wording, kept as a
//! document in the exchange format so it doubles as an example of that format. No SIG or CAIQ
//! text ships; users import their own licensed copies.

use super::models::TemplateDocument;

const BUILTIN_201CMR17: &str = include_str!("builtin_201cmr17.json");

pub fn documents() -> Vec<TemplateDocument> {
    vec![serde_json::from_str(BUILTIN_201CMR17).expect("the built-in template parses")]
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::rules::questionnaire::question_count;

    #[test]
    fn the_builtin_template_is_valid_and_about_forty_questions() {
        for doc in documents() {
            doc.validate().unwrap();
            let n = question_count(&doc.sections);
            assert!((36..=50).contains(&n), "{n} questions");
        }
    }

    #[test]
    fn it_covers_every_paragraph_of_17_03_2_and_17_04() {
        let doc = &documents()[0];
        let cited: BTreeSet<String> = doc
            .sections
            .iter()
            .flat_map(|s| &s.questions)
            .flat_map(|q| &q.refs)
            .filter(|r| r.framework == "201 CMR 17")
            .map(|r| r.id.clone())
            .collect();
        let covers = |prefix: &str| cited.iter().any(|c| c.starts_with(prefix));
        for p in 'a'..='j' {
            assert!(covers(&format!("17.03(2)({p})")), "17.03(2)({p}) is not covered");
        }
        for n in 1..=8 {
            assert!(covers(&format!("17.04({n})")), "17.04({n}) is not covered");
        }
    }

    #[test]
    fn critical_questions_cover_the_core_safeguards() {
        let doc = &documents()[0];
        let critical: Vec<&str> =
            doc.sections.iter().flat_map(|s| &s.questions).filter(|q| q.critical).map(|q| q.code.as_str()).collect();
        for code in ["WISP.1", "CRYPTO.1", "CRYPTO.3", "INC.2", "SUB.2"] {
            assert!(critical.contains(&code), "{code}");
        }
    }
}
