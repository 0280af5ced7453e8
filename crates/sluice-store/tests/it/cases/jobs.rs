//! The job queue: labels, order, concurrent claims, leases and fencing tokens.

use std::collections::HashSet;

use serde_json::json;
use sluice_store::{Commit, Error, JobStatus, Store};

use super::{create, job, step, strings, with_jobs};

pub async fn claims_need_all_the_job_labels(store: &Store) {
    with_jobs(store, "p", vec![job("docker-linux", "p-e1", &["linux", "docker"])], 1000).await;
    assert_eq!(store.claim_job("a", &[], 60_000, 1000).await.unwrap(), None);
    assert_eq!(store.claim_job("a", &strings(&["linux"]), 60_000, 1000).await.unwrap(), None);
    let got = store.claim_job("a", &strings(&["gpu", "docker", "linux"]), 60_000, 1000).await.unwrap().unwrap();
    assert_eq!(got.id, "docker-linux");
    assert_eq!(got.labels, strings(&["linux", "docker"]));
    assert_eq!((got.pipeline.as_str(), got.execution_id.as_str()), ("p", "p-e1"));
    assert_eq!(got.payload, json!({ "job": "docker-linux" }));
    assert_eq!((got.token, got.expires_at), (1, 61_000));

    // A job without labels runs anywhere, even on an agent without labels.
    store
        .commit(&Commit { new_jobs: vec![job("any", "p-e1", &[])], ..step("p", Some(1), json!({}), 2000) })
        .await
        .unwrap();
    assert_eq!(store.claim_job("b", &[], 60_000, 2000).await.unwrap().unwrap().id, "any");

    let row = store.get_job("docker-linux").await.unwrap().unwrap();
    assert_eq!(row.status, JobStatus::Leased);
    assert_eq!(row.lease_owner.as_deref(), Some("a"));
    assert_eq!((row.lease_token, row.lease_expires_at, row.queued_at), (1, Some(61_000), 1000));
    assert_eq!((row.result, row.cancel_requested), (None, false));
    assert_eq!(store.get_job("missing").await.unwrap(), None);
}

pub async fn claims_take_the_oldest_job_first(store: &Store) {
    with_jobs(store, "p", vec![job("old", "p-e1", &[])], 1000).await;
    let newer = Commit { new_jobs: vec![job("a-newer", "p-e1", &[])], ..step("p", Some(1), json!({}), 2000) };
    store.commit(&newer).await.unwrap();
    let newest = Commit { new_jobs: vec![job("b-newest", "p-e1", &[])], ..step("p", Some(2), json!({}), 3000) };
    store.commit(&newest).await.unwrap();

    let order: Vec<_> = [0, 1, 2]
        .into_iter()
        .map(|_| async { store.claim_job("a", &[], 60_000, 4000).await.unwrap().unwrap().id })
        .collect();
    let mut ids = Vec::new();
    for claim in order {
        ids.push(claim.await);
    }
    assert_eq!(ids, ["old", "a-newer", "b-newest"]);
    assert_eq!(store.claim_job("a", &[], 60_000, 4000).await.unwrap(), None);
}

pub async fn concurrent_claimers_never_share_a_job(store: &Store) {
    let jobs = (0..30).map(|i| job(&format!("j{i:02}"), "p-e1", &[])).collect();
    with_jobs(store, "p", jobs, 1000).await;
    let claimers: Vec<_> = (0..6)
        .map(|agent| {
            let store = store.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                while let Some(job) = store.claim_job(&format!("agent-{agent}"), &[], 60_000, 2000).await.unwrap() {
                    got.push(job.id);
                    tokio::task::yield_now().await;
                }
                got
            })
        })
        .collect();
    let mut all = Vec::new();
    for claimer in claimers {
        all.extend(claimer.await.unwrap());
    }
    let unique: HashSet<_> = all.iter().cloned().collect();
    assert_eq!(all.len(), 30, "every job claimed exactly once: {all:?}");
    assert_eq!(unique.len(), 30, "no job claimed twice: {all:?}");
    for id in &all {
        assert_eq!(store.get_job(id).await.unwrap().unwrap().lease_token, 1);
    }
}

pub async fn heartbeat_extends_the_lease(store: &Store) {
    with_jobs(store, "p", vec![job("j1", "p-e1", &[])], 1000).await;
    let leased = store.claim_job("a", &[], 10_000, 1000).await.unwrap().unwrap();
    assert_eq!(leased.expires_at, 11_000);
    let lease = store.heartbeat("j1", leased.token, 10_000, 5000).await.unwrap();
    assert_eq!((lease.token, lease.expires_at, lease.cancel_requested), (leased.token, 15_000, false));
    assert_eq!(store.get_job("j1").await.unwrap().unwrap().lease_expires_at, Some(15_000));
    assert!(store.expired_leases(12_000).await.unwrap().is_empty());

    let err = store.heartbeat("j1", leased.token + 1, 10_000, 6000).await.unwrap_err();
    assert!(matches!(err, Error::StaleLease), "{err:?}");
    let err = store.heartbeat("missing", 1, 10_000, 6000).await.unwrap_err();
    assert!(matches!(err, Error::StaleLease), "{err:?}");
    assert_eq!(store.get_job("j1").await.unwrap().unwrap().lease_expires_at, Some(15_000));
}

pub async fn requeue_then_reclaim_raises_the_token_and_fences_the_old_one(store: &Store) {
    with_jobs(store, "p", vec![job("j1", "p-e1", &[])], 1000).await;
    let first = store.claim_job("a", &[], 10_000, 1000).await.unwrap().unwrap();
    assert_eq!(first.token, 1);
    store.requeue_job("j1", first.token).await.unwrap();
    let requeued = store.get_job("j1").await.unwrap().unwrap();
    assert_eq!((requeued.status, requeued.lease_token, requeued.queued_at), (JobStatus::Queued, 1, 1000));
    // The old holder is fenced off as soon as the job is back in the queue...
    assert!(matches!(store.heartbeat("j1", first.token, 10_000, 1500).await.unwrap_err(), Error::StaleLease));
    assert!(matches!(store.requeue_job("j1", first.token).await.unwrap_err(), Error::StaleLease));

    let second = store.claim_job("b", &[], 10_000, 2000).await.unwrap().unwrap();
    assert_eq!((second.id.as_str(), second.token), ("j1", 2));
    // ...and stays fenced off once another agent holds it: heartbeat and report are both refused.
    assert!(matches!(store.heartbeat("j1", first.token, 10_000, 2500).await.unwrap_err(), Error::StaleLease));
    let late = Commit {
        complete_job: Some(("j1".into(), first.token)),
        job_result: Some(json!("late")),
        ..step("p", Some(1), json!({ "late": true }), 2600)
    };
    assert!(matches!(store.commit(&late).await.unwrap_err(), Error::StaleLease));
    assert_eq!(store.load_state("p").await.unwrap().unwrap().0, 1);

    store.heartbeat("j1", second.token, 10_000, 3000).await.unwrap();
    let report = Commit {
        complete_job: Some(("j1".into(), second.token)),
        job_result: Some(json!("ok")),
        ..step("p", Some(1), json!({}), 3100)
    };
    store.commit(&report).await.unwrap();
    let row = store.get_job("j1").await.unwrap().unwrap();
    assert_eq!((row.status, row.result, row.lease_owner.as_deref()), (JobStatus::Done, Some(json!("ok")), Some("b")));
    // A finished job cannot be requeued.
    assert!(matches!(store.requeue_job("j1", second.token).await.unwrap_err(), Error::StaleLease));
}

pub async fn requeue_of_a_cancelled_job_cancels_it(store: &Store) {
    with_jobs(store, "p", vec![job("j1", "p-e1", &[])], 1000).await;
    let leased = store.claim_job("a", &[], 10_000, 1000).await.unwrap().unwrap();
    store.commit(&Commit { cancel_jobs: strings(&["j1"]), ..step("p", Some(1), json!({}), 1100) }).await.unwrap();
    store.requeue_job("j1", leased.token).await.unwrap();
    let row = store.get_job("j1").await.unwrap().unwrap();
    assert_eq!((row.status, row.cancel_requested), (JobStatus::Cancelled, true));
    assert_eq!(store.claim_job("b", &[], 10_000, 1200).await.unwrap(), None);
}

pub async fn expired_leases_are_listed_not_taken_over(store: &Store) {
    create(store, "p").await;
    let jobs = vec![job("a", "e1", &[]), job("b", "e1", &[]), job("c", "e1", &[])];
    store.commit(&Commit { new_jobs: jobs, ..step("p", None, json!({}), 1000) }).await.unwrap();
    // Same queued_at: claimed in id order, with leases ending at 51_000, 11_000 and 6_000.
    let mut tokens = Vec::new();
    for (id, lease_ms) in [("a", 50_000), ("b", 10_000), ("c", 5_000)] {
        let leased = store.claim_job("agent", &[], lease_ms, 1000).await.unwrap().unwrap();
        assert_eq!(leased.id, id);
        tokens.push(leased.token);
    }

    assert!(store.expired_leases(5_999).await.unwrap().is_empty());
    let expired: Vec<_> = store.expired_leases(11_000).await.unwrap().into_iter().map(|j| j.id).collect();
    assert_eq!(expired, ["c", "b"]);
    let all = store.expired_leases(i64::MAX).await.unwrap();
    assert_eq!(all.iter().map(|j| j.id.as_str()).collect::<Vec<_>>(), ["c", "b", "a"]);
    assert!(all.iter().all(|j| j.status == JobStatus::Leased && j.lease_owner.as_deref() == Some("agent")));

    // Expired leases are not handed to another claimer: the engine decides what happens to them.
    assert_eq!(store.claim_job("other", &[], 10_000, 100_000).await.unwrap(), None);
    // Until then the holder's token still counts.
    store.heartbeat("c", tokens[2], 5_000, 100_000).await.unwrap();
    let expired: Vec<_> = store.expired_leases(100_000).await.unwrap().into_iter().map(|j| j.id).collect();
    assert_eq!(expired, ["b", "a"]);
}
