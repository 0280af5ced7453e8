//! The embedded executor: claims jobs from the store like any agent, runs
//! them with `sluice_runner`, keeps their lease alive and reports results
//! under the lease's fencing token. It waits on an in-process wake-up, never
//! on a polling interval.

use super::Driver;
use crate::clock::now_ms;
use sluice_engine::Job;
use sluice_store::LeasedJob;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

pub async fn run(driver: Driver) {
    let inner = &driver.inner;
    let slots = Arc::new(Semaphore::new(inner.options.executor_slots));
    let lease_ms = lease_ms(&driver);
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => permit.expect("the semaphore is never closed"),
            _ = inner.shutdown.cancelled() => return,
        };
        let ready = inner.jobs_ready.notified();
        tokio::pin!(ready);
        ready.as_mut().enable();
        match inner.store.claim_job(&inner.owner, &[], lease_ms, now_ms()).await {
            Ok(Some(leased)) => {
                let driver = driver.clone();
                tokio::spawn(async move {
                    run_one(&driver, leased).await;
                    drop(permit);
                    // A free slot may take a job that found none free.
                    driver.inner.jobs_ready.notify_waiters();
                });
            }
            Ok(None) => {
                drop(permit);
                tokio::select! {
                    _ = &mut ready => {}
                    _ = inner.shutdown.cancelled() => return,
                }
            }
            Err(e) => {
                drop(permit);
                tracing::warn!(error = %e, "claiming a job failed; trying again");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => {}
                    _ = inner.shutdown.cancelled() => return,
                }
            }
        }
    }
}

fn lease_ms(driver: &Driver) -> i64 {
    i64::try_from(driver.inner.options.lease.as_millis()).unwrap_or(i64::MAX)
}

async fn run_one(driver: &Driver, leased: LeasedJob) {
    let inner = &driver.inner;
    let job: Job = match serde_json::from_value(leased.payload.clone()) {
        Ok(job) => job,
        Err(e) => {
            tracing::error!(job = %leased.id, error = %e, "a job's payload cannot be read");
            return;
        }
    };
    if inner.options.failpoints.check("after-claim", &inner.shutdown).is_err() {
        return;
    }
    let cancel = inner.shutdown.child_token();
    inner.running.lock().expect("running jobs lock").insert(job.id.clone(), cancel.clone());
    let heartbeat = tokio::spawn(keep_lease(driver.clone(), job.id.clone(), leased.token, cancel.clone()));
    let cx = run_context(driver, &job.id, cancel.clone());
    let assignment =
        crate::assign::assignment(&inner.store, &inner.cipher, job.clone(), leased.token, lease_ms(driver), now_ms())
            .await;
    let mut outcome = sluice_runner::run_assignment(&assignment, &cx).await;
    heartbeat.abort();
    crate::codebuild::jobs::link(&job, &mut outcome);
    inner.running.lock().expect("running jobs lock").remove(&job.id);
    if inner.options.failpoints.check("before-report", &inner.shutdown).is_err() {
        return;
    }
    // A refused report (the lease was taken away) is expected after a lost
    // lease; the job's new holder reports instead.
    match driver.report(&job, leased.token, outcome.result.clone()).await {
        Ok(_) => crate::codebuild::jobs::record(&inner.store, &job, &outcome, now_ms()).await,
        Err(e) => tracing::info!(job = %job.id, error = %e, "the job's result was not recorded"),
    }
}

/// Heartbeats a third of the lease apart; cancels the job when the server
/// asks for it or when the lease is lost.
async fn keep_lease(driver: Driver, job_id: String, token: i64, cancel: CancellationToken) {
    let lease_ms = lease_ms(&driver);
    let every = Duration::from_millis(u64::try_from(lease_ms / 3).unwrap_or(1).max(1));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = cancel.cancelled() => return,
        }
        match driver.inner.store.heartbeat(&job_id, token, lease_ms, now_ms()).await {
            Ok(lease) if lease.cancel_requested => cancel.cancel(),
            Ok(_) => {}
            Err(sluice_store::Error::StaleLease) => cancel.cancel(),
            Err(e) => tracing::warn!(job = %job_id, error = %e, "a heartbeat failed"),
        }
    }
}

/// Where and how this server runs a job: its workspace, log and artifacts
/// under the data directory.
pub(crate) fn run_context(driver: &Driver, job_id: &str, cancel: CancellationToken) -> sluice_runner::RunContext {
    let inner = &driver.inner;
    sluice_runner::RunContext {
        work_root: inner.options.data_dir.join("work"),
        artifacts: inner.artifacts.clone(),
        repos_root: inner.options.data_dir.join("repos"),
        deploy_targets: inner.deploy_targets.clone(),
        log_path: inner.options.data_dir.join("logs").join(format!("{job_id}.log")),
        cancel,
        kill_grace: inner.options.kill_grace,
        cache_root: inner.options.data_dir.join("cache"),
    }
}
