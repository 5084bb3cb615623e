//! Response shapes shared by every resource.

use actix_web::{http::header, HttpResponse};
use serde::Serialize;

use super::etag::etag;

pub fn ok_with_etag<T: Serialize>(body: &T, version: i32) -> HttpResponse {
    HttpResponse::Ok().insert_header((header::ETAG, etag(version))).json(body)
}

pub fn created<T: Serialize>(body: &T, version: i32, location: String) -> HttpResponse {
    HttpResponse::Created()
        .insert_header((header::ETAG, etag(version)))
        .insert_header((header::LOCATION, location))
        .json(body)
}

/// Marks a response that carries a secret (a signing secret, a respondent's token): no cache may
/// keep it, and the idempotency store keeps only that it happened, never the body
/// (`idempotency::middleware`).
pub fn secret(mut builder: actix_web::HttpResponseBuilder) -> actix_web::HttpResponseBuilder {
    builder.insert_header((header::CACHE_CONTROL, "no-store"));
    builder
}

/// Whether a response was marked by `secret`.
pub fn carries_secret(headers: &header::HeaderMap) -> bool {
    headers.get(header::CACHE_CONTROL).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("no-store"))
}

/// A body of raw bytes (a file, an archive), documented as `string`/`binary` rather than the
/// array of integers `Vec<u8>` would give.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Binary(pub Vec<u8>);
