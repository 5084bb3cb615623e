//! One error type for the whole API, rendered as RFC 9457 `application/problem+json`.

use actix_web::{http::StatusCode, HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

/// An RFC 9457 problem document.
#[derive(Debug, Serialize, ToSchema)]
#[schema(example = json!({"type": "https://oversee.dev/problems/validation", "title": "Validation failed",
    "status": 422, "detail": "1 field is invalid", "errors": [{"field": "name", "message": "must not be empty"}]}))]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<FieldError>>,
}

#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        FieldError { field: field.into(), message: message.into() }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    #[error("{0}")]
    BadRequest(String),
    /// A `cursor` this API did not issue (400, problem type `invalid-cursor`).
    #[error("{0}")]
    InvalidCursor(String),
    #[error("authentication required: {0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    /// A known path under a method it does not serve (the response carries `Allow`).
    #[error("{0}")]
    MethodNotAllowed(String),
    #[error("{0}")]
    Conflict(String),
    /// A change under an archived vendor (409, problem type `archived`).
    #[error("{0}")]
    Archived(String),
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("validation failed")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Unavailable(String),
    /// Over a rate limit: the message, and the seconds to wait (`Retry-After`).
    #[error("{0}")]
    TooManyRequests(String, u64),
    #[error("internal error: {0}")]
    Internal(String),
    /// A stored value that does not read back (`db::stored`): a 500 that says where it is, so an
    /// operator can find and repair it; the value is quoted only in part.
    #[error(transparent)]
    Unreadable(#[from] crate::db::stored::Unreadable),
}

impl ApiError {
    pub fn not_found(what: &str, id: &str) -> Self {
        ApiError::NotFound(format!("{what} '{id}' does not exist"))
    }

    /// 422 with every collected field error, or Ok when there are none.
    pub fn unless_empty(errors: Vec<FieldError>) -> Result<(), ApiError> {
        if errors.is_empty() {
            Ok(())
        } else {
            Err(ApiError::Validation(errors))
        }
    }

    pub fn invalid(field: &str, message: &str) -> Self {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    fn slug_and_title(&self) -> (&'static str, &'static str) {
        match self {
            ApiError::BadRequest(_) => ("bad-request", "Bad request"),
            ApiError::InvalidCursor(_) => ("invalid-cursor", "Not a cursor this API issued"),
            ApiError::Unauthorized(_) => ("unauthorized", "Unauthorized"),
            ApiError::Forbidden(_) => ("forbidden", "Forbidden"),
            ApiError::NotFound(_) => ("not-found", "Not found"),
            ApiError::MethodNotAllowed(_) => ("method-not-allowed", "Method not allowed"),
            ApiError::Conflict(_) => ("conflict", "Conflict"),
            ApiError::Archived(_) => ("archived", "The vendor is archived"),
            ApiError::PreconditionFailed(_) => ("precondition-failed", "Precondition failed"),
            ApiError::PayloadTooLarge(_) => ("payload-too-large", "Payload too large"),
            ApiError::UnsupportedMediaType(_) => ("unsupported-media-type", "Unsupported media type"),
            ApiError::Validation(_) => ("validation", "Validation failed"),
            ApiError::Unavailable(_) => ("unavailable", "Service unavailable"),
            ApiError::TooManyRequests(..) => ("rate-limited", "Too many requests"),
            ApiError::Internal(_) => ("internal", "Internal server error"),
            ApiError::Unreadable(_) => ("unreadable-stored-value", "A stored value cannot be read"),
        }
    }

    pub fn to_problem(&self) -> Problem {
        let (slug, title) = self.slug_and_title();
        let (detail, errors) = match self {
            ApiError::Validation(errs) => {
                let n = errs.len();
                (format!("{n} field{} invalid", if n == 1 { " is" } else { "s are" }), Some(errs.clone()))
            }
            // Never leak internals to the client; they are logged instead.
            ApiError::Internal(_) => ("the server failed; the error was logged".to_string(), None),
            other => (other.to_string(), None),
        };
        Problem {
            kind: format!("https://oversee.dev/problems/{slug}"),
            title: title.to_string(),
            status: self.status_code().as_u16(),
            detail,
            errors,
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::BadRequest(_) | ApiError::InvalidCursor(_) => StatusCode::BAD_REQUEST,
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::MethodNotAllowed(_) => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Conflict(_) | ApiError::Archived(_) => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::TooManyRequests(..) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) | ApiError::Unreadable(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        match self {
            ApiError::Internal(msg) => tracing::error!(error = %msg, "internal error"),
            ApiError::Unreadable(e) => tracing::error!(error = %e, "a stored value cannot be read"),
            _ => {}
        }
        let mut res = HttpResponse::build(self.status_code());
        res.content_type("application/problem+json");
        // Also on errors raised outside the middleware that adds it to every response.
        res.insert_header(("X-Content-Type-Options", "nosniff"));
        if matches!(self, ApiError::Unauthorized(_)) {
            res.insert_header(("WWW-Authenticate", "Bearer realm=\"oversee\""));
        }
        if let ApiError::TooManyRequests(_, seconds) = self {
            res.insert_header(("Retry-After", seconds.to_string()));
        }
        res.json(self.to_problem())
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::NotFound("not found".into()),
            // The database's own text names tables and constraints: logged, not sent.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, info) => {
                tracing::debug!(constraint = ?info.constraint_name(), "unique violation: {}", info.message());
                ApiError::Conflict("conflicts with an existing record".into())
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::Conflict("the record is referenced by, or refers to, another record".into())
            }
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl From<validator::ValidationErrors> for ApiError {
    fn from(errors: validator::ValidationErrors) -> Self {
        let mut out = Vec::new();
        flatten_validation("", &errors, &mut out);
        out.sort_by(|a, b| a.field.cmp(&b.field));
        ApiError::Validation(out)
    }
}

fn flatten_validation(prefix: &str, errors: &validator::ValidationErrors, out: &mut Vec<FieldError>) {
    use validator::ValidationErrorsKind;
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() { field.to_string() } else { format!("{prefix}.{field}") };
        match kind {
            ValidationErrorsKind::Field(errs) => {
                for e in errs {
                    let msg = e.message.as_ref().map(|m| m.to_string()).unwrap_or_else(|| e.code.to_string());
                    // Cross-field checks report under `__all__`; their code names the field to fix.
                    let at = if *field == "__all__" { e.code.to_string() } else { path.clone() };
                    out.push(FieldError::new(at, msg));
                }
            }
            ValidationErrorsKind::Struct(inner) => flatten_validation(&path, inner, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    flatten_validation(&format!("{path}[{i}]"), inner, out);
                }
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The error responses of a read operation, for the OpenAPI spec.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum ReadErrors {
    #[response(
        status = 400,
        description = "Bad query or header; problem type `invalid-cursor` for a `cursor` this API did not issue",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(status = 401, description = "No valid bearer token", content_type = "application/problem+json")]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "The token's role may not do this",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(status = 404, description = "No such resource", content_type = "application/problem+json")]
    NotFound(Problem),
    #[response(
        status = 429,
        description = "Too many failed authentications from this address; see Retry-After",
        content_type = "application/problem+json"
    )]
    TooManyRequests(Problem),
    #[response(status = 503, description = "Database unavailable", content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// The error responses of a write operation, for the OpenAPI spec.
#[derive(utoipa::IntoResponses)]
#[allow(dead_code)]
pub enum WriteErrors {
    #[response(
        status = 400,
        description = "Malformed JSON, bad query or header",
        content_type = "application/problem+json"
    )]
    BadRequest(Problem),
    #[response(status = 401, description = "No valid bearer token", content_type = "application/problem+json")]
    Unauthorized(Problem),
    #[response(
        status = 403,
        description = "The token's role may not do this",
        content_type = "application/problem+json"
    )]
    Forbidden(Problem),
    #[response(status = 404, description = "No such resource", content_type = "application/problem+json")]
    NotFound(Problem),
    #[response(
        status = 409,
        description = "Conflicts with existing data (problem type `archived` for new work under an archived vendor), or an Idempotency-Key reused for another request",
        content_type = "application/problem+json"
    )]
    Conflict(Problem),
    #[response(
        status = 412,
        description = "If-Match does not match the current version",
        content_type = "application/problem+json"
    )]
    PreconditionFailed(Problem),
    #[response(status = 413, description = "Body over the size limit", content_type = "application/problem+json")]
    PayloadTooLarge(Problem),
    #[response(status = 415, description = "Body is not application/json", content_type = "application/problem+json")]
    UnsupportedMediaType(Problem),
    #[response(
        status = 422,
        description = "Validation failed; `errors` names each field",
        content_type = "application/problem+json"
    )]
    Validation(Problem),
    #[response(
        status = 429,
        description = "Over a rate limit (failed authentications from this address, or analyses); see Retry-After",
        content_type = "application/problem+json"
    )]
    TooManyRequests(Problem),
    #[response(status = 503, description = "Database unavailable", content_type = "application/problem+json")]
    Unavailable(Problem),
}

/// Combines `validator` results with cross-field checks into one 422 listing every problem.
pub fn validate_all(result: Result<(), validator::ValidationErrors>, extra: Vec<FieldError>) -> ApiResult<()> {
    let mut errors = match result.map_err(ApiError::from) {
        Err(ApiError::Validation(v)) => v,
        _ => vec![],
    };
    errors.extend(extra);
    ApiError::unless_empty(errors)
}
