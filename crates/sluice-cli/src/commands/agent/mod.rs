//! `sluice agent --server URL --token T`: a remote agent. It registers,
//! long-polls the server for jobs its labels allow, runs them in its own
//! work directory with the same agent loop as the server's embedded agent,
//! heartbeats, streams logs and reports. The first SIGTERM or ctrl-c stops
//! taking jobs and lets the running ones finish; a second kills them.
//!
//! `sluice agent token create|list|delete`: registration tokens, in the
//! server's database directly (like `sluice key`).

mod http;
mod token;

use super::Global;
use crate::client::Endpoint;
use anyhow::Context as _;
use sluice_artifacts::ArtifactStore;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

#[derive(clap::Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Args {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Registration tokens for agents (local: opens the server's database directly).
    Token(token::Args),
}

#[derive(clap::Args)]
struct RunArgs {
    /// The server, `http://host:port`.
    #[arg(long, env = "SLUICE_SERVER")]
    server: Option<String>,
    /// A registration token from `sluice agent token create`.
    #[arg(long, env = "SLUICE_AGENT_TOKEN", hide_env_values = true)]
    token: Option<String>,
    /// This agent's labels: it runs the jobs whose labels (an action's `AgentLabels`) it all has.
    #[arg(long, value_delimiter = ',')]
    labels: Vec<String>,
    /// Jobs run at once.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..))]
    slots: u16,
    /// Workspaces, logs and artifacts of the jobs live here.
    #[arg(long, default_value = "./sluice-agent", value_name = "DIR")]
    work_dir: PathBuf,
    /// Bare repositories for Source/CodeCommit jobs (only when the agent shares the server's
    /// disk: `<data-dir>/repos`).
    #[arg(long, value_name = "DIR", hide = true)]
    repos_dir: Option<PathBuf>,
    /// Between SIGTERM and SIGKILL when a job is cancelled.
    #[arg(long, default_value = "5s", value_parser = super::server::parse_duration)]
    kill_grace: Duration,
    /// Deploy/S3 actions to BucketName NAME go to LOCATION, a directory or an s3:// URL
    /// (repeatable); a Deploy/S3 action to any other bucket fails on this agent.
    #[arg(long = "deploy-bucket", value_name = "NAME=LOCATION", value_parser = sluice_server::server::parse_deploy_bucket)]
    deploy_buckets: Vec<(String, ArtifactStore)>,
}

pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Some(Command::Token(command)) => token::run(global, command),
        None => run_agent(args.run),
    }
}

fn run_agent(args: RunArgs) -> anyhow::Result<ExitCode> {
    let server = args.server.context("--server is required (or SLUICE_SERVER)")?;
    let token = args.token.context("--token is required (or SLUICE_AGENT_TOKEN)")?;
    let endpoint = Endpoint::parse(&server)?;
    super::server::init_logging();
    std::fs::create_dir_all(&args.work_dir)
        .with_context(|| format!("cannot create the work directory {}", args.work_dir.display()))?;
    let work_dir = std::fs::canonicalize(&args.work_dir)
        .with_context(|| format!("cannot use the work directory {}", args.work_dir.display()))?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_all().build().context("cannot start the runtime")?;
    runtime.block_on(async move {
        let place = http::Place {
            repos_root: args.repos_dir.unwrap_or_else(|| work_dir.join("repos")),
            // A bucket the agent has no mapping for is the server's: refused
            // here rather than written to this host's disk.
            deploy_targets: sluice_runner::DeployTargets::only(args.deploy_buckets),
            work_dir,
            kill_grace: args.kill_grace,
        };
        let labels = args.labels.iter().map(|l| l.trim().to_string()).filter(|l| !l.is_empty()).collect();
        let source = http::HttpSource::register(&endpoint, &token, labels, place).await?;
        println!("sluice agent {} registered with {}", source.agent_id(), endpoint.shown);
        let (stop, kill) = (CancellationToken::new(), CancellationToken::new());
        tokio::spawn(signals(stop.clone(), kill.clone()));
        let options = sluice_server::agent::LoopOptions {
            slots: usize::from(args.slots),
            claim_wait: Duration::from_secs(30),
            retry_after: Duration::from_secs(2),
        };
        sluice_server::agent::run(source, options, stop, kill).await;
        anyhow::Ok(ExitCode::SUCCESS)
    })
}

/// First signal: stop claiming. Second: kill the running jobs.
async fn signals(stop: CancellationToken, kill: CancellationToken) {
    use tokio::signal::unix::{SignalKind, signal};
    let Ok(mut terminate) = signal(SignalKind::terminate()) else { return };
    for token in [stop, kill] {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("stopping: no new jobs (a second signal kills the running ones)");
        token.cancel();
    }
}
