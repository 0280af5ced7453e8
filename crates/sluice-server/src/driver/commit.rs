//! An engine outcome as one store commit: the new state, the changed
//! executions, and the effects that must survive a crash.

use super::CommitExtra;
use sluice_engine::{Effect, Event, Outcome, PipelineState};
use sluice_store::{Commit, ExecutionRow, NewJob, TimerRow};

pub fn build(
    pipeline: &str,
    revision: Option<i64>,
    state: &PipelineState,
    event: &Event,
    outcome: &Outcome,
    extra: &CommitExtra,
    now: i64,
) -> Commit {
    let mut commit = Commit {
        pipeline: pipeline.to_string(),
        expected_revision: revision,
        state: serde_json::to_value(state).expect("state serializes"),
        complete_job: extra.complete_job.clone(),
        job_result: extra.job_result.clone(),
        idempotency: extra.idempotency.clone(),
        now,
        ..Commit::default()
    };
    commit.executions = outcome
        .executions
        .iter()
        .map(|e| ExecutionRow {
            id: e.id.clone(),
            pipeline: pipeline.to_string(),
            status: e.status.as_str().to_string(),
            started_at: e.started_at,
            updated_at: e.updated_at,
            body: serde_json::to_value(e).expect("executions serialize"),
        })
        .collect();
    for effect in &outcome.effects {
        match effect {
            Effect::Dispatch(job) => commit.new_jobs.push(NewJob {
                id: job.id.clone(),
                execution_id: job.execution_id.clone(),
                payload: serde_json::to_value(job).expect("jobs serialize"),
                labels: job_labels(job),
            }),
            Effect::Cancel { job_id } => commit.cancel_jobs.push(job_id.clone()),
            Effect::SetTimer { timer_id, at, kind } => commit.set_timers.push(TimerRow {
                id: timer_id.clone(),
                pipeline: pipeline.to_string(),
                due_at: *at,
                payload: serde_json::to_value(kind).expect("timers serialize"),
            }),
            Effect::ClearTimer { timer_id } => commit.clear_timers.push(timer_id.clone()),
            Effect::Notify(_) => {}
        }
    }
    // A fired timer's row goes, whether or not the engine still knew it:
    // otherwise a stale row would fire again and again.
    if let Event::TimerFired { timer_id } = event {
        if !commit.clear_timers.contains(timer_id) {
            commit.clear_timers.push(timer_id.clone());
        }
    }
    commit
}

/// The configuration key that routes an action's jobs to agents: a
/// comma-separated list of labels, every one of which the claiming agent
/// must have. Jobs without labels go to any agent, the embedded one too.
pub(crate) const AGENT_LABELS_KEY: &str = "AgentLabels";

/// The labels an agent needs to run `job`.
pub(crate) fn job_labels(job: &sluice_engine::Job) -> Vec<String> {
    job.configuration.get(AGENT_LABELS_KEY).map(|text| parse_labels(text)).unwrap_or_default()
}

/// `a, b,,c` → `[a, b, c]`.
pub fn parse_labels(text: &str) -> Vec<String> {
    text.split(',').map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

#[cfg(test)]
mod label_tests {
    use super::parse_labels;

    #[test]
    fn labels_are_trimmed_and_empty_ones_dropped() {
        assert_eq!(parse_labels(" linux, gpu,,"), ["linux", "gpu"]);
        assert!(parse_labels("").is_empty());
    }
}
