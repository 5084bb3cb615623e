//! `contract.compliance_changed`: after a change to a vendor's contracts, clauses or events, each
//! contract whose 17.03(2)(f)2 status today differs from the one last published gets an audit
//! event and an outbox event, in the same transaction. A contract's first evaluation is recorded
//! without an event (its `contract.created` says enough).

use diesel::prelude::*;
use serde::Serialize;
use utoipa::ToSchema;

use chrono::NaiveDate;

use crate::{
    audit::store::{self as audit, Change},
    auth::Principal,
    db::{schema::contract_compliance as cc, DbConn},
    error::ApiError,
    rules::f2::{self, ContractFacts, F2Status, Policy},
    time,
};

/// The payload of `contract.compliance_changed`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplianceChange {
    pub contract_id: String,
    pub vendor_id: String,
    pub contract_title: String,
    pub previous_status: F2Status,
    pub status: F2Status,
    /// The day the status was evaluated for.
    pub as_of: String,
    pub reason_codes: Vec<String>,
    pub reasons: Vec<String>,
}

/// Publishes the changes among `facts`: the vendor's contracts (not deleted), as the score loaded
/// them in the same transaction.
pub fn publish(
    conn: &mut DbConn,
    vendor_id: &str,
    facts: &[ContractFacts],
    policy: Policy,
    today: NaiveDate,
    actor: &Principal,
) -> Result<usize, ApiError> {
    if facts.is_empty() {
        return Ok(0);
    }
    let ids: Vec<&String> = facts.iter().map(|f| &f.id).collect();
    let known: Vec<(String, String)> =
        cc::table.filter(cc::contract_id.eq_any(ids)).select((cc::contract_id, cc::status)).load(conn)?;
    let now = time::now();
    let mut changed = 0;
    for f in facts {
        let e = f2::evaluate_contract(f, today, policy);
        let status = e.status.as_str();
        match known.iter().find(|(id, _)| id == &f.id).map(|(_, s)| s.as_str()) {
            Some(previous) if previous == status => {}
            Some(previous) => {
                let previous_status = F2Status::parse(previous).ok_or_else(|| {
                    ApiError::Internal(format!(
                        "contract_compliance.status of contract {} holds '{previous}', not an (f)2 status",
                        f.id
                    ))
                })?;
                // Only the writer that moves the row from the status it read publishes: another
                // process evaluating the same contract at once finds it moved and says nothing.
                let moved = diesel::update(cc::table.find(&f.id).filter(cc::status.eq(previous)))
                    .set((cc::status.eq(status), cc::changed_at.eq(&now)))
                    .execute(conn)?;
                if moved == 0 {
                    continue;
                }
                let change = ComplianceChange {
                    contract_id: f.id.clone(),
                    vendor_id: vendor_id.to_string(),
                    contract_title: f.title.clone(),
                    previous_status,
                    status: e.status,
                    as_of: time::date_text(today),
                    reason_codes: e.reason_codes,
                    reasons: e.reasons,
                };
                audit::record(conn, actor, Change::new("compliance_changed", "contract", &f.id, None, Some(&change)))?;
                changed += 1;
            }
            None => {
                diesel::insert_into(cc::table)
                    .values((cc::contract_id.eq(&f.id), cc::status.eq(status), cc::changed_at.eq(&now)))
                    .execute(conn)?;
            }
        }
    }
    Ok(changed)
}
