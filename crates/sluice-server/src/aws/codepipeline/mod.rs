//! `CodePipeline_20150709.*`: one file per group of operations. Every
//! handler checks the caller's permission first, then its input.

mod pipelines;

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
        _ => Err(AwsError::new(
            "UnknownOperationException",
            format!("CodePipeline operation {operation} is not supported by sluice"),
        )),
    }
}
