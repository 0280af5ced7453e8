//! What an agent reports: the action's result and, for CodeBuild runs, the
//! build's phases and test reports.

use serde::{Deserialize, Serialize};
use sluice_engine::ActionResult;
use std::collections::BTreeMap;

/// The end of one job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOutcome {
    pub result: ActionResult,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildRecord>,
}

impl From<ActionResult> for RunOutcome {
    fn from(result: ActionResult) -> Self {
        RunOutcome { result, build: None }
    }
}

/// How a CodeBuild run went, phase by phase, as `BatchGetBuilds` shows it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildRecord {
    pub phases: Vec<BuildPhase>,
    /// The buildspec's `env.exported-variables`, with their final values.
    #[serde(default)]
    pub exported_variables: BTreeMap<String, String>,
    #[serde(default)]
    pub reports: Vec<TestReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildPhase {
    pub phase_type: PhaseType,
    pub phase_status: PhaseStatus,
    pub start_ms: i64,
    pub end_ms: i64,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contexts: Vec<PhaseContext>,
}

/// CodeBuild's `BuildPhaseType`, spelled as on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PhaseType {
    Submitted,
    Queued,
    Provisioning,
    DownloadSource,
    Install,
    PreBuild,
    Build,
    PostBuild,
    UploadArtifacts,
    Finalizing,
    Completed,
}

/// CodeBuild's `StatusType` for phases.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum PhaseStatus {
    Succeeded,
    Failed,
    Fault,
    TimedOut,
    InProgress,
    Stopped,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PhaseContext {
    pub status_code: String,
    pub message: String,
}

/// One test report of a build (the buildspec's `reports.<group>`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestReport {
    /// The report group's name as the buildspec gives it.
    pub group: String,
    /// `JUNITXML`, `CUCUMBERJSON`, ...
    pub file_format: String,
    pub status: ReportStatus,
    pub test_cases: Vec<TestCase>,
    /// Total duration of the test cases, in nanoseconds.
    pub duration_ns: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ReportStatus {
    Succeeded,
    Failed,
    Incomplete,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestCase {
    /// The suite (JUnit `testsuite`/`classname`), CodeBuild's `prefix`.
    pub prefix: String,
    pub name: String,
    pub status: TestCaseStatus,
    pub duration_ns: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The report file the case came from, relative to the source directory.
    pub test_raw_data_path: String,
}

/// CodeBuild's test case statuses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TestCaseStatus {
    Succeeded,
    Failed,
    Error,
    Skipped,
    Unknown,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phase_names_are_codebuild_s() {
        let phase = BuildPhase {
            phase_type: PhaseType::DownloadSource,
            phase_status: PhaseStatus::TimedOut,
            start_ms: 1,
            end_ms: 2,
            contexts: vec![],
        };
        let json = serde_json::to_value(&phase).unwrap();
        assert_eq!(json["phaseType"], "DOWNLOAD_SOURCE");
        assert_eq!(json["phaseStatus"], "TIMED_OUT");
    }
}
