//! The enumerations of `PipelineDeclaration`, spelled as in the service model.

use crate::decode::wire_enum;

wire_enum!(
    /// How executions share the stages of a pipeline.
    ExecutionMode { Queued = "QUEUED", Superseded = "SUPERSEDED", Parallel = "PARALLEL" }
);

// wire_enum! writes the derives, so the default is spelled out here.
#[allow(clippy::derivable_impls)]
impl Default for ExecutionMode {
    fn default() -> Self {
        ExecutionMode::Superseded
    }
}

wire_enum!(PipelineType { V1 = "V1", V2 = "V2" });

wire_enum!(ActionCategory {
    Source = "Source",
    Build = "Build",
    Deploy = "Deploy",
    Test = "Test",
    Invoke = "Invoke",
    Approval = "Approval",
    Compute = "Compute",
});

wire_enum!(ActionOwner { Aws = "AWS", ThirdParty = "ThirdParty", Custom = "Custom" });

wire_enum!(ArtifactStoreType { S3 = "S3" });

wire_enum!(EncryptionKeyType { Kms = "KMS" });

wire_enum!(BlockerType { Schedule = "Schedule" });

wire_enum!(EnvironmentVariableType { Plaintext = "PLAINTEXT", SecretsManager = "SECRETS_MANAGER" });

wire_enum!(
    /// What a stage condition does when it is met (or, for `onFailure`, when the stage fails).
    ConditionResult { Rollback = "ROLLBACK", Fail = "FAIL", Retry = "RETRY", Skip = "SKIP" }
);

wire_enum!(StageRetryMode { FailedActions = "FAILED_ACTIONS", AllActions = "ALL_ACTIONS" });

wire_enum!(RuleCategory { Rule = "Rule" });

wire_enum!(RuleOwner { Aws = "AWS" });

wire_enum!(TriggerProviderType { CodeStarSourceConnection = "CodeStarSourceConnection" });

wire_enum!(PullRequestEvent { Open = "OPEN", Updated = "UPDATED", Closed = "CLOSED" });
