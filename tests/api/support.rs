//! The test harness: each `TestApp` runs the real application on its own fresh database
//! (a SQLite file in a temp folder, or a PostgreSQL schema when OVERSEE_TEST_DATABASE_URL is set)
//! and removes it when dropped.

use std::{collections::HashMap, path::PathBuf};

use actix_http::Request;
use actix_service::{boxed::RcService, Service, ServiceExt};
use actix_web::{
    dev::ServiceResponse,
    http::{header::HeaderMap, Method, StatusCode},
    test,
};
use diesel::{connection::SimpleConnection, Connection};
use jsonwebtoken::{EncodingKey, Header};
use oversee::{auth::JwtKeys, config::Config, state::AppState};
use serde_json::{json, Value};

pub const SECRET: &str = "test-secret-that-is-long-enough-for-hs256!";

/// The test's own data folder (SQLite file, mail outbox, evidence), and its PostgreSQL schema if any.
struct Storage {
    dir: PathBuf,
    postgres: Option<(String, String)>,
}

impl Drop for Storage {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
        if let Some((base_url, schema)) = &self.postgres {
            if let Ok(mut c) = diesel::PgConnection::establish(base_url) {
                let _ = c.batch_execute(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE"));
            }
        }
    }
}

pub struct TestApp {
    #[allow(dead_code)]
    pub state: AppState,
    svc: RcService<Request, ServiceResponse, actix_web::Error>,
    // Dropped after `state`, so the pool is gone before the database is removed.
    _storage: Storage,
}

pub struct Res {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
    pub bytes: Vec<u8>,
}

impl Res {
    pub fn header(&self, name: &str) -> Option<String> {
        self.headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string)
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_env(&[]).await
    }

    /// Extra settings override the test defaults, e.g. `[("OVERSEE_JWT_PUBLIC_KEY", pem)]`.
    pub async fn with_env(extra: &[(&str, &str)]) -> TestApp {
        let id = uuid::Uuid::now_v7().simple().to_string();
        let dir = std::env::temp_dir().join(format!("oversee-test-{id}"));
        std::fs::create_dir_all(&dir).unwrap();
        let (url, postgres) = match std::env::var("OVERSEE_TEST_DATABASE_URL").ok().filter(|s| !s.is_empty()) {
            Some(base) => {
                let schema = format!("t_{id}");
                let mut c = diesel::PgConnection::establish(&base).expect("connect to OVERSEE_TEST_DATABASE_URL");
                c.batch_execute(&format!("CREATE SCHEMA {schema}")).unwrap();
                let sep = if base.contains('?') { '&' } else { '?' };
                (format!("{base}{sep}options=-csearch_path%3D{schema}"), Some((base, schema)))
            }
            None => (dir.join("oversee.db").to_string_lossy().into_owned(), None),
        };
        let storage = Storage { dir: dir.clone(), postgres };
        let mut env: HashMap<String, String> = HashMap::from([
            // The tests make many bad requests on purpose; the limits have tests of their own.
            ("OVERSEE_RATE_AUTH_FAILURES".into(), "1000000".into()),
            ("OVERSEE_RATE_PORTAL_FAILURES".into(), "1000000".into()),
            ("OVERSEE_RATE_ANALYSES".into(), "1000000".into()),
            ("DATABASE_URL".into(), url),
            ("OVERSEE_JWT_SECRET".into(), SECRET.into()),
            ("OVERSEE_DATA_DIR".into(), dir.to_string_lossy().into_owned()),
        ]);
        for (k, v) in extra {
            env.insert(k.to_string(), v.to_string());
        }
        let config = Config::from_lookup(|k| env.get(k).cloned()).expect("test config");
        let (db, _) = oversee::open_database(&config).expect("test database");
        let keys = JwtKeys::from_settings(&config.jwt, &config.data_dir).expect("keys");
        let state = AppState::new(config, db, keys);
        let svc = test::init_service(oversee::app(state.clone())).await;
        let svc = actix_service::boxed::rc_service(svc.map(|r| r.map_into_boxed_body()));
        TestApp { state, svc, _storage: storage }
    }

    pub fn token(&self, role: &str) -> String {
        self.token_for("tester@example.com", role)
    }

    pub fn token_for(&self, sub: &str, role: &str) -> String {
        sign(&claims(sub, role), SECRET)
    }

    pub async fn send(&self, req: test::TestRequest) -> Res {
        let res = match self.svc.call(req.to_request()).await {
            Ok(r) => r,
            // Errors raised by middleware become responses exactly as the server would send them.
            Err(e) => {
                let r = e.as_response_error().error_response();
                let (req, _) = test::TestRequest::default().to_srv_request().into_parts();
                ServiceResponse::new(req, r)
            }
        };
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = test::read_body(res).await;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Res { status, headers, body, text, bytes: bytes.to_vec() }
    }

    /// A JSON request as `role`.
    pub async fn call(&self, method: Method, path: &str, role: &str, body: Option<Value>) -> Res {
        let mut req = test::TestRequest::default()
            .method(method)
            .uri(path)
            .insert_header(("Authorization", format!("Bearer {}", self.token(role))));
        if let Some(b) = body {
            req = req.set_json(b);
        }
        self.send(req).await
    }

    pub async fn get(&self, path: &str, role: &str) -> Res {
        self.call(Method::GET, path, role, None).await
    }

    pub async fn post(&self, path: &str, role: &str, body: Value) -> Res {
        self.call(Method::POST, path, role, Some(body)).await
    }

    pub async fn patch(&self, path: &str, role: &str, body: Value) -> Res {
        self.call(Method::PATCH, path, role, Some(body)).await
    }

    pub async fn put(&self, path: &str, role: &str, body: Value) -> Res {
        self.call(Method::PUT, path, role, Some(body)).await
    }

    pub async fn delete(&self, path: &str, role: &str) -> Res {
        self.call(Method::DELETE, path, role, None).await
    }

    /// Creates a vendor as admin and returns its JSON.
    pub async fn vendor(&self, body: Value) -> Value {
        let res = self.post("/api/v1/vendors", "admin", body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
        res.body
    }
}

/// The real `oversee` binary on the test's database and data folder, with nothing else from the
/// environment; `env` adds or overrides settings.
pub fn oversee_command(app: &TestApp, args: &[&str], env: &[(&str, String)]) -> std::process::Command {
    let config = &app.state.config;
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_oversee"));
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", &config.database_url)
        .env("OVERSEE_DATA_DIR", &config.data_dir)
        .env("OVERSEE_JWT_SECRET", SECRET);
    for (k, v) in env {
        cmd.env(k, v);
    }
    // The child dies with the test's thread, so a test that fails midway leaves no server behind.
    // SAFETY: prctl is async-signal-safe and touches only the child's own state.
    unsafe {
        std::os::unix::process::CommandExt::pre_exec(&mut cmd, || {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            Ok(())
        });
    }
    cmd
}

/// The built-in 201 CMR 17 template's published version 1.
pub async fn builtin_template_id(app: &TestApp) -> String {
    let res = app.get("/api/v1/questionnaire-templates?key=201cmr17-service-provider", "security").await;
    assert_eq!(res.status, 200, "{}", res.text);
    res.body["items"][0]["id"].as_str().expect("the built-in template is installed").to_string()
}

/// A date `days` from today, as the API writes dates.
pub fn days_from_today(days: i64) -> String {
    (chrono::Utc::now().date_naive() + chrono::Duration::days(days)).format("%Y-%m-%d").to_string()
}

/// A vendor with an assessment from `template_id`, sent: returns (assessment id, respondent token).
pub async fn send_assessment(app: &TestApp, template_id: &str) -> (String, String) {
    let vendor = app.vendor(json!({"name": format!("Vendor {}", uuid::Uuid::now_v7())})).await;
    send_assessment_to(app, template_id, vendor["id"].as_str().unwrap()).await
}

/// An assessment of `vendor_id` from `template_id`, sent: returns (assessment id, respondent token).
pub async fn send_assessment_to(app: &TestApp, template_id: &str, vendor_id: &str) -> (String, String) {
    let res = app
        .post(
            &format!("/api/v1/vendors/{vendor_id}/assessments"),
            "procurement",
            json!({"template_id": template_id, "due_on": days_from_today(30),
                "respondent_name": "Dana Lee", "respondent_email": "dana@acme.example"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.text);
    let id = res.body["id"].as_str().unwrap().to_string();
    let res = app.post(&format!("/api/v1/assessments/{id}/send"), "procurement", json!({})).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.text);
    (id, res.body["respondent_token"].as_str().unwrap().to_string())
}

/// A sent assessment of the built-in template.
pub async fn sent_assessment(app: &TestApp) -> (String, String) {
    let template = builtin_template_id(app).await;
    send_assessment(app, &template).await
}

/// A request with a respondent token.
pub async fn as_respondent(app: &TestApp, token: &str, method: Method, path: &str, body: Option<Value>) -> Res {
    let mut req = test::TestRequest::default()
        .method(method)
        .uri(path)
        .insert_header(("Authorization", format!("Bearer {token}")));
    if let Some(b) = body {
        req = req.set_json(b);
    }
    app.send(req).await
}

pub fn claims(sub: &str, role: &str) -> Value {
    let now = chrono::Utc::now().timestamp();
    json!({"sub": sub, "role": role, "iss": "oversee", "aud": "oversee-api", "iat": now, "nbf": now, "exp": now + 3600})
}

pub fn sign(claims: &Value, secret: &str) -> String {
    jsonwebtoken::encode(&Header::default(), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

/// Asserts a problem+json response with the given status.
pub fn assert_problem(res: &Res, status: u16) {
    assert_eq!(res.status.as_u16(), status, "{}", res.text);
    assert_eq!(res.header("content-type").as_deref(), Some("application/problem+json"), "{}", res.text);
    assert_eq!(res.body["status"], status);
    assert!(res.body["title"].is_string() && res.body["detail"].is_string() && res.body["type"].is_string());
}
