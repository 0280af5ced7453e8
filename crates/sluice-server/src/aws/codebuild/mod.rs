//! `CodeBuild_20161006.*`: build projects, builds and test reports. Every
//! handler checks the caller's permission first, then its input; the data
//! lives in `crate::codebuild`.

mod builds;
mod projects;
mod reports;

use super::AwsError;
use crate::auth::Principal;
use crate::http::AppState;
use serde_json::Value;

pub async fn dispatch(app: &AppState, principal: &Principal, operation: &str, input: Value) -> Result<Value, AwsError> {
    match operation {
        "CreateProject" => projects::create(app, principal, input).await,
        "UpdateProject" => projects::update(app, principal, input).await,
        "DeleteProject" => projects::delete(app, principal, input).await,
        "BatchGetProjects" => projects::batch_get(app, principal, input).await,
        "ListProjects" => projects::list(app, principal, input).await,
        "BatchGetBuilds" => builds::batch_get(app, principal, input).await,
        "ListBuilds" => builds::list(app, principal, input).await,
        "ListBuildsForProject" => builds::list_for_project(app, principal, input).await,
        "StartBuild" => builds::start(app, principal, input).await,
        "StopBuild" => builds::stop(app, principal, input).await,
        "BatchGetReports" => reports::batch_get(app, principal, input).await,
        "DescribeTestCases" => reports::describe_test_cases(app, principal, input).await,
        "ListReportGroups" => reports::list_groups(app, principal, input).await,
        _ => Err(AwsError::new(
            "InvalidInputException",
            format!("CodeBuild operation {operation} is not supported by sluice"),
        )),
    }
}

fn invalid(message: impl Into<String>) -> AwsError {
    AwsError::new("InvalidInputException", message)
}

fn not_found(message: impl Into<String>) -> AwsError {
    AwsError::new("ResourceNotFoundException", message)
}

fn store_failure(error: sluice_store::Error) -> AwsError {
    match error {
        sluice_store::Error::InvalidToken => invalid("The next token is not valid"),
        error => {
            tracing::error!(error = %error, "a CodeBuild store operation failed");
            AwsError::internal("The server could not complete the request")
        }
    }
}

/// `sortOrder`: ASCENDING or DESCENDING (the default).
fn newest_first(sort_order: Option<&str>) -> Result<bool, AwsError> {
    match sort_order {
        None | Some("DESCENDING") => Ok(true),
        Some("ASCENDING") => Ok(false),
        Some(other) => Err(invalid(format!("sortOrder {other} is not ASCENDING or DESCENDING"))),
    }
}

/// Small listings (projects, report groups) are read whole, sorted as
/// asked and paged by position: the next token is the position, opaque.
fn page_by_position(keys: Vec<String>, next_token: Option<&str>, size: usize, field: &str) -> Result<Value, AwsError> {
    let start = match next_token {
        None => 0,
        Some(token) => crate::aws::wire::decode_token(token)
            .and_then(|t| t.parse::<usize>().ok())
            .ok_or_else(|| invalid("The next token is not valid"))?,
    };
    let page: Vec<&String> = keys.iter().skip(start).take(size).collect();
    let mut out = serde_json::json!({ field: page });
    if start + size < keys.len() {
        out["nextToken"] = serde_json::json!(crate::aws::wire::encode_token(&(start + size).to_string()));
    }
    Ok(out)
}

/// A batch's names or ids: 1 to 100 of them, duplicates dropped.
fn batch(items: Vec<String>, what: &str) -> Result<Vec<String>, AwsError> {
    if items.is_empty() || items.len() > 100 {
        return Err(invalid(format!("{what} must hold 1 to 100 items")));
    }
    let mut seen = std::collections::BTreeSet::new();
    Ok(items.into_iter().filter(|item| seen.insert(item.clone())).collect())
}
