//! Stage conditions: `beforeEntry`, `onSuccess` and `onFailure`.

use super::action::InputArtifact;
use super::enums::{ConditionResult, RuleCategory, RuleOwner, StageRetryMode};
use crate::decode::{Context, Decode, Fields};
use crate::path::Path;
use crate::source::Node;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FailureConditions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ConditionResult>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_configuration: Option<RetryConfiguration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub conditions: Option<Vec<Condition>>,
}

impl Decode for FailureConditions {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let result = f.optional(cx, "result");
        let retry_configuration = f.optional(cx, "retryConfiguration");
        let conditions = f.optional(cx, "conditions");
        f.finish(cx);
        Some(FailureConditions { result, retry_configuration, conditions })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SuccessConditions {
    pub conditions: Vec<Condition>,
}

impl Decode for SuccessConditions {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let conditions = f.required(cx, "conditions");
        f.finish(cx);
        Some(SuccessConditions { conditions: conditions? })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BeforeEntryConditions {
    pub conditions: Vec<Condition>,
}

impl Decode for BeforeEntryConditions {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let conditions = f.required(cx, "conditions");
        f.finish(cx);
        Some(BeforeEntryConditions { conditions: conditions? })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RetryConfiguration {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_mode: Option<StageRetryMode>,
}

impl Decode for RetryConfiguration {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let retry_mode = f.optional(cx, "retryMode");
        f.finish(cx);
        Some(RetryConfiguration { retry_mode })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result: Option<ConditionResult>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<RuleDeclaration>,
}

impl Decode for Condition {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let result = f.optional(cx, "result");
        let rules = f.list(cx, "rules");
        f.finish(cx);
        Some(Condition { result, rules })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleDeclaration {
    pub name: String,
    pub rule_type_id: RuleTypeId,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub configuration: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub commands: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub input_artifacts: Vec<InputArtifact>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub role_arn: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout_in_minutes: Option<i64>,
}

impl Decode for RuleDeclaration {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let name = f.required(cx, "name");
        let rule_type_id = f.required(cx, "ruleTypeId");
        let configuration = f.optional(cx, "configuration").unwrap_or_default();
        let commands = f.optional(cx, "commands");
        let input_artifacts = f.list(cx, "inputArtifacts");
        let role_arn = f.optional(cx, "roleArn");
        let region = f.optional(cx, "region");
        let timeout_in_minutes = f.optional(cx, "timeoutInMinutes");
        f.finish(cx);
        Some(RuleDeclaration {
            name: name?,
            rule_type_id: rule_type_id?,
            configuration,
            commands,
            input_artifacts,
            role_arn,
            region,
            timeout_in_minutes,
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RuleTypeId {
    pub category: RuleCategory,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<RuleOwner>,
    pub provider: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl Decode for RuleTypeId {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let category = f.required(cx, "category");
        let owner = f.optional(cx, "owner");
        let provider = f.required(cx, "provider");
        let version = f.optional(cx, "version");
        f.finish(cx);
        Some(RuleTypeId { category: category?, owner, provider: provider?, version })
    }
}
