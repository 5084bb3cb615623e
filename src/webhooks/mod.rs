//! Outgoing webhooks (Standard Webhooks): subscriptions, fan-out from the outbox, signed delivery
//! with retries, and the delivery log. The rules (signature, patterns, retries, SSRF guard) are in
//! `rules::webhooks`.

pub mod catalogue;
pub mod guard;
pub mod models;
pub mod routes;
pub mod store;
pub mod worker;
