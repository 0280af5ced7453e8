//! Executions: newest first, in pages.

use serde_json::json;
use sluice_store::{Commit, Error, Store};

use super::{create, execution, step};

pub async fn listed_newest_first_in_pages(store: &Store) {
    create(store, "p").await;
    create(store, "q").await;
    // Two executions share a start time: ids break the tie, descending too.
    let rows = vec![
        execution("p", "e1", 1000),
        execution("p", "e2", 2000),
        execution("p", "e3a", 3000),
        execution("p", "e3b", 3000),
        execution("p", "e4", 4000),
    ];
    store.commit(&Commit { executions: rows, ..step("p", None, json!({}), 4000) }).await.unwrap();
    store
        .commit(&Commit { executions: vec![execution("q", "q1", 5000)], ..step("q", None, json!({}), 5000) })
        .await
        .unwrap();

    let mut ids = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let page = store.list_executions("p", 2, token.as_deref()).await.unwrap();
        pages += 1;
        ids.extend(page.items.iter().map(|e| e.id.clone()));
        token = page.next_token;
        if token.is_none() {
            break;
        }
    }
    assert_eq!(ids, ["e4", "e3b", "e3a", "e2", "e1"]);
    assert_eq!(pages, 3);

    // A token stays valid while newer executions arrive: the next page continues where it was.
    let first = store.list_executions("p", 2, None).await.unwrap();
    store
        .commit(&Commit { executions: vec![execution("p", "e5", 6000)], ..step("p", Some(1), json!({}), 6000) })
        .await
        .unwrap();
    let rest = store.list_executions("p", 10, first.next_token.as_deref()).await.unwrap();
    assert_eq!(rest.items.iter().map(|e| e.id.as_str()).collect::<Vec<_>>(), ["e3a", "e2", "e1"]);
    assert_eq!(rest.next_token, None);
    assert_eq!(rest.items[0], execution("p", "e3a", 3000));

    assert!(store.list_executions("missing", 10, None).await.unwrap().items.is_empty());
    let err = store.list_executions("p", 10, Some("not-a-token")).await.unwrap_err();
    assert!(matches!(err, Error::InvalidToken), "{err:?}");
}
