//! The coordination state of one pipeline: what the stages are doing, who
//! waits in front of them, and the executions that can still change.
//!
//! Finished executions leave this state (they are history, stored on their
//! own); a failed or stopped one stays while it is still the latest in its
//! stage, because until another execution enters that stage it may be
//! retried.

use crate::Millis;
use crate::effect::TimerKind;
use crate::execution::{ArtifactLocation, Execution, SourceRevision};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineState {
    pub pipeline_name: String,
    /// The version new executions start with.
    pub current_version: i64,
    /// One gate per stage name of the current version.
    pub gates: BTreeMap<String, StageGate>,
    /// Executions that can still change, by id.
    pub executions: BTreeMap<String, Execution>,
    /// The latest execution to have entered each stage: only it may be
    /// retried there (`NotLatestPipelineExecutionException`).
    pub latest_in_stage: BTreeMap<String, String>,
    /// What each stage last succeeded with: the target of an automatic
    /// rollback.
    pub last_success: BTreeMap<String, RollbackPoint>,
    /// Pending timers by id: when each fires and what for.
    pub timers: BTreeMap<String, PendingTimer>,
}

impl PipelineState {
    pub fn new(pipeline_name: &str, version: i64, stage_names: &[&str]) -> Self {
        PipelineState {
            pipeline_name: pipeline_name.to_string(),
            current_version: version,
            gates: stage_names.iter().map(|n| (n.to_string(), StageGate::default())).collect(),
            executions: BTreeMap::new(),
            latest_in_stage: BTreeMap::new(),
            last_success: BTreeMap::new(),
            timers: BTreeMap::new(),
        }
    }

    pub fn gate(&mut self, stage: &str) -> &mut StageGate {
        self.gates.entry(stage.to_string()).or_default()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PendingTimer {
    pub at: Millis,
    pub kind: TimerKind,
}

/// The entrance of a stage.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageGate {
    pub transition: Transition,
    /// The execution holding the stage's lock (not used in PARALLEL mode).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occupant: Option<String>,
    /// Executions waiting to enter, oldest first. SUPERSEDED keeps at most
    /// one; QUEUED and PARALLEL (behind a disabled transition) keep all.
    #[serde(default, skip_serializing_if = "VecDeque::is_empty")]
    pub waiting: VecDeque<String>,
}

/// The inbound transition of a stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Transition {
    pub enabled: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_changed_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_changed_at: Option<Millis>,
}

impl Default for Transition {
    fn default() -> Self {
        Transition { enabled: true, disabled_reason: None, last_changed_by: None, last_changed_at: None }
    }
}

/// What a stage ran with when it succeeded, kept to roll back to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RollbackPoint {
    pub execution_id: String,
    pub pipeline_version: i64,
    pub variables: BTreeMap<String, String>,
    pub source_revisions: Vec<SourceRevision>,
    pub outputs: BTreeMap<String, BTreeMap<String, String>>,
    pub artifacts: BTreeMap<String, ArtifactLocation>,
}

impl RollbackPoint {
    pub fn of(execution: &Execution) -> Self {
        RollbackPoint {
            execution_id: execution.id.clone(),
            pipeline_version: execution.pipeline_version,
            variables: execution.variables.clone(),
            source_revisions: execution.source_revisions.clone(),
            outputs: execution.outputs.clone(),
            artifacts: execution.artifacts.clone(),
        }
    }
}
