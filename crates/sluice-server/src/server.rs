//! `sluice server`: the driver, the HTTP API and the embedded executor in
//! one process, with embedded defaults.

use crate::driver::{self, Driver};
use crate::http::{self, AppState};
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

/// What `--artifact-store` and `--deploy-bucket` are parsed into.
pub use sluice_artifacts::ArtifactStore;
pub use sluice_runner::parse_deploy_bucket;

#[derive(Debug, Clone)]
pub struct ServerOptions {
    pub listen: String,
    pub data_dir: PathBuf,
    /// `postgres://...`; SQLite in the data directory when unset.
    pub database_url: Option<String>,
    /// The admin key pair to use instead of generating one.
    pub admin_key: Option<(String, String)>,
    pub account_id: String,
    /// Where artifacts live; `<data_dir>/artifacts` when unset.
    pub artifact_store: Option<ArtifactStore>,
    /// Deploy/S3 bucket names mapped to a directory or an S3-compatible store.
    pub deploy_buckets: Vec<(String, ArtifactStore)>,
    /// Jobs the embedded agent runs at once (0: none, remote agents only).
    pub executor_slots: usize,
    /// An agent that has not heartbeated for this long is lost: its job is
    /// run again or failed (the lease length).
    pub agent_lost_after: std::time::Duration,
}

#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error("the data directory {0} cannot be used: {1}")]
    DataDir(PathBuf, std::io::Error),
    #[error(transparent)]
    Driver(#[from] driver::Error),
    #[error(transparent)]
    Credentials(#[from] crate::credentials::BootstrapError),
    #[error("cannot listen on {0}: {1}")]
    Listen(String, std::io::Error),
    #[error("the server stopped: {0}")]
    Serve(std::io::Error),
}

/// A started server: where it listens, and the admin key if it was just made.
pub struct Started {
    pub address: SocketAddr,
    pub new_admin_key: Option<(String, String)>,
}

/// Runs until `shutdown` resolves, then stops accepting requests, finishes
/// the ones in flight and stops the driver. `on_started` is told the
/// address once the socket is bound (port 0 picks a free port).
pub async fn run(
    mut options: ServerOptions,
    shutdown: impl Future<Output = ()> + Send + 'static,
    on_started: impl FnOnce(&Started),
) -> Result<(), ServerError> {
    create_private_dir(&options.data_dir).map_err(|e| ServerError::DataDir(options.data_dir.clone(), e))?;
    // Jobs run in workspaces of their own: every path handed to them (and to
    // git) must not depend on the server's working directory.
    options.data_dir =
        std::fs::canonicalize(&options.data_dir).map_err(|e| ServerError::DataDir(options.data_dir.clone(), e))?;
    let url = options
        .database_url
        .clone()
        .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", options.data_dir.join("sluice.db").display()));
    let mut driver_options = driver::Options::new(url, &options.data_dir);
    driver_options.artifact_store = options.artifact_store.clone();
    driver_options.deploy_buckets = options.deploy_buckets.clone();
    let artifacts = options.artifact_store.as_ref().map(ArtifactStore::describe);
    tracing::info!(
        artifacts = %artifacts.unwrap_or_else(|| options.data_dir.join("artifacts").display().to_string()),
        deploy_buckets = options.deploy_buckets.len(),
        "storage"
    );
    driver_options.executor_slots = options.executor_slots;
    driver_options.lease = options.agent_lost_after;
    let driver = Driver::start(driver_options).await?;
    match crate::codebuild::builds::end_interrupted(driver.store(), crate::clock::now_ms()).await {
        Ok(0) => {}
        Ok(n) => tracing::warn!(builds = n, "builds cut short by the last stop ended as FAULT"),
        Err(e) => tracing::warn!(error = %e, "builds cut short by the last stop could not be ended"),
    }
    let new_admin_key = crate::credentials::bootstrap(&driver, &options.data_dir, options.admin_key.clone()).await?;
    let listener = tokio::net::TcpListener::bind(&options.listen)
        .await
        .map_err(|e| ServerError::Listen(options.listen.clone(), e))?;
    let address = listener.local_addr().map_err(|e| ServerError::Listen(options.listen.clone(), e))?;
    on_started(&Started { address, new_admin_key });
    let state = AppState {
        driver: driver.clone(),
        metrics: Arc::new(http::metrics::Metrics::default()),
        data_dir: options.data_dir.clone(),
        account_id: options.account_id.clone(),
    };
    // Long-polls and log streams would hold the graceful shutdown open: end them first.
    let closing = driver.clone();
    let shutdown = async move {
        shutdown.await;
        closing.close_requests();
    };
    let served = axum::serve(listener, http::router(state)).with_graceful_shutdown(shutdown).await;
    driver.shutdown();
    served.map_err(ServerError::Serve)
}

fn create_private_dir(path: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if path.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(path)
}
