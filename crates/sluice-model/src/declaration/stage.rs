use super::action::ActionDeclaration;
use super::condition::{BeforeEntryConditions, FailureConditions, SuccessConditions};
use super::enums::BlockerType;
use crate::decode::{Context, Decode, Fields};
use crate::path::Path;
use crate::source::Node;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StageDeclaration {
    pub name: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub blockers: Vec<BlockerDeclaration>,
    pub actions: Vec<ActionDeclaration>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_failure: Option<FailureConditions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on_success: Option<SuccessConditions>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub before_entry: Option<BeforeEntryConditions>,
}

impl Decode for StageDeclaration {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let name = f.required(cx, "name");
        let blockers = f.list(cx, "blockers");
        let actions = f.required(cx, "actions");
        let on_failure = f.optional(cx, "onFailure");
        let on_success = f.optional(cx, "onSuccess");
        let before_entry = f.optional(cx, "beforeEntry");
        f.finish(cx);
        Some(StageDeclaration { name: name?, blockers, actions: actions?, on_failure, on_success, before_entry })
    }
}

/// Reserved by AWS; accepted and kept, not acted on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BlockerDeclaration {
    pub name: String,
    #[serde(rename = "type")]
    pub blocker_type: BlockerType,
}

impl Decode for BlockerDeclaration {
    fn decode(node: &Node, path: &Path, cx: &mut Context) -> Option<Self> {
        let mut f = Fields::open(node, path, cx)?;
        let name = f.required(cx, "name");
        let blocker_type = f.required(cx, "type");
        f.finish(cx);
        Some(BlockerDeclaration { name: name?, blocker_type: blocker_type? })
    }
}
