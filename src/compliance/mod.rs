//! The 17.03(2)(f)2 evaluation over stored contracts: per contract, per vendor, and across the
//! portfolio; and the compliance policy setting.

pub mod changes;
pub mod models;
pub mod routes;
pub mod store;
pub mod sweep;
