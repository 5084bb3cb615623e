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

/// A body of raw bytes (a file, an archive), documented as `string`/`binary` rather than the
/// array of integers `Vec<u8>` would give.
#[derive(utoipa::ToSchema)]
#[schema(value_type = String, format = Binary)]
pub struct Binary(pub Vec<u8>);
