//! Assembles a vendor's evidence pack from its records, in one read transaction so every part
//! describes the same moment.

use chrono::NaiveDate;

use super::{
    models::{AssessmentEvidence, ChainHead, ContractEvidence, EvidencePack},
    store::{self, Records},
};
use crate::{
    assessments::{models::Assessment, view},
    audit::{
        chain,
        models::{AuditEvent, ChainMark, ExportedEvent},
    },
    auth::Principal,
    clauses::models::Clause,
    contracts::{events::ContractEvent, models::Contract},
    db::DbConn,
    error::ApiError,
    findings::models::Finding,
    incidents::{models::Incident, store as incidents},
    reminders::models::Reminder,
    rules::capability::Model,
    scores::inputs,
    time,
    vendors::{models::Vendor, store as vendors},
};

/// A file behind the pack, for the ZIP.
pub enum Attachment {
    /// The audit events with their stored fields verbatim, so their hashes can be recomputed.
    AuditEvents(Vec<ExportedEvent>),
    /// A contract's stored text.
    ContractText { contract_id: String, text: String },
    /// A file a respondent attached to an assessment.
    EvidenceFile { assessment_id: String, evidence_id: String, filename: String, sha256: String },
}

pub fn build(
    c: &mut DbConn,
    vendor_id: &str,
    as_of: NaiveDate,
    who: &Principal,
    model: &Model,
) -> Result<(EvidencePack, Vec<Attachment>), ApiError> {
    let vendor_row = vendors::get_required(c, vendor_id)?;
    // The end of `as_of`; the last day chrono can hold has no day after it, and nothing is later.
    let until = time::date_text(as_of.succ_opt().unwrap_or(as_of));
    let records = store::records(c, vendor_id, &until)?;
    let (score, _) = inputs::score_vendor(c, vendor_row.clone(), as_of, model)?;
    let head = chain::head(c)?;
    let first_linked = chain::first_linked_id(c)?;
    let audit_rows = {
        let (ids, parents) = subjects(vendor_id, &records);
        store::audit_events(c, &ids, &parents, &until)?
    };
    let Records { contracts, events, clauses, assessments, findings, incidents: incident_rows, reminders_sent, .. } =
        records;

    let verbatim = audit_rows
        .iter()
        .map(|r| ExportedEvent { chain: Some(ChainMark::of(r, first_linked.as_deref())), ..ExportedEvent::of(r) })
        .collect();
    let mut attachments = vec![Attachment::AuditEvents(verbatim)];
    let mut contract_evidence = vec![];
    for row in contracts {
        if let Some(text) = row.document_text.clone() {
            attachments.push(Attachment::ContractText { contract_id: row.id.clone(), text });
        }
        let id = row.id.clone();
        contract_evidence.push(ContractEvidence {
            contract: Contract::from_row(row, false)?,
            events: events
                .iter()
                .filter(|e| e.contract_id == id)
                .cloned()
                .map(ContractEvent::try_from)
                .collect::<Result<_, _>>()?,
            clauses: clauses
                .iter()
                .filter(|x| x.contract_id == id)
                .cloned()
                .map(Clause::try_from)
                .collect::<Result<_, _>>()?,
        });
    }
    let mut assessment_evidence = vec![];
    for row in assessments {
        let loaded = view::load(c, row)?;
        for e in &loaded.evidence {
            attachments.push(Attachment::EvidenceFile {
                assessment_id: e.assessment_id.clone(),
                evidence_id: e.id.clone(),
                filename: e.filename.clone(),
                sha256: e.sha256.clone(),
            });
        }
        assessment_evidence.push(AssessmentEvidence {
            answers: loaded.answer_views()?,
            score: loaded.score()?,
            assessment: Assessment::try_from(loaded.row)?,
        });
    }
    let incident_ids: Vec<String> = incident_rows.iter().map(|r| r.id.clone()).collect();
    let mut counts = incidents::resident_counts(c, &incident_ids)?;
    let incident_views: Vec<Incident> = incident_rows
        .into_iter()
        .map(|r| {
            let history = counts.remove(&r.id).unwrap_or_default();
            r.view(history)
        })
        .collect::<Result<_, _>>()?;
    let pack = EvidencePack {
        as_of,
        generated_at: time::now(),
        generated_by: who.sub.clone(),
        vendor: Vendor::try_from(vendor_row)?,
        score,
        contracts: contract_evidence,
        assessments: assessment_evidence,
        findings: findings.into_iter().map(Finding::try_from).collect::<Result<_, _>>()?,
        incidents: incident_views,
        reminders_sent: reminders_sent.iter().map(Reminder::try_from).collect::<Result<_, _>>()?,
        audit_events: audit_rows
            .into_iter()
            .map(|r| AuditEvent::new(r, first_linked.as_deref()))
            .collect::<Result<_, _>>()?,
        audit_chain_head: ChainHead { seq: head.seq, hash: head.hash },
    };
    Ok((pack, attachments))
}

/// The subject ids the vendor's audit events are recorded under, and the parents of the
/// composite ones (`<contract>/<clause type>`, `<assessment>/<question>`).
fn subjects(vendor_id: &str, r: &Records) -> (Vec<String>, Vec<String>) {
    let mut ids = vec![vendor_id.to_string()];
    ids.extend(r.contact_ids.iter().cloned());
    ids.extend(r.contracts.iter().map(|x| x.id.clone()));
    ids.extend(r.events.iter().map(|x| x.id.clone()));
    ids.extend(r.assessments.iter().map(|x| x.id.clone()));
    ids.extend(r.findings.iter().map(|x| x.id.clone()));
    ids.extend(r.incidents.iter().map(|x| x.id.clone()));
    ids.extend(r.reminders_sent.iter().map(|x| x.id.clone()));
    let mut parents: Vec<String> = r.contracts.iter().map(|x| x.id.clone()).collect();
    parents.extend(r.assessments.iter().map(|x| x.id.clone()));
    (ids, parents)
}
