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

/// A verified token: who it names, when it expires and when it was issued (seconds).
type Entry = (Principal, i64, i64);

#[derive(Default)]
pub struct TokenCache {
    entries: RwLock<HashMap<String, Entry>>,
}

impl TokenCache {
    /// The principal of a token verified before and when it was issued, if it has not expired at
    /// `now` (seconds), with the same leeway the full check allows. (Revocation, which can change
    /// after a token was cached, is checked by the caller on every hit.)
    pub fn get(&self, token: &str, now: i64, leeway: i64) -> Option<(Principal, i64)> {
        let entries = self.entries.read().unwrap_or_else(|p| p.into_inner());
        entries.get(token).filter(|(_, exp, _)| now <= exp + leeway).map(|(p, _, iat)| (p.clone(), *iat))
    }

    pub fn put(&self, token: &str, principal: &Principal, exp: i64, iat: i64) {
        let mut entries = self.entries.write().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= CAPACITY {
            entries.clear();
        }
        entries.insert(token.to_string(), (principal.clone(), exp, iat));
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
        cache.put("t", &principal("a@example.com"), 1_000, 900);
        assert_eq!(cache.get("t", 1_000, 30).map(|(p, iat)| (p.sub, iat)), Some(("a@example.com".into(), 900)));
        assert!(cache.get("t", 1_030, 30).is_some());
        assert!(cache.get("t", 1_031, 30).is_none());
        assert!(cache.get("t", 5_000, 30).is_none());
    }

    #[test]
    fn only_the_exact_token_hits() {
        let cache = TokenCache::default();
        cache.put("abc", &principal("a@example.com"), 1_000, 0);
        assert!(cache.get("abd", 0, 0).is_none());
        assert!(cache.get("ab", 0, 0).is_none());
    }

    #[test]
    fn a_full_cache_starts_over() {
        let cache = TokenCache::default();
        for i in 0..CAPACITY {
            cache.put(&format!("t{i}"), &principal("a@example.com"), 1_000, 0);
        }
        cache.put("last", &principal("b@example.com"), 1_000, 0);
        assert!(cache.get("t0", 0, 0).is_none());
        assert_eq!(cache.get("last", 0, 0).map(|(p, _)| p.sub), Some("b@example.com".into()));
    }
}
