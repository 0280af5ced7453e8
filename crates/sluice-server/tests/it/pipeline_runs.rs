use crate::support::*;
use sluice_server::driver::{Driver, StartArgs};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_pipeline_runs_end_to_end_with_real_git_and_processes() {
    let fixture = Fixture::new();
    let driver = Driver::start(fixture.options()).await.unwrap();
    let (row, id) = driver.create_pipeline(&declaration(BUILD_AND_DEPLOY), "tester").await.unwrap();
    assert_eq!(row.version, 1);
    let execution = finished(&driver, &id, Duration::from_secs(30)).await;
    assert_eq!(execution.status.as_str(), "Succeeded", "{:#?}", summary(&execution));
    assert_eq!(execution.trigger.trigger_type, "CreatePipeline");
    let head = fixture.head();
    assert_eq!(execution.source_revisions[0].revision_id, head);
    assert_eq!(execution.source_revisions[0].revision_summary.as_deref(), Some("First commit"));
    let deployed = &execution.outputs["BuildVariables"]["VERSION"];
    assert_eq!(deployed, &format!("v-{}", &head[..7]));
    let ship = execution.stages[2].actions[0].latest.as_ref().unwrap();
    assert_eq!(ship.output_variables["DEPLOYED"], *deployed);
    driver.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_client_request_token_starts_one_execution() {
    let fixture = Fixture::new();
    let driver = Driver::start(fixture.options()).await.unwrap();
    let (_, first) = driver.create_pipeline(&declaration(BUILD_AND_DEPLOY), "tester").await.unwrap();
    let args = StartArgs {
        trigger_type: "StartPipelineExecution".into(),
        trigger_detail: "tester".into(),
        client_request_token: Some("token-1".into()),
        ..StartArgs::default()
    };
    let a = driver.start_execution("app", args.clone()).await.unwrap();
    let b = driver.start_execution("app", args).await.unwrap();
    assert_eq!(a, b);
    assert_ne!(a, first);
    let execution = finished(&driver, &a, Duration::from_secs(30)).await;
    assert!(execution.status.is_final());
    driver.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_command_fails_the_execution_and_a_retry_resumes_it() {
    let fixture = Fixture::new();
    let marker = fixture.dir.path().join("allow");
    let yaml = BUILD_AND_DEPLOY.replace(
        "          - test \"$(cat out/shout.txt)\" = \"HELLO FROM GIT\"\n",
        &format!(
            "          - test \"$(cat out/shout.txt)\" = \"HELLO FROM GIT\"\n          - test -e {}\n",
            marker.display()
        ),
    );
    let driver = Driver::start(fixture.options()).await.unwrap();
    let (_, id) = driver.create_pipeline(&declaration(&yaml), "tester").await.unwrap();
    let execution = finished(&driver, &id, Duration::from_secs(30)).await;
    assert_eq!(execution.status.as_str(), "Failed");
    std::fs::write(&marker, "").unwrap();
    let retry = sluice_engine::Event::Retry {
        execution_id: id.clone(),
        stage: "Deploy".into(),
        mode: sluice_engine::RetryMode::FailedActions,
        by: "tester".into(),
    };
    driver.submit("app", retry).await.unwrap();
    let execution = finished(&driver, &id, Duration::from_secs(30)).await;
    assert_eq!(execution.status.as_str(), "Succeeded", "{:#?}", summary(&execution));
    assert_eq!(execution.stages[2].actions[0].history.len(), 1);
    driver.shutdown();
}
