//! Reminders by email (docs/architecture.md, "Background work"): planned from contracts, assessments,
//! reassessments and findings, one row per (subject, kind, due date, lead), sent exactly once by
//! the server's loop or `oversee remind --once`. The schedule itself is in `rules::reminders`.

pub mod ics;
pub mod message;
pub mod models;
pub mod planner;
pub mod routes;
pub mod sender;
pub mod settings;
pub mod store;
