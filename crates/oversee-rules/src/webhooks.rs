//! Outgoing webhooks as rules: the Standard Webhooks signature, event-type patterns, which
//! failures are retried and when, and which addresses a webhook may never reach. Pure; the
//! delivery worker and the subscription routes are built on these.

use std::net::IpAddr;

use base64::{engine::general_purpose::STANDARD, Engine};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Secrets are shown to subscribers as `whsec_<base64>`, as the specification writes them.
pub const SECRET_PREFIX: &str = "whsec_";

/// `v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{payload}">` with the secret's decoded bytes as key.
pub fn sign(secret: &str, msg_id: &str, timestamp: i64, payload: &[u8]) -> Result<String, String> {
    let encoded = secret.strip_prefix(SECRET_PREFIX).unwrap_or(secret);
    let key = STANDARD.decode(encoded).map_err(|e| format!("the secret is not base64: {e}"))?;
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).map_err(|e| e.to_string())?;
    mac.update(msg_id.as_bytes());
    mac.update(b".");
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(payload);
    Ok(format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes())))
}

/// The `webhook-signature` header: one signature per secret in use, space-separated, so that
/// during a rotation receivers holding either secret accept the message.
pub fn signature_header(secrets: &[&str], msg_id: &str, timestamp: i64, payload: &[u8]) -> Result<String, String> {
    let sigs: Vec<String> = secrets.iter().map(|s| sign(s, msg_id, timestamp, payload)).collect::<Result<_, _>>()?;
    Ok(sigs.join(" "))
}

/// A new secret: 32 random bytes, as `whsec_<base64>`.
pub fn secret_from(bytes: &[u8; 32]) -> String {
    format!("{SECRET_PREFIX}{}", STANDARD.encode(bytes))
}

/// `*`, an exact type such as `vendor.created`, or a family such as `contract.*`.
pub fn valid_pattern(p: &str) -> bool {
    let body = p.strip_suffix(".*").unwrap_or(p);
    p == "*"
        || (!body.is_empty()
            && p.len() <= 100
            && body.split('.').all(|part| {
                !part.is_empty() && part.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
            }))
}

pub fn matches(pattern: &str, event_type: &str) -> bool {
    match pattern.strip_suffix(".*") {
        _ if pattern == "*" => true,
        Some(family) => event_type.strip_prefix(family).is_some_and(|rest| rest.starts_with('.')),
        None => pattern == event_type,
    }
}

/// How one delivery attempt ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Status(u16),
    Timeout,
    ConnectionError,
}

impl Outcome {
    pub fn succeeded(self) -> bool {
        matches!(self, Outcome::Status(200..=299))
    }

    /// Server errors, timeouts, connection failures, 408 and 429 are worth another try; any other
    /// answer (a 4xx, or a redirect, which is not followed) will not change by retrying.
    pub fn retryable(self) -> bool {
        match self {
            Outcome::Status(s) => s >= 500 || s == 408 || s == 429,
            Outcome::Timeout | Outcome::ConnectionError => true,
        }
    }
}

/// Seconds to wait before each retry: about a day in all, then the delivery fails.
pub const SCHEDULE_SECONDS: [u64; 11] = [5, 30, 120, 600, 1800, 3600, 7200, 14400, 21600, 21600, 21600];

/// The wait before attempt `attempt + 1` after `attempt` failed (attempts count from 1), with
/// `jitter` in [0, 1) spreading it by up to ±20 %; `None` once the schedule is spent.
pub fn next_retry_in(attempt: u32, jitter: f64) -> Option<std::time::Duration> {
    let base = *SCHEDULE_SECONDS.get(attempt.checked_sub(1)? as usize)? as f64;
    let factor = 0.8 + 0.4 * jitter.clamp(0.0, 0.999_999);
    Some(std::time::Duration::from_millis((base * factor * 1000.0) as u64))
}

/// Why an address may not receive webhooks (SSRF guard), or `None` when it may.
pub fn forbidden_address(ip: IpAddr) -> Option<&'static str> {
    match ip {
        IpAddr::V4(v4) => {
            let o = v4.octets();
            if v4.is_loopback() {
                Some("loopback")
            } else if v4.is_unspecified() || v4.is_broadcast() || o[0] == 0 {
                Some("unspecified or broadcast")
            } else if o == [169, 254, 169, 254] || o == [100, 100, 100, 200] {
                Some("cloud metadata")
            } else if v4.is_link_local() {
                Some("link-local")
            } else if v4.is_private()
                || (o[0] == 100 && (64..128).contains(&o[1]))
                || (o[0] == 198 && (18..20).contains(&o[1]))
            {
                Some("private")
            } else if v4.is_multicast()
                || o[0] >= 240
                || (o[0] == 192 && o[1] == 0 && (o[2] == 0 || o[2] == 2))
                || (o[0] == 198 && o[1] == 51 && o[2] == 100)
                || (o[0] == 203 && o[1] == 0 && o[2] == 113)
            {
                Some("multicast or reserved")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_address(IpAddr::V4(v4));
            }
            let s = v6.segments();
            if v6.is_loopback() {
                Some("loopback")
            } else if v6.is_unspecified() {
                Some("unspecified or broadcast")
            } else if s[..6] == [0; 6] || s[..6] == [0, 0, 0, 0, 0xffff, 0] {
                // ::a.b.c.d and ::ffff:0:a.b.c.d (IPv4-translated): IPv4 addresses past an IPv4 check.
                Some("IPv4-compatible")
            } else if (s[0] == 0x0064 && s[1] == 0xff9b) || s[0] == 0x2002 || (s[0] == 0x2001 && s[1] == 0) {
                // NAT64 (64:ff9b::/96 and the local-use 64:ff9b:1::/48), 6to4 and Teredo carry
                // an IPv4 address inside, which may be a refused one.
                Some("IPv4 translation or tunnel")
            } else if s[0] == 0xfd00 && s[1] == 0x0ec2 {
                Some("cloud metadata")
            } else if (s[0] & 0xffc0) == 0xfe80 {
                Some("link-local")
            } else if (s[0] & 0xfe00) == 0xfc00 || (s[0] & 0xffc0) == 0xfec0 {
                Some("private")
            } else if v6.is_multicast() || (s[0] == 0x2001 && s[1] == 0x0db8) || s[..4] == [0x0100, 0, 0, 0] {
                Some("multicast or reserved")
            } else {
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "whsec_b3ZlcnNlZS10ZXN0LXNlY3JldC0wMTIzNDU2Nzg5YWI=";
    const PAYLOAD: &str = r#"{"type":"vendor.created","timestamp":"2026-11-25T12:00:00Z","data":{"id":"v1"}}"#;

    #[test]
    fn signatures_match_the_reference_library() {
        // Made with the `standardwebhooks` package from PyPI (1.1.0):
        // Webhook(SECRET).sign("msg_01a2", datetime.fromtimestamp(1795632000, utc), PAYLOAD)
        let sig = sign(SECRET, "msg_01a2", 1_795_632_000, PAYLOAD.as_bytes()).unwrap();
        assert_eq!(sig, "v1,1suFi1KHzFOHUhljg9WhrAFXQvhiZZM9pqzr3fPUSFY=");
        // Any change to id, time or body changes it.
        assert_ne!(sign(SECRET, "msg_01a3", 1_795_632_000, PAYLOAD.as_bytes()).unwrap(), sig);
        assert_ne!(sign(SECRET, "msg_01a2", 1_795_632_001, PAYLOAD.as_bytes()).unwrap(), sig);
        assert_ne!(sign(SECRET, "msg_01a2", 1_795_632_000, b"{}").unwrap(), sig);
        assert!(sign("whsec_not base64!", "m", 0, b"").is_err());
    }

    #[test]
    fn rotation_signs_with_both_secrets() {
        let other = secret_from(&[7u8; 32]);
        let header = signature_header(&[&other, SECRET], "msg_01a2", 1_795_632_000, PAYLOAD.as_bytes()).unwrap();
        let parts: Vec<&str> = header.split(' ').collect();
        assert_eq!(parts.len(), 2);
        assert_eq!(parts[1], "v1,1suFi1KHzFOHUhljg9WhrAFXQvhiZZM9pqzr3fPUSFY=");
        assert!(other.starts_with(SECRET_PREFIX));
    }

    #[test]
    fn patterns_and_matching() {
        for ok in ["*", "vendor.created", "contract.*", "vendor.score_changed", "a.b.c"] {
            assert!(valid_pattern(ok), "{ok}");
        }
        for bad in ["", ".*", "contract.", "Contract.*", "contract.**", "a..b", "*.created", "x y"] {
            assert!(!valid_pattern(bad), "{bad}");
        }
        assert!(matches("*", "finding.resolved"));
        assert!(matches("contract.*", "contract.compliance_changed"));
        assert!(!matches("contract.*", "contracts.created"));
        assert!(!matches("contract.*", "contract"));
        assert!(matches("vendor.created", "vendor.created"));
        assert!(!matches("vendor.created", "vendor.created_again"));
    }

    #[test]
    fn what_is_retried() {
        for s in [500, 502, 503, 599, 408, 429] {
            assert!(Outcome::Status(s).retryable(), "{s}");
            assert!(!Outcome::Status(s).succeeded());
        }
        for s in [400, 401, 403, 404, 410, 422, 301, 302] {
            assert!(!Outcome::Status(s).retryable(), "{s}");
        }
        assert!(Outcome::Timeout.retryable() && Outcome::ConnectionError.retryable());
        assert!(
            Outcome::Status(200).succeeded() && Outcome::Status(204).succeeded() && !Outcome::Status(199).succeeded()
        );
    }

    #[test]
    fn retries_spread_over_about_a_day_then_stop() {
        let total: u64 = (1..=SCHEDULE_SECONDS.len() as u32).map(|a| next_retry_in(a, 0.5).unwrap().as_secs()).sum();
        assert!((20 * 3600..=30 * 3600).contains(&total), "{total} s");
        assert_eq!(next_retry_in(0, 0.5), None);
        assert_eq!(next_retry_in(SCHEDULE_SECONDS.len() as u32 + 1, 0.5), None);
        // Jitter stays within ±20 %.
        assert_eq!(next_retry_in(1, 0.0).unwrap().as_millis(), 4000);
        assert_eq!(next_retry_in(1, 0.5).unwrap().as_millis(), 5000);
        assert!(next_retry_in(1, 1.0).unwrap().as_millis() < 6000);
        // Each wait is at least the one before (before jitter).
        assert!(SCHEDULE_SECONDS.windows(2).all(|w| w[0] <= w[1]));
    }

    #[test]
    fn private_loopback_link_local_and_metadata_addresses_are_refused() {
        let refused = [
            ("127.0.0.1", "loopback"),
            ("10.1.2.3", "private"),
            ("172.16.0.1", "private"),
            ("172.31.255.255", "private"),
            ("192.168.1.1", "private"),
            ("100.64.0.1", "private"),
            ("169.254.169.254", "cloud metadata"),
            ("169.254.1.1", "link-local"),
            ("0.0.0.0", "unspecified or broadcast"),
            ("255.255.255.255", "unspecified or broadcast"),
            ("224.0.0.1", "multicast or reserved"),
            ("::1", "loopback"),
            ("::", "unspecified or broadcast"),
            ("fe80::1", "link-local"),
            ("fd12:3456::1", "private"),
            ("fd00:ec2::254", "cloud metadata"),
            ("::ffff:127.0.0.1", "loopback"),
            ("::ffff:10.0.0.1", "private"),
            ("::ffff:169.254.169.254", "cloud metadata"),
            ("::127.0.0.1", "IPv4-compatible"),
            ("::10.0.0.1", "IPv4-compatible"),
            ("::8.8.8.8", "IPv4-compatible"),
            ("::ffff:0:7f00:1", "IPv4-compatible"),
            ("::ffff:0:a9fe:a9fe", "IPv4-compatible"),
            ("64:ff9b::a00:1", "IPv4 translation or tunnel"),
            ("64:ff9b::7f00:1", "IPv4 translation or tunnel"),
            ("64:ff9b:1::a00:1", "IPv4 translation or tunnel"),
            ("2002:7f00:1::1", "IPv4 translation or tunnel"),
            ("2002:a9fe:a9fe::1", "IPv4 translation or tunnel"),
            ("2001:0:4136:e378:8000:63bf:3fff:fdd2", "IPv4 translation or tunnel"),
            ("fec0::1", "private"),
            ("2001:db8::1", "multicast or reserved"),
            ("100::1", "multicast or reserved"),
            ("192.0.2.1", "multicast or reserved"),
            ("203.0.113.9", "multicast or reserved"),
        ];
        for (ip, why) in refused {
            assert_eq!(forbidden_address(ip.parse().unwrap()), Some(why), "{ip}");
        }
        for ip in [
            "93.184.216.34",
            "172.32.0.1",
            "100.128.0.1",
            "8.8.8.8",
            "2606:4700::1111",
            "2001:4860::8888",
            "2a00:1450::1",
        ] {
            assert_eq!(forbidden_address(ip.parse().unwrap()), None, "{ip}");
        }
    }
}
