//! `sluice status NAME`: the pipeline drawn from `GetPipelineState` (see `view::state`).

use super::{Global, answer};
use crate::client::shapes::{PipelineState, read};
use crate::view::{Style, state};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pipeline.
    name: String,
}

pub fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let response = global.client()?.codepipeline("GetPipelineState", &json!({ "name": args.name }))?;
    let drawing = if global.json() {
        String::new()
    } else {
        let pipeline: PipelineState = read("GetPipelineState", response.clone())?;
        state::draw(&pipeline, Style::for_stdout())
    };
    answer(global, &response, || drawing);
    Ok(ExitCode::SUCCESS)
}
