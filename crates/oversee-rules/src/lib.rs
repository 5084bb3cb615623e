//! Pure domain logic: no I/O, no diesel, no actix. Every function here is deterministic in its
//! inputs and unit-tested at its boundaries.

pub mod assessment_lifecycle;
pub mod capability;
pub mod clause_corpus;
pub mod clause_detection;
pub mod f2;
pub mod findings;
pub mod incidents;
pub mod questionnaire;
pub mod reminders;
pub mod risk_tier;
pub mod text;
pub mod tickets;
pub mod vendor_profile;
pub mod webhooks;
