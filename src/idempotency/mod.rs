//! `Idempotency-Key` on POST: the same key with the same request replays the stored response; the
//! same key with another request is a 409. Keys belong to the caller (the token's subject) and
//! are kept for `OVERSEE_IDEMPOTENCY_HOURS` (24 by default), then deleted by the server's
//! background loop. A response that carried a secret is not kept: its replay is a 409 saying so.

pub mod middleware;
pub mod store;

pub const HEADER: &str = "idempotency-key";
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
