//! StartPipelineExecution (and every trigger): a new execution of the
//! current version enters the first stage, or waits in front of it.

use super::{Ctx, gates};
use crate::error::Rejection;
use crate::event::StartRequest;
use crate::execution::{ActionRun, Execution, ExecutionType, Position, StageRun};
use sluice_model::PipelineDeclaration;
use sluice_model::status::PipelineExecutionStatus;
use std::collections::BTreeMap;

pub fn start(cx: &mut Ctx<'_>, request: StartRequest) -> Result<(), Rejection> {
    if cx.state.executions.contains_key(&request.execution_id) {
        return Err(Rejection::Conflict(request.execution_id));
    }
    let declaration = cx.current_declaration();
    let variables = resolve_variables(declaration, &request.variables)?;
    for action in request.source_revisions.keys() {
        let is_source = declaration.stages.first().is_some_and(|s| s.actions.iter().any(|a| &a.name == action));
        if !is_source {
            return Err(Rejection::Validation(format!("{action} is not a source action of the pipeline")));
        }
    }
    let execution =
        new_execution(cx, declaration, request.execution_id.clone(), request.trigger, ExecutionType::Standard);
    let id = execution.id.clone();
    cx.state
        .executions
        .insert(id.clone(), Execution { variables, requested_revisions: request.source_revisions, ..execution });
    cx.set_status(&id, PipelineExecutionStatus::InProgress, None);
    gates::advance(cx, &id, 0);
    Ok(())
}

/// Defaults of the declared variables, with the start's overrides. Only
/// declared variables may be overridden.
fn resolve_variables(
    declaration: &PipelineDeclaration,
    overrides: &BTreeMap<String, String>,
) -> Result<BTreeMap<String, String>, Rejection> {
    for name in overrides.keys() {
        if !declaration.variables.iter().any(|v| &v.name == name) {
            return Err(Rejection::Validation(format!("the variable {name} is not declared in the pipeline")));
        }
    }
    let mut variables: BTreeMap<String, String> =
        declaration.variables.iter().filter_map(|v| Some((v.name.clone(), v.default_value.clone()?))).collect();
    variables.extend(overrides.clone());
    Ok(variables)
}

/// A fresh execution of the current version, not yet anywhere.
pub fn new_execution(
    cx: &Ctx<'_>,
    declaration: &PipelineDeclaration,
    id: String,
    trigger: crate::execution::Trigger,
    execution_type: ExecutionType,
) -> Execution {
    let stages = declaration
        .stages
        .iter()
        .map(|stage| StageRun {
            name: stage.name.clone(),
            status: None,
            attempts: 0,
            auto_retries: 0,
            actions: stage
                .actions
                .iter()
                .map(|action| ActionRun {
                    name: action.name.clone(),
                    run_order: action.run_order(),
                    action_type_id: action.action_type_id.clone(),
                    latest: None,
                    history: Vec::new(),
                })
                .collect(),
        })
        .collect();
    Execution {
        id,
        pipeline_name: cx.state.pipeline_name.clone(),
        pipeline_version: cx.state.current_version,
        status: PipelineExecutionStatus::InProgress,
        status_summary: None,
        execution_type,
        rollback_target: None,
        trigger,
        position: Position::Waiting(0),
        halted_stage: None,
        variables: BTreeMap::new(),
        requested_revisions: BTreeMap::new(),
        source_revisions: Vec::new(),
        outputs: BTreeMap::new(),
        artifacts: BTreeMap::new(),
        stages,
        stopping: None,
        started_at: cx.now,
        updated_at: cx.now,
        audit: Vec::new(),
    }
}
