//! Vendors (service providers): the inventory everything else hangs off.

pub mod models;
pub mod routes;
pub mod store;
