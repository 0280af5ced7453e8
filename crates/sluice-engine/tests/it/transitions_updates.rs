//! Disabled transitions hold executions; pipeline updates and what they do
//! to executions already under way.

use crate::harness::*;
use sluice_engine::{Event, Rejection};

fn disable(sim: &mut Sim, stage: &str) {
    sim.step(
        &format!("disable {stage}"),
        Event::SetTransition { stage: stage.into(), enabled: false, reason: Some("freeze".into()), by: "ops".into() },
    );
}

fn enable(sim: &mut Sim, stage: &str) {
    sim.step(
        &format!("enable {stage}"),
        Event::SetTransition { stage: stage.into(), enabled: true, reason: None, by: "ops".into() },
    );
}

#[test]
fn a_disabled_transition_holds_executions_and_the_latest_enters_on_enable() {
    let mut sim = Sim::new(LINEAR);
    disable(&mut sim, "Deploy");
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    sim.finish(&e1, "Compile", true, &[("VERSION", "1")]);
    assert_eq!(sim.state.gates["Deploy"].waiting, ["e1"]);
    let e2 = sim.start();
    through_source(&mut sim, &e2);
    sim.finish(&e2, "Compile", true, &[("VERSION", "2")]);
    assert_eq!(sim.status(&e1), "Superseded", "the inbound execution is superseded while the transition is disabled");
    enable(&mut sim, "Deploy");
    assert_eq!(sim.job(&e2, "Ship").configuration["ObjectKey"], "app-2.zip");
    let gate = &sim.state.gates["Deploy"].transition;
    assert!(gate.enabled && gate.last_changed_by.as_deref() == Some("ops"));
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn a_stopped_inbound_execution_does_not_enter_when_the_transition_opens() {
    let mut sim = Sim::new(LINEAR);
    disable(&mut sim, "Build");
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    sim.stop(&e1, false).unwrap();
    sim.record("stop e1 while it waits");
    assert_eq!(sim.status(&e1), "Stopped");
    enable(&mut sim, "Build");
    assert!(!sim.has_job(&e1, "Compile"));
    assert!(sim.state.gates["Build"].waiting.is_empty());
}

#[test]
fn disabling_needs_a_reason_and_an_existing_stage() {
    let mut sim = Sim::new(LINEAR);
    let missing_reason =
        Event::SetTransition { stage: "Deploy".into(), enabled: false, reason: None, by: "ops".into() };
    assert!(matches!(sim.refused("disable without reason", missing_reason), Rejection::Validation(_)));
    let unknown =
        Event::SetTransition { stage: "Nope".into(), enabled: false, reason: Some("x".into()), by: "ops".into() };
    assert_eq!(sim.refused("unknown stage", unknown).aws_type(), "StageNotFoundException");
}

/// LINEAR with a Test stage added before Deploy.
fn linear_v2_structure() -> String {
    LINEAR.replace(
        "  - name: Deploy\n",
        r#"  - name: Test
    actions:
      - name: Check
        actionTypeId: {category: Test, owner: AWS, provider: CodeBuild, version: "1"}
        configuration: {ProjectName: check}
        inputArtifacts: [{name: BuildOut}]
  - name: Deploy
"#,
    )
}

#[test]
fn an_update_lets_running_executions_finish_and_cancels_waiting_ones_when_stages_change() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    let e2 = sim.start();
    through_source(&mut sim, &e2);
    assert_eq!(sim.state.gates["Build"].waiting, ["e2"]);
    sim.declarations.insert(2, declaration(&linear_v2_structure()));
    sim.step("update to version 2 (a Test stage added)", Event::PipelineUpdated { version: 2 });
    assert_eq!(sim.status(&e2), "Cancelled");
    // e1 finishes the version it started with: no Test stage for it.
    sim.finish(&e1, "Compile", true, &[("VERSION", "1")]);
    assert!(sim.has_job(&e1, "Ship"));
    let e3 = sim.start();
    assert_eq!(sim.execution(&e3).pipeline_version, 2);
    sim.succeed(&e1, "Ship");
    through_source(&mut sim, &e3);
    sim.finish(&e3, "Compile", true, &[("VERSION", "3")]);
    assert!(sim.has_job(&e3, "Check"), "new executions run the new structure");
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn an_update_that_keeps_the_stages_lets_waiting_executions_go_on() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    let e2 = sim.start();
    through_source(&mut sim, &e2);
    sim.declarations.insert(2, declaration(&LINEAR.replace("ENV=#{variables.env}", "ENV=#{variables.env} V=2")));
    sim.step("update to version 2 (same stages)", Event::PipelineUpdated { version: 2 });
    assert_eq!(sim.status(&e2), "InProgress");
    sim.finish(&e1, "Compile", true, &[("VERSION", "1")]);
    assert!(!sim.job(&e2, "Compile").commands.unwrap()[0].contains("V=2"), "e2 runs its own version");
}
