//! RetryStageExecution, RollbackStage, EnableStageTransition,
//! DisableStageTransition.

use super::lookup;
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::{check_length, check_name, input};
use crate::driver;
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_engine::{Event, Rejection, RetryMode};
use sluice_model::PipelineDeclaration;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RetryInput {
    pipeline_name: String,
    stage_name: String,
    pipeline_execution_id: String,
    retry_mode: RetryMode,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RollbackInput {
    pipeline_name: String,
    stage_name: String,
    target_pipeline_execution_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TransitionInput {
    pipeline_name: String,
    stage_name: String,
    transition_type: TransitionType,
    reason: Option<String>,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
enum TransitionType {
    Inbound,
    Outbound,
}

pub async fn retry(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Operate, "RetryStageExecution")?;
    let request: RetryInput = input(value)?;
    check_name("pipelineName", &request.pipeline_name)?;
    check_name("stageName", &request.stage_name)?;
    let event = Event::Retry {
        execution_id: request.pipeline_execution_id.clone(),
        stage: request.stage_name,
        mode: request.retry_mode,
        by: principal.arn(&app.account_id),
    };
    match app.driver.submit(&request.pipeline_name, event).await {
        Ok(_) => Ok(json!({ "pipelineExecutionId": request.pipeline_execution_id })),
        // Not in the state: history now, or never an execution of this pipeline.
        Err(driver::Error::Rejected(rejection @ Rejection::NotLatest(_))) => {
            match lookup::stored_execution(app, &request.pipeline_name, &request.pipeline_execution_id).await? {
                Some(_) => Err(rejection.into()),
                None => Err(lookup::execution_not_found(&request.pipeline_name, &request.pipeline_execution_id)),
            }
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn rollback(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Operate, "RollbackStage")?;
    let request: RollbackInput = input(value)?;
    check_name("pipelineName", &request.pipeline_name)?;
    check_name("stageName", &request.stage_name)?;
    lookup::pipeline(app, &request.pipeline_name).await?;
    let target = lookup::execution(app, &request.pipeline_name, &request.target_pipeline_execution_id).await?;
    let id = uuid::Uuid::new_v4().to_string();
    let event = Event::Rollback {
        stage: request.stage_name,
        target: Box::new(target),
        new_execution_id: id.clone(),
        by: principal.arn(&app.account_id),
        automatic: false,
    };
    app.driver.submit(&request.pipeline_name, event).await?;
    Ok(json!({ "pipelineExecutionId": id }))
}

pub async fn enable_transition(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Operate, "EnableStageTransition")?;
    set_transition(app, principal, input(value)?, true).await
}

pub async fn disable_transition(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Operate, "DisableStageTransition")?;
    set_transition(app, principal, input(value)?, false).await
}

async fn set_transition(
    app: &AppState,
    principal: &Principal,
    request: TransitionInput,
    enabled: bool,
) -> Result<Value, AwsError> {
    check_name("pipelineName", &request.pipeline_name)?;
    check_name("stageName", &request.stage_name)?;
    let reason = if enabled {
        None
    } else {
        let reason =
            request.reason.ok_or_else(|| AwsError::validation("A reason is required to disable a transition"))?;
        check_reason(&reason)?;
        Some(reason)
    };
    let row = lookup::pipeline(app, &request.pipeline_name).await?;
    let declaration = lookup::declaration_of(&row)?;
    let stage = gated_stage(&declaration, &request.stage_name, request.transition_type)?;
    let event = Event::SetTransition { stage, enabled, reason, by: principal.arn(&app.account_id) };
    app.driver.submit(&request.pipeline_name, event).await?;
    Ok(json!({}))
}

/// The stage whose inbound gate a transition is: a stage's outbound
/// transition is the next stage's inbound one (one gate between two stages).
fn gated_stage(declaration: &PipelineDeclaration, stage: &str, kind: TransitionType) -> Result<String, AwsError> {
    let k = declaration.stages.iter().position(|s| s.name == stage).ok_or_else(|| {
        AwsError::new("StageNotFoundException", format!("Stage {stage} was not found in pipeline {}", declaration.name))
    })?;
    match kind {
        TransitionType::Inbound => Ok(stage.to_string()),
        TransitionType::Outbound => declaration.stages.get(k + 1).map(|s| s.name.clone()).ok_or_else(|| {
            AwsError::validation(format!("{stage} is the last stage of the pipeline: it has no outbound transition"))
        }),
    }
}

/// `DisabledReason`: 1 to 300 of `[a-zA-Z0-9!@ \(\)\.\*\?\-]`.
fn check_reason(reason: &str) -> Result<(), AwsError> {
    check_length("reason", reason, 1, 300)?;
    if let Some(c) = reason.chars().find(|c| !(c.is_ascii_alphanumeric() || "!@ ().*?-".contains(*c))) {
        return Err(AwsError::validation(format!(
            "The reason may contain only letters, digits, spaces and !@().*?- (found {c:?})"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::super::executions::tests::declaration;
    use super::*;

    #[test]
    fn an_outbound_transition_is_the_next_stages_inbound_one() {
        let declaration = declaration();
        assert_eq!(gated_stage(&declaration, "Source", TransitionType::Outbound).unwrap(), "Build");
        assert_eq!(gated_stage(&declaration, "Source", TransitionType::Inbound).unwrap(), "Source");
        assert_eq!(gated_stage(&declaration, "Build", TransitionType::Inbound).unwrap(), "Build");
        let last = gated_stage(&declaration, "Build", TransitionType::Outbound).unwrap_err();
        assert_eq!(last.type_name, "ValidationException");
        let missing = gated_stage(&declaration, "Deploy", TransitionType::Inbound).unwrap_err();
        assert_eq!(missing.type_name, "StageNotFoundException");
    }

    #[test]
    fn reasons_follow_the_model_pattern() {
        assert!(check_reason("Release freeze (until Monday!) - ask @ops?").is_ok());
        assert!(check_reason("").is_err());
        assert!(check_reason("no; semicolons").is_err());
        assert!(check_reason(&"x".repeat(301)).is_err());
    }
}
