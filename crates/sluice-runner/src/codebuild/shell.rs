//! The build's shell: one bash process in its own process group running the
//! generated script, stopped as a whole on cancel or timeout; what it did is
//! read back from its journal.

use super::journal::{self, Journal};
use super::script;
use super::user::User;
use crate::env;
use crate::failure::excerpt;
use crate::group::{self, Exit};
use crate::log::JobLog;
use crate::stop::{Stop, Stopped};
use crate::workspace::Workspace;
use sluice_buildspec::{Buildspec, PhaseName, Shell};
use std::os::unix::process::ExitStatusExt;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;
use tokio::process::Command;

pub(crate) struct Ran {
    pub(crate) journal: Journal,
    /// Set when the build was stopped before the shell ended.
    pub(crate) stopped: Option<Stopped>,
    /// How the shell ended, for messages.
    pub(crate) exit: String,
}

/// Runs the build's phases with `variables` (later entries win) in the
/// source directory. An error means the shell never ran.
pub(crate) async fn run(
    spec: &Buildspec,
    ws: &Workspace,
    variables: Vec<(String, String)>,
    run_as: Option<&User>,
    log: &JobLog,
    stop: &Stop,
    grace: Duration,
) -> Result<Ran, String> {
    let script_path = ws.control.join("build.sh");
    tokio::fs::write(&script_path, script::build(spec, &ws.control))
        .await
        .map_err(|e| format!("could not write the build's script: {e}"))?;
    let mut envs = env::base();
    envs.extend(variables);
    let mut command = Command::new(env::program("bash", &envs));
    command.arg("--noprofile").arg("--norc");
    if spec.env.shell == Shell::Sh {
        command.arg("--posix");
    }
    command.arg(&script_path);
    command.env_clear().envs(envs);
    // Set last so that no variable of the build can redirect them.
    command.env("HOME", &ws.root).env("TMPDIR", &ws.tmp);
    if let Some(user) = run_as {
        log.line(&format!("running as {}", user.name));
        command.uid(user.uid).gid(user.gid);
    }
    let log_error = |e| format!("could not write to the job's log: {e}");
    let (stdout, stderr) = (log.stdio().map_err(log_error)?, log.stdio().map_err(log_error)?);
    command.current_dir(&ws.src).stdin(Stdio::null()).stdout(stdout).stderr(stderr);

    let exit = group::run(command, stop, grace).await.map_err(|e| format!("could not start bash: {e}"))?;
    let text = tokio::fs::read_to_string(ws.control.join(script::JOURNAL_FILE)).await.unwrap_or_default();
    let journal = journal::read(&text);
    Ok(match exit {
        Exit::Stopped(stopped) => Ran { journal, stopped: Some(stopped), exit: stopped.message().to_owned() },
        Exit::Finished(status) => Ran { journal, stopped: None, exit: describe_exit(status) },
    })
}

/// A command of the buildspec, shortened, by phase, block and 1-based index.
pub(crate) fn describe_command(spec: &Buildspec, phase: PhaseName, block: &str, index: usize) -> String {
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
