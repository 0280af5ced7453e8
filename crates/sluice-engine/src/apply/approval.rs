//! PutApprovalResult: a person approves or rejects a manual approval.

use super::{Ctx, stage, timeout_timer};
use crate::error::Rejection;
use crate::event::ApprovalDecision;
use sluice_model::ActionCategory;
use sluice_model::status::ActionExecutionStatus;

#[allow(clippy::too_many_arguments)]
pub fn approval(
    cx: &mut Ctx<'_>,
    execution_id: Option<&str>,
    stage_name: &str,
    action_name: &str,
    token: &str,
    decision: ApprovalDecision,
    summary: &str,
    by: &str,
) -> Result<(), Rejection> {
    let declaration = cx.current_declaration();
    let stage_declaration = declaration
        .stages
        .iter()
        .find(|s| s.name == stage_name)
        .ok_or_else(|| Rejection::StageNotFound(stage_name.to_string()))?;
    let action_declaration = stage_declaration
        .actions
        .iter()
        .find(|a| a.name == action_name)
        .ok_or_else(|| Rejection::ActionNotFound(action_name.to_string()))?;
    if action_declaration.action_type_id.category != ActionCategory::Approval {
        return Err(Rejection::Validation(format!("{action_name} is not an approval action")));
    }
    // The token names the run being decided.
    let mut found = None;
    for (id, execution) in &cx.state.executions {
        if execution_id.is_some_and(|wanted| wanted != id) {
            continue;
        }
        let Some(k) = execution.stage_index(stage_name) else { continue };
        let Some(a) = execution.stages[k].actions.iter().position(|x| x.name == action_name) else { continue };
        let run = &execution.stages[k].actions[a];
        let attempts = run.latest.iter().chain(run.history.iter());
        if let Some(attempt) = attempts.into_iter().find(|t| t.token.as_deref() == Some(token)) {
            found = Some((id.clone(), k, a, attempt.status, attempt.id.clone()));
            break;
        }
    }
    let Some((id, k, a, status, attempt_id)) = found else { return Err(Rejection::InvalidApprovalToken) };
    if status != ActionExecutionStatus::InProgress {
        return Err(Rejection::ApprovalAlreadyCompleted);
    }
    let now = cx.now;
    let (status, text) = match decision {
        ApprovalDecision::Approved => (ActionExecutionStatus::Succeeded, format!("Approved by {by}: {summary}")),
        ApprovalDecision::Rejected => (ActionExecutionStatus::Failed, format!("Rejected by {by}: {summary}")),
    };
    let attempt = cx.exec(&id).stages[k].actions[a].latest.as_mut().expect("the attempt with the token");
    attempt.status = status;
    attempt.updated_at = now;
    attempt.summary = Some(summary.to_string());
    attempt.updated_by = Some(by.to_string());
    if status == ActionExecutionStatus::Failed {
        attempt.error = Some(text);
    }
    cx.clear_timer(&timeout_timer(&attempt_id));
    cx.notify_action(&id, k, a, status);
    stage::progress(cx, &id, k);
    Ok(())
}
