//! `sluice repo create NAME [--description D]` and `sluice repo list`: the git repositories sluice
//! hosts, through the CodeCommit API (`CodeCommit_20150413.*`).

use super::{Global, answer};
use crate::view::{Style, Table};
use serde_json::{Value, json};
use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum Command {
    /// Create a repository; prints its clone URL.
    Create {
        /// The repository's name.
        name: String,
        /// What it holds.
        #[arg(long, value_name = "TEXT")]
        description: Option<String>,
    },
    /// List the repositories.
    List,
}

pub fn run(global: &Global, command: Command) -> anyhow::Result<ExitCode> {
    let client = global.client()?;
    match command {
        Command::Create { name, description } => {
            let mut input = json!({ "repositoryName": name });
            if let Some(description) = description {
                input["repositoryDescription"] = json!(description);
            }
            let response = client.codecommit("CreateRepository", &input)?;
            answer(global, &response, || {
                let url = response["repositoryMetadata"]["cloneUrlHttp"].as_str().unwrap_or_default();
                format!("{url}\n")
            });
        }
        Command::List => {
            let mut repositories: Vec<Value> = Vec::new();
            let mut next_token: Option<String> = None;
            loop {
                let mut input = json!({ "sortBy": "repositoryName", "order": "ascending" });
                if let Some(token) = &next_token {
                    input["nextToken"] = json!(token);
                }
                let page = client.codecommit("ListRepositories", &input)?;
                repositories.extend(page["repositories"].as_array().cloned().unwrap_or_default());
                next_token = page["nextToken"].as_str().filter(|t| !t.is_empty()).map(str::to_string);
                if next_token.is_none() {
                    break;
                }
            }
            let response = json!({ "repositories": repositories });
            answer(global, &response, || list_text(&repositories, Style::for_stdout()));
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn list_text(repositories: &[Value], style: Style) -> String {
    if repositories.is_empty() {
        return "no repositories yet: create one with `sluice repo create NAME`\n".to_string();
    }
    let mut table = Table::new(&["NAME", "ID"]);
    for r in repositories {
        table.row([
            r["repositoryName"].as_str().unwrap_or_default().to_string(),
            r["repositoryId"].as_str().unwrap_or_default().to_string(),
        ]);
    }
    table.render(style)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories_are_a_table() {
        let repositories =
            [json!({"repositoryName": "app", "repositoryId": "r-1"}), json!({"repositoryName": "infra"})];
        assert_eq!(list_text(&repositories, Style::PLAIN), "NAME   ID\napp    r-1\ninfra\n");
    }
}
