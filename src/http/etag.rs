//! Optimistic concurrency: every single resource carries a `version`, sent as a strong ETag;
//! a write with `If-Match` succeeds only against that exact version.

use actix_web::{http::header, HttpRequest};

use crate::error::ApiError;

pub fn etag(version: i32) -> String {
    format!("\"{version}\"")
}

/// The versions a request's `If-Match` accepts: `None` when the header is absent or `*`.
pub fn if_match(req: &HttpRequest) -> Result<Option<Vec<i32>>, ApiError> {
    let Some(raw) = req.headers().get(header::IF_MATCH) else { return Ok(None) };
    let text = raw.to_str().map_err(|_| ApiError::BadRequest("If-Match is not valid text".into()))?;
    if text.trim() == "*" {
        return Ok(None);
    }
    text.split(',')
        .map(|tag| {
            let tag = tag.trim();
            tag.strip_prefix('"')
                .and_then(|t| t.strip_suffix('"'))
                .and_then(|t| t.parse::<i32>().ok())
                .ok_or_else(|| ApiError::BadRequest(format!("If-Match: '{tag}' is not an ETag this API issued")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Checked inside the write transaction, against the row as it is there.
pub fn check(expected: &Option<Vec<i32>>, current: i32) -> Result<(), ApiError> {
    match expected {
        Some(versions) if !versions.contains(&current) => Err(ApiError::PreconditionFailed(format!(
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

    #[test]
    fn parses_lists_wildcards_and_rejects_garbage() {
        let r = TestRequest::default().insert_header((header::IF_MATCH, "\"3\", \"4\"")).to_http_request();
        assert_eq!(if_match(&r).unwrap(), Some(vec![3, 4]));
        let r = TestRequest::default().insert_header((header::IF_MATCH, "*")).to_http_request();
        assert_eq!(if_match(&r).unwrap(), None);
        let r = TestRequest::default().to_http_request();
        assert_eq!(if_match(&r).unwrap(), None);
        let r = TestRequest::default().insert_header((header::IF_MATCH, "W/\"3\"")).to_http_request();
        assert!(if_match(&r).is_err());
        assert!(check(&Some(vec![2]), 3).is_err());
        assert!(check(&Some(vec![3]), 3).is_ok());
        assert!(check(&None, 3).is_ok());
    }
}
