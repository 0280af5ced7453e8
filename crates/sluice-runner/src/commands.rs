//! Compute/AWS/Commands: the action's `commands` in one bash process.

use crate::failure::excerpt;
use crate::group::{self, Exit};
use crate::log::JobLog;
use crate::script::{self, STEP_FILE, VARIABLES_FILE};
use crate::stop::Stop;
use crate::workspace::Workspace;
use crate::{Failure, RunContext, env, outputs};
use sluice_engine::{ActionResult, Job};
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use tokio::process::Command;

pub(crate) async fn run(
    job: &Job,
    cx: &RunContext,
    ws: &Workspace,
    log: &JobLog,
    stop: &Stop,
) -> Result<ActionResult, Failure> {
    let commands = job.commands.as_deref().unwrap_or_default();
    if commands.is_empty() {
        return Err(Failure::new("the action has no commands to run"));
    }
    let declared_env = env::declared(job)?;
    if let Some(bad) = job.output_variables.iter().find(|name| !script::is_identifier(name)) {
        return Err(Failure::new(format!("output variable `{bad}` is not a valid shell variable name")));
    }
    if job.output_artifacts.len() > 1 {
        return Err(Failure::new("a Commands action produces at most one output artifact"));
    }

    let secondary = ws.fetch_inputs(job, &cx.artifacts, stop).await?;
    let script_path = ws.control.join("script.sh");
    let script = script::build(commands, &job.output_variables, &ws.control);
    tokio::fs::write(&script_path, script)
        .await
        .map_err(|e| Failure::new(format!("could not write the job's script: {e}")))?;

    let mut envs = env::base();
    envs.extend(declared_env);
    let mut command = Command::new(env::program("bash", &envs));
    command.arg("--noprofile").arg("--norc").arg(&script_path);
    command.env_clear().envs(envs);
    // Set last so that the action's variables cannot redirect them.
    command
        .env("HOME", &ws.root)
        .env("TMPDIR", &ws.tmp)
        .env("CODEBUILD_SRC_DIR", &ws.src)
        .env("CODEPIPELINE_EXECUTION_ID", &job.execution_id)
        .env("CODEBUILD_BUILD_ID", &job.id);
    for source in &secondary {
        command.env(format!("CODEBUILD_SRC_DIR_{}", source.name), &source.dir);
    }
    let log_error = |e| Failure::new(format!("could not write to the job's log: {e}"));
    let (stdout, stderr) = (log.stdio().map_err(log_error)?, log.stdio().map_err(log_error)?);
    command.current_dir(&ws.src).stdin(Stdio::null()).stdout(stdout).stderr(stderr);

    match group::run(command, stop, cx.kill_grace).await {
        Err(e) => return Err(Failure::new(format!("could not start bash: {e}"))),
        Ok(Exit::Stopped(stopped)) => return Err(Failure::new(stopped.message())),
        Ok(Exit::Finished(status)) if !status.success() => {
            let step = tokio::fs::read_to_string(ws.control.join(STEP_FILE)).await.unwrap_or_default();
            return Err(Failure::new(describe_failure(commands, &step, status)));
        }
        Ok(Exit::Finished(_)) => {}
    }

    // Absent when a command ended the shell early with `exit 0`.
    let variables = tokio::fs::read(ws.control.join(VARIABLES_FILE)).await.unwrap_or_default();
    let output_variables = script::parse_variables(&variables, &job.output_variables);

    let mut output_artifacts = Vec::new();
    if let Some(artifact) = job.output_artifacts.first() {
        let patterns = artifact.files.clone().unwrap_or_default();
        let zip = ws.control.join("output.zip");
        let (src, out, globs) = (ws.src.clone(), zip.clone(), patterns.clone());
        let packed = stop
            .guard(async {
                tokio::task::spawn_blocking(move || sluice_artifacts::pack(&src, &globs, &out))
                    .await
                    .map_err(|e| Failure::new(format!("could not pack output artifact `{}`: {e}", artifact.name)))?
                    .map_err(|e| Failure::new(format!("could not pack output artifact `{}`: {e}", artifact.name)))
            })
            .await?;
        if packed.files == 0 {
            return Err(Failure::new(format!(
                "output artifact `{}`: no files match {}",
                artifact.name,
                if patterns.is_empty() { "(no file patterns given)".to_owned() } else { patterns.join(", ") }
            )));
        }
        log.line(&format!("output artifact `{}`: {} files, {} bytes", artifact.name, packed.files, packed.bytes));
        output_artifacts.push(stop.guard(outputs::store(&cx.artifacts, job, &artifact.name, &zip)).await?);
    }

    Ok(ActionResult {
        succeeded: true,
        external_execution_id: Some(job.id.clone()),
        output_variables,
        output_artifacts,
        ..ActionResult::default()
    })
}

/// Names the command that failed, from the step the script recorded.
fn describe_failure(commands: &[String], step: &str, status: ExitStatus) -> String {
    let how = match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => match nix::sys::signal::Signal::try_from(signal) {
            Ok(name) => format!("signal {name}"),
            Err(_) => format!("signal {signal}"),
        },
        (None, None) => "an unknown status".to_owned(),
    };
    let index = step.trim().parse::<usize>().ok().filter(|i| (1..=commands.len()).contains(i));
    match index {
        Some(i) => format!("command {i} of {} failed with {how}: `{}`", commands.len(), excerpt(&commands[i - 1], 80)),
        None => format!("the commands failed with {how}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn failures_name_the_command() {
        let commands = vec!["make".to_owned(), "make test".to_owned()];
        let exit = |code: i32| ExitStatus::from_raw(code << 8);
        assert_eq!(describe_failure(&commands, "2", exit(2)), "command 2 of 2 failed with exit code 2: `make test`");
        assert_eq!(describe_failure(&commands, "done", exit(1)), "the commands failed with exit code 1");
        assert_eq!(describe_failure(&commands, "", ExitStatus::from_raw(9)), "the commands failed with signal SIGKILL");
    }
}
