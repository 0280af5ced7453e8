//! UpdatePipeline: new executions run the new version; what happens to the
//! others is sluice's choice where AWS is silent (see ARCHITECTURE.md):
//! - executions inside a stage finish with the version they started with;
//! - executions waiting in front of a stage are Cancelled if the stage list
//!   changed (they would enter stages that no longer exist as they knew
//!   them), and go on otherwise;
//! - failed or stopped executions of older versions can no longer be retried.

use super::Ctx;
use crate::error::Rejection;
use crate::execution::Position;
use sluice_model::status::PipelineExecutionStatus;

pub fn pipeline_updated(cx: &mut Ctx<'_>, version: i64) -> Result<(), Rejection> {
    if version <= cx.state.current_version {
        return Err(Rejection::Validation(format!(
            "version {version} is not newer than the current version {}",
            cx.state.current_version
        )));
    }
    if cx.declarations.get(version).is_none() {
        return Err(Rejection::Validation(format!("version {version} of the pipeline is unknown")));
    }
    let old_stages: Vec<String> = cx.current_declaration().stages.iter().map(|s| s.name.clone()).collect();
    cx.state.current_version = version;
    let new_stages: Vec<String> = cx.current_declaration().stages.iter().map(|s| s.name.clone()).collect();
    let structure_changed = old_stages != new_stages;

    for name in &new_stages {
        cx.state.gate(name);
    }
    cx.state
        .gates
        .retain(|name, gate| new_stages.contains(name) || gate.occupant.is_some() || !gate.waiting.is_empty());
    cx.state.last_success.retain(|name, _| new_stages.contains(name));

    let older: Vec<(String, Position)> = cx
        .state
        .executions
        .values()
        .filter(|e| e.pipeline_version != version)
        .map(|e| (e.id.clone(), e.position))
        .collect();
    for (id, position) in older {
        match position {
            Position::Waiting(_) if structure_changed => {
                for gate in cx.state.gates.values_mut() {
                    gate.waiting.retain(|w| w != &id);
                }
                let summary = format!("Cancelled: the pipeline was updated to version {version}");
                cx.set_status(&id, PipelineExecutionStatus::Cancelled, Some(summary));
                cx.exec(&id).position = Position::Done;
                cx.retire(&id);
            }
            Position::Done => cx.retire(&id),
            _ => {}
        }
    }
    cx.state
        .gates
        .retain(|name, gate| new_stages.contains(name) || gate.occupant.is_some() || !gate.waiting.is_empty());
    Ok(())
}
