//! The capability score of a vendor under 17.03(2)(f), its (f)1 status, snapshots when inputs
//! change, and the portfolio summary. The model is in `rules::capability`; docs/scoring.md explains it.

pub mod inputs;
pub mod models;
pub mod routes;
pub mod snapshots;
