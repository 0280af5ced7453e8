//! `sluice pipeline get NAME [--version N]`: the declaration as `get-pipeline` prints it.

use crate::commands::{Global, print_json};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pipeline.
    name: String,
    /// An earlier version [default: the current one].
    #[arg(long, value_name = "N")]
    version: Option<i64>,
}

pub fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let mut input = json!({ "name": args.name });
    if let Some(version) = args.version {
        input["version"] = json!(version);
    }
    // The JSON is the text for people too: it is what `pipeline apply -f` takes back.
    print_json(&global.client()?.codepipeline("GetPipeline", &input)?);
    Ok(ExitCode::SUCCESS)
}
