//! The outputs the CLI reads field by field, as the service model names them (botocore's
//! `codepipeline-2015-07-09`). Every field is optional and unknown fields are ignored, so a
//! server that adds fields, or leaves some out, is still read.

use serde::Deserialize;

/// `GetPipelineStateOutput`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PipelineState {
    pub pipeline_name: String,
    pub pipeline_version: Option<i64>,
    pub stage_states: Vec<StageState>,
    pub created: Option<f64>,
    pub updated: Option<f64>,
}

impl PipelineState {
    pub fn stage(&self, name: &str) -> Option<&StageState> {
        self.stage_states.iter().find(|s| s.stage_name == name)
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StageState {
    pub stage_name: String,
    pub inbound_execution: Option<StageExecution>,
    pub inbound_executions: Vec<StageExecution>,
    pub inbound_transition_state: Option<TransitionState>,
    pub action_states: Vec<ActionState>,
    pub latest_execution: Option<StageExecution>,
}

impl StageState {
    pub fn action(&self, name: &str) -> Option<&ActionState> {
        self.action_states.iter().find(|a| a.action_name == name)
    }

    /// The executions waiting in front of the stage (`inboundExecutions`, or the older single
    /// `inboundExecution`).
    pub fn waiting(&self) -> Vec<&StageExecution> {
        if self.inbound_executions.is_empty() {
            self.inbound_execution.iter().collect()
        } else {
            self.inbound_executions.iter().collect()
        }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct StageExecution {
    pub pipeline_execution_id: String,
    pub status: String,
    /// `STANDARD` or `ROLLBACK`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct TransitionState {
    pub enabled: bool,
    pub last_changed_by: Option<String>,
    pub last_changed_at: Option<f64>,
    pub disabled_reason: Option<String>,
}

impl Default for TransitionState {
    fn default() -> Self {
        TransitionState { enabled: true, last_changed_by: None, last_changed_at: None, disabled_reason: None }
    }
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActionState {
    pub action_name: String,
    pub current_revision: Option<ActionRevision>,
    pub latest_execution: Option<ActionExecution>,
    pub entity_url: Option<String>,
    pub revision_url: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActionRevision {
    pub revision_id: String,
    pub revision_change_id: Option<String>,
    pub created: Option<f64>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ActionExecution {
    pub action_execution_id: Option<String>,
    pub status: String,
    pub summary: Option<String>,
    pub last_status_change: Option<f64>,
    /// Present while a manual approval waits: what `PutApprovalResult` quotes.
    pub token: Option<String>,
    pub last_updated_by: Option<String>,
    pub external_execution_id: Option<String>,
    pub external_execution_url: Option<String>,
    pub percent_complete: Option<i64>,
    pub error_details: Option<ErrorDetails>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ErrorDetails {
    pub code: Option<String>,
    pub message: Option<String>,
}

/// `ListPipelineExecutionsOutput`.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExecutionList {
    pub pipeline_execution_summaries: Vec<ExecutionSummary>,
    pub next_token: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExecutionSummary {
    pub pipeline_execution_id: String,
    pub status: String,
    pub status_summary: Option<String>,
    pub start_time: Option<f64>,
    pub last_update_time: Option<f64>,
    pub source_revisions: Vec<SourceRevision>,
    pub trigger: Option<ExecutionTrigger>,
    pub execution_mode: Option<String>,
    pub execution_type: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct SourceRevision {
    pub action_name: String,
    pub revision_id: Option<String>,
    pub revision_summary: Option<String>,
    pub revision_url: Option<String>,
}

#[derive(Clone, Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ExecutionTrigger {
    pub trigger_type: Option<String>,
    pub trigger_detail: Option<String>,
}

/// Reads an output into one of these shapes; a mismatch is the server's fault, said plainly.
pub fn read<T: for<'de> Deserialize<'de>>(operation: &str, value: serde_json::Value) -> anyhow::Result<T> {
    serde_json::from_value(value)
        .map_err(|e| anyhow::anyhow!("the server's {operation} answer has an unexpected shape: {e}"))
}
