//! Starting one action: variables resolved, inputs located, then either a
//! job for a runner or, for a manual approval, a token to wait on.

use super::{Ctx, timeout_timer};
use crate::effect::{Effect, Job, JobKind, TimerKind};
use crate::execution::{ActionAttempt, Execution};
use sluice_model::providers::{self, CUSTOM_ACTION_TIMEOUT_MINUTES};
use sluice_model::status::ActionExecutionStatus;
use sluice_model::variables::{self, CODEPIPELINE, PIPELINE_VARIABLES};
use sluice_model::{ActionCategory, ActionOwner, ActionTypeId, EnvironmentVariable};
use std::collections::BTreeMap;

const MINUTE: i64 = 60_000;

pub fn dispatch(cx: &mut Ctx<'_>, id: &str, k: usize, a: usize) {
    let declaration = cx.declaration_of(id);
    let action = &declaration.stages[k].actions[a];
    let attempt_id = cx.ids.next_id("action");
    let minutes = action
        .timeout_in_minutes
        .or_else(|| providers::find(&action.action_type_id).map(|p| i64::from(p.default_timeout_minutes)))
        .unwrap_or(i64::from(CUSTOM_ACTION_TIMEOUT_MINUTES));
    let deadline = cx.now + minutes * MINUTE;

    let execution = &cx.state.executions[id];
    let mut problems = Vec::new();
    let mut resolve = |text: &str| match variables::substitute(text, |ns, name| lookup(execution, ns, name)) {
        Ok(resolved) => resolved,
        Err(reference) => {
            problems.push(format!("the variable {reference} has no value"));
            text.to_string()
        }
    };
    let configuration: BTreeMap<String, String> =
        action.configuration.iter().map(|(key, value)| (key.clone(), resolve(value))).collect();
    let commands: Option<Vec<String>> = action.commands.as_ref().map(|c| c.iter().map(|c| resolve(c)).collect());
    let environment_variables: Vec<EnvironmentVariable> = action
        .environment_variables
        .iter()
        .flatten()
        .map(|v| EnvironmentVariable { value: resolve(&v.value), ..v.clone() })
        .collect();
    let mut inputs = Vec::new();
    for input in &action.input_artifacts {
        match execution.artifacts.get(&input.name) {
            Some(location) => inputs.push(location.clone()),
            None => problems.push(format!("the input artifact {} was not produced", input.name)),
        }
    }
    let revision = execution.requested_revisions.get(&action.name).cloned();

    let mut attempt = ActionAttempt {
        id: attempt_id.clone(),
        status: ActionExecutionStatus::InProgress,
        started_at: cx.now,
        updated_at: cx.now,
        deadline,
        token: None,
        resolved_configuration: configuration.clone(),
        resolved_commands: commands.clone(),
        input_artifacts: inputs.clone(),
        output_artifacts: Vec::new(),
        output_variables: BTreeMap::new(),
        summary: None,
        external_execution_id: None,
        external_execution_url: None,
        error: None,
        updated_by: None,
    };
    if !problems.is_empty() {
        attempt.status = ActionExecutionStatus::Failed;
        attempt.error = Some(problems.join("; "));
        cx.exec(id).stages[k].actions[a].latest = Some(attempt);
        cx.notify_action(id, k, a, ActionExecutionStatus::Failed);
        return;
    }
    let is_approval = action.action_type_id.category == ActionCategory::Approval;
    if is_approval {
        attempt.token = Some(cx.ids.next_id("approval-token"));
    }
    cx.exec(id).stages[k].actions[a].latest = Some(attempt);
    let kind = TimerKind::ActionTimeout { execution_id: id.to_string(), action_execution_id: attempt_id.clone() };
    cx.set_timer(timeout_timer(&attempt_id), deadline, kind);
    cx.notify_action(id, k, a, ActionExecutionStatus::InProgress);
    if is_approval {
        return;
    }
    let job = Job {
        id: attempt_id,
        kind: job_kind(&action.action_type_id),
        pipeline_name: declaration.name.clone(),
        pipeline_version: cx.state.executions[id].pipeline_version,
        execution_id: id.to_string(),
        stage: declaration.stages[k].name.clone(),
        action: action.name.clone(),
        action_type_id: action.action_type_id.clone(),
        configuration,
        commands,
        environment_variables,
        input_artifacts: inputs,
        output_artifacts: action.output_artifacts.clone(),
        output_variables: action.output_variables.clone().unwrap_or_default(),
        revision,
        deadline,
    };
    cx.effects.push(Effect::Dispatch(Box::new(job)));
}

/// The value of `#{namespace.name}` for an execution.
pub fn lookup(execution: &Execution, namespace: &str, name: &str) -> Option<String> {
    match namespace {
        PIPELINE_VARIABLES => execution.variables.get(name).cloned(),
        CODEPIPELINE if name == "PipelineExecutionId" => Some(execution.id.clone()),
        _ => execution.outputs.get(namespace)?.get(name).cloned(),
    }
}

fn job_kind(id: &ActionTypeId) -> JobKind {
    if id.owner == ActionOwner::Custom {
        return JobKind::Custom;
    }
    match id.category {
        ActionCategory::Source => JobKind::Source,
        ActionCategory::Build | ActionCategory::Test => JobKind::Build,
        ActionCategory::Compute => JobKind::Compute,
        ActionCategory::Deploy => JobKind::Deploy,
        ActionCategory::Invoke | ActionCategory::Approval => JobKind::Invoke,
    }
}
