//! Agent registration tokens and agents: unique names, lookups by hash, cascades.

use sluice_store::{AgentRow, AgentTokenRow, Error, Store};

use super::strings;

pub async fn tokens_are_created_found_by_hash_and_deleted(store: &Store) {
    assert!(store.list_agent_tokens().await.unwrap().is_empty());
    let row = store.create_agent_token("builders", "hash-1", 1000).await.unwrap();
    assert_eq!(row, AgentTokenRow { name: "builders".into(), created_at: 1000 });
    store.create_agent_token("arm", "hash-2", 2000).await.unwrap();
    assert!(matches!(store.create_agent_token("arm", "hash-3", 3000).await, Err(Error::NameInUse)));
    assert!(matches!(store.create_agent_token("other", "hash-1", 3000).await, Err(Error::NameInUse)));

    let names: Vec<_> = store.list_agent_tokens().await.unwrap().into_iter().map(|t| t.name).collect();
    assert_eq!(names, ["arm", "builders"]);
    assert_eq!(store.find_agent_token("hash-1").await.unwrap().map(|t| t.name).as_deref(), Some("builders"));
    assert_eq!(store.find_agent_token("nope").await.unwrap(), None);

    store.delete_agent_token("arm").await.unwrap();
    assert!(matches!(store.delete_agent_token("arm").await, Err(Error::NotFound)));
    assert_eq!(store.find_agent_token("hash-2").await.unwrap(), None);
}

pub async fn agents_register_with_labels_and_go_with_their_token(store: &Store) {
    store.create_agent_token("builders", "token-hash", 1000).await.unwrap();
    let labels = strings(&["linux", "gpu"]);
    let agent = store.register_agent("agent-1", "builders", &labels, "session-hash", 2000).await.unwrap();
    let expected = AgentRow { id: "agent-1".into(), token_name: "builders".into(), labels, registered_at: 2000 };
    assert_eq!(agent, expected);
    assert_eq!(store.find_agent("session-hash").await.unwrap(), Some(expected));
    assert_eq!(store.find_agent("token-hash").await.unwrap(), None, "a token is not a session");

    let missing = store.register_agent("agent-2", "nobody", &[], "other-session", 3000).await;
    assert!(matches!(missing, Err(Error::NotFound)), "{missing:?}");

    store.delete_agent_token("builders").await.unwrap();
    assert_eq!(store.find_agent("session-hash").await.unwrap(), None, "sessions go with their token");
}
