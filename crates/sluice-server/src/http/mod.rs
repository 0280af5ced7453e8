//! The HTTP server: one router for the AWS protocol (`POST /`), health,
//! metrics and hosted git. The only module tree that knows HTTP.

pub mod metrics;

use crate::driver::Driver;
use axum::Router;
use axum::routing::{get, post};
use std::path::PathBuf;
use std::sync::Arc;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub driver: Driver,
    pub metrics: Arc<metrics::Metrics>,
    pub data_dir: PathBuf,
    /// The account id shown in ARNs.
    pub account_id: String,
}

pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/", post(crate::aws::handle))
        .route("/healthz", get(healthz))
        .route("/metrics", get(metrics::render))
        .route("/git/{*path}", axum::routing::any(crate::git::http::handle))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}
