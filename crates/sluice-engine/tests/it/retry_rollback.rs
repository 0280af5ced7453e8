//! RetryStageExecution, onFailure RETRY and ROLLBACK, RollbackStage.

use crate::harness::*;
use sluice_engine::{Event, Rejection, RetryMode};

const TWO_TESTS: &str = r#"
name: two-tests
pipelineType: V2
stages:
  - name: Source
    actions:
      - name: Src
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: main}
        outputArtifacts: [{name: SourceOut}]
  - name: Test
    actions:
      - name: Unit
        actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}
        configuration: {ProjectName: unit}
        inputArtifacts: [{name: SourceOut}]
      - name: Lint
        actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}
        configuration: {ProjectName: lint}
        inputArtifacts: [{name: SourceOut}]
"#;

#[test]
fn retry_failed_actions_reruns_only_those_in_the_same_execution() {
    let mut sim = Sim::new(TWO_TESTS);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.fail(&e1, "Unit");
    sim.succeed(&e1, "Lint");
    assert_eq!(sim.status(&e1), "Failed");
    sim.retry(&e1, "Test", RetryMode::FailedActions).unwrap();
    sim.record("retry FAILED_ACTIONS");
    assert_eq!(sim.status(&e1), "InProgress");
    assert!(sim.has_job(&e1, "Unit") && !sim.has_job(&e1, "Lint"));
    sim.succeed(&e1, "Unit");
    assert_eq!(sim.status(&e1), "Succeeded");
    let unit = &sim.execution(&e1).stages[1].actions[0];
    assert_eq!(unit.history.len(), 1, "the failed attempt is kept");
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn retry_all_actions_reruns_the_whole_stage() {
    let mut sim = Sim::new(TWO_TESTS);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.fail(&e1, "Unit");
    sim.succeed(&e1, "Lint");
    sim.retry(&e1, "Test", RetryMode::AllActions).unwrap();
    assert!(sim.has_job(&e1, "Unit") && sim.has_job(&e1, "Lint"));
}

#[test]
fn only_the_latest_execution_in_a_stage_may_be_retried() {
    let mut sim = Sim::new(TWO_TESTS);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.fail(&e1, "Unit");
    sim.succeed(&e1, "Lint");
    let retry_source = Event::Retry {
        execution_id: e1.clone(),
        stage: "Source".into(),
        mode: RetryMode::FailedActions,
        by: "op".into(),
    };
    assert!(matches!(sim.refused("retry a stage that succeeded", retry_source), Rejection::StageNotRetryable(_)));
    let e2 = sim.start();
    sim.succeed(&e2, "Src");
    assert!(sim.has_job(&e2, "Unit"), "e2 entered Test");
    let retry = Event::Retry {
        execution_id: e1.clone(),
        stage: "Test".into(),
        mode: RetryMode::FailedActions,
        by: "op".into(),
    };
    assert_eq!(sim.refused("retry e1 after e2 entered", retry).aws_type(), "NotLatestPipelineExecutionException");
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn a_retry_is_refused_after_the_pipeline_changed() {
    let mut sim = Sim::new(TWO_TESTS);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.fail(&e1, "Unit");
    sim.succeed(&e1, "Lint");
    sim.declarations.insert(2, declaration(&TWO_TESTS.replace("ProjectName: lint", "ProjectName: lint2")));
    sim.step("update to version 2", Event::PipelineUpdated { version: 2 });
    let retry = Event::Retry {
        execution_id: e1.clone(),
        stage: "Test".into(),
        mode: RetryMode::FailedActions,
        by: "op".into(),
    };
    let refusal = sim.refused("retry after an update", retry);
    assert!(matches!(refusal, Rejection::NotLatest(_) | Rejection::StageNotRetryable(_)), "{refusal:?}");
}

#[test]
fn on_failure_retry_retries_once_automatically() {
    let yaml = TWO_TESTS.replace(
        "  - name: Test\n    actions:",
        "  - name: Test\n    onFailure:\n      result: RETRY\n      retryConfiguration: {retryMode: FAILED_ACTIONS}\n    actions:",
    );
    let mut sim = Sim::new(&yaml);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.succeed(&e1, "Lint");
    sim.fail(&e1, "Unit");
    assert_eq!(sim.status(&e1), "InProgress", "retried automatically");
    assert!(sim.has_job(&e1, "Unit") && !sim.has_job(&e1, "Lint"));
    sim.fail(&e1, "Unit");
    assert_eq!(sim.status(&e1), "Failed", "only once");
    insta::assert_snapshot!(sim.trace);
}

const DEPLOY_WITH_ROLLBACK: &str = r#"
name: rollback
pipelineType: V2
stages:
  - name: Source
    actions:
      - name: Src
        actionTypeId: {category: Source, owner: AWS, provider: CodeCommit, version: "1"}
        configuration: {RepositoryName: app, BranchName: main}
        outputArtifacts: [{name: SourceOut}]
  - name: Deploy
    onFailure: {result: ROLLBACK}
    actions:
      - name: Ship
        actionTypeId: {category: Deploy, owner: AWS, provider: S3, version: "1"}
        configuration: {BucketName: site, Extract: "true"}
        inputArtifacts: [{name: SourceOut}]
"#;

#[test]
fn on_failure_rollback_redeploys_what_last_succeeded() {
    let mut sim = Sim::new(DEPLOY_WITH_ROLLBACK);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.succeed(&e1, "Ship");
    let e2 = sim.start();
    sim.succeed(&e2, "Src");
    sim.fail(&e2, "Ship");
    assert_eq!(sim.status(&e2), "Failed");
    let rollback =
        sim.state.executions.values().find(|e| e.rollback_target.is_some()).expect("a rollback execution").clone();
    assert_eq!(rollback.rollback_target.as_deref(), Some("e1"));
    assert_eq!(rollback.trigger.trigger_type, "AutomatedRollback");
    let ship = sim.job(&rollback.id, "Ship");
    assert_eq!(ship.input_artifacts[0].location, "e1/SourceOut", "e1's artifact is deployed again");
    sim.succeed(&rollback.id, "Ship");
    assert_eq!(sim.status(&rollback.id), "Succeeded");
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn rollback_stage_checks_its_target() {
    let mut sim = Sim::new(DEPLOY_WITH_ROLLBACK);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.succeed(&e1, "Ship");
    let target = Box::new(sim.execution(&e1).clone());
    let source = Event::Rollback {
        stage: "Source".into(),
        target: target.clone(),
        new_execution_id: "r1".into(),
        by: "op".into(),
        automatic: false,
    };
    assert_eq!(sim.refused("roll back the source stage", source).aws_type(), "UnableToRollbackStageException");
    let ok = Event::Rollback {
        stage: "Deploy".into(),
        target,
        new_execution_id: "r1".into(),
        by: "op".into(),
        automatic: false,
    };
    sim.step("roll Deploy back to e1", ok);
    assert_eq!(sim.execution("r1").trigger.trigger_type, "ManualRollback");
    let to_rollback = Box::new(sim.execution("r1").clone());
    let busy = Event::Rollback {
        stage: "Deploy".into(),
        target: to_rollback,
        new_execution_id: "r2".into(),
        by: "op".into(),
        automatic: false,
    };
    assert_eq!(sim.refused("roll back while the stage runs", busy).aws_type(), "UnableToRollbackStageException");
    sim.succeed("r1", "Ship");
    let to_rollback = Box::new(sim.execution("r1").clone());
    let of_rollback = Event::Rollback {
        stage: "Deploy".into(),
        target: to_rollback,
        new_execution_id: "r2".into(),
        by: "op".into(),
        automatic: false,
    };
    assert_eq!(sim.refused("roll back to a rollback", of_rollback).aws_type(), "UnableToRollbackStageException");
}

#[test]
fn parallel_pipelines_cannot_roll_back() {
    let mut sim = Sim::new(&with_mode(LINEAR, "PARALLEL"));
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    sim.finish(&e1, "Compile", true, &[("VERSION", "1")]);
    sim.succeed(&e1, "Ship");
    let target = Box::new(sim.execution(&e1).clone());
    let event = Event::Rollback {
        stage: "Deploy".into(),
        target,
        new_execution_id: "r1".into(),
        by: "op".into(),
        automatic: false,
    };
    assert_eq!(sim.refused("rollback in PARALLEL", event).aws_type(), "UnableToRollbackStageException");
}
