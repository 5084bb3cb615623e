//! Revoking bearer tokens: an admin records a "not before" for a subject (`POST
//! /api/v1/auth/revocations`), and every token for that subject issued before it is refused from
//! then on, also when it was already verified and cached. Each process keeps the revocations in
//! memory (checked on every request without a query), records its own at once, and reloads them
//! from the database every 30 seconds, so the other replicas honour one within that time.

pub mod routes;
pub mod store;

use std::{collections::HashMap, sync::RwLock};

/// How often a process reloads the revocations others recorded.
pub const RELOAD_EVERY: std::time::Duration = std::time::Duration::from_secs(30);

/// Subject → the moment (seconds) before which its tokens are refused.
#[derive(Default)]
pub struct Revocations {
    not_before: RwLock<HashMap<String, i64>>,
}

impl Revocations {
    /// Whether a token for `sub` issued at `iat` (seconds) has been revoked.
    pub fn revoked(&self, sub: &str, iat: i64) -> bool {
        let map = self.not_before.read().unwrap_or_else(|p| p.into_inner());
        map.get(sub).is_some_and(|nb| iat < *nb)
    }

    pub fn set(&self, sub: &str, not_before: i64) {
        let mut map = self.not_before.write().unwrap_or_else(|p| p.into_inner());
        let entry = map.entry(sub.to_string()).or_insert(not_before);
        *entry = (*entry).max(not_before);
    }

    pub fn replace_all(&self, all: HashMap<String, i64>) {
        *self.not_before.write().unwrap_or_else(|p| p.into_inner()) = all;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_issued_before_the_mark_are_refused_and_later_ones_are_not() {
        let r = Revocations::default();
        assert!(!r.revoked("a@example.com", 100));
        r.set("a@example.com", 200);
        assert!(r.revoked("a@example.com", 199));
        assert!(!r.revoked("a@example.com", 200), "issued at the mark: after the revocation");
        assert!(!r.revoked("b@example.com", 100), "other subjects are untouched");
        // An earlier mark never undoes a later one.
        r.set("a@example.com", 150);
        assert!(r.revoked("a@example.com", 199));
        r.replace_all(HashMap::new());
        assert!(!r.revoked("a@example.com", 199));
    }
}
