//! The respondent's session: an opaque token from the invitation, looked up by its hash.

use std::{future::Future, pin::Pin};

use actix_web::{http::header, web, FromRequest, HttpMessage, HttpRequest};

use crate::{
    assessments::{models::AssessmentRow, store, tokens},
    auth::{Principal, Role},
    error::ApiError,
    http::request_id::RequestId,
    rules::assessment_lifecycle::token_usable,
    state::AppState,
};

/// The assessment a valid respondent token names, and the respondent as an audit principal.
pub struct PortalSession {
    pub assessment: AssessmentRow,
    pub principal: Principal,
}

fn refused(detail: &str) -> ApiError {
    ApiError::Unauthorized(detail.into())
}

fn bearer(req: &HttpRequest) -> Result<String, ApiError> {
    let value = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| refused("missing Authorization: Bearer header with the token from your invitation"))?;
    match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") && token.trim().starts_with(tokens::PREFIX) => {
            Ok(token.trim().to_string())
        }
        _ => Err(refused("the vendor portal takes only the respondent token from an invitation")),
    }
}

impl FromRequest for PortalSession {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<PortalSession, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let token = bearer(req);
        let state = req.app_data::<web::Data<AppState>>().cloned();
        let request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
        let client = state.as_ref().map(|s| crate::http::rate_limit::client_key(req, s.config.trust_forwarded_for));
        let limited = state.clone();
        // An address that spent its allowance of failed attempts is refused before any lookup.
        let exhausted = match (&state, &client) {
            (Some(s), Some(c)) => s.limits.portal_failures.exhausted(c, std::time::Instant::now()),
            _ => None,
        };
        let session = Self::lookup(token, state, request_id);
        Box::pin(async move {
            if let Some(wait) = exhausted {
                return Err(ApiError::TooManyRequests(
                    "too many failed attempts from this address; wait, and use the link from your invitation".into(),
                    wait.as_secs().max(1),
                ));
            }
            session.await.map_err(|e| match (&e, &limited, &client) {
                // A failed attempt counts against the client's address; past the limit, 429.
                (ApiError::Unauthorized(_), Some(state), Some(client)) => {
                    match state.limits.portal_failures.hit(client, std::time::Instant::now()) {
                        Ok(()) => e,
                        Err(wait) => ApiError::TooManyRequests(
                            "too many failed attempts from this address; wait, and use the link from your invitation"
                                .into(),
                            wait.as_secs().max(1),
                        ),
                    }
                }
                _ => e,
            })
        })
    }
}

impl PortalSession {
    async fn lookup(
        token: Result<String, ApiError>,
        state: Option<web::Data<AppState>>,
        request_id: Option<String>,
    ) -> Result<PortalSession, ApiError> {
        {
            let token = token?;
            let state = state.ok_or_else(|| ApiError::Internal("application state missing".into()))?;
            let hash = tokens::hash(&token);
            let row = state.db.read(move |c| store::by_token_hash(c, &hash)).await?;
            // One answer for unknown, revoked and expired tokens: a caller learns nothing by probing.
            let invalid = || refused("the token is not valid: unknown, revoked or expired; ask for a new invitation");
            let row = row.ok_or_else(invalid)?;
            let expires = row
                .token_expires_at
                .as_deref()
                .and_then(|e| chrono::DateTime::parse_from_rfc3339(e).ok())
                .map(|e| e.with_timezone(&chrono::Utc));
            match expires {
                Some(e) if token_usable(e, row.token_revoked_at.is_some(), chrono::Utc::now()) => {}
                _ => return Err(invalid()),
            }
            let principal = Principal {
                sub: row.respondent_email.clone(),
                role: Role::Respondent,
                assessment_id: Some(row.id.clone()),
                request_id,
            };
            Ok(PortalSession { assessment: row, principal })
        }
    }
}

/// The session first, then `T`: whether the caller may act is decided before the body or the
/// query is looked at. (actix polls a handler's extractors together, so an async session lookup
/// beside a `Json<T>` would let a malformed body answer before a bad token did.)
pub struct Authenticated<T> {
    pub session: PortalSession,
    pub inner: T,
}

impl<T> FromRequest for Authenticated<T>
where
    T: FromRequest + 'static,
    T::Error: Into<actix_web::Error>,
{
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, actix_web::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut actix_web::dev::Payload) -> Self::Future {
        let session = PortalSession::from_request(req, payload);
        let req = req.clone();
        let mut payload = payload.take();
        Box::pin(async move {
            let session = session.await?;
            let inner = T::from_request(&req, &mut payload).await.map_err(Into::into)?;
            Ok(Authenticated { session, inner })
        })
    }
}
