//! BatchGetBuilds, ListBuilds, ListBuildsForProject, StartBuild, StopBuild.
//!
//! Builds of pipeline actions are created when their job is claimed (see
//! `crate::codebuild::jobs`). `StartBuild` runs a project outside any
//! pipeline; such a project has no source (`NO_SOURCE`) and an inline
//! buildspec, as in CodeBuild a `CODEPIPELINE` project builds only inside a
//! pipeline.

use super::{batch, invalid, newest_first, not_found, store_failure};
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::{decode_token, encode_token, input};
use crate::clock::now_ms;
use crate::codebuild::{BUILD, builds, jobs, projects};
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_engine::{Job, JobKind};
use sluice_model::{ActionCategory, ActionOwner, ActionTypeId};
use sluice_protocol::{Assignment, ProjectVariable, ProjectVariableType};
use sluice_store::ResourceQuery;

#[derive(Deserialize)]
struct Ids {
    ids: Vec<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    sort_order: Option<String>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListForProjectInput {
    project_name: String,
    sort_order: Option<String>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
struct StopInput {
    id: String,
}

/// What `StartBuild` takes; anything else it could carry is refused by
/// name rather than ignored.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct StartInput {
    project_name: String,
    buildspec_override: Option<String>,
    #[serde(default)]
    environment_variables_override: Vec<VariableOverride>,
    timeout_in_minutes_override: Option<u32>,
    source_type_override: Option<String>,
    idempotency_token: Option<String>,
    /// Recorded on the build; sluice runs on the agent's host whatever the image.
    image_override: Option<String>,
    compute_type_override: Option<String>,
    environment_type_override: Option<String>,
}

#[derive(Deserialize)]
struct VariableOverride {
    name: String,
    value: String,
    #[serde(rename = "type")]
    variable_type: Option<String>,
}

pub async fn batch_get(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "BatchGetBuilds")?;
    let Ids { ids } = input(body)?;
    let ids = batch(ids, "ids")?;
    let store = app.driver.store();
    let (mut found, mut missing) = (Vec::new(), Vec::new());
    for id in ids {
        // A build may be named by its ARN as well.
        let key = id.rsplit_once(":build/").map_or(id.as_str(), |(_, k)| k).to_owned();
        match store.get_resource(BUILD, &key).await.map_err(store_failure)? {
            Some(row) => found.push(builds::wire(&row)),
            None => missing.push(id),
        }
    }
    Ok(json!({ "builds": found, "buildsNotFound": missing }))
}

pub async fn list(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListBuilds")?;
    let input: ListInput = input(body)?;
    list_ids(app, None, input.sort_order.as_deref(), input.next_token.as_deref()).await
}

pub async fn list_for_project(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListBuildsForProject")?;
    let input: ListForProjectInput = input(body)?;
    let store = app.driver.store();
    if projects::load(store, &input.project_name).await.map_err(store_failure)?.is_none() {
        return Err(not_found(format!("Project cannot be found: {}", input.project_name)));
    }
    list_ids(app, Some(&input.project_name), input.sort_order.as_deref(), input.next_token.as_deref()).await
}

async fn list_ids(
    app: &AppState,
    project: Option<&str>,
    sort_order: Option<&str>,
    next_token: Option<&str>,
) -> Result<Value, AwsError> {
    let query = ResourceQuery { kind: BUILD, parent: project, newest_first: newest_first(sort_order)? };
    let token = match next_token {
        Some(token) => Some(decode_token(token).ok_or_else(|| invalid("The next token is not valid"))?),
        None => None,
    };
    let page = app.driver.store().list_resources(&query, 100, token.as_deref()).await.map_err(store_failure)?;
    let ids: Vec<&str> = page.items.iter().map(|row| row.key.as_str()).collect();
    let mut out = json!({ "ids": ids });
    if let Some(next) = page.next_token {
        out["nextToken"] = json!(encode_token(&next));
    }
    Ok(out)
}

pub async fn start(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Operate, "StartBuild")?;
    let input: StartInput =
        serde_json::from_value(body).map_err(|e| invalid(format!("invalid StartBuild request: {e}")))?;
    let _ = (&input.idempotency_token, &input.compute_type_override, &input.environment_type_override);
    // A build reads every secret (its buildspec names them only when it
    // runs): choosing what it runs is an admin's decision, as is its project.
    let secret_override = input
        .environment_variables_override
        .iter()
        .any(|v| v.variable_type.as_deref().is_some_and(|t| t != "PLAINTEXT"));
    if input.buildspec_override.is_some() || secret_override {
        principal.require(Permission::Administer, "StartBuild with buildspecOverride or secret variables")?;
    }
    let store = app.driver.store();
    let row = projects::load(store, &input.project_name)
        .await
        .map_err(store_failure)?
        .ok_or_else(|| not_found(format!("Project cannot be found: {}", input.project_name)))?;
    let source_type = input.source_type_override.as_deref().or(row.body["source"]["type"].as_str()).unwrap_or_default();
    if source_type != "NO_SOURCE" {
        return Err(invalid(format!(
            "project {} has source type {source_type}: it builds only inside a pipeline \
             (StartBuild runs NO_SOURCE projects)",
            input.project_name
        )));
    }
    let mut project = projects::for_runner(&row.body);
    if let Some(buildspec) = input.buildspec_override.filter(|b| !b.trim().is_empty()) {
        project.buildspec = Some(buildspec);
    }
    if project.buildspec.is_none() {
        return Err(invalid("a NO_SOURCE project needs an inline buildspec (source.buildspec or buildspecOverride)"));
    }
    for variable in input.environment_variables_override {
        let variable_type = match variable.variable_type.as_deref() {
            None | Some("PLAINTEXT") => ProjectVariableType::Plaintext,
            Some("PARAMETER_STORE") => ProjectVariableType::ParameterStore,
            Some("SECRETS_MANAGER") => ProjectVariableType::SecretsManager,
            Some(other) => return Err(invalid(format!("environment variable type {other} is not supported"))),
        };
        project.environment_variables.retain(|v| v.name != variable.name);
        project.environment_variables.push(ProjectVariable {
            name: variable.name,
            value: variable.value,
            variable_type,
        });
    }
    if let Some(minutes) = input.timeout_in_minutes_override {
        if !(5..=2160).contains(&minutes) {
            return Err(invalid("timeoutInMinutesOverride must be from 5 to 2160"));
        }
        project.timeout_in_minutes = minutes;
    }
    if let Some(image) = input.image_override {
        project.image = Some(image);
    }

    let now = now_ms();
    let job_id = uuid::Uuid::new_v4().to_string();
    let identity = builds::begin(store, &row, &job_id, &principal.user, now, now).await.map_err(store_failure)?;
    let job = Job {
        id: job_id,
        kind: JobKind::Build,
        pipeline_name: String::new(),
        pipeline_version: 0,
        execution_id: identity.id.clone(),
        stage: String::new(),
        action: project.name.clone(),
        action_type_id: ActionTypeId {
            category: ActionCategory::Build,
            owner: ActionOwner::Aws,
            provider: "CodeBuild".into(),
            version: "1".into(),
        },
        configuration: [("ProjectName".to_owned(), project.name.clone())].into(),
        commands: None,
        environment_variables: vec![],
        input_artifacts: vec![],
        output_artifacts: vec![],
        output_variables: vec![],
        revision: None,
        deadline: now + i64::from(project.timeout_in_minutes) * 60_000,
    };
    let assignment = Assignment {
        job,
        lease_token: 0,
        lease_ms: 0,
        project: Some(project),
        build: Some(identity.clone()),
        secrets: crate::secrets::all(store, app.driver.cipher()).await.map_err(store_failure)?,
    };
    builds::mark_standalone(store, &identity.id, now).await.map_err(store_failure)?;
    let driver = app.driver.clone();
    let build_id = identity.id.clone();
    tokio::spawn(async move {
        // Shut down first: the marker stays, and the next start ends the build.
        let Some(outcome) = driver.run_standalone(&assignment).await else { return };
        jobs::record(driver.store(), &assignment.job, &outcome, now_ms()).await;
        builds::unmark_standalone(driver.store(), &build_id).await;
    });
    let row = store
        .get_resource(BUILD, &identity.id)
        .await
        .map_err(store_failure)?
        .ok_or_else(|| not_found("the build vanished"))?;
    Ok(json!({ "build": builds::wire(&row) }))
}

pub async fn stop(app: &AppState, principal: &Principal, body: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Operate, "StopBuild")?;
    let StopInput { id } = input(body)?;
    let store = app.driver.store();
    let key = id.rsplit_once(":build/").map_or(id.as_str(), |(_, k)| k).to_owned();
    let row = store
        .get_resource(BUILD, &key)
        .await
        .map_err(store_failure)?
        .ok_or_else(|| not_found(format!("Build cannot be found: {id}")))?;
    if row.body["buildComplete"] != json!(true) {
        let job_id = builds::job_id(&row).unwrap_or_default().to_owned();
        if !app.driver.cancel_standalone(&job_id) {
            return Err(invalid(format!(
                "build {key} is not running on this server; stop its pipeline execution to stop it"
            )));
        }
    }
    Ok(json!({ "build": builds::wire(&row) }))
}
