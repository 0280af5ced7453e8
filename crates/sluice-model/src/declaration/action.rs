use super::enums::{ActionCategory, ActionOwner, EnvironmentVariableType};
use crate::decode::{Context, Decode, Fields};
use crate::path::Path;
use crate::source::Node;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionDeclaration {
    pub name: String,
    pub action_type_id: ActionTypeId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub run_order: Option<i64>,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configuration: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commands: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub output_artifacts: Vec<OutputArtifact>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_artifacts: Vec<InputArtifact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_variables: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_in_minutes: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_variables: Option<Vec<EnvironmentVariable>>,
}

impl ActionDeclaration {
    /// The run order, 1 when unset (as AWS does).
    pub fn run_order(&self) -> i64 {
        self.run_order.unwrap_or(1)
    }
}

impl Decode for ActionDeclaration {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let name = f.required(cx, "name");
        let action_type_id = f.required(cx, "actionTypeId");
        let run_order = f.optional(cx, "runOrder");
        let configuration = f.optional(cx, "configuration").unwrap_or_default();
        let commands = f.optional(cx, "commands");
        let output_artifacts = f.list(cx, "outputArtifacts");
        let input_artifacts = f.list(cx, "inputArtifacts");
        let output_variables = f.optional(cx, "outputVariables");
        let role_arn = f.optional(cx, "roleArn");
        let region = f.optional(cx, "region");
        let namespace = f.optional(cx, "namespace");
        let timeout_in_minutes = f.optional(cx, "timeoutInMinutes");
        let environment_variables = f.optional(cx, "environmentVariables");
        f.finish(cx);
        Some(ActionDeclaration {
            name: name?,
            action_type_id: action_type_id?,
            run_order,
            configuration,
            commands,
            output_artifacts,
            input_artifacts,
            output_variables,
            role_arn,
            region,
            namespace,
            timeout_in_minutes,
            environment_variables,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ActionTypeId {
    pub category: ActionCategory,
    pub owner: ActionOwner,
    pub provider: String,
    pub version: String,
}

impl std::fmt::Display for ActionTypeId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}/{}/{}", self.category, self.owner, self.provider, self.version)
    }
}

impl Decode for ActionTypeId {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let category = f.required(cx, "category");
        let owner = f.required(cx, "owner");
        let provider = f.required(cx, "provider");
        let version = f.required(cx, "version");
        f.finish(cx);
        Some(ActionTypeId { category: category?, owner: owner?, provider: provider?, version: version? })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OutputArtifact {
    pub name: String,
    /// Commands actions: the paths (globs) that make up the artifact.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub files: Option<Vec<String>>,
}

impl Decode for OutputArtifact {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let name = f.required(cx, "name");
        let files = f.optional(cx, "files");
        f.finish(cx);
        Some(OutputArtifact { name: name?, files })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputArtifact {
    pub name: String,
}

impl Decode for InputArtifact {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let name = f.required(cx, "name");
        f.finish(cx);
        Some(InputArtifact { name: name? })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnvironmentVariable {
    pub name: String,
    pub value: String,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub variable_type: Option<EnvironmentVariableType>,
}

impl Decode for EnvironmentVariable {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let name = f.required(cx, "name");
        let value = f.required(cx, "value");
        let variable_type = f.optional(cx, "type");
        f.finish(cx);
        Some(EnvironmentVariable { name: name?, value: value?, variable_type })
    }
}
