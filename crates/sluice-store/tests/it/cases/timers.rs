//! Timers: due, next, moved, cleared.

use serde_json::json;
use sluice_store::{Commit, Store};

use super::{create, step, timer};

pub async fn due_next_move_and_clear(store: &Store) {
    create(store, "p").await;
    create(store, "q").await;
    assert_eq!(store.next_timer().await.unwrap(), None);
    assert!(store.due_timers(i64::MAX).await.unwrap().is_empty());

    let set = Commit {
        set_timers: vec![timer("p", "t-late", 9000), timer("p", "t-soon", 2000), timer("p", "t-mid", 5000)],
        ..step("p", None, json!({}), 1000)
    };
    store.commit(&set).await.unwrap();
    store
        .commit(&Commit { set_timers: vec![timer("q", "q-t", 3000)], ..step("q", None, json!({}), 1000) })
        .await
        .unwrap();

    assert_eq!(store.next_timer().await.unwrap(), Some(2000));
    assert!(store.due_timers(1999).await.unwrap().is_empty());
    let due = store.due_timers(5000).await.unwrap();
    assert_eq!(due, vec![timer("p", "t-soon", 2000), timer("q", "q-t", 3000), timer("p", "t-mid", 5000)]);

    // Setting an existing id moves the timer; clearing removes only this pipeline's timers.
    let mut moved = timer("p", "t-soon", 20_000);
    moved.payload = json!({ "moved": true });
    let change = Commit {
        set_timers: vec![moved.clone()],
        clear_timers: vec!["t-mid".into(), "q-t".into(), "unknown".into()],
        ..step("p", Some(1), json!({}), 6000)
    };
    store.commit(&change).await.unwrap();
    assert_eq!(store.next_timer().await.unwrap(), Some(3000));
    let all = store.due_timers(i64::MAX).await.unwrap();
    assert_eq!(all, vec![timer("q", "q-t", 3000), timer("p", "t-late", 9000), moved]);
    // Due timers stay until a commit clears them.
    assert_eq!(store.due_timers(i64::MAX).await.unwrap().len(), 3);
}
