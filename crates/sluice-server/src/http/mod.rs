//! The HTTP server: one router for the AWS protocol (`POST /`), health,
//! metrics, hosted git, and the native `/api/v1/` (the agents' job protocol,
//! artifacts for agents, log streams). The only module tree that knows HTTP.

mod agent_tokens;
pub(crate) mod agents;
mod artifacts;
mod logs;
pub mod metrics;

use crate::driver::Driver;
use axum::Router;
use axum::routing::{get, post};
use std::path::PathBuf;
use std::sync::Arc;

/// The largest job result an agent may send.
const RESULT_LIMIT: usize = 64 << 20;

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
        .route("/api/v1/agent-tokens", post(agent_tokens::create).get(agent_tokens::list))
        .route("/api/v1/agent-tokens/{name}", axum::routing::delete(agent_tokens::delete))
        .route("/api/v1/agents/register", post(agents::register))
        .route("/api/v1/jobs/claim", post(agents::claim))
        .route("/api/v1/jobs/{id}/heartbeat", post(agents::heartbeat))
        .route("/api/v1/jobs/{id}/logs", post(agents::logs))
        // A result carries every test case of its reports: more than axum's default 2 MiB.
        .route(
            "/api/v1/jobs/{id}/result",
            post(agents::result).layer(axum::extract::DefaultBodyLimit::max(RESULT_LIMIT)),
        )
        .route("/api/v1/artifacts/{*key}", axum::routing::any(artifacts::handle))
        .route("/api/v1/executions/{id}/logs", get(logs::of_execution))
        .route("/api/v1/pipelines/{name}/executions/{id}/logs", get(logs::of_pipeline_execution))
        .with_state(state)
}

async fn healthz() -> &'static str {
    "ok\n"
}
