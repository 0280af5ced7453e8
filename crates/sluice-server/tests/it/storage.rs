//! Where artifacts and deploys go: a Deploy/S3 action through the driver,
//! and the artifact store on an S3-compatible server (`scripts/with-s3`;
//! passes without running when `SLUICE_TEST_S3_ENDPOINT` is unset).

use crate::support::*;
use sluice_artifacts::{ArtifactStore, S3Config};
use sluice_server::driver::Driver;
use std::time::Duration;

const SOURCE_AND_DEPLOY: &str = r##"
name: site
pipelineType: V2
stages:
  - name: Source
    actions:
      - name: Src
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: main}
        outputArtifacts: [{name: SourceOut}]
  - name: Deploy
    actions:
      - name: Site
        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: "1"}
        configuration: {BucketName: my-site, Extract: "true"}
        inputArtifacts: [{name: SourceOut}]
      - name: Archive
        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: "1"}
        configuration: {BucketName: archive, Extract: "false", ObjectKey: releases/site.zip}
        inputArtifacts: [{name: SourceOut}]
"##;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deploy_s3_actions_go_to_sluice_buckets_and_mapped_ones() {
    let fixture = Fixture::new();
    let archive = fixture.dir.path().join("elsewhere");
    let mut options = fixture.options();
    options.deploy_buckets = vec![("archive".to_owned(), ArtifactStore::local(archive.clone()))];
    let driver = Driver::start(options).await.unwrap();
    let (_, id) = driver.create_pipeline(&declaration(SOURCE_AND_DEPLOY), "tester").await.unwrap();
    let execution = finished(&driver, &id, Duration::from_secs(30)).await;
    assert_eq!(execution.status.as_str(), "Succeeded", "{:#?}", summary(&execution));
    let site = fixture.dir.path().join("buckets/my-site/hello.txt");
    assert_eq!(std::fs::read_to_string(site).unwrap(), "hello from git\n");
    assert!(archive.join("releases/site.zip").is_file());
    driver.shutdown();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn artifacts_can_live_in_an_s3_compatible_store() {
    let Ok(endpoint) = std::env::var("SLUICE_TEST_S3_ENDPOINT") else { return };
    let mut config = S3Config::new(std::env::var("SLUICE_TEST_S3_BUCKET").unwrap_or_else(|_| "sluice-test".into()));
    config.prefix = format!("server-{}", std::process::id());
    config.endpoint = Some(endpoint);
    config.path_style = true;
    config.allow_http = true;
    config.access_key_id = Some("test".into());
    config.secret_access_key = Some("test".into());
    let store = ArtifactStore::s3(config).unwrap();

    let fixture = Fixture::new();
    let mut options = fixture.options();
    options.artifact_store = Some(store.clone());
    let driver = Driver::start(options).await.unwrap();
    let (_, id) = driver.create_pipeline(&declaration(BUILD_AND_DEPLOY), "tester").await.unwrap();
    let execution = finished(&driver, &id, Duration::from_secs(30)).await;
    assert_eq!(execution.status.as_str(), "Succeeded", "{:#?}", summary(&execution));
    let built = execution.stages[1].actions[0].latest.as_ref().unwrap();
    let location = &built.output_artifacts[0].location;
    assert!(store.exists(location).await.unwrap(), "{location} is in the S3 store");
    assert!(!fixture.dir.path().join("artifacts").exists(), "nothing went to the local directory");
    driver.shutdown();
}
