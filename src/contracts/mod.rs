//! Contracts with service providers and their dated events (renewals, amendments, terminations).

pub mod events;
pub mod models;
pub mod routes;
pub mod store;
