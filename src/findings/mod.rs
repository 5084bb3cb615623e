//! Findings: weaknesses found in a vendor (often from an assessment question), tracked to
//! resolution or to an accepted risk.

pub mod models;
pub mod routes;
pub mod store;
pub mod tickets;
