//! sluice secrets: named values kept encrypted in the store (resources of
//! kind `secret`), given to the jobs that reference them and masked in their
//! logs. Buildspec `parameter-store` and `secrets-manager` names, and
//! pipeline variables of type `SECRETS_MANAGER`, are secret names.

pub mod cipher;

use cipher::Cipher;
use serde_json::{Value, json};
use sluice_store::{ResourceRow, Store};
use std::collections::BTreeMap;

pub const KIND: &str = "secret";

/// A secret name: 1 to 512 of `A-Za-z0-9/_+=.@-`, as Secrets Manager allows.
pub fn check_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && name.len() <= 512
        && name.chars().all(|c| c.is_ascii_alphanumeric() || "/_+=.@-".contains(c));
    if ok { Ok(()) } else { Err(format!("invalid secret name {name:?}: 1 to 512 of A-Z a-z 0-9 / _ + = . @ -")) }
}

/// The stored body of a secret: its sealed value and description.
pub fn body(cipher: &Cipher, name: &str, value: &str, description: Option<&str>) -> Value {
    json!({ "sealed": cipher.seal(name, value), "description": description })
}

pub fn value(cipher: &Cipher, row: &ResourceRow) -> Option<String> {
    cipher.open(&row.key, &row.body["sealed"])
}

/// Every secret's value, by name; a value that does not decrypt (another
/// key) is left out and logged.
pub async fn all(store: &Store, cipher: &Cipher) -> Result<BTreeMap<String, String>, sluice_store::Error> {
    let mut values = BTreeMap::new();
    for row in store.all_resources(KIND).await? {
        match value(cipher, &row) {
            Some(v) => {
                values.insert(row.key, v);
            }
            None => tracing::warn!(secret = %row.key, "a secret does not decrypt with this server's key"),
        }
    }
    Ok(values)
}
