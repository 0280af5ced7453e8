//! The pipeline declaration in AWS's shape (`PipelineDeclaration` of the
//! CodePipeline service model), with the exact key names on the wire.

mod action;
mod condition;
mod enums;
mod pipeline;
mod stage;
mod trigger;

pub use action::{ActionDeclaration, ActionTypeId, EnvironmentVariable, InputArtifact, OutputArtifact};
pub use condition::{
    BeforeEntryConditions, Condition, FailureConditions, RetryConfiguration, RuleDeclaration, RuleTypeId,
    SuccessConditions,
};
pub use enums::*;
pub use pipeline::{ArtifactStore, EncryptionKey, PipelineDeclaration, PipelineVariableDeclaration};
pub use stage::{BlockerDeclaration, StageDeclaration};
pub use trigger::{FilterCriteria, GitConfiguration, GitPullRequestFilter, GitPushFilter, PipelineTriggerDeclaration};
