//! The `sluice` binary: parses the command line and hands off to one
//! command module. Everything testable lives in the commands, the client,
//! the views and the library crates.

mod client;
mod commands;
mod local;
mod view;

use clap::{Parser, Subcommand, ValueEnum};
use commands::Global;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "sluice", version, about = "A self-hosted AWS CodePipeline in one binary")]
struct Cli {
    #[command(flatten)]
    global: Global,
    #[command(subcommand)]
    command: Command,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Output {
    /// For people.
    #[default]
    Text,
    /// For scripts: one JSON document on standard output (the API's answer, as it came).
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check pipeline files (JSON or YAML) offline and report every problem.
    Validate(commands::validate::Args),
    /// Create, update, list, show and delete pipelines.
    Pipeline(commands::pipeline::Args),
    /// Start a pipeline execution; prints its id.
    Start(commands::start::Args),
    /// Draw a pipeline's stages, actions and transitions as they are now.
    Status(commands::status::Args),
    /// List a pipeline's executions, newest first.
    Executions(commands::executions::Args),
    /// Approve a manual approval action that is waiting.
    Approve(commands::approve::Args),
    /// Reject a manual approval action that is waiting.
    Reject(commands::approve::Args),
    /// Retry a failed stage.
    Retry(commands::retry::Args),
    /// Stop a pipeline execution.
    Stop(commands::stop::Args),
    /// Enable or disable the transition into a stage.
    #[command(subcommand)]
    Transitions(commands::transitions::Command),
    /// Create and list the git repositories sluice hosts.
    #[command(subcommand)]
    Repo(commands::repo::Command),
    /// Set, list and delete the secrets jobs read (values from standard input or a file).
    #[command(subcommand)]
    Secret(commands::secret::Command),
    /// Manage users (local: opens the server's database directly).
    User(commands::user::Args),
    /// Manage access keys (local: opens the server's database directly).
    Key(commands::key::Args),
    /// Run the server: API, engine and embedded executor in one process.
    Server(commands::server::Args),
    /// Print an execution's job logs; `-f` follows them live.
    Logs(commands::logs::Args),
    /// Run a remote agent that takes jobs from a server; `agent token` manages its tokens.
    Agent(commands::agent::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let global = &cli.global;
    let result = match cli.command {
        Command::Validate(args) => Ok(commands::validate::run(global, &args)),
        Command::Pipeline(args) => commands::pipeline::run(global, args),
        Command::Start(args) => commands::start::run(global, args),
        Command::Status(args) => commands::status::run(global, &args),
        Command::Executions(args) => commands::executions::run(global, &args),
        Command::Approve(args) => commands::approve::run(global, &args, commands::approve::Decision::Approve),
        Command::Reject(args) => commands::approve::run(global, &args, commands::approve::Decision::Reject),
        Command::Retry(args) => commands::retry::run(global, &args),
        Command::Stop(args) => commands::stop::run(global, &args),
        Command::Transitions(command) => commands::transitions::run(global, command),
        Command::Repo(command) => commands::repo::run(global, command),
        Command::Secret(command) => commands::secret::run(global, command),
        Command::User(args) => commands::user::run(global, args),
        Command::Key(args) => commands::key::run(global, args),
        Command::Server(args) => Ok(commands::server::run_server(global, &args)),
        Command::Logs(args) => commands::logs::run(global, &args),
        Command::Agent(args) => commands::agent::run(global, args),
    };
    result.unwrap_or_else(|error| {
        eprintln!("error: {error:#}");
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn global_flags_go_before_or_after_the_command() {
        let cli =
            Cli::try_parse_from(["sluice", "--endpoint", "http://h:1", "pipeline", "list", "-o", "json"]).unwrap();
        assert_eq!(cli.global.connection.endpoint.as_deref(), Some("http://h:1"));
        assert_eq!(cli.global.output, Output::Json);
        let cli = Cli::try_parse_from(["sluice", "status", "app", "--data-dir", "/srv/sluice", "--access-key-id", "K"])
            .unwrap();
        assert_eq!(cli.global.data_dir, std::path::PathBuf::from("/srv/sluice"));
        assert_eq!(cli.global.connection.access_key_id.as_deref(), Some("K"));
    }
}
