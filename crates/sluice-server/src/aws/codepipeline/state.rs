//! GetPipelineState: each stage of the current version with its gate, the
//! executions waiting there, and what the latest execution to enter it did.

use super::executions::execution_type;
use super::lookup;
use crate::auth::{Permission, Principal};
use crate::aws::AwsError;
use crate::aws::wire::{check_name, input, timestamp};
use crate::http::AppState;
use serde::Deserialize;
use serde_json::{Value, json};
use sluice_engine::{ActionAttempt, Execution, PipelineState, StageRun, Transition};
use sluice_model::status::{ActionExecutionStatus, PipelineExecutionStatus};
use sluice_model::{ActionCategory, ActionDeclaration, PipelineDeclaration};
use std::collections::BTreeMap;

#[derive(Deserialize)]
struct GetInput {
    name: String,
}

pub async fn get(app: &AppState, principal: &Principal, value: Value) -> Result<Value, AwsError> {
    principal.require(Permission::Read, "GetPipelineState")?;
    let request: GetInput = input(value)?;
    check_name("name", &request.name)?;
    // Read first: the driver is asked only about pipelines that exist.
    let row = lookup::pipeline(app, &request.name).await?;
    let declaration = lookup::declaration_of(&row)?;
    let state = app.driver.state(&request.name).await?;
    // The latest execution of each stage: from the state while it can still
    // change, from its stored row once it is history.
    let mut latest: BTreeMap<String, Execution> = BTreeMap::new();
    for stage in &declaration.stages {
        let Some(id) = state.latest_in_stage.get(&stage.name) else { continue };
        if latest.contains_key(id) {
            continue;
        }
        let execution = match state.executions.get(id) {
            Some(execution) => Some(execution.clone()),
            None => {
                lookup::stored_execution(app, &request.name, id).await?.map(|r| lookup::execution_of(&r)).transpose()?
            }
        };
        if let Some(execution) = execution {
            latest.insert(id.clone(), execution);
        }
    }
    Ok(json!({
        "pipelineName": row.name,
        "pipelineVersion": row.version,
        "stageStates": stage_states(&declaration, &state, &latest),
        "created": timestamp(row.created_at),
        "updated": timestamp(row.updated_at),
    }))
}

/// The `stageStates` of the current version. `latest` holds the latest
/// execution of each stage, by id; a stage nobody entered yet has no
/// `latestExecution`, and a stage without a gate in the state (a pipeline
/// with no state yet) has an open one.
pub fn stage_states(
    declaration: &PipelineDeclaration,
    state: &PipelineState,
    latest: &BTreeMap<String, Execution>,
) -> Vec<Value> {
    declaration
        .stages
        .iter()
        .map(|stage| {
            let gate = state.gates.get(&stage.name).cloned().unwrap_or_default();
            let mut out = json!({ "stageName": stage.name });
            let inbound: Vec<Value> = gate
                .waiting
                .iter()
                .filter_map(|id| state.executions.get(id))
                .map(|e| {
                    json!({
                        "pipelineExecutionId": e.id,
                        "status": stage_status_of(e.status),
                        "type": execution_type(e.execution_type),
                    })
                })
                .collect();
            if let Some(next) = inbound.first() {
                out["inboundExecution"] = next.clone();
                out["inboundExecutions"] = inbound.into();
            }
            out["inboundTransitionState"] = transition(&gate.transition);
            let execution = state.latest_in_stage.get(&stage.name).and_then(|id| latest.get(id));
            let run = execution.and_then(|e| e.stages.iter().find(|s| s.name == stage.name));
            out["actionStates"] =
                stage.actions.iter().map(|action| action_state(action, execution, run)).collect::<Vec<_>>().into();
            if let (Some(execution), Some(status)) = (execution, run.and_then(|r| r.status)) {
                out["latestExecution"] = json!({
                    "pipelineExecutionId": execution.id,
                    "status": status.as_str(),
                    "type": execution_type(execution.execution_type),
                });
            }
            out
        })
        .collect()
}

/// A waiting execution's status as a `StageExecutionStatus`.
fn stage_status_of(status: PipelineExecutionStatus) -> &'static str {
    match status {
        PipelineExecutionStatus::InProgress => "InProgress",
        PipelineExecutionStatus::Stopping => "Stopping",
        PipelineExecutionStatus::Stopped => "Stopped",
        PipelineExecutionStatus::Succeeded => "Succeeded",
        PipelineExecutionStatus::Failed => "Failed",
        PipelineExecutionStatus::Cancelled | PipelineExecutionStatus::Superseded => "Cancelled",
    }
}

fn transition(transition: &Transition) -> Value {
    let mut out = json!({ "enabled": transition.enabled });
    if let Some(by) = &transition.last_changed_by {
        out["lastChangedBy"] = json!(by);
    }
    if let Some(at) = transition.last_changed_at {
        out["lastChangedAt"] = timestamp(at);
    }
    if let Some(reason) = &transition.disabled_reason {
        out["disabledReason"] = json!(reason);
    }
    out
}

fn action_state(action: &ActionDeclaration, execution: Option<&Execution>, run: Option<&StageRun>) -> Value {
    let mut out = json!({ "actionName": action.name });
    let attempt = run.and_then(|r| r.actions.iter().find(|a| a.name == action.name)).and_then(|a| a.latest.as_ref());
    if action.action_type_id.category == ActionCategory::Source {
        let revision = execution.and_then(|e| e.source_revisions.iter().find(|r| r.action_name == action.name));
        if let (Some(execution), Some(revision)) = (execution, revision) {
            out["currentRevision"] = json!({
                "revisionId": revision.revision_id,
                "revisionChangeId": revision.revision_id,
                "created": timestamp(attempt.map_or(execution.updated_at, |a| a.updated_at)),
            });
            if let Some(url) = &revision.revision_url {
                out["revisionUrl"] = json!(url);
            }
        }
    }
    if let Some(attempt) = attempt {
        out["latestExecution"] = action_execution(attempt);
    }
    let link = attempt.and_then(|a| a.resolved_configuration.get("ExternalEntityLink"));
    if let Some(link) = link.or_else(|| action.configuration.get("ExternalEntityLink")).filter(|l| !l.is_empty()) {
        out["entityUrl"] = json!(link);
    }
    out
}

/// An `ActionExecution`: the token shows while an approval waits.
fn action_execution(attempt: &ActionAttempt) -> Value {
    let mut out = json!({
        "actionExecutionId": attempt.id,
        "status": attempt.status.as_str(),
    });
    if let Some(summary) = attempt.summary.as_ref().filter(|s| !s.is_empty()) {
        out["summary"] = json!(summary);
    }
    out["lastStatusChange"] = timestamp(attempt.updated_at);
    if let Some(token) = attempt.token.as_ref().filter(|_| attempt.status == ActionExecutionStatus::InProgress) {
        out["token"] = json!(token);
    }
    if let Some(by) = &attempt.updated_by {
        out["lastUpdatedBy"] = json!(by);
    }
    if let Some(id) = &attempt.external_execution_id {
        out["externalExecutionId"] = json!(id);
    }
    if let Some(url) = &attempt.external_execution_url {
        out["externalExecutionUrl"] = json!(url);
    }
    if let Some(details) = error_details(attempt) {
        out["errorDetails"] = details;
    }
    out
}

/// `errorDetails` of a failed or abandoned attempt.
pub fn error_details(attempt: &ActionAttempt) -> Option<Value> {
    let message = attempt.error.as_ref().filter(|m| !m.is_empty())?;
    let code = match attempt.status {
        ActionExecutionStatus::Abandoned => "JobAbandoned",
        _ => "JobFailed",
    };
    Some(json!({ "code": code, "message": message }))
}

#[cfg(test)]
mod tests {
    use super::super::executions::tests::{declaration, execution};
    use super::*;
    use sluice_engine::{ActionRun, Position};
    use sluice_model::status::StageExecutionStatus;

    fn attempt(id: &str, status: ActionExecutionStatus) -> ActionAttempt {
        ActionAttempt {
            id: id.into(),
            status,
            started_at: 1_000,
            updated_at: 3_000,
            deadline: 10_000,
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

    #[test]
    fn a_pipeline_with_no_state_yet_shows_open_gates_and_no_executions() {
        let declaration = declaration();
        let state = PipelineState::new("app", 1, &[]);
        let stages = stage_states(&declaration, &state, &BTreeMap::new());
        assert_eq!(
            stages,
            vec![
                json!({"stageName": "Source", "inboundTransitionState": {"enabled": true},
                       "actionStates": [{"actionName": "Src"}]}),
                json!({"stageName": "Build", "inboundTransitionState": {"enabled": true},
                       "actionStates": [{"actionName": "Compile"}]}),
            ]
        );
    }

    #[test]
    fn stages_show_their_latest_execution_waiting_executions_and_gate() {
        let declaration = declaration();
        let mut state = PipelineState::new("app", 1, &["Source", "Build"]);
        // e-1 fetched its source and fails in Build; e-2 waits in front of
        // Build, whose transition is disabled.
        let mut done = execution(PipelineExecutionStatus::Failed);
        let mut source = attempt("a-src", ActionExecutionStatus::Succeeded);
        source.external_execution_id = Some("abc123".into());
        source.summary = Some("First commit".into());
        done.stages[0].actions.push(ActionRun {
            name: "Src".into(),
            run_order: 1,
            action_type_id: declaration.stages[0].actions[0].action_type_id.clone(),
            latest: Some(source),
            history: Vec::new(),
        });
        let mut failed = attempt("a-build", ActionExecutionStatus::Failed);
        failed.error = Some("exit status 1".into());
        done.stages.push(StageRun {
            name: "Build".into(),
            status: Some(StageExecutionStatus::Failed),
            actions: vec![ActionRun {
                name: "Compile".into(),
                run_order: 1,
                action_type_id: declaration.stages[1].actions[0].action_type_id.clone(),
                latest: Some(failed),
                history: Vec::new(),
            }],
            attempts: 1,
            auto_retries: 0,
        });
        let mut waiting = execution(PipelineExecutionStatus::InProgress);
        waiting.id = "e-2".into();
        waiting.position = Position::Waiting(1);
        state.executions.insert("e-2".into(), waiting);
        let gate = state.gate("Build");
        gate.waiting.push_back("e-2".into());
        gate.transition = Transition {
            enabled: false,
            disabled_reason: Some("freeze".into()),
            last_changed_by: Some("arn:aws:iam::1:user/me".into()),
            last_changed_at: Some(4_000),
        };
        state.latest_in_stage.insert("Source".into(), "e-1".into());
        state.latest_in_stage.insert("Build".into(), "e-1".into());
        let latest = BTreeMap::from([("e-1".to_string(), done)]);
        let stages = stage_states(&declaration, &state, &latest);
        assert_eq!(
            stages[0]["actionStates"][0],
            json!({
                "actionName": "Src",
                "currentRevision": {"revisionId": "abc123", "revisionChangeId": "abc123", "created": 3.0},
                "latestExecution": {"actionExecutionId": "a-src", "status": "Succeeded", "summary": "First commit",
                                    "lastStatusChange": 3.0, "externalExecutionId": "abc123"},
            })
        );
        assert_eq!(
            stages[1],
            json!({
                "stageName": "Build",
                "inboundExecution": {"pipelineExecutionId": "e-2", "status": "InProgress", "type": "STANDARD"},
                "inboundExecutions": [{"pipelineExecutionId": "e-2", "status": "InProgress", "type": "STANDARD"}],
                "inboundTransitionState": {"enabled": false, "lastChangedBy": "arn:aws:iam::1:user/me",
                                           "lastChangedAt": 4.0, "disabledReason": "freeze"},
                "actionStates": [{"actionName": "Compile", "latestExecution": {
                    "actionExecutionId": "a-build", "status": "Failed", "lastStatusChange": 3.0,
                    "errorDetails": {"code": "JobFailed", "message": "exit status 1"}}}],
                "latestExecution": {"pipelineExecutionId": "e-1", "status": "Failed", "type": "STANDARD"},
            })
        );
    }

    #[test]
    fn the_approval_token_shows_only_while_the_approval_waits() {
        let mut waiting = attempt("a-1", ActionExecutionStatus::InProgress);
        waiting.token = Some("tok".into());
        assert_eq!(action_execution(&waiting)["token"], "tok");
        let mut approved = waiting.clone();
        approved.status = ActionExecutionStatus::Succeeded;
        approved.updated_by = Some("arn:me".into());
        let out = action_execution(&approved);
        assert!(out.get("token").is_none());
        assert_eq!(out["lastUpdatedBy"], "arn:me");
    }
}
