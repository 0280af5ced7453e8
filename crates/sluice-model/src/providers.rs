//! The built-in action providers, as data.
//!
//! One table is read by validation (configuration keys, artifact counts),
//! and later by the engine (which runner handles an action), the API
//! (`ListActionTypes`) and the docs, so that what sluice accepts and what it
//! can run never drift apart.

use crate::declaration::{ActionCategory, ActionOwner, ActionTypeId};

/// Where an action's output variables come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputVariables {
    /// A fixed set, known before the action runs.
    Fixed(&'static [&'static str]),
    /// Whatever the action exports at run time (CodeBuild's
    /// `exported-variables`, a Lambda's `outputVariables`): any name may be
    /// referenced.
    Dynamic,
    /// The names listed in the action's own `outputVariables` field
    /// (Commands).
    Declared,
}

/// Whether an action declares `commands`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Commands {
    Required,
    Forbidden,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Provider {
    pub category: ActionCategory,
    pub owner: ActionOwner,
    pub provider: &'static str,
    pub version: &'static str,
    /// Configuration keys that must be present.
    pub required: &'static [&'static str],
    /// Configuration keys that may be present.
    pub optional: &'static [&'static str],
    /// Keys whose value must be one of a fixed set.
    pub allowed_values: &'static [(&'static str, &'static [&'static str])],
    /// Inclusive bounds on the number of input artifacts.
    pub inputs: (usize, usize),
    /// Inclusive bounds on the number of output artifacts.
    pub outputs: (usize, usize),
    pub output_variables: OutputVariables,
    pub commands: Commands,
    /// Whether V2 `triggers` may name an action of this provider.
    pub triggers: bool,
    /// Default `timeoutInMinutes` when the action sets none (the limits
    /// chapter of the AWS user guide; custom actions get a day).
    pub default_timeout_minutes: u32,
    pub summary: &'static str,
}

impl Provider {
    pub fn matches(&self, id: &ActionTypeId) -> bool {
        self.category == id.category
            && self.owner == id.owner
            && self.provider == id.provider
            && self.version == id.version
    }

    pub fn type_id(&self) -> ActionTypeId {
        ActionTypeId {
            category: self.category,
            owner: self.owner,
            provider: self.provider.to_string(),
            version: self.version.to_string(),
        }
    }

    /// Every configuration key this provider knows.
    pub fn known_keys(&self) -> impl Iterator<Item = &'static str> {
        self.required.iter().chain(self.optional).copied()
    }
}

const TRUE_FALSE: &[&str] = &["true", "false"];
const MINUTES_PER_DAY: u32 = 24 * 60;

/// The timeout of custom (job worker) actions.
pub const CUSTOM_ACTION_TIMEOUT_MINUTES: u32 = MINUTES_PER_DAY;

/// An hour: the limits chapter's default for most action kinds.
const ONE_HOUR: u32 = 60;

const CODE_SOURCE_VARIABLES: &[&str] =
    &["CommitId", "CommitMessage", "BranchName", "RepositoryName", "AuthorDate", "CommitterDate"];

/// The providers sluice runs itself.
pub const BUILT_IN: &[Provider] = &[
    Provider {
        category: ActionCategory::Source,
        owner: ActionOwner::Aws,
        provider: "CodeCommit",
        version: "1",
        required: &["RepositoryName", "BranchName"],
        optional: &["PollForSourceChanges", "OutputArtifactFormat"],
        allowed_values: &[
            ("PollForSourceChanges", TRUE_FALSE),
            ("OutputArtifactFormat", &["CODE_ZIP", "CODEBUILD_CLONE_REF"]),
        ],
        inputs: (0, 0),
        outputs: (1, 1),
        output_variables: OutputVariables::Fixed(CODE_SOURCE_VARIABLES),
        commands: Commands::Forbidden,
        triggers: false,
        default_timeout_minutes: ONE_HOUR,
        summary: "a git repository hosted by sluice; a push to the branch starts the pipeline",
    },
    Provider {
        category: ActionCategory::Source,
        owner: ActionOwner::Aws,
        provider: "CodeStarSourceConnection",
        version: "1",
        required: &["ConnectionArn", "FullRepositoryId", "BranchName"],
        optional: &["OutputArtifactFormat", "DetectChanges"],
        allowed_values: &[
            ("OutputArtifactFormat", &["CODE_ZIP", "CODEBUILD_CLONE_REF"]),
            ("DetectChanges", TRUE_FALSE),
        ],
        inputs: (0, 0),
        outputs: (1, 1),
        output_variables: OutputVariables::Fixed(&[
            "AuthorDate",
            "BranchName",
            "CommitId",
            "CommitMessage",
            "ConnectionArn",
            "FullRepositoryName",
            "ProviderType",
        ]),
        commands: Commands::Forbidden,
        triggers: true,
        default_timeout_minutes: ONE_HOUR,
        summary: "an external git host reached through a connection (webhooks or polling)",
    },
    Provider {
        category: ActionCategory::Source,
        owner: ActionOwner::Aws,
        provider: "S3",
        version: "1",
        required: &["S3Bucket", "S3ObjectKey"],
        optional: &["PollForSourceChanges", "AllowOverrideForS3ObjectKey"],
        allowed_values: &[("PollForSourceChanges", TRUE_FALSE), ("AllowOverrideForS3ObjectKey", TRUE_FALSE)],
        inputs: (0, 0),
        outputs: (1, 1),
        output_variables: OutputVariables::Fixed(&["ETag", "VersionId"]),
        commands: Commands::Forbidden,
        triggers: false,
        default_timeout_minutes: ONE_HOUR,
        summary: "an archive uploaded to a sluice bucket; a new version starts the pipeline",
    },
    Provider {
        category: ActionCategory::Build,
        owner: ActionOwner::Aws,
        provider: "CodeBuild",
        version: "1",
        required: &["ProjectName"],
        optional: &["PrimarySource", "BatchEnabled", "CombineArtifacts", "EnvironmentVariables"],
        allowed_values: &[("BatchEnabled", TRUE_FALSE), ("CombineArtifacts", TRUE_FALSE)],
        inputs: (1, 5),
        outputs: (0, 5),
        output_variables: OutputVariables::Dynamic,
        commands: Commands::Forbidden,
        triggers: false,
        default_timeout_minutes: 8 * ONE_HOUR,
        summary: "runs a build project with its buildspec.yml",
    },
    Provider {
        category: ActionCategory::Test,
        owner: ActionOwner::Aws,
        provider: "CodeBuild",
        version: "1",
        required: &["ProjectName"],
        optional: &["PrimarySource", "BatchEnabled", "CombineArtifacts", "EnvironmentVariables"],
        allowed_values: &[("BatchEnabled", TRUE_FALSE), ("CombineArtifacts", TRUE_FALSE)],
        inputs: (1, 5),
        outputs: (0, 5),
        output_variables: OutputVariables::Dynamic,
        commands: Commands::Forbidden,
        triggers: false,
        default_timeout_minutes: 8 * ONE_HOUR,
        summary: "runs a build project's buildspec as tests, with its reports",
    },
    Provider {
        category: ActionCategory::Compute,
        owner: ActionOwner::Aws,
        provider: "Commands",
        version: "1",
        required: &[],
        // `AgentLabels` (sluice): the labels an agent needs to run the job.
        optional: &["AgentLabels"],
        allowed_values: &[],
        inputs: (1, 10),
        outputs: (0, 1),
        output_variables: OutputVariables::Declared,
        commands: Commands::Required,
        triggers: false,
        default_timeout_minutes: ONE_HOUR,
        summary: "runs the action's commands in a fresh workspace",
    },
    Provider {
        category: ActionCategory::Approval,
        owner: ActionOwner::Aws,
        provider: "Manual",
        version: "1",
        required: &[],
        optional: &["NotificationArn", "CustomData", "ExternalEntityLink"],
        allowed_values: &[],
        inputs: (0, 0),
        outputs: (0, 0),
        output_variables: OutputVariables::Fixed(&[]),
        commands: Commands::Forbidden,
        triggers: false,
        default_timeout_minutes: 7 * MINUTES_PER_DAY,
        summary: "waits for someone allowed to approve or reject",
    },
    Provider {
        category: ActionCategory::Deploy,
        owner: ActionOwner::Aws,
        provider: "S3",
        version: "1",
        required: &["BucketName", "Extract"],
        optional: &["ObjectKey", "KMSEncryptionKeyARN", "CannedACL", "CacheControl"],
        allowed_values: &[
            ("Extract", TRUE_FALSE),
            (
                "CannedACL",
                &[
                    "private",
                    "public-read",
                    "public-read-write",
                    "aws-exec-read",
                    "authenticated-read",
                    "bucket-owner-read",
                    "bucket-owner-full-control",
                    "log-delivery-write",
                ],
            ),
        ],
        inputs: (1, 1),
        outputs: (0, 0),
        output_variables: OutputVariables::Fixed(&[]),
        commands: Commands::Forbidden,
        triggers: false,
        default_timeout_minutes: 40,
        summary: "extracts or copies the input artifact into a bucket or directory",
    },
    Provider {
        category: ActionCategory::Deploy,
        owner: ActionOwner::Aws,
        provider: "CodeDeploy",
        version: "1",
        required: &["ApplicationName", "DeploymentGroupName"],
        optional: &[],
        allowed_values: &[],
        inputs: (1, 1),
        outputs: (0, 0),
        output_variables: OutputVariables::Fixed(&["DeploymentId"]),
        commands: Commands::Forbidden,
        triggers: false,
        default_timeout_minutes: 5 * MINUTES_PER_DAY,
        summary: "deploys to a deployment group of hosts running `sluice agent`, following appspec.yml",
    },
    Provider {
        category: ActionCategory::Invoke,
        owner: ActionOwner::Aws,
        provider: "Lambda",
        version: "1",
        required: &["FunctionName"],
        optional: &["UserParameters"],
        allowed_values: &[],
        inputs: (0, 5),
        outputs: (0, 5),
        output_variables: OutputVariables::Dynamic,
        commands: Commands::Forbidden,
        triggers: false,
        default_timeout_minutes: 20,
        summary: "calls a registered function with the CodePipeline job event",
    },
    Provider {
        category: ActionCategory::Invoke,
        owner: ActionOwner::Aws,
        provider: "CodePipeline",
        version: "1",
        required: &["PipelineName"],
        optional: &["SourceRevisions", "Variables"],
        allowed_values: &[],
        inputs: (0, 0),
        outputs: (0, 0),
        output_variables: OutputVariables::Fixed(&["PipelineExecutionId"]),
        commands: Commands::Forbidden,
        triggers: false,
        default_timeout_minutes: ONE_HOUR,
        summary: "starts another pipeline",
    },
];

/// The built-in provider for an action type, if sluice runs it itself.
pub fn find(id: &ActionTypeId) -> Option<&'static Provider> {
    BUILT_IN.iter().find(|p| p.matches(id))
}

/// The built-in providers of a category, for suggestions.
pub fn in_category(category: ActionCategory) -> impl Iterator<Item = &'static Provider> {
    BUILT_IN.iter().filter(move |p| p.category == category)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_type_id_appears_once() {
        for (i, a) in BUILT_IN.iter().enumerate() {
            for b in &BUILT_IN[i + 1..] {
                assert!(a.type_id() != b.type_id(), "{} twice", a.type_id());
            }
        }
    }

    #[test]
    fn restricted_keys_are_known_keys() {
        for p in BUILT_IN {
            for (key, _) in p.allowed_values {
                assert!(p.known_keys().any(|k| k == *key), "{}: {key}", p.type_id());
            }
            assert!(p.inputs.0 <= p.inputs.1 && p.outputs.0 <= p.outputs.1);
        }
    }
}
