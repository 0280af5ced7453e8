//! V2 triggers: which git events on a source action start the pipeline.

use super::enums::{PullRequestEvent, TriggerProviderType};
use crate::decode::{Context, Decode, Fields};
use crate::path::Path;
use crate::source::Node;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PipelineTriggerDeclaration {
    pub provider_type: TriggerProviderType,
    pub git_configuration: GitConfiguration,
}

impl Decode for PipelineTriggerDeclaration {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let provider_type = f.required(cx, "providerType");
        let git_configuration = f.required(cx, "gitConfiguration");
        f.finish(cx);
        Some(PipelineTriggerDeclaration { provider_type: provider_type?, git_configuration: git_configuration? })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitConfiguration {
    pub source_action_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub push: Option<Vec<GitPushFilter>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<Vec<GitPullRequestFilter>>,
}

impl Decode for GitConfiguration {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let source_action_name = f.required(cx, "sourceActionName");
        let push = f.optional(cx, "push");
        let pull_request = f.optional(cx, "pullRequest");
        f.finish(cx);
        Some(GitConfiguration { source_action_name: source_action_name?, push, pull_request })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitPushFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tags: Option<FilterCriteria>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branches: Option<FilterCriteria>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_paths: Option<FilterCriteria>,
}

impl Decode for GitPushFilter {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let tags = f.optional(cx, "tags");
        let branches = f.optional(cx, "branches");
        let file_paths = f.optional(cx, "filePaths");
        f.finish(cx);
        Some(GitPushFilter { tags, branches, file_paths })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GitPullRequestFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub events: Option<Vec<PullRequestEvent>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branches: Option<FilterCriteria>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file_paths: Option<FilterCriteria>,
}

impl Decode for GitPullRequestFilter {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let events = f.optional(cx, "events");
        let branches = f.optional(cx, "branches");
        let file_paths = f.optional(cx, "filePaths");
        f.finish(cx);
        Some(GitPullRequestFilter { events, branches, file_paths })
    }
}

/// Glob patterns to include and exclude (branches, tags or file paths).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FilterCriteria {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub includes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub excludes: Option<Vec<String>>,
}

impl Decode for FilterCriteria {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let includes = f.optional(cx, "includes");
        let excludes = f.optional(cx, "excludes");
        f.finish(cx);
        Some(FilterCriteria { includes, excludes })
    }
}
