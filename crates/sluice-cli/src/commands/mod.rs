//! One module per command. Commands that talk to a server build a [`Client`] from the global
//! flags; `user` and `key` open the store directly (see `crate::local`).

pub mod agent;
pub mod approve;
pub mod executions;
pub mod key;
pub mod logs;
pub mod pipeline;
pub mod repo;
pub mod retry;
pub mod secret;
pub mod server;
pub mod start;
pub mod status;
pub mod stop;
pub mod transitions;
pub mod user;
pub mod validate;

use crate::Output;
use crate::client::{Client, ConnectionArgs, Settings};
use anyhow::Context as _;
use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;

/// Flags every command accepts, before or after its name.
#[derive(clap::Args, Clone, Debug)]
pub struct Global {
    #[command(flatten)]
    pub connection: ConnectionArgs,
    /// The server's data directory: where `sluice server` keeps its database, and where its
    /// `admin-credentials` are read from when no key is given.
    #[arg(
        long,
        global = true,
        env = "SLUICE_DATA_DIR",
        default_value = "./sluice-data",
        value_name = "DIR",
        help_heading = "Connection"
    )]
    pub data_dir: PathBuf,
    /// How to print results.
    #[arg(long, short, global = true, value_enum, default_value_t)]
    pub output: Output,
}

impl Global {
    pub fn json(&self) -> bool {
        self.output == Output::Json
    }

    /// A client for the server the flags, the environment or the data directory name.
    pub fn client(&self) -> anyhow::Result<Client> {
        Ok(Client::new(Settings::resolve(&self.connection, &self.data_dir)?))
    }
}

/// Writes to standard output; a closed pipe (`sluice ... | head`) is not worth a panic.
pub fn print(text: &str) {
    let _ = std::io::stdout().write_all(text.as_bytes());
}

/// A JSON document on standard output, pretty, ending with a newline.
pub fn print_json(value: &Value) {
    print(&(serde_json::to_string_pretty(value).expect("JSON values serialize") + "\n"));
}

/// Prints the API's answer as it came (`--output json`), or the text for people.
pub fn answer(global: &Global, response: &Value, text: impl FnOnce() -> String) {
    if global.json() { print_json(response) } else { print(&text()) }
}

/// `STAGE/ACTION` → (stage, action).
pub fn stage_and_action(text: &str) -> anyhow::Result<(String, String)> {
    let (stage, action) = text
        .split_once('/')
        .filter(|(s, a)| !s.is_empty() && !a.is_empty() && !a.contains('/'))
        .with_context(|| format!("`{text}` is not STAGE/ACTION (for example Deploy/Approve)"))?;
    Ok((stage.to_string(), action.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stage_and_action_are_split_at_the_slash() {
        assert_eq!(stage_and_action("Deploy/Approve").unwrap(), ("Deploy".into(), "Approve".into()));
        for bad in ["Deploy", "/Approve", "Deploy/", "a/b/c"] {
            assert!(stage_and_action(bad).unwrap_err().to_string().contains("is not STAGE/ACTION"), "{bad}");
        }
    }
}
