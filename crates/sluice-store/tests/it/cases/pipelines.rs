//! Pipelines: create, versions, listing, deletion, tags.

use serde_json::json;
use sluice_store::{Commit, Error, Store, Tags};

use super::{create, declaration, execution, job, step, timer};

pub async fn create_then_get(store: &Store) {
    let tags = Tags::from([("team".to_string(), "infra".to_string())]);
    let created = store.create_pipeline("p", &declaration("p"), &tags, 1000).await.unwrap();
    assert_eq!((created.version, created.created_at, created.updated_at), (1, 1000, 1000));
    let got = store.get_pipeline("p", None).await.unwrap().expect("pipeline");
    assert_eq!(got, created);
    assert_eq!(got.tags, tags);
    assert_eq!(store.get_pipeline("p", Some(1)).await.unwrap(), Some(created));
    assert_eq!(store.get_pipeline("missing", None).await.unwrap(), None);
}

pub async fn duplicate_name_is_refused(store: &Store) {
    create(store, "p").await;
    let err = store.create_pipeline("p", &json!({ "other": true }), &Tags::new(), 2000).await.unwrap_err();
    assert!(matches!(err, Error::NameInUse), "{err:?}");
    let kept = store.get_pipeline("p", None).await.unwrap().unwrap();
    assert_eq!((kept.version, kept.declaration), (1, declaration("p")));
}

pub async fn update_adds_a_version_and_keeps_the_old_ones(store: &Store) {
    create(store, "p").await;
    let v2 = store.update_pipeline("p", &json!({ "v": 2 }), 2000).await.unwrap();
    assert_eq!((v2.version, v2.created_at, v2.updated_at), (2, 1000, 2000));
    let v3 = store.update_pipeline("p", &json!({ "v": 3 }), 3000).await.unwrap();
    assert_eq!(v3.version, 3);

    let latest = store.get_pipeline("p", None).await.unwrap().unwrap();
    assert_eq!((latest.version, &latest.declaration, latest.updated_at), (3, &json!({ "v": 3 }), 3000));
    let first = store.get_pipeline("p", Some(1)).await.unwrap().unwrap();
    assert_eq!((first.version, &first.declaration, first.updated_at), (1, &declaration("p"), 1000));
    let second = store.get_pipeline("p", Some(2)).await.unwrap().unwrap();
    assert_eq!((second.version, &second.declaration, second.updated_at), (2, &json!({ "v": 2 }), 2000));
    assert_eq!(store.get_pipeline("p", Some(4)).await.unwrap(), None);
}

pub async fn update_of_a_missing_pipeline_is_not_found(store: &Store) {
    let err = store.update_pipeline("missing", &json!({}), 2000).await.unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    assert_eq!(store.get_pipeline("missing", Some(1)).await.unwrap(), None);
}

pub async fn declaration_keeps_its_key_order(store: &Store) {
    // Not alphabetical, and not in PostgreSQL jsonb's (length-first) order either.
    let text = r#"{"pipeline":{"name":"p","roleArn":"arn","stages":[{"name":"Source","actions":[]}],"version":1}}"#;
    let decl: serde_json::Value = serde_json::from_str(text).unwrap();
    store.create_pipeline("p", &decl, &Tags::new(), 1000).await.unwrap();
    let got = store.get_pipeline("p", None).await.unwrap().unwrap();
    assert_eq!(serde_json::to_string(&got.declaration).unwrap(), text);
    let old = store.get_pipeline("p", Some(1)).await.unwrap().unwrap();
    assert_eq!(serde_json::to_string(&old.declaration).unwrap(), text);
}

pub async fn list_pages_by_name(store: &Store) {
    for name in ["delta", "Alpha", "charlie", "bravo", "echo"] {
        create(store, name).await;
    }
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = store.list_pipelines(2, token.as_deref()).await.unwrap();
        assert!(page.items.len() <= 2);
        pages += 1;
        names.extend(page.items.iter().map(|p| p.name.clone()));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    // Byte order on both backends: upper case before lower case.
    assert_eq!(names, ["Alpha", "bravo", "charlie", "delta", "echo"]);
    assert_eq!(pages, 3);

    let all = store.list_pipelines(10, None).await.unwrap();
    assert_eq!((all.items.len(), all.next_token), (5, None));
    assert_eq!(all.items[0].version, 1);
    assert_eq!(all.items[0].declaration, declaration("Alpha"));
    // Exactly one page's worth: no token pointing at an empty page.
    let exact = store.list_pipelines(5, None).await.unwrap();
    assert_eq!((exact.items.len(), exact.next_token), (5, None));
}

pub async fn delete_removes_everything_the_pipeline_owns(store: &Store) {
    create(store, "p").await;
    create(store, "other").await;
    let commit = Commit {
        executions: vec![execution("p", "e1", 1000)],
        new_jobs: vec![job("j1", "e1", &[])],
        set_timers: vec![timer("p", "t1", 5000)],
        outbox: vec![json!({ "effect": 1 })],
        idempotency: Some(("token".into(), "e1".into())),
        ..step("p", None, json!({ "s": 1 }), 1000)
    };
    store.commit(&commit).await.unwrap();
    store.commit(&step("other", None, json!({ "s": 1 }), 1000)).await.unwrap();
    let leased = store.claim_job("agent", &[], 60_000, 1000).await.unwrap().unwrap();

    store.delete_pipeline("p").await.unwrap();

    assert_eq!(store.get_pipeline("p", None).await.unwrap(), None);
    assert_eq!(store.get_pipeline("p", Some(1)).await.unwrap(), None);
    assert_eq!(store.load_state("p").await.unwrap(), None);
    assert_eq!(store.get_execution("e1").await.unwrap(), None);
    assert!(store.list_executions("p", 10, None).await.unwrap().items.is_empty());
    assert_eq!(store.get_job("j1").await.unwrap(), None);
    assert_eq!(store.find_idempotent("p", "token").await.unwrap(), None);
    assert!(store.due_timers(i64::MAX).await.unwrap().is_empty());
    assert_eq!(store.next_timer().await.unwrap(), None);
    // The agent that held a job of the deleted pipeline learns it on its next heartbeat.
    let err = store.heartbeat("j1", leased.token, 60_000, 2000).await.unwrap_err();
    assert!(matches!(err, Error::StaleLease), "{err:?}");
    // Outbox rows are effects already decided: they stay for the dispatcher.
    assert_eq!(store.pending_outbox(10).await.unwrap().len(), 1);
    // Other pipelines are untouched.
    assert!(store.load_state("other").await.unwrap().is_some());

    let err = store.delete_pipeline("p").await.unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    // The name is free again, and starts over at version 1.
    let again = store.create_pipeline("p", &json!({ "again": true }), &Tags::new(), 3000).await.unwrap();
    assert_eq!(again.version, 1);
    assert_eq!(store.get_pipeline("p", Some(1)).await.unwrap().unwrap().declaration, json!({ "again": true }));
}

pub async fn tags_are_merged_and_removed(store: &Store) {
    let initial = Tags::from([("a".to_string(), "1".to_string()), ("b".to_string(), "2".to_string())]);
    store.create_pipeline("p", &declaration("p"), &initial, 1000).await.unwrap();
    assert_eq!(store.get_tags("p").await.unwrap(), initial);

    let merged = store
        .set_tags("p", &Tags::from([("b".to_string(), "20".to_string()), ("c".to_string(), "3".to_string())]))
        .await
        .unwrap();
    let expected = Tags::from([("a".into(), "1".into()), ("b".into(), "20".into()), ("c".into(), "3".into())]);
    assert_eq!(merged, expected);
    assert_eq!(store.get_tags("p").await.unwrap(), expected);

    let left = store.remove_tags("p", &["a".to_string(), "absent".to_string()]).await.unwrap();
    assert_eq!(left, Tags::from([("b".into(), "20".into()), ("c".into(), "3".into())]));
    let row = store.get_pipeline("p", None).await.unwrap().unwrap();
    assert_eq!((row.tags, row.version, row.updated_at), (left, 1, 1000));

    for err in [
        store.get_tags("missing").await.unwrap_err(),
        store.set_tags("missing", &Tags::new()).await.unwrap_err(),
        store.remove_tags("missing", &[]).await.unwrap_err(),
    ] {
        assert!(matches!(err, Error::NotFound), "{err:?}");
    }
}
