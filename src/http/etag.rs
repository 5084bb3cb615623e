//! Optimistic concurrency: every single resource carries a `version`, sent as a strong ETag;
//! a write with `If-Match` succeeds only against that exact version.

use actix_web::{http::header, HttpRequest};

use crate::{error::ApiError, http::formats};

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The strong entity-tags a request's `If-Match` names (RFC 9110 §13.1.1): `None` when the header
/// is absent or `*` (any current representation matches, and the resource exists). Any
/// well-formed tag is accepted, whether or not this API issued it; it simply will not match (412).
/// Weak tags never match under the strong comparison `If-Match` uses. Only a header that is not
/// a `*` or a list of entity-tags is a 400.
pub fn if_match(req: &HttpRequest) -> Result<Option<Vec<String>>, ApiError> {
    let Some(raw) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let bad = || ApiError::BadRequest("If-Match must be * or a list of entity-tags such as \"3\"".into());
    // White space around a field value is not part of it (RFC 9110 §5.5); the rest must be the
    // grammar the spec publishes (`formats::if_match`).
    let text = raw.to_str().map_err(|_| bad())?.trim_matches([' ', '\t']);
    if !formats::matches(formats::if_match(), text) {
        return Err(bad());
    }
    if text == "*" {
        return Ok(None);
    }
    let tags = parse_list(text).ok_or_else(bad)?;
    Ok(Some(tags.into_iter().filter(|(weak, _)| !weak).map(|(_, opaque)| opaque.to_string()).collect()))
}

/// `#entity-tag`: tags separated by commas and optional white space (empty elements allowed, at
/// least one tag); each `[W/]"opaque"` with the opaque part of visible ASCII characters but `"`.
/// Read tag by tag, not split at commas: a comma is a visible character, so it may sit inside
/// the quotes of a tag (`"a,b"` is one tag).
fn parse_list(text: &str) -> Option<Vec<(bool, &str)>> {
    let mut tags = vec![];
    let mut rest = text;
    loop {
        rest = rest.trim_start_matches([',', ' ', '\t']);
        if rest.is_empty() {
            break;
        }
        let (weak, quoted) = match rest.strip_prefix("W/") {
            Some(r) => (true, r),
            None => (false, rest),
        };
        let inner = quoted.strip_prefix('"')?;
        let end = inner.find('"')?;
        let opaque = &inner[..end];
        if !opaque.bytes().all(|b| b == 0x21 || (0x23..=0x7e).contains(&b)) {
            return None;
        }
        tags.push((weak, opaque));
        rest = &inner[end + 1..];
        // After a tag: the end, or white space then a comma.
        let after = rest.trim_start_matches([' ', '\t']);
        if !(after.is_empty() || after.starts_with(',')) {
            return None;
        }
        rest = after;
    }
    (!tags.is_empty()).then_some(tags)
}

/// Checked inside the write transaction, against the row as it is there.
pub fn check(expected: &Option<Vec<String>>, current: i32) -> Result<(), ApiError> {
    match expected {
        Some(tags) if !tags.iter().any(|t| *t == current.to_string()) => Err(ApiError::PreconditionFailed(format!(
            "the resource is at version {current}; fetch it again and retry with If-Match: {}",
            etag(current)
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::test::TestRequest;

    fn parsed(value: &str) -> Result<Option<Vec<String>>, ApiError> {
        if_match(&TestRequest::default().insert_header((header::IF_MATCH, value)).to_http_request())
    }

    #[test]
    fn every_well_formed_tag_is_accepted_and_only_strong_ones_can_match() {
        assert_eq!(parsed("\"3\", \"4\"").unwrap(), Some(vec!["3".to_string(), "4".to_string()]));
        assert_eq!(parsed("*").unwrap(), None);
        assert_eq!(if_match(&TestRequest::default().to_http_request()).unwrap(), None);
        // Tags this API never issued are well-formed: they parse, and do not match.
        for foreign in ["\"stale\"", "\"0\"", "\"\"", "\"a!#~\"", "W/\"3\"", "\"3\" ,, W/\"3\""] {
            assert!(parsed(foreign).is_ok(), "{foreign}");
        }
        assert_eq!(parsed("W/\"3\"").unwrap(), Some(vec![]), "weak: never matches strongly");
        assert!(check(&parsed("W/\"3\"").unwrap(), 3).is_err());
        assert!(check(&parsed("\"stale\"").unwrap(), 3).is_err());
        assert!(check(&parsed("\"2\", \"3\"").unwrap(), 3).is_ok());
        assert!(check(&parsed("*").unwrap(), 3).is_ok());
        assert!(check(&None, 3).is_ok());
    }

    #[test]
    fn a_comma_inside_the_quotes_belongs_to_the_tag() {
        assert_eq!(parsed("\"a,b\"").unwrap(), Some(vec!["a,b".to_string()]));
        assert_eq!(parsed(", W/\"x,\" ,\t\"3\",").unwrap(), Some(vec!["3".to_string()]));
        assert!(check(&parsed("\"o,3\"").unwrap(), 3).is_err());
    }

    #[test]
    fn only_a_header_that_is_not_a_tag_list_is_malformed() {
        for bad in ["3", "\"3", "3\"", "w/\"3\"", "\"a\"b\"", "\"a b\"", ",", " ", "**", "\"3\" \"4\""] {
            assert!(matches!(parsed(bad), Err(ApiError::BadRequest(_))), "{bad:?}");
        }
    }
}
