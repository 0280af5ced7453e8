//! One pipeline execution and the runs of its stages and actions, kept as
//! the full history `GetPipelineExecution` and `ListActionExecutions` show.

use crate::Millis;
use serde::{Deserialize, Serialize};
use sluice_model::ActionTypeId;
use sluice_model::status::{ActionExecutionStatus, PipelineExecutionStatus, StageExecutionStatus};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ExecutionType {
    Standard,
    Rollback,
}

/// What started an execution (`trigger` in the API).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Trigger {
    /// `StartPipelineExecution`, `CreatePipeline`, `Webhook`, `ManualRollback`, ...
    pub trigger_type: String,
    /// Who or what: a user ARN, a webhook name, a commit.
    pub trigger_detail: String,
}

/// The revision a source action produced (or was told to fetch).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SourceRevision {
    pub action_name: String,
    pub revision_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_url: Option<String>,
}

/// Where an artifact's zip is in the artifact store.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactLocation {
    pub name: String,
    /// A key in the artifact store.
    pub location: String,
}

/// Where an execution is in its pipeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "at", content = "stage", rename_all = "camelCase")]
pub enum Position {
    /// Waiting in front of a stage (its inbound execution).
    Waiting(usize),
    /// Inside a stage, holding its lock (unless PARALLEL).
    InStage(usize),
    /// No longer moving: finished, or failed/stopped in a stage (it may
    /// still be retried there).
    Done,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Execution {
    pub id: String,
    pub pipeline_name: String,
    pub pipeline_version: i64,
    pub status: PipelineExecutionStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_summary: Option<String>,
    pub execution_type: ExecutionType,
    /// For ROLLBACK executions: the execution whose state is restored.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rollback_target: Option<String>,
    pub trigger: Trigger,
    pub position: Position,
    /// The stage where it failed or stopped: the one a retry resumes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halted_stage: Option<usize>,
    /// Resolved pipeline-level variables (defaults plus start overrides).
    pub variables: BTreeMap<String, String>,
    /// Revisions the source actions were told to fetch, by action name.
    #[serde(default)]
    pub requested_revisions: BTreeMap<String, String>,
    pub source_revisions: Vec<SourceRevision>,
    /// Output variables of finished actions, by namespace.
    pub outputs: BTreeMap<String, BTreeMap<String, String>>,
    pub artifacts: BTreeMap<String, ArtifactLocation>,
    pub stages: Vec<StageRun>,
    /// A stop-and-wait in progress.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stopping: Option<String>,
    pub started_at: Millis,
    pub updated_at: Millis,
    /// Who stopped or retried it, with when (history for the API).
    #[serde(default)]
    pub audit: Vec<AuditEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    pub at: Millis,
    pub by: String,
    pub what: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageRun {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StageExecutionStatus>,
    pub actions: Vec<ActionRun>,
    /// How many times the stage was entered or retried.
    pub attempts: u32,
    /// Automatic retries done by `onFailure: RETRY` since the stage was
    /// entered (at most one).
    #[serde(default)]
    pub auto_retries: u32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionRun {
    pub name: String,
    pub run_order: i64,
    pub action_type_id: ActionTypeId,
    /// The latest attempt, if the action ran at all in this execution.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest: Option<ActionAttempt>,
    /// Earlier attempts (before retries), oldest first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub history: Vec<ActionAttempt>,
}

impl ActionRun {
    pub fn status(&self) -> Option<ActionExecutionStatus> {
        self.latest.as_ref().map(|a| a.status)
    }
}

/// One run of one action: an `ActionExecutionDetail` in the API.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionAttempt {
    /// The action execution id (also the job id, for actions that run as jobs).
    pub id: String,
    pub status: ActionExecutionStatus,
    pub started_at: Millis,
    pub updated_at: Millis,
    pub deadline: Millis,
    /// The approval token, for manual approvals.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token: Option<String>,
    pub resolved_configuration: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_commands: Option<Vec<String>>,
    pub input_artifacts: Vec<ArtifactLocation>,
    pub output_artifacts: Vec<ArtifactLocation>,
    pub output_variables: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_execution_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Who approved, rejected, or abandoned it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_by: Option<String>,
}

impl Execution {
    pub fn is_final(&self) -> bool {
        self.status.is_final()
    }

    pub fn stage_index(&self, name: &str) -> Option<usize> {
        self.stages.iter().position(|s| s.name == name)
    }
}
