//! The build's phases as `BatchGetBuilds` shows them, written as the build
//! goes: the runner's own phases timed here, the buildspec's phases taken
//! from the shell's journal.

use super::journal::Journal;
use crate::stop::Stopped;
use sluice_buildspec::PhaseName;
use sluice_protocol::{BuildPhase, PhaseContext, PhaseStatus, PhaseType};
use std::time::{SystemTime, UNIX_EPOCH};

pub(crate) fn now_ms() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
}

pub(crate) struct Record {
    pub(crate) phases: Vec<BuildPhase>,
    /// The start of the phase under way.
    current: Option<(PhaseType, i64)>,
}

impl Record {
    /// SUBMITTED and QUEUED are over by the time a runner has the job.
    pub(crate) fn new() -> Self {
        let now = now_ms();
        let mut record = Record { phases: Vec::new(), current: None };
        for phase_type in [PhaseType::Submitted, PhaseType::Queued] {
            record.push(phase_type, PhaseStatus::Succeeded, now, now, None);
        }
        record
    }

    pub(crate) fn begin(&mut self, phase_type: PhaseType) {
        self.current = Some((phase_type, now_ms()));
    }

    /// Ends the phase begun last.
    pub(crate) fn end(&mut self, status: PhaseStatus, context: Option<(&str, String)>) {
        if let Some((phase_type, start)) = self.current.take() {
            self.push(phase_type, status, start, now_ms(), context);
        }
    }

    /// FINALIZING and COMPLETED close every build, however it went.
    pub(crate) fn finish(&mut self) {
        self.begin(PhaseType::Finalizing);
        self.end(PhaseStatus::Succeeded, None);
        let now = now_ms();
        self.phases.push(BuildPhase {
            phase_type: PhaseType::Completed,
            phase_status: PhaseStatus::Succeeded,
            start_ms: now,
            end_ms: now,
            contexts: vec![],
        });
    }

    fn push(
        &mut self,
        phase_type: PhaseType,
        status: PhaseStatus,
        start: i64,
        end: i64,
        context: Option<(&str, String)>,
    ) {
        let contexts = context
            .map(|(code, message)| vec![PhaseContext { status_code: code.to_owned(), message }])
            .unwrap_or_default();
        self.phases.push(BuildPhase {
            phase_type,
            phase_status: status,
            start_ms: start,
            end_ms: end.max(start),
            contexts,
        });
    }

    /// The buildspec phases the shell ran. `stopped`: the build was stopped
    /// while the unfinished phase ran; `exit`: how the shell ended.
    /// Returns the first failure, for the action's error.
    pub(crate) fn shell_phases(
        &mut self,
        journal: &Journal,
        describe: &dyn Fn(PhaseName, &str, usize) -> String,
        stopped: Option<Stopped>,
        exit: &str,
    ) -> Option<String> {
        let mut first_failure = None;
        for run in &journal.phases {
            let phase_type = phase_type(run.name);
            let (status, end, context) = match &run.end {
                Some(end) => match &end.failure {
                    None => (PhaseStatus::Succeeded, end.end_ms, None),
                    Some((code, block, index)) => {
                        let command = describe(run.name, block, *index);
                        let message = format!("Error while executing command: {command}. Reason: exit status {code}");
                        (PhaseStatus::Failed, end.end_ms, Some(("COMMAND_EXECUTION_ERROR", message)))
                    }
                },
                None => {
                    let command = run.last_command.as_ref().map(|(b, i)| describe(run.name, b, *i));
                    let during = command.map(|c| format!(" during command: {c}")).unwrap_or_default();
                    match stopped {
                        Some(Stopped::TimedOut) => (
                            PhaseStatus::TimedOut,
                            now_ms(),
                            Some(("BUILD_TIMED_OUT", format!("Build timed out{during}"))),
                        ),
                        Some(Stopped::Cancelled) => {
                            (PhaseStatus::Stopped, now_ms(), Some(("BUILD_STOPPED", format!("Build stopped{during}"))))
                        }
                        None => (
                            PhaseStatus::Failed,
                            now_ms(),
                            Some(("COMMAND_EXECUTION_ERROR", format!("The build shell ended ({exit}){during}"))),
                        ),
                    }
                }
            };
            if status == PhaseStatus::Failed && first_failure.is_none() {
                let message = context.as_ref().map(|(_, m)| m.clone()).unwrap_or_default();
                first_failure = Some(format!("phase {} failed: {message}", run.name.wire()));
            }
            self.push(phase_type, status, run.start_ms, end, context);
        }
        first_failure
    }
}

fn phase_type(name: PhaseName) -> PhaseType {
    match name {
        PhaseName::Install => PhaseType::Install,
        PhaseName::PreBuild => PhaseType::PreBuild,
        PhaseName::Build => PhaseType::Build,
        PhaseName::PostBuild => PhaseType::PostBuild,
    }
}
