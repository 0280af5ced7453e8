//! `CodePipeline_20150709.*`: one file per group of operations. Every
//! handler checks the caller's permission first, then its input.

mod actions;
mod executions;
mod lookup;
mod pipelines;
mod stages;
mod state;
mod tags;

use super::AwsError;
use crate::auth::Principal;
use crate::http::AppState;
use serde_json::Value;

pub async fn dispatch(app: &AppState, principal: &Principal, operation: &str, input: Value) -> Result<Value, AwsError> {
    match operation {
        "CreatePipeline" => pipelines::create(app, principal, input).await,
        "GetPipeline" => pipelines::get(app, principal, input).await,
        "UpdatePipeline" => pipelines::update(app, principal, input).await,
        "DeletePipeline" => pipelines::delete(app, principal, input).await,
        "ListPipelines" => pipelines::list(app, principal, input).await,
        "StartPipelineExecution" => executions::start(app, principal, input).await,
        "StopPipelineExecution" => executions::stop(app, principal, input).await,
        "GetPipelineExecution" => executions::get(app, principal, input).await,
        "ListPipelineExecutions" => executions::list(app, principal, input).await,
        "GetPipelineState" => state::get(app, principal, input).await,
        "PutApprovalResult" => actions::put_approval_result(app, principal, input).await,
        "ListActionExecutions" => actions::list_executions(app, principal, input).await,
        "ListActionTypes" => actions::list_types(app, principal, input).await,
        "RetryStageExecution" => stages::retry(app, principal, input).await,
        "RollbackStage" => stages::rollback(app, principal, input).await,
        "EnableStageTransition" => stages::enable_transition(app, principal, input).await,
        "DisableStageTransition" => stages::disable_transition(app, principal, input).await,
        "TagResource" => tags::tag(app, principal, input).await,
        "UntagResource" => tags::untag(app, principal, input).await,
        "ListTagsForResource" => tags::list(app, principal, input).await,
        _ => Err(AwsError::new(
            "UnknownOperationException",
            format!("CodePipeline operation {operation} is not supported by sluice"),
        )),
    }
}
