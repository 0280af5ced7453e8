//! Users and access keys: roles, unique names and ids, lookups for authentication, cascades.

use sluice_store::{AccessKeyRow, Error, Store, UserRow};

fn user(name: &str, role: &str, created_at: i64) -> UserRow {
    UserRow { name: name.into(), role: role.into(), created_at }
}

fn key(id: &str, user_name: &str, created_at: i64) -> AccessKeyRow {
    AccessKeyRow {
        id: id.into(),
        user_name: user_name.into(),
        secret: format!("secret of {id}"),
        created_at,
        disabled: false,
    }
}

async fn add_key(store: &Store, user: &str, id: &str, now: i64) -> AccessKeyRow {
    store.create_access_key(user, id, &format!("secret of {id}"), now).await.expect("create access key")
}

pub async fn users_are_created_listed_and_given_roles(store: &Store) {
    assert!(store.list_users().await.unwrap().is_empty());
    assert_eq!(store.create_user("carol", "viewer", 1000).await.unwrap(), user("carol", "viewer", 1000));
    store.create_user("Bob", "approver", 2000).await.unwrap();
    store.create_user("alice", "admin", 3000).await.unwrap();
    store.create_user("dave", "operator", 4000).await.unwrap();

    let err = store.create_user("alice", "viewer", 5000).await.unwrap_err();
    assert!(matches!(err, Error::NameInUse), "{err:?}");
    let err = store.create_user("eve", "root", 5000).await.unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");

    // Byte order on both backends; the refused creations changed nothing.
    let users = store.list_users().await.unwrap();
    assert_eq!(
        users,
        [
            user("Bob", "approver", 2000),
            user("alice", "admin", 3000),
            user("carol", "viewer", 1000),
            user("dave", "operator", 4000)
        ]
    );

    assert_eq!(store.set_user_role("carol", "operator").await.unwrap(), user("carol", "operator", 1000));
    let err = store.set_user_role("carol", "superuser").await.unwrap_err();
    assert!(matches!(err, Error::Invalid(_)), "{err:?}");
    let err = store.set_user_role("nobody", "viewer").await.unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    let carol = store.list_users().await.unwrap().into_iter().find(|u| u.name == "carol").unwrap();
    assert_eq!(carol.role, "operator");
}

pub async fn access_keys_belong_to_an_existing_user(store: &Store) {
    let err = store.create_access_key("nobody", "AKIA0", "s", 1000).await.unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    store.create_user("alice", "admin", 1000).await.unwrap();
    store.create_user("bob", "viewer", 1000).await.unwrap();

    assert_eq!(add_key(store, "alice", "AKIA2", 2000).await, key("AKIA2", "alice", 2000));
    add_key(store, "alice", "AKIA1", 3000).await;
    add_key(store, "bob", "AKIA3", 2500).await;
    // Ids are unique across users; the refused key leaves the first one as it was.
    let err = store.create_access_key("bob", "AKIA2", "other", 4000).await.unwrap_err();
    assert!(matches!(err, Error::NameInUse), "{err:?}");

    let (found, owner) = store.find_access_key("AKIA2").await.unwrap().expect("key");
    assert_eq!((found, owner), (key("AKIA2", "alice", 2000), user("alice", "admin", 1000)));
    assert_eq!(store.find_access_key("AKIA9").await.unwrap(), None);

    // The owner comes with its current role.
    store.set_user_role("bob", "approver").await.unwrap();
    let (_, owner) = store.find_access_key("AKIA3").await.unwrap().expect("key");
    assert_eq!(owner.role, "approver");

    // Oldest first.
    let alices = store.list_access_keys("alice").await.unwrap();
    assert_eq!(alices, [key("AKIA2", "alice", 2000), key("AKIA1", "alice", 3000)]);
    store.create_user("carol", "viewer", 1000).await.unwrap();
    assert!(store.list_access_keys("carol").await.unwrap().is_empty());
    let err = store.list_access_keys("nobody").await.unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
}

pub async fn disabled_keys_are_kept_and_flagged(store: &Store) {
    store.create_user("alice", "operator", 1000).await.unwrap();
    add_key(store, "alice", "AKIA1", 2000).await;
    let disabled = store.set_access_key_disabled("AKIA1", true).await.unwrap();
    assert_eq!(disabled, AccessKeyRow { disabled: true, ..key("AKIA1", "alice", 2000) });
    let (found, _) = store.find_access_key("AKIA1").await.unwrap().expect("a disabled key is still found");
    assert!(found.disabled);
    assert!(store.list_access_keys("alice").await.unwrap()[0].disabled);
    assert!(!store.set_access_key_disabled("AKIA1", false).await.unwrap().disabled);
    let err = store.set_access_key_disabled("AKIA9", true).await.unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
}

pub async fn deleting_a_user_deletes_its_keys(store: &Store) {
    store.create_user("alice", "admin", 1000).await.unwrap();
    store.create_user("bob", "viewer", 1000).await.unwrap();
    add_key(store, "alice", "AKIA1", 2000).await;
    add_key(store, "alice", "AKIA2", 2000).await;
    add_key(store, "bob", "AKIA3", 2000).await;

    store.delete_access_key("AKIA1").await.unwrap();
    assert_eq!(store.find_access_key("AKIA1").await.unwrap(), None);
    let err = store.delete_access_key("AKIA1").await.unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");

    store.delete_user("alice").await.unwrap();
    assert_eq!(store.find_access_key("AKIA2").await.unwrap(), None);
    let err = store.delete_user("alice").await.unwrap_err();
    assert!(matches!(err, Error::NotFound), "{err:?}");
    assert_eq!(store.list_users().await.unwrap(), [user("bob", "viewer", 1000)]);
    assert!(store.find_access_key("AKIA3").await.unwrap().is_some(), "other users' keys stay");

    // A user created again under the same name starts without keys, and the old ids are free.
    store.create_user("alice", "viewer", 5000).await.unwrap();
    assert!(store.list_access_keys("alice").await.unwrap().is_empty());
    add_key(store, "alice", "AKIA2", 6000).await;
}
