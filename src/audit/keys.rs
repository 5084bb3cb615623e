//! The optional audit key (`OVERSEE_AUDIT_KEY`, kept outside the database). With a key, each
//! link of the chain is an HMAC-SHA256 of the event's canonical bytes instead of a plain SHA-256,
//! so whoever can write to the database but does not hold the key cannot recompute the chain
//! after changing it. Older keys (`OVERSEE_AUDIT_PREVIOUS_KEYS`) verify the events linked before
//! a rotation. An event names its key by an id derived from the key, never the key itself.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

use crate::digest::hex;

/// Shortest key accepted: 32 characters.
pub const MIN_KEY_LEN: usize = 32;

#[derive(Clone)]
pub struct AuditKey {
    /// The first 16 hex digits of SHA-256 over `oversee-audit-key:` and the key.
    pub id: String,
    secret: Vec<u8>,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id)
    }
}

impl AuditKey {
    pub fn new(secret: &str) -> Result<AuditKey, String> {
        if secret.len() < MIN_KEY_LEN {
            return Err(format!("an audit key needs at least {MIN_KEY_LEN} characters"));
        }
        Ok(AuditKey { id: key_id(secret), secret: secret.as_bytes().to_vec() })
    }

    /// HMAC-SHA256 of `bytes`, in lowercase hex.
    pub fn mac_hex(&self, bytes: &[u8]) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.secret).expect("HMAC takes a key of any length");
        mac.update(bytes);
        hex(&mac.finalize().into_bytes())
    }
}

/// The id an event records for the key that linked it.
pub fn key_id(secret: &str) -> String {
    let digest = Sha256::digest(format!("oversee-audit-key:{secret}").as_bytes());
    hex(&digest[..8])
}

/// The key new events are linked with, every key that may have linked older ones, and where
/// keying began as noted outside the database.
#[derive(Clone, Debug, Default)]
pub struct AuditKeys {
    pub current: Option<AuditKey>,
    pub previous: Vec<AuditKey>,
    /// Every event from this seq on must be keyed (`OVERSEE_AUDIT_KEYED_SINCE`). Without it,
    /// someone who rewrites every keyed event as unkeyed, from the first one, leaves a chain that
    /// looks as if it had never been keyed; with it, that is reported.
    pub keyed_since: Option<i64>,
}

impl AuditKeys {
    /// From the two settings' values: the current key, and older keys separated by commas.
    pub fn parse(current: Option<&str>, previous: Option<&str>) -> Result<AuditKeys, (&'static str, String)> {
        let current = current.map(AuditKey::new).transpose().map_err(|e| ("OVERSEE_AUDIT_KEY", e))?;
        let previous = previous
            .unwrap_or_default()
            .split(',')
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .map(AuditKey::new)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| ("OVERSEE_AUDIT_PREVIOUS_KEYS", e))?;
        Ok(AuditKeys { current, previous, keyed_since: None })
    }

    /// The key with this id, current or previous.
    pub fn find(&self, id: &str) -> Option<&AuditKey> {
        self.current.iter().chain(&self.previous).find(|k| k.id == id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "an-audit-key-that-is-long-enough-000";
    const B: &str = "another-audit-key-long-enough-111111";

    #[test]
    fn ids_are_stable_short_and_reveal_nothing_of_the_key() {
        let k = AuditKey::new(A).unwrap();
        assert_eq!(k.id, key_id(A));
        assert_eq!(k.id.len(), 16);
        assert_ne!(key_id(A), key_id(B));
        assert!(!format!("{k:?}").contains(A));
    }

    #[test]
    fn the_mac_depends_on_the_key_and_the_bytes() {
        let (a, b) = (AuditKey::new(A).unwrap(), AuditKey::new(B).unwrap());
        assert_eq!(a.mac_hex(b"x"), a.mac_hex(b"x"));
        assert_ne!(a.mac_hex(b"x"), b.mac_hex(b"x"));
        assert_ne!(a.mac_hex(b"x"), a.mac_hex(b"y"));
        assert_eq!(a.mac_hex(b"x").len(), 64);
    }

    /// RFC 4231 test case 2, so another language's HMAC gives the same links.
    #[test]
    fn hmac_matches_the_published_vector() {
        let k = AuditKey { id: String::new(), secret: b"Jefe".to_vec() };
        assert_eq!(
            k.mac_hex(b"what do ya want for nothing?"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn settings_are_parsed_and_short_keys_refused_naming_the_variable() {
        let keys = AuditKeys::parse(Some(A), Some(&format!(" {B} ,"))).unwrap();
        assert_eq!(keys.current.as_ref().unwrap().id, key_id(A));
        assert_eq!(keys.previous.len(), 1);
        assert!(keys.find(&key_id(B)).is_some());
        assert!(keys.find("0000000000000000").is_none());
        assert_eq!(AuditKeys::parse(Some("short"), None).unwrap_err().0, "OVERSEE_AUDIT_KEY");
        assert_eq!(AuditKeys::parse(None, Some("short")).unwrap_err().0, "OVERSEE_AUDIT_PREVIOUS_KEYS");
        assert!(AuditKeys::parse(None, None).unwrap().current.is_none());
    }
}
