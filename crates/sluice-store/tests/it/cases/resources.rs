//! Resources: whole documents by kind and key, listed by parent in either order, counters.

use serde_json::json;
use sluice_store::{Error, ResourceQuery, ResourceRow, Store};

fn resource(kind: &str, key: &str, parent: Option<&str>, sort_at: i64) -> ResourceRow {
    ResourceRow {
        kind: kind.into(),
        key: key.into(),
        parent: parent.map(Into::into),
        sort_at,
        counter: 0,
        body: json!({"key": key, "nested": {"z": 1, "a": [1, 2]}}),
        created_at: sort_at,
        updated_at: sort_at,
    }
}

pub async fn insert_get_update_delete(store: &Store) {
    let r = resource("project", "web", None, 10);
    store.insert_resource(&r).await.unwrap();
    assert_eq!(store.get_resource("project", "web").await.unwrap(), Some(r.clone()));
    assert!(matches!(store.insert_resource(&r).await, Err(Error::NameInUse)));
    // The same key under another kind is another resource.
    store.insert_resource(&resource("build", "web", None, 10)).await.unwrap();

    store.update_resource("project", "web", &json!({"v": 2}), 20).await.unwrap();
    let got = store.get_resource("project", "web").await.unwrap().unwrap();
    assert_eq!((got.body, got.updated_at, got.created_at), (json!({"v": 2}), 20, 10));
    assert!(matches!(store.update_resource("project", "nope", &json!({}), 1).await, Err(Error::NotFound)));

    store.delete_resource("project", "web").await.unwrap();
    assert_eq!(store.get_resource("project", "web").await.unwrap(), None);
    assert!(matches!(store.delete_resource("project", "web").await, Err(Error::NotFound)));
    assert!(store.get_resource("build", "web").await.unwrap().is_some());
}

pub async fn counters_count_once_per_call(store: &Store) {
    store.insert_resource(&resource("project", "web", None, 1)).await.unwrap();
    let mut handed_out = Vec::new();
    let calls: Vec<_> = (0..10).map(|_| store.bump_counter("project", "web")).collect();
    for n in futures_join(calls).await {
        handed_out.push(n.unwrap());
    }
    handed_out.sort();
    assert_eq!(handed_out, (1..=10).collect::<Vec<_>>());
    assert!(matches!(store.bump_counter("project", "nope").await, Err(Error::NotFound)));
}

async fn futures_join<F: std::future::Future>(futures: Vec<F>) -> Vec<F::Output> {
    let mut out = Vec::new();
    for f in futures {
        out.push(f.await);
    }
    out
}

pub async fn listings_page_by_parent_in_both_orders(store: &Store) {
    for (key, parent, at) in [("b1", "web", 3), ("b2", "web", 1), ("b3", "api", 2), ("b4", "web", 3)] {
        store.insert_resource(&resource("build", key, Some(parent), at)).await.unwrap();
    }
    store.insert_resource(&resource("project", "web", None, 0)).await.unwrap();

    let all = |newest_first| ResourceQuery { kind: "build", parent: None, newest_first };
    let keys = |page: &sluice_store::Page<ResourceRow>| page.items.iter().map(|r| r.key.clone()).collect::<Vec<_>>();

    let first = store.list_resources(&all(false), 2, None).await.unwrap();
    assert_eq!(keys(&first), ["b2", "b3"]);
    let second = store.list_resources(&all(false), 2, first.next_token.as_deref()).await.unwrap();
    assert_eq!(keys(&second), ["b1", "b4"]);
    assert_eq!(second.next_token, None);

    let newest = store.list_resources(&all(true), 3, None).await.unwrap();
    assert_eq!(keys(&newest), ["b4", "b1", "b3"]);
    let rest = store.list_resources(&all(true), 3, newest.next_token.as_deref()).await.unwrap();
    assert_eq!(keys(&rest), ["b2"]);

    let web = ResourceQuery { kind: "build", parent: Some("web"), newest_first: true };
    assert_eq!(keys(&store.list_resources(&web, 10, None).await.unwrap()), ["b4", "b1", "b2"]);
    assert!(matches!(store.list_resources(&web, 10, Some("garbage")).await, Err(Error::InvalidToken)));
}
