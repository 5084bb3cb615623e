//! Assessments: a questionnaire sent to a vendor's respondent, answered through the portal,
//! reviewed, scored, and accepted or rejected.

pub mod evidence_files;
pub mod expiry;
pub mod models;
pub mod review;
pub mod routes;
pub mod store;
pub mod tokens;
pub mod view;
