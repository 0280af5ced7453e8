//! StopPipelineExecution: stop and wait (running actions finish, nothing
//! new starts) or stop and abandon (running actions are abandoned now).

use super::{Ctx, stage, timeout_timer};
use crate::effect::Effect;
use crate::error::Rejection;
use crate::execution::{AuditEntry, Position};
use sluice_model::status::{ActionExecutionStatus, PipelineExecutionStatus};

pub fn stop(cx: &mut Ctx<'_>, id: &str, abandon: bool, reason: Option<String>, by: &str) -> Result<(), Rejection> {
    let execution = cx.state.executions.get(id).ok_or_else(|| Rejection::NotStoppable(id.to_string()))?;
    match execution.status {
        PipelineExecutionStatus::InProgress => {}
        PipelineExecutionStatus::Stopping if abandon => {}
        PipelineExecutionStatus::Stopping => return Err(Rejection::DuplicatedStop(id.to_string())),
        _ => return Err(Rejection::NotStoppable(id.to_string())),
    }
    let position = execution.position;
    let summary = reason.clone().unwrap_or_else(|| format!("Stopped by {by}"));
    let now = cx.now;
    cx.exec(id).audit.push(AuditEntry {
        at: now,
        by: by.to_string(),
        what: if abandon { "stop and abandon".into() } else { "stop and wait".into() },
    });
    match position {
        Position::Waiting(_) => {
            // An inbound execution stops where it waits and never enters.
            for gate in cx.state.gates.values_mut() {
                gate.waiting.retain(|w| w != id);
            }
            cx.set_status(id, PipelineExecutionStatus::Stopped, Some(summary));
            cx.exec(id).position = Position::Done;
            cx.retire(id);
        }
        Position::InStage(k) => {
            cx.exec(id).stopping = Some(summary.clone());
            cx.set_status(id, PipelineExecutionStatus::Stopping, Some(summary));
            if abandon {
                abandon_running(cx, id, k, by);
            }
            stage::progress(cx, id, k);
        }
        Position::Done => return Err(Rejection::NotStoppable(id.to_string())),
    }
    Ok(())
}

fn abandon_running(cx: &mut Ctx<'_>, id: &str, k: usize, by: &str) {
    let now = cx.now;
    let mut abandoned = Vec::new();
    for (a, action) in cx.exec(id).stages[k].actions.iter_mut().enumerate() {
        if let Some(attempt) = action.latest.as_mut().filter(|l| l.status == ActionExecutionStatus::InProgress) {
            attempt.status = ActionExecutionStatus::Abandoned;
            attempt.updated_at = now;
            attempt.updated_by = Some(by.to_string());
            abandoned.push((a, attempt.id.clone(), attempt.token.is_none()));
        }
    }
    for (a, attempt_id, is_job) in abandoned {
        cx.clear_timer(&timeout_timer(&attempt_id));
        if is_job {
            cx.effects.push(Effect::Cancel { job_id: attempt_id });
        }
        cx.notify_action(id, k, a, ActionExecutionStatus::Abandoned);
    }
}
