//! The evidence pack: one vendor's file for an auditor, as JSON or as a ZIP with the documents
//! and files behind it (issue #8, DOMAIN.md section 7).

pub mod archive;
pub mod models;
pub mod pack;
pub mod routes;
pub mod store;
