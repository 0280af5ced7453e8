//! Jobs outside any pipeline (CodeBuild's `StartBuild`): run by this
//! server's embedded runner at once, and stopped by `cancel_standalone`.

use super::Driver;
use sluice_protocol::{Assignment, RunOutcome};
use std::sync::Arc;

impl Driver {
    /// Runs `assignment` in this process to its end. Returns `None` when the
    /// driver shuts down first.
    pub async fn run_standalone(&self, assignment: &Assignment) -> Option<RunOutcome> {
        let job_id = assignment.job.id.clone();
        let cancel = self.inner.shutdown.child_token();
        self.inner.standalone.lock().expect("standalone jobs lock").insert(job_id.clone(), cancel.clone());
        let options = &self.inner.options;
        let driver = self.clone();
        let on_log_job = job_id.clone();
        let cx = sluice_runner::RunContext {
            work_root: options.data_dir.join("work"),
            artifacts: self.inner.artifacts.clone(),
            repos_root: options.data_dir.join("repos"),
            deploy_targets: self.inner.deploy_targets.clone(),
            log_path: self.log_path(&job_id),
            cancel,
            kill_grace: options.kill_grace,
            cache_root: options.data_dir.join("cache"),
            on_log: Some(Arc::new(move || driver.log_appended(&on_log_job))),
        };
        let outcome = sluice_runner::run_assignment(assignment, &cx).await;
        self.inner.standalone.lock().expect("standalone jobs lock").remove(&job_id);
        self.log_appended(&job_id);
        (!self.inner.shutdown.is_cancelled()).then_some(outcome)
    }

    /// Stops a standalone job this process runs; false when it runs none
    /// by that id.
    pub fn cancel_standalone(&self, job_id: &str) -> bool {
        match self.inner.standalone.lock().expect("standalone jobs lock").get(job_id) {
            Some(cancel) => {
                cancel.cancel();
                true
            }
            None => false,
        }
    }
}
