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
    /// Jobs the embedded agent runs at once; 0 leaves every job to remote `sluice agent`s.
    #[arg(long, default_value_t = 8, env = "SLUICE_EXECUTOR_SLOTS")]
    executor_slots: u16,
    /// An agent silent for this long (no heartbeat) is lost: its job runs again or fails.
    /// `30s`, `500ms`, `2m`.
    #[arg(long, default_value = "30s", value_parser = parse_duration, env = "SLUICE_AGENT_LOST_AFTER")]
    agent_lost_after: std::time::Duration,
}

/// `500ms`, `30s`, `2m`, or plain seconds.
pub fn parse_duration(text: &str) -> Result<std::time::Duration, String> {
    let text = text.trim();
    let (number, unit) = match text.find(|c: char| !c.is_ascii_digit()) {
        Some(at) => text.split_at(at),
        None => (text, "s"),
    };
    let n: u64 = number.parse().map_err(|_| format!("`{text}` is not a duration (e.g. 30s, 500ms, 2m)"))?;
    let duration = match unit {
        "ms" => std::time::Duration::from_millis(n),
        "s" => std::time::Duration::from_secs(n),
        "m" => std::time::Duration::from_secs(n.saturating_mul(60)),
        _ => return Err(format!("`{text}`: the unit must be ms, s or m")),
    };
    if duration.is_zero() {
        return Err("the duration must be above zero".into());
    }
    // Leases are added to clock readings in milliseconds: keep them far from overflow.
    if duration > std::time::Duration::from_secs(24 * 60 * 60) {
        return Err(format!("`{text}` is longer than a day"));
    }
    Ok(duration)
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
        executor_slots: usize::from(args.executor_slots),
        agent_lost_after: args.agent_lost_after,
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
pub fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into());
    // Colours only on a terminal: a log file or journal gets plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr()) && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi).try_init();
}

#[cfg(test)]
mod tests {
    use super::parse_duration;
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

    #[test]
    fn durations_take_a_unit_or_mean_seconds() {
        assert_eq!(parse_duration("30"), Ok(std::time::Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(std::time::Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(std::time::Duration::from_secs(120)));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5h").is_err());
        assert!(parse_duration("x").is_err());
        assert!(parse_duration("1441m").is_err());
        assert!(parse_duration("99999999999999999999s").is_err());
    }
}
