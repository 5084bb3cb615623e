//! JSON in: the body limit, content type, malformed JSON and unknown fields all become
//! problem+json, and `ValidatedJson<T>` runs `validator` rules before the handler sees the value.

use std::{future::Future, pin::Pin};

use actix_web::{
    dev::Payload,
    error::{PathError, QueryPayloadError},
    http::header,
    web, FromRequest, HttpRequest,
};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::{
    config::DEFAULT_BODY_LIMIT,
    error::{ApiError, FieldError},
    state::AppState,
};

/// Reads a whole body, refusing it as soon as it passes `limit` bytes.
pub async fn read_body(mut payload: Payload, limit: usize) -> Result<web::Bytes, ApiError> {
    let mut buf = web::BytesMut::new();
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|e| match e {
            actix_web::error::PayloadError::Overflow => {
                ApiError::PayloadTooLarge(format!("the body is over the {limit}-byte limit"))
            }
            other => ApiError::BadRequest(format!("could not read the body: {other}")),
        })?;
        if buf.len() + chunk.len() > limit {
            return Err(ApiError::PayloadTooLarge(format!("the body is over the {limit}-byte limit")));
        }
        buf.extend_from_slice(&chunk);
    }
    Ok(buf.freeze())
}

/// `application/json` or any `application/*+json`.
fn is_json(req: &HttpRequest) -> bool {
    let Some(Ok(value)) = req.headers().get(header::CONTENT_TYPE).map(|v| v.to_str()) else { return false };
    let Ok(mime) = value.parse::<mime::Mime>() else { return false };
    mime.type_() == mime::APPLICATION && (mime.subtype() == mime::JSON || mime.suffix() == Some(mime::JSON))
}

/// True when a JSON text holds the escape `\u0000` (a NUL character). Raw control characters
/// are already invalid JSON, so the escape is the only way a NUL gets in.
fn has_nul_escape(bytes: &[u8]) -> bool {
    let mut backslashes = 0usize;
    for (i, b) in bytes.iter().enumerate() {
        if *b == b'\\' {
            backslashes += 1;
            continue;
        }
        if *b == b'u' && backslashes % 2 == 1 && bytes.get(i + 1..i + 5).is_some_and(|h| h == b"0000") {
            return true;
        }
        backslashes = 0;
    }
    false
}

/// Parses a body: not JSON at all is 400; JSON of the wrong shape is 422. Text with a NUL
/// character is refused (422): PostgreSQL cannot store it, and no field of ours needs it.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        // serde reports a type error before it reaches a syntax error later on (`[1,2`), so a
        // shape error only counts as 422 when the whole body is well-formed JSON.
        Err(e) if e.classify() != serde_json::error::Category::Data => return Err(serde_error(&e)),
        Err(e) => {
            let Ok(mut tree) = serde_json::from_slice::<serde_json::Value>(bytes) else {
                return Err(ApiError::BadRequest(format!("malformed JSON: {e}")));
            };
            if !integral_numbers_as_integers(&mut tree) {
                return Err(serde_error(&e));
            }
            T::deserialize(tree).map_err(|e| serde_error(&e))?
        }
    };
    if has_nul_escape(bytes) {
        return Err(ApiError::invalid("body", "text must not contain NUL (\\u0000) characters"));
    }
    Ok(value)
}

/// Parses a payload another system wrote (a ticketing webhook): any well-formed JSON, NUL
/// characters included, as the caller reads only some values and checks those itself.
pub fn parse_foreign(bytes: &[u8]) -> Result<serde_json::Value, ApiError> {
    serde_json::from_slice(bytes).map_err(|e| serde_error(&e))
}

/// JSON Schema counts a number with a zero fraction (`78.0`) as an integer, and so does the spec:
/// such numbers are rewritten as integers, so an integer field takes them. Says whether any was.
fn integral_numbers_as_integers(value: &mut serde_json::Value) -> bool {
    use serde_json::Value;
    match value {
        Value::Number(n) => {
            let Some(f) = n.as_f64().filter(|_| n.is_f64()) else { return false };
            // Beyond 2^53 a float no longer names one integer; such a value stays a float.
            if f.fract() != 0.0 || f.abs() > 9_007_199_254_740_992.0 {
                return false;
            }
            *n = serde_json::Number::from(f as i64);
            true
        }
        Value::Array(items) => items.iter_mut().fold(false, |any, v| integral_numbers_as_integers(v) | any),
        Value::Object(fields) => fields.values_mut().fold(false, |any, v| integral_numbers_as_integers(v) | any),
        _ => false,
    }
}

/// Routes whose bodies carry a document (a contract's text) accept this much on top of the
/// configured limit.
pub const DOCUMENT_ALLOWANCE: usize = 2 * 1024 * 1024 + 64 * 1024;

/// The JSON body extractor of this API: the configured size limit plus `EXTRA` bytes (413), a
/// JSON content type (415), well-formed JSON (400) of the right shape (422), all as problem+json.
pub struct Json<T, const EXTRA: usize = 0>(pub T);

/// For bodies that may carry a contract's text.
pub type DocumentJson<T> = Json<T, DOCUMENT_ALLOWANCE>;

impl<T, const EXTRA: usize> Json<T, EXTRA> {
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: DeserializeOwned + 'static, const EXTRA: usize> FromRequest for Json<T, EXTRA> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let json = is_json(req);
        let limit =
            req.app_data::<web::Data<AppState>>().map(|s| s.config.body_limit_bytes).unwrap_or(DEFAULT_BODY_LIMIT)
                + EXTRA;
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let payload = payload.take();
        Box::pin(async move {
            if let Some(n) = declared.filter(|n| *n > limit) {
                return Err(ApiError::PayloadTooLarge(format!("the body is {n} bytes; the limit is {limit}")));
            }
            if !json {
                return Err(ApiError::UnsupportedMediaType("send the body as Content-Type: application/json".into()));
            }
            let bytes = read_body(payload, limit).await?;
            parse(&bytes).map(Json)
        })
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

/// Refuses query strings carrying a NUL character (`%00`) before any handler sees them.
pub async fn reject_nul_in_query(
    req: actix_web::dev::ServiceRequest,
    next: actix_web::middleware::Next<impl actix_web::body::MessageBody>,
) -> Result<actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>, actix_web::Error> {
    // A request without a valid token is the route's to refuse (401) before anything else.
    let authenticated =
        || crate::auth::verify_quietly(req.request()).is_ok() || req.path().starts_with("/api/v1/portal/");
    if req.query_string().to_ascii_lowercase().contains("%00")
        && (authenticated() || !req.path().starts_with("/api/v1/"))
    {
        return Err(ApiError::BadRequest("the query string must not contain NUL (%00) characters".into()).into());
    }
    next.call(req).await
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

/// `Json<T>` followed by `T::validate()`.
pub struct ValidatedJson<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for ValidatedJson<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let fut = Json::<T>::from_request(req, payload);
        Box::pin(async move {
            let value = fut.await?.into_inner();
            value.validate()?;
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
        parse::<T>(body.as_bytes()).unwrap_err()
    }

    #[test]
    fn syntax_is_400_and_shape_is_422_naming_the_field() {
        assert!(matches!(classify("{"), ApiError::BadRequest(_)));
        assert!(matches!(classify("nope"), ApiError::BadRequest(_)));
        assert!(matches!(classify("[1,2"), ApiError::BadRequest(_)), "type error before a syntax error");
        assert!(matches!(classify("[1,2]"), ApiError::Validation(_)));
        assert!(matches!(classify(r#"{"name":"a\u0000b"}"#), ApiError::Validation(_)));
        assert!(parse::<T>(br#"{"name":"a\\u0000b"}"#).is_ok(), "an escaped backslash followed by u0000 is plain text");
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

    #[test]
    fn a_number_with_a_zero_fraction_is_an_integer_as_json_schema_says() {
        #[derive(serde::Deserialize, Debug, PartialEq)]
        struct N {
            n: i64,
            u: u32,
            f: f64,
            list: Vec<i32>,
        }
        let parsed: N = parse(br#"{"n": 78.0, "u": 7e1, "f": 2.5, "list": [1.0, -2.0, 3]}"#).unwrap();
        assert_eq!(parsed, N { n: 78, u: 70, f: 2.5, list: vec![1, -2, 3] });
        for bad in [r#"{"n": 78.5, "u": 1, "f": 1, "list": []}"#, r#"{"n": 1e300, "u": 1, "f": 1, "list": []}"#] {
            assert!(matches!(parse::<N>(bad.as_bytes()), Err(ApiError::Validation(_))), "{bad}");
        }
        assert!(matches!(parse::<N>(br#"{"n": -1.0, "u": -1.0, "f": 1, "list": []}"#), Err(ApiError::Validation(_))));
    }
}
