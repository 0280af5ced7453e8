//! The engine's one write path: a state change and everything it implies, in one transaction.

use serde_json::Value;

use crate::error::{Error, Result};
use crate::rows::{ExecutionRow, NewJob, TimerRow};

/// Everything one engine step writes. `Store::commit` applies all of it or none of it, so a crash
/// between "decided" and "done" leaves either the old state or the new state with its effects in
/// the outbox, never half of each.
///
/// Checks run in this order, and the first that fails aborts the whole commit:
/// 1. the state revision (`Error::Conflict`; `Error::NotFound` if the pipeline does not exist),
/// 2. the idempotency token (`Error::DuplicateToken`),
/// 3. the completed job's lease (`Error::StaleLease`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Commit {
    pub pipeline: String,
    /// The revision the state was loaded at; `None` means no state row may exist yet.
    pub expected_revision: Option<i64>,
    /// The engine's new coordination state for the pipeline.
    pub state: Value,
    /// Inserted, or updated (status, updated_at, body) when the id exists.
    pub executions: Vec<ExecutionRow>,
    /// Inserted as `queued`.
    pub new_jobs: Vec<NewJob>,
    /// Sets `cancel_requested`; a job still queued becomes `cancelled` at once. Finished or unknown
    /// jobs are left alone.
    pub cancel_jobs: Vec<String>,
    /// (job id, lease token): marks the job `done`. It must be leased under exactly this token,
    /// else `Error::StaleLease`: this fencing check is why a result is never recorded twice.
    pub complete_job: Option<(String, i64)>,
    /// The result stored on the completed job.
    pub job_result: Option<Value>,
    /// Inserted, or moved (due_at, payload) when the id exists.
    pub set_timers: Vec<TimerRow>,
    /// Deleted (this pipeline's timers only); unknown ids are ignored.
    pub clear_timers: Vec<String>,
    /// Effects to carry out after the commit, in order.
    pub outbox: Vec<Value>,
    /// (client request token, execution id) for StartPipelineExecution's clientRequestToken.
    pub idempotency: Option<(String, String)>,
    pub now: i64,
}

impl Commit {
    /// Refuses commits that would write rows of another pipeline, before the database is touched:
    /// one commit is one pipeline's step, and its revision check only guards that pipeline.
    pub(crate) fn validate(&self) -> Result<()> {
        if let Some(e) = self.executions.iter().find(|e| e.pipeline != self.pipeline) {
            return Err(Error::Invalid(format!(
                "execution {} belongs to pipeline {}, not {}",
                e.id, e.pipeline, self.pipeline
            )));
        }
        if let Some(t) = self.set_timers.iter().find(|t| t.pipeline != self.pipeline) {
            return Err(Error::Invalid(format!(
                "timer {} belongs to pipeline {}, not {}",
                t.id, t.pipeline, self.pipeline
            )));
        }
        if self.job_result.is_some() && self.complete_job.is_none() {
            return Err(Error::Invalid("job_result without complete_job".into()));
        }
        Ok(())
    }
}
