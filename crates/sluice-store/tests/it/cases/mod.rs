//! The conformance cases, grouped by area, and the small builders they share.

pub mod agents;
pub mod commit;
pub mod credentials;
pub mod executions;
pub mod jobs;
pub mod outbox;
pub mod pipelines;
pub mod timers;

use serde_json::{Value, json};
use sluice_store::{Commit, ExecutionRow, NewJob, Store, Tags, TimerRow};

/// Creates a pipeline with a small declaration, at time 1000.
pub async fn create(store: &Store, name: &str) {
    store.create_pipeline(name, &declaration(name), &Tags::new(), 1000).await.expect("create pipeline");
}

pub fn declaration(name: &str) -> Value {
    json!({ "name": name, "stages": [{ "name": "Source" }, { "name": "Build" }] })
}

/// A commit with nothing but a new state.
pub fn step(pipeline: &str, expected_revision: Option<i64>, state: Value, now: i64) -> Commit {
    Commit { pipeline: pipeline.into(), expected_revision, state, now, ..Commit::default() }
}

pub fn execution(pipeline: &str, id: &str, started_at: i64) -> ExecutionRow {
    ExecutionRow {
        id: id.into(),
        pipeline: pipeline.into(),
        status: "InProgress".into(),
        started_at,
        updated_at: started_at,
        body: json!({ "id": id }),
    }
}

pub fn job(id: &str, execution_id: &str, labels: &[&str]) -> NewJob {
    NewJob { id: id.into(), execution_id: execution_id.into(), payload: json!({ "job": id }), labels: strings(labels) }
}

pub fn timer(pipeline: &str, id: &str, due_at: i64) -> TimerRow {
    TimerRow { id: id.into(), pipeline: pipeline.into(), due_at, payload: json!({ "timer": id }) }
}

pub fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| s.to_string()).collect()
}

/// Creates `pipeline`, then commits its first state with an execution and the given jobs queued
/// at `now`. Returns the new revision (1).
pub async fn with_jobs(store: &Store, pipeline: &str, jobs: Vec<NewJob>, now: i64) -> i64 {
    create(store, pipeline).await;
    let commit = Commit {
        executions: vec![execution(pipeline, &format!("{pipeline}-e1"), now)],
        new_jobs: jobs,
        ..step(pipeline, None, json!({ "step": 1 }), now)
    };
    store.commit(&commit).await.expect("commit jobs")
}
pub mod resources;
