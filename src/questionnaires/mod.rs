//! Questionnaire templates: versioned, a built-in 201 CMR 17 template, JSON import and export,
//! and spreadsheet import of the questionnaires users bring (CAIQ, SIG...).

pub mod builtin;
pub mod models;
pub mod routes;
pub mod spreadsheet;
pub mod store;
