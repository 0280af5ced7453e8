//! Moving executions between stages: waiting in front of a gate, entering
//! (and locking) a stage, leaving it, and letting the next one in.
//!
//! The execution mode is the pipeline's current one: locks and queues are
//! shared by every execution, whatever version it runs.

use super::{Ctx, stage};
use crate::execution::{ExecutionType, Position};
use crate::state::RollbackPoint;
use sluice_model::ExecutionMode;
use sluice_model::status::PipelineExecutionStatus;

fn mode(cx: &Ctx<'_>) -> ExecutionMode {
    cx.current_declaration().mode()
}

/// Brings execution `id` to stage `k` of its pipeline version: in, when the
/// gate is open and the stage free; otherwise it waits in front.
pub fn advance(cx: &mut Ctx<'_>, id: &str, k: usize) {
    let declaration = cx.declaration_of(id);
    if k >= declaration.stages.len() {
        return succeed(cx, id);
    }
    let stage_name = declaration.stages[k].name.clone();
    cx.exec(id).position = Position::Waiting(k);
    let mode = mode(cx);
    let gate = cx.state.gate(&stage_name);
    let open = gate.transition.enabled && (mode == ExecutionMode::Parallel || gate.occupant.is_none());
    if open && gate.waiting.is_empty() {
        return enter(cx, id, k);
    }
    if mode == ExecutionMode::Superseded {
        // Only the newest execution waits in front of a stage.
        let replaced: Vec<String> = cx.state.gate(&stage_name).waiting.drain(..).collect();
        for older in replaced {
            supersede(cx, &older, id);
        }
    }
    cx.state.gate(&stage_name).waiting.push_back(id.to_string());
}

fn supersede(cx: &mut Ctx<'_>, id: &str, by: &str) {
    if !cx.state.executions.contains_key(id) {
        return;
    }
    let summary = format!("Superseded by execution {by}");
    cx.set_status(id, PipelineExecutionStatus::Superseded, Some(summary));
    cx.exec(id).position = Position::Done;
    cx.retire(id);
}

/// Puts `id` into stage `k`, taking its lock, and starts the stage.
pub fn enter(cx: &mut Ctx<'_>, id: &str, k: usize) {
    let stage_name = cx.declaration_of(id).stages[k].name.clone();
    if mode(cx) != ExecutionMode::Parallel {
        cx.state.gate(&stage_name).occupant = Some(id.to_string());
    }
    let previous = cx.state.latest_in_stage.insert(stage_name.clone(), id.to_string());
    // The execution that last stopped or failed here can no longer be
    // retried: another one has entered the stage.
    if let Some(previous) = previous.filter(|p| p != id) {
        let halted_here = cx.state.executions.get(&previous).is_some_and(|e| {
            e.position == Position::Done
                && cx
                    .declaration(e.pipeline_version)
                    .stages
                    .get(e.halted_stage.unwrap_or(usize::MAX))
                    .is_some_and(|s| s.name == stage_name)
        });
        if halted_here {
            cx.retire(&previous);
        }
    }
    cx.exec(id).position = Position::InStage(k);
    stage::start_stage(cx, id, k);
}

/// Execution `id` completed stage `k`: it moves on, and the stage opens to
/// the next waiting execution.
pub fn leave(cx: &mut Ctx<'_>, id: &str, k: usize) {
    let stage_name = cx.declaration_of(id).stages[k].name.clone();
    let execution = &cx.state.executions[id];
    let is_rollback = execution.execution_type == ExecutionType::Rollback;
    if !is_rollback {
        let point = RollbackPoint::of(execution);
        cx.state.last_success.insert(stage_name.clone(), point);
    }
    if is_rollback {
        // A rollback runs its one stage and ends there.
        succeed(cx, id);
    } else {
        advance(cx, id, k + 1);
    }
    release(cx, id, &stage_name);
}

/// Frees `stage_name` if `id` holds it, and lets waiting executions in.
pub fn release(cx: &mut Ctx<'_>, id: &str, stage_name: &str) {
    if let Some(gate) = cx.state.gates.get_mut(stage_name) {
        if gate.occupant.as_deref() == Some(id) {
            gate.occupant = None;
        }
    }
    admit(cx, stage_name);
}

/// Lets waiting executions into `stage_name` while it is open: one for
/// SUPERSEDED and QUEUED, all of them for PARALLEL.
pub fn admit(cx: &mut Ctx<'_>, stage_name: &str) {
    let mode = mode(cx);
    loop {
        let Some(gate) = cx.state.gates.get_mut(stage_name) else { return };
        if !gate.transition.enabled || (mode != ExecutionMode::Parallel && gate.occupant.is_some()) {
            return;
        }
        let Some(next) = gate.waiting.pop_front() else { return };
        let waiting_at = cx.state.executions.get(&next).and_then(|e| match e.position {
            Position::Waiting(k) => Some(k),
            _ => None,
        });
        if let Some(k) = waiting_at {
            enter(cx, &next, k);
        }
    }
}

/// The execution went through its last stage.
pub fn succeed(cx: &mut Ctx<'_>, id: &str) {
    cx.set_status(id, PipelineExecutionStatus::Succeeded, None);
    cx.exec(id).position = Position::Done;
    cx.retire(id);
}
