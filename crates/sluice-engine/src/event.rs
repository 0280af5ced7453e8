//! What can happen to a pipeline: the engine's inputs.

use crate::execution::{ArtifactLocation, Execution, SourceRevision, Trigger};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum Event {
    /// Start a new execution of the current version.
    Start(StartRequest),
    /// A job reported its end. The caller has checked the lease.
    ActionFinished { execution_id: String, action_execution_id: String, result: ActionResult },
    /// PutApprovalResult.
    Approval {
        execution_id: Option<String>,
        stage: String,
        action: String,
        token: String,
        decision: ApprovalDecision,
        summary: String,
        by: String,
    },
    /// A timer armed earlier has come due.
    TimerFired { timer_id: String },
    /// StopPipelineExecution.
    Stop { execution_id: String, abandon: bool, reason: Option<String>, by: String },
    /// RetryStageExecution.
    Retry { execution_id: String, stage: String, mode: RetryMode, by: String },
    /// RollbackStage: a new ROLLBACK execution of `stage` restoring `target`
    /// (loaded from history by the caller).
    Rollback { stage: String, target: Box<Execution>, new_execution_id: String, by: String, automatic: bool },
    /// Enable- or DisableStageTransition (inbound).
    SetTransition { stage: String, enabled: bool, reason: Option<String>, by: String },
    /// UpdatePipeline stored a new version (which the caller's
    /// declarations include from now on).
    PipelineUpdated { version: i64 },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StartRequest {
    pub execution_id: String,
    pub trigger: Trigger,
    /// Overrides of declared pipeline variables.
    #[serde(default)]
    pub variables: BTreeMap<String, String>,
    /// Revisions for source actions, by action name (a pushed commit).
    #[serde(default)]
    pub source_revisions: BTreeMap<String, String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionResult {
    pub succeeded: bool,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
    #[serde(default)]
    pub external_execution_id: Option<String>,
    #[serde(default)]
    pub external_execution_url: Option<String>,
    #[serde(default)]
    pub output_variables: BTreeMap<String, String>,
    #[serde(default)]
    pub output_artifacts: Vec<ArtifactLocation>,
    /// What a source action fetched.
    #[serde(default)]
    pub revision: Option<SourceRevision>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum ApprovalDecision {
    Approved,
    Rejected,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum RetryMode {
    FailedActions,
    AllActions,
}
