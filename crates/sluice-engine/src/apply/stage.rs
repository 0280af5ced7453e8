//! Running one stage: actions in runOrder groups (parallel within a group,
//! groups one after another), and how the stage ends.

use super::{Ctx, dispatch, gates, rollback};
use crate::event::RetryMode;
use crate::execution::{ExecutionType, Position};
use sluice_model::ConditionResult;
use sluice_model::status::{ActionExecutionStatus, PipelineExecutionStatus, StageExecutionStatus};

/// Starts stage `k` afresh: a new attempt of every action.
pub fn start_stage(cx: &mut Ctx<'_>, id: &str, k: usize) {
    let execution = cx.exec(id);
    let stage = &mut execution.stages[k];
    stage.attempts += 1;
    for action in &mut stage.actions {
        if let Some(previous) = action.latest.take() {
            action.history.push(previous);
        }
    }
    cx.set_stage_status(id, k, StageExecutionStatus::InProgress);
    progress(cx, id, k);
}

/// Decides what stage `k` does next, after it started or an action ended.
pub fn progress(cx: &mut Ctx<'_>, id: &str, k: usize) {
    let stage = &cx.state.executions[id].stages[k];
    let statuses: Vec<Option<ActionExecutionStatus>> = stage.actions.iter().map(|a| a.status()).collect();
    if statuses.contains(&Some(ActionExecutionStatus::InProgress)) {
        // A group is still running; nothing starts until it is done.
        return;
    }
    let stopping = cx.state.executions[id].stopping.is_some();
    let failed =
        statuses.iter().any(|s| matches!(s, Some(ActionExecutionStatus::Failed | ActionExecutionStatus::Abandoned)));
    if stopping {
        return halt(cx, id, k, PipelineExecutionStatus::Stopped);
    }
    if failed {
        return halt(cx, id, k, PipelineExecutionStatus::Failed);
    }
    // The lowest runOrder that has not succeeded yet runs next.
    let next_group = stage
        .actions
        .iter()
        .filter(|a| a.status() != Some(ActionExecutionStatus::Succeeded))
        .map(|a| a.run_order)
        .min();
    let Some(run_order) = next_group else {
        cx.set_stage_status(id, k, StageExecutionStatus::Succeeded);
        return gates::leave(cx, id, k);
    };
    let to_run: Vec<usize> = stage
        .actions
        .iter()
        .enumerate()
        .filter(|(_, a)| a.run_order == run_order && a.status().is_none())
        .map(|(i, _)| i)
        .collect();
    for action in to_run {
        dispatch::dispatch(cx, id, k, action);
    }
    // Dispatch can fail an action at once (an unresolvable variable), and
    // an approval-free group may already be decided.
    let still_running =
        cx.state.executions[id].stages[k].actions.iter().any(|a| a.status() == Some(ActionExecutionStatus::InProgress));
    if !still_running {
        progress(cx, id, k);
    }
}

/// Ends the execution in stage `k`, failed or stopped. The stage opens to
/// others; the execution stays retryable until another one enters it.
pub fn halt(cx: &mut Ctx<'_>, id: &str, k: usize, status: PipelineExecutionStatus) {
    let stage_status = match status {
        PipelineExecutionStatus::Stopped => StageExecutionStatus::Stopped,
        _ => StageExecutionStatus::Failed,
    };
    cx.set_stage_status(id, k, stage_status);
    let summary = match status {
        PipelineExecutionStatus::Stopped => cx.state.executions[id].stopping.clone(),
        _ => None,
    };
    cx.set_status(id, status, summary);
    let execution = cx.exec(id);
    execution.position = Position::Done;
    execution.halted_stage = Some(k);
    execution.stopping = None;
    let stage_name = execution.stages[k].name.clone();
    let is_rollback = execution.execution_type == ExecutionType::Rollback;
    let failed = status == PipelineExecutionStatus::Failed && !is_rollback;
    // An automatic retry happens while the execution still holds the stage,
    // so no waiting execution slips in between.
    if failed && auto_retry(cx, id, k) {
        return;
    }
    gates::release(cx, id, &stage_name);
    if failed && on_failure_result(cx, id, k) == Some(ConditionResult::Rollback) {
        rollback::automatic(cx, id, k);
    }
}

fn on_failure_result(cx: &Ctx<'_>, id: &str, k: usize) -> Option<ConditionResult> {
    cx.declaration_of(id).stages[k].on_failure.as_ref()?.result
}

/// `onFailure: RETRY`: one automatic retry per stage entry. True when the
/// stage was retried.
fn auto_retry(cx: &mut Ctx<'_>, id: &str, k: usize) -> bool {
    if on_failure_result(cx, id, k) != Some(ConditionResult::Retry)
        || cx.state.executions[id].stages[k].auto_retries >= 1
    {
        return false;
    }
    let declaration = cx.declaration_of(id);
    let stage = &declaration.stages[k];
    let mode = match stage.on_failure.as_ref().and_then(|f| f.retry_configuration.as_ref()).and_then(|r| r.retry_mode) {
        Some(sluice_model::StageRetryMode::AllActions) => RetryMode::AllActions,
        _ => RetryMode::FailedActions,
    };
    cx.exec(id).stages[k].auto_retries += 1;
    // Checked like a manual retry; a refusal (the pipeline was updated) lets
    // the failure stand.
    super::retry::retry(cx, id, &stage.name, mode, "onFailure:RETRY").is_ok()
}
