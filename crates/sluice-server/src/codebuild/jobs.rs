//! Where CodeBuild meets the job protocol: a claim of a CodeBuild action
//! gets its project and a new build (`prepare`); its reported outcome
//! completes that build and stores its test reports (`link`, then `record`
//! once the result is accepted). The embedded agent and remote agents go
//! through these functions.

use super::{BUILD, builds, projects, reports};
use sluice_engine::Job;
use sluice_model::{ActionCategory, ActionOwner};
use sluice_protocol::{Assignment, RunOutcome};
use sluice_store::Store;

fn project_name(job: &Job) -> Option<&str> {
    let id = &job.action_type_id;
    let codebuild = matches!(id.category, ActionCategory::Build | ActionCategory::Test)
        && id.owner == ActionOwner::Aws
        && id.provider == "CodeBuild";
    if codebuild { job.configuration.get("ProjectName").map(String::as_str) } else { None }
}

/// A claimed CodeBuild action's project and new build; `None` when the job
/// is not a CodeBuild action or its project does not exist (the runner then
/// fails it with that reason).
pub async fn prepare(store: &Store, assignment: &mut Assignment, now: i64) {
    let Some(name) = project_name(&assignment.job).map(str::to_owned) else { return };
    match projects::load(store, &name).await {
        Ok(Some(row)) => {
            assignment.project = Some(projects::for_runner(&row.body));
            let initiator = format!("codepipeline/{}", assignment.job.pipeline_name);
            match builds::begin(store, &row, &assignment.job.id, &initiator, now, now).await {
                Ok(identity) => assignment.build = Some(identity),
                Err(e) => tracing::warn!(project = %name, error = %e, "the build record could not be created"),
            }
        }
        Ok(None) => {}
        Err(e) => tracing::warn!(project = %name, error = %e, "the build project could not be read"),
    }
}

/// Whether the job is a CodeBuild action (which reads its buildspec, and
/// the secrets it names, only once it runs).
pub fn is_codebuild(job: &Job) -> bool {
    project_name(job).is_some()
}

/// Points a CodeBuild action's result at its build (the action's
/// `externalExecutionId`), before the result is committed.
pub fn link(job: &Job, outcome: &mut RunOutcome) {
    if let Some(name) = project_name(job) {
        outcome.result.external_execution_id = Some(builds::id_for_job(name, &job.id));
    }
}

/// Records what a CodeBuild run left (the build's phases, status and
/// reports), once its result was accepted: a refused report (a stale lease)
/// leaves the build to the job's current holder.
pub async fn record(store: &Store, job: &Job, outcome: &RunOutcome, now: i64) {
    let Some(name) = project_name(job) else { return };
    let build_id = builds::id_for_job(name, &job.id);
    let row = match store.get_resource(BUILD, &build_id).await {
        Ok(Some(row)) => row,
        Ok(None) => return,
        Err(e) => {
            tracing::warn!(build = %build_id, error = %e, "the build record could not be read");
            return;
        }
    };
    let build_arn = row.body["arn"].as_str().unwrap_or_default().to_owned();
    let test_reports = outcome.build.as_ref().map(|b| b.reports.as_slice()).unwrap_or_default();
    let stored = reports::store_all(store, &build_arn, name, &build_id, &build_arn, test_reports, now).await;
    let report_arns = stored.unwrap_or_else(|e| {
        tracing::warn!(build = %build_id, error = %e, "the build's test reports could not be stored");
        Vec::new()
    });
    if let Err(e) = builds::complete(store, &build_id, outcome, job.revision.as_deref(), &report_arns, now).await {
        tracing::warn!(build = %build_id, error = %e, "the build record could not be completed");
    }
}
