//! `sluice server`: everything in one process, with embedded defaults.

//!
//! Where the database, artifacts, logs and repositories live is the global `--data-dir`.

use super::Global;
use sluice_server::server::{ArtifactStore, ServerOptions, Started, parse_deploy_bucket, run};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The address to listen on (port 0 picks a free port).
    #[arg(long, default_value = "127.0.0.1:7700", env = "SLUICE_LISTEN")]
    listen: String,
    /// `postgres://user@host/db` for PostgreSQL; SQLite in the data directory by default.
    #[arg(long, env = "SLUICE_DATABASE_URL")]
    database_url: Option<String>,
    /// The account id shown in ARNs.
    #[arg(long, default_value = "000000000000", env = "SLUICE_ACCOUNT_ID")]
    account_id: String,
    /// Where artifacts live: a directory (a path or file:///path) or
    /// s3://bucket/prefix?endpoint=URL&region=R, with credentials from AWS_ACCESS_KEY_ID and
    /// AWS_SECRET_ACCESS_KEY; `<data-dir>/artifacts` by default.
    #[arg(long, env = "SLUICE_ARTIFACT_STORE", value_name = "URL", value_parser = parse_artifact_store)]
    artifact_store: Option<ArtifactStore>,
    /// Deploy/S3 actions to BucketName NAME go to LOCATION, a directory or an s3:// URL
    /// (repeatable); other buckets are directories under `<data-dir>/buckets/`.
    #[arg(long = "deploy-bucket", value_name = "NAME=LOCATION", value_parser = parse_deploy_bucket)]
    deploy_buckets: Vec<(String, ArtifactStore)>,
}

fn parse_artifact_store(spec: &str) -> Result<ArtifactStore, String> {
    ArtifactStore::from_url(spec).map_err(|e| e.to_string())
}

pub fn run_server(global: &Global, args: &Args) -> ExitCode {
    init_logging();
    let admin_key = match (std::env::var("SLUICE_ADMIN_ACCESS_KEY_ID"), std::env::var("SLUICE_ADMIN_SECRET_ACCESS_KEY"))
    {
        (Ok(id), Ok(secret)) if !id.is_empty() && !secret.is_empty() => Some((id, secret)),
        _ => None,
    };
    let options = ServerOptions {
        listen: args.listen.clone(),
        data_dir: global.data_dir.clone(),
        database_url: args.database_url.clone(),
        admin_key,
        account_id: args.account_id.clone(),
        artifact_store: args.artifact_store.clone(),
        deploy_buckets: args.deploy_buckets.clone(),
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("sluice: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let data_dir = global.data_dir.clone();
    let result = runtime.block_on(run(options, shutdown_signal(), move |started: &Started| {
        if let Some((id, secret)) = &started.new_admin_key {
            println!("Created the admin access key (also in {}):", data_dir.join("admin-credentials").display());
            println!("  SLUICE_ACCESS_KEY_ID={id}");
            println!("  SLUICE_SECRET_ACCESS_KEY={secret}");
        }
        println!("sluice listening on http://{}", started.address);
    }));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("sluice: {e}");
            ExitCode::FAILURE
        }
    }
}

/// SIGINT or SIGTERM: stop accepting, finish what is in flight.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let mut terminate = match signal(SignalKind::terminate()) {
        Ok(s) => s,
        Err(_) => return std::future::pending().await,
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminate.recv() => {}
    }
    tracing::info!("shutting down");
}

/// Structured logs on standard error; `RUST_LOG` filters them.
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // Colours only on a terminal: a log file or journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
}

#[cfg(test)]
mod tests {
    use crate::{Cli, Command};
    use clap::Parser;

    fn server_args(args: &[&str]) -> Result<super::Args, String> {
        let cli = Cli::try_parse_from([&["sluice", "server"], args].concat()).map_err(|e| e.to_string())?;
        match cli.command {
            Command::Server(args) => Ok(args),
            _ => Err("not the server command".to_owned()),
        }
    }

    #[test]
    fn storage_options() {
        let args = server_args(&[]).unwrap();
        assert!(args.artifact_store.is_none() && args.deploy_buckets.is_empty());

        let args = server_args(&[
            "--artifact-store",
            "s3://art/ci?endpoint=http://127.0.0.1:9000&access_key_id=a&secret_access_key=b",
            "--deploy-bucket",
            "site=/srv/www",
            "--deploy-bucket",
            "assets=s3://cdn/assets?endpoint=http://127.0.0.1:9000",
        ])
        .unwrap();
        assert_eq!(args.artifact_store.unwrap().describe(), "s3://art/ci at http://127.0.0.1:9000");
        let buckets: Vec<(String, String)> =
            args.deploy_buckets.iter().map(|(name, store)| (name.clone(), store.describe())).collect();
        assert_eq!(
            buckets,
            [("site".into(), "/srv/www".into()), ("assets".into(), "s3://cdn/assets at http://127.0.0.1:9000".into())]
        );

        let err = server_args(&["--artifact-store", "s3://art?regoin=x"]).err().unwrap_or_default();
        assert!(err.contains("unknown parameter `regoin`"), "{err}");
        let err = server_args(&["--deploy-bucket", "site"]).err().unwrap_or_default();
        assert!(err.contains("is not NAME=LOCATION"), "{err}");
    }
}
