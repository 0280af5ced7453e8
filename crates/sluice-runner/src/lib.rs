//! Runs one job (one action execution) as real processes on this machine,
//! in a fresh workspace, and reports how it went as an [`ActionResult`].
//!
//! Providers run here: Compute/Commands (the commands in one bash process
//! group, killed as a whole on cancel or timeout), Build|Test/CodeBuild (a
//! buildspec run phase by phase, see `codebuild/`), Source/CodeCommit (a
//! repository hosted by sluice) and Deploy/S3 (into a sluice bucket, a
//! directory or an S3-compatible store). Any other provider fails clearly.

mod codebuild;
mod codecommit;
mod commands;
mod deploy_s3;
mod env;
mod failure;
mod git;
mod group;
mod log;
mod outputs;
mod script;
mod stop;
mod targets;
mod workspace;

use failure::{Failure, failed};
use sluice_artifacts::ArtifactStore;
use sluice_engine::{ActionResult, Job};
use sluice_model::{ActionCategory, ActionOwner};
use sluice_protocol::{Assignment, RunOutcome};
use std::path::PathBuf;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

pub use log::OnLog;
pub use targets::{DeployTargets, parse_deploy_bucket};
pub use workspace::KEEP_WORKSPACES_VAR;

/// What a job runs with, besides the job itself.
#[derive(Clone)]
pub struct RunContext {
    /// Workspaces are created under it, one per job: `work_root/<job id>`.
    pub work_root: PathBuf,
    pub artifacts: ArtifactStore,
    /// Bare repositories of Source/CodeCommit: `repos_root/<name>.git`.
    pub repos_root: PathBuf,
    /// The buckets Deploy/S3 actions deploy to.
    pub deploy_targets: DeployTargets,
    /// The job's processes and the runner append their output here.
    pub log_path: PathBuf,
    /// Fires to stop the job (stop-and-abandon, supersede).
    pub cancel: CancellationToken,
    /// Between SIGTERM and SIGKILL when the job is stopped.
    pub kill_grace: Duration,
    /// CodeBuild projects' local caches: `cache_root/<project name>`.
    pub cache_root: PathBuf,
    /// Called whenever the log file grew (live followers, log upload).
    pub on_log: Option<OnLog>,
}

impl std::fmt::Debug for RunContext {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RunContext")
            .field("work_root", &self.work_root)
            .field("repos_root", &self.repos_root)
            .field("log_path", &self.log_path)
            .field("kill_grace", &self.kill_grace)
            .finish_non_exhaustive()
    }
}

/// Runs `job` alone (no project, no secrets) to its end; see [`run_assignment`].
pub async fn run(job: &Job, cx: &RunContext) -> ActionResult {
    let assignment = Assignment {
        job: job.clone(),
        lease_token: 0,
        lease_ms: 0,
        project: None,
        build: None,
        secrets: Default::default(),
    };
    run_assignment(&assignment, cx).await.result
}

/// Runs an assigned job to its end. Never panics and never returns an
/// error: every failure is a failed result whose `error` is one line for
/// the user. Dropping the returned future kills the job's processes.
pub async fn run_assignment(assignment: &Assignment, cx: &RunContext) -> RunOutcome {
    let mut task = AbortOnDrop(tokio::spawn({
        let (assignment, cx) = (assignment.clone(), cx.clone());
        async move { run_job(&assignment, &cx).await }
    }));
    let mut outcome = match (&mut task.0).await {
        Ok(outcome) => outcome,
        Err(e) => failed(&format!("the runner stopped unexpectedly: {e}")).into(),
    };
    mask_outcome(&mut outcome, &assignment.secrets);
    outcome
}

/// What a job reports is read by anyone who may read the pipeline or the
/// build: secret values in it are masked as in the log.
fn mask_outcome(outcome: &mut RunOutcome, secrets: &std::collections::BTreeMap<String, String>) {
    if secrets.is_empty() {
        return;
    }
    let masker = log::Masker::new(secrets.values());
    let result = &mut outcome.result;
    for value in result.output_variables.values_mut() {
        *value = masker.mask_text(value);
    }
    for text in [&mut result.summary, &mut result.error].into_iter().flatten() {
        *text = masker.mask_text(text);
    }
    if let Some(build) = &mut outcome.build {
        for value in build.exported_variables.values_mut() {
            *value = masker.mask_text(value);
        }
        for case in build.reports.iter_mut().flat_map(|r| r.test_cases.iter_mut()) {
            if let Some(message) = &mut case.message {
                *message = masker.mask_text(message);
            }
        }
        for context in build.phases.iter_mut().flat_map(|p| p.contexts.iter_mut()) {
            context.message = masker.mask_text(&context.message);
        }
    }
}

enum Provider {
    Commands,
    CodeBuild,
    CodeCommit,
    DeployS3,
}

fn provider(job: &Job) -> Option<Provider> {
    let id = &job.action_type_id;
    match (id.category, id.owner, id.provider.as_str()) {
        (ActionCategory::Compute, ActionOwner::Aws, "Commands") => Some(Provider::Commands),
        (ActionCategory::Build | ActionCategory::Test, ActionOwner::Aws, "CodeBuild") => Some(Provider::CodeBuild),
        (ActionCategory::Source, ActionOwner::Aws, "CodeCommit") => Some(Provider::CodeCommit),
        (ActionCategory::Deploy, ActionOwner::Aws, "S3") => Some(Provider::DeployS3),
        _ => None,
    }
}

async fn run_job(assignment: &Assignment, cx: &RunContext) -> RunOutcome {
    let job = &assignment.job;
    let id = &job.action_type_id;
    let Some(provider) = provider(job) else {
        return failed(&format!("sluice does not run {}/{} actions yet", id.category, id.provider)).into();
    };
    let log = match log::JobLog::open(&cx.log_path, &assignment.secrets, cx.on_log.clone()) {
        Ok(log) => log,
        Err(e) => return failed(&format!("could not open the job's log {}: {e}", cx.log_path.display())).into(),
    };
    log.line(&format!("{} {}/{} in stage {}, job {}", job.action, id.category, id.provider, job.stage, job.id));
    // A build also ends at its project's timeout, as CodeBuild's do, when
    // that comes before the action's.
    let deadline = match &assignment.project {
        Some(project) if matches!(provider, Provider::CodeBuild) => {
            let started = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
            job.deadline.min(started.saturating_add(i64::from(project.timeout_in_minutes).saturating_mul(60_000)))
        }
        _ => job.deadline,
    };
    let stop = stop::Stop::new(cx.cancel.clone(), deadline);
    let (result, build) = match workspace::Workspace::create(&cx.work_root, &job.id).await {
        Err(failure) => (Err(failure), None),
        Ok(ws) => {
            let result = match provider {
                Provider::Commands => (commands::run(job, cx, &ws, &log, &stop).await, None),
                Provider::CodeBuild => codebuild::run(assignment, cx, &ws, &log, &stop).await,
                Provider::CodeCommit => (codecommit::run(job, cx, &ws, &stop).await, None),
                Provider::DeployS3 => (deploy_s3::run(job, cx, &ws, &log, &stop).await, None),
            };
            ws.finish(&log).await;
            result
        }
    };
    let mut result = match result {
        Ok(result) => {
            log.line("succeeded");
            result
        }
        Err(failure) => {
            log.line(&format!("failed: {}", failure.message()));
            failure.into_result()
        }
    };
    // A failed build is still a build a user wants to open.
    if build.is_some() && result.external_execution_id.is_none() {
        result.external_execution_id = assignment.build.as_ref().map(|b| b.id.clone());
    }
    RunOutcome { result, build }
}

/// The job runs in its own task so that a panic becomes a failed result;
/// dropping [`run`] must still stop it.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod testing {
    use sluice_engine::{Job, JobKind};
    use sluice_model::{ActionCategory, ActionOwner, ActionTypeId};

    pub(crate) fn job() -> Job {
        Job {
            id: "job-1".into(),
            kind: JobKind::Compute,
            pipeline_name: "pipe".into(),
            pipeline_version: 1,
            execution_id: "exec-1".into(),
            stage: "Build".into(),
            action: "Run".into(),
            action_type_id: ActionTypeId {
                category: ActionCategory::Compute,
                owner: ActionOwner::Aws,
                provider: "Commands".into(),
                version: "1".into(),
            },
            configuration: Default::default(),
            commands: None,
            environment_variables: vec![],
            input_artifacts: vec![],
            output_artifacts: vec![],
            output_variables: vec![],
            revision: None,
            deadline: i64::MAX,
        }
    }
}
