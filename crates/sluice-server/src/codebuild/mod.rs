//! Build projects and builds (the CodeBuild role), apart from the wire
//! protocol: what a claim needs to run a CodeBuild action (`assignment`),
//! and what a finished run leaves behind (`finish`: the build record and its
//! test reports). Everything lives in the store's resources table; the AWS
//! operations in `crate::aws::codebuild` read and write it through here.

pub mod arn;
pub mod builds;
pub mod jobs;
pub mod projects;
pub mod reports;

/// Resource kinds in the store.
pub const PROJECT: &str = "codebuild-project";
pub const BUILD: &str = "codebuild-build";
pub const REPORT_GROUP: &str = "codebuild-report-group";
pub const REPORT: &str = "codebuild-report";
/// Marks a build started by `StartBuild` while it runs.
pub const STANDALONE: &str = "codebuild-standalone-running";
