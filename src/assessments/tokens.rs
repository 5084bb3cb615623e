//! Respondent tokens: opaque random bearer tokens, shown once and stored only as a SHA-256 hash,
//! so a database leak gives no working link.

use base64::{engine::general_purpose::URL_SAFE_NO_PAD, Engine};

use crate::error::ApiError;

/// Every respondent token starts with this, so it is recognisable in logs and secret scanners.
pub const PREFIX: &str = "ovr_resp_";

/// A new token and its hash.
pub fn mint() -> Result<(String, String), ApiError> {
    let mut bytes = [0u8; 32];
    getrandom::getrandom(&mut bytes).map_err(|e| ApiError::Internal(format!("no randomness: {e}")))?;
    let token = format!("{PREFIX}{}", URL_SAFE_NO_PAD.encode(bytes));
    let hash = hash(&token);
    Ok((token, hash))
}

pub fn hash(token: &str) -> String {
    crate::digest::sha256_hex(token.as_bytes())
}

#[cfg(test)]
mod tests {
    #[test]
    fn tokens_are_unique_prefixed_and_hashed() {
        let (a, ha) = super::mint().unwrap();
        let (b, hb) = super::mint().unwrap();
        assert_ne!(a, b);
        assert!(a.starts_with(super::PREFIX) && a.len() == super::PREFIX.len() + 43);
        assert_eq!(ha, super::hash(&a));
        assert_ne!(ha, hb);
        assert_eq!(ha.len(), 64);
        assert!(!ha.contains(&a));
    }
}
