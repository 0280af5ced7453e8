//! What the engine asks the world to do: its outputs. The driver commits
//! them with the new state in one transaction and carries them out after.

use crate::Millis;
use crate::execution::ArtifactLocation;
use serde::{Deserialize, Serialize};
use sluice_model::status::{ActionExecutionStatus, PipelineExecutionStatus, StageExecutionStatus};
use sluice_model::{ActionTypeId, EnvironmentVariable, OutputArtifact};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "effect", rename_all = "camelCase")]
pub enum Effect {
    /// Run an action as a job.
    Dispatch(Box<Job>),
    /// Stop a running job: it was abandoned, timed out, or superseded.
    Cancel {
        job_id: String,
    },
    /// Fire [`crate::Event::TimerFired`] at `at`.
    SetTimer {
        timer_id: String,
        at: Millis,
        kind: TimerKind,
    },
    ClearTimer {
        timer_id: String,
    },
    /// Tell listeners (live views, notifications).
    Notify(Notification),
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "timer", rename_all = "camelCase")]
pub enum TimerKind {
    /// An action's timeout.
    ActionTimeout { execution_id: String, action_execution_id: String },
}

/// Everything a runner needs to run one action, variables already resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub pipeline_name: String,
    pub pipeline_version: i64,
    pub execution_id: String,
    pub stage: String,
    pub action: String,
    pub action_type_id: ActionTypeId,
    pub configuration: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commands: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub environment_variables: Vec<EnvironmentVariable>,
    pub input_artifacts: Vec<InputArtifactRef>,
    pub output_artifacts: Vec<OutputArtifact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_variables: Vec<String>,
    /// For source actions: the revision to fetch, if the trigger named one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    pub deadline: Millis,
}

pub type InputArtifactRef = ArtifactLocation;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum JobKind {
    Source,
    Build,
    Compute,
    Deploy,
    Invoke,
    Custom,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "camelCase")]
pub enum Notification {
    Execution { execution_id: String, status: PipelineExecutionStatus },
    Stage { execution_id: String, stage: String, status: StageExecutionStatus },
    Action { execution_id: String, stage: String, action: String, status: ActionExecutionStatus },
}
