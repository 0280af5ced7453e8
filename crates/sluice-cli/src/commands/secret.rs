//! `sluice secret set NAME`, `sluice secret list`, `sluice secret delete NAME`: the secrets jobs
//! read (buildspec `parameter-store`/`secrets-manager`, `SECRETS_MANAGER` variables), through the
//! server's Secrets Manager API. Values are read from standard input or a file, never from the
//! command line, where other users of the machine could see them.

use super::{Global, answer};
use crate::client::Service;
use crate::view::{Style, Table};
use anyhow::Context;
use serde_json::{Value, json};
use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a secret, or give an existing one a new value. The value is read from standard
    /// input (one trailing newline dropped) unless --from-file names a file.
    Set {
        name: String,
        /// Read the value from this file, as is.
        #[arg(long, value_name = "FILE")]
        from_file: Option<PathBuf>,
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
    },
    /// List the secrets (names and dates, never values).
    List,
    /// Delete a secret.
    Delete { name: String },
}

pub fn run(global: &Global, command: Command) -> anyhow::Result<ExitCode> {
    let client = global.client()?;
    match command {
        Command::Set { name, from_file, description } => {
            let value = match from_file {
                Some(path) => {
                    std::fs::read_to_string(&path).with_context(|| format!("cannot read {}", path.display()))?
                }
                None => {
                    let mut text = String::new();
                    std::io::stdin().read_to_string(&mut text).context("cannot read the value from standard input")?;
                    text.strip_suffix('\n').map(|t| t.strip_suffix('\r').unwrap_or(t)).unwrap_or(&text).to_owned()
                }
            };
            let put = json!({ "SecretId": name, "SecretString": value });
            let response = match client.call(Service::SecretsManager, "PutSecretValue", &put) {
                Err(e) if e.to_string().contains("ResourceNotFoundException") => {
                    let mut create = json!({ "Name": name, "SecretString": value });
                    if let Some(description) = description {
                        create["Description"] = json!(description);
                    }
                    client.call(Service::SecretsManager, "CreateSecret", &create)?
                }
                other => other?,
            };
            answer(global, &response, || format!("secret {name} set\n"));
        }
        Command::List => {
            let mut secrets: Vec<Value> = Vec::new();
            let mut next_token: Option<String> = None;
            loop {
                let mut input = json!({});
                if let Some(token) = &next_token {
                    input["NextToken"] = json!(token);
                }
                let page = client.call(Service::SecretsManager, "ListSecrets", &input)?;
                secrets.extend(page["SecretList"].as_array().cloned().unwrap_or_default());
                next_token = page["NextToken"].as_str().map(str::to_owned);
                if next_token.is_none() {
                    break;
                }
            }
            let response = json!({ "SecretList": secrets });
            answer(global, &response, || list_text(&secrets, Style::for_stdout()));
        }
        Command::Delete { name } => {
            let response = client.call(Service::SecretsManager, "DeleteSecret", &json!({ "SecretId": name }))?;
            answer(global, &response, || format!("secret {name} deleted\n"));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list_text(secrets: &[Value], style: Style) -> String {
    if secrets.is_empty() {
        return "no secrets yet: create one with `sluice secret set NAME`\n".into();
    }
    let mut table = Table::new(&["NAME", "DESCRIPTION"]);
    for secret in secrets {
        table.row([
            secret["Name"].as_str().unwrap_or_default().to_owned(),
            secret["Description"].as_str().unwrap_or_default().to_owned(),
        ]);
    }
    table.render(style)
}
