//! The server's side of the job protocol, shared by the embedded agent (in
//! process, `executor.rs`) and remote agents (HTTP, `http/agents.rs`):
//! claims that wait for work, heartbeats that wait for a cancel, log
//! appends, and the one place where a reported outcome is handed over.

use super::{Driver, Error};
use crate::clock::now_ms;
use sluice_engine::Job;
use sluice_protocol::{Assignment, RunOutcome};
use sluice_store::LeasedJob;
use std::time::Duration;
use tokio::sync::broadcast::error::RecvError;

/// A leased job as an agent receives it: with a CodeBuild action's project
/// and build, and the secrets the job may read (`crate::assign`).
pub async fn assignment(driver: &Driver, leased: &LeasedJob, lease_ms: i64) -> Result<Assignment, String> {
    let job: Job = serde_json::from_value(leased.payload.clone()).map_err(|e| e.to_string())?;
    let inner = &driver.inner;
    Ok(crate::assign::assignment(&inner.store, &inner.cipher, job, leased.token, lease_ms, now_ms()).await)
}

impl Driver {
    /// How long a lease lasts without a heartbeat (`--agent-lost-after`).
    pub fn lease_ms(&self) -> i64 {
        i64::try_from(self.inner.options.lease.as_millis()).unwrap_or(i64::MAX)
    }

    /// Claims a job for `owner` whose labels are all in `labels`, waiting up
    /// to `wait` for one to be queued: woken by the commit that queues it,
    /// never by a timer.
    pub async fn claim_wait(
        &self,
        owner: &str,
        labels: &[String],
        wait: Duration,
    ) -> Result<Option<Assignment>, Error> {
        let inner = &self.inner;
        let deadline = tokio::time::Instant::now() + wait;
        loop {
            // Registered before the claim: a job queued in between still wakes us.
            let ready = inner.jobs_ready.notified();
            tokio::pin!(ready);
            ready.as_mut().enable();
            if let Some(leased) = inner.store.claim_job(owner, labels, self.lease_ms(), now_ms()).await? {
                match assignment(self, &leased, self.lease_ms()).await {
                    Ok(assignment) => return Ok(Some(assignment)),
                    // Left leased: the sweep fails it after its attempts.
                    Err(e) => tracing::error!(job = %leased.id, error = %e, "a job's payload cannot be read"),
                }
                continue;
            }
            tokio::select! {
                _ = &mut ready => {}
                _ = tokio::time::sleep_until(deadline) => return Ok(None),
                _ = inner.closing.cancelled() => return Err(Error::ShutDown),
            }
        }
    }

    /// Waits up to `wait` for the job's cancel (`true` as soon as it is
    /// committed), then renews the lease and answers its cancel flag.
    /// `Error::Store(StaleLease)` when the token is not the job's current one.
    ///
    /// Renewing at the end, not the start, keeps a store write off the path
    /// of every job's start (the claim has just set the lease). A cancel
    /// committed before the wait began is seen by that renewal, at most
    /// `wait` later.
    pub async fn heartbeat_wait(&self, job_id: &str, token: i64, wait: Duration) -> Result<bool, Error> {
        let inner = &self.inner;
        let mut cancels = inner.cancels.subscribe();
        let timeout = tokio::time::sleep(wait);
        tokio::pin!(timeout);
        loop {
            tokio::select! {
                cancelled = cancels.recv() => match cancelled {
                    Ok(id) if id == job_id => return Ok(true),
                    Ok(_) => {}
                    // Missed some: the renewal below reads the flag.
                    Err(RecvError::Lagged(_)) => break,
                    Err(RecvError::Closed) => return Err(Error::ShutDown),
                },
                _ = &mut timeout => break,
                _ = inner.closing.cancelled() => return Err(Error::ShutDown),
            }
        }
        let lease = inner.store.heartbeat(job_id, token, self.lease_ms(), now_ms()).await?;
        Ok(lease.cancel_requested)
    }

    /// Where a job's durable log is.
    pub fn log_path(&self, job_id: &str) -> std::path::PathBuf {
        self.inner.options.data_dir.join("logs").join(format!("{job_id}.log"))
    }

    /// Tells log followers that `job_id`'s log grew or the job ended.
    pub fn log_appended(&self, job_id: &str) {
        let _ = self.inner.log_appended.send(job_id.to_string());
    }

    /// Log growth and job ends, by job id, for live followers.
    pub fn subscribe_logs(&self) -> tokio::sync::broadcast::Receiver<String> {
        self.inner.log_appended.subscribe()
    }

    /// The one place where an agent's reported outcome is handed over. A
    /// CodeBuild run's build record is completed once its result is
    /// accepted: a refused (stale) report leaves it to the job's holder.
    pub async fn accept_outcome(&self, job: &Job, token: i64, mut outcome: RunOutcome) -> Result<(), Error> {
        crate::codebuild::jobs::link(job, &mut outcome);
        self.report(job, token, outcome.result.clone()).await?;
        // Its own task: an agent's request that goes away now must not
        // leave the build half recorded.
        let (store, job) = (self.inner.store.clone(), job.clone());
        let recorded =
            tokio::spawn(async move { crate::codebuild::jobs::record(&store, &job, &outcome, now_ms()).await });
        let _ = recorded.await;
        Ok(())
    }
}
