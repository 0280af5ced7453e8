//! A crash at each effect boundary, then a restart: the execution ends as
//! it would have without the crash.

use crate::support::*;
use sluice_server::driver::Driver;
use std::time::Duration;

async fn baseline() -> Vec<String> {
    let fixture = Fixture::new();
    let driver = Driver::start(fixture.options()).await.unwrap();
    let (_, id) = driver.create_pipeline(&declaration(BUILD_AND_DEPLOY), "tester").await.unwrap();
    let execution = finished(&driver, &id, Duration::from_secs(30)).await;
    driver.shutdown();
    summary(&execution)
}

async fn crash_then_recover(point: &str) {
    let fixture = Fixture::new();
    let options = fixture.options();
    let first = Driver::start(options.clone()).await.unwrap();
    let (_, id) = first.create_pipeline(&declaration(BUILD_AND_DEPLOY), "tester").await.unwrap();
    // Crash at the point once the pipeline is under way.
    options.failpoints.arm(point);
    tokio::time::timeout(Duration::from_secs(30), first.stopped()).await.expect("the failpoint was reached");
    // A new process on the same data.
    let mut options = fixture.options();
    options.failpoints = Default::default();
    let second = Driver::start(options).await.unwrap();
    let execution = finished(&second, &id, Duration::from_secs(30)).await;
    assert_eq!(summary(&execution), baseline().await, "after a crash at {point}");
    second.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_a_commit_is_recovered() {
    crash_then_recover("before-commit").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_a_commit_is_recovered() {
    crash_then_recover("after-commit").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_after_claiming_a_job_is_recovered() {
    crash_then_recover("after-claim").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_crash_before_reporting_a_result_is_recovered() {
    crash_then_recover("before-report").await;
}
