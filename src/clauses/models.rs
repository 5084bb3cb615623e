use chrono::NaiveDate;
use diesel::{AsChangeset, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

pub use crate::rules::clause_detection::Deadline;
use crate::{
    db::{
        schema::{clause_types, contract_clauses},
        stored::{Row, Unreadable},
    },
    rules::vendor_profile::text_enum,
    vendors::models::non_blank,
};

#[derive(Queryable, Insertable, Debug, Clone)]
#[diesel(table_name = clause_types)]
pub struct ClauseTypeRow {
    pub key: String,
    pub title: String,
    pub description: String,
    pub supports: String,
    pub builtin: bool,
    pub created_at: String,
}

/// A kind of protective clause a contract may hold.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ClauseType {
    #[schema(example = "security_measures")]
    pub key: String,
    pub title: String,
    pub description: String,
    /// The rules or frameworks the clause supports.
    pub supports: Vec<String>,
    pub builtin: bool,
}

impl TryFrom<ClauseTypeRow> for ClauseType {
    type Error = Unreadable;

    fn try_from(r: ClauseTypeRow) -> Result<Self, Unreadable> {
        Ok(ClauseType {
            supports: Row::new("clause_types", &r.key).json("supports", &r.supports)?,
            key: r.key,
            title: r.title,
            description: r.description,
            builtin: r.builtin,
        })
    }
}

fn clause_key(k: &str) -> Result<(), validator::ValidationError> {
    let ok = (2..=64).contains(&k.len())
        && k.starts_with(|c: char| c.is_ascii_lowercase())
        && k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(validator::ValidationError::new("key")
            .with_message("2 to 64 characters: lowercase letters, digits and _, starting with a letter".into()))
    }
}

/// A clause type of your own.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"key": "data_residency", "title": "Data residency", "description": "Data stays in the US.", "supports": ["policy"]}))]
pub struct CreateClauseType {
    #[validate(custom(function = "clause_key"))]
    #[schema(pattern = "^[a-z][a-z0-9_]{1,63}$")]
    pub key: String,
    #[validate(custom(function = "non_blank"), length(max = 200, message = "at most 200 characters"))]
    #[schema(min_length = 1, max_length = 200)]
    pub title: String,
    #[validate(length(max = 4000, message = "at most 4000 characters"))]
    #[serde(default)]
    pub description: String,
    #[validate(length(max = 20, message = "at most 20 entries"))]
    #[serde(default)]
    pub supports: Vec<String>,
}

text_enum!(
    /// Whether the contract holds the clause. `unknown` until legal has looked.
    ClauseStatus { Present => "present", Absent => "absent", Unknown => "unknown" }
);

#[derive(Queryable, Insertable, AsChangeset, Debug, Clone)]
#[diesel(table_name = contract_clauses, treat_none_as_null = true)]
pub struct ClauseRow {
    pub contract_id: String,
    pub clause_type: String,
    pub status: String,
    pub effective_from: String,
    pub effective_to: Option<String>,
    pub section_ref: Option<String>,
    pub excerpt: Option<String>,
    pub notes: Option<String>,
    pub deadline_amount: Option<i32>,
    pub deadline_unit: Option<String>,
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
    pub version: i32,
    pub created_at: String,
    pub updated_at: String,
}

/// A clause as recorded on a contract. A clause never recorded reads as `unknown` with
/// `recorded: false`.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Clause {
    pub contract_id: String,
    pub clause_type: String,
    pub status: ClauseStatus,
    pub recorded: bool,
    /// The first day the clause is part of the contract.
    pub effective_from: Option<NaiveDate>,
    /// The last day it is part of the contract; null while it stands.
    pub effective_to: Option<NaiveDate>,
    pub section_ref: Option<String>,
    pub excerpt: Option<String>,
    pub notes: Option<String>,
    /// For breach_notification: the notice deadline the clause sets.
    pub deadline: Option<Deadline>,
    /// Who in legal verified the clause, and when; cleared when the record changes.
    pub verified_by: Option<String>,
    pub verified_at: Option<String>,
    pub version: i32,
}

impl Clause {
    pub fn unrecorded(contract_id: &str, clause_type: &str) -> Clause {
        Clause {
            contract_id: contract_id.to_string(),
            clause_type: clause_type.to_string(),
            status: ClauseStatus::Unknown,
            recorded: false,
            effective_from: None,
            effective_to: None,
            section_ref: None,
            excerpt: None,
            notes: None,
            deadline: None,
            verified_by: None,
            verified_at: None,
            version: 0,
        }
    }
}

/// A clause's stored deadline: both columns or neither, an amount of 1 to 10,000 and a known unit
/// (what `PUT` accepts). A half-stored or out-of-range one would silently drop a notice term or
/// count weeks as days; it is an error instead.
pub fn stored_deadline(at: &Row, amount: Option<i32>, unit: Option<&str>) -> Result<Option<Deadline>, Unreadable> {
    match (amount, unit) {
        (None, None) => Ok(None),
        (Some(amount), Some(unit)) => {
            let deadline = Deadline { amount: u32::try_from(amount).unwrap_or(0), unit: unit.to_string() };
            if deadline.is_valid() {
                Ok(Some(deadline))
            } else {
                Err(at.unreadable(
                    "deadline_amount",
                    format!("{amount} {unit} is not a deadline (1 to 10000 hours, days or business_days)"),
                ))
            }
        }
        (Some(_), None) => Err(at.unreadable("deadline_unit", "missing beside deadline_amount")),
        (None, Some(_)) => Err(at.unreadable("deadline_amount", "missing beside deadline_unit")),
    }
}

impl TryFrom<ClauseRow> for Clause {
    type Error = Unreadable;

    fn try_from(r: ClauseRow) -> Result<Self, Unreadable> {
        let key = format!("{}/{}", r.contract_id, r.clause_type);
        let at = Row::new("contract_clauses", &key);
        Ok(Clause {
            status: at.one_of("status", "clause status", &r.status, ClauseStatus::parse)?,
            recorded: true,
            effective_from: Some(at.date("effective_from", &r.effective_from)?),
            effective_to: at.optional_date("effective_to", r.effective_to.as_deref())?,
            contract_id: r.contract_id,
            clause_type: r.clause_type,
            section_ref: r.section_ref,
            excerpt: r.excerpt,
            notes: r.notes,
            deadline: stored_deadline(&at, r.deadline_amount, r.deadline_unit.as_deref())?,
            verified_by: r.verified_by,
            verified_at: r.verified_at,
            version: r.version,
        })
    }
}

/// What legal records about a clause. `effective_from` defaults to the contract's entry date.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"status": "present", "section_ref": "12.3", "excerpt": "Vendor shall implement and maintain appropriate administrative, technical and physical safeguards..."}))]
pub struct PutClause {
    pub status: ClauseStatus,
    pub effective_from: Option<NaiveDate>,
    pub effective_to: Option<NaiveDate>,
    #[validate(length(max = 100, message = "at most 100 characters"))]
    #[schema(max_length = 100)]
    pub section_ref: Option<String>,
    #[validate(length(max = 20000, message = "at most 20000 characters"))]
    #[schema(max_length = 20000)]
    pub excerpt: Option<String>,
    #[validate(length(max = 20000, message = "at most 20000 characters"))]
    #[schema(max_length = 20000)]
    pub notes: Option<String>,
    /// For breach_notification: the notice deadline, e.g. `{"amount": 72, "unit": "hours"}`.
    pub deadline: Option<Deadline>,
}

#[cfg(test)]
mod stored_deadline_tests {
    use super::*;

    #[test]
    fn a_stored_deadline_is_both_columns_or_neither_and_a_valid_term() {
        let at = Row::new("contract_clauses", "c1/breach_notification");
        assert_eq!(stored_deadline(&at, None, None), Ok(None));
        assert_eq!(
            stored_deadline(&at, Some(72), Some("hours")),
            Ok(Some(Deadline { amount: 72, unit: "hours".into() }))
        );
        for (amount, unit, column) in [
            (Some(5), None, "deadline_unit"),
            (None, Some("days"), "deadline_amount"),
            (Some(2), Some("weeks"), "deadline_amount"),
            (Some(-1), Some("days"), "deadline_amount"),
            (Some(0), Some("days"), "deadline_amount"),
        ] {
            let err = stored_deadline(&at, amount, unit).unwrap_err();
            assert_eq!(
                (err.table, err.column, err.row.as_str()),
                ("contract_clauses", column, "c1/breach_notification")
            );
        }
    }
}
