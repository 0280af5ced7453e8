//! `sluice pipeline delete NAME`.

use crate::commands::{Global, answer};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pipeline.
    name: String,
}

pub fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let response = global.client()?.codepipeline("DeletePipeline", &json!({ "name": args.name }))?;
    answer(global, &response, || format!("deleted pipeline {}\n", args.name));
    Ok(ExitCode::SUCCESS)
}
