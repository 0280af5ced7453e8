//! PutApprovalResult, ListActionExecutions, ListActionTypes.

use super::lookup::{self, Versions};
use super::state::error_details;
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::{self, check_length, check_name, input, timestamp};
use crate::clock::now_ms;
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_engine::{ActionAttempt, ApprovalDecision, ArtifactLocation, Event, Execution};
use sluice_model::providers::{BUILT_IN, Provider};
use sluice_model::{ActionDeclaration, ActionOwner, PipelineDeclaration};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ApprovalInput {
    pipeline_name: String,
    stage_name: String,
    action_name: String,
    result: ApprovalResult,
    token: String,
}

#[derive(Deserialize)]
struct ApprovalResult {
    summary: String,
    status: ApprovalDecision,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    pipeline_name: String,
    filter: Option<ActionExecutionFilter>,
    max_results: Option<i64>,
    next_token: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionExecutionFilter {
    pipeline_execution_id: Option<String>,
    latest_in_pipeline_execution: Option<LatestInPipelineExecution>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct LatestInPipelineExecution {
    pipeline_execution_id: String,
    start_time_range: StartTimeRange,
}

#[derive(Deserialize, Clone, Copy, PartialEq, Eq)]
enum StartTimeRange {
    Latest,
    All,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TypesInput {
    action_owner_filter: Option<String>,
    next_token: Option<String>,
    region_filter: Option<String>,
}

/// Executions read from the store at a time while listing action executions.
const EXECUTIONS_PER_READ: u32 = 20;

pub async fn put_approval_result(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Approve, "PutApprovalResult")?;
    let request: ApprovalInput = input(value)?;
    check_name("pipelineName", &request.pipeline_name)?;
    check_name("stageName", &request.stage_name)?;
    check_name("actionName", &request.action_name)?;
    check_length("result.summary", &request.result.summary, 0, 512)?;
    let event = Event::Approval {
        execution_id: None,
        stage: request.stage_name,
        action: request.action_name,
        token: request.token,
        decision: request.result.status,
        summary: request.result.summary,
        by: principal.arn(&app.account_id),
    };
    app.driver.submit(&request.pipeline_name, event).await?;
    Ok(json!({ "approvedAt": timestamp(now_ms()) }))
}

pub async fn list_executions(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListActionExecutions")?;
    let request: ListInput = input(value)?;
    check_name("pipelineName", &request.pipeline_name)?;
    let size = wire::page_size(request.max_results, 100, 100)? as usize;
    let mut position = match &request.next_token {
        Some(token) => Cursor::decode(token)?,
        None => Cursor::default(),
    };
    let (one, latest_only) = match request.filter {
        Some(ActionExecutionFilter { pipeline_execution_id: Some(id), .. }) => (Some(id), false),
        Some(ActionExecutionFilter { latest_in_pipeline_execution: Some(latest), .. }) => {
            (Some(latest.pipeline_execution_id), latest.start_time_range == StartTimeRange::Latest)
        }
        _ => (None, false),
    };
    let name = request.pipeline_name.as_str();
    let current = lookup::pipeline(app, name).await?;
    let mut versions = Versions::new(app, name).with(current.version, lookup::declaration_of(&current)?);
    let region = principal.region.as_str();
    let mut details = Vec::new();
    let next;
    if let Some(id) = one {
        let execution = lookup::execution(app, name, &id).await?;
        let declaration = versions.get(execution.pipeline_version).await?;
        let all = action_details(&execution, declaration, region, latest_only);
        let more = all.len() > position.skip + size;
        details.extend(all.into_iter().skip(position.skip).take(size));
        next = more.then(|| Cursor { store_token: None, skip: position.skip + size });
    } else {
        // Executions newest first, and each one's attempts newest first.
        loop {
            let page = app
                .driver
                .store()
                .list_executions(name, EXECUTIONS_PER_READ, position.store_token.as_deref())
                .await
                .map_err(|e| match e {
                    sluice_store::Error::InvalidToken => wire::invalid_next_token(),
                    other => lookup::store_error(other),
                })?;
            let mut read = Vec::new();
            for row in &page.items {
                let execution = lookup::execution_of(row)?;
                let declaration = versions.get(execution.pipeline_version).await?;
                read.extend(action_details(&execution, declaration, region, false));
            }
            let rest: Vec<Value> = read.into_iter().skip(position.skip).collect();
            let wanted = size - details.len();
            if rest.len() > wanted {
                details.extend(rest.into_iter().take(wanted));
                next = Some(Cursor { store_token: position.store_token, skip: position.skip + wanted });
                break;
            }
            details.extend(rest);
            match page.next_token {
                None => {
                    next = None;
                    break;
                }
                Some(token) => {
                    position = Cursor { store_token: Some(token), skip: 0 };
                    if details.len() == size {
                        next = Some(position);
                        break;
                    }
                }
            }
        }
    }
    let mut out = json!({ "actionExecutionDetails": details });
    if let Some(next) = next {
        out["nextToken"] = json!(next.encode());
    }
    Ok(out)
}

/// Where a listing of action executions goes on: the store's page of
/// executions it is in, and how many details of that page were shown.
#[derive(Debug, Default, PartialEq, Eq)]
struct Cursor {
    store_token: Option<String>,
    skip: usize,
}

impl Cursor {
    fn encode(&self) -> String {
        wire::encode_token(&format!("{}\n{}", self.skip, self.store_token.as_deref().unwrap_or_default()))
    }

    fn decode(token: &str) -> Result<Cursor, AwsError> {
        let text = wire::decode_token(token).ok_or_else(wire::invalid_next_token)?;
        let (skip, store_token) = text.split_once('\n').ok_or_else(wire::invalid_next_token)?;
        let skip = skip.parse().map_err(|_| wire::invalid_next_token())?;
        let store_token = Some(store_token.to_string()).filter(|t| !t.is_empty());
        Ok(Cursor { store_token, skip })
    }
}

/// The `ActionExecutionDetail`s of one execution, newest first: every
/// attempt of every action (or only the latest ones).
pub fn action_details(
    execution: &Execution,
    declaration: Option<&PipelineDeclaration>,
    region: &str,
    latest_only: bool,
) -> Vec<Value> {
    let mut attempts = Vec::new();
    for (k, stage) in execution.stages.iter().enumerate() {
        let stage_declaration = declaration.and_then(|d| d.stages.iter().find(|s| s.name == stage.name));
        for (a, action) in stage.actions.iter().enumerate() {
            let action_declaration = stage_declaration.and_then(|s| s.actions.iter().find(|x| x.name == action.name));
            let earlier = if latest_only { &[][..] } else { &action.history[..] };
            for (n, attempt) in earlier.iter().chain(action.latest.as_ref()).enumerate() {
                attempts.push((
                    (attempt.started_at, k, a, n),
                    stage.name.as_str(),
                    action,
                    action_declaration,
                    attempt,
                ));
            }
        }
    }
    attempts.sort_by_key(|x| std::cmp::Reverse(x.0));
    let bucket = artifact_bucket(declaration, region);
    attempts
        .into_iter()
        .map(|(_, stage, action, action_declaration, attempt)| {
            let mut out = json!({
                "pipelineExecutionId": execution.id,
                "actionExecutionId": attempt.id,
                "pipelineVersion": execution.pipeline_version,
                "stageName": stage,
                "actionName": action.name,
                "startTime": timestamp(attempt.started_at),
                "lastUpdateTime": timestamp(attempt.updated_at),
            });
            if let Some(by) = &attempt.updated_by {
                out["updatedBy"] = json!(by);
            }
            out["status"] = json!(attempt.status.as_str());
            let mut input = json!({
                "actionTypeId": action.action_type_id,
                "configuration": action_declaration.map(|d| json!(d.configuration)).unwrap_or_else(|| json!({})),
                "resolvedConfiguration": attempt.resolved_configuration,
            });
            let role =
                action_declaration.and_then(|d| d.role_arn.as_ref()).or(declaration.and_then(|d| d.role_arn.as_ref()));
            if let Some(role) = role {
                input["roleArn"] = json!(role);
            }
            input["region"] = json!(action_declaration.and_then(|d| d.region.as_deref()).unwrap_or(region));
            input["inputArtifacts"] = artifacts(&attempt.input_artifacts, &bucket);
            if let Some(namespace) = action_declaration.and_then(|d: &ActionDeclaration| d.namespace.as_ref()) {
                input["namespace"] = json!(namespace);
            }
            out["input"] = input;
            out["output"] = json!({
                "outputArtifacts": artifacts(&attempt.output_artifacts, &bucket),
                "executionResult": execution_result(attempt),
                "outputVariables": attempt.output_variables,
            });
            out
        })
        .collect()
}

fn execution_result(attempt: &ActionAttempt) -> Value {
    let mut out = json!({});
    if let Some(id) = &attempt.external_execution_id {
        out["externalExecutionId"] = json!(id);
    }
    if let Some(summary) = &attempt.summary {
        out["externalExecutionSummary"] = json!(summary);
    }
    if let Some(url) = &attempt.external_execution_url {
        out["externalExecutionUrl"] = json!(url);
    }
    if let Some(details) = error_details(attempt) {
        out["errorDetails"] = details;
    }
    out
}

/// The "bucket" artifacts are shown in: the declared artifact store.
fn artifact_bucket(declaration: Option<&PipelineDeclaration>, region: &str) -> String {
    let declared = declaration.and_then(|d| {
        d.artifact_store.as_ref().or_else(|| {
            let stores = d.artifact_stores.as_ref()?;
            stores.get(region).or_else(|| stores.values().next())
        })
    });
    declared.map_or_else(|| "sluice-artifacts".to_string(), |s| s.location.clone())
}

fn artifacts(locations: &[ArtifactLocation], bucket: &str) -> Value {
    locations
        .iter()
        .map(|l| json!({ "name": l.name, "s3location": { "bucket": bucket, "key": l.location } }))
        .collect::<Vec<_>>()
        .into()
}

pub async fn list_types(_app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListActionTypes")?;
    let request: TypesInput = input(value)?;
    let owner = match &request.action_owner_filter {
        Some(text) => Some(ActionOwner::parse(text).ok_or_else(|| {
            AwsError::validation(format!("{text} is not an action owner: expected AWS, ThirdParty or Custom"))
        })?),
        None => None,
    };
    if let Some(region) = &request.region_filter {
        // Every built-in provider runs in every region.
        check_length("regionFilter", region, 4, 30)?;
    }
    if request.next_token.is_some() {
        return Err(wire::invalid_next_token());
    }
    let types: Vec<Value> = BUILT_IN.iter().filter(|p| owner.is_none_or(|o| p.owner == o)).map(action_type).collect();
    Ok(json!({ "actionTypes": types }))
}

/// An `ActionType` from the provider table.
pub fn action_type(provider: &Provider) -> Value {
    let properties: Vec<Value> = provider
        .required
        .iter()
        .map(|k| (k, true))
        .chain(provider.optional.iter().map(|k| (k, false)))
        .map(|(name, required)| {
            let allowed = provider.allowed_values.iter().find(|(key, _)| key == name).map(|(_, values)| *values);
            let boolean = allowed == Some(&["true", "false"][..]);
            let mut property = json!({
                "name": name,
                "required": required,
                "key": true,
                "secret": false,
                "queryable": false,
            });
            if let Some(values) = allowed {
                let text = format!("One of: {}", values.join(", "));
                property["description"] = json!(text.chars().take(160).collect::<String>());
            }
            property["type"] = json!(if boolean { "Boolean" } else { "String" });
            property
        })
        .collect();
    json!({
        "id": provider.type_id(),
        "actionConfigurationProperties": properties,
        "inputArtifactDetails": { "minimumCount": provider.inputs.0, "maximumCount": provider.inputs.1 },
        "outputArtifactDetails": { "minimumCount": provider.outputs.0, "maximumCount": provider.outputs.1 },
    })
}

#[cfg(test)]
mod tests {
    use super::super::executions::tests::{declaration, execution};
    use super::*;
    use sluice_engine::{ActionRun, StageRun};
    use sluice_model::status::{ActionExecutionStatus, PipelineExecutionStatus, StageExecutionStatus};
    use std::collections::BTreeMap;

    fn attempt(id: &str, started_at: i64, status: ActionExecutionStatus) -> ActionAttempt {
        ActionAttempt {
            id: id.into(),
            status,
            started_at,
            updated_at: started_at + 1_000,
            deadline: started_at + 60_000,
            token: None,
            resolved_configuration: BTreeMap::new(),
            resolved_commands: None,
            input_artifacts: Vec::new(),
            output_artifacts: Vec::new(),
            output_variables: BTreeMap::new(),
            summary: None,
            external_execution_id: None,
            external_execution_url: None,
            error: None,
            updated_by: None,
        }
    }

    fn ran() -> Execution {
        let declaration = declaration();
        let mut execution = execution(PipelineExecutionStatus::Succeeded);
        let mut source = attempt("src-1", 1_000, ActionExecutionStatus::Succeeded);
        source.resolved_configuration =
            BTreeMap::from([("RepositoryName".into(), "app".into()), ("BranchName".into(), "main".into())]);
        source.output_artifacts =
            vec![ArtifactLocation { name: "SourceOut".into(), location: "app/e-1/SourceOut/src-1.zip".into() }];
        source.external_execution_id = Some("abc123".into());
        execution.stages[0].actions.push(ActionRun {
            name: "Src".into(),
            run_order: 1,
            action_type_id: declaration.stages[0].actions[0].action_type_id.clone(),
            latest: Some(source),
            history: Vec::new(),
        });
        let mut failed = attempt("build-1", 2_000, ActionExecutionStatus::Failed);
        failed.error = Some("exit status 1".into());
        let mut retried = attempt("build-2", 5_000, ActionExecutionStatus::Succeeded);
        retried.input_artifacts =
            vec![ArtifactLocation { name: "SourceOut".into(), location: "app/e-1/SourceOut/src-1.zip".into() }];
        retried.output_variables = BTreeMap::from([("VERSION".into(), "v1".into())]);
        execution.stages.push(StageRun {
            name: "Build".into(),
            status: Some(StageExecutionStatus::Succeeded),
            actions: vec![ActionRun {
                name: "Compile".into(),
                run_order: 1,
                action_type_id: declaration.stages[1].actions[0].action_type_id.clone(),
                latest: Some(retried),
                history: vec![failed],
            }],
            attempts: 2,
            auto_retries: 0,
        });
        execution
    }

    #[test]
    fn every_attempt_is_listed_newest_first() {
        let declaration = declaration();
        let details = action_details(&ran(), Some(&declaration), "eu-west-1", false);
        let ids: Vec<&str> = details.iter().map(|d| d["actionExecutionId"].as_str().unwrap()).collect();
        assert_eq!(ids, ["build-2", "build-1", "src-1"]);
        assert_eq!(details[1]["output"]["executionResult"]["errorDetails"]["message"], "exit status 1");
        assert_eq!(
            details[0]["input"]["inputArtifacts"],
            json!([{
                "name": "SourceOut",
                "s3location": {"bucket": "sluice-artifacts", "key": "app/e-1/SourceOut/src-1.zip"},
            }])
        );
        assert_eq!(details[0]["output"]["outputVariables"], json!({"VERSION": "v1"}));
        let source = &details[2];
        assert_eq!(source["input"]["configuration"], json!({"BranchName": "main", "RepositoryName": "app"}));
        assert_eq!(source["input"]["resolvedConfiguration"]["BranchName"], "main");
        assert_eq!(source["input"]["region"], "eu-west-1");
        assert_eq!(
            source["input"]["actionTypeId"],
            json!({"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"})
        );
        let latest = action_details(&ran(), Some(&declaration), "eu-west-1", true);
        assert_eq!(latest.len(), 2);
    }

    #[test]
    fn cursors_round_trip() {
        let cursor = Cursor { store_token: Some("17:abc".into()), skip: 3 };
        assert_eq!(Cursor::decode(&cursor.encode()).unwrap(), cursor);
        let first = Cursor { store_token: None, skip: 100 };
        assert_eq!(Cursor::decode(&first.encode()).unwrap(), first);
        assert_eq!(Cursor::decode("garbage").unwrap_err().type_name, "InvalidNextTokenException");
        assert!(Cursor::decode(&wire::encode_token("x\n")).is_err());
    }

    #[test]
    fn action_types_come_from_the_provider_table() {
        let codecommit = BUILT_IN.iter().find(|p| p.provider == "CodeCommit").unwrap();
        let out = action_type(codecommit);
        assert_eq!(out["id"], json!({"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"}));
        assert_eq!(out["outputArtifactDetails"], json!({"minimumCount": 1, "maximumCount": 1}));
        let properties = out["actionConfigurationProperties"].as_array().unwrap();
        assert_eq!(
            properties[0],
            json!({"name": "RepositoryName", "required": true, "key": true, "secret": false, "queryable": false,
                   "type": "String"})
        );
        let poll = properties.iter().find(|p| p["name"] == "PollForSourceChanges").unwrap();
        assert_eq!(poll["required"], false);
        assert_eq!(poll["type"], "Boolean");
        assert_eq!(poll["description"], "One of: true, false");
        for provider in BUILT_IN {
            let out = action_type(provider);
            for property in out["actionConfigurationProperties"].as_array().unwrap() {
                assert!(property["description"].as_str().is_none_or(|d| d.chars().count() <= 160));
            }
        }
    }
}
