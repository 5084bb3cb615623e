//! The vendor portal: what a respondent reaches with the token from their invitation, and
//! nothing else. The token names one assessment; no route here takes an id.

pub mod models;
pub mod routes;
pub mod session;
