//! Tokens already verified, so a client sending the same bearer token on every request pays for
//! the signature check and the claims parsing once (about a tenth of a point read's CPU,
//! profiled), not on each request.
//!
//! A hit is as good as a fresh check: the key is the whole token, so the same string carries the
//! same signature and claims, and the only check that changes with time, expiry, is made again on
//! every hit. Each `JwtKeys` has its own cache, so a token verified under one key is never
//! accepted under another.

use std::{collections::HashMap, sync::RwLock};

use crate::auth::Principal;

/// Enough for every client of a busy deployment; when full the cache starts over rather than
/// tracking recency, which costs one re-verification per token. Expired entries stay until then:
/// a hit never returns them, and a lookup only takes the shared lock, so the worker threads
/// never wait on each other for a hit.
const CAPACITY: usize = 4096;

#[derive(Default)]
pub struct TokenCache {
    entries: RwLock<HashMap<String, (Principal, i64)>>,
}

impl TokenCache {
    /// The principal of a token verified before, if it has not expired at `now` (seconds), with
    /// the same leeway the full check allows.
    pub fn get(&self, token: &str, now: i64, leeway: i64) -> Option<Principal> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.get(token).filter(|(_, exp)| now <= exp + leeway).map(|(p, _)| p.clone())
    }

    pub fn put(&self, token: &str, principal: &Principal, exp: i64) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(token.to_string(), (principal.clone(), exp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;

    fn principal(sub: &str) -> Principal {
        Principal { sub: sub.into(), role: Role::Auditor, assessment_id: None, request_id: None }
    }

    #[test]
    fn a_hit_holds_until_expiry_plus_leeway_and_not_after() {
        let cache = TokenCache::default();
        cache.put("t", &principal("a@example.com"), 1_000);
        assert_eq!(cache.get("t", 1_000, 30).map(|p| p.sub), Some("a@example.com".into()));
        assert!(cache.get("t", 1_030, 30).is_some());
        assert!(cache.get("t", 1_031, 30).is_none());
        assert!(cache.get("t", 5_000, 30).is_none());
    }

    #[test]
    fn only_the_exact_token_hits() {
        let cache = TokenCache::default();
        cache.put("abc", &principal("a@example.com"), 1_000);
        assert!(cache.get("abd", 0, 0).is_none());
        assert!(cache.get("ab", 0, 0).is_none());
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = TokenCache::default();
        for i in 0..CAPACITY {
            cache.put(&format!("t{i}"), &principal("a@example.com"), 1_000);
        }
        cache.put("last", &principal("b@example.com"), 1_000);
        assert!(cache.get("t0", 0, 0).is_none());
        assert_eq!(cache.get("last", 0, 0).map(|p| p.sub), Some("b@example.com".into()));
    }
}
