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

    /// How long `key` must wait before its next request is allowed, when it has spent its
    /// allowance (nothing is counted).
    pub fn exhausted(&self, key: &str, now: Instant) -> Option<Duration> {
        let tat = self.tat.lock().unwrap_or_else(|p| p.into_inner());
        let next = tat.get(key).copied().filter(|t| *t > now)?;
        let allowance = self.period * self.burst;
        (next.duration_since(now) + self.period > allowance).then(|| next + self.period - allowance - now)
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
            .and_then(|v| v.trim().parse::<std::net::IpAddr>().ok())
            .map(address_key);
        if let Some(ip) = forwarded {
            return ip;
        }
    }
    req.peer_addr().map(|a| address_key(a.ip())).unwrap_or_else(|| "local".into())
}

/// An IPv6 client holds a whole /64 as a rule, so its addresses share one key.
fn address_key(ip: std::net::IpAddr) -> String {
    match ip {
        std::net::IpAddr::V6(v6) if v6.to_ipv4_mapped().is_none() => {
            let s = v6.segments();
            format!("{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
        }
        std::net::IpAddr::V6(v6) => v6.to_ipv4_mapped().map(|v4| v4.to_string()).unwrap_or_default(),
        v4 => v4.to_string(),
    }
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
    fn an_exhausted_key_is_told_how_long_to_wait_without_being_counted() {
        let l = Limiter::per_minute(60, 2);
        let t0 = Instant::now();
        assert_eq!(l.exhausted("a", t0), None);
        l.hit("a", t0).unwrap();
        assert_eq!(l.exhausted("a", t0), None, "one left");
        l.hit("a", t0).unwrap();
        assert_eq!(l.exhausted("a", t0), Some(Duration::from_secs(1)));
        assert_eq!(l.exhausted("a", t0 + Duration::from_secs(1)), None);
    }

    #[test]
    fn ipv6_clients_are_keyed_by_their_64() {
        let k = |s: &str| address_key(s.parse().unwrap());
        assert_eq!(k("2001:db8:1:2:aaaa::1"), k("2001:db8:1:2:ffff:ffff:ffff:ffff"));
        assert_ne!(k("2001:db8:1:2::1"), k("2001:db8:1:3::1"));
        assert_eq!(k("::ffff:198.51.100.7"), "198.51.100.7");
        assert_eq!(k("198.51.100.7"), "198.51.100.7");
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
