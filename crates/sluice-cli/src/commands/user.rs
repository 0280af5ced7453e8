//! `sluice user create|list|delete`: the API's users, in the server's database directly (these
//! need the data directory or `--database-url`, not a running server).

use super::{Global, answer};
use crate::local::{LocalStore, StoreArgs, now_ms};
use crate::view::{Style, Table, time};
use anyhow::{Context as _, bail};
use serde_json::{Value, json};
use sluice_store::{Error, ROLES, UserRow};
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
    /// Add a user; give it a key with `sluice key create NAME`.
    Create {
        /// The user's name.
        name: String,
        /// admin: everything; operator: read, start, stop, retry, transitions; approver: read and
        /// approvals; viewer: read only.
        #[arg(long, value_parser = clap::builder::PossibleValuesParser::new(ROLES))]
        role: String,
    },
    /// List the users.
    List,
    /// Delete a user and its access keys.
    Delete {
        /// The user's name.
        name: String,
    },
}

pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let local = LocalStore::open(&global.data_dir, &args.store)?;
    let store = &local.store;
    match args.command {
        Command::Create { name, role } => {
            let user = local.run(store.create_user(&name, &role, now_ms())).map_err(|e| match e {
                Error::NameInUse => anyhow::anyhow!("a user named {name} already exists"),
                other => anyhow::Error::from(other).context("cannot create the user"),
            })?;
            answer(global, &json!({ "user": user_json(&user) }), || {
                format!("created user {name} (role {role}): give it a key with `sluice key create {name}`\n")
            });
        }
        Command::List => {
            let users = local.run(store.list_users()).context("cannot list the users")?;
            let json = json!({ "users": users.iter().map(user_json).collect::<Vec<_>>() });
            answer(global, &json, || users_text(&users, Style::for_stdout()));
        }
        Command::Delete { name } => {
            let users = local.run(store.list_users()).context("cannot list the users")?;
            let Some(user) = users.iter().find(|u| u.name == name) else { bail!("there is no user {name}") };
            if user.role == "admin" && users.iter().filter(|u| u.role == "admin").count() == 1 {
                bail!("{name} is the last admin: create another admin first, or nobody could manage pipelines");
            }
            local.run(store.delete_user(&name)).map_err(|e| match e {
                Error::NotFound => anyhow::anyhow!("there is no user {name}"),
                other => anyhow::Error::from(other).context("cannot delete the user"),
            })?;
            answer(global, &json!({}), || format!("deleted user {name} and its access keys\n"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn user_json(user: &UserRow) -> Value {
    json!({ "userName": user.name, "role": user.role, "created": user.created_at as f64 / 1000.0 })
}

fn users_text(users: &[UserRow], style: Style) -> String {
    let mut table = Table::new(&["NAME", "ROLE", "CREATED (UTC)"]);
    for user in users {
        table.row([user.name.clone(), user.role.clone(), time::utc(user.created_at as f64 / 1000.0)]);
    }
    table.render(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_are_a_table() {
        let users = [
            UserRow { name: "admin".into(), role: "admin".into(), created_at: 1_735_787_045_000 },
            UserRow { name: "ci".into(), role: "operator".into(), created_at: 1_735_790_645_000 },
        ];
        assert_eq!(
            users_text(&users, Style::PLAIN),
            "NAME   ROLE      CREATED (UTC)\n\
             admin  admin     2025-01-02 03:04:05\n\
             ci     operator  2025-01-02 04:04:05\n"
        );
    }
}
