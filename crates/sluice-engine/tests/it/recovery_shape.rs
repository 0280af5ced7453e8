//! Crash recovery is "load the state, apply the next event": a state that
//! went through JSON (as the store keeps it) behaves exactly like the one
//! that never left memory.

use crate::harness::*;
use sluice_engine::PipelineState;

#[test]
fn a_state_reloaded_from_json_continues_identically() {
    let mut sim = Sim::new(LINEAR);
    let e1 = sim.start();
    through_source(&mut sim, &e1);
    let e2 = sim.start();
    through_source(&mut sim, &e2);

    let mut reloaded = Sim::new(LINEAR);
    let json = serde_json::to_string(&sim.state).unwrap();
    reloaded.state = serde_json::from_str::<PipelineState>(&json).unwrap();
    reloaded.ids = sim.ids.clone();
    reloaded.now = sim.now;
    reloaded.jobs = sim.jobs.clone();
    assert_eq!(reloaded.state, sim.state);

    for s in [&mut sim, &mut reloaded] {
        s.finish("e1", "Compile", true, &[("VERSION", "1")]);
        s.succeed("e1", "Ship");
        s.finish("e2", "Compile", true, &[("VERSION", "2")]);
    }
    assert_eq!(reloaded.state, sim.state);
    assert_eq!(reloaded.picture(), sim.picture());
}
