//! Oversee: third-party vendor risk management for 201 CMR 17.03(2)(f).
//!
//! `app()` builds the whole HTTP application from an `AppState`; `main.rs` serves it and the
//! integration tests call it directly, so both run the same routes and middleware.

pub mod assessments;
pub mod audit;
pub mod auth;
pub mod benchmark;
pub mod clauses;
pub mod compliance;
pub mod config;
pub mod contacts;
pub mod contracts;
pub mod db;
pub mod derived;
pub mod digest;
pub mod error;
pub mod evidence;
pub mod findings;
pub mod http;
pub mod idempotency;
pub mod incidents;
pub mod jobs;
pub mod lease;
pub mod mail;
pub mod ops;
pub mod patch;
pub mod portal;
pub mod private_files;
pub mod questionnaires;
pub mod reminders;
pub mod revocations;
/// The regulation and policies as pure functions, in a crate of their own (crates/oversee-rules).
pub use oversee_rules as rules;
pub mod scores;
pub mod secrets;
pub mod seed;
pub mod settings;
pub mod state;
pub mod time;
pub mod token_cache;
pub mod vendors;
pub mod webhooks;

use actix_web::{
    body::MessageBody,
    dev::{ServiceFactory, ServiceRequest, ServiceResponse},
    middleware::from_fn,
    web, App, HttpResponse,
};
use utoipa::{
    openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme},
    Modify, OpenApi,
};
use utoipa_actix_web::{scope, AppExt};
use utoipa_swagger_ui::SwaggerUi;

use crate::{error::ApiError, state::AppState};

pub const API_PREFIX: &str = "/api/v1";

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Oversee",
        description = "Third-party vendor risk management for 201 CMR 17.03(2)(f): service providers, \
            contracts and clauses, questionnaires, capability scores and reminders.\n\n\
            Errors are RFC 9457 `application/problem+json`. Lists are keyset-paginated with `limit` and `cursor`.",
        license(name = "Apache-2.0")
    ),
    modifiers(&BearerScheme),
    // Schemas used only by query parameters are not collected from the routes; list them here.
    components(schemas(vendors::models::VendorSort, compliance::changes::ComplianceChange, webhooks::catalogue::EventType)),
    tags(
        (name = "vendors", description = "Service providers and their contacts"),
        (name = "contracts", description = "Contracts with service providers, and their renewals, amendments and terminations"),
        (name = "clauses", description = "Clause types and the clauses recorded on contracts"),
        (name = "compliance", description = "The 17.03(2)(f)2 evaluation: is the provider required by contract to protect the PI?"),
        (name = "questionnaires", description = "Questionnaire templates: versioned, importable and exportable"),
        (name = "assessments", description = "Questionnaires sent to vendors, their answers, review and decision"),
        (name = "portal", description = "The vendor portal: what a respondent's token reaches, and nothing else"),
        (name = "findings", description = "Weaknesses found in vendors, tracked to resolution or accepted risk"),
        (name = "incidents", description = "Security incidents at vendors (17.03(2)(j), c. 93H §3): the record, notices, the post-incident review"),
        (name = "scores", description = "Capability scores under 17.03(2)(f), the (f)1 status, history and the portfolio summary"),
        (name = "reminders", description = "Renewal, notice, assessment, reassessment and finding reminders by email: planned, sent once, retried"),
        (name = "webhooks", description = "Signed webhooks out (Standard Webhooks): subscriptions, deliveries, redelivery"),
        (name = "audit", description = "The audit trail"),
        (name = "auth", description = "Bearer tokens: revoking a subject's tokens"),
        (name = "operations", description = "Health, readiness and metrics"),
    )
)]
struct ApiDoc;

struct BearerScheme;

impl Modify for BearerScheme {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .description(Some(
                        "A JWT with `sub` and `role`; the roles each operation accepts are listed as the scopes of its requirement.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "respondent_token",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("ovr_resp_…")
                    .description(Some(
                        "The opaque token from an assessment invitation; it reaches only the vendor portal of that one assessment.",
                    ))
                    .build(),
            ),
        );
    }
}

/// Registers every route once; the spec is derived from the same registration, so it cannot
/// forget a route.
fn register<T>(app: utoipa_actix_web::UtoipaApp<T>) -> utoipa_actix_web::UtoipaApp<T>
where
    T: ServiceFactory<ServiceRequest, Config = (), Error = actix_web::Error, InitError = ()>,
{
    app.openapi(ApiDoc::openapi()).configure(ops::configure).service(
        scope::scope(API_PREFIX)
            .configure(vendors::routes::configure)
            .configure(contacts::routes::configure)
            .configure(contracts::routes::configure)
            .configure(clauses::routes::configure)
            .configure(clauses::analysis::configure)
            .configure(compliance::routes::configure)
            .configure(questionnaires::routes::configure)
            .configure(assessments::routes::configure)
            .configure(assessments::review::configure)
            .configure(portal::routes::configure)
            .configure(findings::routes::configure)
            .configure(findings::tickets::configure)
            .configure(incidents::routes::configure)
            .configure(scores::routes::configure)
            .configure(webhooks::routes::configure)
            .configure(reminders::routes::configure)
            .configure(audit::routes::configure)
            .configure(revocations::routes::configure)
            .configure(evidence::routes::configure),
    )
}

/// Applies migrations and installs the built-in data (clause types, questionnaire templates). Run at start by `serve` and
/// `migrate`, and by the tests, so every database has the same baseline.
pub fn prepare_database(db: &db::Db) -> Result<usize, String> {
    let ran = db.migrate()?;
    db.write_blocking(|c| {
        clauses::store::install_builtins(c)?;
        for doc in questionnaires::builtin::documents() {
            questionnaires::store::install_builtin(c, &doc)?;
        }
        Ok(())
    })
    .map_err(|e| format!("installing built-in data: {e}"))?;
    db.refresh_statistics()?;
    Ok(ran)
}

/// Opens the configured database with the audit key, brings it up to date (`prepare_database`)
/// and checks that the key fits the chain: what every command that writes does first. Returns
/// the database and how many migrations ran.
pub fn open_database(config: &config::Config) -> Result<(db::Db, usize), String> {
    let db = db::Db::connect(&config.database_url)?.with_audit_key(config.audit_keys.current.clone());
    let applied = prepare_database(&db)?;
    let mut conn = db.conn().map_err(|e| e.to_string())?;
    audit::chain::check_keys(&mut conn, &config.audit_keys)?;
    drop(conn);
    audit::chain::seal_legacy(&db).map_err(|e| format!("sealing the audit events older than the chain: {e}"))?;
    let secrets =
        secrets::SecretBox::new(config.secret_key.as_deref()).map_err(|e| format!("OVERSEE_SECRET_KEY: {e}"))?;
    webhooks::store::seal_stored_secrets(&db, &secrets).map_err(|e| format!("sealing stored webhook secrets: {e}"))?;
    Ok((db, applied))
}

/// The OpenAPI document, as `oversee openapi` writes it and `/openapi.json` serves it.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut spec = openapi_without_conformance();
    finish_spec(&mut spec);
    spec
}

/// The spec as the routes' annotations give it, before `finish_spec` (for tests of that pass).
#[doc(hidden)]
pub fn openapi_without_conformance() -> utoipa::openapi::OpenApi {
    register(App::new().into_utoipa_app()).split_for_parts().1
}

/// What the routes' annotations cannot say on their own: the webhooks sent, and the formats and
/// rules the server enforces (`http::spec`).
fn finish_spec(spec: &mut utoipa::openapi::OpenApi) {
    // Conformed first: the webhooks sit in a top-level extension the conforming pass, which
    // reads the document back through utoipa's types, would not keep.
    http::spec::conform(spec);
    webhooks::catalogue::add_to_spec(spec);
}

pub fn openapi_json() -> String {
    openapi().to_pretty_json().expect("the spec serialises") + "\n"
}

/// A request no route took: 405 with `Allow` when its path is a route's under another method,
/// 404 otherwise.
async fn not_found(req: actix_web::HttpRequest) -> Result<HttpResponse, ApiError> {
    let allowed = http::routes::methods_of(req.path());
    if allowed.is_empty() {
        return Err(ApiError::NotFound("no such route".into()));
    }
    let allow = allowed.join(", ");
    let problem = ApiError::MethodNotAllowed(format!("{} is not served here; use {allow}", req.method()));
    let mut res = actix_web::ResponseError::error_response(&problem);
    res.headers_mut().insert(
        actix_web::http::header::ALLOW,
        actix_web::http::header::HeaderValue::from_str(&allow).map_err(|e| ApiError::Internal(e.to_string()))?,
    );
    Ok(res)
}

pub fn app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let limit = state.config.body_limit_bytes;
    let (app, mut spec) = register(
        App::new()
            .app_data(web::Data::new(state))
            .app_data(web::PayloadConfig::new(limit))
            .app_data(http::json::query_config())
            .app_data(http::json::path_config())
            .into_utoipa_app(),
    )
    .split_for_parts();
    finish_spec(&mut spec);
    app.service(SwaggerUi::new("/docs/{_:.*}").url("/openapi.json", spec))
        .default_service(web::to(not_found))
        .wrap(from_fn(idempotency::middleware::middleware))
        .wrap(from_fn(http::json::reject_nul_in_query))
        .wrap(from_fn(http::metrics::middleware))
        .wrap(from_fn(http::security_headers::middleware))
        .wrap(from_fn(http::request_id::middleware))
}
