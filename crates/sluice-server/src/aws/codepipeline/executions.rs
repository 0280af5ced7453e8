//! StartPipelineExecution, StopPipelineExecution, GetPipelineExecution,
//! ListPipelineExecutions.

use super::lookup::{self, Versions};
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::{self, check_length, check_name, input, timestamp};
use crate::driver::{self, StartArgs};
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_engine::{Event, Execution, ExecutionType, Rejection};
use sluice_model::status::{PipelineExecutionStatus, StageExecutionStatus};
use sluice_model::{ActionCategory, ActionTypeId, PipelineDeclaration};
use std::collections::BTreeMap;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StartInput {
    name: String,
    #[serde(default)]
    variables: Vec<PipelineVariable>,
    client_request_token: Option<String>,
    #[serde(default)]
    source_revisions: Vec<SourceRevisionOverride>,
}

#[derive(Deserialize)]
struct PipelineVariable {
    name: String,
    value: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SourceRevisionOverride {
    action_name: String,
    revision_type: RevisionType,
    revision_value: String,
}

#[derive(Deserialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
enum RevisionType {
    CommitId,
    ImageDigest,
    S3ObjectVersionId,
    S3ObjectKey,
}

impl RevisionType {
    fn as_str(self) -> &'static str {
        match self {
            RevisionType::CommitId => "COMMIT_ID",
            RevisionType::ImageDigest => "IMAGE_DIGEST",
            RevisionType::S3ObjectVersionId => "S3_OBJECT_VERSION_ID",
            RevisionType::S3ObjectKey => "S3_OBJECT_KEY",
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct StopInput {
    pipeline_name: String,
    pipeline_execution_id: String,
    #[serde(default)]
    abandon: bool,
    reason: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GetInput {
    pipeline_name: String,
    pipeline_execution_id: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListInput {
    pipeline_name: String,
    max_results: Option<i64>,
    next_token: Option<String>,
    filter: Option<ListFilter>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ListFilter {
    succeeded_in_stage: Option<SucceededInStage>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SucceededInStage {
    stage_name: Option<String>,
}

pub async fn start(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Operate, "StartPipelineExecution")?;
    let request: StartInput = input(value)?;
    check_name("name", &request.name)?;
    if let Some(token) = &request.client_request_token {
        check_length("clientRequestToken", token, 1, 128)?;
        if !token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return Err(AwsError::validation("clientRequestToken may contain only letters, digits and hyphens"));
        }
    }
    let variables = variables(&request.variables)?;
    let row = lookup::pipeline(app, &request.name).await?;
    let declaration = lookup::declaration_of(&row)?;
    let source_revisions = source_revisions(&declaration, &request.source_revisions)?;
    let args = StartArgs {
        trigger_type: "StartPipelineExecution".into(),
        trigger_detail: principal.arn(&app.account_id),
        variables,
        source_revisions,
        client_request_token: request.client_request_token,
    };
    let id = app.driver.start_execution(&request.name, args).await?;
    Ok(json!({ "pipelineExecutionId": id }))
}

/// `variables` as the engine takes them: unique names, values within bounds.
fn variables(list: &[PipelineVariable]) -> Result<BTreeMap<String, String>, AwsError> {
    if list.len() > 50 {
        return Err(AwsError::validation("At most 50 variables can be given"));
    }
    let mut variables = BTreeMap::new();
    for variable in list {
        check_length("variables.name", &variable.name, 1, 128)?;
        if !variable.name.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '@' | '-' | '_')) {
            return Err(AwsError::validation(format!("{} is not a valid variable name", variable.name)));
        }
        check_length("variables.value", &variable.value, 1, 1000)?;
        if variables.insert(variable.name.clone(), variable.value.clone()).is_some() {
            return Err(AwsError::validation(format!("The variable {} is given more than once", variable.name)));
        }
    }
    Ok(variables)
}

/// `sourceRevisions` by action name, each naming a source action of the
/// pipeline with a revision type its provider has.
fn source_revisions(
    declaration: &PipelineDeclaration,
    list: &[SourceRevisionOverride],
) -> Result<BTreeMap<String, String>, AwsError> {
    let mut revisions = BTreeMap::new();
    for revision in list {
        check_length("sourceRevisions.revisionValue", &revision.revision_value, 1, 1500)?;
        let action = declaration
            .stages
            .iter()
            .flat_map(|s| &s.actions)
            .find(|a| a.name == revision.action_name && a.action_type_id.category == ActionCategory::Source)
            .ok_or_else(|| {
                AwsError::validation(format!("{} is not a source action of the pipeline", revision.action_name))
            })?;
        let allowed = revision_types(&action.action_type_id);
        if !allowed.contains(&revision.revision_type) {
            return Err(AwsError::validation(format!(
                "The revision type {} does not apply to the {} action {}",
                revision.revision_type.as_str(),
                action.action_type_id.provider,
                action.name
            )));
        }
        if revisions.insert(revision.action_name.clone(), revision.revision_value.clone()).is_some() {
            return Err(AwsError::validation(format!("{} has more than one source revision", revision.action_name)));
        }
    }
    Ok(revisions)
}

fn revision_types(id: &ActionTypeId) -> &'static [RevisionType] {
    match id.provider.as_str() {
        "S3" => &[RevisionType::S3ObjectVersionId, RevisionType::S3ObjectKey],
        "ECR" => &[RevisionType::ImageDigest],
        _ => &[RevisionType::CommitId],
    }
}

pub async fn stop(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Operate, "StopPipelineExecution")?;
    let request: StopInput = input(value)?;
    check_name("pipelineName", &request.pipeline_name)?;
    if let Some(reason) = &request.reason {
        check_length("reason", reason, 0, 200)?;
    }
    let event = Event::Stop {
        execution_id: request.pipeline_execution_id.clone(),
        abandon: request.abandon,
        reason: request.reason.filter(|r| !r.is_empty()),
        by: principal.arn(&app.account_id),
    };
    match app.driver.submit(&request.pipeline_name, event).await {
        Ok(_) => Ok(json!({ "pipelineExecutionId": request.pipeline_execution_id })),
        // Not in the state: it has ended, or it never was.
        Err(driver::Error::Rejected(rejection @ Rejection::NotStoppable(_))) => {
            match lookup::stored_execution(app, &request.pipeline_name, &request.pipeline_execution_id).await? {
                Some(_) => Err(rejection.into()),
                None => Err(lookup::execution_not_found(&request.pipeline_name, &request.pipeline_execution_id)),
            }
        }
        Err(e) => Err(e.into()),
    }
}

pub async fn get(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "GetPipelineExecution")?;
    let request: GetInput = input(value)?;
    check_name("pipelineName", &request.pipeline_name)?;
    let current = lookup::pipeline(app, &request.pipeline_name).await?;
    let execution = lookup::execution(app, &request.pipeline_name, &request.pipeline_execution_id).await?;
    let mut versions =
        Versions::new(app, &request.pipeline_name).with(current.version, lookup::declaration_of(&current)?);
    let declaration = versions.get(execution.pipeline_version).await?;
    Ok(json!({ "pipelineExecution": pipeline_execution(&execution, declaration) }))
}

pub async fn list(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "ListPipelineExecutions")?;
    let request: ListInput = input(value)?;
    check_name("pipelineName", &request.pipeline_name)?;
    let size = wire::page_size(request.max_results, 100, 100)?;
    let succeeded_in = request.filter.and_then(|f| f.succeeded_in_stage).and_then(|s| s.stage_name);
    if let Some(stage) = &succeeded_in {
        check_name("filter.succeededInStage.stageName", stage)?;
    }
    let current = lookup::pipeline(app, &request.pipeline_name).await?;
    let page =
        app.driver.store().list_executions(&request.pipeline_name, size, request.next_token.as_deref()).await.map_err(
            |e| match e {
                sluice_store::Error::InvalidToken => wire::invalid_next_token(),
                other => lookup::store_error(other),
            },
        )?;
    let mut versions =
        Versions::new(app, &request.pipeline_name).with(current.version, lookup::declaration_of(&current)?);
    let mut summaries = Vec::new();
    for row in &page.items {
        let execution = lookup::execution_of(row)?;
        if let Some(stage) = &succeeded_in {
            let succeeded =
                execution.stages.iter().any(|s| &s.name == stage && s.status == Some(StageExecutionStatus::Succeeded));
            if !succeeded {
                continue;
            }
        }
        let declaration = versions.get(execution.pipeline_version).await?;
        summaries.push(summary(&execution, declaration));
    }
    let mut out = json!({ "pipelineExecutionSummaries": summaries });
    if let Some(token) = page.next_token {
        out["nextToken"] = json!(token);
    }
    Ok(out)
}

/// A `PipelineExecution`. `declaration` is the version the execution runs.
pub fn pipeline_execution(execution: &Execution, declaration: Option<&PipelineDeclaration>) -> Value {
    let mut out = json!({
        "pipelineName": execution.pipeline_name,
        "pipelineVersion": execution.pipeline_version,
        "pipelineExecutionId": execution.id,
        "status": execution.status.as_str(),
    });
    if let Some(summary) = &execution.status_summary {
        out["statusSummary"] = json!(summary);
    }
    out["artifactRevisions"] = json!(artifact_revisions(execution, declaration));
    out["variables"] = execution
        .variables
        .iter()
        .map(|(name, value)| json!({ "name": name, "resolvedValue": value }))
        .collect::<Vec<_>>()
        .into();
    out["trigger"] = trigger(execution);
    add_mode_and_type(&mut out, execution, declaration);
    out
}

/// A `PipelineExecutionSummary`.
pub fn summary(execution: &Execution, declaration: Option<&PipelineDeclaration>) -> Value {
    let mut out = json!({
        "pipelineExecutionId": execution.id,
        "status": execution.status.as_str(),
    });
    if let Some(summary) = &execution.status_summary {
        out["statusSummary"] = json!(summary);
    }
    out["startTime"] = timestamp(execution.started_at);
    out["lastUpdateTime"] = timestamp(execution.updated_at);
    out["sourceRevisions"] = execution
        .source_revisions
        .iter()
        .map(|r| {
            let mut revision = json!({ "actionName": r.action_name, "revisionId": r.revision_id });
            if let Some(summary) = &r.revision_summary {
                revision["revisionSummary"] = json!(summary);
            }
            if let Some(url) = &r.revision_url {
                revision["revisionUrl"] = json!(url);
            }
            revision
        })
        .collect::<Vec<_>>()
        .into();
    out["trigger"] = trigger(execution);
    if matches!(execution.status, PipelineExecutionStatus::Stopped | PipelineExecutionStatus::Stopping) {
        let mut stop = json!({});
        if let Some(reason) = execution.stopping.as_ref().or(execution.status_summary.as_ref()) {
            stop["reason"] = json!(reason);
        }
        out["stopTrigger"] = stop;
    }
    add_mode_and_type(&mut out, execution, declaration);
    out
}

fn trigger(execution: &Execution) -> Value {
    json!({
        "triggerType": execution.trigger.trigger_type,
        "triggerDetail": execution.trigger.trigger_detail,
    })
}

fn add_mode_and_type(out: &mut Value, execution: &Execution, declaration: Option<&PipelineDeclaration>) {
    out["executionMode"] = json!(declaration.map(|d| d.mode()).unwrap_or_default().as_str());
    out["executionType"] = json!(execution_type(execution.execution_type));
    if let Some(target) = &execution.rollback_target {
        out["rollbackMetadata"] = json!({ "rollbackTargetPipelineExecutionId": target });
    }
}

pub fn execution_type(execution_type: ExecutionType) -> &'static str {
    match execution_type {
        ExecutionType::Standard => "STANDARD",
        ExecutionType::Rollback => "ROLLBACK",
    }
}

/// `artifactRevisions`: one per source revision, named after the output
/// artifact of the source action that produced it.
fn artifact_revisions(execution: &Execution, declaration: Option<&PipelineDeclaration>) -> Vec<Value> {
    execution
        .source_revisions
        .iter()
        .map(|revision| {
            let artifact = declaration
                .and_then(|d| d.stages.iter().flat_map(|s| &s.actions).find(|a| a.name == revision.action_name))
                .and_then(|a| a.output_artifacts.first())
                .map_or(revision.action_name.as_str(), |o| o.name.as_str());
            let mut out = json!({
                "name": artifact,
                "revisionId": revision.revision_id,
                "revisionChangeIdentifier": revision.revision_id,
            });
            if let Some(summary) = &revision.revision_summary {
                out["revisionSummary"] = json!(summary);
            }
            let fetched = execution
                .stages
                .iter()
                .flat_map(|s| &s.actions)
                .find(|a| a.name == revision.action_name)
                .and_then(|a| a.latest.as_ref());
            if let Some(attempt) = fetched {
                out["created"] = timestamp(attempt.updated_at);
            }
            if let Some(url) = &revision.revision_url {
                out["revisionUrl"] = json!(url);
            }
            out
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use sluice_engine::{Position, SourceRevision, StageRun, Trigger};

    pub fn declaration() -> PipelineDeclaration {
        let text = r#"{
          "name": "app", "executionMode": "QUEUED",
          "variables": [{"name": "BRANCH", "defaultValue": "main"}],
          "stages": [
            {"name": "Source", "actions": [{"name": "Src",
              "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "CodeCommit", "version": "1"},
              "configuration": {"RepositoryName": "app", "BranchName": "main"},
              "outputArtifacts": [{"name": "SourceOut"}]}]},
            {"name": "Build", "actions": [{"name": "Compile",
              "actionTypeId": {"category": "Compute", "owner": "AWS", "provider": "Commands", "version": "1"},
              "commands": ["make"], "inputArtifacts": [{"name": "SourceOut"}]}]}
          ]}"#;
        let value: Value = serde_json::from_str(text).unwrap();
        super::super::pipelines::checked_declaration(&value).unwrap()
    }

    pub fn execution(status: PipelineExecutionStatus) -> Execution {
        Execution {
            id: "e-1".into(),
            pipeline_name: "app".into(),
            pipeline_version: 1,
            status,
            status_summary: None,
            execution_type: ExecutionType::Standard,
            rollback_target: None,
            trigger: Trigger { trigger_type: "StartPipelineExecution".into(), trigger_detail: "arn:me".into() },
            position: Position::Done,
            halted_stage: None,
            variables: BTreeMap::from([("BRANCH".to_string(), "main".to_string())]),
            requested_revisions: BTreeMap::new(),
            source_revisions: vec![SourceRevision {
                action_name: "Src".into(),
                revision_id: "abc123".into(),
                revision_summary: Some("First commit".into()),
                revision_url: None,
            }],
            outputs: BTreeMap::new(),
            artifacts: BTreeMap::new(),
            stages: vec![StageRun {
                name: "Source".into(),
                status: Some(StageExecutionStatus::Succeeded),
                actions: Vec::new(),
                attempts: 1,
                auto_retries: 0,
            }],
            stopping: None,
            started_at: 1_000,
            updated_at: 2_500,
            audit: Vec::new(),
        }
    }

    #[test]
    fn an_execution_names_its_revisions_after_the_source_artifacts() {
        let declaration = declaration();
        let out = pipeline_execution(&execution(PipelineExecutionStatus::Succeeded), Some(&declaration));
        assert_eq!(
            out,
            json!({
                "pipelineName": "app",
                "pipelineVersion": 1,
                "pipelineExecutionId": "e-1",
                "status": "Succeeded",
                "artifactRevisions": [{
                    "name": "SourceOut",
                    "revisionId": "abc123",
                    "revisionChangeIdentifier": "abc123",
                    "revisionSummary": "First commit",
                }],
                "variables": [{"name": "BRANCH", "resolvedValue": "main"}],
                "trigger": {"triggerType": "StartPipelineExecution", "triggerDetail": "arn:me"},
                "executionMode": "QUEUED",
                "executionType": "STANDARD",
            })
        );
    }

    #[test]
    fn without_its_declaration_an_execution_still_shows() {
        let mut rollback = execution(PipelineExecutionStatus::InProgress);
        rollback.execution_type = ExecutionType::Rollback;
        rollback.rollback_target = Some("e-0".into());
        let out = pipeline_execution(&rollback, None);
        assert_eq!(out["artifactRevisions"][0]["name"], "Src");
        assert_eq!(out["executionMode"], "SUPERSEDED");
        assert_eq!(out["executionType"], "ROLLBACK");
        assert_eq!(out["rollbackMetadata"], json!({"rollbackTargetPipelineExecutionId": "e-0"}));
    }

    #[test]
    fn a_stopped_summary_carries_its_stop_trigger() {
        let mut stopped = execution(PipelineExecutionStatus::Stopped);
        stopped.status_summary = Some("no longer needed".into());
        let out = summary(&stopped, Some(&declaration()));
        assert_eq!(out["stopTrigger"], json!({"reason": "no longer needed"}));
        assert_eq!(out["startTime"], json!(1.0));
        assert_eq!(out["lastUpdateTime"], json!(2.5));
        assert_eq!(
            out["sourceRevisions"],
            json!([{"actionName": "Src", "revisionId": "abc123", "revisionSummary": "First commit"}])
        );
        let out = summary(&execution(PipelineExecutionStatus::Succeeded), None);
        assert!(out.get("stopTrigger").is_none());
    }

    #[test]
    fn start_inputs_are_checked() {
        let declaration = declaration();
        let commit = |action: &str, kind: RevisionType| SourceRevisionOverride {
            action_name: action.into(),
            revision_type: kind,
            revision_value: "abc".into(),
        };
        let ok = source_revisions(&declaration, &[commit("Src", RevisionType::CommitId)]).unwrap();
        assert_eq!(ok, BTreeMap::from([("Src".to_string(), "abc".to_string())]));
        for bad in [
            vec![commit("Compile", RevisionType::CommitId)],
            vec![commit("Src", RevisionType::S3ObjectKey)],
            vec![commit("Src", RevisionType::CommitId), commit("Src", RevisionType::CommitId)],
        ] {
            let error = source_revisions(&declaration, &bad).unwrap_err();
            assert_eq!(error.type_name, "ValidationException");
        }
        let twice = [
            PipelineVariable { name: "A".into(), value: "1".into() },
            PipelineVariable { name: "A".into(), value: "2".into() },
        ];
        assert!(variables(&twice).is_err());
        assert!(variables(&[PipelineVariable { name: "A".into(), value: String::new() }]).is_err());
    }
}
