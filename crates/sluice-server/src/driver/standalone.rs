//! Jobs outside any pipeline (CodeBuild's `StartBuild`): run by this
//! server's embedded runner at once, cancellable like pipeline jobs.

use super::Driver;
use super::executor::run_context;
use sluice_protocol::{Assignment, RunOutcome};

impl Driver {
    /// Runs `assignment` in this process to its end; `cancel_job` with its
    /// job id stops it. Returns `None` when the driver shuts down first.
    pub async fn run_standalone(&self, assignment: &Assignment) -> Option<RunOutcome> {
        let job_id = assignment.job.id.clone();
        let cancel = self.inner.shutdown.child_token();
        self.inner.running.lock().expect("running jobs lock").insert(job_id.clone(), cancel.clone());
        let cx = run_context(self, &job_id, cancel.clone());
        let outcome = sluice_runner::run_assignment(assignment, &cx).await;
        self.inner.running.lock().expect("running jobs lock").remove(&job_id);
        (!self.inner.shutdown.is_cancelled()).then_some(outcome)
    }

    /// Stops a job this process runs; false when it runs none by that id.
    pub fn cancel_job(&self, job_id: &str) -> bool {
        match self.inner.running.lock().expect("running jobs lock").get(job_id) {
            Some(cancel) => {
                cancel.cancel();
                true
            }
            None => false,
        }
    }
}
