use diesel::prelude::*;

use super::{
    builtin::BUILTIN,
    models::{Clause, ClauseRow, ClauseTypeRow},
};
use crate::{
    audit::store::{self as audit, Change},
    auth::Principal,
    db::{
        schema::{clause_types as t, contract_clauses as cc},
        DbConn,
    },
    error::ApiError,
    time,
};

/// Adds any built-in clause type the database lacks; returns how many were added.
pub fn install_builtins(conn: &mut DbConn) -> Result<usize, ApiError> {
    let existing: Vec<String> = t::table.select(t::key).load(conn)?;
    let mut added = 0;
    for b in BUILTIN.iter().filter(|b| !existing.iter().any(|k| k == b.key)) {
        let row = ClauseTypeRow {
            key: b.key.into(),
            title: b.title.into(),
            description: b.description.into(),
            supports: serde_json::to_string(b.supports).unwrap_or_else(|_| "[]".into()),
            builtin: true,
            created_at: time::now(),
        };
        diesel::insert_into(t::table).values(&row).execute(conn)?;
        added += 1;
    }
    Ok(added)
}

pub fn list_types(conn: &mut DbConn) -> Result<Vec<ClauseTypeRow>, ApiError> {
    Ok(t::table.order((t::builtin.desc(), t::key.asc())).load(conn)?)
}

pub fn type_exists(conn: &mut DbConn, key: &str) -> Result<bool, ApiError> {
    Ok(t::table.find(key).count().get_result::<i64>(conn)? > 0)
}

pub fn require_type(conn: &mut DbConn, key: &str) -> Result<(), ApiError> {
    if type_exists(conn, key)? {
        Ok(())
    } else {
        Err(ApiError::not_found("clause type", key))
    }
}

pub fn insert_type(conn: &mut DbConn, row: &ClauseTypeRow) -> Result<(), ApiError> {
    if type_exists(conn, &row.key)? {
        return Err(ApiError::Conflict(format!("clause type '{}' already exists", row.key)));
    }
    diesel::insert_into(t::table).values(row).execute(conn)?;
    Ok(())
}

pub fn get(conn: &mut DbConn, contract_id: &str, clause_type: &str) -> Result<Option<ClauseRow>, ApiError> {
    Ok(cc::table.find((contract_id, clause_type)).first(conn).optional()?)
}

pub fn list_for_contract(conn: &mut DbConn, contract_id: &str) -> Result<Vec<ClauseRow>, ApiError> {
    Ok(cc::table.filter(cc::contract_id.eq(contract_id)).order(cc::clause_type.asc()).load(conn)?)
}

/// The clauses of one type for many contracts, in one query.
pub fn of_type_for(conn: &mut DbConn, clause_type: &str, contract_ids: &[String]) -> Result<Vec<ClauseRow>, ApiError> {
    Ok(crate::on_backend!(conn, |c| cc::table
        .filter(cc::clause_type.eq(clause_type))
        .filter(cc::contract_id.eq_any(contract_ids))
        .load(c))?)
}

/// Inserts or replaces a clause record (diesel's multi-backend connection has no upsert).
pub fn save(conn: &mut DbConn, row: &ClauseRow) -> Result<(), ApiError> {
    let exists = get(conn, &row.contract_id, &row.clause_type)?.is_some();
    if exists {
        diesel::update(cc::table.find((&row.contract_id, &row.clause_type))).set(row).execute(conn)?;
    } else {
        diesel::insert_into(cc::table).values(row).execute(conn)?;
    }
    Ok(())
}

/// Saves a clause record and writes its audit event (`contract_clause`, `<contract>/<type>`).
pub fn save_audited(
    conn: &mut DbConn,
    actor: &Principal,
    action: &str,
    before: Option<Clause>,
    row: ClauseRow,
) -> Result<Clause, ApiError> {
    save(conn, &row)?;
    let after = Clause::try_from(row)?;
    let subject = format!("{}/{}", after.contract_id, after.clause_type);
    audit::record(conn, actor, Change::new(action, "contract_clause", &subject, before.as_ref(), Some(&after)))?;
    Ok(after)
}
