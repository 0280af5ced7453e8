//! `CodeCommit_20150413.*`: the repositories sluice hosts (see `crate::git`
//! for the repositories themselves and git over HTTP). Every handler checks
//! the caller's permission first, then its input.

mod branches;
mod repositories;

use super::AwsError;
use crate::auth::Principal;
use crate::git::repo;
use crate::http::AppState;
use axum::http::HeaderMap;
use serde_json::Value;

pub async fn dispatch(
    app: &AppState,
    principal: &Principal,
    headers: &HeaderMap,
    operation: &str,
    input: Value,
) -> Result<Value, AwsError> {
    match operation {
        "CreateRepository" => repositories::create(app, principal, headers, input).await,
        "GetRepository" => repositories::get(app, principal, headers, input).await,
        "ListRepositories" => repositories::list(app, principal, input).await,
        "DeleteRepository" => repositories::delete(app, principal, input).await,
        "GetBranch" => branches::get(app, principal, input).await,
        _ => Err(AwsError::new(
            "UnknownOperationException",
            format!("CodeCommit operation {operation} is not supported by sluice"),
        )),
    }
}

/// A `repositoryName` input: present and valid.
fn repository_name(name: Option<String>) -> Result<String, AwsError> {
    let name = name.filter(|n| !n.is_empty()).ok_or_else(|| {
        AwsError::new("RepositoryNameRequiredException", "A repository name is required, but was not specified.")
    })?;
    repo::check_name(&name).map_err(|why| AwsError::new("InvalidRepositoryNameException", format!("{name}: {why}")))?;
    Ok(name)
}

fn does_not_exist(name: &str) -> AwsError {
    AwsError::new("RepositoryDoesNotExistException", format!("{name} does not exist"))
}

/// A repository that could not be read or written: logged, and an internal
/// error for the caller.
fn io_failure(name: &str, error: std::io::Error) -> AwsError {
    tracing::error!(repository = name, error = %error, "a repository operation failed");
    AwsError::internal("The server could not complete the request")
}
