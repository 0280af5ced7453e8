//! The embedded agent: the shared agent loop (`crate::agent`) over an
//! in-process job source. It claims like any agent (under the driver's
//! owner name, with no labels), waits on the driver's in-process wake-ups,
//! never on a polling interval, and reports under the fencing token.

use super::{Driver, Error};
use crate::agent::{self, JobSource, SourceError, Workplace};
use sluice_protocol::{Assignment, RunOutcome};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

pub async fn run(driver: Driver) {
    let options = agent::LoopOptions {
        slots: driver.inner.options.executor_slots,
        claim_wait: Duration::from_secs(30),
        retry_after: Duration::from_secs(1),
    };
    // Shutting the driver down stops claims and kills the running jobs.
    let shutdown = driver.inner.shutdown.clone();
    agent::run(InProcess { driver }, options, shutdown.clone(), shutdown).await;
}

#[derive(Clone)]
struct InProcess {
    driver: Driver,
}

fn source_error(e: Error) -> SourceError {
    match e {
        Error::Store(sluice_store::Error::StaleLease) => SourceError::Stale,
        Error::ShutDown | Error::Crashed(_) => SourceError::Stopped,
        other => SourceError::Failed(other.to_string()),
    }
}

impl JobSource for InProcess {
    async fn claim(&self, wait: Duration) -> Result<Option<Assignment>, SourceError> {
        let inner = &self.driver.inner;
        let claimed = self.driver.claim_wait(&inner.owner, &[], wait).await.map_err(source_error)?;
        if claimed.is_some() {
            inner.options.failpoints.check("after-claim", &inner.shutdown).map_err(source_error)?;
            inner.embedded_running.fetch_add(1, Ordering::SeqCst);
        }
        Ok(claimed)
    }

    async fn heartbeat(&self, job_id: &str, token: i64, wait: Duration) -> Result<bool, SourceError> {
        self.driver.heartbeat_wait(job_id, token, wait).await.map_err(source_error)
    }

    async fn append_log(&self, _job_id: &str, _token: i64, _chunk: Vec<u8>) -> Result<(), SourceError> {
        // The runner writes the durable log itself (`uploads_logs: false`).
        Ok(())
    }

    async fn report(&self, assignment: &Assignment, outcome: RunOutcome) -> Result<(), SourceError> {
        let inner = &self.driver.inner;
        inner.options.failpoints.check("before-report", &inner.shutdown).map_err(source_error)?;
        self.driver.accept_outcome(&assignment.job, assignment.lease_token, outcome).await.map_err(source_error)
    }

    fn workplace(&self, assignment: &Assignment) -> Workplace {
        let options = &self.driver.inner.options;
        let (driver, job_id) = (self.driver.clone(), assignment.job.id.clone());
        Workplace {
            work_root: options.data_dir.join("work"),
            repos_root: options.data_dir.join("repos"),
            artifacts: self.driver.inner.artifacts.clone(),
            log_path: self.driver.log_path(&assignment.job.id),
            kill_grace: options.kill_grace,
            cache_root: options.data_dir.join("cache"),
            deploy_targets: self.driver.inner.deploy_targets.clone(),
            on_log: Some(Arc::new(move || driver.log_appended(&job_id))),
            uploads_logs: false,
        }
    }

    fn finished(&self, _job_id: &str) {
        self.driver.inner.embedded_running.fetch_sub(1, Ordering::SeqCst);
    }
}
