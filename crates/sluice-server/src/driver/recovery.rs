//! What a restart picks up, and jobs whose runner disappeared.

use super::{Driver, Error};
use crate::clock::now_ms;
use sluice_engine::{ActionResult, Job};
use sluice_store::JobRow;
use std::time::Duration;

/// At start: jobs leased by an earlier embedded executor cannot be running
/// any more (it died with its process), so they are dealt with at once
/// rather than after their lease expires. Timers need nothing: the timer
/// task reads them from the store.
pub async fn recover(driver: &Driver) -> Result<(), Error> {
    let leased = driver.inner.store.expired_leases(i64::MAX).await?;
    for job in leased {
        let orphaned =
            job.lease_owner.as_deref().is_some_and(|o| o.starts_with("embedded:") && o != driver.inner.owner);
        if orphaned {
            lost(driver, &job, "the server restarted while the job ran").await;
        }
    }
    Ok(())
}

/// Jobs whose lease ran out: their runner stopped heartbeating.
pub async fn sweep_expired_leases(driver: Driver) {
    // A quarter of the lease: a lost agent is noticed within 1.25 leases.
    let every = (driver.inner.options.lease / 4).max(Duration::from_millis(25));
    loop {
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = driver.inner.shutdown.cancelled() => return,
        }
        match driver.inner.store.expired_leases(now_ms()).await {
            Ok(expired) => {
                for job in expired {
                    lost(&driver, &job, "the runner stopped reporting").await;
                }
            }
            Err(e) => tracing::warn!(error = %e, "reading expired leases failed"),
        }
    }
}

/// A job lost its runner: run it again, or fail the action once it has been
/// tried `max_job_attempts` times. The old runner's token is void either way.
async fn lost(driver: &Driver, row: &JobRow, why: &str) {
    if row.lease_token < driver.inner.options.max_job_attempts && !row.cancel_requested {
        match driver.inner.store.requeue_job(&row.id, row.lease_token).await {
            Ok(()) => driver.inner.jobs_ready.notify_waiters(),
            Err(e) => tracing::warn!(job = %row.id, error = %e, "requeueing a lost job failed"),
        }
        return;
    }
    let Ok(job) = serde_json::from_value::<Job>(row.payload.clone()) else { return };
    let result = ActionResult {
        succeeded: false,
        error: Some(format!("The job was lost: {why} (after {} attempts)", row.lease_token)),
        ..ActionResult::default()
    };
    // Through the one hand-over point, so a CodeBuild job's build ends too.
    if let Err(e) = driver.accept_outcome(&job, row.lease_token, result.into()).await {
        tracing::warn!(job = %row.id, error = %e, "failing a lost job failed");
    }
}
