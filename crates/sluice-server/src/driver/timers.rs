//! Fires the engine's timers when they come due. It sleeps until the
//! earliest timer, and a new timer wakes it early: no polling.

use super::Driver;
use crate::clock::now_ms;
use sluice_engine::Event;
use std::time::Duration;

pub async fn run(driver: Driver) {
    let inner = &driver.inner;
    loop {
        let changed = inner.timers_changed.notified();
        tokio::pin!(changed);
        changed.as_mut().enable();
        let next = match inner.store.next_timer().await {
            Ok(next) => next,
            Err(e) => {
                tracing::warn!(error = %e, "reading timers failed; trying again");
                tokio::select! {
                    _ = tokio::time::sleep(Duration::from_secs(1)) => continue,
                    _ = inner.shutdown.cancelled() => return,
                }
            }
        };
        let now = now_ms();
        match next {
            Some(due) if due <= now => fire_due(&driver, now).await,
            Some(due) => {
                let wait = Duration::from_millis(u64::try_from(due - now).unwrap_or(0));
                tokio::select! {
                    _ = tokio::time::sleep(wait) => {}
                    _ = &mut changed => {}
                    _ = inner.shutdown.cancelled() => return,
                }
            }
            None => {
                tokio::select! {
                    _ = &mut changed => {}
                    _ = inner.shutdown.cancelled() => return,
                }
            }
        }
    }
}

async fn fire_due(driver: &Driver, now: i64) {
    let due = match driver.inner.store.due_timers(now).await {
        Ok(due) => due,
        Err(e) => return tracing::warn!(error = %e, "reading due timers failed"),
    };
    for timer in due {
        if let Err(e) = driver.submit(&timer.pipeline, Event::TimerFired { timer_id: timer.id.clone() }).await {
            tracing::warn!(timer = %timer.id, error = %e, "firing a timer failed");
            if matches!(e, super::Error::ShutDown | super::Error::Crashed(_)) {
                return;
            }
        }
    }
}
