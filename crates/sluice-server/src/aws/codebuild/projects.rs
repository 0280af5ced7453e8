//! CreateProject, UpdateProject, DeleteProject, BatchGetProjects, ListProjects.

use super::{batch, invalid, newest_first, not_found, page_by_position, store_failure};
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::input;
use crate::clock::now_ms;
use crate::codebuild::{PROJECT, arn, projects};
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_store::ResourceRow;

#[derive(Deserialize)]
struct Names {
    names: Vec<String>,
}

#[derive(Deserialize)]
struct Name {
    name: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    sort_by: Option<String>,
    sort_order: Option<String>,
    next_token: Option<String>,
}

pub async fn create(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "CreateProject")?;
    let Name { name } = input(body.clone())?;
    projects::check_name(&name).map_err(|e| invalid(e.0))?;
    let project_arn = arn::project(&principal.region, &app.account_id, &name);
    let project = projects::merge(None, &body, &project_arn).map_err(|e| invalid(e.0))?;
    let now = now_ms();
    let row = ResourceRow {
        kind: PROJECT.into(),
        key: name.clone(),
        parent: None,
        sort_at: now,
        counter: 0,
        body: project,
        created_at: now,
        updated_at: now,
    };
    match app.driver.store().insert_resource(&row).await {
        Ok(()) => Ok(json!({ "project": projects::wire(&row) })),
        Err(sluice_store::Error::NameInUse) => {
            Err(AwsError::new("ResourceAlreadyExistsException", format!("Project already exists: {}", project_arn)))
        }
        Err(e) => Err(store_failure(e)),
    }
}

pub async fn update(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "UpdateProject")?;
    let Name { name } = input(body.clone())?;
    let store = app.driver.store();
    let current = projects::load(store, &name).await.map_err(store_failure)?.ok_or_else(|| missing(&name))?;
    let project_arn = current.body["arn"].as_str().unwrap_or_default().to_owned();
    let project = projects::merge(Some(&current.body), &body, &project_arn).map_err(|e| invalid(e.0))?;
    let now = now_ms();
    match store.update_resource(PROJECT, &name, &project, now).await {
        Ok(()) => {
            let row = ResourceRow { body: project, updated_at: now, ..current };
            Ok(json!({ "project": projects::wire(&row) }))
        }
        Err(sluice_store::Error::NotFound) => Err(missing(&name)),
        Err(e) => Err(store_failure(e)),
    }
}

/// Deleting a project keeps its builds readable, as CodeBuild does.
pub async fn delete(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Administer, "DeleteProject")?;
    let Name { name } = input(body)?;
    match app.driver.store().delete_resource(PROJECT, &name).await {
        // CodeBuild answers a delete of a missing project with success.
        Ok(()) | Err(sluice_store::Error::NotFound) => Ok(json!({})),
        Err(e) => Err(store_failure(e)),
    }
}

pub async fn batch_get(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "BatchGetProjects")?;
    let Names { names } = input(body)?;
    let names = batch(names, "names")?;
    let store = app.driver.store();
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    for name in names {
        // A project may be named by its ARN as well.
        let key = name.rsplit_once(":project/").map_or(name.as_str(), |(_, n)| n).to_owned();
        match projects::load(store, &key).await.map_err(store_failure)? {
            Some(row) => found.push(projects::wire(&row)),
            None => missing.push(name),
        }
    }
    Ok(json!({ "projects": found, "projectsNotFound": missing }))
}

pub async fn list(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListProjects")?;
    let input: ListInput = input(body)?;
    let newest = newest_first(input.sort_order.as_deref())?;
    // Projects are few: read them all, sort as asked, page by position.
    let mut rows = app.driver.store().all_resources(PROJECT).await.map_err(store_failure)?;
    match input.sort_by.as_deref() {
        None | Some("NAME") => rows.sort_by(|a, b| a.key.cmp(&b.key)),
        Some("CREATED_TIME") => rows.sort_by_key(|r| (r.created_at, r.key.clone())),
        Some("LAST_MODIFIED_TIME") => rows.sort_by_key(|r| (r.updated_at, r.key.clone())),
        Some(other) => return Err(invalid(format!("sortBy {other} is not NAME, CREATED_TIME or LAST_MODIFIED_TIME"))),
    }
    // CodeBuild's default order is descending whatever the sort key.
    if newest {
        rows.reverse();
    }
    let names = rows.into_iter().map(|r| r.key).collect();
    page_by_position(names, input.next_token.as_deref(), 100, "projects")
}

fn missing(name: &str) -> AwsError {
    not_found(format!("Project cannot be found: {name}"))
}
