//! JWT bearer authentication and the role matrix of docs/architecture.md, "Roles".

use std::{future::Future, path::Path, pin::Pin};

use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

use crate::{
    config::JwtSettings, error::ApiError, http::request_id::RequestId, state::AppState, token_cache::TokenCache,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Admin,
    Procurement,
    Legal,
    Security,
    Auditor,
    Integration,
    Respondent,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Procurement,
        Role::Legal,
        Role::Security,
        Role::Auditor,
        Role::Integration,
        Role::Respondent,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Procurement => "procurement",
            Role::Legal => "legal",
            Role::Security => "security",
            Role::Auditor => "auditor",
            Role::Integration => "integration",
            Role::Respondent => "respondent",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

/// What an operation needs. Each route names one; the OpenAPI `security` scopes of the route list
/// the same roles, and a table-driven test checks that the two agree for every registered route.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    VendorsRead,
    VendorsWrite,
    AuditRead,
    ContractsRead,
    ContractsWrite,
    ClausesWrite,
    ClauseTypesWrite,
    SettingsWrite,
    QuestionnairesRead,
    TemplatesWrite,
    AssessmentsWrite,
    AssessmentsReview,
    FindingsRead,
    FindingsWrite,
    WebhooksAdmin,
    TicketsLink,
    TicketEvents,
    RemindersRead,
    RemindersWrite,
    EventTypesRead,
    IncidentsRead,
    IncidentsWrite,
    TokensRevoke,
}

impl Access {
    pub fn roles(self) -> &'static [Role] {
        use Role::*;
        match self {
            Access::VendorsRead => &[Admin, Procurement, Legal, Security, Auditor, Integration],
            Access::VendorsWrite => &[Admin, Procurement],
            Access::AuditRead => &[Admin, Auditor],
            Access::ContractsRead => &[Admin, Procurement, Legal, Security, Auditor, Integration],
            Access::ContractsWrite => &[Admin, Procurement, Legal],
            Access::ClausesWrite => &[Admin, Legal],
            Access::ClauseTypesWrite | Access::SettingsWrite | Access::WebhooksAdmin | Access::TokensRevoke => &[Admin],
            Access::QuestionnairesRead | Access::FindingsRead | Access::IncidentsRead => {
                &[Admin, Procurement, Legal, Security, Auditor, Integration]
            }
            Access::TemplatesWrite | Access::AssessmentsReview | Access::FindingsWrite | Access::IncidentsWrite => {
                &[Admin, Security]
            }
            Access::AssessmentsWrite => &[Admin, Procurement, Security],
            Access::TicketsLink => &[Admin, Security, Integration],
            Access::TicketEvents => &[Admin, Integration],
            Access::RemindersRead => &[Admin, Procurement, Legal, Security, Auditor, Integration],
            Access::RemindersWrite => &[Admin, Procurement, Security],
            Access::EventTypesRead => &[Admin, Integration],
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub role: String,
    pub iss: String,
    pub aud: String,
    pub iat: i64,
    pub nbf: i64,
    pub exp: i64,
    /// For respondent tokens: the one assessment they may answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub assessment_id: Option<String>,
}

/// The authenticated caller.
#[derive(Debug, Clone)]
pub struct Principal {
    pub sub: String,
    pub role: Role,
    pub assessment_id: Option<String>,
    /// The request this principal made, so audit events can be traced to logs.
    pub request_id: Option<String>,
}

impl Principal {
    /// The principal background jobs act as in the audit trail.
    pub fn system() -> Principal {
        Principal { sub: "oversee".into(), role: Role::Admin, assessment_id: None, request_id: None }
    }

    pub fn require(&self, access: Access) -> Result<(), ApiError> {
        if access.roles().contains(&self.role) {
            Ok(())
        } else {
            Err(ApiError::Forbidden(format!("role '{}' may not perform this operation", self.role.as_str())))
        }
    }
}

pub struct JwtKeys {
    pub algorithm: Algorithm,
    decoding: DecodingKey,
    encoding: Option<EncodingKey>,
    validation: Validation,
    issuer: String,
    audience: String,
    verified: TokenCache,
}

pub const SECRET_FILE: &str = "oversee-jwt.key";

impl JwtKeys {
    /// HS256 with the configured secret; RS256/ES256 with a configured public key (tokens then come
    /// from the identity provider); otherwise HS256 with a secret generated once in the data folder.
    pub fn from_settings(s: &JwtSettings, data_dir: &Path) -> Result<JwtKeys, String> {
        let (algorithm, decoding, encoding) = if let Some(pem) = &s.public_key_pem {
            if let Ok(k) = DecodingKey::from_rsa_pem(pem.as_bytes()) {
                (Algorithm::RS256, k, None)
            } else if let Ok(k) = DecodingKey::from_ec_pem(pem.as_bytes()) {
                (Algorithm::ES256, k, None)
            } else {
                return Err("OVERSEE_JWT_PUBLIC_KEY: not an RSA or EC public key in PEM form".into());
            }
        } else {
            let secret = match &s.secret {
                Some(secret) => secret.clone(),
                None => load_or_create_secret(data_dir)?,
            };
            (
                Algorithm::HS256,
                DecodingKey::from_secret(secret.as_bytes()),
                Some(EncodingKey::from_secret(secret.as_bytes())),
            )
        };
        let mut validation = Validation::new(algorithm);
        validation.set_issuer(&[&s.issuer]);
        validation.set_audience(&[&s.audience]);
        validation.set_required_spec_claims(&["exp", "iss", "aud", "sub"]);
        validation.validate_nbf = true;
        validation.leeway = 30;
        Ok(JwtKeys {
            algorithm,
            decoding,
            encoding,
            validation,
            issuer: s.issuer.clone(),
            audience: s.audience.clone(),
            verified: TokenCache::default(),
        })
    }

    /// The principal a bearer token names, unless it is invalid, expired or revoked.
    pub fn verify(&self, token: &str, revocations: &crate::revocations::Revocations) -> Result<Principal, ApiError> {
        let now = chrono::Utc::now().timestamp();
        let leeway = self.validation.leeway as i64;
        let revoked = || ApiError::Unauthorized("the token was revoked; ask for a new one".into());
        if let Some((p, iat)) = self.verified.get(token, now, leeway) {
            // Revocation can come after the token was cached: checked on every hit.
            return if revocations.revoked(&p.sub, iat) { Err(revoked()) } else { Ok(p) };
        }
        let data = jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation).map_err(token_refused)?;
        let c = data.claims;
        let role = Role::parse(&c.role)
            .ok_or_else(|| ApiError::Unauthorized("the token's role is not one Oversee knows".into()))?;
        if c.sub.trim().is_empty() {
            return Err(ApiError::Unauthorized("token has an empty subject".into()));
        }
        if revocations.revoked(&c.sub, c.iat) {
            return Err(revoked());
        }
        if c.exp.saturating_sub(c.iat) > MAX_TTL_DAYS * 86_400 {
            return Err(ApiError::Unauthorized(format!(
                "the token lives longer than {MAX_TTL_DAYS} days from its issue; ask for a shorter-lived one"
            )));
        }
        let principal = Principal { sub: c.sub, role, assessment_id: c.assessment_id, request_id: None };
        // Kept only after every check passed; of those, expiry and revocation can change their
        // answer later (a token past its nbf stays past it), and a hit checks both again.
        self.verified.put(token, &principal, c.exp, c.iat);
        Ok(principal)
    }

    /// Mints a token; only possible with a shared secret (HS256).
    pub fn mint(&self, sub: &str, role: Role, ttl: chrono::Duration) -> Result<String, String> {
        let key = self
            .encoding
            .as_ref()
            .ok_or("tokens are verified with an identity provider's public key here; mint them with that provider")?;
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: sub.to_string(),
            role: role.as_str().to_string(),
            iss: self.issuer.clone(),
            aud: self.audience.clone(),
            iat: now,
            nbf: now,
            exp: now + ttl.num_seconds(),
            assessment_id: None,
        };
        jsonwebtoken::encode(&Header::new(self.algorithm), &claims, key).map_err(|e| e.to_string())
    }
}

fn load_or_create_secret(data_dir: &Path) -> Result<String, String> {
    use std::io::Write;
    let path = data_dir.join(SECRET_FILE);
    if let Ok(s) = std::fs::read_to_string(&path) {
        // A key file left readable by others (an older version, a copy) is tightened.
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let _ = std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600));
        }
        let s = s.trim().to_string();
        if s.len() >= 32 {
            return Ok(s);
        }
        return Err(format!("{} is shorter than 32 characters; delete it to have a new one made", path.display()));
    }
    std::fs::create_dir_all(data_dir).map_err(|e| format!("cannot create {}: {e}", data_dir.display()))?;
    let mut bytes = [0u8; 48];
    getrandom::getrandom(&mut bytes).map_err(|e| e.to_string())?;
    let secret = base64::Engine::encode(&base64::engine::general_purpose::URL_SAFE_NO_PAD, bytes);
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    match options.open(&path) {
        Ok(mut f) => {
            f.write_all(secret.as_bytes()).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            Ok(secret)
        }
        // Another process made it first: use theirs so both agree.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create_secret(data_dir),
        Err(e) => Err(format!("cannot create {}: {e}", path.display())),
    }
}

/// Verifies the bearer token once per request and caches the result in the request extensions.
pub fn authenticate(req: &HttpRequest) -> Result<Principal, ApiError> {
    if let Some(p) = req.extensions().get::<Principal>() {
        return Ok(p.clone());
    }
    let state =
        req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    // An address that spent its allowance of failures is refused before any token is looked at:
    // the limit spares the work, not only the answer.
    let key = crate::http::rate_limit::client_key(req, state.config.trust_forwarded_for);
    let now = std::time::Instant::now();
    if let Some(wait) = state.limits.auth_failures.exhausted(&key, now) {
        return Err(too_many(wait));
    }
    verify_bearer(req, state).map_err(|e| match e {
        ApiError::Unauthorized(_) => match state.limits.auth_failures.hit(&key, now) {
            Ok(()) => e,
            Err(wait) => too_many(wait),
        },
        other => other,
    })
}

/// Verifies the bearer token without counting a failure or refusing an address over its limit:
/// for a middleware that only needs to know who the caller is, before the route authenticates.
pub fn verify_quietly(req: &HttpRequest) -> Result<Principal, ApiError> {
    if let Some(p) = req.extensions().get::<Principal>() {
        return Ok(p.clone());
    }
    let state =
        req.app_data::<web::Data<AppState>>().ok_or_else(|| ApiError::Internal("application state missing".into()))?;
    verify_bearer(req, state)
}

fn too_many(wait: std::time::Duration) -> ApiError {
    ApiError::TooManyRequests(
        "too many failed authentications from this address; wait, then send a valid token".into(),
        wait.as_secs().max(1),
    )
}

fn verify_bearer(req: &HttpRequest, state: &AppState) -> Result<Principal, ApiError> {
    let header = req
        .headers()
        .get(actix_web::http::header::AUTHORIZATION)
        .ok_or_else(|| ApiError::Unauthorized("missing Authorization: Bearer header".into()))?;
    let value = header.to_str().map_err(|_| ApiError::Unauthorized("malformed Authorization header".into()))?;
    let token = match value.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => return Err(ApiError::Unauthorized("expected the Bearer scheme".into())),
    };
    let mut principal = state.keys.verify(token, &state.revocations)?;
    principal.request_id = req.extensions().get::<RequestId>().map(|r| r.0.clone());
    req.extensions_mut().insert(principal.clone());
    Ok(principal)
}

impl FromRequest for Principal {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Principal, ApiError>>>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        let result = authenticate(req);
        Box::pin(async move { result })
    }
}

/// Marker types naming an `Access`, for `Authorized<P>`.
pub mod perm {
    use super::Access;

    pub trait Permission {
        const ACCESS: Access;
    }

    macro_rules! permissions {
        ($($name:ident),+) => {$(
            pub struct $name;
            impl Permission for $name {
                const ACCESS: Access = Access::$name;
            }
        )+};
    }
    permissions!(
        VendorsRead,
        VendorsWrite,
        AuditRead,
        ContractsRead,
        ContractsWrite,
        ClausesWrite,
        ClauseTypesWrite,
        SettingsWrite,
        QuestionnairesRead,
        TemplatesWrite,
        AssessmentsWrite,
        AssessmentsReview,
        FindingsRead,
        FindingsWrite,
        WebhooksAdmin,
        TicketsLink,
        TicketEvents,
        RemindersRead,
        RemindersWrite,
        EventTypesRead,
        IncidentsRead,
        IncidentsWrite,
        TokensRevoke
    );
}

/// A principal whose role has been checked against `P`. As an extractor it runs before the body
/// and query are parsed, so a caller without the right gets 403 whatever it sent.
pub struct Authorized<P>(pub Principal, std::marker::PhantomData<P>);

impl<P> std::ops::Deref for Authorized<P> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<P: perm::Permission> FromRequest for Authorized<P> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut actix_web::dev::Payload) -> Self::Future {
        std::future::ready(authenticate(req).and_then(|p| {
            p.require(P::ACCESS)?;
            Ok(Authorized(p, std::marker::PhantomData))
        }))
    }
}

/// Why a token was refused, in words of our own: the JWT library's messages name its internals
/// (and may quote the token's contents), so they are logged, not sent.
fn token_refused(e: jsonwebtoken::errors::Error) -> ApiError {
    use jsonwebtoken::errors::ErrorKind as K;
    tracing::debug!(error = %e, "a bearer token was refused");
    let why = match e.kind() {
        K::ExpiredSignature => "the token has expired",
        K::ImmatureSignature => "the token is not valid yet",
        K::InvalidSignature => "the token's signature does not verify",
        K::InvalidAudience => "the token is for another audience",
        K::InvalidIssuer => "the token is from another issuer",
        K::InvalidAlgorithm => "the token is signed with another algorithm than the one configured",
        K::MissingRequiredClaim(_) => "the token lacks a required claim (exp, nbf, iss, aud, sub or role)",
        _ => "the token is not a valid JWT",
    };
    ApiError::Unauthorized(why.into())
}

/// The longest lifetime `oversee token` gives.
pub const MAX_TTL_DAYS: i64 = 30;

/// Parses durations such as `8h`, `30m`, `7d`, `3600s` for `oversee token --ttl`.
pub fn parse_ttl(s: &str) -> Result<chrono::Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (num, unit) = s.split_at(split);
    let n: i64 = num.parse().map_err(|_| format!("'{s}' is not a duration like 8h, 30m or 7d"))?;
    let d = match unit {
        "s" | "" => chrono::Duration::try_seconds(n),
        "m" => chrono::Duration::try_minutes(n),
        "h" => chrono::Duration::try_hours(n),
        "d" => chrono::Duration::try_days(n),
        _ => return Err(format!("'{s}': unit must be s, m, h or d")),
    }
    .ok_or_else(|| format!("'{s}': must be at most {MAX_TTL_DAYS} days"))?;
    if n <= 0 || d > chrono::Duration::days(MAX_TTL_DAYS) {
        return Err(format!(
            "'{s}': must be more than 0 and at most {MAX_TTL_DAYS} days (a token cannot be taken back \
            before then except by revoking its subject)"
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ttl_parsing() {
        assert_eq!(parse_ttl("8h").unwrap(), chrono::Duration::hours(8));
        assert_eq!(parse_ttl("30m").unwrap(), chrono::Duration::minutes(30));
        assert_eq!(parse_ttl("7d").unwrap(), chrono::Duration::days(7));
        assert_eq!(parse_ttl("45").unwrap(), chrono::Duration::seconds(45));
        for bad in ["", "h", "0h", "8w", "400d", "-1h"] {
            assert!(parse_ttl(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_role_round_trips_and_unknown_roles_do_not_parse() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
        assert_eq!(Role::parse("Admin"), None);
    }

    #[test]
    fn generated_secret_is_kept_and_reused() {
        let dir = std::env::temp_dir().join(format!("oversee-secret-{}", uuid::Uuid::now_v7()));
        let a = load_or_create_secret(&dir).unwrap();
        let b = load_or_create_secret(&dir).unwrap();
        assert_eq!(a, b);
        assert!(a.len() >= 32);
        std::fs::remove_dir_all(dir).unwrap();
    }
}
