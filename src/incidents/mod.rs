//! Vendor incidents (17.03(2)(j), c. 93H §3): the record DOMAIN.md section 7 asks for, measured
//! against the contract's breach-notification term, feeding the score and the reassessment date.

pub mod models;
pub mod record;
pub mod routes;
pub mod store;
