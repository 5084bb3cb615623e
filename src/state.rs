use std::sync::Arc;

use crate::{auth::JwtKeys, config::Config, db::Db, http::metrics::Metrics, mail::Mailer};

/// Everything a handler may need, shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub keys: Arc<JwtKeys>,
    pub metrics: Arc<Metrics>,
    pub mailer: Arc<Mailer>,
    /// Seals and opens secrets at rest (`OVERSEE_SECRET_KEY`).
    pub secrets: crate::secrets::SecretBox,
    /// Revoked token subjects, checked on every request.
    pub revocations: Arc<crate::revocations::Revocations>,
    /// Rate limits of this process.
    pub limits: Arc<crate::http::rate_limit::Limits>,
}

impl AppState {
    pub fn new(config: Config, db: Db, keys: JwtKeys) -> AppState {
        // The sender was validated with the rest of the configuration.
        let mailer = Mailer::new(
            &config.mail_from,
            &config.data_dir,
            config.smtp_url.as_deref(),
            std::time::Duration::from_secs(config.smtp_timeout_seconds),
        )
        .expect("OVERSEE_MAIL_FROM and OVERSEE_SMTP_URL were validated");
        let secrets =
            crate::secrets::SecretBox::new(config.secret_key.as_deref()).expect("OVERSEE_SECRET_KEY was validated");
        // Loaded before the first request: a revoked token is never let through at start.
        let revocations = crate::revocations::Revocations::default();
        let loaded = db.conn().and_then(|mut c| crate::revocations::store::all(&mut c));
        revocations.replace_all(loaded.expect("the token revocations could not be read at start"));
        AppState {
            limits: Arc::new(crate::http::rate_limit::Limits::from_config(&config)),
            secrets,
            revocations: Arc::new(revocations),
            db,
            config: Arc::new(config),
            keys: Arc::new(keys),
            metrics: Arc::new(Metrics::default()),
            mailer: Arc::new(mailer),
        }
    }
}
