//! HTTP plumbing shared by every resource: extractors, middleware, pagination, ETags.

pub mod etag;
pub mod ids;
pub mod json;
pub mod metrics;
pub mod pagination;
pub mod rate_limit;
pub mod request_id;
pub mod respond;
pub mod routes;
pub mod security_headers;
pub mod stream;
