//! The outbox: pending rows in commit order, acknowledged once carried out.

use serde_json::json;
use sluice_store::{Commit, Store};

use super::{create, step};

pub async fn pending_in_order_then_acknowledged(store: &Store) {
    create(store, "p").await;
    create(store, "q").await;
    assert!(store.pending_outbox(10).await.unwrap().is_empty());
    let first = Commit { outbox: vec![json!({ "n": 1 }), json!({ "n": 2 })], ..step("p", None, json!({}), 1000) };
    store.commit(&first).await.unwrap();
    store.commit(&Commit { outbox: vec![json!({ "n": 3 })], ..step("q", None, json!({}), 2000) }).await.unwrap();
    store.commit(&Commit { outbox: vec![json!({ "n": 4 })], ..step("p", Some(1), json!({}), 3000) }).await.unwrap();

    let all = store.pending_outbox(10).await.unwrap();
    let seen: Vec<_> =
        all.iter().map(|r| (r.pipeline.as_str(), r.payload["n"].as_i64().unwrap(), r.created_at)).collect();
    assert_eq!(seen, [("p", 1, 1000), ("p", 2, 1000), ("q", 3, 2000), ("p", 4, 3000)]);
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq), "sequence numbers grow in commit order");

    let head = store.pending_outbox(2).await.unwrap();
    assert_eq!(head, all[..2]);
    store.ack_outbox(&[head[0].seq, head[1].seq, 999_999]).await.unwrap();
    assert_eq!(store.pending_outbox(10).await.unwrap(), all[2..]);
    store.ack_outbox(&[]).await.unwrap();
    store.ack_outbox(&[all[3].seq]).await.unwrap();
    assert_eq!(store.pending_outbox(10).await.unwrap(), all[2..3]);

    // Sequence numbers are never reused, so a late ack can never delete a newer row.
    store.ack_outbox(&[all[2].seq]).await.unwrap();
    store.commit(&Commit { outbox: vec![json!({ "n": 5 })], ..step("p", Some(2), json!({}), 4000) }).await.unwrap();
    let fresh = store.pending_outbox(10).await.unwrap();
    assert_eq!(fresh.len(), 1);
    assert!(fresh[0].seq > all[3].seq);
}
