//! RollbackStage and `onFailure: ROLLBACK`: a new ROLLBACK execution runs
//! one stage again with what an earlier execution had when it succeeded
//! there: its source revisions, variables and artifacts.

use super::{Ctx, gates, start};
use crate::error::Rejection;
use crate::execution::{Execution, ExecutionType, Trigger};
use crate::state::RollbackPoint;
use sluice_model::ExecutionMode;
use sluice_model::status::{PipelineExecutionStatus, StageExecutionStatus};

pub fn rollback(
    cx: &mut Ctx<'_>,
    stage_name: &str,
    target: &Execution,
    new_id: &str,
    by: &str,
    automatic: bool,
) -> Result<(), Rejection> {
    let k = check(cx, stage_name)?;
    if target.execution_type == ExecutionType::Rollback {
        return Err(Rejection::UnableToRollback(format!("{} is itself a rollback execution", target.id)));
    }
    if target.pipeline_version != cx.state.current_version {
        return Err(Rejection::UnableToRollback(format!(
            "execution {} ran version {} of the pipeline, and the pipeline is now at version {}",
            target.id, target.pipeline_version, cx.state.current_version
        )));
    }
    let succeeded = target.stages.get(k).and_then(|s| s.status) == Some(StageExecutionStatus::Succeeded);
    if !succeeded {
        return Err(Rejection::UnableToRollback(format!(
            "execution {} did not succeed in stage {stage_name}",
            target.id
        )));
    }
    if cx.state.executions.contains_key(new_id) {
        return Err(Rejection::Conflict(new_id.to_string()));
    }
    let trigger_type = if automatic { "AutomatedRollback" } else { "ManualRollback" };
    let trigger = Trigger { trigger_type: trigger_type.into(), trigger_detail: by.to_string() };
    launch(cx, k, &RollbackPoint::of(target), new_id, trigger);
    Ok(())
}

/// The stage's index, if it can be rolled back now.
fn check(cx: &Ctx<'_>, stage_name: &str) -> Result<usize, Rejection> {
    let declaration = cx.current_declaration();
    if declaration.mode() == ExecutionMode::Parallel {
        return Err(Rejection::UnableToRollback("a pipeline in PARALLEL mode cannot roll back a stage".into()));
    }
    let k = declaration
        .stages
        .iter()
        .position(|s| s.name == stage_name)
        .ok_or_else(|| Rejection::StageNotFound(stage_name.to_string()))?;
    if k == 0 {
        return Err(Rejection::UnableToRollback("the source stage cannot be rolled back".into()));
    }
    if let Some(occupant) = cx.state.gates.get(stage_name).and_then(|g| g.occupant.as_ref()) {
        return Err(Rejection::UnableToRollback(format!("stage {stage_name} is running execution {occupant}")));
    }
    Ok(k)
}

/// `onFailure: ROLLBACK` after execution `failed_id` failed stage `k`.
pub fn automatic(cx: &mut Ctx<'_>, failed_id: &str, k: usize) {
    let stage_name = cx.declaration_of(failed_id).stages[k].name.clone();
    let point = cx.state.last_success.get(&stage_name).cloned();
    let usable = point.filter(|p| p.pipeline_version == cx.state.current_version);
    let Some(point) = usable.filter(|_| check(cx, &stage_name).is_ok()) else {
        let note =
            format!("The stage failed and there is no earlier successful execution of {stage_name} to roll back to");
        cx.exec(failed_id).status_summary = Some(note);
        return;
    };
    let new_id = cx.ids.next_id("execution");
    let trigger = Trigger { trigger_type: "AutomatedRollback".into(), trigger_detail: failed_id.to_string() };
    launch(cx, k, &point, &new_id, trigger);
}

fn launch(cx: &mut Ctx<'_>, k: usize, point: &RollbackPoint, new_id: &str, trigger: Trigger) {
    let declaration = cx.current_declaration();
    let mut execution = start::new_execution(cx, declaration, new_id.to_string(), trigger, ExecutionType::Rollback);
    execution.rollback_target = Some(point.execution_id.clone());
    execution.variables = point.variables.clone();
    execution.source_revisions = point.source_revisions.clone();
    execution.outputs = point.outputs.clone();
    execution.artifacts = point.artifacts.clone();
    cx.state.executions.insert(new_id.to_string(), execution);
    cx.set_status(new_id, PipelineExecutionStatus::InProgress, None);
    gates::enter(cx, new_id, k);
}
