//! The engine's commit: revisions, atomicity, fencing, idempotency, cancellation.

use serde_json::json;
use sluice_store::{Commit, Error, JobStatus, Store};

use super::{create, execution, job, step, strings, timer, with_jobs};

pub async fn first_commit_creates_the_state(store: &Store) {
    create(store, "p").await;
    assert_eq!(store.load_state("p").await.unwrap(), None);
    assert_eq!(store.commit(&step("p", None, json!({ "n": 1 }), 1000)).await.unwrap(), 1);
    assert_eq!(store.load_state("p").await.unwrap(), Some((1, json!({ "n": 1 }))));
    // "No state yet" is a revision like any other: it can only be claimed once.
    let err = store.commit(&step("p", None, json!({ "n": 99 }), 1001)).await.unwrap_err();
    assert!(matches!(err, Error::Conflict), "{err:?}");
    assert_eq!(store.commit(&step("p", Some(1), json!({ "n": 2 }), 1002)).await.unwrap(), 2);
    assert_eq!(store.commit(&step("p", Some(2), json!({ "n": 3 }), 1003)).await.unwrap(), 3);
    assert_eq!(store.load_state("p").await.unwrap(), Some((3, json!({ "n": 3 }))));
}

pub async fn second_commit_from_the_same_revision_conflicts_and_writes_nothing(store: &Store) {
    create(store, "p").await;
    store.commit(&step("p", None, json!({ "n": 1 }), 1000)).await.unwrap();
    let first = Commit { outbox: vec![json!("first")], ..step("p", Some(1), json!({ "n": "first" }), 2000) };
    assert_eq!(store.commit(&first).await.unwrap(), 2);

    let second = Commit {
        executions: vec![execution("p", "e2", 2000)],
        new_jobs: vec![job("j2", "e2", &[])],
        set_timers: vec![timer("p", "t2", 9000)],
        outbox: vec![json!("second")],
        idempotency: Some(("tok".into(), "e2".into())),
        ..step("p", Some(1), json!({ "n": "second" }), 2001)
    };
    let err = store.commit(&second).await.unwrap_err();
    assert!(matches!(err, Error::Conflict), "{err:?}");

    assert_eq!(store.load_state("p").await.unwrap(), Some((2, json!({ "n": "first" }))));
    assert_eq!(store.get_execution("e2").await.unwrap(), None);
    assert_eq!(store.get_job("j2").await.unwrap(), None);
    assert_eq!(store.next_timer().await.unwrap(), None);
    assert_eq!(store.find_idempotent("p", "tok").await.unwrap(), None);
    let outbox: Vec<_> = store.pending_outbox(10).await.unwrap().into_iter().map(|r| r.payload).collect();
    assert_eq!(outbox, [json!("first")]);
}

pub async fn concurrent_commits_from_one_revision_one_wins(store: &Store) {
    create(store, "p").await;
    store.commit(&step("p", None, json!(0), 1000)).await.unwrap();
    let tasks: Vec<_> = (0..4)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                let commit = Commit { outbox: vec![json!(i)], ..step("p", Some(1), json!(i), 2000) };
                store.commit(&commit).await
            })
        })
        .collect();
    let mut winners = Vec::new();
    for (i, task) in tasks.into_iter().enumerate() {
        match task.await.unwrap() {
            Ok(revision) => winners.push((i, revision)),
            Err(Error::Conflict) => {}
            Err(other) => panic!("unexpected error {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one commit wins: {winners:?}");
    let (winner, revision) = winners[0];
    assert_eq!(revision, 2);
    assert_eq!(store.load_state("p").await.unwrap(), Some((2, json!(winner))));
    let outbox: Vec<_> = store.pending_outbox(10).await.unwrap().into_iter().map(|r| r.payload).collect();
    assert_eq!(outbox, [json!(winner)]);
}

pub async fn failed_commit_writes_nothing_at_all(store: &Store) {
    with_jobs(store, "p", vec![job("j1", "p-e1", &[])], 1000).await;
    let setup = Commit {
        set_timers: vec![timer("p", "t0", 5000)],
        outbox: vec![json!("setup")],
        ..step("p", Some(1), json!({ "n": 2 }), 1000)
    };
    store.commit(&setup).await.unwrap();
    let leased = store.claim_job("agent", &[], 60_000, 1100).await.unwrap().unwrap();
    assert_eq!(leased.token, 1);

    let before_state = store.load_state("p").await.unwrap();
    let before_execution = store.get_execution("p-e1").await.unwrap();
    let before_job = store.get_job("j1").await.unwrap();
    let before_outbox = store.pending_outbox(10).await.unwrap();
    let before_timers = store.due_timers(i64::MAX).await.unwrap();

    let mut updated_execution = execution("p", "p-e1", 1000);
    updated_execution.status = "Succeeded".into();
    let mut commit = Commit {
        executions: vec![updated_execution, execution("p", "e-new", 1200)],
        new_jobs: vec![job("j-new", "e-new", &[])],
        cancel_jobs: vec!["j1".into()],
        complete_job: Some(("j1".into(), leased.token + 41)),
        job_result: Some(json!({ "ok": true })),
        set_timers: vec![timer("p", "t-new", 7000)],
        clear_timers: vec!["t0".into()],
        outbox: vec![json!("effect")],
        idempotency: Some(("tok".into(), "e-new".into())),
        ..step("p", Some(2), json!({ "n": 3 }), 1200)
    };
    let err = store.commit(&commit).await.unwrap_err();
    assert!(matches!(err, Error::StaleLease), "{err:?}");

    assert_eq!(store.load_state("p").await.unwrap(), before_state);
    assert_eq!(store.get_execution("p-e1").await.unwrap(), before_execution);
    assert_eq!(store.get_execution("e-new").await.unwrap(), None);
    assert_eq!(store.get_job("j1").await.unwrap(), before_job);
    assert_eq!(store.get_job("j-new").await.unwrap(), None);
    assert_eq!(store.pending_outbox(10).await.unwrap(), before_outbox);
    assert_eq!(store.due_timers(i64::MAX).await.unwrap(), before_timers);
    assert_eq!(store.find_idempotent("p", "tok").await.unwrap(), None);

    // The same commit with the right token goes through whole: nothing was half-consumed.
    commit.complete_job = Some(("j1".into(), leased.token));
    assert_eq!(store.commit(&commit).await.unwrap(), 3);
    assert_eq!(store.get_job("j1").await.unwrap().unwrap().status, JobStatus::Done);
    assert_eq!(store.get_execution("p-e1").await.unwrap().unwrap().status, "Succeeded");
    assert!(store.get_job("j-new").await.unwrap().is_some());
    assert_eq!(store.find_idempotent("p", "tok").await.unwrap().as_deref(), Some("e-new"));
    let timers: Vec<_> = store.due_timers(i64::MAX).await.unwrap().into_iter().map(|t| t.id).collect();
    assert_eq!(timers, ["t-new"]);
}

pub async fn completing_a_job_records_its_result_once(store: &Store) {
    with_jobs(store, "p", vec![job("j1", "p-e1", &[])], 1000).await;
    let leased = store.claim_job("agent", &[], 60_000, 1100).await.unwrap().unwrap();
    let done = Commit {
        complete_job: Some(("j1".into(), leased.token)),
        job_result: Some(json!({ "status": "Succeeded" })),
        ..step("p", Some(1), json!({ "n": 2 }), 1200)
    };
    assert_eq!(store.commit(&done).await.unwrap(), 2);
    let row = store.get_job("j1").await.unwrap().unwrap();
    assert_eq!(row.status, JobStatus::Done);
    assert_eq!(row.result, Some(json!({ "status": "Succeeded" })));
    assert_eq!(row.lease_token, leased.token);

    // A retried report (same token, fresh revision) is refused: the result is recorded once.
    let again = Commit {
        complete_job: Some(("j1".into(), leased.token)),
        job_result: Some(json!({ "status": "Failed" })),
        ..step("p", Some(2), json!({ "n": 3 }), 1300)
    };
    let err = store.commit(&again).await.unwrap_err();
    assert!(matches!(err, Error::StaleLease), "{err:?}");
    assert_eq!(store.get_job("j1").await.unwrap().unwrap().result, Some(json!({ "status": "Succeeded" })));
    assert_eq!(store.load_state("p").await.unwrap(), Some((2, json!({ "n": 2 }))));
    // A job that was never leased cannot be completed either.
    let unknown = Commit { complete_job: Some(("nope".into(), 1)), ..step("p", Some(2), json!(null), 1400) };
    assert!(matches!(store.commit(&unknown).await.unwrap_err(), Error::StaleLease));
}

pub async fn commit_for_a_missing_pipeline_is_not_found(store: &Store) {
    let err = store.commit(&step("missing", None, json!({}), 1000)).await.unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    let err = store.commit(&step("missing", Some(1), json!({}), 1000)).await.unwrap_err();
    assert!(matches!(err, Error::Conflict), "{err:?}");
    assert_eq!(store.load_state("missing").await.unwrap(), None);
}

pub async fn rows_of_another_pipeline_are_refused(store: &Store) {
    create(store, "p").await;
    create(store, "q").await;
    let foreign_execution = Commit { executions: vec![execution("q", "e1", 1000)], ..step("p", None, json!({}), 1000) };
    assert!(matches!(store.commit(&foreign_execution).await.unwrap_err(), Error::Invalid(_)));
    let foreign_timer = Commit { set_timers: vec![timer("q", "t1", 1000)], ..step("p", None, json!({}), 1000) };
    assert!(matches!(store.commit(&foreign_timer).await.unwrap_err(), Error::Invalid(_)));
    let result_alone = Commit { job_result: Some(json!(1)), ..step("p", None, json!({}), 1000) };
    assert!(matches!(store.commit(&result_alone).await.unwrap_err(), Error::Invalid(_)));
    assert_eq!(store.load_state("p").await.unwrap(), None);
    assert_eq!(store.get_execution("e1").await.unwrap(), None);

    // A job of pipeline q cannot be completed by a commit of pipeline p.
    store.commit(&Commit { new_jobs: vec![job("jq", "eq", &[])], ..step("q", None, json!({}), 1000) }).await.unwrap();
    let leased = store.claim_job("agent", &[], 60_000, 1000).await.unwrap().unwrap();
    let cross = Commit { complete_job: Some(("jq".into(), leased.token)), ..step("p", None, json!({}), 1000) };
    assert!(matches!(store.commit(&cross).await.unwrap_err(), Error::StaleLease));
    assert_eq!(store.get_job("jq").await.unwrap().unwrap().status, JobStatus::Leased);
}

pub async fn executions_are_upserted(store: &Store) {
    create(store, "p").await;
    let first = Commit { executions: vec![execution("p", "e1", 1000)], ..step("p", None, json!({}), 1000) };
    store.commit(&first).await.unwrap();
    assert_eq!(store.get_execution("e1").await.unwrap(), Some(execution("p", "e1", 1000)));

    let mut later = execution("p", "e1", 1000);
    later.status = "Succeeded".into();
    later.updated_at = 5000;
    later.body = json!({ "id": "e1", "stages": ["done"] });
    let mut moved = later.clone();
    moved.started_at = 4000; // started_at is fixed at insert; an upsert does not move it
    store.commit(&Commit { executions: vec![moved], ..step("p", Some(1), json!({}), 5000) }).await.unwrap();
    assert_eq!(store.get_execution("e1").await.unwrap(), Some(later));
    assert_eq!(store.get_execution("e-missing").await.unwrap(), None);
}

pub async fn client_request_tokens_are_used_once(store: &Store) {
    create(store, "p").await;
    create(store, "q").await;
    let start = Commit {
        executions: vec![execution("p", "e1", 1000)],
        idempotency: Some(("tok".into(), "e1".into())),
        ..step("p", None, json!({ "n": 1 }), 1000)
    };
    store.commit(&start).await.unwrap();
    assert_eq!(store.find_idempotent("p", "tok").await.unwrap().as_deref(), Some("e1"));
    assert_eq!(store.find_idempotent("p", "other").await.unwrap(), None);

    let retry = Commit {
        executions: vec![execution("p", "e2", 2000)],
        idempotency: Some(("tok".into(), "e2".into())),
        ..step("p", Some(1), json!({ "n": 2 }), 2000)
    };
    match store.commit(&retry).await.unwrap_err() {
        Error::DuplicateToken(existing) => assert_eq!(existing, "e1"),
        other => panic!("expected DuplicateToken, got {other:?}"),
    }
    assert_eq!(store.get_execution("e2").await.unwrap(), None);
    assert_eq!(store.load_state("p").await.unwrap(), Some((1, json!({ "n": 1 }))));

    // Tokens are per pipeline.
    let other_pipeline = Commit {
        executions: vec![execution("q", "e3", 3000)],
        idempotency: Some(("tok".into(), "e3".into())),
        ..step("q", None, json!({}), 3000)
    };
    store.commit(&other_pipeline).await.unwrap();
    assert_eq!(store.find_idempotent("q", "tok").await.unwrap().as_deref(), Some("e3"));
}

pub async fn cancel_requests_reach_queued_and_leased_jobs(store: &Store) {
    let jobs = vec![job("leased", "p-e1", &[]), job("queued", "p-e1", &[]), job("done", "p-e1", &[])];
    with_jobs(store, "p", jobs, 1000).await;
    let first = store.claim_job("a", &[], 60_000, 1100).await.unwrap().unwrap();
    assert_eq!(first.id, "done");
    let done = Commit { complete_job: Some(("done".into(), first.token)), ..step("p", Some(1), json!({}), 1100) };
    store.commit(&done).await.unwrap();
    let leased = store.claim_job("a", &[], 60_000, 1100).await.unwrap().unwrap();
    assert_eq!(leased.id, "leased");

    let cancel = Commit {
        cancel_jobs: strings(&["leased", "queued", "done", "unknown"]),
        ..step("p", Some(2), json!({}), 1200)
    };
    store.commit(&cancel).await.unwrap();

    let queued = store.get_job("queued").await.unwrap().unwrap();
    assert_eq!((queued.status, queued.cancel_requested), (JobStatus::Cancelled, true));
    let held = store.get_job("leased").await.unwrap().unwrap();
    assert_eq!((held.status, held.cancel_requested), (JobStatus::Leased, true));
    let finished = store.get_job("done").await.unwrap().unwrap();
    assert_eq!((finished.status, finished.cancel_requested), (JobStatus::Done, false));
    // The agent holding the job learns of the cancellation through its heartbeat.
    let lease = store.heartbeat("leased", leased.token, 60_000, 1300).await.unwrap();
    assert!(lease.cancel_requested);
    // A cancelled job is never claimed.
    assert_eq!(store.claim_job("b", &[], 60_000, 1400).await.unwrap(), None);
}
