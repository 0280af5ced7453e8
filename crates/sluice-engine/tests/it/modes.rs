//! Execution modes: SUPERSEDED, QUEUED and PARALLEL around a locked stage.

use crate::harness::*;

#[test]
fn superseded_the_newest_waiting_execution_replaces_the_older_one() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    let e2 = sim.start();
    through_source(&mut sim, &e2);
    assert_eq!(sim.state.gates["Build"].waiting, ["e2"]);
    let e3 = sim.start();
    through_source(&mut sim, &e3);
    assert_eq!(sim.status(&e2), "Superseded");
    assert_eq!(sim.state.gates["Build"].waiting, ["e3"]);
    sim.finish(&e1, "Compile", true, &[("VERSION", "1")]);
    assert!(sim.has_job(&e3, "Compile"), "the newest waiting execution enters when the stage frees");
    assert!(sim.has_job(&e1, "Ship"));
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn superseding_happens_only_between_stages() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    let e2 = sim.start();
    // e1 is inside Source; e2 waits in front of it and is not superseded
    // by e1, which is running.
    assert_eq!(sim.status(&e1), "InProgress");
    assert_eq!(sim.state.gates["Source"].waiting, [e2.as_str()]);
    through_source(&mut sim, &e1);
    assert!(sim.has_job(&e2, "Src"));
}

#[test]
fn queued_executions_enter_in_the_order_they_came() {
    let mut sim = Sim::new(&with_mode(LINEAR, "QUEUED"));
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    let e2 = sim.start();
    through_source(&mut sim, &e2);
    let e3 = sim.start();
    through_source(&mut sim, &e3);
    assert_eq!(sim.state.gates["Build"].waiting, ["e2", "e3"]);
    assert_eq!(sim.status(&e2), "InProgress");
    sim.finish(&e1, "Compile", true, &[("VERSION", "1")]);
    assert!(sim.has_job(&e2, "Compile"));
    assert!(!sim.has_job(&e3, "Compile"));
    sim.finish(&e2, "Compile", true, &[("VERSION", "2")]);
    assert!(sim.has_job(&e3, "Compile"));
    insta::assert_snapshot!(sim.trace);
}

#[test]
fn parallel_executions_do_not_wait_for_each_other() {
    let mut sim = Sim::new(&with_mode(LINEAR, "PARALLEL"));
    let e1 = sim.start();
    let e2 = sim.start();
    assert!(sim.has_job(&e1, "Src") && sim.has_job(&e2, "Src"));
    through_source(&mut sim, &e2);
    through_source(&mut sim, &e1);
    assert!(sim.has_job(&e1, "Compile") && sim.has_job(&e2, "Compile"));
    assert!(sim.state.gates.values().all(|g| g.occupant.is_none()), "PARALLEL takes no locks");
    insta::assert_snapshot!(sim.trace);
}
