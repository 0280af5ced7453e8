use super::enums::{ArtifactStoreType, EncryptionKeyType, ExecutionMode, PipelineType};
use super::stage::StageDeclaration;
use super::trigger::PipelineTriggerDeclaration;
use crate::decode::{Context, Decode, Fields};
use crate::path::Path;
use crate::source::Node;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A whole pipeline: the `pipeline` object of `aws codepipeline get-pipeline`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineDeclaration {
    pub name: String,
    /// Optional in sluice: jobs run with sluice's own permissions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_store: Option<ArtifactStore>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub artifact_stores: Option<BTreeMap<String, ArtifactStore>>,
    pub stages: Vec<StageDeclaration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub execution_mode: Option<ExecutionMode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pipeline_type: Option<PipelineType>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub variables: Vec<PipelineVariableDeclaration>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<PipelineTriggerDeclaration>,
}

impl PipelineDeclaration {
    /// The mode executions of this pipeline run in (SUPERSEDED when unset).
    pub fn mode(&self) -> ExecutionMode {
        self.execution_mode.unwrap_or_default()
    }
}

impl Decode for PipelineDeclaration {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let name = f.required(cx, "name");
        let role_arn = f.optional(cx, "roleArn");
        let artifact_store = f.optional(cx, "artifactStore");
        let artifact_stores = f.optional(cx, "artifactStores");
        let stages = f.required(cx, "stages");
        let version = f.optional(cx, "version");
        let execution_mode = f.optional(cx, "executionMode");
        let pipeline_type = f.optional(cx, "pipelineType");
        let variables = f.list(cx, "variables");
        let triggers = f.list(cx, "triggers");
        f.finish(cx);
        Some(PipelineDeclaration {
            name: name?,
            role_arn,
            artifact_store,
            artifact_stores,
            stages: stages?,
            version,
            execution_mode,
            pipeline_type,
            variables,
            triggers,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ArtifactStore {
    #[serde(rename = "type")]
    pub store_type: ArtifactStoreType,
    pub location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encryption_key: Option<EncryptionKey>,
}

impl Decode for ArtifactStore {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let store_type = f.required(cx, "type");
        let location = f.required(cx, "location");
        let encryption_key = f.optional(cx, "encryptionKey");
        f.finish(cx);
        Some(ArtifactStore { store_type: store_type?, location: location?, encryption_key })
    }
}

/// Artifact stores per region (`artifactStores`).
impl Decode for BTreeMap<String, ArtifactStore> {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let crate::source::Value::Object(members) = &node.value else {
            cx.lost(
                crate::diagnostic::Diagnostic::error(
                    "wrong-type",
                    path.clone(),
                    format!("expected an object of regions to artifact stores, found {}", node.kind()),
                )
                .at(node.pos),
            );
            return None;
        };
        Some(
            members
                .iter()
                .filter_map(|(key, value)| {
                    ArtifactStore::decode(value, &path.key(&key.name), cx).map(|store| (key.name.clone(), store))
                })
                .collect(),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncryptionKey {
    pub id: String,
    #[serde(rename = "type")]
    pub key_type: EncryptionKeyType,
}

impl Decode for EncryptionKey {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let id = f.required(cx, "id");
        let key_type = f.required(cx, "type");
        f.finish(cx);
        Some(EncryptionKey { id: id?, key_type: key_type? })
    }
}

/// A pipeline-level variable (V2), referenced as `#{variables.NAME}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineVariableDeclaration {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

impl Decode for PipelineVariableDeclaration {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let name = f.required(cx, "name");
        let default_value = f.optional(cx, "defaultValue");
        let description = f.optional(cx, "description");
        f.finish(cx);
        Some(PipelineVariableDeclaration { name: name?, default_value, description })
    }
}
