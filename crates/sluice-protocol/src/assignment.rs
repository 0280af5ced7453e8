//! What a claim hands to an agent: the job and everything it needs that the
//! agent cannot look up itself (the agent sees no database).

use serde::{Deserialize, Serialize};
use sluice_engine::Job;
use std::collections::BTreeMap;

/// One leased job, as an agent receives it. Its `Debug` never shows the
/// secrets' values.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Assignment {
    pub job: Job,
    /// The lease's fencing token: every heartbeat, log chunk and result
    /// carries it, and the server refuses any that is not the current one.
    pub lease_token: i64,
    /// How long the lease lasts without a heartbeat.
    pub lease_ms: i64,
    /// For CodeBuild actions and `StartBuild`: the project as it was when
    /// the job was claimed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub project: Option<BuildProject>,
    /// For CodeBuild actions and `StartBuild`: the build this run is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub build: Option<BuildIdentity>,
    /// Values of the sluice secrets the job may read (buildspec
    /// `parameter-store` / `secrets-manager`, project variables of those
    /// types), by name. Every one of them is masked in the job's log.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub secrets: BTreeMap<String, String>,
}

impl std::fmt::Debug for Assignment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Assignment")
            .field("job", &self.job)
            .field("lease_token", &self.lease_token)
            .field("lease_ms", &self.lease_ms)
            .field("project", &self.project)
            .field("build", &self.build)
            .field("secrets", &self.secrets.keys().collect::<Vec<_>>())
            .finish()
    }
}

/// Which build a CodeBuild run is (`CODEBUILD_BUILD_ID`, `_ARN`, `_NUMBER`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildIdentity {
    /// `project:uuid`, as CodeBuild spells build ids.
    pub id: String,
    pub arn: String,
    pub number: i64,
    /// The `StartBuild` initiator, or `codepipeline/<pipeline>`.
    pub initiator: String,
}

/// What the runner needs of a build project.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BuildProject {
    pub name: String,
    pub arn: String,
    /// The project's `source.buildspec`: inline YAML, or a path relative to
    /// the primary source directory. `None`: `buildspec.yml`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub buildspec: Option<String>,
    /// The project's environment variables, already overridden by the
    /// action's `EnvironmentVariables` / `StartBuild`'s override (later wins).
    #[serde(default)]
    pub environment_variables: Vec<ProjectVariable>,
    /// The build's timeout; the job's deadline is what the runner enforces.
    pub timeout_in_minutes: u32,
    #[serde(default)]
    pub cache: ProjectCache,
    /// `environment.image`, reported in the log (sluice runs on the host).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectVariable {
    pub name: String,
    pub value: String,
    #[serde(rename = "type", default)]
    pub variable_type: ProjectVariableType,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ProjectVariableType {
    #[default]
    Plaintext,
    /// `value` names a sluice secret.
    ParameterStore,
    /// `value` names a sluice secret (`name:json-key` is accepted as well).
    SecretsManager,
}

/// The project's cache: `LOCAL` keeps the buildspec's `cache.paths` between
/// builds of the project on the agent that ran them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProjectCache {
    pub enabled: bool,
}
