use actix_web::{get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::store::{self, RevocationRow};
use crate::{
    audit::store::{self as audit, Change},
    auth::{perm, Authorized},
    error::{ApiError, ApiResult, ReadErrors, WriteErrors},
    http::{
        json::Json,
        pagination::{self, PageQuery},
    },
    state::AppState,
    time,
};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(revoke).service(list_revocations);
}

/// Tokens to refuse: every bearer token for `sub` issued before `not_before` (default: now).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeTokens {
    /// The tokens' subject (`sub` claim), e.g. `alice@example.com`.
    #[schema(min_length = 1, max_length = 320)]
    pub sub: String,
    /// Tokens issued before this moment are refused; default now. A later revocation of the
    /// same subject moves it later; an earlier one changes nothing.
    pub not_before: Option<DateTime<Utc>>,
}

/// A subject whose older tokens are refused.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Revocation {
    pub sub: String,
    pub not_before: String,
    pub revoked_by: String,
    pub revoked_at: String,
}

impl From<RevocationRow> for Revocation {
    fn from(r: RevocationRow) -> Self {
        Revocation { sub: r.sub, not_before: r.not_before, revoked_by: r.revoked_by, revoked_at: r.revoked_at }
    }
}

/// Revoke a subject's tokens.
///
/// Every bearer token for the subject issued before `not_before` is refused from now on, also
/// one already in use (this server at once, other replicas within 30 seconds). Tokens issued
/// later, and other subjects, are untouched. To sign someone out for good, revoke them and stop
/// minting tokens for them.
#[utoipa::path(
    tag = "auth",
    request_body = RevokeTokens,
    security(("bearer" = ["admin"])),
    responses((status = 201, description = "The subject's revocation as it now stands", body = Revocation), WriteErrors)
)]
#[post("/auth/revocations")]
pub async fn revoke(
    state: web::Data<AppState>,
    who: Authorized<perm::TokensRevoke>,
    body: Json<RevokeTokens>,
) -> ApiResult<HttpResponse> {
    let b = body.into_inner();
    let sub = b.sub.trim().to_string();
    if sub.is_empty() || sub.chars().count() > 320 {
        return Err(ApiError::invalid("sub", "1 to 320 characters"));
    }
    let now = Utc::now();
    let row = RevocationRow {
        sub,
        not_before: time::format(b.not_before.unwrap_or(now)),
        revoked_by: who.0.sub.clone(),
        revoked_at: time::format(now),
    };
    let saved = state
        .db
        .write(move |c| {
            let saved = Revocation::from(store::save(c, &row)?);
            audit::record(c, &who.0, Change::created("token_revocation", &saved.sub, &saved))?;
            Ok(saved)
        })
        .await?;
    let at = DateTime::parse_from_rfc3339(&saved.not_before).map(|t| t.timestamp()).unwrap_or(now.timestamp());
    state.revocations.set(&saved.sub, at);
    Ok(HttpResponse::Created().json(saved))
}

/// Subjects whose older tokens are refused, by subject.
#[utoipa::path(
    tag = "auth",
    params(PageQuery),
    security(("bearer" = ["admin"])),
    responses((status = 200, description = "A page of revocations", body = pagination::Page<Revocation>), ReadErrors)
)]
#[get("/auth/revocations")]
pub async fn list_revocations(
    state: web::Data<AppState>,
    _who: Authorized<perm::TokensRevoke>,
    query: web::Query<PageQuery>,
) -> ApiResult<HttpResponse> {
    let (limit, after) = pagination::window::<String>(query.limit, query.cursor.as_deref())?;
    let rows = state.db.read(move |c| store::list(c, after, limit)).await?;
    Ok(HttpResponse::Ok().json(pagination::page(rows, limit, |r| r.sub.clone(), Revocation::from)))
}
