//! Stop and wait, stop and abandon.

use crate::harness::*;
use sluice_engine::Rejection;

#[test]
fn stop_and_wait_lets_running_actions_finish_and_starts_nothing_new() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    sim.stop(&e1, false).unwrap();
    sim.record("stop and wait e1");
    assert_eq!(sim.status(&e1), "Stopping");
    assert!(sim.has_job(&e1, "Compile"), "the running action goes on");
    assert!(matches!(sim.refused("second stop and wait", stop_event(&e1, false)), Rejection::DuplicatedStop(_)));
    sim.finish(&e1, "Compile", true, &[("VERSION", "1")]);
    assert_eq!(sim.status(&e1), "Stopped");
    assert!(!sim.has_job(&e1, "Ship"), "nothing new starts");
    assert!(sim.state.gates["Build"].occupant.is_none(), "a stop releases the lock");
    assert!(matches!(sim.refused("stop a stopped execution", stop_event(&e1, true)), Rejection::NotStoppable(_)));
    insta::assert_snapshot!(sim.trace);
}

fn stop_event(id: &str, abandon: bool) -> sluice_engine::Event {
    sluice_engine::Event::Stop { execution_id: id.into(), abandon, reason: None, by: "operator".into() }
}

#[test]
fn stop_and_abandon_abandons_running_actions_and_cancels_their_jobs() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    let job = sim.job(&e1, "Compile");
    sim.stop(&e1, true).unwrap();
    sim.record("stop and abandon e1");
    assert_eq!(sim.status(&e1), "Stopped");
    assert_eq!(sim.cancelled, std::slice::from_ref(&job.id));
    let compile = &sim.execution(&e1).stages[1].actions[0];
    assert_eq!(compile.latest.as_ref().unwrap().status.as_str(), "Abandoned");
    // The job's late report changes nothing.
    let late = sluice_engine::Event::ActionFinished {
        execution_id: e1.clone(),
        action_execution_id: job.id,
        result: sluice_engine::ActionResult { succeeded: true, ..Default::default() },
    };
    let outcome = sim.apply(late).unwrap();
    assert!(outcome.executions.is_empty() && outcome.effects.is_empty());
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn stop_and_abandon_is_allowed_while_stopping() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    sim.stop(&e1, false).unwrap();
    sim.stop(&e1, true).unwrap();
    assert_eq!(sim.status(&e1), "Stopped");
    assert!(!sim.has_job(&e1, "Compile"));
}

#[test]
fn a_stop_frees_the_stage_for_the_waiting_execution() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    let e2 = sim.start();
    through_source(&mut sim, &e2);
    sim.stop(&e1, true).unwrap();
    sim.record("abandon e1");
    assert!(sim.has_job(&e2, "Compile"));
}
