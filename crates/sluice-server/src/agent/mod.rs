//! The agent loop, shared by the server's embedded agent (in process) and
//! `sluice agent` (over HTTP): claim a job, keep its lease, run it with
//! `sluice_runner`, stream its log, report its outcome under the lease's
//! fencing token. Where jobs come from is a [`JobSource`]; this module knows
//! neither the driver nor HTTP, so it can move to a crate of its own.
//!
//! Lifecycle of one job, whatever the source:
//! 1. `claim` hands out an [`Assignment`] (long-polls: it returns when a job
//!    is there or `wait` passed, never on a timer of the agent's).
//! 2. `heartbeat` renews the lease and long-polls for a cancel: it returns
//!    at once when the job's cancel is committed, else after `wait`; the
//!    agent calls it again straight away. So a cancel reaches the job in
//!    one round trip and the lease is renewed every `lease / 3`.
//! 3. The runner appends to the log file the source names; a source that
//!    keeps logs elsewhere gets the new bytes through `append_log`.
//! 4. `report` hands over the [`RunOutcome`]; a stale token is refused.

mod run_loop;
mod upload;

pub use run_loop::{LoopOptions, run};

use sluice_artifacts::ArtifactStore;
use sluice_protocol::{Assignment, RunOutcome};
use sluice_runner::OnLog;
use std::future::Future;
use std::path::PathBuf;
use std::time::Duration;

/// Why a source call did not go through.
#[derive(Debug, thiserror::Error)]
pub enum SourceError {
    /// The lease is not ours any more (lost, requeued, completed): stop the
    /// job, report nothing.
    #[error("the job's lease is no longer held")]
    Stale,
    /// The source is shutting down.
    #[error("the job source stopped")]
    Stopped,
    #[error("{0}")]
    Failed(String),
}

/// Where and with what a job runs on this agent.
pub struct Workplace {
    pub work_root: PathBuf,
    pub repos_root: PathBuf,
    pub artifacts: ArtifactStore,
    /// The runner appends the job's log here.
    pub log_path: PathBuf,
    pub kill_grace: Duration,
    /// CodeBuild projects' local caches: `cache_root/<project>`.
    pub cache_root: PathBuf,
    /// Where Deploy/S3 actions write, by bucket name.
    pub deploy_targets: sluice_runner::DeployTargets,
    /// Told whenever the log grew.
    pub on_log: Option<OnLog>,
    /// Whether the log's bytes must be sent with `append_log` (the file is
    /// not the durable log).
    pub uploads_logs: bool,
}

/// Where jobs come from and where their results go.
pub trait JobSource: Clone + Send + Sync + 'static {
    /// A job whose labels this agent has, or `None` after `wait`.
    fn claim(&self, wait: Duration) -> impl Future<Output = Result<Option<Assignment>, SourceError>> + Send;

    /// Renews the lease, then waits up to `wait` for a cancel: `true` when
    /// the job must stop.
    fn heartbeat(
        &self,
        job_id: &str,
        token: i64,
        wait: Duration,
    ) -> impl Future<Output = Result<bool, SourceError>> + Send;

    /// Appends bytes to the job's durable log (only when `uploads_logs`).
    fn append_log(
        &self,
        job_id: &str,
        token: i64,
        chunk: Vec<u8>,
    ) -> impl Future<Output = Result<(), SourceError>> + Send;

    /// Before the job runs: fetch what it needs that is elsewhere.
    fn prepare(&self, _assignment: &Assignment) -> impl Future<Output = Result<(), SourceError>> + Send {
        async { Ok(()) }
    }

    /// The job's result, under its lease token.
    fn report(
        &self,
        assignment: &Assignment,
        outcome: RunOutcome,
    ) -> impl Future<Output = Result<(), SourceError>> + Send;

    fn workplace(&self, assignment: &Assignment) -> Workplace;

    /// After the job, reported or not.
    fn finished(&self, _job_id: &str) {}
}
