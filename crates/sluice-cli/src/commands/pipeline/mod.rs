//! `sluice pipeline apply|list|get|delete`.

mod apply;
mod delete;
mod get;
mod list;

use super::Global;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Create the pipeline a file declares, or update it when it exists. The file is checked
    /// offline first, like `sluice validate`; nothing is sent when it has an error.
    Apply(apply::Args),
    /// List the pipelines.
    List,
    /// Print a pipeline's declaration, as `aws codepipeline get-pipeline` does.
    Get(get::Args),
    /// Delete a pipeline.
    Delete(delete::Args),
}

pub fn run(global: &Global, args: Args) -> anyhow::Result<ExitCode> {
    match args.command {
        Command::Apply(args) => apply::run(global, &args),
        Command::List => list::run(global),
        Command::Get(args) => get::run(global, &args),
        Command::Delete(args) => delete::run(global, &args),
    }
}
