//! `sluice key create|list|delete`: access keys, in the server's database directly. A new key's
//! secret is printed once and never again (the list shows ids only).

use super::{Global, answer};
use crate::local::{LocalStore, StoreArgs, now_ms};
use crate::view::style::status_color;
use crate::view::{Style, Table, time};
use serde_json::{Value, json};
use sluice_store::{AccessKeyRow, Error};
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Make a new access key for a user; prints its id and secret once.
    Create {
        /// The user the key signs for.
        user: String,
    },
    /// List a user's access keys (ids only).
    List {
        /// The user.
        user: String,
    },
    /// Delete an access key: requests signed with it are refused from now on.
    Delete {
        /// The access key id (AKIA...).
        id: String,
    },
}

pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let local = LocalStore::open(&global.data_dir, &args.store)?;
    let store = &local.store;
    match args.command {
        Command::Create { user } => {
            let (id, secret) = sluice_server::credentials::generate();
            local.run(store.create_access_key(&user, &id, &secret, now_ms())).map_err(|e| match e {
                Error::NotFound => {
                    anyhow::anyhow!("there is no user {user}: create it with `sluice user create {user}`")
                }
                other => anyhow::Error::from(other).context("cannot create the access key"),
            })?;
            let json = json!({ "accessKey": { "userName": user, "accessKeyId": id, "secretAccessKey": secret, "status": "Active" } });
            answer(global, &json, || {
                format!(
                    "created an access key for {user}; the secret is shown only now:\n\
                     SLUICE_ACCESS_KEY_ID={id}\n\
                     SLUICE_SECRET_ACCESS_KEY={secret}\n"
                )
            });
        }
        Command::List { user } => {
            let keys = local.run(store.list_access_keys(&user)).map_err(|e| match e {
                Error::NotFound => anyhow::anyhow!("there is no user {user}"),
                other => anyhow::Error::from(other).context("cannot list the access keys"),
            })?;
            let json = json!({ "accessKeys": keys.iter().map(key_json).collect::<Vec<_>>() });
            answer(global, &json, || keys_text(&user, &keys, Style::for_stdout()));
        }
        Command::Delete { id } => {
            local.run(store.delete_access_key(&id)).map_err(|e| match e {
                Error::NotFound => anyhow::anyhow!("there is no access key {id}"),
                other => anyhow::Error::from(other).context("cannot delete the access key"),
            })?;
            answer(global, &json!({}), || format!("deleted access key {id}\n"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn status(key: &AccessKeyRow) -> &'static str {
    if key.disabled { "Inactive" } else { "Active" }
}

/// As IAM's `AccessKeyMetadata`, never with the secret.
fn key_json(key: &AccessKeyRow) -> Value {
    json!({
        "userName": key.user_name,
        "accessKeyId": key.id,
        "status": status(key),
        "created": key.created_at as f64 / 1000.0,
    })
}

fn keys_text(user: &str, keys: &[AccessKeyRow], style: Style) -> String {
    if keys.is_empty() {
        return format!("{user} has no access keys: make one with `sluice key create {user}`\n");
    }
    let mut table = Table::new(&["ID", "STATUS", "CREATED (UTC)"]);
    for key in keys {
        table.colored_row(vec![
            (key.id.clone(), None),
            (status(key).to_string(), status_color(status(key))),
            (time::utc(key.created_at as f64 / 1000.0), None),
        ]);
    }
    table.render(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(disabled: bool) -> AccessKeyRow {
        AccessKeyRow {
            id: "AKIAEXAMPLE234567ABC".into(),
            user_name: "ci".into(),
            secret: "never shown".into(),
            created_at: 1_735_787_045_000,
            disabled,
        }
    }

    #[test]
    fn keys_are_listed_without_their_secret() {
        let text = keys_text("ci", &[key(false), key(true)], Style::PLAIN);
        assert_eq!(
            text,
            "ID                    STATUS    CREATED (UTC)\n\
             AKIAEXAMPLE234567ABC  Active    2025-01-02 03:04:05\n\
             AKIAEXAMPLE234567ABC  Inactive  2025-01-02 03:04:05\n"
        );
        let json = key_json(&key(false)).to_string();
        assert!(!json.contains("never shown"), "{json}");
        assert!(keys_text("ci", &[], Style::PLAIN).contains("`sluice key create ci`"));
    }
}
