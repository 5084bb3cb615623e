use std::sync::Arc;

use crate::{auth::JwtKeys, config::Config, db::Db, http::metrics::Metrics};

/// Everything a handler may need, shared by all workers.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<Config>,
    pub keys: Arc<JwtKeys>,
    pub metrics: Arc<Metrics>,
}

impl AppState {
    pub fn new(config: Config, db: Db, keys: JwtKeys) -> AppState {
        AppState { db, config: Arc::new(config), keys: Arc::new(keys), metrics: Arc::new(Metrics::default()) }
    }
}
