//! `X-Request-Id` in and out, one tracing span per request, and an access log line.

use actix_web::{
    body::MessageBody,
    dev::{ServiceRequest, ServiceResponse},
    http::header::{HeaderName, HeaderValue},
    middleware::Next,
    HttpMessage,
};
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";

#[derive(Clone, Debug)]
pub struct RequestId(pub String);

/// A client's id is kept when it is short and printable, so it can be traced across systems;
/// anything else is replaced rather than echoed into logs.
fn accept_or_generate(incoming: Option<&HeaderValue>) -> String {
    incoming
        .and_then(|v| v.to_str().ok())
        .filter(|s| !s.is_empty() && s.len() <= 128 && s.bytes().all(|b| b.is_ascii_graphic()))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string())
}

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let id = accept_or_generate(req.headers().get(HEADER));
    req.extensions_mut().insert(RequestId(id.clone()));
    let span = tracing::info_span!("request", request_id = %id, method = %req.method(), path = %req.path());
    let started = std::time::Instant::now();
    async move {
        let mut res = next.call(req).await?;
        let status = res.status().as_u16();
        tracing::info!(status, elapsed_ms = started.elapsed().as_secs_f64() * 1000.0, "handled");
        if let Ok(v) = HeaderValue::from_str(&id) {
            res.headers_mut().insert(HeaderName::from_static(HEADER), v);
        }
        Ok(res)
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_sane_ids_and_replaces_others() {
        assert_eq!(accept_or_generate(Some(&HeaderValue::from_static("abc-123"))), "abc-123");
        let long = "a".repeat(129);
        for bad in ["", "has space", long.as_str()] {
            let v = HeaderValue::from_str(bad).unwrap();
            assert_ne!(accept_or_generate(Some(&v)), bad);
        }
        assert_eq!(accept_or_generate(None).len(), 36);
    }
}
