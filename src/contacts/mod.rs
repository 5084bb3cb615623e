//! Vendor contacts: the people at a service provider (a sub-resource of a vendor).

pub mod models;
pub mod routes;
pub mod store;
