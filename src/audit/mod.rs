//! The audit trail: every change writes who, what, before and after, in the change's own
//! transaction, together with an outbox event for integrations.

pub mod chain;
pub mod models;
pub mod routes;
pub mod store;
