//! Opening stores: URL forms, reopening, SQLite's WAL. SQLite only: PostgreSQL URLs are plain.

use serde_json::json;
use sluice_store::{Error, Store, Tags};

#[tokio::test]
async fn sqlite_url_forms_and_reopening() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("plain.db");
    let url = path.to_str().unwrap();

    // A plain path creates the file; reopening applies no migration twice and keeps the data.
    let store = Store::connect(url).await.unwrap();
    store.create_pipeline("p", &json!({ "v": 1 }), &Tags::new(), 1).await.unwrap();
    assert!(dir.path().join("plain.db-wal").exists(), "the database runs in WAL mode");
    store.close().await;
    let reopened = Store::connect(&format!("sqlite://{url}")).await.unwrap();
    assert_eq!(reopened.get_pipeline("p", None).await.unwrap().unwrap().declaration, json!({ "v": 1 }));
    reopened.close().await;

    // In memory: readers share the writer connection, so they see its writes.
    let memory = Store::connect("sqlite::memory:").await.unwrap();
    memory.create_pipeline("m", &json!({}), &Tags::new(), 1).await.unwrap();
    assert_eq!(memory.list_pipelines(10, None).await.unwrap().items.len(), 1);
    memory.close().await;
}

#[tokio::test]
async fn unsupported_urls_are_refused() {
    let err = Store::connect("mysql://localhost/sluice").await.unwrap_err();
    assert!(matches!(err, Error::UnsupportedUrl(_)), "{err:?}");
}
