//! JSON in: the body limit, content type, malformed JSON and unknown fields all become
//! problem+json, and `ValidatedJson<T>` runs `validator` rules before the handler sees the value.

use std::{future::Future, pin::Pin};

use actix_web::{
    error::{JsonPayloadError, PathError, QueryPayloadError},
    web, FromRequest, HttpRequest,
};
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::error::{ApiError, FieldError};

pub fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .content_type_required(true)
        .content_type(|mime| {
            mime.type_() == mime::APPLICATION && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
        })
        .error_handler(|err, _req| json_error(err).into())
}

pub fn json_error(err: JsonPayloadError) -> ApiError {
    match err {
        JsonPayloadError::OverflowKnownLength { length, limit } => {
            ApiError::PayloadTooLarge(format!("the body is {length} bytes; the limit is {limit}"))
        }
        JsonPayloadError::Overflow { limit } => ApiError::PayloadTooLarge(format!("the body is over the {limit}-byte limit")),
        JsonPayloadError::ContentType => {
            ApiError::UnsupportedMediaType("send the body as Content-Type: application/json".into())
        }
        JsonPayloadError::Deserialize(e) => serde_error(&e),
        JsonPayloadError::Payload(actix_web::error::PayloadError::Overflow) => {
            ApiError::PayloadTooLarge("the body is over the limit".into())
        }
        other => ApiError::BadRequest(format!("could not read the body: {other}")),
    }
}

/// Syntax errors are 400 (not JSON at all); well-formed JSON of the wrong shape is 422 and names
/// the field where serde tells us which one.
pub fn serde_error(e: &serde_json::Error) -> ApiError {
    use serde_json::error::Category;
    match e.classify() {
        Category::Syntax | Category::Eof | Category::Io => ApiError::BadRequest(format!("malformed JSON: {e}")),
        Category::Data => {
            let msg = e.to_string();
            let field = between_backticks(&msg)
                .filter(|_| msg.starts_with("unknown field") || msg.starts_with("missing field"))
                .unwrap_or("body");
            let clean = msg.split(" at line ").next().unwrap_or(&msg).to_string();
            ApiError::Validation(vec![FieldError::new(field, clean)])
        }
    }
}

fn between_backticks(s: &str) -> Option<&str> {
    let start = s.find('`')? + 1;
    let len = s[start..].find('`')?;
    Some(&s[start..start + len])
}

pub fn query_config() -> web::QueryConfig {
    web::QueryConfig::default().error_handler(|err: QueryPayloadError, _req| {
        let detail = match &err {
            QueryPayloadError::Deserialize(e) => e.to_string(),
            other => other.to_string(),
        };
        ApiError::BadRequest(format!("invalid query parameters: {detail}")).into()
    })
}

/// A path segment that does not parse cannot name an existing resource.
pub fn path_config() -> web::PathConfig {
    web::PathConfig::default()
        .error_handler(|err: PathError, _req| ApiError::NotFound(format!("no such resource: {err}")).into())
}

/// `web::Json<T>` followed by `T::validate()`.
pub struct ValidatedJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidatedJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let fut = web::Json::<T>::from_request(req, payload);
        Box::pin(async move {
            let value = fut.await?.into_inner();
            value.validate().map_err(ApiError::from)?;
            Ok(ValidatedJson(value))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        name: String,
    }

    fn classify(body: &str) -> ApiError {
        serde_error(&serde_json::from_str::<T>(body).unwrap_err())
    }

    #[test]
    fn syntax_is_400_and_shape_is_422_naming_the_field() {
        assert!(matches!(classify("{"), ApiError::BadRequest(_)));
        assert!(matches!(classify("nope"), ApiError::BadRequest(_)));
        match classify(r#"{"name":"a","extra":1}"#) {
            ApiError::Validation(e) => assert_eq!(e[0].field, "extra"),
            other => panic!("{other:?}"),
        }
        match classify(r#"{}"#) {
            ApiError::Validation(e) => assert_eq!(e[0].field, "name"),
            other => panic!("{other:?}"),
        }
        match classify(r#"{"name": 5}"#) {
            ApiError::Validation(e) => assert_eq!(e[0].field, "body"),
            other => panic!("{other:?}"),
        }
    }
}
