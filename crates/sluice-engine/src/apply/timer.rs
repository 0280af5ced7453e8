//! A timer came due: an action ran past its timeout.

use super::{Ctx, finished, stage};
use crate::effect::{Effect, TimerKind};
use crate::error::Rejection;
use sluice_model::status::ActionExecutionStatus;

pub fn timer_fired(cx: &mut Ctx<'_>, timer_id: &str) -> Result<(), Rejection> {
    // A timer cleared after it was read from the store fires for nothing.
    let Some(timer) = cx.state.timers.get(timer_id).cloned() else { return Ok(()) };
    cx.clear_timer(timer_id);
    let TimerKind::ActionTimeout { execution_id, action_execution_id } = timer.kind;
    let Some((k, a)) = finished::find_running(cx, &execution_id, &action_execution_id) else { return Ok(()) };
    let now = cx.now;
    let execution = cx.exec(&execution_id);
    let attempt = execution.stages[k].actions[a].latest.as_mut().expect("running attempt");
    let minutes = (attempt.deadline - attempt.started_at) / 60_000;
    attempt.status = ActionExecutionStatus::Failed;
    attempt.updated_at = now;
    attempt.error = Some(format!("The action timed out after {minutes} minutes"));
    let is_job = attempt.token.is_none();
    if is_job {
        cx.effects.push(Effect::Cancel { job_id: action_execution_id.clone() });
    }
    cx.notify_action(&execution_id, k, a, ActionExecutionStatus::Failed);
    stage::progress(cx, &execution_id, k);
    Ok(())
}
