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
        AppState {
            db,
            config: Arc::new(config),
            keys: Arc::new(keys),
            metrics: Arc::new(Metrics::default()),
            mailer: Arc::new(mailer),
        }
    }
}
