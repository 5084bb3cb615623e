//! Headers every response carries: `X-Content-Type-Options: nosniff` (a browser never guesses a
//! type other than the one sent, so an uploaded file or a JSON body cannot be run as a page), and
//! `Strict-Transport-Security` when Oversee is served over https (its public URL says so: behind a
//! TLS-terminating proxy, the proxy's `https://` address is the public URL).

use actix_web::{
    body::{BoxBody, MessageBody},
    dev::{ServiceRequest, ServiceResponse},
    http::header::{self, HeaderValue},
    middleware::Next,
    web,
};

use crate::state::AppState;

/// One year, the usual HSTS lifetime; subdomains are not included (they may be other services).
const HSTS: &str = "max-age=31536000";

pub async fn middleware(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let https = req.app_data::<web::Data<AppState>>().is_some_and(|s| s.config.public_url.starts_with("https://"));
    // An error a middleware inside returns (a malformed Idempotency-Key, say) becomes a response
    // outside every middleware; `ApiError::error_response` puts `nosniff` on those itself.
    let mut res = next.call(req).await?.map_into_boxed_body();
    let headers = res.headers_mut();
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    if https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static(HSTS));
    }
    Ok(res)
}
