//! `sluice stop NAME EXECUTION [--abandon] [--reason R]`: `StopPipelineExecution`.

use super::{Global, answer};
use serde_json::json;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// The pipeline.
    name: String,
    /// The execution to stop.
    execution: String,
    /// Abandon the running actions instead of letting them finish.
    #[arg(long)]
    abandon: bool,
    /// Why (shown in the execution's history).
    #[arg(long, value_name = "TEXT")]
    reason: Option<String>,
}

pub fn run(global: &Global, args: &Args) -> anyhow::Result<ExitCode> {
    let mut input = json!({
        "pipelineName": args.name,
        "pipelineExecutionId": args.execution,
        "abandon": args.abandon,
    });
    if let Some(reason) = &args.reason {
        input["reason"] = json!(reason);
    }
    let response = global.client()?.codepipeline("StopPipelineExecution", &input)?;
    answer(global, &response, || {
        if args.abandon {
            format!("stopping execution {}: running actions are abandoned\n", args.execution)
        } else {
            format!("stopping execution {}: running actions finish first\n", args.execution)
        }
    });
    Ok(ExitCode::SUCCESS)
}
