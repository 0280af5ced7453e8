//! GetBranch.

use super::{does_not_exist, io_failure, repository_name};
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::input;
use crate::git::repo::Repos;
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetInput {
    repository_name: Option<String>,
    branch_name: Option<String>,
}

pub async fn get(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "GetBranch")?;
    let request: GetInput = input(value)?;
    let name = repository_name(request.repository_name)?;
    let branch = request.branch_name.filter(|b| !b.is_empty()).ok_or_else(|| {
        AwsError::new("BranchNameRequiredException", "A branch name is required, but was not specified.")
    })?;
    if branch.chars().count() > 256 || branch.chars().any(char::is_control) {
        return Err(AwsError::new("InvalidBranchNameException", "The specified reference name is not valid."));
    }
    let repos = Repos::new(&app.data_dir);
    if !repos.exists(&name).await.map_err(|e| io_failure(&name, e))? {
        return Err(does_not_exist(&name));
    }
    let heads = repos.heads(&name).await.map_err(|e| io_failure(&name, e))?;
    let Some(commit) = heads.get(&branch) else {
        return Err(AwsError::new("BranchDoesNotExistException", format!("Branch {branch} does not exist in {name}")));
    };
    Ok(json!({ "branch": { "branchName": branch, "commitId": commit } }))
}
