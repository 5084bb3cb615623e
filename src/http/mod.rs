//! HTTP plumbing shared by every resource: extractors, middleware, pagination, ETags.

pub mod cross_field_rules;
pub mod etag;
pub mod field_formats;
pub mod formats;
pub mod ids;
pub mod json;
pub mod metrics;
pub mod pagination;
pub mod rate_limit;
pub mod request_id;
pub mod respond;
pub mod routes;
pub mod security_headers;
pub mod spec;
pub mod stream;
