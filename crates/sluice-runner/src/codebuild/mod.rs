//! Build/AWS/CodeBuild and Test/AWS/CodeBuild: a build of the assignment's
//! project, its buildspec run phase by phase in one bash process, recorded
//! as CodeBuild records builds (phases, exported variables, test reports).

mod artifacts;
mod cache;
mod environment;
mod files;
mod journal;
mod junit;
mod record;
mod reports;
mod script;
mod shell;
mod source;
mod user;

use crate::log::JobLog;
use crate::stop::Stop;
use crate::workspace::SecondarySource;
use crate::workspace::Workspace;
use crate::{Failure, RunContext};
use record::{Record, now_ms};
use sluice_buildspec::{Artifacts, Buildspec, PhaseName};
use sluice_engine::{ActionResult, Job};
use sluice_protocol::{Assignment, BuildProject, BuildRecord, PhaseStatus, PhaseType, ProjectVariable};
use std::path::PathBuf;

/// Runs the build; the record is there whenever the build got a project.
pub(crate) async fn run(
    assignment: &Assignment,
    cx: &RunContext,
    ws: &Workspace,
    log: &JobLog,
    stop: &Stop,
) -> (Result<ActionResult, Failure>, Option<BuildRecord>) {
    let mut record = Record::new();
    let mut build = BuildRecord::default();
    let result = run_build(assignment, cx, ws, log, stop, &mut record, &mut build).await;
    record.finish();
    build.phases = record.phases;
    (result, Some(build))
}

/// Ends the phase under way as failed and hands the failure back.
fn fail(record: &mut Record, log: &JobLog, code: &str, message: String) -> Failure {
    for line in message.lines() {
        log.line(line);
    }
    let first = message.lines().next().unwrap_or_default().to_owned();
    record.end(PhaseStatus::Failed, Some((code, message)));
    Failure::new(first)
}

async fn run_build(
    assignment: &Assignment,
    cx: &RunContext,
    ws: &Workspace,
    log: &JobLog,
    stop: &Stop,
    record: &mut Record,
    build: &mut BuildRecord,
) -> Result<ActionResult, Failure> {
    let started = now_ms();
    record.begin(PhaseType::Provisioning);
    let configured = assignment.job.configuration.get("ProjectName").cloned().unwrap_or_default();
    let Some(project) = &assignment.project else {
        let message = format!("build project {configured} was not found");
        return Err(fail(record, log, "CLIENT_ERROR", message));
    };
    let overrides = environment::action_overrides(&assignment.job.configuration)
        .map_err(|e| fail(record, log, "CLIENT_ERROR", e))?;
    let job = source::primary_first(&assignment.job).map_err(|e| fail(record, log, "CLIENT_ERROR", e))?;
    log.line(&format!(
        "build {} of project {}{}",
        assignment.build.as_ref().map_or(job.id.as_str(), |b| b.id.as_str()),
        project.name,
        project.image.as_ref().map(|i| format!(" (image {i}: sluice runs on this machine)")).unwrap_or_default()
    ));
    record.end(PhaseStatus::Succeeded, None);

    record.begin(PhaseType::DownloadSource);
    let prepared = download_source(assignment, project, &job, &overrides, cx, ws, log, stop, record).await?;
    record.end(PhaseStatus::Succeeded, None);
    let Prepared { spec, variables, run_as, plan, cache, secondary } = prepared;

    // INSTALL to POST_BUILD: one shell.
    let identity = environment::identity(assignment, project, &job);
    let mut all = variables;
    all.push(("CODEPIPELINE_EXECUTION_ID".to_owned(), job.execution_id.clone()));
    all.extend(environment::codebuild(&identity, project, &job, &ws.src, &secondary, started));
    let ran = match shell::run(&spec, ws, all, run_as.as_ref(), log, stop, cx.kill_grace).await {
        Ok(ran) => ran,
        Err(e) => {
            record.begin(PhaseType::Install);
            return Err(fail(record, log, "CLIENT_ERROR", e));
        }
    };
    let (journal, stopped) = (&ran.journal, ran.stopped);
    let describe = |phase: PhaseName, block: &str, index: usize| shell::describe_command(&spec, phase, block, index);
    let first_failure = record.shell_phases(journal, &describe, stopped, &ran.exit);

    let exported = tokio::fs::read(ws.control.join(script::EXPORTED_FILE)).await.unwrap_or_default();
    let exportable = environment::exportable(&spec.env.exported_variables, &project.environment_variables, &overrides);
    for name in spec.env.exported_variables.iter().filter(|n| !exportable.contains(n)) {
        log.line(&format!("`{name}` is not exported: it holds a secret of the project"));
    }
    build.exported_variables = crate::script::parse_variables(&exported, &exportable);
    build.reports = reports::collect(&ws.src, &spec.reports, log);

    if let Some(stopped) = stopped {
        return Err(Failure::new(stopped.message()));
    }
    if !journal.done {
        let message = first_failure.unwrap_or_else(|| format!("the build shell ended early ({})", ran.exit));
        log.line(&message);
        return Err(Failure::new(message));
    }
    if journal.aborted {
        let message = first_failure.unwrap_or_else(|| "the build was aborted".to_owned());
        log.line(&message);
        return Err(Failure::new(message));
    }

    record.begin(PhaseType::UploadArtifacts);
    let uploaded = artifacts::upload(&job, cx, &ws.src, &ws.control, &plan, log, stop).await;
    let output_artifacts = match uploaded {
        Ok(stored) => {
            record.end(PhaseStatus::Succeeded, None);
            stored
        }
        Err(failure) => {
            let failure = stopped_or_failed(record, log, stop, failure);
            return Err(Failure::new(first_failure.unwrap_or_else(|| failure.message().to_owned())));
        }
    };
    if let Some((dir, paths)) = cache.filter(|(_, paths)| !paths.is_empty()) {
        let (src, tag) = (ws.src.clone(), job.id.clone());
        match tokio::task::spawn_blocking(move || cache::save(&dir, &src, &paths, &tag)).await {
            Ok(Ok(n)) => log.line(&format!("cache: saved {n} files")),
            Ok(Err(e)) => log.line(&format!("cache: could not save: {e}")),
            Err(e) => log.line(&format!("cache: could not save: {e}")),
        }
    }
    if let Some(message) = first_failure {
        log.line(&message);
        return Err(Failure::new(message));
    }
    Ok(ActionResult {
        succeeded: true,
        external_execution_id: Some(identity.id.clone()),
        output_variables: build.exported_variables.clone(),
        output_artifacts,
        ..ActionResult::default()
    })
}

/// What DOWNLOAD_SOURCE leaves for the phases after it.
struct Prepared {
    spec: Buildspec,
    variables: Vec<(String, String)>,
    run_as: Option<user::User>,
    /// Which buildspec artifacts make which output artifacts.
    plan: Vec<(String, Artifacts)>,
    /// The project's cache directory and the paths to keep in it.
    cache: Option<(PathBuf, Vec<String>)>,
    secondary: Vec<SecondarySource>,
}

/// DOWNLOAD_SOURCE: the inputs, the buildspec and everything decided from
/// it before a command runs (variables, secrets, user, artifacts, cache).
#[allow(clippy::too_many_arguments)]
async fn download_source(
    assignment: &Assignment,
    project: &BuildProject,
    job: &Job,
    overrides: &[ProjectVariable],
    cx: &RunContext,
    ws: &Workspace,
    log: &JobLog,
    stop: &Stop,
    record: &mut Record,
) -> Result<Prepared, Failure> {
    let secondary = match ws.fetch_inputs(job, &cx.artifacts, stop).await {
        Ok(secondary) => secondary,
        Err(failure) => return Err(stopped_or_failed(record, log, stop, failure)),
    };
    let spec = source::load_buildspec(project, &ws.src, log).map_err(|e| fail(record, log, "YAML_FILE_ERROR", e))?;
    let variables = environment::variables(&spec, &project.environment_variables, overrides, &assignment.secrets)
        .map_err(|e| fail(record, log, "SECRETS_ERROR", e))?;
    let run_as = user::resolve(&spec).map_err(|e| fail(record, log, "CLIENT_ERROR", e))?;
    let plan = artifacts::plan(job, spec.artifacts.as_ref()).map_err(|e| fail(record, log, "CLIENT_ERROR", e))?;
    let plan = plan.into_iter().map(|(name, artifacts)| (name, artifacts.clone())).collect();
    let mut cache = None;
    if let Some(dir) = project.cache.enabled.then(|| cache::dir(&cx.cache_root, &project.name)).flatten() {
        let (paths, notes) = cache::split_paths(&spec.cache_paths);
        for note in notes {
            log.line(&note);
        }
        let (from, to) = (dir.clone(), ws.src.clone());
        match tokio::task::spawn_blocking(move || cache::restore(&from, &to)).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => log.line(&format!("cache: restored {n} files")),
            Ok(Err(e)) => log.line(&format!("cache: could not restore: {e}")),
            Err(e) => log.line(&format!("cache: could not restore: {e}")),
        }
        cache = Some((dir, paths));
    }
    if let Some(user) = &run_as
        && let Err(e) = user::hand_over(&ws.root, user)
    {
        return Err(fail(record, log, "CLIENT_ERROR", format!("run-as {}: {e}", user.name)));
    }
    Ok(Prepared { spec, variables, run_as, plan, cache, secondary })
}

/// A failure of the phase under way: STOPPED or TIMED_OUT when the build
/// was being stopped, FAILED otherwise.
fn stopped_or_failed(record: &mut Record, log: &JobLog, stop: &Stop, failure: Failure) -> Failure {
    match stop.check() {
        Some(crate::stop::Stopped::TimedOut) => {
            record.end(PhaseStatus::TimedOut, Some(("BUILD_TIMED_OUT", failure.message().to_owned())));
            failure
        }
        Some(crate::stop::Stopped::Cancelled) => {
            record.end(PhaseStatus::Stopped, Some(("BUILD_STOPPED", failure.message().to_owned())));
            failure
        }
        None => fail(record, log, "CLIENT_ERROR", failure.message().to_owned()),
    }
}
