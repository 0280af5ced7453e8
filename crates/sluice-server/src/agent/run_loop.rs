//! The loop itself: slots, claims, one task per job.

use super::upload::Uploader;
use super::{JobSource, SourceError};
use sluice_protocol::{Assignment, RunOutcome};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Semaphore;
use tokio_util::sync::CancellationToken;

#[derive(Debug, Clone)]
pub struct LoopOptions {
    /// Jobs run at once.
    pub slots: usize,
    /// How long one claim waits for a job (a long-poll, not a delay).
    pub claim_wait: Duration,
    /// After a failed claim (server unreachable): how long before trying
    /// again. Failure back-off only; a job never waits on it.
    pub retry_after: Duration,
}

/// Runs until `stop` fires, then waits for the running jobs. `kill`
/// cancels the running jobs (their processes are killed).
pub async fn run<S: JobSource>(source: S, options: LoopOptions, stop: CancellationToken, kill: CancellationToken) {
    let slots = Arc::new(Semaphore::new(options.slots));
    loop {
        let permit = tokio::select! {
            permit = slots.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => return,
            },
            _ = stop.cancelled() => break,
        };
        let claimed = tokio::select! {
            claimed = source.claim(options.claim_wait) => claimed,
            _ = stop.cancelled() => break,
        };
        match claimed {
            Ok(Some(assignment)) => {
                let (source, kill) = (source.clone(), kill.clone());
                tokio::spawn(async move {
                    run_one(&source, assignment, kill.child_token()).await;
                    drop(permit);
                });
            }
            Ok(None) => {}
            Err(SourceError::Stopped) => break,
            Err(e) => {
                tracing::warn!(error = %e, "claiming a job failed; trying again");
                tokio::select! {
                    _ = tokio::time::sleep(options.retry_after) => {}
                    _ = stop.cancelled() => break,
                }
            }
        }
    }
    // Running jobs finish (or are killed through `kill`) before we return.
    let all = u32::try_from(options.slots).unwrap_or(u32::MAX);
    let _ = slots.acquire_many(all).await;
}

async fn run_one<S: JobSource>(source: &S, assignment: Assignment, cancel: CancellationToken) {
    let job_id = assignment.job.id.clone();
    let token = assignment.lease_token;
    let job = &assignment.job;
    tracing::info!(job = %job_id, pipeline = %job.pipeline_name, stage = %job.stage, action = %job.action, "running a job");
    let place = source.workplace(&assignment);
    let uploaded_log = place.uploads_logs.then(|| place.log_path.clone());
    let heartbeat =
        tokio::spawn(keep_lease(source.clone(), job_id.clone(), token, assignment.lease_ms, cancel.clone()));
    let uploader = place.uploads_logs.then(|| Uploader::start(source.clone(), &job_id, token, place.log_path.clone()));
    let on_log = match (&uploader, place.on_log.clone()) {
        (Some(uploader), theirs) => Some(uploader.on_log(theirs)),
        (None, theirs) => theirs,
    };
    let outcome = match source.prepare(&assignment).await {
        Err(e) => RunOutcome::from(sluice_engine::ActionResult {
            succeeded: false,
            error: Some(format!("the agent could not prepare the job: {e}")),
            ..Default::default()
        }),
        Ok(()) => {
            let cx = sluice_runner::RunContext {
                work_root: place.work_root,
                artifacts: place.artifacts,
                repos_root: place.repos_root,
                log_path: place.log_path,
                cancel: cancel.clone(),
                kill_grace: place.kill_grace,
                cache_root: place.cache_root,
                deploy_targets: place.deploy_targets,
                on_log,
            };
            sluice_runner::run_assignment(&assignment, &cx).await
        }
    };
    if let Some(uploader) = uploader {
        uploader.finish().await;
    }
    // The source keeps the durable log; the local copy was only the way there.
    if let Some(path) = uploaded_log {
        let _ = tokio::fs::remove_file(path).await;
    }
    // The lease stays alive while the report (and any artifact upload in
    // it) is on its way: a slow upload must not make the job "lost".
    let reported = source.report(&assignment, outcome).await;
    heartbeat.abort();
    match reported {
        Ok(()) => {}
        // The lease was taken away (lost, cancelled); its new holder, or
        // the recovery sweep, decides instead.
        Err(SourceError::Stale) => tracing::info!(job = %job_id, "the job's result was refused: its lease is gone"),
        Err(e) => tracing::warn!(job = %job_id, error = %e, "the job's result was not recorded"),
    }
    source.finished(&job_id);
}

/// Heartbeats (long-polls) until the job ends; cancels it when the server
/// asks or the lease is lost.
async fn keep_lease<S: JobSource>(source: S, job_id: String, token: i64, lease_ms: i64, cancel: CancellationToken) {
    let third = Duration::from_millis(u64::try_from(lease_ms / 3).unwrap_or(0).max(50));
    loop {
        let beat = tokio::select! {
            beat = source.heartbeat(&job_id, token, third) => beat,
            _ = cancel.cancelled() => return,
        };
        match beat {
            Ok(true) | Err(SourceError::Stale) => {
                cancel.cancel();
                return;
            }
            Ok(false) => {}
            Err(SourceError::Stopped) => return,
            Err(e) => {
                tracing::warn!(job = %job_id, error = %e, "a heartbeat failed");
                // Failure back-off: the lease allows three misses.
                tokio::select! {
                    _ = tokio::time::sleep(third / 2) => {}
                    _ = cancel.cancelled() => return,
                }
            }
        }
    }
}
