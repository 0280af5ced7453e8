//! The AWS JSON 1.1 protocol at `POST /`: `X-Amz-Target: <Service>.<Operation>`,
//! a SigV4-signed JSON body in, JSON out. One module per service, one file
//! per group of operations; wire shapes are separate from domain types.

pub mod codebuild;
pub mod codecommit;
pub mod codepipeline;
pub mod error;
pub mod secretsmanager;
pub mod wire;

pub use error::AwsError;

use crate::auth::{self, Principal};
use crate::http::AppState;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri, header};
use axum::response::{IntoResponse, Response};

/// Handles one AWS protocol request.
pub async fn handle(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let started = std::time::Instant::now();
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok()).unwrap_or_default().to_string();
    let response = match route(&app, &method, &uri, &headers, &body, &target).await {
        Ok(value) => json_response(value),
        Err(error) => error.into_response(),
    };
    app.metrics.request(&target, response.status().as_u16(), started.elapsed());
    response
}

async fn route(
    app: &AppState,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    target: &str,
) -> Result<serde_json::Value, AwsError> {
    let Some((service, operation)) = target.split_once('.') else {
        return Err(AwsError::new("UnknownOperationException", "missing or malformed X-Amz-Target header"));
    };
    let principal: Principal = auth::authenticate(app, method, uri, headers, body).await?;
    let input: serde_json::Value = if body.is_empty() {
        serde_json::Value::Object(Default::default())
    } else {
        serde_json::from_slice(body)
            .map_err(|e| AwsError::new("SerializationException", format!("the request body is not valid JSON: {e}")))?
    };
    match service {
        "CodePipeline_20150709" => codepipeline::dispatch(app, &principal, operation, input).await,
        "secretsmanager" => secretsmanager::dispatch(app, &principal, operation, input).await,
        "CodeBuild_20161006" => codebuild::dispatch(app, &principal, operation, input).await,
        "CodeCommit_20150413" => codecommit::dispatch(app, &principal, headers, operation, input).await,
        _ => Err(AwsError::new("UnknownOperationException", format!("unknown service target {service}"))),
    }
}

fn json_response(value: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, "application/x-amz-json-1.1")], value.to_string()).into_response()
}
