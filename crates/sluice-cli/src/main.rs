//! The `sluice` binary: parses the command line and hands off to one
//! command module. Everything testable lives in the commands and the
//! library crates.

mod commands;

use clap::{Parser, Subcommand, ValueEnum};
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "sluice", version, about = "A self-hosted AWS CodePipeline in one binary")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

/// How results are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub enum Output {
    /// For people.
    #[default]
    Text,
    /// For scripts: one JSON document on standard output.
    Json,
}

#[derive(Subcommand)]
enum Command {
    /// Check pipeline files (JSON or YAML) offline and report every problem.
    Validate(commands::validate::Args),
    /// Run the server: API, engine and embedded executor in one process.
    Server(commands::server::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Validate(args) => commands::validate::run(&args),
        Command::Server(args) => commands::server::run_server(&args),
    }
}
