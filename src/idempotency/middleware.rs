use actix_web::{
    body::{to_bytes, BoxBody},
    dev::{Payload, ServiceRequest, ServiceResponse},
    http::{
        header::{HeaderName, HeaderValue},
        Method, StatusCode,
    },
    middleware::Next,
    web, HttpMessage, HttpResponse,
};
use sha2::{Digest, Sha256};

use super::{store, HEADER, REPLAYED_HEADER};
use crate::{
    error::ApiError,
    http::json::{read_body, DOCUMENT_ALLOWANCE},
    state::AppState,
    time,
};

/// Response headers worth replaying; the rest are recomputed per response.
const KEPT_HEADERS: [&str; 3] = ["content-type", "location", "etag"];

pub async fn middleware(
    mut req: ServiceRequest,
    next: Next<BoxBody>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if req.method() != Method::POST || !req.headers().contains_key(HEADER) {
        return next.call(req).await;
    }
    // Authentication comes before everything else: without a valid token the route answers 401
    // itself, whatever else is wrong (a malformed key included). Verified here without counting
    // a failure: the route's own extractor does that, once. Keys are per caller.
    let Ok(principal) = crate::auth::verify_quietly(req.request()) else { return next.call(req).await };
    let key = parse_key(req.headers().get(HEADER))?;
    let state = req.app_data::<web::Data<AppState>>().cloned().ok_or_else(|| ApiError::Internal("no state".into()))?;

    // The route's own extractor enforces its exact limit; this only bounds what is buffered.
    let cap = (state.config.body_limit_bytes + DOCUMENT_ALLOWANCE).max(crate::questionnaires::spreadsheet::MAX_BYTES);
    let body = read_body(req.take_payload(), cap).await?;
    let hash = request_hash(req.method().as_str(), &req.uri().to_string(), &body);
    req.set_payload(Payload::from(body));

    let (sub, k, h) = (principal.sub.clone(), key.clone(), hash.clone());
    let now = time::now();
    let cutoff = time::format(chrono::Utc::now() - chrono::Duration::hours(state.config.idempotency_hours as i64));
    let claim = state.db.write(move |c| store::claim(c, &sub, &k, &h, &now, &cutoff)).await?;
    if let store::Claim::Seen(prior) = claim {
        return Ok(req.into_response(replay(prior, &hash)?));
    }

    let res = next.call(req).await?;
    let (http_req, res) = res.into_parts();
    let status = res.status();
    let headers: Vec<(String, String)> = KEPT_HEADERS
        .iter()
        .filter_map(|h| res.headers().get(*h).and_then(|v| v.to_str().ok()).map(|v| (h.to_string(), v.to_string())))
        .collect();
    let mut builder = HttpResponse::build(status);
    for (name, value) in res.headers() {
        builder.append_header((name.clone(), value.clone()));
    }
    let http_headers = res.headers().clone();
    let bytes = to_bytes(res.into_body()).await.map_err(|_| ApiError::Internal("unreadable response body".into()))?;
    let (sub, k) = (principal.sub.clone(), key.clone());
    if status.is_server_error() {
        state.db.write(move |c| store::release(c, &sub, &k)).await?;
    } else {
        let headers_json = serde_json::to_string(&headers).unwrap_or_else(|_| "[]".into());
        // A response that carried a secret is not kept: nothing secret rests in the database.
        let text = (!crate::http::respond::carries_secret(&http_headers))
            .then(|| String::from_utf8_lossy(&bytes).into_owned());
        let code = status.as_u16() as i32;
        state.db.write(move |c| store::complete(c, &sub, &k, code, &headers_json, text.as_deref())).await?;
    }
    Ok(ServiceResponse::new(http_req, builder.body(bytes)))
}

fn parse_key(value: Option<&HeaderValue>) -> Result<String, ApiError> {
    value
        .and_then(|v| v.to_str().ok())
        .map(|s| s.trim_matches([' ', '\t']))
        .filter(|s| crate::http::formats::matches(crate::http::formats::IDEMPOTENCY_KEY, s))
        .map(str::to_string)
        .ok_or_else(|| ApiError::BadRequest("Idempotency-Key must be 1 to 255 printable ASCII characters".into()))
}

fn request_hash(method: &str, uri: &str, body: &[u8]) -> String {
    let mut h = Sha256::new();
    h.update(method.as_bytes());
    h.update([0]);
    h.update(uri.as_bytes());
    h.update([0]);
    h.update(body);
    crate::digest::hex(&h.finalize())
}

fn replay(prior: store::StoredKey, hash: &str) -> Result<HttpResponse, ApiError> {
    if prior.request_hash != hash {
        return Err(ApiError::Conflict(
            "this Idempotency-Key was used with a different request; use a new key for a new request".into(),
        ));
    }
    let Some(status) = prior.status_code else {
        return Err(ApiError::Conflict(
            "a request with this Idempotency-Key is in progress or was interrupted; check whether it took effect before using a new key"
                .into(),
        ));
    };
    if prior.redacted {
        let location = prior
            .headers()?
            .into_iter()
            .find(|(n, _)| n == "location")
            .map(|(_, v)| format!(" ({v})"))
            .unwrap_or_default();
        return Err(ApiError::Conflict(format!(
            "this request was already handled (HTTP {status}){location}; its response carried a secret, which is not \
             kept for replay: read the resource to see its state, and send again or rotate to get a new secret"
        )));
    }
    let status = StatusCode::from_u16(status as u16).map_err(|e| ApiError::Internal(e.to_string()))?;
    let mut res = HttpResponse::build(status);
    for (name, value) in prior.headers()? {
        if let (Ok(n), Ok(v)) = (HeaderName::try_from(name), HeaderValue::try_from(value)) {
            res.insert_header((n, v));
        }
    }
    res.insert_header((REPLAYED_HEADER, "true"));
    Ok(res.body(prior.response_body.unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_covers_method_path_and_body() {
        let a = request_hash("POST", "/a", b"{}");
        assert_eq!(a, request_hash("POST", "/a", b"{}"));
        assert_ne!(a, request_hash("POST", "/b", b"{}"));
        assert_ne!(a, request_hash("POST", "/a", b"{ }"));
    }

    #[test]
    fn keys_must_be_printable_and_bounded() {
        assert_eq!(parse_key(Some(&HeaderValue::from_static("abc"))).unwrap(), "abc");
        assert!(parse_key(Some(&HeaderValue::from_static(""))).is_err());
        assert!(parse_key(Some(&HeaderValue::from_str(&"x".repeat(256)).unwrap())).is_err());
    }
}
