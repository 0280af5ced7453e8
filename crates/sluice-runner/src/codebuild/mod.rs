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
mod user;

use crate::failure::excerpt;
use crate::group::{self, Exit};
use crate::log::JobLog;
use crate::stop::Stop;
use crate::workspace::{SecondarySource, Workspace};
use crate::{Failure, RunContext, env};
use record::{Record, now_ms};
use sluice_buildspec::{Buildspec, PhaseName, Shell};
use sluice_engine::{ActionResult, Job};
use sluice_protocol::{Assignment, BuildIdentity, BuildProject, BuildRecord, PhaseStatus, PhaseType};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{ExitStatus, Stdio};
use tokio::process::Command;

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
    let job = primary_first(&assignment.job).map_err(|e| fail(record, log, "CLIENT_ERROR", e))?;
    log.line(&format!(
        "build {} of project {}{}",
        assignment.build.as_ref().map_or(job.id.as_str(), |b| b.id.as_str()),
        project.name,
        project.image.as_ref().map(|i| format!(" (image {i}: sluice runs on this machine)")).unwrap_or_default()
    ));
    record.end(PhaseStatus::Succeeded, None);

    record.begin(PhaseType::DownloadSource);
    let secondary = match ws.fetch_inputs(&job, &cx.artifacts, stop).await {
        Ok(secondary) => secondary,
        Err(failure) => return Err(stopped_or_failed(record, log, stop, failure)),
    };
    let spec = load_buildspec(project, &ws.src, log).map_err(|e| fail(record, log, "YAML_FILE_ERROR", e))?;
    let variables = environment::variables(&spec, &project.environment_variables, &overrides, &assignment.secrets)
        .map_err(|e| fail(record, log, "SECRETS_ERROR", e))?;
    let run_as = user::resolve(&spec).map_err(|e| fail(record, log, "CLIENT_ERROR", e))?;
    let plan = artifacts::plan(&job, spec.artifacts.as_ref()).map_err(|e| fail(record, log, "CLIENT_ERROR", e))?;
    let cache_dir = project.cache.enabled.then(|| cache::dir(&cx.cache_root, &project.name)).flatten();
    let (cache_paths, notes) = cache::split_paths(&spec.cache_paths);
    if let Some(dir) = &cache_dir {
        for note in notes {
            log.line(&note);
        }
        match cache::restore(dir, &ws.src) {
            Ok(0) => {}
            Ok(n) => log.line(&format!("cache: restored {n} files")),
            Err(e) => log.line(&format!("cache: could not restore: {e}")),
        }
    }
    if let Some(user) = &run_as
        && let Err(e) = user::hand_over(&ws.root, user)
    {
        return Err(fail(record, log, "CLIENT_ERROR", format!("run-as {}: {e}", user.name)));
    }
    record.end(PhaseStatus::Succeeded, None);

    // INSTALL to POST_BUILD: one shell.
    let identity = identity(assignment, project, &job);
    let script_path = ws.control.join("build.sh");
    if let Err(e) = tokio::fs::write(&script_path, script::build(&spec, &ws.control)).await {
        record.begin(PhaseType::Install);
        return Err(fail(record, log, "CLIENT_ERROR", format!("could not write the build's script: {e}")));
    }
    let mut command = Command::new("bash");
    command.arg("--noprofile").arg("--norc");
    if spec.env.shell == Shell::Sh {
        command.arg("--posix");
    }
    command.arg(&script_path);
    command.env_clear().envs(env::base()).envs(variables);
    command
        .env("HOME", &ws.root)
        .env("TMPDIR", &ws.tmp)
        .env("CODEPIPELINE_EXECUTION_ID", &job.execution_id)
        .envs(codebuild_variables(&identity, project, &job, &ws.src, &secondary, started));
    if let Some(user) = &run_as {
        log.line(&format!("running as {}", user.name));
        command.uid(user.uid).gid(user.gid);
    }
    let log_error = |e| Failure::new(format!("could not write to the job's log: {e}"));
    let (stdout, stderr) = (log.stdio().map_err(log_error)?, log.stdio().map_err(log_error)?);
    command.current_dir(&ws.src).stdin(Stdio::null()).stdout(stdout).stderr(stderr);

    let exit = group::run(command, stop, cx.kill_grace).await;
    let text = tokio::fs::read_to_string(ws.control.join(script::JOURNAL_FILE)).await.unwrap_or_default();
    let journal = journal::read(&text);
    let describe = |phase: PhaseName, block: &str, index: usize| describe_command(&spec, phase, block, index);
    let (stopped, exit_text) = match &exit {
        Ok(Exit::Stopped(stopped)) => (Some(*stopped), String::new()),
        Ok(Exit::Finished(status)) => (None, describe_exit(*status)),
        Err(e) => (None, format!("bash could not start: {e}")),
    };
    if let Err(e) = &exit {
        record.begin(PhaseType::Install);
        return Err(fail(record, log, "CLIENT_ERROR", format!("could not start bash: {e}")));
    }
    let first_failure = record.shell_phases(&journal, &describe, stopped, &exit_text);

    let exported = tokio::fs::read(ws.control.join(script::EXPORTED_FILE)).await.unwrap_or_default();
    build.exported_variables = crate::script::parse_variables(&exported, &spec.env.exported_variables);
    build.reports = reports::collect(&ws.src, &spec.reports, log);

    if let Some(stopped) = stopped {
        return Err(Failure::new(stopped.message()));
    }
    if !journal.done {
        let message = first_failure.unwrap_or_else(|| format!("the build shell ended early ({exit_text})"));
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
    if let Some(dir) = &cache_dir
        && !cache_paths.is_empty()
    {
        let (dir, src, paths, tag) = (dir.clone(), ws.src.clone(), cache_paths.clone(), job.id.clone());
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

/// The job with its primary source first: the `PrimarySource`
/// configuration names it when there are several inputs.
fn primary_first(job: &Job) -> Result<Job, String> {
    let mut job = job.clone();
    if let Some(primary) = job.configuration.get("PrimarySource").filter(|p| !p.is_empty()) {
        let index = job
            .input_artifacts
            .iter()
            .position(|a| &a.name == primary)
            .ok_or_else(|| format!("PrimarySource `{primary}` is not one of the action's input artifacts"))?;
        let first = job.input_artifacts.remove(index);
        job.input_artifacts.insert(0, first);
    } else if job.input_artifacts.len() > 1 {
        return Err("the action has several input artifacts: set PrimarySource to the one holding the buildspec".into());
    }
    Ok(job)
}

/// The project's buildspec: inline YAML, or a path in the primary source.
fn load_buildspec(project: &BuildProject, src: &Path, log: &JobLog) -> Result<Buildspec, String> {
    let setting = project.buildspec.as_deref().map(str::trim).filter(|b| !b.is_empty());
    if setting.is_some_and(|b| b.starts_with("arn:")) {
        return Err("a buildspec in S3 (an ARN) is not supported: give it inline or as a path in the source".into());
    }
    let (name, text) = match setting {
        Some(inline) if inline.contains(':') || inline.contains('\n') => {
            (format!("{} (inline buildspec)", project.name), inline.to_owned())
        }
        path => {
            let path = path.unwrap_or(sluice_buildspec::DEFAULT_FILE);
            if !files::is_inside(path) {
                return Err(format!("buildspec path `{path}` is outside the source directory"));
            }
            let text = std::fs::read_to_string(src.join(path))
                .map_err(|e| format!("could not read the buildspec {path} from the primary source: {e}"))?;
            (path.to_owned(), text)
        }
    };
    let parsed = sluice_buildspec::parse(&text);
    for warning in parsed.warnings() {
        log.line(&sluice_buildspec::one_line(warning, &name));
    }
    match parsed.buildspec {
        Some(spec) => Ok(spec),
        None => {
            let errors: Vec<_> = parsed.errors().cloned().collect();
            Err(sluice_buildspec::summary(&errors, &name))
        }
    }
}

fn identity(assignment: &Assignment, project: &BuildProject, job: &Job) -> BuildIdentity {
    assignment.build.clone().unwrap_or_else(|| {
        let id = format!("{}:{}", project.name, job.id);
        let arn = match project.arn.split_once(":project/") {
            Some((prefix, _)) => format!("{prefix}:build/{id}"),
            None => format!("arn:aws:codebuild:local:000000000000:build/{id}"),
        };
        BuildIdentity { id, arn, number: 1, initiator: format!("codepipeline/{}", job.pipeline_name) }
    })
}

fn codebuild_variables(
    identity: &BuildIdentity,
    project: &BuildProject,
    job: &Job,
    src: &Path,
    secondary: &[SecondarySource],
    started: i64,
) -> Vec<(String, String)> {
    let mut vars = vec![
        ("CODEBUILD_BUILD_ID".to_owned(), identity.id.clone()),
        ("CODEBUILD_BUILD_ARN".to_owned(), identity.arn.clone()),
        ("CODEBUILD_BUILD_NUMBER".to_owned(), identity.number.to_string()),
        ("CODEBUILD_INITIATOR".to_owned(), identity.initiator.clone()),
        ("CODEBUILD_PROJECT_ARN".to_owned(), project.arn.clone()),
        ("CODEBUILD_SRC_DIR".to_owned(), src.to_string_lossy().into_owned()),
        ("CODEBUILD_START_TIME".to_owned(), started.to_string()),
    ];
    if let Some(image) = &project.image {
        vars.push(("CODEBUILD_BUILD_IMAGE".to_owned(), image.clone()));
    }
    if let Some(revision) = &job.revision {
        vars.push(("CODEBUILD_RESOLVED_SOURCE_VERSION".to_owned(), revision.clone()));
        vars.push(("CODEBUILD_SOURCE_VERSION".to_owned(), revision.clone()));
    }
    for source in secondary {
        vars.push((format!("CODEBUILD_SRC_DIR_{}", source.name), source.dir.to_string_lossy().into_owned()));
    }
    vars
}

fn describe_command(spec: &Buildspec, phase: PhaseName, block: &str, index: usize) -> String {
    let phase = spec.phase(phase);
    let list = match block {
        "finally" => phase.map(|p| p.finally.as_slice()),
        _ => phase.map(|p| p.commands.as_slice()),
    };
    match list.and_then(|l| l.get(index.wrapping_sub(1))) {
        Some(command) => excerpt(command, 80),
        None => format!("{block} {index}"),
    }
}

fn describe_exit(status: ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("signal {signal}"),
        (None, None) => "unknown status".to_owned(),
    }
}
