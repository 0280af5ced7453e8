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
                labels: Vec::new(),
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
