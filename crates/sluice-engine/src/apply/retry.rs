//! RetryStageExecution: the same execution resumes in the stage where it
//! failed or stopped, with the failed actions or all of them.

use super::{Ctx, stage};
use crate::error::Rejection;
use crate::event::RetryMode;
use crate::execution::{AuditEntry, Position};
use sluice_model::ExecutionMode;
use sluice_model::status::{ActionExecutionStatus, PipelineExecutionStatus, StageExecutionStatus};

pub fn retry(cx: &mut Ctx<'_>, id: &str, stage_name: &str, mode: RetryMode, by: &str) -> Result<(), Rejection> {
    let k = check(cx, id, stage_name)?;
    if cx.current_declaration().mode() != ExecutionMode::Parallel {
        cx.state.gate(stage_name).occupant = Some(id.to_string());
    }
    let now = cx.now;
    let execution = cx.exec(id);
    execution.position = Position::InStage(k);
    execution.halted_stage = None;
    execution.audit.push(AuditEntry { at: now, by: by.to_string(), what: format!("retry {stage_name} ({mode:?})") });
    let stage = &mut execution.stages[k];
    stage.attempts += 1;
    for action in &mut stage.actions {
        let rerun = match mode {
            RetryMode::AllActions => true,
            RetryMode::FailedActions => {
                matches!(action.status(), Some(ActionExecutionStatus::Failed | ActionExecutionStatus::Abandoned))
            }
        };
        if rerun {
            if let Some(previous) = action.latest.take() {
                action.history.push(previous);
            }
        }
    }
    cx.set_status(id, PipelineExecutionStatus::InProgress, None);
    cx.exec(id).status_summary = None;
    cx.set_stage_status(id, k, StageExecutionStatus::InProgress);
    stage::progress(cx, id, k);
    Ok(())
}

/// AWS's conditions for a retry; the stage's index when they hold.
fn check(cx: &Ctx<'_>, id: &str, stage_name: &str) -> Result<usize, Rejection> {
    let Some(execution) = cx.state.executions.get(id) else {
        // Not in the state: it finished. Still the stage's latest, it
        // succeeded there (nothing to retry); otherwise another execution
        // has entered the stage since.
        if cx.state.latest_in_stage.get(stage_name).is_some_and(|latest| latest == id) {
            return Err(Rejection::StageNotRetryable(format!(
                "stage {stage_name} of execution {id} has no failed or stopped actions to retry"
            )));
        }
        return Err(Rejection::NotLatest(id.to_string()));
    };
    let k = execution.stage_index(stage_name).ok_or_else(|| Rejection::StageNotFound(stage_name.to_string()))?;
    if !matches!(execution.status, PipelineExecutionStatus::Failed | PipelineExecutionStatus::Stopped)
        || execution.halted_stage != Some(k)
    {
        return Err(Rejection::StageNotRetryable(format!(
            "stage {stage_name} of execution {id} has no failed or stopped actions to retry"
        )));
    }
    if execution.pipeline_version != cx.state.current_version {
        return Err(Rejection::StageNotRetryable(format!(
            "the pipeline was updated since execution {id} started (version {} then, {} now)",
            execution.pipeline_version, cx.state.current_version
        )));
    }
    let latest = cx.state.latest_in_stage.get(stage_name).map(String::as_str);
    let occupant = cx.state.gates.get(stage_name).and_then(|g| g.occupant.as_deref());
    if latest != Some(id) || occupant.is_some_and(|o| o != id) {
        return Err(Rejection::NotLatest(id.to_string()));
    }
    Ok(k)
}
