//! sluice's execution engine: CodePipeline's rules as a deterministic state
//! machine.
//!
//! [`apply`] takes one pipeline's coordination state, the declarations its
//! executions run, one [`Event`], the time and a source of fresh ids, and
//! changes the state and returns the [`Effect`]s to carry out. It does no IO
//! and reads no clock, so tests drive it step by step and crash recovery is
//! "load the state, apply the next event".

mod apply;
mod effect;
mod error;
mod event;
mod execution;
mod ids;
mod state;

pub use apply::{Declarations, Outcome, apply};
pub use effect::{Effect, InputArtifactRef, Job, JobKind, Notification, TimerKind};
pub use error::Rejection;
pub use event::{ActionResult, ApprovalDecision, Event, RetryMode, StartRequest};
pub use execution::{
    ActionAttempt, ActionRun, ArtifactLocation, AuditEntry, Execution, ExecutionType, Position, SourceRevision,
    StageRun, Trigger,
};
pub use ids::{Ids, SequentialIds};
pub use state::{PendingTimer, PipelineState, RollbackPoint, StageGate, Transition};

/// Milliseconds since the Unix epoch: the engine's only notion of time.
pub type Millis = i64;
