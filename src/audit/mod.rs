//! The audit trail: every change writes who, what, before and after, in the change's own
//! transaction, together with an outbox event for integrations.

pub mod anchors;
pub mod chain;
pub mod keys;
pub mod models;
pub mod offline;
pub mod routes;
pub mod store;
pub mod verify;
