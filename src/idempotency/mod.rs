//! `Idempotency-Key` on POST: the same key with the same request replays the stored response; the
//! same key with another request is a 409. Keys belong to the caller (the token's subject) and
//! are kept for 24 hours.

pub mod middleware;
pub mod store;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
pub const RETENTION_HOURS: i64 = 24;
