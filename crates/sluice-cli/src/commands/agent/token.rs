//! `sluice agent token create|list|delete`. A new token is printed once;
//! only its SHA-256 hash is stored.

use super::super::{Global, answer};
use crate::local::{LocalStore, StoreArgs, now_ms};
use anyhow::Context as _;
use serde_json::json;
use sha2::{Digest, Sha256};
use sluice_store::Error;
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
    /// Make a registration token; prints it once.
    Create {
        /// A name for the token (per agent or group of agents).
        name: String,
    },
    /// List the tokens (names only).
    List,
    /// Delete a token: agents registered with it are refused from now on.
    Delete {
        /// The token's name.
        name: String,
    },
}

pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    let local = LocalStore::open(&global.data_dir, &args.store)?;
    match args.command {
        Command::Create { name } => {
            let token = sluice_server::credentials::random_secret();
            let hash = hex::encode(Sha256::digest(token.as_bytes()));
            local.run(local.store.create_agent_token(&name, &hash, now_ms())).map_err(|e| match e {
                Error::NameInUse => anyhow::anyhow!("there is already an agent token named {name}"),
                other => anyhow::Error::from(other).context("cannot create the agent token"),
            })?;
            answer(global, &json!({ "agentToken": { "name": name, "token": token } }), || {
                format!(
                    "created agent token {name}; it is shown only now:\n\
                     SLUICE_AGENT_TOKEN={token}\n"
                )
            });
        }
        Command::List => {
            let tokens = local.run(local.store.list_agent_tokens()).context("cannot list the agent tokens")?;
            let json = json!({ "agentTokens": tokens.iter().map(|t| json!({ "name": t.name, "created": t.created_at as f64 / 1000.0 })).collect::<Vec<_>>() });
            answer(global, &json, || tokens.iter().map(|t| format!("{}\n", t.name)).collect());
        }
        Command::Delete { name } => {
            local.run(local.store.delete_agent_token(&name)).map_err(|e| match e {
                Error::NotFound => anyhow::anyhow!("there is no agent token {name}"),
                other => anyhow::Error::from(other).context("cannot delete the agent token"),
            })?;
            answer(global, &json!({}), || format!("deleted agent token {name}\n"));
        }
    }
    Ok(ExitCode::SUCCESS)
}
