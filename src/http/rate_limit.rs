//! Rate limits, per key (a client address, a principal): a generic cell rate algorithm, so a key
//! may spend `burst` requests at once and then one every `period`. Used for failed
//! authentications and respondent-token attempts per client address, and clause analysis per
//! caller. Memory stays bounded: keys whose allowance has fully come back are dropped when the
//! table grows.

use std::{
    collections::HashMap,
    sync::Mutex,
    time::{Duration, Instant},
};

/// Past this many keys, the table is swept of keys with nothing outstanding.
const SWEEP_AT: usize = 50_000;

pub struct Limiter {
    period: Duration,
    burst: u32,
    /// Key → the theoretical arrival time of its next request.
    tat: Mutex<HashMap<String, Instant>>,
}

impl Limiter {
    /// `per_minute` requests a minute, `burst` of them at once.
    pub fn per_minute(per_minute: u32, burst: u32) -> Limiter {
        Limiter {
            period: Duration::from_secs(60) / per_minute.max(1),
            burst: burst.max(1),
            tat: Mutex::new(HashMap::new()),
        }
    }

    /// Counts one request for `key` at `now`: `Err(wait)` when it is over the limit (and then it
    /// is not counted).
    pub fn hit(&self, key: &str, now: Instant) -> Result<(), Duration> {
        let mut tat = self.tat.lock().unwrap_or_else(|p| p.into_inner());
        if tat.len() >= SWEEP_AT {
            tat.retain(|_, t| *t > now);
        }
        let allowance = self.period * self.burst;
        let next = tat.get(key).copied().filter(|t| *t > now).unwrap_or(now);
        if next.duration_since(now) + self.period > allowance {
            return Err(next + self.period - allowance - now);
        }
        tat.insert(key.to_string(), next + self.period);
        Ok(())
    }
}

/// The limits of one process.
pub struct Limits {
    /// Failed authentications (bad or missing bearer tokens) per client address.
    pub auth_failures: Limiter,
    /// Failed respondent-token attempts at the vendor portal per client address.
    pub portal_failures: Limiter,
    /// Clause analyses per caller (each may read up to 2 MiB of text).
    pub analyses: Limiter,
}

impl Limits {
    pub fn from_config(c: &crate::config::Config) -> Limits {
        Limits {
            auth_failures: Limiter::per_minute(c.rate_auth_failures, c.rate_auth_failures),
            portal_failures: Limiter::per_minute(c.rate_portal_failures, c.rate_portal_failures),
            analyses: Limiter::per_minute(c.rate_analyses, c.rate_analyses.min(5)),
        }
    }
}

/// The client's address as the key: the peer, or with `OVERSEE_TRUST_FORWARDED_FOR` the
/// address the proxy in front says it saw (the last `X-Forwarded-For` entry, the one the proxy
/// itself added).
pub fn client_key(req: &actix_web::HttpRequest, trust_forwarded: bool) -> String {
    if trust_forwarded {
        let forwarded = req
            .headers()
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.rsplit(',').next())
            .map(|v| v.trim().to_string())
            .filter(|v| v.parse::<std::net::IpAddr>().is_ok());
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    req.peer_addr().map(|a| a.ip().to_string()).unwrap_or_else(|| "local".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_burst_then_one_a_period_and_each_key_apart() {
        let l = Limiter::per_minute(60, 3); // one a second, three at once
        let t0 = Instant::now();
        for _ in 0..3 {
            assert!(l.hit("a", t0).is_ok());
        }
        let wait = l.hit("a", t0).unwrap_err();
        assert_eq!(wait, Duration::from_secs(1));
        assert!(l.hit("b", t0).is_ok(), "another key has its own allowance");
        assert!(l.hit("a", t0 + Duration::from_millis(999)).is_err());
        assert!(l.hit("a", t0 + Duration::from_secs(1)).is_ok());
        // A refused request is not counted: after a full rest, the whole burst is back.
        let later = t0 + Duration::from_secs(10);
        for _ in 0..3 {
            assert!(l.hit("a", later).is_ok());
        }
        assert!(l.hit("a", later).is_err());
    }

    #[test]
    fn the_table_forgets_keys_with_nothing_outstanding() {
        let l = Limiter::per_minute(600, 1);
        let t0 = Instant::now();
        for i in 0..SWEEP_AT {
            l.hit(&i.to_string(), t0).unwrap();
        }
        l.hit("late", t0 + Duration::from_secs(1)).unwrap();
        assert_eq!(l.tat.lock().unwrap().len(), 1);
    }
}
