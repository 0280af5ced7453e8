//! What the server and its agents (the embedded one in process, `sluice
//! agent` over HTTP) exchange about one job: the [`Assignment`] a claim
//! hands out, and the [`RunOutcome`] the agent reports. Plain serde types, no
//! IO, so both sides and the runner agree on one definition.

mod assignment;
mod build;

pub use assignment::{Assignment, BuildIdentity, BuildProject, ProjectCache, ProjectVariable, ProjectVariableType};
pub use build::{
    BuildPhase, BuildRecord, PhaseContext, PhaseStatus, PhaseType, ReportStatus, RunOutcome, TestCase, TestCaseStatus,
    TestReport,
};
