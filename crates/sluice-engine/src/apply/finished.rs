//! A job reported its end.

use super::{Ctx, stage, timeout_timer};
use crate::error::Rejection;
use crate::event::ActionResult;
use crate::execution::SourceRevision;
use sluice_model::status::ActionExecutionStatus;

pub fn action_finished(cx: &mut Ctx<'_>, id: &str, attempt_id: &str, result: ActionResult) -> Result<(), Rejection> {
    // A result for an attempt that is no longer running (abandoned, timed
    // out, or of an execution that left the state) changes nothing: the
    // attempt already has its final status.
    let Some((k, a)) = find_running(cx, id, attempt_id) else { return Ok(()) };
    let declaration = cx.declaration_of(id);
    let action = &declaration.stages[k].actions[a];
    let now = cx.now;
    let mut succeeded = result.succeeded;
    let mut error = result.error.clone();
    let missing: Vec<&str> = action
        .output_artifacts
        .iter()
        .map(|o| o.name.as_str())
        .filter(|name| !result.output_artifacts.iter().any(|given| given.name == *name))
        .collect();
    if succeeded && !missing.is_empty() {
        succeeded = false;
        error = Some(format!("the action did not produce its output artifact {}", missing.join(", ")));
    }
    let status = if succeeded { ActionExecutionStatus::Succeeded } else { ActionExecutionStatus::Failed };
    let execution = cx.exec(id);
    let attempt = execution.stages[k].actions[a].latest.as_mut().expect("running attempt");
    attempt.status = status;
    attempt.updated_at = now;
    attempt.summary = result.summary.clone();
    attempt.error = if succeeded { None } else { error.or_else(|| Some("the action failed".into())) };
    attempt.external_execution_id = result.external_execution_id.clone();
    attempt.external_execution_url = result.external_execution_url.clone();
    attempt.output_variables = result.output_variables.clone();
    attempt.output_artifacts = result.output_artifacts.clone();
    if succeeded {
        if let Some(namespace) = &action.namespace {
            execution.outputs.insert(namespace.clone(), result.output_variables.clone());
        }
        for artifact in &result.output_artifacts {
            execution.artifacts.insert(artifact.name.clone(), artifact.clone());
        }
        if let Some(revision) = result.revision {
            let revision = SourceRevision { action_name: action.name.clone(), ..revision };
            execution.source_revisions.retain(|r| r.action_name != revision.action_name);
            execution.source_revisions.push(revision);
        }
    }
    cx.clear_timer(&timeout_timer(attempt_id));
    cx.notify_action(id, k, a, status);
    stage::progress(cx, id, k);
    Ok(())
}

/// The stage and action index of a running attempt.
pub fn find_running(cx: &Ctx<'_>, id: &str, attempt_id: &str) -> Option<(usize, usize)> {
    let execution = cx.state.executions.get(id)?;
    execution.stages.iter().enumerate().find_map(|(k, stage)| {
        stage
            .actions
            .iter()
            .position(|action| {
                action
                    .latest
                    .as_ref()
                    .is_some_and(|l| l.id == attempt_id && l.status == ActionExecutionStatus::InProgress)
            })
            .map(|a| (k, a))
    })
}
