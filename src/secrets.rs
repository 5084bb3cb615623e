//! Secrets at rest: webhook signing secrets are stored sealed (ChaCha20-Poly1305, a random nonce
//! each) when `OVERSEE_SECRET_KEY` is set, so a copy of the database does not hand out the
//! secrets that sign what Oversee sends. Without the key they are stored as they are (the README
//! says so). A sealed value that cannot be opened is an error naming where it is stored, never a
//! value taken as it stands.

use base64::{engine::general_purpose::STANDARD_NO_PAD, Engine};
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, CHACHA20_POLY1305, NONCE_LEN};
use sha2::{Digest, Sha256};

use crate::error::ApiError;

/// Marks a sealed value: `enc:v1:` then base64 of the nonce, the ciphertext and the tag.
const PREFIX: &str = "enc:v1:";

/// Shortest key accepted.
pub const MIN_KEY_LEN: usize = 32;

#[derive(Clone)]
pub struct SecretBox {
    key: Option<std::sync::Arc<LessSafeKey>>,
}

impl std::fmt::Debug for SecretBox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SecretBox({})", if self.key.is_some() { "sealing" } else { "plain" })
    }
}

impl SecretBox {
    /// From `OVERSEE_SECRET_KEY`'s value: the sealing key is its SHA-256.
    pub fn new(key_text: Option<&str>) -> Result<SecretBox, String> {
        let key = match key_text {
            None => None,
            Some(k) if k.len() < MIN_KEY_LEN => return Err(format!("must be at least {MIN_KEY_LEN} characters")),
            Some(k) => {
                let bytes = Sha256::digest(format!("oversee-secret-key:{k}").as_bytes());
                let unbound = UnboundKey::new(&CHACHA20_POLY1305, &bytes).map_err(|_| "unusable key".to_string())?;
                Some(std::sync::Arc::new(LessSafeKey::new(unbound)))
            }
        };
        Ok(SecretBox { key })
    }

    pub fn seals(&self) -> bool {
        self.key.is_some()
    }

    /// What to store for `plain`: sealed with the key, or as it is without one.
    pub fn seal(&self, plain: &str) -> Result<String, ApiError> {
        let Some(key) = &self.key else { return Ok(plain.to_string()) };
        let mut nonce = [0u8; NONCE_LEN];
        getrandom::getrandom(&mut nonce).map_err(|e| ApiError::Internal(format!("no randomness for a nonce: {e}")))?;
        let mut data = plain.as_bytes().to_vec();
        key.seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut data)
            .map_err(|_| ApiError::Internal("sealing a secret failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend(data);
        Ok(format!("{PREFIX}{}", STANDARD_NO_PAD.encode(out)))
    }

    /// The plain secret from what was stored; `place` names it for the error (`table.column of
    /// row <id>`).
    pub fn open(&self, stored: &str, place: &str) -> Result<String, ApiError> {
        let Some(body) = stored.strip_prefix(PREFIX) else { return Ok(stored.to_string()) };
        let Some(key) = &self.key else {
            return Err(ApiError::Internal(format!("{place} is sealed and OVERSEE_SECRET_KEY is not set")));
        };
        let unreadable = || ApiError::Internal(format!("{place} cannot be opened with OVERSEE_SECRET_KEY"));
        let bytes = STANDARD_NO_PAD.decode(body).map_err(|_| unreadable())?;
        if bytes.len() < NONCE_LEN {
            return Err(unreadable());
        }
        let (nonce, sealed) = bytes.split_at(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(nonce).map_err(|_| unreadable())?;
        let mut data = sealed.to_vec();
        let plain = key.open_in_place(nonce, Aad::empty(), &mut data).map_err(|_| unreadable())?;
        String::from_utf8(plain.to_vec()).map_err(|_| unreadable())
    }

    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "a-secret-key-that-is-long-enough-0000";

    #[test]
    fn sealed_values_open_only_with_their_key_and_never_repeat() {
        let b = SecretBox::new(Some(KEY)).unwrap();
        let (one, two) = (b.seal("whsec_abc").unwrap(), b.seal("whsec_abc").unwrap());
        assert!(SecretBox::is_sealed(&one) && !one.contains("whsec_abc"));
        assert_ne!(one, two, "a fresh nonce each time");
        assert_eq!(b.open(&one, "t.c of row 1").unwrap(), "whsec_abc");
        let other = SecretBox::new(Some("another-secret-key-long-enough-11111")).unwrap();
        let err = other.open(&one, "webhook_subscriptions.secret of row 7").unwrap_err().to_string();
        assert!(err.contains("webhook_subscriptions.secret of row 7"), "{err}");
        let none = SecretBox::new(None).unwrap();
        let err = none.open(&one, "webhook_subscriptions.secret of row 7").unwrap_err().to_string();
        assert!(err.contains("OVERSEE_SECRET_KEY is not set"), "{err}");
    }

    #[test]
    fn a_changed_byte_is_refused() {
        let b = SecretBox::new(Some(KEY)).unwrap();
        let sealed = b.seal("whsec_abc").unwrap();
        let mut bytes = STANDARD_NO_PAD.decode(&sealed[PREFIX.len()..]).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        let tampered = format!("{PREFIX}{}", STANDARD_NO_PAD.encode(bytes));
        assert!(b.open(&tampered, "x").is_err());
        assert!(b.open(&format!("{PREFIX}!!"), "x").is_err());
    }

    #[test]
    fn without_a_key_values_are_stored_and_read_as_they_are() {
        let b = SecretBox::new(None).unwrap();
        assert_eq!(b.seal("whsec_abc").unwrap(), "whsec_abc");
        assert_eq!(b.open("whsec_abc", "x").unwrap(), "whsec_abc");
        assert!(SecretBox::new(Some("short")).is_err());
    }
}
