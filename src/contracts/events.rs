//! Dated contract events. A renewal moves `ends_on`; a termination ends the contract; any event
//! may add or remove clauses, which then count from (or stop after) its execution date.

use chrono::NaiveDate;
use diesel::{prelude::*, Insertable, Queryable};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use crate::{
    auth::Principal,
    clauses::{
        models::{Clause, ClauseRow, ClauseStatus},
        store as clauses,
    },
    db::{
        schema::contract_events as e,
        stored::{Row, Unreadable},
        DbConn,
    },
    error::{validate_all, ApiError, ApiResult, FieldError},
    rules::{f2, vendor_profile::text_enum},
    time::{self, date_text},
};

text_enum!(EventKind { Renewal => "renewal", Amendment => "amendment", Termination => "termination" });

impl EventKind {
    pub fn to_rule(self) -> f2::EventKind {
        match self {
            EventKind::Renewal => f2::EventKind::Renewal,
            EventKind::Amendment => f2::EventKind::Amendment,
            EventKind::Termination => f2::EventKind::Termination,
        }
    }
}

#[derive(Queryable, Insertable, Debug, Clone)]
#[diesel(table_name = crate::db::schema::contract_events)]
pub struct EventRow {
    pub id: String,
    pub contract_id: String,
    pub kind: String,
    pub executed_on: String,
    pub summary: Option<String>,
    pub clauses_added: String,
    pub clauses_removed: String,
    pub previous_ends_on: Option<String>,
    pub new_ends_on: Option<String>,
    pub created_at: String,
}

/// A renewal, amendment or termination.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ContractEvent {
    pub id: String,
    pub contract_id: String,
    pub kind: EventKind,
    pub executed_on: NaiveDate,
    pub summary: Option<String>,
    pub clauses_added: Vec<String>,
    pub clauses_removed: Vec<String>,
    /// For renewals: the end date before and after.
    pub previous_ends_on: Option<NaiveDate>,
    pub new_ends_on: Option<NaiveDate>,
    pub created_at: String,
}

impl TryFrom<EventRow> for ContractEvent {
    type Error = Unreadable;

    fn try_from(r: EventRow) -> Result<Self, Unreadable> {
        let at = Row::new("contract_events", &r.id);
        Ok(ContractEvent {
            kind: at.one_of("kind", "contract event kind", &r.kind, EventKind::parse)?,
            executed_on: at.date("executed_on", &r.executed_on)?,
            clauses_added: at.json("clauses_added", &r.clauses_added)?,
            clauses_removed: at.json("clauses_removed", &r.clauses_removed)?,
            previous_ends_on: at.optional_date("previous_ends_on", r.previous_ends_on.as_deref())?,
            new_ends_on: at.optional_date("new_ends_on", r.new_ends_on.as_deref())?,
            id: r.id,
            contract_id: r.contract_id,
            summary: r.summary,
            created_at: r.created_at,
        })
    }
}

/// A new event. A renewal needs `new_ends_on`; a termination may give its last day in force as
/// `new_ends_on` (default: `executed_on`).
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"kind": "amendment", "executed_on": "2011-06-01", "summary": "Data security addendum", "clauses_added": ["security_measures"]}))]
pub struct CreateEvent {
    pub kind: EventKind,
    pub executed_on: NaiveDate,
    #[validate(length(max = 4000, message = "at most 4000 characters"))]
    pub summary: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50, message = "at most 50 clause types"))]
    pub clauses_added: Vec<String>,
    #[serde(default)]
    #[validate(length(max = 50, message = "at most 50 clause types"))]
    pub clauses_removed: Vec<String>,
    pub new_ends_on: Option<NaiveDate>,
}

/// The contract as an event finds it, and what the event changes.
pub struct EventEffect {
    pub ends_on: Option<NaiveDate>,
    pub terminated_on: Option<NaiveDate>,
    pub terminated: bool,
    pub previous_ends_on: Option<NaiveDate>,
}

/// Checks an event against its contract and works out its effect on the contract's dates.
pub fn plan(
    ev: &CreateEvent,
    entered_on: NaiveDate,
    ends_on: Option<NaiveDate>,
    terminated_on: Option<NaiveDate>,
    last_executed: Option<NaiveDate>,
) -> ApiResult<EventEffect> {
    let mut errors = Vec::new();
    if ev.executed_on < entered_on {
        errors.push(FieldError::new("executed_on", "must not be before the contract's entered_on"));
    }
    if let Some(last) = last_executed.filter(|l| ev.executed_on < *l) {
        errors.push(FieldError::new(
            "executed_on",
            format!("events are recorded in order; the latest was executed on {}", date_text(last)),
        ));
    }
    if terminated_on.is_some() {
        return Err(ApiError::Conflict("the contract is terminated; record no further events".into()));
    }
    if ev.clauses_added.iter().any(|k| ev.clauses_removed.contains(k)) {
        errors.push(FieldError::new("clauses_removed", "a clause type cannot be both added and removed"));
    }
    let mut effect = EventEffect { ends_on, terminated_on, terminated: false, previous_ends_on: None };
    match ev.kind {
        EventKind::Renewal => match ev.new_ends_on {
            None => errors.push(FieldError::new("new_ends_on", "is required for a renewal")),
            Some(new_end) if ends_on.is_some_and(|e| new_end <= e) || new_end < ev.executed_on => {
                errors.push(FieldError::new("new_ends_on", "must be after the current ends_on and the execution date"))
            }
            Some(new_end) => {
                effect.previous_ends_on = ends_on;
                effect.ends_on = Some(new_end);
            }
        },
        EventKind::Termination => {
            let last_day = ev.new_ends_on.unwrap_or(ev.executed_on);
            if last_day < entered_on {
                errors.push(FieldError::new("new_ends_on", "must not be before the contract's entered_on"));
            }
            effect.terminated_on = Some(last_day);
            effect.terminated = true;
        }
        EventKind::Amendment => {
            if ev.new_ends_on.is_some() {
                errors.push(FieldError::new("new_ends_on", "only renewals and terminations change the end date"));
            }
        }
    }
    validate_all(ev.validate(), errors)?;
    Ok(effect)
}

pub fn insert(conn: &mut DbConn, row: &EventRow) -> Result<(), ApiError> {
    diesel::insert_into(e::table).values(row).execute(conn)?;
    Ok(())
}

/// In execution order.
pub fn list_for_contracts(conn: &mut DbConn, contract_ids: &[String]) -> Result<Vec<EventRow>, ApiError> {
    Ok(crate::on_backend!(conn, |c| e::table
        .filter(e::contract_id.eq_any(contract_ids))
        .order((e::contract_id.asc(), e::executed_on.asc(), e::id.asc()))
        .load(c))?)
}

pub fn last_executed(conn: &mut DbConn, contract_id: &str) -> Result<Option<NaiveDate>, ApiError> {
    let last: Option<String> =
        e::table.filter(e::contract_id.eq(contract_id)).select(diesel::dsl::max(e::executed_on)).first(conn)?;
    let at = format!("the latest of contract {contract_id}");
    Ok(Row::new("contract_events", &at).optional_date("executed_on", last.as_deref())?)
}

/// Applies an event's clause changes: an added clause is present from the execution date (and
/// needs verifying again); a removed one stands until the day before.
pub fn apply_clause_changes(
    conn: &mut DbConn,
    actor: &Principal,
    contract_id: &str,
    ev: &CreateEvent,
) -> Result<(), ApiError> {
    let now = time::now();
    let lists = [("clauses_added", &ev.clauses_added), ("clauses_removed", &ev.clauses_removed)];
    for (list, i, key) in
        lists.into_iter().flat_map(|(list, keys)| keys.iter().enumerate().map(move |(i, k)| (list, i, k)))
    {
        let added = list == "clauses_added";
        clauses::require_type(conn, key)
            .map_err(|_| ApiError::invalid(&format!("{list}[{i}]"), &format!("unknown clause type '{key}'")))?;
        let before = clauses::get(conn, contract_id, key)?;
        let base = before.clone().unwrap_or(ClauseRow {
            contract_id: contract_id.to_string(),
            clause_type: key.clone(),
            status: ClauseStatus::Unknown.as_str().into(),
            effective_from: date_text(ev.executed_on),
            effective_to: None,
            section_ref: None,
            excerpt: None,
            notes: None,
            deadline_amount: None,
            deadline_unit: None,
            verified_by: None,
            verified_at: None,
            version: 0,
            created_at: now.clone(),
            updated_at: now.clone(),
        });
        let mut row = ClauseRow { version: base.version + 1, updated_at: now.clone(), ..base };
        if added {
            row.status = ClauseStatus::Present.as_str().into();
            row.effective_from = date_text(ev.executed_on);
            row.effective_to = None;
            row.verified_by = None;
            row.verified_at = None;
        } else if row.status == ClauseStatus::Present.as_str() {
            row.effective_to = ev.executed_on.pred_opt().map(date_text);
        } else {
            row.status = ClauseStatus::Absent.as_str().into();
            row.effective_from = date_text(ev.executed_on);
        }
        clauses::save_audited(conn, actor, "updated", before.map(Clause::try_from).transpose()?, row)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn ev(kind: EventKind, on: &str, new_end: Option<&str>) -> CreateEvent {
        CreateEvent {
            kind,
            executed_on: d(on),
            summary: None,
            clauses_added: vec![],
            clauses_removed: vec![],
            new_ends_on: new_end.map(d),
        }
    }

    #[test]
    fn renewal_moves_the_end_date_forward_only() {
        let e = plan(
            &ev(EventKind::Renewal, "2015-01-01", Some("2017-12-31")),
            d("2010-01-01"),
            Some(d("2015-12-31")),
            None,
            None,
        )
        .unwrap();
        assert_eq!(e.ends_on, Some(d("2017-12-31")));
        assert_eq!(e.previous_ends_on, Some(d("2015-12-31")));
        assert!(plan(
            &ev(EventKind::Renewal, "2015-01-01", Some("2015-12-31")),
            d("2010-01-01"),
            Some(d("2015-12-31")),
            None,
            None
        )
        .is_err());
        assert!(plan(&ev(EventKind::Renewal, "2015-01-01", None), d("2010-01-01"), None, None, None).is_err());
    }

    #[test]
    fn termination_ends_the_contract_and_nothing_follows_it() {
        let e = plan(&ev(EventKind::Termination, "2015-01-01", None), d("2010-01-01"), None, None, None).unwrap();
        assert_eq!(e.terminated_on, Some(d("2015-01-01")));
        assert!(e.terminated);
        let r = plan(&ev(EventKind::Amendment, "2016-01-01", None), d("2010-01-01"), None, Some(d("2015-01-01")), None);
        assert!(matches!(r, Err(ApiError::Conflict(_))));
    }

    #[test]
    fn events_are_in_order_and_after_entry() {
        assert!(plan(&ev(EventKind::Amendment, "2009-01-01", None), d("2010-01-01"), None, None, None).is_err());
        assert!(plan(
            &ev(EventKind::Amendment, "2012-01-01", None),
            d("2010-01-01"),
            None,
            None,
            Some(d("2013-01-01"))
        )
        .is_err());
        assert!(plan(
            &ev(EventKind::Amendment, "2013-01-01", None),
            d("2010-01-01"),
            None,
            None,
            Some(d("2013-01-01"))
        )
        .is_ok());
    }
}
