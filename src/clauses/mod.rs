//! Clause types (a built-in library plus admin-defined ones) and the clauses recorded on contracts.

pub mod analysis;
pub mod builtin;
pub mod models;
pub mod routes;
pub mod store;

/// The clause (f)2 requires.
pub const SECURITY_MEASURES: &str = "security_measures";
