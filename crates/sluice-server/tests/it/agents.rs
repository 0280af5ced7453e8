//! The server's side of the job protocol, driven as an agent would: a lost
//! agent's late heartbeat and report are refused, a cancel answers a waiting
//! heartbeat at once, and a timeout fails the action whatever the agent does.

use crate::support::*;
use sluice_engine::{ActionResult, Event};
use sluice_server::driver::{Driver, Error};
use sluice_store::JobStatus;
use std::time::{Duration, Instant};

async fn remote_only(fixture: &Fixture) -> Driver {
    let mut options = fixture.options();
    options.executor_slots = 0;
    Driver::start(options).await.unwrap()
}

const AGENT: &str = "agent:test";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_agent_s_late_heartbeat_and_report_are_refused() {
    let fixture = Fixture::new();
    let driver = remote_only(&fixture).await;
    driver.create_pipeline(&declaration(BUILD_AND_DEPLOY), "tester").await.unwrap();
    let first = driver.claim_wait(AGENT, &[], Duration::from_secs(10)).await.unwrap().expect("the source job");
    assert_eq!(first.lease_ms, 600);

    // Silent for longer than the lease: the sweep gives the job back to the queue.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let row = driver.store().get_job(&first.job.id).await.unwrap().unwrap();
        if row.status == JobStatus::Queued {
            break;
        }
        assert!(Instant::now() < deadline, "the lost job was not requeued: {row:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let beat = driver.heartbeat_wait(&first.job.id, first.lease_token, Duration::ZERO).await;
    assert!(matches!(beat, Err(Error::Store(sluice_store::Error::StaleLease))), "{beat:?}");
    let late = ActionResult { succeeded: true, ..ActionResult::default() };
    let report = driver.accept_outcome(&first.job, first.lease_token, late.into()).await;
    assert!(matches!(report, Err(Error::Store(sluice_store::Error::StaleLease))), "{report:?}");

    let second = driver.claim_wait("agent:other", &[], Duration::from_secs(10)).await.unwrap().expect("again");
    assert_eq!((second.job.id.as_str(), second.lease_token), (first.job.id.as_str(), first.lease_token + 1));
    driver.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_fails_the_action_and_cancels_the_job_whatever_the_agent_does() {
    let fixture = Fixture::new();
    let driver = remote_only(&fixture).await;
    let (_, id) = driver.create_pipeline(&declaration(BUILD_AND_DEPLOY), "tester").await.unwrap();
    let job = driver.claim_wait(AGENT, &[], Duration::from_secs(10)).await.unwrap().expect("the source job");

    // The agent heartbeats (a long-poll) but never reports.
    let waiting = tokio::spawn({
        let (driver, job_id, token) = (driver.clone(), job.job.id.clone(), job.lease_token);
        async move { driver.heartbeat_wait(&job_id, token, Duration::from_secs(30)).await }
    });
    tokio::time::sleep(Duration::from_millis(100)).await;

    // The action's deadline comes (the timer task would fire this at the deadline).
    let timers = driver.store().due_timers(i64::MAX).await.unwrap();
    let timer = timers.iter().find(|t| t.pipeline == "app").expect("the action's timeout timer");
    let fired = Instant::now();
    driver.submit("app", Event::TimerFired { timer_id: timer.id.clone() }).await.unwrap();

    let cancel = tokio::time::timeout(Duration::from_secs(5), waiting).await.expect("answered").unwrap();
    assert!(matches!(cancel, Ok(true)), "{cancel:?}");
    assert!(fired.elapsed() < Duration::from_secs(1), "the cancel took {:?}", fired.elapsed());
    let execution = finished(&driver, &id, Duration::from_secs(10)).await;
    let attempt = execution.stages[0].actions[0].latest.clone().unwrap();
    assert!(attempt.error.unwrap_or_default().contains("timed out"));
    driver.shutdown();
}
