//! Resource ids are UUIDs (v7 for ours); anything else cannot name a resource, so it is a 404
//! without a database round trip.

use crate::error::ApiError;

pub fn parse(raw: &str, what: &str) -> Result<String, ApiError> {
    uuid::Uuid::parse_str(raw).map(|u| u.hyphenated().to_string()).map_err(|_| ApiError::not_found(what, raw))
}

pub fn new() -> String {
    uuid::Uuid::now_v7().to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_uuids_pass_and_are_normalised() {
        assert!(super::parse("nope", "vendor").is_err());
        let id = super::new();
        assert_eq!(super::parse(&id.to_uppercase(), "vendor").unwrap(), id);
    }
}
