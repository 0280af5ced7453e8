//! Running stages: runOrder groups, variables, artifacts.

use crate::harness::*;
use sluice_engine::Rejection;

#[test]
fn a_linear_pipeline_runs_to_success_with_variables_resolved() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    assert!(sim.has_job(&e1, "Src"));
    through_source(&mut sim, &e1);
    let build = sim.job(&e1, "Compile");
    assert_eq!(build.commands.as_deref(), Some(&["make COMMIT=c-e1 ENV=staging ID=e1".to_string()][..]));
    assert_eq!(build.input_artifacts[0].location, "e1/SourceOut");
    sim.finish(&e1, "Compile", true, &[("VERSION", "1.2.3")]);
    let ship = sim.job(&e1, "Ship");
    assert_eq!(ship.configuration["ObjectKey"], "app-1.2.3.zip");
    sim.succeed(&e1, "Ship");
    assert_eq!(sim.status(&e1), "Succeeded");
    assert!(sim.state.executions.is_empty(), "a succeeded execution leaves the state");
    assert!(sim.state.timers.is_empty(), "no timer outlives its action");
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn start_overrides_declared_variables_only() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start_with(&[("env", "prod")]).unwrap();
    through_source(&mut sim, &e1);
    assert!(sim.job(&e1, "Compile").commands.unwrap()[0].contains("ENV=prod"));
    let refused = sim.start_with(&[("nope", "x")]).unwrap_err();
    assert!(matches!(refused, Rejection::Validation(_)), "{refused:?}");
}

const RUN_ORDER: &str = r#"
name: run-order
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
        runOrder: 1
        actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}
        configuration: {ProjectName: unit}
        inputArtifacts: [{name: SourceOut}]
      - name: Lint
        runOrder: 1
        actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}
        configuration: {ProjectName: lint}
        inputArtifacts: [{name: SourceOut}]
      - name: Package
        runOrder: 2
        actionTypeId: {category: Build, owner: AWS, provider: CodeBuild, version: "1"}
        configuration: {ProjectName: package}
        inputArtifacts: [{name: SourceOut}]
"#;

#[test]
fn same_run_order_runs_in_parallel_and_the_next_group_waits_for_all() {
    let mut sim = Sim::new(RUN_ORDER);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    assert!(sim.has_job(&e1, "Unit") && sim.has_job(&e1, "Lint"));
    assert!(!sim.has_job(&e1, "Package"));
    sim.succeed(&e1, "Unit");
    assert!(!sim.has_job(&e1, "Package"), "Lint is still running");
    sim.succeed(&e1, "Lint");
    sim.succeed(&e1, "Package");
    assert_eq!(sim.status(&e1), "Succeeded");
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn a_failure_lets_running_actions_finish_then_fails_the_stage() {
    let mut sim = Sim::new(RUN_ORDER);
    let e1 = sim.start();
    sim.succeed(&e1, "Src");
    sim.fail(&e1, "Unit");
    assert_eq!(sim.status(&e1), "InProgress", "Lint is still running");
    sim.succeed(&e1, "Lint");
    assert_eq!(sim.status(&e1), "Failed");
    assert!(!sim.has_job(&e1, "Package"), "nothing starts after a failure");
    assert!(sim.state.gates["Test"].occupant.is_none(), "a failure releases the lock");
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn an_unresolvable_variable_fails_the_action_at_once() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    // The source ends without the CommitId variable the build refers to.
    sim.succeed(&e1, "Src");
    assert_eq!(sim.status(&e1), "Failed");
    let compile = &sim.execution(&e1).stages[1].actions[0];
    let error = compile.latest.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("#{SourceVariables.CommitId} has no value"), "{error}");
    assert!(!sim.has_job(&e1, "Compile"));
}

#[test]
fn a_success_without_a_declared_output_artifact_is_a_failure() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    let job = sim.job(&e1, "Src");
    sim.step(
        "Src claims success without its artifact",
        sluice_engine::Event::ActionFinished {
            execution_id: e1.clone(),
            action_execution_id: job.id,
            result: sluice_engine::ActionResult { succeeded: true, ..Default::default() },
        },
    );
    assert_eq!(sim.status(&e1), "Failed");
    let error = sim.execution(&e1).stages[0].actions[0].latest.as_ref().unwrap().error.clone().unwrap();
    assert!(error.contains("SourceOut"), "{error}");
}
